//! `make demo`: the guardrail's story, end to end, on the local AWS emulator.
//!
//! An organization with member accounts is built in the emulator; the two Lambda binaries run
//! under cargo-lambda's Lambda runtime emulator with auto-remediation on; four things happen
//! in the organization and the security team reads what the guardrail published — on the
//! findings topic, then, through the outlets function on the topic's queue, in Security Hub
//! (`SECURITY_HUB=true`) and on the chat topic (`CHAT_TOPIC_ARN`); the last, an account instance
//! still in use, is kept and planned with `idc-guard plan`. Exits 1 if any outcome differs from
//! what the guardrail promises. Every
//! process it started is stopped.

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use idc_e2e::events;
use idc_e2e::outlets::{security_hub_findings, ChatChannel};
use idc_e2e::runtime::{Invocation, LambdaFunction};
use idc_e2e::world::{latest_words, Received, World, HOME_REGION, OTHER_REGION};

fn step(text: &str) {
    use std::io::IsTerminal;
    if std::io::stdout().is_terminal() {
        println!("\n\x1b[1m{text}\x1b[0m");
    } else {
        println!("\n{text}");
    }
}

fn say(text: &str) {
    println!("  {text}");
}

fn show(received: &[Received]) {
    for r in received {
        say(&format!("security-team queue <- {}", r.subject));
        say(&format!(
            "    remediation: {} ({})",
            r.status(),
            r.finding["remediation"]["detail"]
                .as_str()
                .unwrap_or_default()
        ));
    }
}

fn expect(what: &str, ok: bool) -> Result<()> {
    if ok {
        say(&format!("ok: {what}"));
        Ok(())
    } else {
        bail!("unexpected: {what} did not hold")
    }
}

/// Delivers the event to the function, shows what the security team received, and checks that
/// the latest word is exactly one finding of `rule` with remediation `status`.
async fn deliver(
    world: &World,
    function: &LambdaFunction,
    event: &serde_json::Value,
    rule: &str,
    status: &str,
) -> Result<Vec<Received>> {
    if let Invocation::Error(e) = function.invoke(event)? {
        bail!("the invocation failed: {e}");
    }
    // Every message, in order: a deletion is announced (`deleting`) before it happens.
    let all = world.all_findings().await?;
    show(&all);
    let received = latest_words(all);
    expect(
        &format!("one {rule} finding, status {status}"),
        received.len() == 1 && received[0].rule() == rule && received[0].status() == status,
    )?;
    Ok(received)
}

async fn story() -> Result<()> {
    step("Setting up: a local AWS (moto server + idc-guardrail extension) on 127.0.0.1");
    let world = World::start().await.context("starting the emulator")?;
    say(&format!("emulator: {}", world.emulator.url));
    say(&format!(
        "organization {} - management account {} - organization instance {} in {HOME_REGION}",
        world.organization_id, world.management, world.org_instance_arn
    ));
    say(&format!(
        "findings topic {} -> security-team SQS queue",
        world.topic_arn
    ));
    let analytics = world.create_member("analytics").await?;
    let identity = world.create_member("identity-admin").await?;
    let sandbox = world.create_member("sandbox").await?;
    say(&format!(
        "member accounts: analytics {analytics}, identity-admin {identity}, sandbox {sandbox}"
    ));

    let chat = ChatChannel::create(&world).await?;
    say(&format!(
        "chat topic {} -> chat-channel SQS queue",
        chat.topic_arn
    ));

    let env = world.lambda_env(&[("AUTO_REMEDIATE", "true")]);
    let on_create = LambdaFunction::start("on-create-instance", &env)?;
    let on_org = LambdaFunction::start("on-org-event", &env)?;
    say("Lambdas on-create-instance and on-org-event started under the Lambda runtime emulator (AUTO_REMEDIATE=true); they publish to the findings topic alone");

    step(&format!("1. A developer in member account {analytics} creates an account instance in {OTHER_REGION}"));
    let arn = world.create_instance(&analytics, OTHER_REGION, &[]).await?;
    say(&format!("sso-admin CreateInstance -> {arn}"));
    let event = events::create_instance(&analytics, OTHER_REGION, Some(&arn), "demo-create-1")?;
    deliver(&world, &on_create, &event, "IDC001", "deleted").await?;
    expect(
        "the account instance is gone",
        !world.exists(&analytics, OTHER_REGION, &arn).await?,
    )?;

    step(&format!("2. Account {identity}, which holds an account instance, becomes the Identity Center delegated administrator"));
    let trap = world.create_instance(&identity, HOME_REGION, &[]).await?;
    world.register_sso_admin(&identity).await?;
    let seen = world.instances(&identity, HOME_REGION).await?;
    say(&format!(
        "{identity} now sees {} instances in {HOME_REGION}: the trap",
        seen.len()
    ));
    let event = events::register_delegated_admin(&world.management, &identity, "demo-register-1")?;
    let received = deliver(&world, &on_org, &event, "IDC002", "deleted").await?;
    expect(
        "its severity is CRITICAL",
        received[0].attributes.get("severity").map(String::as_str) == Some("CRITICAL"),
    )?;
    expect(
        "the account instance is gone",
        !world.exists(&identity, HOME_REGION, &trap).await?,
    )?;
    expect(
        "the organization instance is untouched",
        world
            .exists(&world.management, HOME_REGION, &world.org_instance_arn)
            .await?,
    )?;

    step(&format!(
        "3. A developer in {sandbox} tries CreateInstance; the SCP denies it"
    ));
    let event = events::create_instance(&sandbox, OTHER_REGION, None, "demo-denied-1")?;
    deliver(&world, &on_create, &event, "IDC004", "none").await?;
    expect(
        "the organization instance is untouched",
        world
            .exists(&world.management, HOME_REGION, &world.org_instance_arn)
            .await?,
    )?;

    outlets(&world, &chat).await?;
    in_use(&world, &on_create).await?;
    step("Done: four events, four findings, two account instances removed, one kept with its migration plan, the organization instance intact.");
    Ok(())
}

