//! Envelopes that must not lead to a delete, through the real `on-create-instance` binary:
//! an event from a source other than AWS's own services (anyone with `events:PutEvents` on
//! the bus can send a CloudTrail-shaped detail), and one whose envelope and record disagree on
//! the account.

use anyhow::Result;
use idc_e2e::faults::{ok, show, Trap, AUTO};
use idc_e2e::runtime::LambdaFunction;
use idc_e2e::world::World;
use serde_json::json;

#[tokio::test]
async fn a_cloudtrail_shaped_event_from_another_source_is_ignored() -> Result<()> {
    let world = World::start().await?;
    let mut trap = Trap::created(&world, "forged").await?;
    trap.event["source"] = json!("my.app");
    let function = LambdaFunction::start(trap.function, &world.lambda_env(&[AUTO]))?;

    let response = ok(function.invoke(&trap.event)?)?;
    assert_eq!(response["findings"], json!([]), "{response}");
    assert!(trap.exists(&world).await?);
    assert_eq!(world.proxy().count("DeleteInstance"), 0);
    let messages = world.messages().await?;
    assert!(messages.is_empty(), "{}", show(&messages));
    Ok(())
}

#[tokio::test]
async fn an_envelope_for_another_account_is_reported_not_acted_on() -> Result<()> {
    let world = World::start().await?;
    let mut trap = Trap::created(&world, "mismatch").await?;
    let elsewhere = world.create_member("elsewhere").await?;
    trap.event["account"] = json!(elsewhere);
    let function = LambdaFunction::start(trap.function, &world.lambda_env(&[AUTO]))?;

    ok(function.invoke(&trap.event)?)?;
    assert!(trap.exists(&world).await?);
    assert_eq!(world.proxy().count("DeleteInstance"), 0);
    let all = world.all_findings().await?;
    assert!(!all.is_empty(), "the event is reported");
    assert!(
        all.iter()
            .all(|f| !["deleting", "deleted"].contains(&f.status())),
        "{}",
        show(&all)
    );
    Ok(())
}
