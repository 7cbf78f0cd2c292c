//! The rules a test injects: which requests they match, how often they fire, and the fault
//! each one puts on the wire.

use std::fmt;
use std::time::Duration;

use super::classify::{contains, Call};
use super::rate::Rate;

/// What a matching request meets instead of a plain forward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Not forwarded: answered with this HTTP status and the AWS error body of the request's
    /// protocol (JSON: `{"__type": "InternalServerException", "message": "injected"}` and
    /// `x-amzn-ErrorType`; query: `<ErrorResponse>` with `Receiver`/`InternalFailure`). 503
    /// answers `ServiceUnavailableException` / `ServiceUnavailable`; a 4xx status is a
    /// an `InjectedClientError` `Sender` fault. The connection stays open.
    Status(u16),
    /// Not forwarded: answered with this status and an AWS error of this code in the
    /// request's protocol, e.g. `400 ConflictException` on `DeleteInstance`, or
    /// `400 AccessDeniedException`. The connection stays open.
    Error { status: u16, code: String },
    /// Not forwarded: HTTP 400 `ThrottlingException` (JSON) / `Throttling` (query), as AWS
    /// throttles. The connection stays open.
    Throttle,
    /// Not forwarded: once the request is read, the connection is aborted (`SO_LINGER` 0:
    /// a TCP RST) with no answer.
    Reset,
    /// Forwarded after this delay; the answer is passed on unchanged. The request is
    /// forwarded even if its caller gave up meanwhile (an attempt timeout), as AWS goes on
    /// with a request whose caller timed out: the SDK's retry then arrives beside it.
    Delay(Duration),
    /// Forwarded; the caller gets the status line and headers with the full
    /// `Content-Length`, then only the first half of the body, then the connection is closed.
    Truncate,
    /// Forwarded (the emulator performs the action), then the connection is closed (FIN)
    /// without an answer: the caller cannot tell whether the action happened.
    LoseAnswer,
    /// Not forwarded: answered with this status and body (content type of the request's
    /// protocol), e.g. an eventually-consistent empty listing `{"Instances": []}`.
    Respond { status: u16, body: String },
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Status(code) => write!(f, "Status({code})"),
            Fault::Error { status, code } => write!(f, "Error({status} {code})"),
            Fault::Throttle => write!(f, "Throttle"),
            Fault::Reset => write!(f, "Reset"),
            Fault::Delay(d) => write!(f, "Delay({d:?})"),
            Fault::Truncate => write!(f, "Truncate"),
            Fault::LoseAnswer => write!(f, "LoseAnswer"),
            Fault::Respond { status, .. } => write!(f, "Respond({status})"),
        }
    }
}

/// Which requests a rule matches and how often it fires; [`RuleBuilder::fault`] makes it a
/// [`Rule`].
#[derive(Debug, Clone, Default)]
pub struct RuleBuilder {
    operation: Option<String>,
    service: Option<String>,
    region: Option<String>,
    body_contains: Vec<String>,
    pub(super) times: Option<usize>,
    pub(super) rate: Option<Rate>,
}

/// A fault and the requests it applies to. Built with [`Rule::on`] or [`Rule::any`].
#[derive(Debug, Clone)]
pub struct Rule {
    pub(super) matcher: RuleBuilder,
    pub(super) fault: Fault,
}

impl Rule {
    /// Matches requests of this operation (`ListInstances`, `Publish`, `AssumeRole`, …).
    pub fn on(operation: &str) -> RuleBuilder {
        RuleBuilder {
            operation: Some(operation.to_owned()),
            ..RuleBuilder::default()
        }
    }

    /// Matches requests of every operation (narrow it with the builder's conditions).
    pub fn any() -> RuleBuilder {
        RuleBuilder::default()
    }

    pub fn fault(&self) -> &Fault {
        &self.fault
    }
}

impl RuleBuilder {
    /// Only requests signed for this service (`sso`, `organizations`, `sns`, `sts`, `sqs`).
    pub fn service(mut self, service: &str) -> Self {
        self.service = Some(service.to_owned());
        self
    }

    /// Only requests signed for this Region.
    pub fn region(mut self, region: &str) -> Self {
        self.region = Some(region.to_owned());
        self
    }

    /// Only requests whose body contains `text` (raw, or percent-decoded for the query
    /// protocol). May be given several times: all must be present.
    pub fn body_contains(mut self, text: &str) -> Self {
        self.body_contains.push(text.to_owned());
        self
    }

    /// Fires only on the matching requests beyond `rate`, counted per caller (the access key
    /// that signed the request) and Region, as AWS throttles; the requests within it go on to
    /// the next rules (or to the emulator).
    pub fn beyond_rate(mut self, rate: Rate) -> Self {
        self.rate = Some(rate);
        self
    }

    /// Fires on the first `n` matching requests, then is spent.
    pub fn times(mut self, n: usize) -> Self {
        self.times = Some(n);
        self
    }

    /// Fires on every matching request (the default).
    pub fn always(mut self) -> Self {
        self.times = None;
        self
    }

    pub fn fault(self, fault: Fault) -> Rule {
        Rule {
            matcher: self,
            fault,
        }
    }

    pub(super) fn matches(&self, call: &Call, body: &[u8], decoded: Option<&[u8]>) -> bool {
        let field = |want: &Option<String>, got: &str| want.as_deref().is_none_or(|w| w == got);
        field(&self.operation, &call.operation)
            && field(&self.service, &call.service)
            && field(&self.region, &call.region)
            && self.body_contains.iter().all(|text| {
                contains(body, text.as_bytes())
                    || decoded.is_some_and(|d| contains(d, text.as_bytes()))
            })
    }
}

/// Identifies an injected rule, to ask how often it fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleId(pub(super) u64);
