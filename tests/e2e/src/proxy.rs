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
//!   query string (SNS `Publish`, STS `AssumeRole`); `unknown` otherwise;
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
//! that matches fires; a rule that fired `n` times is spent. Each fault's behaviour on the
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

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

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
    times: Option<usize>,
}

/// A fault and the requests it applies to. Built with [`Rule::on`] or [`Rule::any`].
#[derive(Debug, Clone)]
pub struct Rule {
    matcher: RuleBuilder,
    fault: Fault,
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

    fn matches(&self, call: &Call, body: &[u8], decoded: Option<&[u8]>) -> bool {
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
pub struct RuleId(u64);

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
}

struct Live {
    id: u64,
    rule: Rule,
    remaining: Option<usize>,
    fired: usize,
}

#[derive(Default)]
struct Shared {
    rules: Mutex<Vec<Live>>,
    log: Mutex<Vec<(u64, Seen)>>,
    next_id: AtomicU64,
    next_connection: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn next(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The fault of the first live rule matching the request, which fires.
    fn decide(&self, call: &Call, body: &[u8]) -> Option<Fault> {
        let decoded = (call.protocol == Protocol::Query).then(|| percent_decode(body));
        let mut rules = lock(&self.rules);
        let live = rules.iter_mut().find(|live| {
            live.remaining != Some(0) && live.rule.matcher.matches(call, body, decoded.as_deref())
        })?;
        if let Some(n) = live.remaining.as_mut() {
            *n -= 1;
        }
        live.fired += 1;
        Some(live.rule.fault.clone())
    }

    fn record(&self, seen: Seen) -> u64 {
        let seq = self.next();
        lock(&self.log).push((seq, seen));
        seq
    }

    fn update(&self, seq: u64, status: Option<u16>, forwarded: bool) {
        let mut log = lock(&self.log);
        if let Some((_, seen)) = log.iter_mut().rev().find(|(s, _)| *s == seq) {
            seen.status = status;
            seen.forwarded = forwarded;
        }
    }
}

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

type Upstream = Client<HttpConnector, Full<Bytes>>;

async fn accept(
    listener: std::net::TcpListener,
    upstream: String,
    shared: Arc<Shared>,
    mut stopped: oneshot::Receiver<()>,
) {
    let Ok(listener) = TcpListener::from_std(listener) else {
        return;
    };
    let client: Upstream = Client::builder(TokioExecutor::new()).build_http();
    let upstream = Arc::new(upstream);
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let connection = shared.next_connection.fetch_add(1, Ordering::Relaxed) + 1;
                tokio::spawn(serve(
                    stream,
                    connection,
                    client.clone(),
                    upstream.clone(),
                    shared.clone(),
                ));
            }
        }
    }
}

/// One client request, as read off the socket.
struct Request {
    method: String,
    target: String,
    headers: Vec<(String, Vec<u8>)>,
    body: Bytes,
    keep_alive: bool,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| std::str::from_utf8(v).ok())
    }
}

