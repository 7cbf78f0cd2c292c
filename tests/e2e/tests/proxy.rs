//! The fault proxy itself, through the real AWS SDK against the real emulator: with no rule it
//! is transparent; each fault reaches the SDK as it would from AWS (and the SDK's own retries
//! are visible in the proxy's log); the world routes the guardrail, and only the guardrail,
//! through it.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use aws_sdk_ssoadmin::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use idc_e2e::events;
use idc_e2e::proxy::{Fault, Rate, Rule, Seen};
use idc_e2e::runtime::{Invocation, LambdaFunction};
use idc_e2e::world::{World, HOME_REGION, OTHER_REGION};

/// The SDK's default (standard) retry strategy: attempts per call.
const SDK_ATTEMPTS: usize = 3;

async fn sso(world: &World, account: &str, region: &str) -> Result<aws_sdk_ssoadmin::Client> {
    Ok(aws_sdk_ssoadmin::Client::new(
        &world.as_account_via_proxy(account, region).await?,
    ))
}

async fn list(client: &aws_sdk_ssoadmin::Client) -> Result<Vec<String>> {
    let out = client
        .list_instances()
        .send()
        .await
        .map_err(|e| anyhow!("ListInstances: {}", DisplayErrorContext(e)))?;
    Ok(out
        .instances
        .unwrap_or_default()
        .into_iter()
        .filter_map(|i| i.instance_arn)
        .collect())
}

/// The proxy's log of one operation (in one Region, when given).
fn seen(world: &World, operation: &str, region: Option<&str>) -> Vec<Seen> {
    world
        .proxy()
        .log()
        .into_iter()
        .filter(|s| s.operation == operation && region.is_none_or(|r| s.region == r))
        .collect()
}

fn faults(log: &[Seen]) -> Vec<Option<&str>> {
    log.iter().map(|s| s.fault.as_deref()).collect()
}

#[tokio::test]
async fn without_rules_the_proxy_is_transparent_and_classifies_each_call() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("transparent").await?;
    let client = sso(&world, &member, OTHER_REGION).await?;

    let arn = client
        .create_instance()
        .name("via-proxy")
        .send()
        .await
        .map_err(|e| anyhow!("CreateInstance: {}", DisplayErrorContext(e)))?
        .instance_arn
        .context("CreateInstance gave no ARN")?;
    assert!(list(&client).await?.contains(&arn));
    assert!(world.exists(&member, OTHER_REGION, &arn).await?);
    let organization = aws_sdk_organizations::Client::new(world.guardrail_sdk())
        .describe_organization()
        .send()
        .await
        .context("DescribeOrganization")?
        .organization
        .and_then(|o| o.id);
    assert_eq!(
        organization.as_deref(),
        Some(world.organization_id.as_str())
    );
    let caller = aws_sdk_sts::Client::new(world.guardrail_sdk())
        .get_caller_identity()
        .send()
        .await
        .context("GetCallerIdentity")?;
    assert_eq!(caller.account(), Some(world.management.as_str()));

    let log = world.proxy().log();
    let calls: Vec<(&str, &str, &str)> = log
        .iter()
        .map(|s| (s.operation.as_str(), s.service.as_str(), s.region.as_str()))
        .collect();
    assert_eq!(
        calls,
        vec![
            ("CreateInstance", "sso", OTHER_REGION),
            ("ListInstances", "sso", OTHER_REGION),
            ("DescribeOrganization", "organizations", HOME_REGION),
            ("GetCallerIdentity", "sts", HOME_REGION),
        ],
        "the world's own calls (AssumeRole, exists) bypass the proxy"
    );
    assert!(log
        .iter()
        .all(|s| s.fault.is_none() && s.status == Some(200) && s.forwarded));
    assert_eq!(
        log[0].connection, log[1].connection,
        "the SDK reused its kept-alive connection"
    );
    assert_eq!(world.proxy().count("ListInstances"), 1);
    Ok(())
}

#[tokio::test]
async fn test_only_endpoints_are_never_faulted_nor_logged() -> Result<()> {
    let world = World::start().await?;
    world
        .proxy()
        .inject(Rule::any().always().fault(Fault::Reset));
    let authority = world.proxy().url().trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&authority)?;
    write!(
        stream,
        "GET /moto-api/data.json HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer:.200}");
    assert!(answer.contains("\"sts\""), "{answer:.200}");
    assert!(world.proxy().log().is_empty());
    Ok(())
}

