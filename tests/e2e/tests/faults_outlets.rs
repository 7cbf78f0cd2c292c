//! Security Hub and the chat topic failing, through the real Lambda binaries: they are the
//! findings topic's subscribers (the outlets function on its queue), off the delete path. With
//! Security Hub failing, instances are still deleted and the topic still gets every word; the
//! outlets' failures are per delivery (SQS partial batch failures), retried, and never move a
//! Security Hub finding back to an older word.

use anyhow::Result;
use idc_e2e::events;
use idc_e2e::faults::{ok, show, statuses};
use idc_e2e::outlets::{security_hub_findings, ChatChannel};
use idc_e2e::proxy::{Fault, Rule};
use idc_e2e::runtime::LambdaFunction;
use idc_e2e::world::{World, HOME_REGION, OTHER_REGION};

const HUB: [(&str, &str); 1] = [("SECURITY_HUB", "true")];
const AUTO: [(&str, &str); 1] = [("AUTO_REMEDIATE", "true")];

/// A member with an account instance, its `CreateInstance` event, and `on-create-instance`.
async fn planted(
    world: &World,
    name: &str,
    env: &[(&str, &str)],
) -> Result<(String, String, LambdaFunction, serde_json::Value)> {
    let member = world.create_member(name).await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), &format!("ev-{name}"))?;
    let function = LambdaFunction::start("on-create-instance", &world.lambda_env(env))?;
    Ok((member, arn, function, event))
}

#[tokio::test]
async fn with_security_hub_failing_the_instance_is_deleted_and_the_topic_hears_every_word(
) -> Result<()> {
    let world = World::start().await?;
    let (member, arn, function, event) = planted(&world, "hub-down", &AUTO).await?;
    world.proxy().inject(
        Rule::on("BatchImportFindings")
            .always()
            .fault(Fault::Status(500)),
    );
    world
        .proxy()
        .inject(Rule::on("GetFindings").always().fault(Fault::Status(500)));

    let response = ok(function.invoke(&event)?)?;
    assert_eq!(response["findings"][0]["remediation_status"], "deleted");
    assert!(!world.exists(&member, OTHER_REGION, &arn).await?);
    assert_eq!(
        world.proxy().count("BatchImportFindings"),
        0,
        "not on the delete path"
    );
    let words = world.all_findings().await?;
    assert_eq!(
        statuses(&words),
        vec!["deleting", "deleted"],
        "{}",
        show(&words)
    );

    // The outlets fail every delivery that carries the finding (SQS delivers them again).
    let delivered = world.take_messages(&world.outlets_queue_url).await?;
    assert_eq!(delivered.len(), 2, "both words reach the outlets queue");
    let mut failed = world.run_outlets_on(&HUB, &delivered)?;
    failed.sort();
    let mut all: Vec<String> = delivered.iter().map(|(id, _)| id.clone()).collect();
    all.sort();
    assert_eq!(failed, all);
    assert!(security_hub_findings(&world).await?.is_empty());

    // Security Hub back: the redelivery imports the latest word, resolved.
    world.proxy().clear();
    assert!(world.run_outlets_on(&HUB, &delivered)?.is_empty());
    let hub = security_hub_findings(&world).await?;
    let [f] = hub.as_slice() else {
        panic!("one finding: {hub:?}")
    };
    assert_eq!(f.id, words[0].id());
    assert_eq!(
        (f.workflow.as_str(), f.record_state.as_str()),
        ("RESOLVED", "ARCHIVED")
    );
    Ok(())
}

/// Throttling is the SDK's to absorb: retried with backoff, every attempt signed for Security
/// Hub in the guardrail's own Region.
#[tokio::test]
async fn a_throttled_import_is_retried_by_the_sdk_and_signed_for_security_hub() -> Result<()> {
    let world = World::start().await?;
    let (_, _, function, event) = planted(&world, "hub-throttle", &[]).await?;
    ok(function.invoke(&event)?)?;
    world.proxy().inject(
        Rule::on("BatchImportFindings")
            .times(2)
            .fault(Fault::Throttle),
    );

    assert!(world.run_outlets(&HUB).await?.is_empty());
    let imports: Vec<_> = world
        .proxy()
        .log()
        .into_iter()
        .filter(|seen| seen.operation == "BatchImportFindings")
        .collect();
    assert_eq!(imports.len(), 3, "two throttled, then taken: {imports:?}");
    for seen in &imports {
        assert_eq!(
            (seen.service.as_str(), seen.region.as_str()),
            ("securityhub", HOME_REGION),
            "the SigV4 credential scope of every attempt"
        );
    }
    assert_eq!(security_hub_findings(&world).await?.len(), 1);
    Ok(())
}

