use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use idc_core::ports::Clock;

use crate::sample::now;

/// Virtual time: `sleep` moves it forward at once.
pub struct FakeClock {
    pub now: Mutex<DateTime<Utc>>,
    pub slept: Mutex<Vec<Duration>>,
}

impl Default for FakeClock {
    fn default() -> Self {
        FakeClock {
            now: Mutex::new(now()),
            slept: Mutex::new(vec![]),
        }
    }
}

impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        self.now.lock().map(|n| *n).unwrap_or_else(|_| now())
    }
    async fn sleep(&self, duration: Duration) {
        if let Ok(mut now) = self.now.lock() {
            *now += chrono::Duration::from_std(duration).unwrap_or_default();
        }
        if let Ok(mut slept) = self.slept.lock() {
            slept.push(duration);
        }
    }
}
