//! One test per rule and per trigger kind, through the public API.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use idc_core::finding::{Evidence, RemediationAction, TriggerRef, FINDING_SCHEMA};
use idc_core::{
    evaluate_sweep, evaluate_trigger, parse_event_bytes, Instance, InstanceStatus, Inventory,
    Organization, Policy, RemediationStatus, RuleId, Severity, Trigger,
};
use serde_json::{json, Value};

const MGMT: &str = "111111111111";
const MEMBER: &str = "222222222222";
const ADMIN: &str = "333333333333";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn instance(owner: &str, region: &str, suffix: &str) -> Instance {
    Instance {
        instance_arn: format!("arn:aws:sso:::instance/ssoins-{suffix}"),
        owner_account_id: owner.into(),
        region: region.into(),
        status: InstanceStatus::Active,
        created_date: Some(now() - Duration::days(2)),
        application_count: Some(0),
        tags: Some(BTreeMap::new()),
        status_reason: None,
        applications: None,
    }
}

fn org_inventory() -> Inventory {
    Inventory {
        organization: Some(Organization {
            id: "o-abc123".into(),
            management_account_id: MGMT.into(),
        }),
        accounts: vec![MGMT.into(), MEMBER.into(), ADMIN.into()],
        delegated_admins: BTreeMap::from([("sso.amazonaws.com".into(), vec![ADMIN.into()])]),
        instances: vec![
            instance(MGMT, "us-east-1", "org0000000000001"),
            instance(MEMBER, "eu-west-1", "member0000000001"),
            instance(ADMIN, "us-east-1", "admin00000000001"),
        ],
        listed: vec![],
        tag_protection: None,
    }
}

fn envelope(source: &str, detail: Value) -> Trigger {
    // EventBridge delivers a CloudTrail event under the account that recorded it.
    let account = detail["recipientAccountId"].clone();
    let v = json!({
        "version": "0", "id": "env-1", "detail-type": "AWS API Call via CloudTrail",
        "source": source, "account": account, "time": "2026-11-20T10:00:00Z",
        "region": "eu-west-1", "resources": [], "detail": detail
    });
    match parse_event_bytes(v.to_string().as_bytes()) {
        Ok(t) => t,
        Err(e) => panic!("sample must parse: {e}"),
    }
}

fn create_instance(account: &str, region: &str, arn: Option<&str>, error: Option<&str>) -> Trigger {
    envelope(
        "aws.sso",
        json!({
            "eventTime": "2026-11-20T10:00:00Z", "eventSource": "sso.amazonaws.com",
            "eventName": "CreateInstance", "awsRegion": region, "eventID": format!("ev-{account}"),
            "userIdentity": {"type": "AssumedRole", "arn": format!("arn:aws:sts::{account}:assumed-role/Dev/x"), "accountId": account},
            "recipientAccountId": account,
            "errorCode": error,
            "responseElements": arn.map(|a| json!({"instanceArn": a})),
        }),
    )
}

fn auto() -> Policy {
    Policy {
        auto_remediate: true,
        ..Policy::default()
    }
}

/// The member's successful CreateInstance of the instance in `org_inventory`.
fn member_create() -> Trigger {
    create_instance(
        MEMBER,
        "eu-west-1",
        Some("arn:aws:sso:::instance/ssoins-member0000000001"),
        None,
    )
}

fn register(account: &str) -> Trigger {
    envelope(
        "aws.organizations",
        json!({
            "eventTime": "2026-11-20T11:00:00Z", "eventSource": "organizations.amazonaws.com",
            "eventName": "RegisterDelegatedAdministrator", "awsRegion": "us-east-1", "eventID": "ev-reg",
            "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111111111111:assumed-role/Admin/y", "accountId": MGMT},
            "recipientAccountId": MGMT,
            "requestParameters": {"accountId": account, "servicePrincipal": "sso.amazonaws.com"}
        }),
    )
}

