//! The latest word is true: odd but legal AWS answers never turn into a false "gone", a false
//! all-clear or a false "failed", over in-memory fakes.

use idc_core::{Budget, HandleError, Instance, InstanceStatus, Policy, RemediationStatus, RuleId};
use idc_testkit::*;

fn deleting() -> Policy {
    Policy {
        auto_remediate: true,
        ..Policy::default()
    }
}

/// The member's instance, as a listing shows it with another owner (or none).
fn listed_as(owner: &str) -> Instance {
    Instance {
        instance_arn: MEMBER_ARN.into(),
        owner_account_id: owner.into(),
        region: "eu-west-1".into(),
        status: InstanceStatus::Active,
        created_date: None,
        application_count: None,
        tags: None,
        status_reason: None,
        applications: None,
    }
}

#[test]
fn the_events_instance_listed_with_another_owner_is_not_identified_never_gone() {
    for owner in [ADMIN, ""] {
        // The member's own listing does not show its instance as its own.
        let mut instances = Instances::with(vec![]);
        instances.also_listed.push(listed_as(owner));
        let g = guardrail(instances, Publisher::default(), deleting());
        let out = block_on(g.handle(
            &envelope(create_event(MEMBER, "eu-west-1", MEMBER_ARN)),
            Budget::unbounded(),
        ));
        assert!(
            matches!(out, Err(HandleError::Incomplete(_))),
            "owner {owner:?}: the delivery fails, to be retried: {out:?}"
        );
        let sent = g.publisher.sent();
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert_eq!(
            (sent[0].rule, sent[0].remediation.status),
            (RuleId::IDC001, RemediationStatus::DryRun)
        );
        assert!(sent[0].remediation.detail.contains("owned by"), "{sent:?}");
        assert!(g.instances.deletes().is_empty());
    }
    // Report only: reported, not identified, nothing to retry.
    let mut instances = Instances::with(vec![]);
    instances.also_listed.push(listed_as(ADMIN));
    let g = guardrail(instances, Publisher::default(), Policy::default());
    let out = block_on(g.handle(
        &envelope(create_event(MEMBER, "eu-west-1", MEMBER_ARN)),
        Budget::unbounded(),
    ));
    assert!(out.is_ok(), "{out:?}");
    assert_eq!(
        g.publisher.sent()[0].remediation.status,
        RemediationStatus::None
    );
}

#[test]
fn an_org_event_answered_not_in_use_is_incomplete_not_an_all_clear() {
    let mut g = guardrail(Instances::with(world()), Publisher::default(), deleting());
    g.organizations.not_in_use = true;
    let out = block_on(g.handle(&envelope(register_event(ADMIN)), Budget::unbounded()));
    assert!(matches!(out, Err(HandleError::Gather(_))), "{out:?}");
    assert!(g.publisher.all_clears().is_empty());
    assert!(g.publisher.sent().iter().all(|f| f.rule != RuleId::IDC003));
    assert!(g.instances.deletes().is_empty());
}

#[test]
fn a_conflict_with_a_deletion_in_progress_is_deleted_not_failed() {
    let mut instances = Instances::with(world());
    instances.delete_in_progress_elsewhere = true;
    let g = guardrail(instances, Publisher::default(), deleting());
    let out = block_on(g.handle(
        &envelope(create_event(MEMBER, "eu-west-1", MEMBER_ARN)),
        Budget::unbounded(),
    ));
    assert!(out.is_ok(), "{out:?}");
    let sent = g.publisher.all();
    let last = sent.last().map(|f| f.remediation.status);
    assert_eq!(last, Some(RemediationStatus::Deleted), "{sent:?}");
}

/// A `CreateInstance` created at `created`, as EventBridge delivers it.
fn created_at(created: chrono::DateTime<chrono::Utc>) -> serde_json::Value {
    let mut event = create_event(MEMBER, "eu-west-1", MEMBER_ARN);
    event["detail"]["eventTime"] = serde_json::json!(created.to_rfc3339());
    event
}

#[test]
fn absence_right_after_creation_is_no_proof_and_no_word_is_published() {
    // AWS does not list the new instance yet: the look is incomplete, nothing is said about
    // the instance (an earlier delivery may have deleted it and said so), the event is retried.
    let g = guardrail(Instances::with(vec![]), Publisher::default(), deleting());
    let young = created_at(now() - chrono::Duration::seconds(20));
    let out = block_on(g.handle(&envelope(young), Budget::unbounded()));
    assert!(matches!(out, Err(HandleError::Incomplete(_))), "{out:?}");
    assert!(g.publisher.sent().is_empty(), "{:?}", g.publisher.sent());
    let notices = g.publisher.notices();
    assert_eq!(notices.len(), 1);
    assert!(notices[0].unknown[0].error.contains("not listed yet"));

    // Old enough: complete listings that still do not show it prove it gone.
    let g = guardrail(Instances::with(vec![]), Publisher::default(), deleting());
    let old = created_at(now() - idc_core::facts::ABSENCE_PROOF_AGE - chrono::Duration::seconds(5));
    let out = block_on(g.handle(&envelope(old), Budget::unbounded()));
    assert!(out.is_ok(), "{out:?}");
    assert_eq!(
        g.publisher.sent()[0].remediation.status,
        RemediationStatus::AlreadyDeleted
    );
}

#[test]
fn a_forwarded_create_instance_answered_not_in_use_is_incomplete_not_idc003() {
    // Only the organization's accounts may put events on the central bus: a member's event
    // proves the organization, whatever one answer of DescribeOrganization says.
    let mut g = guardrail(Instances::with(world()), Publisher::default(), deleting());
    g.organizations.not_in_use = true;
    g.settings.own_account_id = Some(MGMT.to_owned());
    let out = block_on(g.handle(
        &envelope(create_event(MEMBER, "eu-west-1", MEMBER_ARN)),
        Budget::unbounded(),
    ));
    assert!(matches!(out, Err(HandleError::Gather(_))), "{out:?}");
    assert!(g.publisher.sent().iter().all(|f| f.rule != RuleId::IDC003));
    assert!(g.instances.deletes().is_empty());
    // The guardrail's own account, standalone: IDC003, as before.
    let mut g = guardrail(Instances::with(world()), Publisher::default(), deleting());
    g.organizations.not_in_use = true;
    g.settings.own_account_id = Some(MEMBER.to_owned());
    let out = block_on(g.handle(
        &envelope(create_event(MEMBER, "eu-west-1", MEMBER_ARN)),
        Budget::unbounded(),
    ));
    assert!(out.is_ok(), "{out:?}");
    assert_eq!(g.publisher.sent()[0].rule, RuleId::IDC003);
}
