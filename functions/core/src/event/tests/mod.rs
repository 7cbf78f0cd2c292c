//! Unit tests of the event parser, by job; the envelopes they start from are built here.

use serde_json::{json, Value};

use super::{parse_event_bytes, InstanceCreated, Trigger};
use crate::error::EventError;

mod accept;
mod meta;
mod organizations;
mod quote;
mod reading;
mod sso;
mod trigger;

/// An envelope as EventBridge builds it: `account` is the account that recorded it.
pub(super) fn envelope(detail_type: &str, source: &str, detail: Value) -> Value {
    let account = detail
        .get("recipientAccountId")
        .and_then(Value::as_str)
        .unwrap_or("222222222222")
        .to_owned();
    json!({
        "version": "0",
        "id": "6f2c1a8e-0000-4000-8000-000000000001",
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": "2026-11-20T10:15:30Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": detail
    })
}

pub(super) fn create_instance(extra: Value) -> Value {
    let mut detail = json!({
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "arn": "arn:aws:sts::222222222222:assumed-role/Dev/alice",
            "accountId": "222222222222",
            "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::222222222222:role/Dev"}}
        },
        "eventTime": "2026-11-20T10:15:30Z",
        "eventSource": "sso.amazonaws.com",
        "eventName": "CreateInstance",
        "awsRegion": "eu-west-1",
        "requestParameters": {"name": "team-trial"},
        "responseElements": {"instanceArn": "arn:aws:sso:::instance/ssoins-1111222233334444"},
        "eventID": "e-1",
        "recipientAccountId": "222222222222"
    });
    if let (Some(d), Some(e)) = (detail.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            d.insert(k.clone(), v.clone());
        }
    }
    envelope("AWS API Call via CloudTrail", "aws.sso", detail)
}

/// The trigger of an envelope, read from its bytes as a function or the CLI reads it.
pub(super) fn parse(v: Value) -> Result<Trigger, EventError> {
    parse_event_bytes(v.to_string().as_bytes())
}

pub(super) fn register(principal: &str, extra: Value) -> Value {
    let mut detail = json!({
        "eventTime": "2026-11-20T11:00:00Z",
        "eventSource": "organizations.amazonaws.com",
        "eventName": "RegisterDelegatedAdministrator",
        "awsRegion": "us-east-1",
        "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111111111111:assumed-role/Admin/bob", "accountId": "111111111111"},
        "requestParameters": {"accountId": "333333333333", "servicePrincipal": principal},
        "responseElements": null,
        "eventID": "e-2",
        "recipientAccountId": "111111111111"
    });
    if let (Some(d), Some(e)) = (detail.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            d.insert(k.clone(), v.clone());
        }
    }
    envelope("AWS API Call via CloudTrail", "aws.organizations", detail)
}

pub(super) fn with(mut v: Value, pointer: &str, value: Value) -> Value {
    if let Some(slot) = v.pointer_mut(pointer) {
        *slot = value;
    }
    v
}

pub(super) fn without(mut v: Value, parent: &str, key: &str) -> Value {
    if let Some(o) = v.pointer_mut(parent).and_then(Value::as_object_mut) {
        o.remove(key);
    }
    v
}

pub(super) fn ignored_reason(v: Value) -> String {
    match parse(v) {
        Ok(Trigger::Ignored(i)) => i.reason,
        other => panic!("expected Ignored, got {other:?}"),
    }
}

pub(super) fn created(v: Value) -> InstanceCreated {
    match parse(v) {
        Ok(Trigger::InstanceCreated(t)) => t,
        other => panic!("expected InstanceCreated, got {other:?}"),
    }
}
