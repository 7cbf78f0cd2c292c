//! The Lambda binaries themselves, under cargo-lambda's Lambda runtime API emulator, against
//! the local AWS emulator: `lambda_runtime`, the cold start, the environment configuration and
//! the JSON logs run as they do in Lambda. Needs `cargo build --bins` and `make venv`.

use anyhow::Result;
use idc_e2e::events;
use idc_e2e::runtime::{cold_start_failure, Invocation, LambdaFunction};
use idc_e2e::world::{World, HOME_REGION, OTHER_REGION};
use serde_json::json;

fn ok(invocation: Invocation) -> serde_json::Value {
    match invocation {
        Invocation::Ok(v) => v,
        Invocation::Error(e) => panic!("invocation failed: {e}"),
    }
}

#[tokio::test]
async fn on_create_instance_deletes_publishes_and_logs_json() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("runtime").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let function = LambdaFunction::start(
        "on-create-instance",
        &world.lambda_env(&[("AUTO_REMEDIATE", "true")]),
    )?;

    let response = ok(function.invoke(&events::create_instance(
        &member,
        OTHER_REGION,
        Some(&arn),
        "ev-rt-1",
    )?)?);

    assert_eq!(response["findings"][0]["rule"], "IDC001");
    assert_eq!(response["findings"][0]["remediation_status"], "deleted");
    assert!(!world.exists(&member, OTHER_REGION, &arn).await?);
    let received = world.findings().await?;
    assert_eq!(received.len(), 1);
    assert_eq!(
        received[0].id(),
        response["findings"][0]["id"].as_str().unwrap_or("?")
    );
    // Every log line is a JSON object; the decision names the finding.
    let logs = function.logs();
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("log line is not JSON ({e}): {l}"))
        })
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["message"] == "decision" && l["finding_id"] == received[0].id()),
        "{logs}"
    );
    Ok(())
}

#[tokio::test]
async fn on_org_event_handles_the_delegated_admin_trap() -> Result<()> {
    let world = World::start().await?;
    let admin = world.create_member("identity-admin").await?;
    let arn = world.create_instance(&admin, HOME_REGION, &[]).await?;
    world.register_sso_admin(&admin).await?;
    let function = LambdaFunction::start(
        "on-org-event",
        &world.lambda_env(&[("AUTO_REMEDIATE", "true")]),
    )?;

    let response = ok(function.invoke(&events::register_delegated_admin(
        &world.management,
        &admin,
        "ev-rt-2",
    )?)?);

    assert_eq!(response["findings"][0]["rule"], "IDC002");
    assert_eq!(response["findings"][0]["remediation_status"], "deleted");
    assert!(!world.exists(&admin, HOME_REGION, &arn).await?);
    assert!(
        world
            .exists(&world.management, HOME_REGION, &world.org_instance_arn)
            .await?
    );
    // A CreateInstance sent to the wrong function is acknowledged, not acted on.
    let misrouted = ok(function.invoke(&events::create_instance(
        &admin,
        HOME_REGION,
        Some(&arn),
        "ev-rt-3",
    )?)?);
    assert_eq!(misrouted["findings"], json!([]));
    Ok(())
}

#[tokio::test]
async fn malformed_event_fails_the_invocation_and_deletes_nothing() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("malformed").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let function = LambdaFunction::start(
        "on-create-instance",
        &world.lambda_env(&[("AUTO_REMEDIATE", "true")]),
    )?;
    let mut event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-rt-bad")?;
    if let Some(detail) = event["detail"].as_object_mut() {
        detail.remove("eventName");
    }
    let Invocation::Error(error) = function.invoke(&event)? else {
        panic!("a malformed event must fail the invocation");
    };
    assert!(
        error.contains("IdcGuardrail.BadEvent") && error.contains("eventName"),
        "{error}"
    );
    assert!(world.exists(&member, OTHER_REGION, &arn).await?);
    assert!(world.findings().await?.is_empty());
    Ok(())
}

