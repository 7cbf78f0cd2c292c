//! A deletion's lifecycle under faults, through the real Lambda binaries: the announcement
//! (`deleting`), `DeleteInstance` and the outcome are each faulted in turn, then the same event
//! is delivered again, as Lambda retries a failed invocation. Whatever fails, the security
//! team must never be left without a word about an instance that is gone, and nothing may be
//! deleted that was not announced first.

use anyhow::Result;
use idc_e2e::faults::{failed_with, ok, one_id, publish_of, show, statuses, Trap, Via, AUTO};
use idc_e2e::proxy::{Fault, Rule};
use idc_e2e::runtime::LambdaFunction;
use idc_e2e::world::{latest_words, Received, World, OTHER_REGION};
use serde_json::json;

/// The announcement cannot be published: nothing is deleted, the invocation fails, and the
/// team still learns of the finding; the retry deletes, announcing first.
async fn announcement_fails(via: Via) -> Result<()> {
    let world = World::start().await?;
    let trap = Trap::new(&world, via, "announce").await?;
    let function = LambdaFunction::start(trap.function, &world.lambda_env(&[AUTO]))?;
    world
        .proxy()
        .inject(publish_of("deleting").fault(Fault::Status(500)));

    failed_with(function.invoke(&trap.event)?, "IdcGuardrail.PublishFailed")?;
    assert!(trap.exists(&world).await?, "not announced, so not deleted");
    assert_eq!(world.proxy().count("DeleteInstance"), 0);
    let first = world.all_findings().await?;
    assert_eq!(statuses(&first), vec!["failed"], "{}", show(&first));
    assert_eq!(first[0].rule(), trap.rule());

    world.proxy().clear();
    let response = ok(function.invoke(&trap.event)?)?;
    assert_eq!(response["findings"][0]["remediation_status"], "deleted");
    assert!(!trap.exists(&world).await?);
    let retry = world.all_findings().await?;
    assert_eq!(
        statuses(&retry),
        vec!["deleting", "deleted"],
        "{}",
        show(&retry)
    );
    assert_eq!(one_id(&retry)?, first[0].id(), "the same finding, retried");
    assert!(retry[0].sequence() > first[0].sequence());
    Ok(())
}

/// `DeleteInstance` is performed but its answer lost: the SDK's retry meets AccessDenied (the
/// instance is gone), which only a listing can tell from a refusal.
async fn delete_answer_lost(via: Via) -> Result<()> {
    let world = World::start().await?;
    let trap = Trap::new(&world, via, "between").await?;
    let function = LambdaFunction::start(trap.function, &world.lambda_env(&[AUTO]))?;
    world.proxy().inject(
        Rule::on("DeleteInstance")
            .body_contains(&trap.instance_arn)
            .times(1)
            .fault(Fault::LoseAnswer),
    );

    ok(function.invoke(&trap.event)?)?;
    assert!(!trap.exists(&world).await?);
    assert!(
        world.proxy().count("DeleteInstance") >= 2,
        "the SDK retried"
    );
    let all = world.all_findings().await?;
    one_id(&all)?;
    assert_eq!(all.len(), 2, "{}", show(&all));
    assert_eq!(all[0].status(), "deleting");
    assert!(
        ["already_deleted", "deleted"].contains(&all[1].status()),
        "{}",
        show(&all)
    );
    assert!(all[1].sequence() > all[0].sequence());
    Ok(())
}

/// The outcome cannot be published: the instance is gone and the team's latest word is
/// `deleting`; the invocation fails, and the retry's word (`already_deleted`) supersedes it.
async fn outcome_fails(via: Via) -> Result<()> {
    let world = World::start().await?;
    let trap = Trap::new(&world, via, "outcome").await?;
    let function = LambdaFunction::start(trap.function, &world.lambda_env(&[AUTO]))?;
    world
        .proxy()
        .inject(publish_of("deleted").fault(Fault::Status(500)));

    failed_with(function.invoke(&trap.event)?, "IdcGuardrail.PublishFailed")?;
    assert!(
        !trap.exists(&world).await?,
        "the delete itself went through"
    );
    let first = world.all_findings().await?;
    assert_eq!(statuses(&first), vec!["deleting"], "{}", show(&first));

    world.proxy().clear();
    ok(function.invoke(&trap.event)?)?;
    let messages = world.messages().await?;
    match via {
        // The event names the instance: the retry's word supersedes the `deleting`.
        Via::CreateInstance => {
            let latest = latest_words(
                messages
                    .into_iter()
                    .filter(|m| m.message_type() == "finding")
                    .collect(),
            );
            assert_eq!(
                statuses(&latest),
                vec!["already_deleted"],
                "the retry must supersede the `deleting` left by the first attempt:\n{}",
                show(&latest)
            );
            assert_eq!(latest[0].id(), first[0].id(), "under the same id");
            assert!(latest[0].sequence() > first[0].sequence());
        }
        // The account now owns no instance, so there is no finding to repeat: the retry
        // closes the story with an all-clear notice for the same event.
        Via::OrgEvent => {
            assert!(
                messages.iter().all(|m| m.message_type() != "finding"),
                "{}",
                show(&messages)
            );
            let clear: Vec<&Received> = messages
                .iter()
                .filter(|m| m.message_type() == "all_clear")
                .collect();
            assert_eq!(clear.len(), 1, "{}", show(&messages));
            assert_eq!(
                clear[0].finding["trigger"]["event_id"],
                first[0].finding["trigger"]["event_id"]
            );
            assert_eq!(
                clear[0].finding["account_id"],
                first[0].finding["account_id"]
            );
            assert!(clear[0].finding["sequence"].as_u64() > first[0].finding["sequence"].as_u64());
        }
    }
    Ok(())
}

