//! The sample organization of the core tests: a management, a member and a delegated
//! administrator account, each with one instance.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use idc_core::{Instance, InstanceStatus, Policy, Settings};

pub const MGMT: &str = "111111111111";
pub const MEMBER: &str = "222222222222";
pub const ADMIN: &str = "333333333333";
pub const ORG_ARN: &str = "arn:aws:sso:::instance/ssoins-0rg0000000000001";
pub const MEMBER_ARN: &str = "arn:aws:sso:::instance/ssoins-member0000000001";
pub const ADMIN_ARN: &str = "arn:aws:sso:::instance/ssoins-admin00000000001";

pub fn instance(arn: &str, owner: &str, region: &str, apps: u32) -> Instance {
    Instance {
        instance_arn: arn.into(),
        owner_account_id: owner.into(),
        region: region.into(),
        status: InstanceStatus::Active,
        created_date: None,
        application_count: Some(apps),
        tags: Some(BTreeMap::new()),
        status_reason: None,
        applications: None,
    }
}

/// The organization instance (3 applications), the member's and the delegated
/// administrator's account instances.
pub fn world() -> Vec<Instance> {
    vec![
        instance(ORG_ARN, MGMT, "us-east-1", 3),
        instance(MEMBER_ARN, MEMBER, "eu-west-1", 0),
        instance(ADMIN_ARN, ADMIN, "us-east-1", 0),
    ]
}

/// Settings with two Regions and `policy`.
pub fn settings(policy: Policy) -> Settings {
    Settings {
        policy,
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        ..Settings::default()
    }
}

pub fn auto() -> Policy {
    Policy {
        auto_remediate: true,
        ..Policy::default()
    }
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}

/// A member's successful `CreateInstance` of `arn`, as EventBridge delivers it.
pub fn create_event(account: &str, region: &str, arn: &str) -> serde_json::Value {
    serde_json::json!({"version": "0", "id": "e", "detail-type": "AWS API Call via CloudTrail", "source": "aws.sso",
           "account": account, "region": region, "detail": {
        "eventTime": "2026-11-20T10:00:00Z", "eventSource": "sso.amazonaws.com", "eventName": "CreateInstance",
        "awsRegion": region, "eventID": format!("ev-{account}"), "recipientAccountId": account,
        "userIdentity": {"type": "Root", "arn": format!("arn:aws:iam::{account}:root"), "accountId": account},
        "responseElements": {"instanceArn": arn}}})
}

/// The management account's `RegisterDelegatedAdministrator` of `account` for Identity Center.
pub fn register_event(account: &str) -> serde_json::Value {
    serde_json::json!({"version": "0", "id": "r", "detail-type": "AWS API Call via CloudTrail", "source": "aws.organizations",
           "account": MGMT, "region": "us-east-1", "detail": {
        "eventTime": "2026-11-20T11:00:00Z", "eventSource": "organizations.amazonaws.com",
        "eventName": "RegisterDelegatedAdministrator", "awsRegion": "us-east-1", "eventID": "ev-reg",
        "recipientAccountId": MGMT, "requestParameters": {"accountId": account, "servicePrincipal": "sso.amazonaws.com"}}})
}

/// An event built as JSON, read as a function receives it (from its bytes). Panics on a
/// value that is not an envelope: the tests build only envelopes this way.
pub fn envelope(event: serde_json::Value) -> idc_core::CloudTrailEnvelope {
    serde_json::from_slice(event.to_string().as_bytes())
        .unwrap_or_else(|e| panic!("the test's event is not an envelope: {e}"))
}
