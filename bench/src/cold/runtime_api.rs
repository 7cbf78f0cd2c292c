//! A Lambda Runtime API that serves one event: it starts the function's process, answers its
//! first `GET /next` with the event, takes its answer, and, once the process asks for the next
//! event (it is then idle, as a Lambda sandbox between events), reads its peak resident set size
//! and stops it. The times are taken on this side of the socket: spawn → `/next` is the init,
//! `/next` answered → answer posted is the event's duration.
//!
//! Only what a Lambda runtime client uses: `GET /2018-06-01/runtime/invocation/next`,
//! `POST .../invocation/{id}/response`, `.../invocation/{id}/error` and `.../init/error`, over
//! HTTP/1.1 with `Content-Length` bodies, kept alive.

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::process::Command;
use tokio::sync::{mpsc, oneshot};

use crate::memory::proc_status_kb_of;

const API: &str = "/2018-06-01/runtime";
const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";
/// Room for the whole cold start and event; a real deadline (the function's budget is read from it).
const DEADLINE: Duration = Duration::from_secs(60);

/// One cold event as the Runtime API saw it.
#[derive(Debug, Clone)]
pub struct ColdRun {
    /// Spawn → first `GET /next`.
    pub init: Duration,
    /// `/next` answered → answer posted.
    pub duration: Duration,
    /// Spawn → answer posted.
    pub total: Duration,
    /// `VmHWM` of the process, idle after the event.
    pub peak_rss_kb: u64,
    /// The function's answer.
    pub answer: Value,
}

/// What a connection tells the orchestrator.
enum Call {
    Next(Instant, oneshot::Sender<Vec<u8>>),
    Response(Instant, Vec<u8>),
    Error(Vec<u8>),
}

/// Runs `command` (its environment already set, `AWS_LAMBDA_RUNTIME_API` added here) for one
/// `event`. `log` receives its stdout and stderr.
pub async fn one_event(mut command: Command, event: &Value, log: std::fs::File) -> Result<ColdRun> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .context("the runtime API cannot bind 127.0.0.1")?;
    let address = listener.local_addr()?;
    let (calls, mut received) = mpsc::channel(8);
    let server = tokio::spawn(accept(listener, calls));
    command
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true);
    let spawned = Instant::now();
    let mut child = command.spawn().context("cannot start the function")?;
    let pid = child
        .id()
        .ok_or_else(|| anyhow!("the function exited at once"))?;
    let result = async {
        let (asked, answer_to) = match next(&mut received, "first /next").await? {
            Call::Next(at, answer_to) => (at, answer_to),
            Call::Error(body) => bail!("init failed: {}", String::from_utf8_lossy(&body)),
            Call::Response(..) => bail!("an answer before any event"),
        };
        let served = Instant::now();
        answer_to
            .send(serde_json::to_vec(event)?)
            .map_err(|_| anyhow!("the function hung up before its event"))?;
        let (answered, body) = match next(&mut received, "answer").await? {
            Call::Response(at, body) => (at, body),
            Call::Error(body) => {
                bail!("the invocation failed: {}", String::from_utf8_lossy(&body))
            }
            Call::Next(..) => bail!("the function asked for another event without answering"),
        };
        // Idle again: whatever it will ever hold for this event, it has held.
        // Its request is held unanswered (kept here) while the memory is read: a dropped
        // request would close the connection, and the runtime client exits on that.
        let _held = match next(&mut received, "second /next").await? {
            Call::Next(_, held) => held,
            _ => bail!("unexpected call after the answer"),
        };
        let peak_rss_kb = proc_status_kb_of(pid, "VmHWM")?;
        Ok(ColdRun {
            init: asked - spawned,
            duration: answered.saturating_duration_since(served),
            total: answered - spawned,
            peak_rss_kb,
            answer: serde_json::from_slice(&body).context("the answer is not JSON")?,
        })
    }
    .await;
    let _ = child.start_kill();
    let _ = child.wait().await;
    server.abort();
    result
}

/// The next call of the function, within a generous limit.
async fn next(received: &mut mpsc::Receiver<Call>, what: &str) -> Result<Call> {
    tokio::time::timeout(Duration::from_secs(120), received.recv())
        .await
        .map_err(|_| anyhow!("no {what} from the function within 120 s"))?
        .ok_or_else(|| anyhow!("the runtime API stopped"))
}

async fn accept(listener: TcpListener, calls: mpsc::Sender<Call>) {
    while let Ok((stream, _)) = listener.accept().await {
        let _ = stream.set_nodelay(true);
        tokio::spawn(serve(stream, calls.clone()));
    }
}

/// One connection, several requests.
async fn serve(mut stream: TcpStream, calls: mpsc::Sender<Call>) -> Result<()> {
    let mut buffer = Vec::new();
    loop {
        let Some((method, path, body)) = read_request(&mut stream, &mut buffer).await? else {
            return Ok(());
        };
        let at = Instant::now();
        if method == "GET" && path == format!("{API}/invocation/next") {
            let (answer_to, answer) = oneshot::channel();
            calls.send(Call::Next(at, answer_to)).await?;
            // Never answered after the event: the process is stopped while it waits.
            let Ok(event) = answer.await else {
                return Ok(());
            };
            let deadline = chrono::Utc::now() + DEADLINE;
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                 Lambda-Runtime-Aws-Request-Id: {REQUEST_ID}\r\n\
                 Lambda-Runtime-Deadline-Ms: {}\r\n\
                 Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:bench\r\n\
                 Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1\r\n\
                 Content-Length: {}\r\n\r\n",
                deadline.timestamp_millis(),
                event.len()
            );
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&event).await?;
            continue;
        }
        let call = if method == "POST" && path.ends_with("/response") {
            Call::Response(at, body)
        } else if method == "POST" && path.ends_with("/error") {
            Call::Error(body)
        } else {
            stream
                .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                .await?;
            continue;
        };
        let accepted = br#"{"status":"OK"}"#;
        let head = format!(
            "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            accepted.len()
        );
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(accepted).await?;
        calls.send(call).await?;
    }
}

/// The next request on the connection: method, path, body. `None` when the client closed it.
async fn read_request(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
) -> Result<Option<(String, String, Vec<u8>)>> {
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.lines();
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_owned();
    let path = request_line.next().unwrap_or_default().to_owned();
    let length: usize = lines
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.trim().parse())
        .transpose()
        .context("a bad Content-Length")?
        .unwrap_or(0);
    while buffer.len() < head_end + length {
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            bail!("the connection closed inside a request body");
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer[head_end..head_end + length].to_vec();
    buffer.drain(..head_end + length);
    Ok(Some((method, path, body)))
}
