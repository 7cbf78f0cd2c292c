//! What the proxy's handle and its connections share: the live rules and the request log.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use super::classify::{percent_decode, Call, Protocol};
use super::rate::Buckets;
use super::rules::{Fault, Rule};

/// One request the proxy saw, in arrival order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub operation: String,
    pub service: String,
    pub region: String,
    /// The fault the request met (`Fault`'s display, e.g. `Status(500)`), if any.
    pub fault: Option<String>,
    /// The HTTP status its caller received; `None` while in flight and when no status line
    /// was sent (`Reset`, `LoseAnswer`).
    pub status: Option<u16>,
    /// Whether the request was forwarded and the emulator answered it (also with
    /// `LoseAnswer` and `Truncate`, whose callers never get that answer whole).
    pub forwarded: bool,
    /// The client connection it came on (numbered from 1): requests on one kept-alive
    /// connection share it.
    pub connection: u64,
    /// When the proxy had read the request, and when its answer (or its fault) was ready: which
    /// calls overlapped, and how many a client waited for one after another.
    pub arrived: Instant,
    pub answered: Option<Instant>,
}

pub(super) struct Live {
    pub(super) id: u64,
    pub(super) rule: Rule,
    pub(super) remaining: Option<usize>,
    pub(super) fired: usize,
    /// The rule's rate, counted per caller and Region (used only by a rule with a rate).
    pub(super) buckets: Buckets,
}

#[derive(Default)]
pub(super) struct Shared {
    pub(super) rules: Mutex<Vec<Live>>,
    pub(super) log: Mutex<Vec<(u64, Seen)>>,
    pub(super) next_id: AtomicU64,
    pub(super) next_connection: AtomicU64,
}

pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub(super) fn next(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The fault of the first live rule matching the request, which fires. A rule with a rate
    /// matches only the requests beyond it.
    pub(super) fn decide(&self, call: &Call, body: &[u8]) -> Option<Fault> {
        let decoded = (call.protocol == Protocol::Query).then(|| percent_decode(body));
        let now = Instant::now();
        let mut rules = lock(&self.rules);
        let at =
            rules.iter_mut().position(|live| {
                live.remaining != Some(0)
                    && live.rule.matcher.matches(call, body, decoded.as_deref())
                    && live.rule.matcher.rate.is_none_or(|rate| {
                        !live.buckets.admit(rate, &call.caller, &call.region, now)
                    })
            })?;
        let live = &mut rules[at];
        if let Some(n) = live.remaining.as_mut() {
            *n -= 1;
        }
        live.fired += 1;
        Some(live.rule.fault.clone())
    }

    pub(super) fn record(&self, seen: Seen) -> u64 {
        let seq = self.next();
        lock(&self.log).push((seq, seen));
        seq
    }

    pub(super) fn update(&self, seq: u64, status: Option<u16>, forwarded: bool) {
        let mut log = lock(&self.log);
        if let Some((_, seen)) = log.iter_mut().rev().find(|(s, _)| *s == seq) {
            seen.status = status;
            seen.forwarded = forwarded;
            seen.answered = Some(Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::rate::Rate;
    use crate::proxy::rules::Rule;

    #[test]
    fn rules_fire_in_order_until_spent() {
        let shared = Shared::default();
        let call = Call {
            operation: "Publish".into(),
            service: "sns".into(),
            region: "us-east-1".into(),
            caller: "AKID".into(),
            protocol: Protocol::Query,
        };
        for rule in [
            Rule::on("Publish").region("eu-west-1").fault(Fault::Reset),
            Rule::on("Publish")
                .body_contains("arn:aws:sns")
                .times(1)
                .fault(Fault::Throttle),
            Rule::any()
                .service("sns")
                .times(2)
                .fault(Fault::Status(503)),
        ] {
            let remaining = rule.matcher.times;
            lock(&shared.rules).push(Live {
                id: 0,
                rule,
                remaining,
                fired: 0,
                buckets: Buckets::default(),
            });
        }
        let body = b"Action=Publish&TopicArn=arn%3Aaws%3Asns%3Aus-east-1";
        let decided: Vec<Option<Fault>> = (0..4).map(|_| shared.decide(&call, body)).collect();
        assert_eq!(
            decided,
            vec![
                Some(Fault::Throttle),
                Some(Fault::Status(503)),
                Some(Fault::Status(503)),
                None
            ]
        );
    }

    #[test]
    fn a_rule_with_a_rate_fires_only_beyond_it_and_leaves_the_rest_to_later_rules() {
        let shared = Shared::default();
        let call = Call {
            operation: "BatchImportFindings".into(),
            service: "securityhub".into(),
            region: "us-east-1".into(),
            caller: "AKID".into(),
            protocol: Protocol::Json,
        };
        for rule in [
            Rule::on("BatchImportFindings")
                .beyond_rate(Rate::new(1, 2))
                .fault(Fault::Throttle),
            Rule::any().times(1).fault(Fault::Status(500)),
        ] {
            let remaining = rule.matcher.times;
            lock(&shared.rules).push(Live {
                id: 0,
                rule,
                remaining,
                fired: 0,
                buckets: Buckets::default(),
            });
        }
        let decided: Vec<Option<Fault>> = (0..4).map(|_| shared.decide(&call, b"{}")).collect();
        assert_eq!(
            decided,
            vec![
                Some(Fault::Status(500)),
                None,
                Some(Fault::Throttle),
                Some(Fault::Throttle)
            ]
        );
    }
}
