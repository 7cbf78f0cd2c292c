//! The live path over in-memory fakes of the ports: what is deleted, what is published,
//! and when the call fails.

mod fakes;

use fakes::*;
use idc_core::{HandleError, Policy, RemediationStatus, RuleId};
use serde_json::{json, Value};

fn create_event(account: &str, region: &str, arn: &str) -> Value {
    json!({"version": "0", "id": "e", "detail-type": "AWS API Call via CloudTrail", "source": "aws.sso",
           "account": account, "region": region, "detail": {
        "eventTime": "2026-11-20T10:00:00Z", "eventSource": "sso.amazonaws.com", "eventName": "CreateInstance",
        "awsRegion": region, "eventID": format!("ev-{account}"), "recipientAccountId": account,
        "userIdentity": {"type": "Root", "arn": format!("arn:aws:iam::{account}:root"), "accountId": account},
        "responseElements": {"instanceArn": arn}}})
}

fn register_event(account: &str) -> Value {
    json!({"version": "0", "id": "r", "detail-type": "AWS API Call via CloudTrail", "source": "aws.organizations",
           "account": MGMT, "region": "us-east-1", "detail": {
        "eventTime": "2026-11-20T11:00:00Z", "eventSource": "organizations.amazonaws.com",
        "eventName": "RegisterDelegatedAdministrator", "awsRegion": "us-east-1", "eventID": "ev-reg",
        "recipientAccountId": MGMT, "requestParameters": {"accountId": account, "servicePrincipal": "sso.amazonaws.com"}}})
}

fn statuses(g: &Fake) -> Vec<(RuleId, RemediationStatus)> {
    g.publisher
        .sent()
        .iter()
        .map(|f| (f.rule, f.remediation.status))
        .collect()
}

/// What a member's CreateInstance publishes, with auto-remediation on, over these instances.
fn member_create_outcome(instances: Instances) -> Vec<(RuleId, RemediationStatus)> {
    let g = guardrail(instances, Publisher::default(), auto());
    assert!(block_on(g.handle(create_event(MEMBER, "eu-west-1", MEMBER_ARN), now())).is_ok());
    statuses(&g)
}

#[test]
fn member_instance_is_deleted_confirmed_and_published() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    let out = block_on(g.handle(create_event(MEMBER, "eu-west-1", MEMBER_ARN), now()));
    assert!(out.is_ok(), "{out:?}");
    assert_eq!(g.instances.deletes(), vec![MEMBER_ARN.to_owned()]);
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::Deleted)]
    );
    assert!(!g.instances.arns().contains(&MEMBER_ARN.to_owned()));
}

#[test]
fn report_only_by_default_deletes_nothing() {
    let g = guardrail(
        Instances::with(world()),
        Publisher::default(),
        Policy::default(),
    );
    assert!(block_on(g.handle(create_event(MEMBER, "eu-west-1", MEMBER_ARN), now())).is_ok());
    assert!(g.instances.deletes().is_empty());
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::SkippedNotEnabled)]
    );
}

#[test]
fn duplicate_delivery_deletes_once_with_identical_ids() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    let event = create_event(MEMBER, "eu-west-1", MEMBER_ARN);
    assert!(block_on(g.handle(event.clone(), now())).is_ok());
    assert!(block_on(g.handle(event, now())).is_ok());
    assert_eq!(g.instances.deletes().len(), 1, "one deletion");
    let sent = g.publisher.sent();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].id, sent[1].id);
    assert_eq!(
        sent[1].remediation.status,
        RemediationStatus::AlreadyDeleted
    );
}

#[test]
fn delegated_admin_registration_deletes_the_account_instance_not_the_org_instance() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    assert!(block_on(g.handle(register_event(ADMIN), now())).is_ok());
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC002, RemediationStatus::Deleted)]
    );
    assert_eq!(g.instances.deletes(), vec![ADMIN_ARN.to_owned()]);
    assert!(g.instances.arns().contains(&ORG_ARN.to_owned()));
}

#[test]
fn management_account_instance_is_never_deleted_with_every_flag_on() {
    let all = Policy {
        auto_remediate: true,
        force_delete_in_use: true,
        ..Policy::default()
    };
    let g = guardrail(Instances::with(world()), Publisher::default(), all);
    assert!(block_on(g.handle(create_event(MGMT, "us-east-1", ORG_ARN), now())).is_ok());
    assert!(block_on(g.handle(register_event(ADMIN), now())).is_ok());
    assert!(!g.instances.deletes().contains(&ORG_ARN.to_owned()));
    assert!(g.instances.arns().contains(&ORG_ARN.to_owned()));
}

#[test]
fn in_use_instance_is_skipped() {
    let mut w = world();
    w[1].application_count = Some(2);
    let g = guardrail(Instances::with(w), Publisher::default(), auto());
    assert!(block_on(g.handle(create_event(MEMBER, "eu-west-1", MEMBER_ARN), now())).is_ok());
    assert!(g.instances.deletes().is_empty());
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::SkippedInUse)]
    );
}

#[test]
fn failed_publish_fails_the_call_and_a_retry_reports_already_deleted() {
    let mut g = guardrail(
        Instances::with(world()),
        Publisher {
            broken: true,
            ..Publisher::default()
        },
        auto(),
    );
    let event = create_event(MEMBER, "eu-west-1", MEMBER_ARN);
    let first = block_on(g.handle(event.clone(), now()));
    assert!(
        matches!(
            first,
            Err(HandleError::Publish {
                failed: 1,
                total: 1,
                ..
            })
        ),
        "{first:?}"
    );
    g.publisher.broken = false;
    assert!(block_on(g.handle(event, now())).is_ok());
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::AlreadyDeleted)]
    );
    assert_eq!(g.instances.deletes().len(), 1);
}

#[test]
fn bad_event_is_an_error_and_touches_nothing() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    let out = block_on(g.handle(
        json!({"detail-type": "AWS API Call via CloudTrail", "source": "aws.sso"}),
        now(),
    ));
    assert!(matches!(out, Err(HandleError::BadEvent(_))));
    assert!(g.instances.deletes().is_empty() && g.publisher.sent().is_empty());
}

#[test]
fn unreachable_account_publishes_failed_and_asks_for_a_retry() {
    let g = guardrail(
        Instances {
            unreachable: true,
            ..Instances::with(world())
        },
        Publisher::default(),
        auto(),
    );
    let out = block_on(g.handle(create_event(MEMBER, "eu-west-1", MEMBER_ARN), now()));
    assert!(matches!(out, Err(HandleError::Gather(_))), "{out:?}");
    assert!(g.instances.deletes().is_empty());
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::Failed)]
    );
}

#[test]
fn a_delete_that_does_not_take_is_reported_failed() {
    let instances = Instances {
        delete_is_ignored: true,
        ..Instances::with(world())
    };
    assert_eq!(
        member_create_outcome(instances),
        vec![(RuleId::IDC001, RemediationStatus::Failed)]
    );
}

#[test]
fn ignored_events_publish_nothing() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    let mut event = register_event(MEMBER);
    event["detail"]["requestParameters"]["servicePrincipal"] = json!("config.amazonaws.com");
    assert!(block_on(g.handle(event, now())).is_ok());
    assert!(g.publisher.sent().is_empty());
}

#[test]
fn access_denied_for_an_instance_deleted_meanwhile_is_already_deleted() {
    let instances = Instances {
        deleted_concurrently: true,
        ..Instances::with(world())
    };
    assert_eq!(
        member_create_outcome(instances),
        vec![(RuleId::IDC001, RemediationStatus::AlreadyDeleted)]
    );
}
