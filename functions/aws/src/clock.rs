//! The system clock and tokio's timer, for the domain's deadlines and backoff.

use std::time::Duration;

use chrono::{DateTime, Utc};
use idc_core::ports::Clock;

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}
