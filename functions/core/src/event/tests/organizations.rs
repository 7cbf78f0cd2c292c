//! Organizations events: delegated administrators and accounts joining.

use serde_json::json;

use super::*;
use crate::event::*;

#[test]
fn delegated_admin_for_sso_is_a_trigger() {
    let Ok(Trigger::DelegatedAdminRegistered(t)) = parse(register("sso.amazonaws.com", json!({})))
    else {
        panic!("expected DelegatedAdminRegistered");
    };
    assert_eq!(t.account_id, "333333333333");
}

#[test]
fn delegated_admin_for_other_services_is_ignored() {
    let t = parse(register("securityhub.amazonaws.com", json!({})));
    assert!(matches!(t, Ok(Trigger::Ignored(_))));
}

#[test]
fn failed_delegated_admin_registration_is_ignored() {
    let t = parse(register(
        "sso.amazonaws.com",
        json!({"errorCode": "AccessDeniedException"}),
    ));
    assert!(matches!(t, Ok(Trigger::Ignored(_))));
}

#[test]
fn create_account_result_names_the_new_account() {
    let detail = json!({
        "eventTime": "2026-11-20T12:00:00Z",
        "eventSource": "organizations.amazonaws.com",
        "eventName": "CreateAccountResult",
        "awsRegion": "us-east-1",
        "userIdentity": {"accountId": "111111111111", "invokedBy": "AWS Internal"},
        "eventID": "e-3",
        "eventType": "AwsServiceEvent",
        "recipientAccountId": "111111111111",
        "serviceEventDetails": {"createAccountStatus": {
            "id": "car-1", "state": "SUCCEEDED", "accountName": "new", "accountId": "444444444444"
        }}
    });
    let v = envelope(
        "AWS Service Event via CloudTrail",
        "aws.organizations",
        detail,
    );
    let Ok(Trigger::AccountJoined(t)) = parse(v) else {
        panic!("expected AccountJoined");
    };
    assert_eq!(t.account_id, "444444444444");
    assert_eq!(t.meta.principal_arn, None);
}

#[test]
fn account_joined_finds_the_account_in_request_parameters_too() {
    let detail = json!({
        "eventTime": "2026-11-20T12:00:00Z",
        "eventSource": "organizations.amazonaws.com",
        "eventName": "AccountJoinedOrganization",
        "awsRegion": "us-east-1",
        "requestParameters": {"accountId": "666666666666"},
        "eventID": "e-5",
        "recipientAccountId": "111111111111"
    });
    let v = envelope(
        "AWS Service Event via CloudTrail",
        "aws.organizations",
        detail,
    );
    let Ok(Trigger::AccountJoined(t)) = parse(v) else {
        panic!("expected AccountJoined");
    };
    assert_eq!(t.account_id, "666666666666");
}

#[test]
fn accept_handshake_other_than_invite_is_ignored() {
    let detail = json!({
        "eventTime": "2026-11-20T12:00:00Z",
        "eventSource": "organizations.amazonaws.com",
        "eventName": "AcceptHandshake",
        "awsRegion": "us-east-1",
        "userIdentity": {"accountId": "555555555555", "arn": "arn:aws:iam::555555555555:root"},
        "responseElements": {"handshake": {"action": "ENABLE_ALL_FEATURES"}},
        "eventID": "e-4",
        "recipientAccountId": "555555555555"
    });
    let v = envelope("AWS API Call via CloudTrail", "aws.organizations", detail);
    assert!(matches!(parse(v), Ok(Trigger::Ignored(_))));
}