fn rules_of(
    trigger: &Trigger,
    inv: Option<&Inventory>,
    policy: &Policy,
) -> Vec<(RuleId, RemediationStatus)> {
    evaluate_trigger(trigger, inv, policy, now())
        .findings()
        .map(|f| (f.rule, f.remediation.status))
        .collect()
}

#[test]
fn idc001_member_instance_is_high_and_report_only_by_default() {
    let inv = org_inventory();
    let t = member_create();
    let eval = evaluate_trigger(&t, Some(&inv), &Policy::default(), now());
    let f: Vec<_> = eval.findings().collect();
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].rule, f[0].severity), (RuleId::IDC001, Severity::High));
    assert_eq!(
        f[0].remediation.status,
        RemediationStatus::SkippedNotEnabled
    );
    assert_eq!(f[0].remediation.action, RemediationAction::Delete);
    assert_eq!(f[0].organization_id.as_deref(), Some("o-abc123"));
    assert_eq!(f[0].evidence, Evidence::Inventory);
    assert_eq!(f[0].schema, FINDING_SCHEMA);
    assert!(f[0].explanation.contains("QuickSight"));
}

#[test]
fn idc002_create_instance_in_delegated_admin_account() {
    let inv = org_inventory();
    let t = create_instance(
        ADMIN,
        "us-east-1",
        Some("arn:aws:sso:::instance/ssoins-admin00000000001"),
        None,
    );
    let auto = auto();
    assert_eq!(
        rules_of(&t, Some(&inv), &auto),
        vec![(RuleId::IDC002, RemediationStatus::DryRun)]
    );
}

#[test]
fn idc002_registration_of_an_account_that_owns_an_instance() {
    let mut inv = org_inventory();
    inv.delegated_admins.clear(); // gathered before the registration
    let eval = evaluate_trigger(&register(MEMBER), Some(&inv), &Policy::default(), now());
    let f: Vec<_> = eval.findings().collect();
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].rule, f[0].severity),
        (RuleId::IDC002, Severity::Critical)
    );
    assert_eq!(f[0].account_id, MEMBER);
    assert_eq!(f[0].region, "eu-west-1");
}

#[test]
fn registration_of_a_clean_account_gives_nothing() {
    let mut inv = org_inventory();
    inv.instances.retain(|i| i.owner_account_id != MEMBER);
    let eval = evaluate_trigger(&register(MEMBER), Some(&inv), &Policy::default(), now());
    assert_eq!(eval.findings().count(), 0);
    assert!(!eval.notes.is_empty());
}

#[test]
fn idc003_standalone_account_is_reported_only() {
    let inv = Inventory {
        instances: vec![instance(MEMBER, "eu-west-1", "member0000000001")],
        ..Inventory::default()
    };
    let t = member_create();
    let all = Policy {
        auto_remediate: true,
        force_delete_in_use: true,
        ..Policy::default()
    };
    let eval = evaluate_trigger(&t, Some(&inv), &all, now());
    let f: Vec<_> = eval.findings().collect();
    assert_eq!(
        (f[0].rule, f[0].severity),
        (RuleId::IDC003, Severity::Medium)
    );
    assert_eq!(f[0].remediation.status, RemediationStatus::None);
    assert_eq!(f[0].remediation.action, RemediationAction::None);
    assert_eq!(f[0].organization_id, None);
}

#[test]
fn idc004_failed_create_is_info_only() {
    let t = create_instance(MEMBER, "eu-west-1", None, Some("AccessDenied"));
    for inv in [None, Some(org_inventory())] {
        let eval = evaluate_trigger(
            &t,
            inv.as_ref(),
            &Policy {
                auto_remediate: true,
                ..Policy::default()
            },
            now(),
        );
        let f: Vec<_> = eval.findings().collect();
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].rule, f[0].severity), (RuleId::IDC004, Severity::Info));
        assert_eq!(f[0].instance_arn, None);
        assert_eq!(f[0].remediation.status, RemediationStatus::None);
        assert!(f[0].explanation.contains("AccessDenied"));
    }
}

