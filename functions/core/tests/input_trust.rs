//! Defence in depth on input, through the public API: events from elsewhere never reach the
//! rules, an event whose envelope and record disagree on the account is reported but never
//! acted on, and a `CreateInstance` that shows no instance proves none.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use idc_core::event::CreateProof;
use idc_core::{
    evaluate_trigger, parse_event_bytes, Instance, InstanceStatus, Inventory, Organization, Policy,
    RemediationStatus, RuleId, Trigger,
};
use serde_json::{json, Value};

const MGMT: &str = "111111111111";
const MEMBER: &str = "222222222222";
const OTHER: &str = "555555555555";
const MEMBER_ARN: &str = "arn:aws:sso:::instance/ssoins-member0000000001";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn inventory() -> Inventory {
    Inventory {
        organization: Some(Organization {
            id: "o-abc123".into(),
            management_account_id: MGMT.into(),
        }),
        accounts: vec![MGMT.into(), MEMBER.into(), OTHER.into()],
        delegated_admins: BTreeMap::new(),
        instances: vec![Instance {
            instance_arn: MEMBER_ARN.into(),
            owner_account_id: MEMBER.into(),
            region: "eu-west-1".into(),
            status: InstanceStatus::Active,
            created_date: Some(now() - Duration::days(2)),
            application_count: Some(0),
            tags: Some(BTreeMap::new()),
            status_reason: None,
            applications: None,
        }],
        listed: vec![],
        tag_protection: None,
    }
}

/// The member's `CreateInstance`, delivered in an envelope that names `envelope_account`.
fn create_instance(envelope_account: &str, source: &str, response: Value) -> Value {
    json!({
        "version": "0", "id": "env-1", "detail-type": "AWS API Call via CloudTrail",
        "source": source, "account": envelope_account, "time": "2026-11-20T10:00:00Z",
        "region": "eu-west-1", "resources": [],
        "detail": {
            "eventTime": "2026-11-20T10:00:00Z", "eventSource": "sso.amazonaws.com",
            "eventName": "CreateInstance", "awsRegion": "eu-west-1", "eventID": "ev-1",
            "userIdentity": {"type": "AssumedRole", "arn": format!("arn:aws:sts::{MEMBER}:assumed-role/Dev/x"), "accountId": MEMBER},
            "recipientAccountId": MEMBER,
            "errorCode": null,
            "responseElements": response,
        }
    })
}

fn parse(v: Value) -> Trigger {
    parse_event_bytes(v.to_string().as_bytes()).unwrap_or_else(|e| panic!("event must parse: {e}"))
}

fn policies() -> Vec<Policy> {
    let auto = Policy {
        auto_remediate: true,
        ..Policy::default()
    };
    vec![
        Policy::default(),
        auto.clone(),
        Policy {
            dry_run: true,
            ..auto.clone()
        },
        Policy {
            force_delete_in_use: true,
            ..auto
        },
    ]
}

#[test]
fn a_trusted_member_create_is_deletable_so_the_tests_below_can_fail() {
    let trigger = parse(create_instance(
        MEMBER,
        "aws.sso",
        json!({"instanceArn": MEMBER_ARN}),
    ));
    assert_eq!(trigger.untrusted_reason(), None);
    let auto = &policies()[1];
    let eval = evaluate_trigger(&trigger, Some(&inventory()), auto, now());
    assert!(eval.judged.iter().any(|j| j.decision.allows_delete()));
}

#[test]
fn a_custom_source_never_reaches_the_rules() {
    for source in ["my.app", "aws.events", "custom.aws.sso"] {
        let trigger = parse(create_instance(
            MEMBER,
            source,
            json!({"instanceArn": MEMBER_ARN}),
        ));
        assert!(matches!(trigger, Trigger::Ignored(_)), "{source}");
        for policy in policies() {
            let eval = evaluate_trigger(&trigger, Some(&inventory()), &policy, now());
            assert!(eval.judged.is_empty(), "{source}");
        }
    }
}

