//! The chat topic (`CHAT_TOPIC_ARN` of the outlets function), through the real Lambda binaries:
//! one custom notification of Amazon Q Developer in chat applications per finding at or above
//! `CHAT_MIN_SEVERITY` (HIGH by default), the outcome and not the announcement, read from an
//! SQS queue subscribed to the topic.

use anyhow::Result;
use idc_e2e::events;
use idc_e2e::faults::ok;
use idc_e2e::outlets::ChatChannel;
use idc_e2e::runtime::LambdaFunction;
use idc_e2e::world::{World, OTHER_REGION};

#[tokio::test]
async fn a_deletion_reaches_chat_once_in_the_custom_notification_format() -> Result<()> {
    let world = World::start().await?;
    let chat = ChatChannel::create(&world).await?;
    let member = world.create_member("chat").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let function = LambdaFunction::start(
        "on-create-instance",
        &world.lambda_env(&[("AUTO_REMEDIATE", "true")]),
    )?;

    let response = ok(function.invoke(&events::create_instance(
        &member,
        OTHER_REGION,
        Some(&arn),
        "ev-chat-1",
    )?)?)?;
    assert_eq!(response["findings"][0]["remediation_status"], "deleted");
    let failed = world
        .run_outlets(&[("CHAT_TOPIC_ARN", &chat.topic_arn)])
        .await?;
    assert!(failed.is_empty(), "{failed:?}");
    let messages = chat.messages(&world).await?;
    let [m] = messages.as_slice() else {
        panic!("one chat message (the outcome, not `deleting`): {messages:?}")
    };
    assert_eq!(m["version"], "1.0");
    assert_eq!(m["source"], "custom");
    assert_eq!(m["content"]["textType"], "client-markdown");
    let title = m["content"]["title"].as_str().unwrap_or_default();
    for part in ["[HIGH]", "IDC001", member.as_str(), OTHER_REGION] {
        assert!(title.contains(part), "{part} in {title}");
    }
    let description = m["content"]["description"].as_str().unwrap_or_default();
    assert!(description.contains("`deleted`"), "{description}");
    assert!(m["content"]["nextSteps"]
        .as_array()
        .is_some_and(|s| !s.is_empty()));
    assert_eq!(m["metadata"]["threadId"], response["findings"][0]["id"]);
    assert_eq!(m["metadata"]["relatedResources"][0], arn.as_str());
    // The findings topic still has both messages of the lifecycle.
    assert_eq!(world.all_findings().await?.len(), 2);
    Ok(())
}

#[tokio::test]
async fn below_the_threshold_stays_off_chat_until_the_threshold_is_lowered() -> Result<()> {
    let world = World::start().await?;
    let chat = ChatChannel::create(&world).await?;
    let member = world.create_member("chat-info").await?;
    // A CreateInstance denied by the SCP: IDC004, INFO.
    let denied = events::create_instance(&member, OTHER_REGION, None, "ev-chat-2")?;

    let function = LambdaFunction::start("on-create-instance", &world.lambda_env(&[]))?;
    let response = ok(function.invoke(&denied)?)?;
    assert_eq!(response["findings"][0]["rule"], "IDC004");
    let delivered = world.take_messages(&world.outlets_queue_url).await?;
    let default = [("CHAT_TOPIC_ARN", chat.topic_arn.as_str())];
    assert!(world.run_outlets_on(&default, &delivered)?.is_empty());
    assert!(
        chat.messages(&world).await?.is_empty(),
        "INFO is below HIGH"
    );
    assert_eq!(
        world.findings().await?.len(),
        1,
        "the topic gets every finding"
    );

    // The same delivery again, to an outlets function with a lower threshold.
    let everything = [
        ("CHAT_TOPIC_ARN", chat.topic_arn.as_str()),
        ("CHAT_MIN_SEVERITY", "INFO"),
    ];
    assert!(world.run_outlets_on(&everything, &delivered)?.is_empty());
    let messages = chat.messages(&world).await?;
    let [m] = messages.as_slice() else {
        panic!("one chat message: {messages:?}")
    };
    assert!(m["content"]["title"]
        .as_str()
        .unwrap_or_default()
        .starts_with("[INFO] IDC004"));
    Ok(())
}
