//! How the one reading treats shapes real records do not have: lenient where a reader does not
//! need the field, a named error where it does, and never a struct read from an array.

use serde_json::json;

use super::*;
use crate::error::EventError;
use crate::event::*;

fn error_text(v: serde_json::Value) -> String {
    parse(v).err().map(|e| e.to_string()).unwrap_or_default()
}

#[test]
fn a_needed_field_of_another_kind_is_named() {
    let v = with(create_instance(json!({})), "/detail/eventName", json!(7));
    assert_eq!(
        parse(v),
        Err(EventError::InvalidField {
            field: "eventName",
            reason: "expected a string, found a number".into()
        })
    );
    let v = create_instance(json!({"errorCode": ["AccessDenied"]}));
    assert!(error_text(v).contains("`errorCode`: expected a string, found an array"));
}

#[test]
fn fields_no_reader_needs_may_hold_anything() {
    let v = create_instance(
        json!({"eventVersion": 1.09, "userAgent": {"a": [1]}, "sourceIPAddress": null}),
    );
    assert!(created(v).proves_instance());
}

#[test]
fn free_form_parts_of_another_kind_read_as_absent() {
    // A `userIdentity` that is not an object names no caller; the record's account remains.
    let t = created(create_instance(json!({"userIdentity": "root"})));
    assert_eq!(t.meta.principal_arn, None);
    assert_eq!(t.account_id, "222222222222");
    // An `instanceArn` that is not a string proves nothing.
    let t = created(create_instance(
        json!({"responseElements": {"instanceArn": 5}}),
    ));
    assert_eq!(t.proof(), CreateProof::Unclear);
    let t = created(create_instance(json!({"responseElements": ["x"]})));
    assert_eq!(t.proof(), CreateProof::Unclear);
}

#[test]
fn an_envelope_is_an_object_never_an_array() {
    let positional = json!(["0", "id", "AWS API Call via CloudTrail", "aws.sso"]);
    let err = parse_event_bytes(positional.to_string().as_bytes());
    assert!(
        matches!(&err, Err(EventError::NotEnvelope(m)) if m.contains("expected a JSON object, found an array")),
        "{err:?}"
    );
    for (text, kind) in [("7", "a number"), ("\"x\"", "a string"), ("null", "null")] {
        let err = parse_event_bytes(text.as_bytes());
        assert!(
            matches!(&err, Err(EventError::NotEnvelope(m)) if m.contains(kind)),
            "{text}: {err:?}"
        );
    }
}

#[test]
fn a_detail_that_is_not_an_object_is_an_error_only_for_an_accepted_source() {
    for (detail, kind) in [
        (json!([1]), "an array"),
        (json!(null), "null"),
        (json!("x"), "a string"),
    ] {
        let v = with(create_instance(json!({})), "/detail", detail.clone());
        assert_eq!(
            parse(v),
            Err(EventError::NotEnvelope(format!(
                "`detail` must be an object, found {kind}"
            )))
        );
        let v = with(
            with(create_instance(json!({})), "/detail", detail),
            "/source",
            json!("my.app"),
        );
        assert!(matches!(parse(v), Ok(Trigger::Ignored(_))));
    }
}

#[test]
fn a_key_given_twice_is_an_error_not_a_choice() {
    // Which of two `eventName`s counts would differ between readers (EventBridge's rule and
    // this parser): the input is refused instead.
    let text = r#"{"source":"aws.sso","detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"CreateApplication","eventName":"CreateInstance"}}"#;
    let err = parse_event_bytes(text.as_bytes());
    assert!(
        matches!(&err, Err(EventError::NotEnvelope(m)) if m.contains("duplicate field `eventName`")),
        "{err:?}"
    );
}

#[test]
fn a_broken_input_is_not_json_even_after_a_wrong_kind() {
    assert!(matches!(
        parse_event_bytes(b"[1, 2"),
        Err(EventError::NotJson(_))
    ));
    assert!(matches!(
        parse_event_bytes(b"{\"detail\": [1, }"),
        Err(EventError::NotJson(_))
    ));
}
