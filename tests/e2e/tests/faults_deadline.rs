//! Slow AWS against the invocation's deadline: Lambda stops a function at its deadline
//! wherever it is, so a slow call must never eat the time the guardrail needs to tell the team
//! what it did. With every call slowed down so that they cannot all fit, the guardrail answers
//! before its deadline, the finding reaches the queue, and an instance is either left alone or
//! its outcome is published.
//!
//! Why in process, not through the Lambda binaries: cargo-lambda's runtime API emulator
//! (`cargo lambda watch`, 1.9) answers every `/next` with the constant header
//! `Lambda-Runtime-Deadline-Ms: 600000` — an instant in January 1970 — and has no option or
//! environment variable that sets a function timeout (`watch --timeout` only bounds how long an
//! `invoke` waits for the answer). The Lambda entry point reads a deadline already past as "no
//! deadline" (`idc_aws::lambda::budget`), so under that emulator the binaries run unbounded
//! and nothing stops them. These tests therefore give the in-process guardrail (the same
//! adapters, through the fault proxy) the budget Lambda's deadline would give it.

use std::time::Duration;

use anyhow::Result;
use chrono::{TimeDelta, Utc};
use idc_core::{Budget, EventReport, HandleError};
use idc_e2e::faults::{detail, show, statuses, Trap, AUTO};
use idc_e2e::proxy::{Fault, Rule};
use idc_e2e::world::{latest_words, Received, World};

/// The security team's view must be complete: something was received, and an instance that
/// is gone has an outcome, not a bare `deleting`, as its latest word.
fn told(all: &[Received], gone: bool) {
    assert!(!all.is_empty(), "the finding must reach the queue");
    let latest = latest_words(all.to_vec());
    if gone {
        assert!(
            latest
                .iter()
                .all(|f| ["deleted", "already_deleted", "failed"].contains(&f.status())),
            "an instance is gone: its outcome must be published\n{}",
            show(all)
        );
    }
}

/// Every sso-admin, Organizations and STS call answers 2 s late; the invocation has 8 s
/// (2 s of it kept for publishing). The calls in sequence (role, listing, applications and
/// tags, announcement, delete, confirming listing) cannot fit.
#[tokio::test]
async fn every_call_slow_answers_before_the_deadline() -> Result<()> {
    let world = World::start().await?;
    let trap = Trap::created(&world, "slow").await?;
    let guardrail = world.guardrail(&[AUTO])?;
    for service in ["sso", "organizations", "sts"] {
        world.proxy().inject(
            Rule::any()
                .service(service)
                .fault(Fault::Delay(Duration::from_secs(2))),
        );
    }

    let start = Utc::now();
    let deadline = start + TimeDelta::seconds(8);
    let result = guardrail
        .handle(
            &idc_e2e::events::envelope(&trap.event)?,
            Budget::until(deadline, start),
        )
        .await;
    let answered = Utc::now();

    assert!(
        answered <= deadline,
        "answered {answered}, deadline {deadline}"
    );
    assert!(
        matches!(result, Err(HandleError::Incomplete(_))),
        "a look cut short must not read as done: {result:?}"
    );
    world.proxy().clear();
    let gone = !trap.exists(&world).await?;
    let all = world.all_findings().await?;
    told(&all, gone);
    assert!(!gone, "there was no time to delete: {}", show(&all));
    assert!(
        all.iter().all(|f| f.status() != "deleted"),
        "{}",
        show(&all)
    );
    Ok(())
}

/// Only `DeleteInstance` hangs (AWS goes on with it, the caller never hears back), in an
/// invocation of 10 s: what the guardrail answered, and everything the team received.
async fn hanging_delete(
    name: &str,
) -> Result<(World, Result<EventReport, HandleError>, Vec<Received>)> {
    let world = World::start().await?;
    let trap = Trap::created(&world, name).await?;
    let guardrail = world.guardrail(&[AUTO])?;
    world
        .proxy()
        .inject(Rule::on("DeleteInstance").fault(Fault::Delay(Duration::from_secs(60))));

    let start = Utc::now();
    let deadline = start + TimeDelta::seconds(10);
    let result = guardrail
        .handle(
            &idc_e2e::events::envelope(&trap.event)?,
            Budget::until(deadline, start),
        )
        .await;
    let answered = Utc::now();

    assert!(
        answered <= deadline,
        "answered {answered}, deadline {deadline}"
    );
    assert_eq!(world.proxy().count("DeleteInstance"), 1, "started once");
    let all = world.all_findings().await?;
    Ok((world, result, all))
}

/// The delete is cut short before the reserve, and its outcome — `failed`, naming the
/// deadline — is published under the announcement's id before the deadline.
#[tokio::test]
async fn a_hanging_delete_is_cut_short_and_its_outcome_published() -> Result<()> {
    let (_world, _, all) = hanging_delete("hanging").await?;
    assert_eq!(statuses(&all), vec!["deleting", "failed"], "{}", show(&all));
    assert_eq!(all[0].id(), all[1].id());
    assert!(
        detail(&all[1])?.contains("deadline"),
        "the outcome says why: {}",
        show(&all)
    );
    told(&all, false);
    Ok(())
}

/// Whether a delete cut short went through is not known (AWS may still carry it out): the
/// invocation must fail so that Lambda's retry looks again and publishes what it finds
/// (`already_deleted`, or a new attempt), rather than leave `failed` as the last word.
#[tokio::test]
async fn a_delete_cut_short_fails_the_invocation_so_it_is_retried() -> Result<()> {
    let (_world, result, all) = hanging_delete("cut-short").await?;
    assert_eq!(statuses(&all), vec!["deleting", "failed"], "{}", show(&all));
    assert!(
        matches!(result, Err(HandleError::Incomplete(_))),
        "an unknown delete outcome must fail the invocation: {:?}",
        result.map(|o| o
            .findings
            .iter()
            .map(|f| f.remediation.detail.clone())
            .collect::<Vec<_>>())
    );
    Ok(())
}
