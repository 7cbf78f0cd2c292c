//! Answers the proxy makes up itself: AWS errors in the request's protocol, and plain text.

use bytes::Bytes;

use super::classify::Protocol;
use super::http::Answer;

pub(super) fn protocol_headers(protocol: Protocol, request_id: &str) -> Vec<(String, Vec<u8>)> {
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
pub(super) fn aws_error(
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

pub(super) fn plain(status: u16, text: &str) -> Answer {
    Answer {
        status,
        headers: vec![("Content-Type".into(), b"text/plain".to_vec())],
        body: Bytes::from(text.to_owned()),
    }
}