#[tokio::test]
async fn throttling_one_region_fails_it_after_the_sdk_retries_and_spares_the_other() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("throttled").await?;
    let home_arn = world.create_instance(&member, HOME_REGION, &[]).await?;
    let rule = world.proxy().inject(
        Rule::on("ListInstances")
            .region(OTHER_REGION)
            .always()
            .fault(Fault::Throttle),
    );

    let error = sso(&world, &member, OTHER_REGION)
        .await?
        .list_instances()
        .send()
        .await
        .err()
        .context("a throttled Region must fail")?;
    assert!(
        matches!(error, SdkError::ServiceError(_)),
        "{}",
        DisplayErrorContext(&error)
    );
    assert_eq!(error.code(), Some("ThrottlingException"));
    assert!(list(&sso(&world, &member, HOME_REGION).await?)
        .await?
        .contains(&home_arn));

    let throttled = seen(&world, "ListInstances", Some(OTHER_REGION));
    assert_eq!(faults(&throttled), vec![Some("Throttle"); SDK_ATTEMPTS]);
    assert!(throttled
        .iter()
        .all(|s| s.status == Some(400) && !s.forwarded));
    assert_eq!(world.proxy().fired(rule), SDK_ATTEMPTS);
    let home = seen(&world, "ListInstances", Some(HOME_REGION));
    assert_eq!(faults(&home), vec![None]);
    Ok(())
}

#[tokio::test]
async fn a_rate_throttles_each_caller_beyond_its_own_burst_and_the_sdk_retries_it() -> Result<()> {
    let world = World::start().await?;
    let (first, second) = (
        world.create_member("rate-1").await?,
        world.create_member("rate-2").await?,
    );
    // Bursts to 2, never refilled: the third call of a caller and all its retries are beyond.
    world.proxy().inject(
        Rule::on("ListInstances")
            .beyond_rate(Rate::new(0, 2))
            .fault(Fault::Error {
                status: 429,
                code: "TooManyRequestsException".into(),
            }),
    );
    let client = sso(&world, &first, OTHER_REGION).await?;
    list(&client).await?;
    list(&client).await?;
    let error = client
        .list_instances()
        .send()
        .await
        .err()
        .context("the third call is beyond the burst")?;
    assert_eq!(error.code(), Some("TooManyRequestsException"));
    // Another member account signs with its own keys: its own burst.
    list(&sso(&world, &second, OTHER_REGION).await?).await?;

    let log = seen(&world, "ListInstances", None);
    let throttled = Some("Error(429 TooManyRequestsException)");
    let mut expected = vec![None, None];
    expected.extend(vec![throttled; SDK_ATTEMPTS]);
    expected.push(None);
    assert_eq!(faults(&log), expected, "the SDK retried the throttle");
    Ok(())
}

#[tokio::test]
async fn one_server_error_is_absorbed_by_the_sdk_retry_and_persistent_ones_parse() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("flaky").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let client = sso(&world, &member, OTHER_REGION).await?;

    world
        .proxy()
        .inject(Rule::on("ListInstances").times(1).fault(Fault::Status(500)));
    assert!(list(&client).await?.contains(&arn));
    let attempts = seen(&world, "ListInstances", None);
    assert_eq!(faults(&attempts), vec![Some("Status(500)"), None]);
    assert_eq!(
        attempts.iter().map(|s| s.status).collect::<Vec<_>>(),
        vec![Some(500), Some(200)]
    );

    // Persistent errors surface with the code of the protocol's error body.
    world
        .proxy()
        .inject(Rule::on("ListInstances").fault(Fault::Status(500)));
    let json = client
        .list_instances()
        .send()
        .await
        .err()
        .context("JSON 500")?;
    assert_eq!(json.code(), Some("InternalServerException"));
    world
        .proxy()
        .inject(Rule::on("GetCallerIdentity").fault(Fault::Status(503)));
    let query = aws_sdk_sts::Client::new(world.guardrail_sdk())
        .get_caller_identity()
        .send()
        .await
        .err()
        .context("query 503")?;
    assert!(matches!(query, SdkError::ServiceError(_)));
    assert_eq!(query.code(), Some("ServiceUnavailable"));
    assert_eq!(world.proxy().count("GetCallerIdentity"), SDK_ATTEMPTS);
    Ok(())
}