/// An answer to write back.
struct Answer {
    status: u16,
    headers: Vec<(String, Vec<u8>)>,
    body: Bytes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Protocol {
    Json,
    Query,
}

struct Call {
    operation: String,
    service: String,
    region: String,
    protocol: Protocol,
}

const TEST_ONLY_PREFIXES: [&str; 2] = ["/idc-guardrail/", "/moto-api/"];

async fn serve(
    mut stream: TcpStream,
    connection: u64,
    client: Upstream,
    upstream: Arc<String>,
    shared: Arc<Shared>,
) {
    let mut buffer = Vec::new();
    loop {
        let request = match read_request(&mut stream, &mut buffer).await {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(e) => {
                let answer = plain(400, &format!("fault proxy: bad request: {e:#}"));
                let _ = write_answer(&mut stream, &answer, false, None).await;
                return;
            }
        };
        let keep_alive = request.keep_alive;
        if TEST_ONLY_PREFIXES
            .iter()
            .any(|p| request.target.starts_with(p))
        {
            let (answer, _) = forward(&client, &upstream, &request).await;
            if write_answer(&mut stream, &answer, keep_alive, None)
                .await
                .is_err()
                || !keep_alive
            {
                return;
            }
            continue;
        }
        let call = classify(&request);
        let fault = shared.decide(&call, &request.body);
        let seq = shared.record(Seen {
            operation: call.operation.clone(),
            service: call.service.clone(),
            region: call.region.clone(),
            fault: fault.as_ref().map(Fault::to_string),
            status: None,
            forwarded: false,
            connection,
        });
        let request_id = format!("00000000-0000-4000-8000-{seq:012x}");
        let (answer, forwarded, truncate) = match fault {
            None => {
                let (answer, forwarded) = forward(&client, &upstream, &request).await;
                (answer, forwarded, false)
            }
            Some(Fault::Delay(delay)) => {
                tokio::time::sleep(delay).await;
                let (answer, forwarded) = forward(&client, &upstream, &request).await;
                (answer, forwarded, false)
            }
            Some(Fault::Status(status)) => {
                let (json, query) = match status {
                    503 => ("ServiceUnavailableException", "ServiceUnavailable"),
                    s if s >= 500 => ("InternalServerException", "InternalFailure"),
                    _ => ("InjectedClientError", "InjectedClientError"),
                };
                let answer = aws_error(call.protocol, status, json, query, &request_id);
                (answer, false, false)
            }
            Some(Fault::Error { status, code }) => {
                let answer = aws_error(call.protocol, status, &code, &code, &request_id);
                (answer, false, false)
            }
            Some(Fault::Throttle) => {
                let answer = aws_error(
                    call.protocol,
                    400,
                    "ThrottlingException",
                    "Throttling",
                    &request_id,
                );
                (answer, false, false)
            }
            Some(Fault::Respond { status, body }) => (
                Answer {
                    status,
                    headers: protocol_headers(call.protocol, &request_id),
                    body: Bytes::from(body),
                },
                false,
                false,
            ),
            Some(Fault::Reset) => {
                shared.update(seq, None, false);
                // An abortive close: the kernel answers with RST instead of FIN.
                let _ = stream.set_zero_linger();
                return;
            }
            Some(Fault::LoseAnswer) => {
                let (_, forwarded) = forward(&client, &upstream, &request).await;
                shared.update(seq, None, forwarded);
                let _ = stream.shutdown().await;
                return;
            }
            Some(Fault::Truncate) => {
                let (answer, forwarded) = forward(&client, &upstream, &request).await;
                (answer, forwarded, true)
            }
        };
        shared.update(seq, Some(answer.status), forwarded);
        let half = truncate.then_some(answer.body.len() / 2);
        let written = write_answer(&mut stream, &answer, keep_alive && !truncate, half).await;
        if truncate {
            let _ = stream.shutdown().await;
            return;
        }
        if written.is_err() || !keep_alive {
            return;
        }
    }
}

/// Reads one request (Content-Length framed) from the connection; `None` at a clean EOF.
/// Bytes past the request stay in `buffer` for the next one.
async fn read_request(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Result<Option<Request>> {
    let mut chunk = [0u8; 16 * 1024];
    let mut continued = false;
    loop {
        if let Some((head_len, mut request, body_len, expect_continue)) = parse_head(buffer)? {
            let total = head_len + body_len;
            if buffer.len() < total && expect_continue && !continued {
                stream.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await?;
                continued = true;
            }
            if buffer.len() >= total {
                let rest = buffer.split_off(total);
                let body = Bytes::copy_from_slice(&buffer[head_len..total]);
                *buffer = rest;
                request.body = body;
                return Ok(Some(request));
            }
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            if buffer.is_empty() {
                return Ok(None);
            }
            bail!("the connection closed in the middle of a request");
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

/// The request head, its length, the body length and whether the client awaits
/// `100 Continue`; `None` while the head is incomplete.
fn parse_head(buffer: &[u8]) -> Result<Option<(usize, Request, usize, bool)>> {
    let mut headers = [httparse::EMPTY_HEADER; 96];
    let mut parsed = httparse::Request::new(&mut headers);
    let head_len = match parsed.parse(buffer).context("malformed request head")? {
        httparse::Status::Complete(n) => n,
        httparse::Status::Partial => return Ok(None),
    };
    let headers: Vec<(String, Vec<u8>)> = parsed
        .headers
        .iter()
        .map(|h| (h.name.to_owned(), h.value.to_vec()))
        .collect();
    let mut request = Request {
        method: parsed.method.unwrap_or("GET").to_owned(),
        target: parsed.path.unwrap_or("/").to_owned(),
        headers,
        body: Bytes::new(),
        keep_alive: true,
    };
    if request
        .header("transfer-encoding")
        .is_some_and(|te| !te.eq_ignore_ascii_case("identity"))
    {
        bail!("chunked request bodies are not supported");
    }
    let body_len = match request.header("content-length") {
        Some(len) => len
            .trim()
            .parse::<usize>()
            .with_context(|| format!("bad Content-Length `{len}`"))?,
        None => 0,
    };
    let connection = request
        .header("connection")
        .unwrap_or_default()
        .to_ascii_lowercase();
    request.keep_alive = if parsed.version == Some(0) {
        connection.contains("keep-alive")
    } else {
        !connection.contains("close")
    };
    let expect_continue = request
        .header("expect")
        .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"));
    Ok(Some((head_len, request, body_len, expect_continue)))
}

fn classify(request: &Request) -> Call {
    let (service, region) = request
        .header("authorization")
        .and_then(credential_scope)
        .unwrap_or_default();
    let target = request.header("x-amz-target");
    let content_type = request.header("content-type").unwrap_or_default();
    let query_string = request.target.split_once('?').map(|(_, q)| q.as_bytes());
    let action = form_value(&request.body, "Action")
        .or_else(|| query_string.and_then(|q| form_value(q, "Action")));
    let (operation, protocol) = match (target, action) {
        (Some(target), _) => (
            target.rsplit('.').next().unwrap_or(target).to_owned(),
            Protocol::Json,
        ),
        (None, Some(action)) => (action, Protocol::Query),
        (None, None) if content_type.contains("x-www-form-urlencoded") => {
            ("unknown".to_owned(), Protocol::Query)
        }
        (None, None) => ("unknown".to_owned(), Protocol::Json),
    };
    Call {
        operation,
        service,
        region,
        protocol,
    }
}

/// `(service, region)` of `Credential=AKID/DATE/REGION/SERVICE/aws4_request`.
fn credential_scope(authorization: &str) -> Option<(String, String)> {
    let (_, rest) = authorization.split_once("Credential=")?;
    let credential = rest.split([',', ' ']).next()?;
    let parts: Vec<&str> = credential.split('/').collect();
    match parts.as_slice() {
        [.., region, service, "aws4_request"] => {
            Some(((*service).to_owned(), (*region).to_owned()))
        }
        _ => None,
    }
}

/// The value of `name` in a form-encoded `a=b&c=d` string.
fn form_value(form: &[u8], name: &str) -> Option<String> {
    form.split(|b| *b == b'&').find_map(|pair| {
        let eq = pair.iter().position(|b| *b == b'=')?;
        (&pair[..eq] == name.as_bytes())
            .then(|| String::from_utf8_lossy(&percent_decode(&pair[eq + 1..])).into_owned())
    })
}

fn percent_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < input.len() => match (hex(input[i + 1]), hex(input[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

fn protocol_headers(protocol: Protocol, request_id: &str) -> Vec<(String, Vec<u8>)> {
    let content_type: &[u8] = match protocol {
        Protocol::Json => b"application/x-amz-json-1.1",
        Protocol::Query => b"text/xml",
    };
    vec![
        ("Content-Type".into(), content_type.to_vec()),
        ("x-amzn-RequestId".into(), request_id.as_bytes().to_vec()),
    ]
}

/// An AWS error answer in the request's protocol: `json_code` for the JSON protocols
/// (`__type` and `x-amzn-ErrorType`), `query_code` for the query protocol (`<Code>`).
fn aws_error(
    protocol: Protocol,
    status: u16,
    json_code: &str,
    query_code: &str,
    request_id: &str,
) -> Answer {
    let mut headers = protocol_headers(protocol, request_id);
    let body = match protocol {
        Protocol::Json => {
            headers.push(("x-amzn-ErrorType".into(), json_code.as_bytes().to_vec()));
            serde_json::json!({"__type": json_code, "message": "injected"}).to_string()
        }
        Protocol::Query => {
            let kind = if status >= 500 { "Receiver" } else { "Sender" };
            format!(
                "<ErrorResponse><Error><Type>{kind}</Type><Code>{query_code}</Code><Message>injected</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
            )
        }
    };
    Answer {
        status,
        headers,
        body: Bytes::from(body),
    }
}

fn plain(status: u16, text: &str) -> Answer {
    Answer {
        status,
        headers: vec![("Content-Type".into(), b"text/plain".to_vec())],
        body: Bytes::from(text.to_owned()),
    }
}

/// Headers that describe one hop, not the message: never forwarded as they are.
fn hop_by_hop(name: &str) -> bool {
    [
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "expect",
        "content-length",
    ]
    .iter()
    .any(|h| name.eq_ignore_ascii_case(h))
}

/// Sends the request to the emulator: its answer and `true`, or a 502 and `false` when the
/// emulator did not answer.
async fn forward(client: &Upstream, upstream: &str, request: &Request) -> (Answer, bool) {
    match try_forward(client, upstream, request).await {
        Ok(answer) => (answer, true),
        Err(e) => (plain(502, &format!("fault proxy: upstream: {e:#}")), false),
    }
}

async fn try_forward(client: &Upstream, upstream: &str, request: &Request) -> Result<Answer> {
    let mut builder = hyper::Request::builder()
        .method(Method::from_bytes(request.method.as_bytes())?)
        .uri(format!("{upstream}{}", request.target));
    for (name, value) in &request.headers {
        if !hop_by_hop(name) {
            builder = builder.header(
                HeaderName::from_bytes(name.as_bytes())?,
                HeaderValue::from_bytes(value)?,
            );
        }
    }
    let outgoing = builder.body(Full::new(request.body.clone()))?;
    let response = client
        .request(outgoing)
        .await
        .context("the emulator did not answer")?;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .filter(|(name, _)| !hop_by_hop(name.as_str()))
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    let body = response
        .into_body()
        .collect()
        .await
        .context("the emulator's answer broke off")?
        .to_bytes();
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// Writes the answer with its full `Content-Length`; with `only` set, just that many bytes
/// of the body.
async fn write_answer(
    stream: &mut TcpStream,
    answer: &Answer,
    keep_alive: bool,
    only: Option<usize>,
) -> std::io::Result<()> {
    let reason = StatusCode::from_u16(answer.status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Unknown");
    let mut out = format!("HTTP/1.1 {} {reason}\r\n", answer.status).into_bytes();
    for (name, value) in &answer.headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    let connection = if keep_alive { "keep-alive" } else { "close" };
    out.extend_from_slice(
        format!(
            "Content-Length: {}\r\nConnection: {connection}\r\n\r\n",
            answer.body.len()
        )
        .as_bytes(),
    );
    let sent = only.unwrap_or(answer.body.len()).min(answer.body.len());
    out.extend_from_slice(&answer.body[..sent]);
    stream.write_all(&out).await?;
    stream.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_and_form() {
        let auth = "AWS4-HMAC-SHA256 Credential=AKID/20261101/eu-west-1/sso/aws4_request, SignedHeaders=host, Signature=ab";
        assert_eq!(
            credential_scope(auth),
            Some(("sso".to_owned(), "eu-west-1".to_owned()))
        );
        assert_eq!(
            form_value(b"Action=Publish&Version=2010-03-31", "Action").as_deref(),
            Some("Publish")
        );
        assert_eq!(percent_decode(b"arn%3Aaws%3Asso+x%"), b"arn:aws:sso x%");
    }

    fn head(text: &str) -> Request {
        match parse_head(text.as_bytes()) {
            Ok(Some((_, request, _, _))) => request,
            Ok(None) => panic!("{text}: incomplete"),
            Err(e) => panic!("{text}: {e:#}"),
        }
    }

    #[test]
    fn classifies_json_and_query_requests() {
        let auth = "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261101/eu-west-1/sso/aws4_request, SignedHeaders=host, Signature=ab";
        let json = head(&format!(
            "POST / HTTP/1.1\r\nX-Amz-Target: SWBExternalService.ListInstances\r\n{auth}\r\nContent-Length: 2\r\n\r\n"
        ));
        let call = classify(&json);
        assert_eq!(
            (
                call.operation.as_str(),
                call.service.as_str(),
                call.region.as_str()
            ),
            ("ListInstances", "sso", "eu-west-1")
        );
        assert_eq!(call.protocol, Protocol::Json);
        let mut query = head("POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n\r\n");
        query.body = Bytes::from_static(b"Version=2011-06-15&Action=AssumeRole&RoleArn=x");
        let call = classify(&query);
        assert_eq!(
            (call.operation.as_str(), call.protocol),
            ("AssumeRole", Protocol::Query)
        );
        assert!(!query.keep_alive);
        assert!(json.keep_alive);
    }

    #[test]
    fn a_head_is_complete_only_with_its_blank_line_and_keeps_what_follows() {
        assert!(matches!(
            parse_head(b"POST / HTTP/1.1\r\nContent-Length: 3\r\n"),
            Ok(None)
        ));
        let two = b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\n\r\n";
        let Ok(Some((n, request, body_len, _))) = parse_head(two) else {
            panic!("complete head expected");
        };
        assert_eq!(
            (request.target.as_str(), &two[n..n + body_len]),
            ("/a", &b"abc"[..])
        );
        assert!(parse_head(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n").is_err());
    }

    #[test]
    fn rules_fire_in_order_until_spent() {
        let shared = Shared::default();
        let call = Call {
            operation: "Publish".into(),
            service: "sns".into(),
            region: "us-east-1".into(),
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
}
