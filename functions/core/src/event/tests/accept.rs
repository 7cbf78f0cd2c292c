//! Which envelopes are accepted, and how the rest are ignored or rejected.

use serde_json::{json, Value};

use super::*;
use crate::error::EventError;
use crate::event::*;

#[test]
fn missing_event_name_is_a_named_error() {
    let mut v = create_instance(json!({}));
    if let Some(d) = v.get_mut("detail").and_then(Value::as_object_mut) {
        d.remove("eventName");
    }
    assert_eq!(parse(v), Err(EventError::MissingField("eventName")));
}

#[test]
fn missing_detail_is_not_an_envelope() {
    let mut v = create_instance(json!({}));
    if let Some(o) = v.as_object_mut() {
        o.remove("detail");
    }
    let err = parse(v).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("detail"), "{err}");
}

#[test]
fn empty_and_non_json_inputs_are_errors() {
    assert_eq!(parse_event_bytes(b"  \n"), Err(EventError::Empty));
    assert!(matches!(
        parse_event_bytes(b"{nope"),
        Err(EventError::NotJson(_))
    ));
    assert!(matches!(
        parse_event_bytes(b"[1]"),
        Err(EventError::NotEnvelope(_))
    ));
}

#[test]
fn other_event_names_are_ignored() {
    let v = create_instance(json!({"eventName": "CreateApplication"}));
    assert!(matches!(parse(v), Ok(Trigger::Ignored(_))));
}

#[test]
fn non_cloudtrail_events_are_ignored() {
    let v = envelope("Scheduled Event", "aws.events", json!({}));
    assert!(matches!(parse(v), Ok(Trigger::Ignored(_))));
}

#[test]
fn a_custom_source_with_a_cloudtrail_detail_is_ignored() {
    // What `PutEvents` with `source: "my.app"` and a copied CloudTrail record looks like.
    let v = with(create_instance(json!({})), "/source", json!("my.app"));
    let reason = ignored_reason(v);
    assert!(reason.contains("`my.app`"), "{reason}");
}

#[test]
fn sources_are_compared_exactly() {
    for source in [
        "aws.SSO",
        "aws.sso ",
        "aws.ssoadmin",
        "aws.events",
        "aws.",
        "",
    ] {
        let v = with(create_instance(json!({})), "/source", json!(source));
        let reason = ignored_reason(v);
        assert!(reason.contains("neither `aws.sso`"), "{source:?}: {reason}");
    }
}

#[test]
fn a_custom_source_is_ignored_whatever_its_detail() {
    for detail in [json!("text"), json!(null), json!([1, 2]), json!({})] {
        let v = envelope("AWS API Call via CloudTrail", "my.app", detail.clone());
        assert!(
            matches!(parse(v), Ok(Trigger::Ignored(_))),
            "detail {detail}"
        );
    }
}

#[test]
fn an_event_source_of_the_other_service_is_ignored() {
    let v = create_instance(json!({"eventSource": "organizations.amazonaws.com"}));
    let reason = ignored_reason(v);
    assert!(
        reason.contains("`organizations.amazonaws.com`") && reason.contains("`aws.sso`"),
        "{reason}"
    );
    let v = with(
        register("sso.amazonaws.com", json!({})),
        "/detail/eventSource",
        json!("sso.amazonaws.com"),
    );
    assert!(ignored_reason(v).contains("`sso.amazonaws.com`"));
    let v = with(
        create_instance(json!({})),
        "/detail/eventSource",
        json!("sso-directory.amazonaws.com"),
    );
    assert!(ignored_reason(v).contains("sso-directory"));
}

#[test]
fn create_instance_under_the_organizations_source_is_ignored() {
    let v = with(
        create_instance(json!({})),
        "/source",
        json!("aws.organizations"),
    );
    assert!(ignored_reason(v).contains("does not belong to source `aws.organizations`"));
}

#[test]
fn a_missing_event_source_is_the_one_of_the_source() {
    let v = without(create_instance(json!({})), "/detail", "eventSource");
    assert!(matches!(parse(v), Ok(Trigger::InstanceCreated(_))));
}

#[test]
fn only_the_two_cloudtrail_detail_types_are_accepted() {
    for dt in [
        "AWS Console Sign In via CloudTrail",
        "aws api call via cloudtrail",
        "AWS API Call via CloudTrail ",
        "Object Created via CloudTrail",
    ] {
        let v = with(create_instance(json!({})), "/detail-type", json!(dt));
        let reason = ignored_reason(v);
        assert!(reason.contains("detail-type"), "{dt:?}: {reason}");
    }
    let v = with(
        create_instance(json!({})),
        "/detail-type",
        json!("AWS Service Event via CloudTrail"),
    );
    assert!(matches!(parse(v), Ok(Trigger::InstanceCreated(_))));
}

#[test]
fn reasons_stay_one_short_line_whatever_the_input() {
    let long = format!("evil\n{}", "x".repeat(10_000));
    let v = with(create_instance(json!({})), "/source", json!(long));
    let reason = ignored_reason(v);
    assert!(!reason.contains('\n') && reason.len() < 300, "{reason}");
}
