//! A request rate as AWS publishes its throttling limits ("a rate of R requests per second,
//! bursts to B"): a token bucket per caller and Region, which a rule uses to fault only the
//! requests beyond the rate ([`super::RuleBuilder::beyond_rate`]).

use std::collections::HashMap;
use std::time::Instant;

/// R requests per second, with bursts to B: a bucket of B tokens, refilled at R per second;
/// each request takes one, and a request that finds none is beyond the rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub per_second: u32,
    pub burst: u32,
}

impl Rate {
    pub fn new(per_second: u32, burst: u32) -> Rate {
        Rate { per_second, burst }
    }
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// One bucket per (caller, Region): AWS counts its quotas per account and Region, and each
/// caller here signs with its own account's keys.
#[derive(Default)]
pub(super) struct Buckets(HashMap<(String, String), Bucket>);

impl Buckets {
    /// Whether a request of `caller` in `region` at `now` is within `rate` (and takes its token).
    pub(super) fn admit(&mut self, rate: Rate, caller: &str, region: &str, now: Instant) -> bool {
        let burst = f64::from(rate.burst);
        let bucket = self
            .0
            .entry((caller.to_owned(), region.to_owned()))
            .or_insert(Bucket {
                tokens: burst,
                at: now,
            });
        let refill =
            now.saturating_duration_since(bucket.at).as_secs_f64() * f64::from(rate.per_second);
        bucket.tokens = (bucket.tokens + refill).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_then_the_rate_per_caller_and_region() {
        let rate = Rate::new(10, 3);
        let mut buckets = Buckets::default();
        let t0 = Instant::now();
        let admitted = |b: &mut Buckets, caller: &str, region: &str, at: Instant| {
            (0..5).filter(|_| b.admit(rate, caller, region, at)).count()
        };
        assert_eq!(
            admitted(&mut buckets, "AKID1", "us-east-1", t0),
            3,
            "the burst"
        );
        assert_eq!(
            admitted(&mut buckets, "AKID2", "us-east-1", t0),
            3,
            "another caller"
        );
        assert_eq!(
            admitted(&mut buckets, "AKID1", "eu-west-1", t0),
            3,
            "another Region"
        );
        // 10 per second: one more token every 100 ms, never more than the burst.
        let later = t0 + Duration::from_millis(250);
        assert_eq!(admitted(&mut buckets, "AKID1", "us-east-1", later), 2);
        let much_later = t0 + Duration::from_secs(60);
        assert_eq!(admitted(&mut buckets, "AKID1", "us-east-1", much_later), 3);
    }
}
