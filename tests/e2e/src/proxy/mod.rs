//! A fault-injecting HTTP/1.1 proxy between the guardrail and the local AWS emulator.
//!
//! # What it models, and why
//!
//! Deletion runs with no human in the loop, so every path from an event to `DeleteInstance` or
//! `Publish` must be tested against the ways a real AWS call goes wrong: a 5xx, a throttle, a
//! connection reset, a slow answer, a truncated answer, an answer lost *after* AWS acted (the
//! instance IS deleted, the message IS published, but the caller never learns it), and an
//! eventually-consistent answer that is well formed but wrong (an empty `ListInstances`).
//! The emulator itself always answers promptly and correctly, so these faults are injected
//! here, on the wire, where the real SDK (its retry strategy, its error classification, its
//! connection pool) meets them exactly as it would meet them from AWS.
//!
//! [`FaultProxy::start`] listens on 127.0.0.1 on a free port, on its own thread with its own
//! tokio runtime (so it serves the in-process guardrail of a current-thread `#[tokio::test]`
//! and the Lambda binaries, which are other processes, alike), and forwards every request to
//! the emulator. Connections are kept alive, several requests each, as the SDK pools them.
//! With no rule it is transparent: requests and answers pass unchanged (hop-by-hop headers
//! aside; the answer is re-framed with a `Content-Length`).
//!
//! # Classification
//!
//! Each request is classified before any rule is checked:
//! - **operation**: the part of `X-Amz-Target` after its last `.` (JSON protocols:
//!   `SWBExternalService.ListInstances` → `ListInstances`, `AmazonSQS.SendMessage` →
//!   `SendMessage`), else the `Action=` parameter of a form-encoded (query protocol) body or
//!   query string (SNS `Publish`, STS `AssumeRole`), else, for Security Hub's REST-JSON, its
//!   method and path (`POST /findings/import` → `BatchImportFindings`); `unknown` otherwise;
//! - **service** and **region**: the SigV4 credential scope of the `Authorization` header
//!   (`Credential=AKID/DATE/REGION/SERVICE/aws4_request`), e.g. `sso`, `organizations`, `sns`,
//!   `sts`, `sqs`;
//! - **body**: the raw body; for the query protocol the percent-decoded body too, so a rule
//!   can name an ARN as it is written.
//!
//! The emulator's test-only endpoints (`/idc-guardrail/...`, `/moto-api/...`) are forwarded
//! untouched, never faulted and not logged.
//!
//! # Rules and faults
//!
//! [`FaultProxy::inject`] adds a [`Rule`]: which requests it matches (all given conditions
//! must hold), how many times it fires ([`RuleBuilder::times`], or [`RuleBuilder::always`],
//! the default), and its [`Fault`]. Rules are checked in insertion order; the first live rule
//! that matches fires; a rule that fired `n` times is spent. A rule given a [`Rate`]
//! ([`RuleBuilder::beyond_rate`]: R requests per second, bursts to B, per caller and Region, as
//! AWS publishes its throttling limits) matches only the requests beyond it. Each fault's behaviour on the
//! socket is documented on its variant: `Status`, `Error`, `Throttle` and `Respond` answer
//! without forwarding, `Reset` drops the request unanswered, `Delay` forwards late, and
//! `Truncate` and `LoseAnswer` forward, then break the answer. Every classified request is
//! recorded in the log ([`FaultProxy::log`], [`FaultProxy::count`]) with the fault it met,
//! whether it reached the emulator, and the status its caller received. The SDK's own
//! retries are separate requests here, so a test sees (and can count) every attempt.
//!
//! ```no_run
//! # use idc_e2e::proxy::{Fault, FaultProxy, Rule};
//! # fn demo(proxy: &FaultProxy, arn: &str) {
//! // The first DeleteInstance of this instance is performed, but its answer is lost.
//! proxy.inject(
//!     Rule::on("DeleteInstance")
//!         .region("eu-west-1")
//!         .body_contains(arn)
//!         .times(1)
//!         .fault(Fault::LoseAnswer),
//! );
//! // ... run the guardrail through `proxy.url()` ...
//! assert_eq!(proxy.count("DeleteInstance"), 2);
//! # }
//! ```
//!
//! Limits: plain HTTP/1.1 only (the emulator is HTTP); request bodies must be framed by
//! `Content-Length` (the SDK frames these services' requests so; a chunked request is
//! answered 400).

mod classify;
mod errors;
mod http;
mod rate;
mod rules;
mod serve;
mod state;

use std::sync::Arc;
use std::thread::JoinHandle;

use anyhow::{anyhow, bail, Context, Result};
use tokio::sync::oneshot;

pub use rate::Rate;
pub use rules::{Fault, Rule, RuleBuilder, RuleId};
pub use state::Seen;

use serve::accept;
use state::{lock, Live, Shared};

/// The proxy; stopped when dropped.
pub struct FaultProxy {
    url: String,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FaultProxy {
    /// Listens on 127.0.0.1 (a free port) and forwards to `upstream_url` (`http://host:port`).
    pub fn start(upstream_url: &str) -> Result<FaultProxy> {
        let upstream = upstream_url.trim_end_matches('/').to_owned();
        let authority = upstream
            .strip_prefix("http://")
            .ok_or_else(|| anyhow!("upstream {upstream_url}: only http:// is proxied"))?;
        if authority.is_empty() || authority.contains('/') {
            bail!("upstream {upstream_url}: expected http://host:port");
        }
        let listener = std::net::TcpListener::bind("127.0.0.1:0")
            .context("the fault proxy cannot bind 127.0.0.1")?;
        listener.set_nonblocking(true)?;
        let url = format!("http://{}", listener.local_addr()?);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("the fault proxy's runtime")?;
        let shared = Arc::new(Shared::default());
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("fault-proxy".into())
            .spawn({
                let shared = shared.clone();
                move || runtime.block_on(accept(listener, upstream, shared, stopped))
            })
            .context("cannot start the fault proxy's thread")?;
        Ok(FaultProxy {
            url,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Where clients reach the proxy (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Adds a rule after the existing ones.
    pub fn inject(&self, rule: Rule) -> RuleId {
        let id = self.shared.next();
        let remaining = rule.matcher.times;
        lock(&self.shared.rules).push(Live {
            id,
            rule,
            remaining,
            fired: 0,
            buckets: Default::default(),
        });
        RuleId(id)
    }

    /// How many requests a rule faulted so far (0 once cleared).
    pub fn fired(&self, id: RuleId) -> usize {
        lock(&self.shared.rules)
            .iter()
            .find(|live| live.id == id.0)
            .map_or(0, |live| live.fired)
    }

    /// Removes every rule: the proxy is transparent again.
    pub fn clear(&self) {
        lock(&self.shared.rules).clear();
    }

    /// Every request seen since the start (or the last `clear_log`), in arrival order.
    pub fn log(&self) -> Vec<Seen> {
        lock(&self.shared.log)
            .iter()
            .map(|(_, seen)| seen.clone())
            .collect()
    }

    /// How many requests of this operation were seen (faulted or not).
    pub fn count(&self, operation: &str) -> usize {
        lock(&self.shared.log)
            .iter()
            .filter(|(_, seen)| seen.operation == operation)
            .count()
    }

    pub fn clear_log(&self) {
        lock(&self.shared.log).clear();
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
