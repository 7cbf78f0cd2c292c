//! HTTP/1.1 on the client side of the proxy: reading `Content-Length` framed requests off a
//! kept-alive connection, and writing answers back.

use anyhow::{bail, Context, Result};
use bytes::Bytes;
use hyper::StatusCode;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One client request, as read off the socket.
pub(super) struct Request {
    pub(super) method: String,
    pub(super) target: String,
    pub(super) headers: Vec<(String, Vec<u8>)>,
    pub(super) body: Bytes,
    pub(super) keep_alive: bool,
}

impl Request {
    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| std::str::from_utf8(v).ok())
    }
}

/// An answer to write back.
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) headers: Vec<(String, Vec<u8>)>,
    pub(super) body: Bytes,
}

/// Reads one request (Content-Length framed) from the connection; `None` at a clean EOF.
/// Bytes past the request stay in `buffer` for the next one.
pub(super) async fn read_request(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
) -> Result<Option<Request>> {
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
pub(super) fn parse_head(buffer: &[u8]) -> Result<Option<(usize, Request, usize, bool)>> {
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

/// Writes the answer with its full `Content-Length`; with `only` set, just that many bytes
/// of the body.
pub(super) async fn write_answer(
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
/// A complete request head, for the tests of the modules that read requests.
pub(super) fn head(text: &str) -> Request {
    match parse_head(text.as_bytes()) {
        Ok(Some((_, request, _, _))) => request,
        Ok(None) => panic!("{text}: incomplete"),
        Err(e) => panic!("{text}: {e:#}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