#[test]
fn idc005_expired_trial_tag() {
    let mut inv = org_inventory();
    inv.instances[1].tags = Some(BTreeMap::from([("idc-trial".into(), "team-x".into())]));
    inv.instances[1].created_date = Some(now() - Duration::days(45));
    // The tag is an exemption only while a service control policy keeps it from the member.
    inv.tag_protection = Some(idc_core::inventory::TagProtection {
        protected_keys: vec!["idc-trial".into()],
        note: None,
    });
    let policy = Policy {
        exempt_tag: Some("idc-trial".into()),
        trial_days: 30,
        auto_remediate: true,
        ..Policy::default()
    };
    let t = member_create();
    let eval = evaluate_trigger(&t, Some(&inv), &policy, now());
    let f: Vec<_> = eval.findings().collect();
    assert_eq!((f[0].rule, f[0].severity), (RuleId::IDC005, Severity::High));
    assert_eq!(f[0].remediation.status, RemediationStatus::DryRun);
    // within the window: IDC001, skipped as exempt
    inv.instances[1].created_date = Some(now() - Duration::days(5));
    assert_eq!(
        rules_of(&t, Some(&inv), &policy),
        vec![(RuleId::IDC001, RemediationStatus::SkippedExempt)]
    );
}

#[test]
fn event_only_evaluation_says_what_it_did_not_verify() {
    let t = member_create();
    let eval = evaluate_trigger(&t, None, &Policy::default(), now());
    let f: Vec<_> = eval.findings().collect();
    assert_eq!(f[0].rule, RuleId::IDC001);
    assert_eq!(f[0].evidence, Evidence::Event);
    assert!(f[0].explanation.contains("not verified"));
    assert!(!eval.notes.is_empty());
}

#[test]
fn management_account_and_ignored_events_give_nothing() {
    let inv = org_inventory();
    let t = create_instance(
        MGMT,
        "us-east-1",
        Some("arn:aws:sso:::instance/ssoins-x"),
        None,
    );
    assert!(rules_of(&t, Some(&inv), &Policy::default()).is_empty());
    let other = envelope(
        "aws.sso",
        json!({
            "eventTime": "2026-11-20T10:00:00Z", "eventSource": "sso.amazonaws.com", "eventName": "CreateApplication",
            "awsRegion": "eu-west-1", "eventID": "x", "recipientAccountId": MEMBER
        }),
    );
    assert!(rules_of(&other, Some(&inv), &Policy::default()).is_empty());
}

#[test]
fn sweep_finds_every_account_instance_but_never_the_org_instance() {
    let inv = org_inventory();
    let eval = evaluate_sweep("sweep-1", &inv, &Policy::default(), now());
    let mut got: Vec<_> = eval
        .findings()
        .map(|f| (f.account_id.clone(), f.rule))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (MEMBER.to_owned(), RuleId::IDC001),
            (ADMIN.to_owned(), RuleId::IDC002)
        ]
    );
    assert!(eval.findings().all(|f| f.trigger
        == TriggerRef::Sweep {
            sweep_id: "sweep-1".into()
        }));
}

#[test]
fn ids_are_deterministic_and_distinguish_events() {
    let inv = org_inventory();
    let a = member_create();
    let first: Vec<String> = evaluate_trigger(&a, Some(&inv), &Policy::default(), now())
        .findings()
        .map(|f| f.id.clone())
        .collect();
    let again: Vec<String> = evaluate_trigger(
        &a,
        Some(&inv),
        &Policy::default(),
        now() + Duration::hours(1),
    )
    .findings()
    .map(|f| f.id.clone())
    .collect();
    assert_eq!(first, again, "a redelivery must keep its id");
    let b = create_instance(
        ADMIN,
        "us-east-1",
        Some("arn:aws:sso:::instance/ssoins-admin00000000001"),
        None,
    );
    let other: Vec<String> = evaluate_trigger(&b, Some(&inv), &Policy::default(), now())
        .findings()
        .map(|f| f.id.clone())
        .collect();
    assert_ne!(first, other);
}

