//! The accept loop, one task per client connection, and the forwarding to the emulator.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use anyhow::{Context, Result};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{HeaderName, HeaderValue};
use hyper::Method;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

use super::classify::classify;
use super::errors::{aws_error, plain, protocol_headers};
use super::http::{read_request, write_answer, Answer, Request};
use super::rules::Fault;
use super::state::{Seen, Shared};

pub(super) type Upstream = Client<HttpConnector, Full<Bytes>>;

pub(super) async fn accept(
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

pub(super) const TEST_ONLY_PREFIXES: [&str; 2] = ["/idc-guardrail/", "/moto-api/"];

pub(super) async fn serve(
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
            arrived: std::time::Instant::now(),
            answered: None,
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

/// Headers that describe one hop, not the message: never forwarded as they are.
pub(super) fn hop_by_hop(name: &str) -> bool {
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
pub(super) async fn forward(
    client: &Upstream,
    upstream: &str,
    request: &Request,
) -> (Answer, bool) {
    match try_forward(client, upstream, request).await {
        Ok(answer) => (answer, true),
        Err(e) => (plain(502, &format!("fault proxy: upstream: {e:#}")), false),
    }
}

pub(super) async fn try_forward(
    client: &Upstream,
    upstream: &str,
    request: &Request,
) -> Result<Answer> {
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
