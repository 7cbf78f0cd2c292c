//! The typed parser against the one through `Value`: the same result for every input, and
//! which inputs it declines (leaves to the other path).

use std::path::{Path, PathBuf};

use super::*;
use crate::error::EventError;
use crate::event::borrowed;

/// The result of both parsers, checked equal; whether the typed one answered itself.
fn both(bytes: &[u8]) -> (Result<Trigger, EventError>, bool) {
    let old = parse_event_bytes_via_value(bytes);
    let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(400)]).into_owned();
    assert_eq!(parse_event_bytes(bytes), old, "{shown}");
    let typed = borrowed::parse(bytes);
    if let Some(typed) = &typed {
        assert_eq!(typed, &old, "{shown}");
    }
    (old, typed.is_some())
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for path in entries.flatten().map(|e| e.path()) {
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "json") {
            out.push(path);
        }
    }
}

#[test]
fn every_sample_gives_the_same_result_by_both_parsers() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events");
    let mut files = Vec::new();
    json_files(&root, &mut files);
    assert!(files.len() > 30, "{files:?}");
    let mut envelopes = 0;
    for path in &files {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (result, typed) = both(&bytes);
        // Every envelope of the samples is read by the typed parser (none is left to the
        // slow path); the other files (inventories, expected findings) are not envelopes.
        let envelope =
            serde_json::from_slice::<Value>(&bytes).is_ok_and(|v| v.get("detail-type").is_some());
        if envelope {
            envelopes += 1;
            assert!(
                typed,
                "{}: left to the Value path ({result:?})",
                path.display()
            );
        } else {
            assert!(
                matches!(result, Err(EventError::NotEnvelope(_))),
                "{}: {result:?}",
                path.display()
            );
        }
    }
    assert!(envelopes >= 20, "{envelopes} envelopes");
}

/// A `CreateInstance` envelope as text, with JSON text added at the end of the envelope's
/// fields (before `detail`) and of the record's.
fn event(envelope_extra: &str, detail_extra: &str) -> String {
    format!(
        r#"{{"version":"0","id":"ev-1","detail-type":"AWS API Call via CloudTrail","source":"aws.sso","account":"222222222222","time":"2026-11-20T10:15:30Z","region":"eu-west-1","resources":[]{envelope_extra},"detail":{{"eventVersion":"1.09","userIdentity":{{"type":"AssumedRole","arn":"arn:aws:sts::222222222222:assumed-role/Dev/alice","accountId":"222222222222","sessionContext":{{"sessionIssuer":{{"arn":"arn:aws:iam::222222222222:role/Dev"}}}}}},"eventTime":"2026-11-20T10:15:30Z","eventSource":"sso.amazonaws.com","eventName":"CreateInstance","awsRegion":"eu-west-1","responseElements":{{"instanceArn":"arn:aws:sso:::instance/ssoins-1111222233334444"}},"eventID":"e-1","recipientAccountId":"222222222222"{detail_extra}}}}}"#
    )
}

fn kind(result: &Result<Trigger, EventError>) -> &'static str {
    match result {
        Ok(t) => t.kind(),
        Err(EventError::Empty) => "empty",
        Err(EventError::NotJson(_)) => "not json",
        Err(EventError::NotEnvelope(_)) => "not envelope",
        Err(EventError::MissingField(_)) => "missing field",
        Err(EventError::InvalidField { .. }) => "invalid field",
    }
}