#[tokio::test]
async fn a_reset_before_forwarding_fails_the_call_and_nothing_happens() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("reset").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    world
        .proxy()
        .inject(Rule::on("DeleteInstance").fault(Fault::Reset));

    let error = sso(&world, &member, OTHER_REGION)
        .await?
        .delete_instance()
        .instance_arn(&arn)
        .send()
        .await
        .err()
        .context("a reset connection must fail the call")?;
    // No answer, so no service error: the SDK retried the I/O error, then gave up.
    assert!(
        matches!(error, SdkError::DispatchFailure(_)),
        "{}",
        DisplayErrorContext(&error)
    );
    assert!(world.exists(&member, OTHER_REGION, &arn).await?);
    let attempts = seen(&world, "DeleteInstance", None);
    assert_eq!(faults(&attempts), vec![Some("Reset"); SDK_ATTEMPTS]);
    assert!(attempts.iter().all(|s| s.status.is_none() && !s.forwarded));
    assert!(
        attempts
            .windows(2)
            .all(|w| w[0].connection != w[1].connection),
        "a reset connection is not reused"
    );
    Ok(())
}

#[tokio::test]
async fn a_truncated_answer_fails_the_call() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("truncated").await?;
    world.create_instance(&member, OTHER_REGION, &[]).await?;
    world
        .proxy()
        .inject(Rule::on("ListInstances").fault(Fault::Truncate));

    let error = sso(&world, &member, OTHER_REGION)
        .await?
        .list_instances()
        .send()
        .await
        .err()
        .context("a truncated answer must fail the call")?;
    // The head arrived, the body broke off: a response error, retried by the SDK.
    assert!(
        matches!(error, SdkError::ResponseError(_)),
        "{}",
        DisplayErrorContext(&error)
    );
    let attempts = seen(&world, "ListInstances", None);
    assert_eq!(faults(&attempts), vec![Some("Truncate"); SDK_ATTEMPTS]);
    assert!(attempts
        .iter()
        .all(|s| s.status == Some(200) && s.forwarded));
    Ok(())
}

#[tokio::test]
async fn a_lost_answer_fails_the_call_but_the_instance_is_gone() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("lost").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    world.proxy().inject(
        Rule::on("DeleteInstance")
            .body_contains(&arn)
            .times(1)
            .fault(Fault::LoseAnswer),
    );

    let result = sso(&world, &member, OTHER_REGION)
        .await?
        .delete_instance()
        .instance_arn(&arn)
        .send()
        .await;
    let Err(error) = result else {
        panic!("the caller never got the answer, so its call cannot have succeeded");
    };
    // The SDK retried the lost answer; the instance was gone by then: AccessDenied, as AWS
    // answers a DeleteInstance of an instance that no longer exists.
    assert_eq!(
        error.code(),
        Some("AccessDeniedException"),
        "{}",
        DisplayErrorContext(&error)
    );
    assert!(
        !world.exists(&member, OTHER_REGION, &arn).await?,
        "the emulator deleted it all the same"
    );
    let attempts = seen(&world, "DeleteInstance", None);
    assert_eq!(faults(&attempts), vec![Some("LoseAnswer"), None]);
    assert_eq!(
        attempts
            .iter()
            .map(|s| (s.forwarded, s.status))
            .collect::<Vec<_>>(),
        vec![(true, None), (true, Some(400))]
    );
    Ok(())
}

#[tokio::test]
async fn an_empty_listing_once_then_the_real_answer() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("eventual").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    world.proxy().inject(
        Rule::on("ListInstances")
            .region(OTHER_REGION)
            .times(1)
            .fault(Fault::Respond {
                status: 200,
                body: r#"{"Instances": []}"#.into(),
            }),
    );
    let client = sso(&world, &member, OTHER_REGION).await?;
    assert!(list(&client).await?.is_empty());
    assert!(list(&client).await?.contains(&arn));
    let attempts = seen(&world, "ListInstances", None);
    assert_eq!(faults(&attempts), vec![Some("Respond(200)"), None]);
    assert_eq!(
        attempts.iter().map(|s| s.forwarded).collect::<Vec<_>>(),
        vec![false, true]
    );
    Ok(())
}

#[tokio::test]
async fn a_delayed_answer_takes_at_least_the_delay() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("slow").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let client = sso(&world, &member, OTHER_REGION).await?;
    let delay = Duration::from_millis(700);
    world.proxy().inject(
        Rule::on("ListInstances")
            .times(1)
            .fault(Fault::Delay(delay)),
    );

    let start = Instant::now();
    let listed = list(&client).await?;
    let elapsed = start.elapsed();
    assert!(elapsed >= delay, "{elapsed:?}");
    assert!(listed.contains(&arn));
    let attempts = seen(&world, "ListInstances", None);
    assert_eq!(faults(&attempts), vec![Some("Delay(700ms)")]);
    assert!(attempts[0].forwarded && attempts[0].status == Some(200));
    Ok(())
}

