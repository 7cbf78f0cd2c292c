//! Security Hub and the chat topic failing under the guardrail, through the real Lambda
//! binaries: an import or a chat publish that fails fails the invocation like a findings
//! publish that fails, so Lambda retries the event and nothing is lost — but they never decide
//! whether a deletion happens: the `deleting` announcement goes to the findings topic alone.

use anyhow::Result;
use idc_e2e::events;
use idc_e2e::faults::{failed_with, ok, show, statuses};
use idc_e2e::outlets::{security_hub_findings, ChatChannel};
use idc_e2e::proxy::{Fault, Rule};
use idc_e2e::runtime::LambdaFunction;
use idc_e2e::world::{World, HOME_REGION, OTHER_REGION};

const ENV: [(&str, &str); 2] = [("SECURITY_HUB", "true"), ("AUTO_REMEDIATE", "true")];

#[tokio::test]
async fn a_failing_import_does_not_stop_the_delete_and_the_retry_resolves() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("hub-fault").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-hub-f1")?;
    let function = LambdaFunction::start("on-create-instance", &world.lambda_env(&ENV))?;
    world.proxy().inject(
        Rule::on("BatchImportFindings")
            .always()
            .fault(Fault::Status(500)),
    );

    failed_with(function.invoke(&event)?, "IdcGuardrail.PublishFailed")?;
    assert!(
        !world.exists(&member, OTHER_REGION, &arn).await?,
        "Security Hub does not decide whether the instance is deleted"
    );
    assert_eq!(world.proxy().count("DeleteInstance"), 1);
    assert!(world.proxy().count("BatchImportFindings") >= 1);
    // The system of record got every word: the announcement, then the outcome.
    let first = world.all_findings().await?;
    assert_eq!(
        statuses(&first),
        vec!["deleting", "deleted"],
        "{}",
        show(&first)
    );
    assert!(security_hub_findings(&world).await?.is_empty());

    world.proxy().clear();
    let response = ok(function.invoke(&event)?)?;
    assert_eq!(
        response["findings"][0]["remediation_status"],
        "already_deleted"
    );
    let hub = security_hub_findings(&world).await?;
    let [f] = hub.as_slice() else {
        panic!("one finding: {hub:?}")
    };
    assert_eq!(f.id, first[0].id(), "the same finding, retried");
    assert_eq!(
        (f.workflow.as_str(), f.record_state.as_str()),
        ("RESOLVED", "ARCHIVED")
    );
    Ok(())
}

#[tokio::test]
async fn a_resolution_that_fails_after_the_delete_fails_the_invocation_and_the_retry_resolves(
) -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("hub-resolve").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-hub-f2")?;
    let function = LambdaFunction::start("on-create-instance", &world.lambda_env(&ENV))?;
    world.proxy().inject(
        Rule::on("BatchUpdateFindings")
            .always()
            .fault(Fault::Status(500)),
    );

    failed_with(function.invoke(&event)?, "IdcGuardrail.PublishFailed")?;
    assert!(
        !world.exists(&member, OTHER_REGION, &arn).await?,
        "deleted before the resolution"
    );
    let hub = security_hub_findings(&world).await?;
    assert_eq!(hub.len(), 1);
    // The announcement never reached Security Hub, so the outcome's import created the
    // finding, already RESOLVED; the failed BatchUpdateFindings still fails the invocation.
    assert_eq!(
        (hub[0].record_state.as_str(), hub[0].workflow.as_str()),
        ("ARCHIVED", "RESOLVED")
    );

    world.proxy().clear();
    let response = ok(function.invoke(&event)?)?;
    assert_eq!(
        response["findings"][0]["remediation_status"],
        "already_deleted"
    );
    let hub = security_hub_findings(&world).await?;
    assert_eq!((hub.len(), hub[0].workflow.as_str()), (1, "RESOLVED"));
    Ok(())
}