#[test]
fn well_formed_variants_are_read_by_the_typed_parser() {
    let deep = format!("{}1{}", "[".repeat(100), "]".repeat(100));
    for (envelope_extra, detail_extra, expected) in [
        ("", "", "instance_created"),
        // Unknown keys, even twice, and of any type.
        (
            r#","x":1,"x":[{"y":null}]"#,
            r#","tls":{"a":1.5e3},"tls":true"#,
            "instance_created",
        ),
        // A key twice inside an object kept as a `Value`: the last one, as `Value` reads it.
        (
            "",
            r#","requestParameters":{"name":"a","name":"b"}"#,
            "instance_created",
        ),
        // Escapes in keys and in values.
        (
            r#","\u0061ccount\u0041":"\ud83d\ude00""#,
            r#","errorMessage":"a\"b\n""#,
            "instance_created",
        ),
        // Nulls are absent fields.
        (
            r#","resources2":null"#,
            r#","errorCode":null,"userAgent":null"#,
            "instance_created",
        ),
        ("", r#","errorCode":"AccessDenied""#, "instance_created"),
        ("", &format!(r#","deep":{deep}"#), "instance_created"),
    ] {
        let text = event(envelope_extra, detail_extra);
        let (result, typed) = both(text.as_bytes());
        assert!(typed, "{text}");
        assert_eq!(kind(&result), expected, "{text}: {result:?}");
    }
    let escaped = event("", "").replace(r#""CreateInstance""#, r#""Create\u0049nstance""#);
    let (result, typed) = both(escaped.as_bytes());
    assert!(typed && kind(&result) == "instance_created", "{result:?}");
    let null_time = event("", "").replace(r#""time":"2026-11-20T10:15:30Z""#, r#""time":null"#);
    assert!(both(null_time.as_bytes()).1);
}

#[test]
fn inputs_the_typed_parser_cannot_vouch_for_take_the_value_path() {
    let base = event("", "");
    let replaced = |from: &str, to: &str| {
        assert!(base.contains(from), "{from}");
        base.replacen(from, to, 1)
    };
    let cases: Vec<(String, &str)> = vec![
        // A known key twice: `Value` keeps the last one.
        (event(r#","source":"my.app""#, ""), "ignored"),
        (
            replaced(
                r#""source":"aws.sso""#,
                r#""source":"my.app","source":"aws.sso""#,
            ),
            "instance_created",
        ),
        (event("", r#","eventName":"CreateApplication""#), "ignored"),
        (event("", r#","userIdentity":null"#), "instance_created"),
        // Types other than the `Value` path reads: errors there.
        (
            replaced(r#""account":"222222222222""#, r#""account":222222222222"#),
            "not envelope",
        ),
        (
            replaced(r#""version":"0""#, r#""version":0"#),
            "not envelope",
        ),
        (
            replaced(r#""resources":[]"#, r#""resources":[1]"#),
            "not envelope",
        ),
        (
            replaced(r#""resources":[]"#, r#""resources":"arn""#),
            "not envelope",
        ),
        (
            replaced(r#""time":"2026-11-20T10:15:30Z""#, r#""time":"yesterday""#),
            "not envelope",
        ),
        (
            replaced(
                r#""detail-type":"AWS API Call via CloudTrail""#,
                r#""detail-type":null"#,
            ),
            "not envelope",
        ),
        (
            replaced(r#""eventName":"CreateInstance""#, r#""eventName":7"#),
            "not envelope",
        ),
        // serde's derive reads a struct from an array; the `Value` path does too, below
        // `detail` (here: `userIdentity` read as its fields in order).
        (
            replaced(
                r#""userIdentity":{"#,
                r#""userIdentity":["Root","p","arn:aws:iam::222222222222:root"],"u":{"#,
            ),
            "instance_created",
        ),
        // `detail` that is no object: an error, or ignored when the source is not accepted.
        (
            r#"{"detail-type":"AWS API Call via CloudTrail","source":"aws.sso","detail":[1]}"#
                .into(),
            "not envelope",
        ),
        (
            r#"{"detail-type":"AWS API Call via CloudTrail","source":"my.app","detail":[1]}"#
                .into(),
            "ignored",
        ),
        (
            r#"{"detail-type":"AWS API Call via CloudTrail","source":"aws.sso","detail":null}"#
                .into(),
            "not envelope",
        ),
        // Without `detail`: an error, whatever the source (`detail` is required).
        (
            r#"{"detail-type":"Scheduled Event","source":"aws.events"}"#.into(),
            "not envelope",
        ),
        (
            r#"{"detail-type":"AWS API Call via CloudTrail","source":"aws.sso"}"#.into(),
            "not envelope",
        ),
        // A record that is no record, under a source that is not accepted: ignored.
        (
            replaced(r#""source":"aws.sso""#, r#""source":"my.app""#)
                .replace(r#""eventID":"e-1""#, r#""eventID":1"#),
            "ignored",
        ),
        // Malformed values in fields no reader uses are errors of the whole input.
        (event(r#","x":"\ud800""#, ""), "not json"),
        (event("", r#","x":[1e400]"#), "not json"),
        (event("", r#","x":{"y":-1e999}"#), "not json"),
        (event("", r#","x":"\u12""#), "not json"),
        (
            event(
                "",
                &format!(r#","deep":{}1{}"#, "[".repeat(200), "]".repeat(200)),
            ),
            "not json",
        ),
        // serde_json's private keys.
        (
            event("", r#","x":{"$serde_json::private::RawValue":"{}"}"#),
            "instance_created",
        ),
        (
            event("", r#","$serde_json::private::Number":"1""#),
            "instance_created",
        ),
        // Not an envelope at all.
        (format!("{base} x"), "not json"),
        (format!("\u{feff}{base}"), "not json"),
        ("[1]".into(), "not envelope"),
        ("\"text\"".into(), "not envelope"),
        ("".into(), "empty"),
        (" \n\t\u{c}".into(), "empty"),
    ];
    for (text, expected) in cases {
        let (result, typed) = both(text.as_bytes());
        assert!(!typed, "read by the typed parser: {text}");
        assert_eq!(kind(&result), expected, "{text}: {result:?}");
    }
    // Not UTF-8, in a string no reader uses.
    let mut bytes = event("", r#","x":"?""#).into_bytes();
    if let Some(at) = bytes.iter().position(|b| *b == b'?') {
        bytes[at] = 0xff;
    }
    let (result, typed) = both(&bytes);
    assert!(!typed && kind(&result) == "not json", "{result:?}");
}

/// An Organizations envelope as text, with JSON text added at the end of the record.
fn organizations(event_name: &str, detail_extra: &str) -> String {
    format!(
        r#"{{"detail-type":"AWS Service Event via CloudTrail","source":"aws.organizations","account":"111111111111","time":"2026-11-20T10:15:30Z","region":"us-east-1","id":"ev-2","detail":{{"eventSource":"organizations.amazonaws.com","eventName":"{event_name}","eventTime":"2026-11-20T10:15:30Z","userIdentity":{{"accountId":"666666666666"}},"recipientAccountId":"111111111111"{detail_extra}}}}}"#
    )
}

#[test]
fn the_objects_the_readers_look_into_read_alike() {
    let identity = |session: &str| {
        event("", "").replace(
            r#""userIdentity":{"#,
            &format!(
                r#""userIdentity":{{"accountId":"222222222222","sessionContext":{session}}},"u":{{"#
            ),
        )
    };
    let response = |elements: &str| {
        let original = r#""responseElements":{"instanceArn":"arn:aws:sso:::instance/ssoins-1111222233334444"}"#;
        event("", "").replace(original, &format!(r#""responseElements":{elements}"#))
    };
    let cases = [
        // The last of a key given twice, as `Value` keeps it.
        (
            response(
                r#"{"instanceArn":"arn:aws:sso:::instance/ssoins-a","instanceArn":"arn:aws:sso:::instance/ssoins-b"}"#,
            ),
            "ssoins-b",
        ),
        (response(r#"{"instanceArn":7}"#), "instance_arn: None"),
        (
            response(r#"["arn:aws:sso:::instance/ssoins-a"]"#),
            "instance_arn: None",
        ),
        (
            identity(
                r#"{"sessionIssuer":{"arn":"x"},"sessionIssuer":{"arn":"arn:aws:iam::222222222222:role/B"}}"#,
            ),
            "role/B",
        ),
        (
            identity(r#"{"sessionIssuer":[{"arn":"x"}]}"#),
            "principal_arn: None",
        ),
        (identity(r#"{"sessionIssuer":{}}"#), "principal_arn: None"),
        (identity(r#""text""#), "principal_arn: None"),
        (
            organizations(
                "CreateAccountResult",
                r#","serviceEventDetails":{"createAccountStatus":{"state":"SUCCEEDED","accountId":"101010101010","accountId":"202020202020"}}"#,
            ),
            "202020202020",
        ),
        (
            organizations(
                "CreateAccountResult",
                r#","serviceEventDetails":{"createAccountStatus":null}"#,
            ),
            "state ``",
        ),
        (
            organizations(
                "CreateAccountResult",
                r#","serviceEventDetails":{"createAccountStatus":{"state":"SUCCEEDED"},"createAccountStatus":[1]}"#,
            ),
            "state ``",
        ),
        (
            organizations(
                "CreateAccountResult",
                r#","serviceEventDetails":[{"createAccountStatus":1}]"#,
            ),
            "MissingField",
        ),
        (
            organizations("CreateAccountResult", r#","serviceEventDetails":null"#),
            "MissingField",
        ),
        (
            organizations(
                "AccountJoinedOrganization",
                r#","serviceEventDetails":{"accountId":5,"account":{"id":"303030303030"}}"#,
            ),
            "303030303030",
        ),
        (
            organizations(
                "AccountJoinedOrganization",
                r#","serviceEventDetails":{"account":["303030303030"]},"requestParameters":{"accountId":"404040404040"}"#,
            ),
            "404040404040",
        ),
        (
            organizations("AccountJoinedOrganization", ""),
            "666666666666",
        ),
        (
            organizations(
                "AcceptHandshake",
                r#","responseElements":{"handshake":{"action":"INVITE","parties":[{"type":"ACCOUNT","id":"x"},{"type":"ACCOUNT","id":"505050505050","id":"515151515151"},{"type":"ORGANIZATION","id":"o-1"}]}}"#,
            ),
            "515151515151",
        ),
        (
            organizations(
                "AcceptHandshake",
                r#","responseElements":{"handshake":{"action":"INVITE","action":"ENABLE_ALL_FEATURES"}}"#,
            ),
            "ENABLE_ALL_FEATURES",
        ),
        (
            organizations(
                "AcceptHandshake",
                r#","responseElements":{"handshake":[1]}"#,
            ),
            "666666666666",
        ),
        (
            organizations(
                "RegisterDelegatedAdministrator",
                r#","requestParameters":{"servicePrincipal":"sso.amazonaws.com","accountId":"606060606060","accountId":"616161616161"}"#,
            ),
            "616161616161",
        ),
        (
            organizations(
                "RegisterDelegatedAdministrator",
                r#","requestParameters":{"servicePrincipal":["sso.amazonaws.com"]}"#,
            ),
            "MissingField",
        ),
    ];
    for (text, expected) in cases {
        let (result, typed) = both(text.as_bytes());
        assert!(typed, "left to the Value path: {text}");
        let shown = format!("{result:?}");
        assert!(shown.contains(expected), "{text}: {shown}");
    }
}
