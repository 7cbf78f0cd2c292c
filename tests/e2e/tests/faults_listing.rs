//! Listings that cannot be trusted, through the real Lambda binaries: a Region whose
//! `ListInstances` fails is never read as "nothing there", and one empty or still-creating
//! answer is looked at again before the guardrail believes it.

use anyhow::Result;
use idc_e2e::faults::{
    failed_with, notices, ok, seen_before_delete, set_create_status, show, statuses, Trap, AUTO,
};
use idc_e2e::proxy::{Fault, Rule};
use idc_e2e::runtime::LambdaFunction;
use idc_e2e::world::{World, HOME_REGION, OTHER_REGION};

/// The delegated administrator's account instance is in `OTHER_REGION`, whose listing always
/// meets `fault` (after the SDK's own retries); `HOME_REGION` answers. The registration must
/// not read as "holds no account instance".
async fn unlisted_region_is_incomplete(fault: Fault) -> Result<()> {
    let world = World::start().await?;
    let admin = world.create_member("unlisted").await?;
    let arn = world.create_instance(&admin, OTHER_REGION, &[]).await?;
    world.register_sso_admin(&admin).await?;
    let function = LambdaFunction::start("on-org-event", &world.lambda_env(&[AUTO]))?;
    world.proxy().inject(
        Rule::on("ListInstances")
            .region(OTHER_REGION)
            .fault(fault.clone()),
    );

    let event = idc_e2e::events::register_delegated_admin(&world.management, &admin, "ev-unl")?;
    failed_with(function.invoke(&event)?, "IdcGuardrail.Incomplete")?;

    assert!(world.exists(&admin, OTHER_REGION, &arn).await?);
    assert_eq!(world.proxy().count("DeleteInstance"), 0);
    let messages = world.messages().await?;
    let notices = notices(&messages);
    assert_eq!(notices.len(), 1, "{fault}: {}", show(&messages));
    let notice = &notices[0].finding;
    assert_eq!(notice["schema"], "idc-guardrail/incomplete/v1");
    assert_eq!(notice["account_id"], admin.as_str());
    let unknown: Vec<&str> = notice["unknown"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u["region"].as_str())
        .collect();
    assert_eq!(unknown, vec![OTHER_REGION], "{notice}");
    let listed: Vec<&str> = notice["regions_listed"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_str())
        .collect();
    assert_eq!(listed, vec![HOME_REGION], "{notice}");
    // Nothing in the queue reads as "all clear": no finding claims the account is clean.
    assert!(
        messages.iter().all(|m| m.message_type() == "incomplete"),
        "{}",
        show(&messages)
    );
    let home_answered = world.proxy().log().iter().any(|s| {
        s.operation == "ListInstances" && s.region == HOME_REGION && s.status == Some(200)
    });
    assert!(home_answered, "the other Region was listed");
    Ok(())
}

#[tokio::test]
async fn a_region_answering_500_is_incomplete() -> Result<()> {
    unlisted_region_is_incomplete(Fault::Status(500)).await
}

#[tokio::test]
async fn a_throttled_region_is_incomplete() -> Result<()> {
    unlisted_region_is_incomplete(Fault::Throttle).await
}

#[tokio::test]
async fn a_region_resetting_connections_is_incomplete() -> Result<()> {
    unlisted_region_is_incomplete(Fault::Reset).await
}

/// Right after `CreateInstance`, the first listing does not show the instance yet (AWS is
/// eventually consistent): the guardrail lists again and deletes it.
#[tokio::test]
async fn an_instance_not_listed_yet_is_looked_for_again_and_deleted() -> Result<()> {
    let world = World::start().await?;
    let trap = Trap::created(&world, "eventual").await?;
    let function = LambdaFunction::start(trap.function, &world.lambda_env(&[AUTO]))?;
    world
        .proxy()
        .inject(Rule::on("ListInstances").times(1).fault(Fault::Respond {
            status: 200,
            body: r#"{"Instances":[]}"#.into(),
        }));

    let response = ok(function.invoke(&trap.event)?)?;
    assert_eq!(response["findings"][0]["remediation_status"], "deleted");
    assert!(!trap.exists(&world).await?);
    let log = world.proxy().log();
    assert!(
        seen_before_delete(&log, "ListInstances") >= 2,
        "listed again before the delete: {log:?}"
    );
    let latest = world.findings().await?;
    assert_eq!(statuses(&latest), vec!["deleted"], "{}", show(&latest));
    Ok(())
}

/// An instance still `CREATE_IN_PROGRESS` for two reads: the guardrail waits for it to settle,
/// then deletes it.
#[tokio::test]
async fn an_instance_being_created_is_waited_for_then_deleted() -> Result<()> {
    let world = World::start().await?;
    set_create_status(&world, "CREATE_IN_PROGRESS", Some(2))?;
    let trap = Trap::created(&world, "creating").await?;
    let function = LambdaFunction::start(trap.function, &world.lambda_env(&[AUTO]))?;

    let response = ok(function.invoke(&trap.event)?)?;
    assert_eq!(response["findings"][0]["remediation_status"], "deleted");
    let log = world.proxy().log();
    assert!(
        seen_before_delete(&log, "ListInstances") >= 3,
        "two CREATE_IN_PROGRESS reads, then ACTIVE: {log:?}"
    );
    assert!(!trap.exists(&world).await?);
    let latest = world.findings().await?;
    assert_eq!(statuses(&latest), vec!["deleted"], "{}", show(&latest));
    Ok(())
}

/// An instance that never settles: not deleted, never reported `deleted`, and the invocation
/// fails so the event is retried.
#[tokio::test]
async fn an_instance_that_never_settles_is_not_deleted() -> Result<()> {
    let world = World::start().await?;
    set_create_status(&world, "CREATE_IN_PROGRESS", Some(50))?;
    let trap = Trap::created(&world, "unsettled").await?;
    let function = LambdaFunction::start(trap.function, &world.lambda_env(&[AUTO]))?;

    // Still being created after every listing: its applications cannot be read, a fact the
    // delete depends on, so the look is incomplete.
    failed_with(function.invoke(&trap.event)?, "IdcGuardrail.Incomplete")?;
    assert_eq!(world.proxy().count("DeleteInstance"), 0);
    assert!(trap.exists(&world).await?);
    let all = world.all_findings().await?;
    assert!(!all.is_empty(), "the finding reached the team");
    assert!(
        all.iter()
            .all(|f| !["deleted", "deleting"].contains(&f.status())),
        "{}",
        show(&all)
    );
    Ok(())
}