#[test]
fn sns_subject_and_attributes_follow_the_contract() {
    let inv = org_inventory();
    let t = register(ADMIN);
    let eval = evaluate_trigger(&t, Some(&inv), &Policy::default(), now());
    let f = eval.findings().next();
    let Some(f) = f else {
        panic!("expected a finding")
    };
    let subject = f.sns_subject();
    assert!(
        subject.starts_with("[CRITICAL] IDC002 333333333333 - "),
        "{subject}"
    );
    assert!(subject.len() < 100 && subject.is_ascii());
    let attrs: BTreeMap<_, _> = f.sns_attributes().into_iter().collect();
    assert_eq!(attrs.get("severity").map(String::as_str), Some("CRITICAL"));
    assert_eq!(attrs.get("rule").map(String::as_str), Some("IDC002"));
    assert_eq!(attrs.get("account_id").map(String::as_str), Some(ADMIN));
    assert_eq!(
        attrs.get("remediation_status").map(String::as_str),
        Some("skipped_not_enabled")
    );
}

#[test]
fn long_titles_are_cut_to_fit_the_subject() {
    let inv = org_inventory();
    let t = register(ADMIN);
    let eval = evaluate_trigger(&t, Some(&inv), &Policy::default(), now());
    let Some(mut f) = eval.findings().next() else {
        panic!("expected a finding")
    };
    f.title = "é".repeat(40) + &"x".repeat(200);
    let subject = f.sns_subject();
    assert!(
        subject.len() <= 99 && subject.is_ascii() && subject.ends_with("..."),
        "{subject}"
    );
}

#[test]
fn finding_json_has_every_contract_key() {
    let inv = org_inventory();
    let t = member_create();
    let eval = evaluate_trigger(&t, Some(&inv), &Policy::default(), now());
    let Some(f) = eval.findings().next() else {
        panic!("expected a finding")
    };
    let v: Value = serde_json::from_str(&f.to_json()).unwrap_or_default();
    for key in [
        "schema",
        "id",
        "rule",
        "severity",
        "title",
        "account_id",
        "region",
        "instance_arn",
        "organization_id",
        "trigger",
        "explanation",
        "remediation",
        "references",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    for key in ["event_id", "event_name", "event_time", "principal_arn"] {
        assert!(v["trigger"].get(key).is_some(), "missing trigger.{key}");
    }
    for key in ["action", "status", "detail"] {
        assert!(
            v["remediation"].get(key).is_some(),
            "missing remediation.{key}"
        );
    }
    assert!(v["references"].as_array().is_some_and(|r| !r.is_empty()));
}

#[test]
fn an_instance_a_complete_listing_no_longer_shows_is_already_deleted() {
    let mut inv = org_inventory();
    inv.instances.retain(|i| i.owner_account_id != MEMBER);
    inv.listed.push(idc_core::inventory::AccountRegion {
        account_id: MEMBER.into(),
        region: "eu-west-1".into(),
    });
    let t = member_create();
    let auto = auto();
    assert_eq!(
        rules_of(&t, Some(&inv), &auto),
        vec![(RuleId::IDC001, RemediationStatus::AlreadyDeleted)]
    );
    // same id as when the instance was still there: a redelivery is recognisable
    let before = evaluate_trigger(&t, Some(&org_inventory()), &auto, now());
    let after = evaluate_trigger(&t, Some(&inv), &auto, now());
    assert_eq!(
        before.findings().next().map(|f| f.id.clone()),
        after.findings().next().map(|f| f.id.clone())
    );
}
