//! A sandbox that dies right after `DeleteInstance` never publishes its outcome. Every function
//! queues the confirmation of an announced delete before it deletes; the worker that receives
//! it publishes the final word. Tried with the real binaries: the outcome's publish is lost for
//! good (the sandbox's last act), and the latest word per id must still be `deleted`.

use anyhow::Result;
use idc_e2e::events::{scheduled_sweep, sqs_records, sweep_task};
use idc_e2e::faults::{publish_of, show, statuses, Trap, Via, AUTO};
use idc_e2e::proxy::Fault;
use idc_e2e::runtime::{Invocation, LambdaFunction};
use idc_e2e::world::{latest_words, World, OTHER_REGION};
use serde_json::{json, Value};

/// Runs `function` on `event` with the outcome's publish lost, then the worker on what the
/// queue holds; the latest word of the instance's finding must be `deleted`.
async fn outcome_lost_then_confirmed(
    world: &World,
    function: &str,
    event: &Value,
    instance_arn: &str,
) -> Result<()> {
    let queue_url = world
        .create_queue(&format!("idc-worker-{function}"))
        .await?;
    let env = world.lambda_env(&[AUTO, ("WORKER_QUEUE_URL", &queue_url)]);
    let lambda = LambdaFunction::start(function, &env)?;
    world
        .proxy()
        .inject(publish_of("deleted").always().fault(Fault::Reset));
    // The invocation fails (the worker: its record fails), as a sandbox that dies would.
    let first = lambda.invoke(event)?;
    assert!(first.failed(), "{first:?}");
    world.proxy().clear();
    let announced = world.all_findings().await?;
    assert_eq!(
        statuses(&announced),
        vec!["deleting"],
        "the outcome was lost: {}",
        show(&announced)
    );

    let queued = world.take_messages(&queue_url).await?;
    let confirmations: Vec<(String, String)> = queued
        .into_iter()
        .filter(|(_, body)| body.contains("idc-guardrail/confirm-task/v1"))
        .collect();
    assert_eq!(
        confirmations.len(),
        1,
        "one confirmation per announced delete"
    );
    let worker = LambdaFunction::start("sweep-worker", &env)?;
    let Invocation::Ok(response) = worker.invoke(&sqs_records(&confirmations))? else {
        panic!("worker: {}", worker.logs())
    };
    assert_eq!(response["batchItemFailures"], json!([]), "{response}");

    let words = latest_words(
        announced
            .into_iter()
            .chain(world.all_findings().await?)
            .collect(),
    );
    let word = words
        .iter()
        .find(|w| w.finding["instance_arn"] == instance_arn)
        .map(|w| w.status().to_owned());
    assert_eq!(word.as_deref(), Some("deleted"), "{}", show(&words));
    Ok(())
}

#[tokio::test]
async fn an_event_functions_lost_outcome_is_confirmed_by_the_worker() -> Result<()> {
    let world = World::start().await?;
    for via in [Via::CreateInstance, Via::OrgEvent] {
        let trap = Trap::new(&world, via, &format!("lost-{via:?}").to_lowercase()).await?;
        outcome_lost_then_confirmed(&world, trap.function, &trap.event, &trap.instance_arn).await?;
        assert!(!trap.exists(&world).await?);
    }
    Ok(())
}

#[tokio::test]
async fn the_sweeps_lost_outcome_is_confirmed_by_the_worker() -> Result<()> {
    let world = World::start().await?;
    let (member, arn) = world.member_with_instance("lost-sweep").await?;
    let scheduled = scheduled_sweep(&world.management)?;
    outcome_lost_then_confirmed(&world, "sweep", &scheduled, &arn).await?;
    assert!(!world.exists(&member, OTHER_REGION, &arn).await?);
    Ok(())
}

#[tokio::test]
async fn the_workers_lost_outcome_is_confirmed_by_the_next_worker() -> Result<()> {
    let world = World::start().await?;
    let (member, arn) = world.member_with_instance("lost-worker").await?;
    let task = sweep_task("sweep-lost", &member);
    outcome_lost_then_confirmed(&world, "sweep-worker", &task, &arn).await?;
    assert!(!world.exists(&member, OTHER_REGION, &arn).await?);
    Ok(())
}