/// An account instance that applications still use: kept, reported, and planned.
async fn in_use(world: &World, on_create: &LambdaFunction) -> Result<()> {
    let bi = world.create_member("bi-team").await?;
    step(&format!(
        "5. Account {bi} runs QuickSight and Q Developer on its own account instance in {OTHER_REGION}"
    ));
    let arn = world.create_instance(&bi, OTHER_REGION, &[]).await?;
    world.plant_in_use(&bi, OTHER_REGION, &arn).await?;
    say("three users and a group in its identity store; QuickSight (2 users, 1 group) and Q Developer (1 user) bound; QuickSight subscribed with it");
    let event = events::create_instance(&bi, OTHER_REGION, Some(&arn), "demo-in-use-1")?;
    deliver(world, on_create, &event, "IDC001", "skipped_in_use").await?;
    expect(
        "the account instance is kept",
        world.exists(&bi, OTHER_REGION, &arn).await?,
    )?;
    say(&format!(
        "The team's next step: idc-guard plan --account {bi} --regions {OTHER_REGION} --home-region {HOME_REGION}"
    ));
    let (code, plan, _) = world.idc_guard(&[
        "plan",
        "--account",
        &bi,
        "--regions",
        OTHER_REGION,
        "--home-region",
        HOME_REGION,
    ])?;
    for line in plan.lines() {
        say(&format!("    {line}"));
    }
    expect(
        "a complete plan naming QuickSight and Q Developer, read through the member role",
        code == 0 && plan.contains("[Amazon QuickSight]") && plan.contains("[Amazon Q Developer]"),
    )
}

/// What Security Hub and the chat channel show after the three events.
async fn outlets(world: &World, chat: &ChatChannel) -> Result<()> {
    step("4. The outlets function reads the findings topic's queue: Security Hub and chat, off the delete path");
    let failed = world
        .run_outlets(&[
            ("SECURITY_HUB", "true"),
            ("CHAT_TOPIC_ARN", &chat.topic_arn),
        ])
        .await?;
    expect("every delivery taken by the outlets", failed.is_empty())?;
    say("Security Hub of the management account (GetFindings):");
    let hub = security_hub_findings(world).await?;
    for f in &hub {
        say(&format!(
            "{} {} {:<13} workflow {:<8} record {:<8} compliance {}",
            f.id,
            f.generator_id,
            f.severity,
            f.workflow,
            f.record_state,
            if f.compliance.is_empty() {
                "-"
            } else {
                &f.compliance
            }
        ));
    }
    let state = |rule: &str| {
        hub.iter()
            .find(|f| f.generator_id.ends_with(rule))
            .map(|f| (f.workflow.as_str(), f.record_state.as_str()))
    };
    expect("three findings in Security Hub", hub.len() == 3)?;
    expect(
        "IDC001 RESOLVED and ARCHIVED after its deletion",
        state("IDC001") == Some(("RESOLVED", "ARCHIVED")),
    )?;
    expect(
        "IDC002 RESOLVED and ARCHIVED after its deletion",
        state("IDC002") == Some(("RESOLVED", "ARCHIVED")),
    )?;
    expect(
        "IDC004 stays NEW",
        state("IDC004") == Some(("NEW", "ACTIVE")),
    )?;

    say("The chat channel (custom notifications, HIGH and above):");
    let messages = chat.messages(world).await?;
    for m in &messages {
        say(&format!(
            "chat <- {}",
            m["content"]["title"].as_str().unwrap_or_default()
        ));
        for next in m["content"]["nextSteps"].as_array().into_iter().flatten() {
            say(&format!("    next: {}", next.as_str().unwrap_or_default()));
        }
    }
    expect(
        "two chat messages, the outcomes of IDC001 and IDC002 (IDC004 is INFO)",
        messages.len() == 2
            && messages
                .iter()
                .all(|m| m["source"] == "custom" && m["version"] == "1.0"),
    )?;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    match story().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\ndemo failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}
