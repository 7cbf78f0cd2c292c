//! The final word of an announced delete outlives the invocation: a confirmation is queued
//! before `DeleteInstance` (or nothing is deleted), and the worker that receives it publishes
//! `deleted` once the instance is gone — or publishes nothing and fails while it is still there.

use idc_core::confirm::ConfirmTask;
use idc_core::{Budget, HandleError, InstanceStatus, RemediationStatus};
use idc_testkit::*;

fn member_create(g: &Fake) -> Result<idc_core::EventReport, HandleError> {
    block_on(g.handle(
        &envelope(create_event(MEMBER, "eu-west-1", MEMBER_ARN)),
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
    let Ok(Some(finding)) = confirmed else {
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
    assert!(
        out.is_ok_and(|f| f.is_some_and(|f| f.remediation.status == RemediationStatus::Deleted))
    );
}

#[test]
fn a_body_that_is_not_a_confirmation_is_left_to_the_sweep_tasks() {
    assert!(ConfirmTask::parse(r#"{"schema":"idc-guardrail/sweep-task/v1"}"#).is_none());
    assert!(ConfirmTask::parse("not json").is_none());
    let bad = ConfirmTask::parse(r#"{"schema":"idc-guardrail/confirm-task/v1","finding":{}}"#);
    assert!(matches!(bad, Some(Err(_))));
}

/// A `failed` word is settled by the worker: the announcement could not be published, so
/// nothing was deleted and `failed` was said; another delivery then deletes the instance, and
/// the retry of the first would see nothing. The worker's settling says `already_deleted`
/// under the failed word's id; while the instance is still there the word stands.
#[test]
fn a_failed_word_is_settled_by_the_worker() {
    let mut g = guardrail(Instances::with(world()), Publisher::default(), auto());
    g.publisher.fail_statuses = vec!["deleting"];
    assert!(member_create(&g).is_err());
    assert!(g.instances.deletes().is_empty());
    let tasks = queue(&g).confirmations();
    assert_eq!(tasks.len(), 1, "the failed word is queued for settling");
    let task = &tasks[0];
    assert_eq!(task.finding.remediation.status, RemediationStatus::Failed);
    let parsed = serde_json::to_string(task)
        .ok()
        .and_then(|body| ConfirmTask::parse(&body));
    assert!(matches!(parsed, Some(Ok(_))), "the worker reads it back");

    // Still there: the word stands, nothing is said, nothing is retried.
    let worker = guardrail(Instances::with(world()), Publisher::default(), auto());
    let out = block_on(worker.confirm(task, Budget::unbounded()));
    assert!(matches!(out, Ok(None)), "{out:?}");
    assert!(worker.publisher.all().is_empty());

    // Gone meanwhile: `already_deleted`, later than `failed`.
    let worker = guardrail(Instances::with(vec![]), Publisher::default(), auto());
    let out = block_on(worker.confirm(task, Budget::unbounded()));
    let Ok(Some(settled)) = out else {
        panic!("{out:?}")
    };
    assert_eq!(settled.id, task.finding.id);
    assert_eq!(
        settled.remediation.status,
        RemediationStatus::AlreadyDeleted
    );
    let failed_word = g.publisher.all().last().and_then(|f| f.sequence);
    assert!(settled.sequence > failed_word);
}