#[tokio::test]
async fn a_faulted_publish_reaches_no_one_and_the_others_do() -> Result<()> {
    let world = World::start().await?;
    let sns = aws_sdk_sns::Client::new(world.guardrail_sdk());
    // The query protocol percent-encodes the message: the rule names it as it is written.
    world.proxy().inject(
        Rule::on("Publish")
            .service("sns")
            .body_contains(r#""account_id":"111111111111""#)
            .fault(Fault::Status(500)),
    );
    let publish = |account: &str| {
        sns.publish()
            .topic_arn(&world.topic_arn)
            .message(format!(r#"{{"schema":"test","account_id":"{account}"}}"#))
            .send()
    };

    let error = publish("111111111111")
        .await
        .err()
        .context("the faulted Publish must fail")?;
    assert_eq!(error.code(), Some("InternalFailure"));
    publish("222222222222")
        .await
        .map_err(|e| anyhow!("Publish: {}", DisplayErrorContext(e)))?;

    let received = world.messages().await?;
    assert_eq!(
        received
            .iter()
            .map(|m| m.finding["account_id"].as_str().unwrap_or("?"))
            .collect::<Vec<_>>(),
        vec!["222222222222"]
    );
    let attempts = seen(&world, "Publish", None);
    assert_eq!(
        faults(&attempts),
        vec![
            Some("Status(500)"),
            Some("Status(500)"),
            Some("Status(500)"),
            None
        ]
    );
    assert!(attempts
        .iter()
        .all(|s| s.service == "sns" && s.region == HOME_REGION));
    Ok(())
}

#[tokio::test]
async fn the_guardrail_and_the_lambdas_go_through_the_proxy_and_the_setup_does_not() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("routed").await?;
    let first = world.create_instance(&member, OTHER_REGION, &[]).await?;
    assert!(
        world.proxy().log().is_empty(),
        "setup goes straight to the emulator"
    );

    let auto = [("AUTO_REMEDIATE", "true")];
    let event = events::create_instance(&member, OTHER_REGION, Some(&first), "ev-proxy-1")?;
    world
        .guardrail(&auto)?
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await?;
    assert_eq!(world.proxy().count("DeleteInstance"), 1);
    assert!(world.proxy().count("AssumeRole") >= 1);
    // The announcement before the delete, and the outcome.
    assert_eq!(world.proxy().count("Publish"), 2);
    assert!(!world.exists(&member, OTHER_REGION, &first).await?);
    assert_eq!(world.findings().await?.len(), 1);

    world.proxy().clear_log();
    let second = world.create_instance(&member, HOME_REGION, &[]).await?;
    let function = LambdaFunction::start("on-create-instance", &world.lambda_env(&auto))?;
    let response = match function.invoke(&events::create_instance(
        &member,
        HOME_REGION,
        Some(&second),
        "ev-proxy-2",
    )?)? {
        Invocation::Ok(v) => v,
        Invocation::Error(e) => panic!("invocation failed: {e}"),
    };
    assert_eq!(response["findings"][0]["remediation_status"], "deleted");
    let deletes = seen(&world, "DeleteInstance", Some(HOME_REGION));
    assert_eq!(deletes.len(), 1);
    assert_eq!(deletes[0].service, "sso");
    assert_eq!(
        world.proxy().count("Publish"),
        2,
        "announcement and outcome"
    );
    Ok(())
}

#[tokio::test]
async fn an_injected_error_code_reaches_the_sdk_as_that_service_error() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("conflict").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    world
        .proxy()
        .inject(Rule::on("DeleteInstance").times(1).fault(Fault::Error {
            status: 400,
            code: "ConflictException".into(),
        }));
    let client = sso(&world, &member, OTHER_REGION).await?;

    let error = client
        .delete_instance()
        .instance_arn(&arn)
        .send()
        .await
        .err()
        .context("the injected conflict must fail the call")?;
    assert!(matches!(error, SdkError::ServiceError(_)));
    assert_eq!(error.code(), Some("ConflictException"));
    assert!(world.exists(&member, OTHER_REGION, &arn).await?);
    // Not a transient error for the SDK: one attempt, the caller decides whether to retry.
    assert_eq!(
        faults(&seen(&world, "DeleteInstance", None)),
        vec![Some("Error(400 ConflictException)")]
    );
    client
        .delete_instance()
        .instance_arn(&arn)
        .send()
        .await
        .map_err(|e| anyhow!("DeleteInstance: {}", DisplayErrorContext(e)))?;
    assert!(!world.exists(&member, OTHER_REGION, &arn).await?);
    Ok(())
}