/// A payload that is not an envelope at all never reaches the handler: the runtime reads the
/// function's event type, fails the invocation with serde's error naming what is wrong (so
/// Lambda retries it and the DLQ keeps it), and serves the next event.
#[tokio::test]
async fn a_payload_that_is_not_an_envelope_fails_in_the_runtime_and_deletes_nothing() -> Result<()>
{
    let world = World::start().await?;
    let member = world.create_member("notenvelope").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let function = LambdaFunction::start(
        "on-create-instance",
        &world.lambda_env(&[("AUTO_REMEDIATE", "true")]),
    )?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-rt-shape")?;
    let positional = json!([
        event["version"],
        event["id"],
        event["detail-type"],
        event["source"]
    ]);
    let mut no_source = event.clone();
    if let Some(envelope) = no_source.as_object_mut() {
        envelope.remove("source");
    }
    for (payload, named) in [
        (positional, "expected a JSON object, found an array"),
        (no_source, "missing field `source`"),
    ] {
        let Invocation::Error(error) = function.invoke(&payload)? else {
            panic!("{payload} must fail the invocation");
        };
        assert!(error.contains(named), "{error}");
    }
    assert!(world.exists(&member, OTHER_REGION, &arn).await?);
    assert!(world.findings().await?.is_empty());
    // The same sandbox still serves a real event.
    assert!(matches!(function.invoke(&event)?, Invocation::Ok(_)));
    assert!(!world.exists(&member, OTHER_REGION, &arn).await?);
    Ok(())
}

#[tokio::test]
async fn publish_failure_fails_the_invocation_so_lambda_retries() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("nopublish").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let missing = format!(
        "arn:aws:sns:{HOME_REGION}:{}:deleted-topic",
        world.management
    );
    let function = LambdaFunction::start(
        "on-create-instance",
        &world.lambda_env(&[("TOPIC_ARN", &missing)]),
    )?;
    let Invocation::Error(error) = function.invoke(&events::create_instance(
        &member,
        OTHER_REGION,
        Some(&arn),
        "ev-rt-np",
    )?)?
    else {
        panic!("an unpublished finding must fail the invocation");
    };
    assert!(error.contains("IdcGuardrail.PublishFailed"), "{error}");
    Ok(())
}

#[tokio::test]
async fn invalid_configuration_fails_the_cold_start_naming_the_variable() -> Result<()> {
    let world = World::start().await?;
    let cases = [
        ("TOPIC_ARN", ""),
        ("AUTO_REMEDIATE", "sometimes"),
        ("EXEMPT_ACCOUNTS", "12345"),
        ("TRIAL_DAYS", "thirty"),
        ("MEMBER_ROLE_NAME", "bad role"),
        ("MANAGEMENT_ACCOUNT_ID", "mgmt"),
        ("REGIONS", "moon-1"),
        ("GUARDRAIL_NAME", "my guardrail"),
    ]
    .map(|case| ("on-create-instance", case));
    // The outlets' variables are the outlets function's alone.
    let outlets = [
        ("TOPIC_ARN", ""),
        ("SECURITY_HUB", "maybe"),
        ("CHAT_TOPIC_ARN", "chat"),
        ("CHAT_MIN_SEVERITY", "URGENT"),
        ("GUARDRAIL_NAME", "my guardrail"),
    ]
    .map(|case| ("outlets", case));
    for (function, (variable, value)) in cases.into_iter().chain(outlets) {
        let env = world.lambda_env(&[(variable, value)]);
        let (status, logs) = cold_start_failure(function, &env)?;
        assert!(
            !status.success(),
            "{variable}={value} must fail the cold start"
        );
        assert!(
            logs.contains(variable) && logs.contains("invalid configuration"),
            "{variable}: {logs}"
        );
    }
    // A function that deletes does not read them: it gets past its configuration.
    let env = world.lambda_env(&[("SECURITY_HUB", "maybe"), ("CHAT_TOPIC_ARN", "chat")]);
    let (_, logs) = cold_start_failure("on-create-instance", &env)?;
    assert!(!logs.contains("invalid configuration"), "{logs}");
    Ok(())
}