#[tokio::test]
async fn a_failing_chat_publish_fails_the_invocation_and_the_retry_reaches_chat() -> Result<()> {
    let world = World::start().await?;
    let chat = ChatChannel::create(&world).await?;
    let member = world.create_member("chat-fault").await?;
    // Report only: the finding (HIGH) goes to the topic, Security Hub and chat, and nothing
    // is deleted, so the retry meets the same instance.
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-chat-f1")?;
    let env = world.lambda_env(&[
        ("SECURITY_HUB", "true"),
        ("CHAT_TOPIC_ARN", &chat.topic_arn),
    ]);
    let function = LambdaFunction::start("on-create-instance", &env)?;
    world.proxy().inject(
        Rule::on("Publish")
            .body_contains(&chat.topic_arn)
            .always()
            .fault(Fault::Status(500)),
    );

    failed_with(function.invoke(&event)?, "IdcGuardrail.PublishFailed")?;
    assert!(chat.messages(&world).await?.is_empty());
    assert_eq!(
        world.findings().await?.len(),
        1,
        "the findings topic has it"
    );
    assert_eq!(
        security_hub_findings(&world).await?.len(),
        1,
        "so has Security Hub"
    );

    world.proxy().clear();
    ok(function.invoke(&event)?)?;
    assert_eq!(
        chat.messages(&world).await?.len(),
        1,
        "the retry reaches chat"
    );
    assert_eq!(
        security_hub_findings(&world).await?.len(),
        1,
        "still one finding (same Id)"
    );
    Ok(())
}

/// The import is sent without the SDK's model, by the SDK's runtime: signed for Security Hub
/// in the guardrail's own Region, and retried like any SDK call when throttled.
#[tokio::test]
async fn a_throttled_import_is_retried_and_every_attempt_is_signed_for_security_hub() -> Result<()>
{
    let world = World::start().await?;
    let member = world.create_member("hub-throttle").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-hub-f3")?;
    let function = LambdaFunction::start("on-create-instance", &world.lambda_env(&ENV[..1]))?;
    world.proxy().inject(
        Rule::on("BatchImportFindings")
            .times(2)
            .fault(Fault::Throttle),
    );

    ok(function.invoke(&event)?)?;
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
    assert_eq!(imports[2].status, Some(200));
    assert_eq!(security_hub_findings(&world).await?.len(), 1);
    Ok(())
}

/// An answer that names failed findings, or that cannot be read, is never taken for "all
/// imported": the invocation fails (to be retried) — while the delete, which Security Hub
/// never decides, has gone ahead once.
#[tokio::test]
async fn an_import_answer_with_failures_or_unreadable_fails_the_invocation() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("hub-answer").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-hub-f4")?;
    let function = LambdaFunction::start("on-create-instance", &world.lambda_env(&ENV))?;
    let answers = [
        r#"{"FailedCount":1,"SuccessCount":0,"FailedFindings":[{"Id":"x","ErrorCode":"InvalidInput","ErrorMessage":"refused"}]}"#,
        r#"{"FailedCount":2,"SuccessCount":0}"#,
        r#"{"FailedCount": "#,
    ];
    for body in answers {
        world.proxy().clear();
        world.proxy().inject(
            Rule::on("BatchImportFindings")
                .always()
                .fault(Fault::Respond {
                    status: 200,
                    body: body.to_owned(),
                }),
        );
        let error = failed_with(function.invoke(&event)?, "IdcGuardrail.PublishFailed")?;
        assert!(error.contains("BatchImportFindings"), "{body}: {error}");
    }
    assert!(!world.exists(&member, OTHER_REGION, &arn).await?);
    let words = world.all_findings().await?;
    assert_eq!(
        statuses(&words),
        vec!["deleting", "deleted", "already_deleted", "already_deleted"],
        "{}",
        show(&words)
    );
    Ok(())
}

/// An import whose answer is lost, or cut short, is sent again: Security Hub takes the same
/// `Id` twice as one finding, so the retry loses nothing and adds nothing.
#[tokio::test]
async fn an_import_whose_answer_is_lost_is_sent_again_and_counted_once() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("hub-lost").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-hub-f5")?;
    let function = LambdaFunction::start("on-create-instance", &world.lambda_env(&ENV[..1]))?;
    for fault in [Fault::LoseAnswer, Fault::Truncate] {
        world.proxy().clear();
        world.proxy().clear_log();
        world.proxy().inject(
            Rule::on("BatchImportFindings")
                .times(1)
                .fault(fault.clone()),
        );
        ok(function.invoke(&event)?)?;
        let imports = world.proxy().count("BatchImportFindings");
        assert_eq!(imports, 2, "{fault}: the lost attempt, then the retry");
        let hub = security_hub_findings(&world).await?;
        assert_eq!(hub.len(), 1, "{fault}: one finding under one Id: {hub:?}");
    }
    assert!(
        world.exists(&member, OTHER_REGION, &arn).await?,
        "report only"
    );
    Ok(())
}
