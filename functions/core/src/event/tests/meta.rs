//! The event's meta: caller, account, time, and envelope/record account conflicts.

use serde_json::json;

use super::*;
use crate::error::EventError;
use crate::event::*;

#[test]
fn root_identity_with_empty_session_issuer_parses() {
    let v = create_instance(json!({"userIdentity": {
        "type": "Root", "arn": "arn:aws:iam::222222222222:root",
        "accountId": "222222222222", "sessionContext": {"sessionIssuer": {}}
    }}));
    let t = parse(v).map(|t| t.meta().and_then(|m| m.principal_arn.clone()));
    assert_eq!(t, Ok(Some("arn:aws:iam::222222222222:root".to_owned())));
}

#[test]
fn identity_without_arn_falls_back_to_session_issuer() {
    let v = create_instance(json!({"userIdentity": {
        "accountId": "222222222222",
        "sessionContext": {"sessionIssuer": {"arn": "arn:aws-us-gov:iam::222222222222:role/Ops"}}
    }}));
    let t = parse(v).map(|t| t.meta().and_then(|m| m.principal_arn.clone()));
    assert_eq!(
        t,
        Ok(Some("arn:aws-us-gov:iam::222222222222:role/Ops".to_owned()))
    );
}

#[test]
fn bad_account_id_is_rejected() {
    let v = create_instance(json!({"recipientAccountId": "12345"}));
    assert!(matches!(
        parse(v),
        Err(EventError::InvalidField {
            field: "recipientAccountId",
            ..
        })
    ));
}

#[test]
fn bad_event_time_is_rejected() {
    let v = create_instance(json!({"eventTime": "yesterday"}));
    assert!(matches!(
        parse(v),
        Err(EventError::InvalidField {
            field: "eventTime",
            ..
        })
    ));
}

#[test]
fn agreeing_accounts_are_trusted() {
    let t = parse(create_instance(json!({})));
    assert_eq!(t.as_ref().map(Trigger::untrusted_reason), Ok(None));
    assert_eq!(
        t.ok()
            .and_then(|t| t.meta().map(|m| m.account_conflict.clone())),
        Some(None)
    );
}

#[test]
fn disagreeing_accounts_parse_but_are_untrusted() {
    let v = with(
        create_instance(json!({})),
        "/account",
        json!("999999999999"),
    );
    let Ok(trigger) = parse(v) else {
        panic!("an account conflict must still give a trigger");
    };
    let Trigger::InstanceCreated(t) = &trigger else {
        panic!("expected InstanceCreated");
    };
    assert_eq!(t.account_id, "222222222222", "the record's account");
    assert_eq!(
        t.meta.account_conflict,
        Some(AccountConflict {
            envelope: "999999999999".into(),
            record: "222222222222".into()
        })
    );
    let reason = trigger.untrusted_reason().unwrap_or_default();
    assert!(
        reason.contains("999999999999") && reason.contains("222222222222"),
        "{reason}"
    );
}

#[test]
fn the_conflict_is_kept_on_every_trigger_kind() {
    let v = with(
        register("sso.amazonaws.com", json!({})),
        "/account",
        json!("222222222222"),
    );
    let t = parse(v);
    assert!(matches!(t, Ok(Trigger::DelegatedAdminRegistered(_))));
    assert!(t.ok().and_then(|t| t.untrusted_reason()).is_some());
}

#[test]
fn without_recipient_the_callers_account_is_compared() {
    let v = without(create_instance(json!({})), "/detail", "recipientAccountId");
    let v = with(v, "/account", json!("999999999999"));
    let conflict = parse(v)
        .ok()
        .and_then(|t| t.meta().and_then(|m| m.account_conflict.clone()));
    assert_eq!(
        conflict.map(|c| (c.envelope, c.record)),
        Some(("999999999999".into(), "222222222222".into()))
    );
}

#[test]
fn without_envelope_account_there_is_no_conflict() {
    for account in [json!(null), json!("")] {
        let v = with(create_instance(json!({})), "/account", account);
        assert_eq!(parse(v).map(|t| t.untrusted_reason()), Ok(None));
    }
    let v = without(create_instance(json!({})), "", "account");
    assert_eq!(parse(v).map(|t| t.untrusted_reason()), Ok(None));
}

#[test]
fn a_malformed_envelope_account_is_a_conflict_not_a_rejection() {
    let v = with(create_instance(json!({})), "/account", json!("12345"));
    let t = parse(v);
    assert!(t.ok().and_then(|t| t.untrusted_reason()).is_some());
}
