//! Time on the live path: the invocation's deadline, the share of it each AWS call may use,
//! and the sequence numbers that order the messages published under one finding id.
//!
//! Lambda stops a function at its deadline, wherever it is. A slow AWS call must therefore
//! never eat the time the guardrail needs to tell the security team what it did: every call
//! but `Publish` is limited to the time left minus a reserve, and `Publish` may use the reserve.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::future::{select, Either};

use crate::ports::{Clock, PortError, PortErrorKind};

/// The smallest and largest share of an invocation kept for publishing.
const MIN_RESERVE: Duration = Duration::from_secs(1);
const MAX_RESERVE: Duration = Duration::from_secs(15);

/// A delete is not started with less than this left before the reserve: the intent, the
/// delete and its confirmation must all fit.
pub const MIN_ACTION_WINDOW: Duration = Duration::from_secs(3);

/// How much of an invocation is left, and how much of it is kept for publishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    deadline: Option<DateTime<Utc>>,
    reserve: Duration,
}

impl Budget {
    /// No deadline (the command line): calls are bounded only by the SDK's own timeouts.
    pub fn unbounded() -> Self {
        Budget {
            deadline: None,
            reserve: Duration::ZERO,
        }
    }

    /// An invocation that must be done by `deadline`; it started at `now`. A quarter of it,
    /// between 1 and 15 seconds, is kept for publishing.
    pub fn until(deadline: DateTime<Utc>, now: DateTime<Utc>) -> Self {
        let total = (deadline - now).to_std().unwrap_or_default();
        Budget {
            deadline: Some(deadline),
            reserve: (total / 4).clamp(MIN_RESERVE, MAX_RESERVE),
        }
    }

    pub fn deadline(&self) -> Option<DateTime<Utc>> {
        self.deadline
    }

    /// The time left at `now`, or `None` without a deadline.
    pub fn remaining(&self, now: DateTime<Utc>) -> Option<Duration> {
        self.deadline
            .map(|d| (d - now).to_std().unwrap_or(Duration::ZERO))
    }

    /// How long a call other than `Publish` may take from `now`.
    pub fn for_call(&self, now: DateTime<Utc>) -> Option<Duration> {
        self.remaining(now)
            .map(|left| left.saturating_sub(self.reserve))
    }

    /// How long a `Publish` may take from `now`: everything that is left.
    pub fn for_publish(&self, now: DateTime<Utc>) -> Option<Duration> {
        self.remaining(now)
    }

    /// True when a delete (intent, delete, confirmation) may still be started at `now`.
    pub fn allows_action(&self, now: DateTime<Utc>) -> bool {
        self.for_call(now)
            .is_none_or(|left| left >= MIN_ACTION_WINDOW)
    }
}

/// Runs `call` for at most `limit` (no limit when `None`). A call with no time left is not
/// started; one that runs out of time is dropped and reported as `Unreachable`.
pub async fn within<C, T, F>(
    clock: &C,
    limit: Option<Duration>,
    operation: &str,
    call: F,
) -> Result<T, PortError>
where
    C: Clock,
    F: Future<Output = Result<T, PortError>>,
{
    let Some(limit) = limit else {
        return call.await;
    };
    let out_of_time = || {
        PortError::new(
            PortErrorKind::Unreachable,
            operation,
            format!(
                "not answered within {} ms: the invocation's deadline is near",
                limit.as_millis()
            ),
        )
    };
    if limit.is_zero() {
        return Err(out_of_time());
    }
    let call = pin!(call);
    let timer = pin!(clock.sleep(limit));
    match select(call, timer).await {
        Either::Left((answer, _)) => answer,
        Either::Right(((), _)) => Err(out_of_time()),
    }
}

/// Sequence numbers for published messages: microseconds since the Unix epoch at publication,
/// strictly increasing within a process. A later delivery (a Lambda retry) publishes later,
/// so the highest sequence under one finding id is the latest word.
#[derive(Debug, Default)]
pub struct Sequencer {
    last: AtomicU64,
}

impl Sequencer {
    pub fn next(&self, now: DateTime<Utc>) -> u64 {
        let micros = u64::try_from(now.timestamp_micros()).unwrap_or(0);
        let mut last = self.last.load(Ordering::Relaxed);
        loop {
            let candidate = micros.max(last.saturating_add(1));
            match self.last.compare_exchange_weak(
                last,
                candidate,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return candidate,
                Err(seen) => last = seen,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn a_quarter_of_the_invocation_is_kept_for_publishing() {
        let start = at("2026-11-20T10:00:00Z");
        let budget = Budget::until(at("2026-11-20T10:01:00Z"), start);
        assert_eq!(budget.for_publish(start), Some(Duration::from_secs(60)));
        assert_eq!(budget.for_call(start), Some(Duration::from_secs(45)));
        let late = at("2026-11-20T10:00:50Z");
        assert_eq!(budget.for_call(late), Some(Duration::ZERO));
        assert_eq!(budget.for_publish(late), Some(Duration::from_secs(10)));
        assert!(budget.allows_action(start) && !budget.allows_action(late));
    }

    #[test]
    fn the_reserve_is_bounded() {
        let start = at("2026-11-20T10:00:00Z");
        let long = Budget::until(at("2026-11-20T10:15:00Z"), start);
        assert_eq!(
            long.for_call(start),
            Some(Duration::from_secs(900 - 15)),
            "at most 15 s"
        );
        let short = Budget::until(at("2026-11-20T10:00:02Z"), start);
        assert_eq!(short.for_call(start), Some(Duration::from_secs(1)));
        let past = Budget::until(start, at("2026-11-20T10:00:05Z"));
        assert_eq!(past.for_publish(start), Some(Duration::ZERO));
    }

    #[test]
    fn unbounded_never_limits() {
        let b = Budget::unbounded();
        let now = at("2026-11-20T10:00:00Z");
        assert_eq!((b.for_call(now), b.for_publish(now)), (None, None));
        assert!(b.allows_action(now));
    }

    #[test]
    fn sequences_increase_even_when_the_clock_does_not() {
        let s = Sequencer::default();
        let now = at("2026-11-20T10:00:00Z");
        let a = s.next(now);
        let b = s.next(now);
        let c = s.next(at("2026-11-20T09:00:00Z"));
        assert!(a < b && b < c, "{a} {b} {c}");
        assert_eq!(a, 1_795_168_800_000_000);
    }
}
