//! The final word of an announced delete outlives the invocation: a confirmation is queued
//! before `DeleteInstance` (or nothing is deleted), and the worker that receives it publishes
//! `deleted` once the instance is gone — or publishes nothing and fails while it is still there.

use idc_core::confirm::ConfirmTask;
use idc_core::{Budget, HandleError, InstanceStatus, RemediationStatus};
use idc_testkit::*;

fn member_create(g: &Fake) -> Result<idc_core::Outcome, HandleError> {
    block_on(g.handle(
        create_event(MEMBER, "eu-west-1", MEMBER_ARN),
        Budget::unbounded(),
    ))
}

fn queue(g: &Fake) -> &Queue {
    g.queue
        .as_ref()
        .unwrap_or_else(|| panic!("the test kit has a queue"))
}

#[test]
fn the_confirmation_is_queued_before_the_delete() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    assert!(member_create(&g).is_ok());
    let confirmations = queue(&g).confirmations();
    assert_eq!(confirmations.len(), 1);
    let announced = &confirmations[0].finding;
    assert_eq!(announced.remediation.status, RemediationStatus::Deleting);
    assert_eq!(announced.instance_arn.as_deref(), Some(MEMBER_ARN));
    // The delay outlives the invocation: unbounded here, so nothing to wait for.
    assert_eq!(
        idc_core::remediate::confirmation_delay(Budget::unbounded(), now()),
        std::time::Duration::ZERO
    );
}

#[test]
fn no_confirmation_queued_means_no_delete() {
    let mut g = guardrail(Instances::with(world()), Publisher::default(), auto());
    g.queue = Some(Queue {
        broken: true,
        ..Queue::default()
    });
    let out = member_create(&g);
    assert!(matches!(out, Err(HandleError::Incomplete(_))), "{out:?}");
    assert!(g.instances.deletes().is_empty());
    let last = g.publisher.all().last().map(|f| f.remediation.status);
    assert_eq!(last, Some(RemediationStatus::Failed));
}

/// The sandbox dies right after `DeleteInstance`: its outcome is never published. The worker's
/// confirmation gives the final word.
#[test]
fn a_crash_after_the_delete_is_confirmed_by_the_worker() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    assert!(member_create(&g).is_ok());
    let task = queue(&g).confirmations().remove(0);
    let worker = guardrail(Instances::with(vec![]), Publisher::default(), auto());
    let confirmed = block_on(worker.confirm(&task, Budget::unbounded()));
    let Ok(finding) = confirmed else {
        panic!("{confirmed:?}")
    };
    assert_eq!(finding.id, task.finding.id);
    assert_eq!(finding.remediation.status, RemediationStatus::Deleted);
    assert!(finding.sequence > task.finding.sequence);
    assert_eq!(worker.publisher.all().len(), 1);
}

#[test]
fn an_instance_still_there_is_not_confirmed_and_nothing_is_said() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    assert!(member_create(&g).is_ok());
    let task = queue(&g).confirmations().remove(0);
    // Still listed: the task fails (the queue retries, then its DLQ keeps it), no word.
    let worker = guardrail(Instances::with(world()), Publisher::default(), auto());
    let out = block_on(worker.confirm(&task, Budget::unbounded()));
    assert!(matches!(out, Err(HandleError::Incomplete(_))), "{out:?}");
    assert!(worker.publisher.all().is_empty());
    // Being deleted: confirmed.
    let mut deleting = world();
    for i in &mut deleting {
        i.status = InstanceStatus::DeleteInProgress;
    }
    let worker = guardrail(Instances::with(deleting), Publisher::default(), auto());
    let out = block_on(worker.confirm(&task, Budget::unbounded()));
    assert!(out.is_ok_and(|f| f.remediation.status == RemediationStatus::Deleted));
}

#[test]
fn a_body_that_is_not_a_confirmation_is_left_to_the_sweep_tasks() {
    assert!(ConfirmTask::parse(r#"{"schema":"idc-guardrail/sweep-task/v1"}"#).is_none());
    assert!(ConfirmTask::parse("not json").is_none());
    let bad = ConfirmTask::parse(r#"{"schema":"idc-guardrail/confirm-task/v1","finding":{}}"#);
    assert!(matches!(bad, Some(Err(_))));
}