#[tokio::test]
async fn create_instance_announcement_unpublished_deletes_nothing() -> Result<()> {
    announcement_fails(Via::CreateInstance).await
}

#[tokio::test]
async fn org_event_announcement_unpublished_deletes_nothing() -> Result<()> {
    announcement_fails(Via::OrgEvent).await
}

#[tokio::test]
async fn create_instance_delete_answer_lost_reports_the_instance_gone() -> Result<()> {
    delete_answer_lost(Via::CreateInstance).await
}

#[tokio::test]
async fn org_event_delete_answer_lost_reports_the_instance_gone() -> Result<()> {
    delete_answer_lost(Via::OrgEvent).await
}

#[tokio::test]
async fn create_instance_outcome_unpublished_is_told_by_the_retry() -> Result<()> {
    outcome_fails(Via::CreateInstance).await
}

#[tokio::test]
async fn org_event_outcome_unpublished_is_told_by_the_retry() -> Result<()> {
    outcome_fails(Via::OrgEvent).await
}

#[tokio::test]
async fn sweep_outcome_unpublished_fails_after_the_announcement() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("swept").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let function = LambdaFunction::start("sweep", &world.lambda_env(&[AUTO]))?;
    world
        .proxy()
        .inject(publish_of("deleted").fault(Fault::Status(500)));
    let scheduled = idc_e2e::events::scheduled_sweep(&world.management)?;

    failed_with(function.invoke(&scheduled)?, "IdcGuardrail.PublishFailed")?;
    assert!(!world.exists(&member, OTHER_REGION, &arn).await?);
    let all = world.all_findings().await?;
    assert_eq!(statuses(&all), vec!["deleting"], "{}", show(&all));
    assert_eq!(all[0].finding["instance_arn"], json!(arn));
    Ok(())
}

/// The outcome's `Publish` reaches SNS but its answer is lost: the SDK publishes again, so the
/// team receives two copies. Copies carry the same `(id, sequence)` and can be dropped; a
/// later delivery of the event speaks with a higher sequence.
#[tokio::test]
async fn copies_of_a_lost_publish_share_id_and_sequence() -> Result<()> {
    let world = World::start().await?;
    let trap = Trap::created(&world, "copies").await?;
    let function = LambdaFunction::start(trap.function, &world.lambda_env(&[AUTO]))?;
    world
        .proxy()
        .inject(publish_of("deleted").times(1).fault(Fault::LoseAnswer));

    ok(function.invoke(&trap.event)?)?;
    assert!(!trap.exists(&world).await?);
    let all = world.all_findings().await?;
    let id = one_id(&all)?;
    assert_eq!(
        statuses(&all),
        vec!["deleting", "deleted", "deleted"],
        "{}",
        show(&all)
    );
    assert_eq!(
        all[1].sequence(),
        all[2].sequence(),
        "a copy is the same message"
    );
    assert_eq!(all[1].finding, all[2].finding);
    assert!(all[0].sequence() < all[1].sequence());
    let latest = idc_e2e::world::latest_words(all.clone());
    assert_eq!(statuses(&latest), vec!["deleted"]);

    ok(function.invoke(&trap.event)?)?;
    let retry = world.findings().await?;
    assert_eq!(
        statuses(&retry),
        vec!["already_deleted"],
        "{}",
        show(&retry)
    );
    assert_eq!(retry[0].id(), id);
    assert!(retry[0].sequence() > all[2].sequence());
    Ok(())
}