/// A finding Security Hub names in `FailedFindings` fails its delivery alone; an answer that
/// counts failures without naming them fails every delivery of the batch.
#[tokio::test]
async fn failed_findings_fail_their_deliveries_and_the_rest_goes_through() -> Result<()> {
    let world = World::start().await?;
    let (_, _, first, first_event) = planted(&world, "hub-refused-1", &[]).await?;
    let (_, _, second, second_event) = planted(&world, "hub-refused-2", &[]).await?;
    let one = ok(first.invoke(&first_event)?)?["findings"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    ok(second.invoke(&second_event)?)?;
    let delivered = world.take_messages(&world.outlets_queue_url).await?;
    assert_eq!(delivered.len(), 2);
    let refused_delivery = delivered
        .iter()
        .find(|(_, body)| body.contains(&one))
        .map(|(id, _)| id.clone())
        .unwrap_or_default();

    let named = format!(
        r#"{{"FailedCount":1,"SuccessCount":1,"FailedFindings":[{{"Id":"{one}","ErrorCode":"InvalidInput","ErrorMessage":"refused"}}]}}"#
    );
    world.proxy().inject(
        Rule::on("BatchImportFindings")
            .times(1)
            .fault(Fault::Respond {
                status: 200,
                body: named,
            }),
    );
    assert_eq!(
        world.run_outlets_on(&HUB, &delivered)?,
        vec![refused_delivery]
    );

    world.proxy().clear();
    world.proxy().inject(
        Rule::on("BatchImportFindings")
            .times(1)
            .fault(Fault::Respond {
                status: 200,
                body: r#"{"FailedCount":2,"SuccessCount":0}"#.to_owned(),
            }),
    );
    assert_eq!(
        world.run_outlets_on(&HUB, &delivered)?.len(),
        2,
        "counted, not named: all fail"
    );
    Ok(())
}

/// A late delivery (an older word of an id, after a newer one) and a repeated one change
/// nothing in Security Hub: it is asked what it holds first.
#[tokio::test]
async fn late_and_repeated_deliveries_never_move_security_hub_back() -> Result<()> {
    let world = World::start().await?;
    let (_, _, function, event) = planted(&world, "hub-late", &AUTO).await?;
    ok(function.invoke(&event)?)?;
    let delivered = world.take_messages(&world.outlets_queue_url).await?;
    let words = world.all_findings().await?;
    assert_eq!(
        statuses(&words),
        vec!["deleting", "deleted"],
        "{}",
        show(&words)
    );
    let outcome: Vec<_> = delivered
        .iter()
        .filter(|(_, b)| b.contains("\"deleted\""))
        .cloned()
        .collect();
    assert_eq!(outcome.len(), 1);
    assert!(world.run_outlets_on(&HUB, &outcome)?.is_empty());
    assert_eq!(world.proxy().count("BatchImportFindings"), 1);

    // An older `failed` word of the same id, delivered late; then the outcome again.
    let (id, body) = &outcome[0];
    let mut older: serde_json::Value = serde_json::from_str(body)?;
    older["sequence"] = serde_json::json!(older["sequence"].as_u64().unwrap_or(1) - 1);
    older["remediation"]["status"] = serde_json::json!("failed");
    let late = vec![
        ("late".to_owned(), older.to_string()),
        (id.clone(), body.clone()),
    ];
    assert!(world.run_outlets_on(&HUB, &late)?.is_empty());
    assert_eq!(
        world.proxy().count("BatchImportFindings"),
        1,
        "nothing imported again"
    );
    let hub = security_hub_findings(&world).await?;
    let [f] = hub.as_slice() else {
        panic!("one finding: {hub:?}")
    };
    assert_eq!(f.workflow, "RESOLVED");
    assert_eq!(
        f.product_fields
            .get("idc-guardrail/remediation_status")
            .map(String::as_str),
        Some("deleted")
    );
    Ok(())
}

#[tokio::test]
async fn a_failing_chat_publish_fails_the_delivery_and_the_redelivery_reaches_chat() -> Result<()> {
    let world = World::start().await?;
    let chat = ChatChannel::create(&world).await?;
    let (_, _, function, event) = planted(&world, "chat-fault", &[]).await?;
    ok(function.invoke(&event)?)?;
    let delivered = world.take_messages(&world.outlets_queue_url).await?;
    let env = [
        ("SECURITY_HUB", "true"),
        ("CHAT_TOPIC_ARN", chat.topic_arn.as_str()),
    ];
    world.proxy().inject(
        Rule::on("Publish")
            .body_contains(&chat.topic_arn)
            .always()
            .fault(Fault::Status(500)),
    );

    assert_eq!(world.run_outlets_on(&env, &delivered)?.len(), 1);
    assert!(chat.messages(&world).await?.is_empty());
    assert_eq!(
        security_hub_findings(&world).await?.len(),
        1,
        "Security Hub has it"
    );

    world.proxy().clear();
    assert!(world.run_outlets_on(&env, &delivered)?.is_empty());
    assert_eq!(
        chat.messages(&world).await?.len(),
        1,
        "the redelivery reaches chat"
    );
    assert_eq!(
        world.proxy().count("BatchImportFindings"),
        1,
        "imported once"
    );
    Ok(())
}