#[test]
fn an_account_conflict_is_still_evaluated_so_the_team_hears_of_it() {
    let trigger = parse(create_instance(
        OTHER,
        "aws.sso",
        json!({"instanceArn": MEMBER_ARN}),
    ));
    let reason = trigger.untrusted_reason().unwrap_or_default();
    assert!(
        reason.contains(OTHER) && reason.contains(MEMBER),
        "{reason}"
    );
    let eval = evaluate_trigger(&trigger, Some(&inventory()), &policies()[1], now());
    assert_eq!(
        eval.findings().map(|f| f.rule).collect::<Vec<_>>(),
        vec![RuleId::IDC001]
    );
}

#[test]
fn an_account_conflict_is_reported_and_never_deleted() {
    let trigger = parse(create_instance(
        OTHER,
        "aws.sso",
        json!({"instanceArn": MEMBER_ARN}),
    ));
    for policy in policies() {
        for inv in [Some(inventory()), None] {
            let eval = evaluate_trigger(&trigger, inv.as_ref(), &policy, now());
            assert_eq!(eval.judged.len(), 1, "the finding is published: {policy:?}");
            let j = &eval.judged[0];
            assert!(!j.decision.allows_delete(), "{policy:?}");
            let status = j.finding().remediation.status;
            assert!(
                !matches!(
                    status,
                    RemediationStatus::DryRun
                        | RemediationStatus::Deleted
                        | RemediationStatus::AlreadyDeleted
                ),
                "{policy:?}: {status:?} reads as a delete"
            );
            let detail = &j.finding().remediation.detail;
            assert!(
                detail.contains(OTHER) && detail.contains(MEMBER),
                "the detail names both accounts: {detail}"
            );
        }
    }
}

#[test]
fn a_create_without_error_or_arn_proves_no_instance() {
    for response in [json!(null), json!({}), json!({"instanceArn": ""})] {
        let trigger = parse(create_instance(MEMBER, "aws.sso", response.clone()));
        let Trigger::InstanceCreated(t) = &trigger else {
            panic!("expected InstanceCreated for {response}");
        };
        assert_eq!(t.proof(), CreateProof::Unclear, "{response}");
        assert!(!t.proves_instance());
        for policy in policies() {
            // Event alone: no instance may be made up from the event.
            let eval = evaluate_trigger(&trigger, None, &policy, now());
            for j in &eval.judged {
                assert!(!j.decision.allows_delete(), "{response} {policy:?}");
                assert_eq!(j.instance(), None, "{response}: an instance was made up");
                assert_eq!(j.finding().instance_arn, None);
                assert_ne!(j.finding().remediation.status, RemediationStatus::DryRun);
            }
            // With an inventory in which the account owns nothing: nothing to delete.
            let empty = Inventory {
                instances: vec![],
                ..inventory()
            };
            let eval = evaluate_trigger(&trigger, Some(&empty), &policy, now());
            assert!(eval.judged.iter().all(|j| !j.decision.allows_delete()));
            assert!(eval.judged.iter().all(|j| j.instance().is_none()));
        }
    }
}

#[test]
fn a_failed_create_stays_idc004_even_with_an_arn() {
    let mut v = create_instance(MEMBER, "aws.sso", json!({"instanceArn": MEMBER_ARN}));
    if let Some(slot) = v.pointer_mut("/detail/errorCode") {
        *slot = json!("AccessDenied");
    }
    let trigger = parse(v);
    let Trigger::InstanceCreated(t) = &trigger else {
        panic!("expected InstanceCreated");
    };
    assert_eq!(t.proof(), CreateProof::Failed);
    assert_eq!(t.instance_arn, None);
    for policy in policies() {
        let eval = evaluate_trigger(&trigger, Some(&inventory()), &policy, now());
        let rules: Vec<_> = eval.findings().map(|f| f.rule).collect();
        assert_eq!(rules, vec![RuleId::IDC004]);
        assert!(eval.judged.iter().all(|j| !j.decision.allows_delete()));
    }
}
