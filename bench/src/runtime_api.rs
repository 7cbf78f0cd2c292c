//! The bench's own Lambda Runtime API on 127.0.0.1: what a function's runtime client talks to
//! in a Lambda sandbox. A connection's requests become [`Call`]s for whoever drives the
//! function (one cold event, or a sandbox that serves many); an event is handed over by
//! answering a held `GET /next`.
//!
//! Only what a Lambda runtime client uses: `GET /2018-06-01/runtime/invocation/next`,
//! `POST .../invocation/{id}/response`, `.../invocation/{id}/error` and `.../init/error`, over
//! HTTP/1.1 with `Content-Length` bodies, kept alive.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

const API: &str = "/2018-06-01/runtime";
/// Each invocation's deadline: the functions' timeout in the templates (60 s). The functions
/// read their budget from it.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// One event as the function receives it.
pub struct Invocation {
    pub request_id: String,
    pub body: Vec<u8>,
}

/// What a connection tells the driver.
pub enum Call {
    /// The function asks for its next event: answered by sending it on the channel, or never
    /// (the request is held while the sender is kept).
    Next(Instant, oneshot::Sender<Invocation>),
    /// The answer to the event in hand.
    Response(Instant, Vec<u8>),
    /// The invocation (or the init) failed: the function's error document.
    Error(Vec<u8>),
}

/// A listening Runtime API; stopped when dropped.
pub struct RuntimeApi {
    /// For `AWS_LAMBDA_RUNTIME_API`.
    pub address: SocketAddr,
    calls: mpsc::Receiver<Call>,
    server: JoinHandle<()>,
}

impl RuntimeApi {
    pub async fn start() -> Result<RuntimeApi> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("the runtime API cannot bind 127.0.0.1")?;
        let address = listener.local_addr()?;
        let (calls, received) = mpsc::channel(8);
        Ok(RuntimeApi {
            address,
            calls: received,
            server: tokio::spawn(accept(listener, calls)),
        })
    }

    /// The function's next call, within `within`.
    pub async fn next_call(&mut self, what: &str, within: Duration) -> Result<Call> {
        tokio::time::timeout(within, self.calls.recv())
            .await
            .map_err(|_| anyhow!("no {what} from the function within {within:?}"))?
            .ok_or_else(|| anyhow!("the runtime API stopped"))
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// A request id of the form Lambda uses (a UUID), unique in this process.
pub fn request_id() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("8476a536-e9f4-11e8-9739-{n:012x}")
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
            // Never answered once the driver is done: the process is stopped while it waits.
            let Ok(event) = answer.await else {
                return Ok(());
            };
            let deadline = chrono::Utc::now() + DEADLINE;
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                 Lambda-Runtime-Aws-Request-Id: {}\r\n\
                 Lambda-Runtime-Deadline-Ms: {}\r\n\
                 Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:bench\r\n\
                 Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1\r\n\
                 Content-Length: {}\r\n\r\n",
                event.request_id,
                deadline.timestamp_millis(),
                event.body.len()
            );
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&event.body).await?;
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
        // Told before it is accepted: once accepted, the function asks for its next event,
        // maybe on another connection, and that must reach the driver after this answer.
        calls.send(call).await?;
        let accepted = br#"{"status":"OK"}"#;
        let head = format!(
            "HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            accepted.len()
        );
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(accepted).await?;
    }
}

/// One request: method, path and body; `None` when the client closed the connection.
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
