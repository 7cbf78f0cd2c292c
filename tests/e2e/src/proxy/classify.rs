//! What a request is, before any rule is checked: its operation, its service and Region,
//! and its protocol (JSON or query).

use super::http::Request;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Protocol {
    Json,
    Query,
}

pub(super) struct Call {
    pub(super) operation: String,
    pub(super) service: String,
    pub(super) region: String,
    /// The access key that signed the request (empty when unsigned): who is calling.
    pub(super) caller: String,
    pub(super) protocol: Protocol,
}

pub(super) fn classify(request: &Request) -> Call {
    let authorization = request.header("authorization");
    let (service, region) = authorization.and_then(credential_scope).unwrap_or_default();
    let caller = authorization.and_then(access_key).unwrap_or_default();
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
        (None, None) => (
            rest_json_operation(&service, &request.method, &request.target)
                .unwrap_or("unknown")
                .to_owned(),
            Protocol::Json,
        ),
    };
    Call {
        operation,
        service,
        region,
        caller,
        protocol,
    }
}

/// The operation of a REST-JSON call, named by its method and path (Security Hub's, the only
/// such service the guardrail calls).
fn rest_json_operation(service: &str, method: &str, target: &str) -> Option<&'static str> {
    let path = target.split('?').next().unwrap_or(target);
    match (service, method, path) {
        ("securityhub", "POST", "/findings/import") => Some("BatchImportFindings"),
        ("securityhub", "PATCH", "/findings/batchupdate") => Some("BatchUpdateFindings"),
        ("securityhub", "POST", "/findings") => Some("GetFindings"),
        _ => None,
    }
}

/// `(service, region)` of `Credential=AKID/DATE/REGION/SERVICE/aws4_request`.
pub(super) fn credential_scope(authorization: &str) -> Option<(String, String)> {
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

/// `AKID` of `Credential=AKID/DATE/REGION/SERVICE/aws4_request`.
pub(super) fn access_key(authorization: &str) -> Option<String> {
    let (_, rest) = authorization.split_once("Credential=")?;
    let key = rest.split('/').next()?;
    (!key.is_empty()).then(|| key.to_owned())
}

/// The value of `name` in a form-encoded `a=b&c=d` string.
pub(super) fn form_value(form: &[u8], name: &str) -> Option<String> {
    form.split(|b| *b == b'&').find_map(|pair| {
        let eq = pair.iter().position(|b| *b == b'=')?;
        (&pair[..eq] == name.as_bytes())
            .then(|| String::from_utf8_lossy(&percent_decode(&pair[eq + 1..])).into_owned())
    })
}

pub(super) fn percent_decode(input: &[u8]) -> Vec<u8> {
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

pub(super) fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proxy::http::head;
    use bytes::Bytes;

    #[test]
    fn scope_and_form() {
        let auth = "AWS4-HMAC-SHA256 Credential=AKID/20261101/eu-west-1/sso/aws4_request, SignedHeaders=host, Signature=ab";
        assert_eq!(
            credential_scope(auth),
            Some(("sso".to_owned(), "eu-west-1".to_owned()))
        );
        assert_eq!(access_key(auth).as_deref(), Some("AKID"));
        assert_eq!(access_key("AWS4-HMAC-SHA256 SignedHeaders=host"), None);
        assert_eq!(
            form_value(b"Action=Publish&Version=2010-03-31", "Action").as_deref(),
            Some("Publish")
        );
        assert_eq!(percent_decode(b"arn%3Aaws%3Asso+x%"), b"arn:aws:sso x%");
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
    fn classifies_security_hub_rest_json_by_method_and_path() {
        let auth = "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20261101/us-east-1/securityhub/aws4_request, SignedHeaders=host, Signature=ab";
        for (line, operation) in [
            ("POST /findings/import HTTP/1.1", "BatchImportFindings"),
            (
                "PATCH /findings/batchupdate HTTP/1.1",
                "BatchUpdateFindings",
            ),
            ("POST /findings HTTP/1.1", "GetFindings"),
            ("GET /accounts HTTP/1.1", "unknown"),
        ] {
            let request = head(&format!(
                "{line}\r\nContent-Type: application/json\r\n{auth}\r\nContent-Length: 2\r\n\r\n"
            ));
            let call = classify(&request);
            assert_eq!(
                (call.operation.as_str(), call.protocol),
                (operation, Protocol::Json)
            );
            assert_eq!(call.service, "securityhub");
        }
    }
}
