//! `idc-guard plan` end to end: the real CLI, through the member role, against the emulator
//! serving what the plan reads (application providers, assignments, the identity store,
//! QuickSight's subscription) with real SDK clients.

use anyhow::{Context, Result};
use idc_e2e::events;
use idc_e2e::runtime::{Invocation, LambdaFunction};
use idc_e2e::world::{latest_words, World, HOME_REGION, OTHER_REGION};
use serde_json::Value;

#[tokio::test]
async fn the_plan_names_each_bound_application_its_people_and_its_steps() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("bi-team").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let planted = world.plant_in_use(&member, OTHER_REGION, &arn).await?;

    let args = [
        "plan",
        "--account",
        &member,
        "--regions",
        OTHER_REGION,
        "--home-region",
        HOME_REGION,
        "--details",
        "--json",
    ];
    let (code, stdout, stderr) = world.idc_guard(&args)?;
    assert_eq!(code, 0, "{stderr}");
    let plan: Value = serde_json::from_str(&stdout)?;
    assert_eq!(plan["schema"], "idc-guardrail/migration-plan/v1");
    let instances = plan["instances"].as_array().cloned().unwrap_or_default();
    assert_eq!(instances.len(), 1, "{plan}");
    let instance = &instances[0];
    assert_eq!(instance["instance_arn"], planted.instance_arn.as_str());
    assert_eq!(
        instance["store"],
        serde_json::json!({"users": 3, "groups": 1})
    );
    let apps = instance["apps"].as_array().cloned().unwrap_or_default();
    let of = |arn: &str| apps.iter().find(|a| a["application_arn"] == arn).cloned();
    let quicksight = of(&planted.quicksight_arn).context("QuickSight is in the plan")?;
    assert_eq!(quicksight["kind"], "quicksight");
    assert_eq!(
        (&quicksight["users"], &quicksight["groups"]),
        (&2.into(), &1.into())
    );
    let named: Vec<&str> = quicksight["principals"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        named.contains(&"user alice") && named.contains(&"group analysts"),
        "{named:?}"
    );
    assert!(quicksight["steps"].as_array().is_some_and(|s| s.len() >= 4));
    let q_developer = of(&planted.q_developer_arn).context("Q Developer is in the plan")?;
    assert_eq!(q_developer["kind"], "qdeveloper");
    assert_eq!(q_developer["users"], 1);
    let notes = instance["notes"].to_string();
    assert!(
        notes.contains("(this one)") && notes.contains(HOME_REGION),
        "{notes}"
    );

    // The same plan for a ticket, and for a terminal.
    let (code, markdown, _) = world.idc_guard(&args[..8])?;
    assert_eq!(code, 0);
    assert!(markdown.contains("Amazon QuickSight") && markdown.contains("Account instance"));
    let (code, ticket, _) = world.idc_guard(&[&args[..8], &["--markdown"]].concat())?;
    assert_eq!(code, 0);
    assert!(
        ticket.starts_with("# Leaving the account instances of account"),
        "{ticket}"
    );

    // The management account's instance is the organization instance: nothing to leave.
    let management = world.management.clone();
    let (code, _, stderr) = world.idc_guard(&["plan", "--account", &management])?;
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("management account"), "{stderr}");
    Ok(())
}

#[tokio::test]
async fn a_provider_that_cannot_be_read_gives_the_generic_plan_and_an_incomplete_exit() -> Result<()>
{
    let world = World::start().await?;
    let member = world.create_member("opaque").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let sso = aws_sdk_ssoadmin::Client::new(&world.as_account(&member, OTHER_REGION).await?);
    sso.create_application()
        .instance_arn(&arn)
        .application_provider_arn("arn:aws:sso::aws:applicationProvider/app-0123456789abcdef")
        .name("acme-portal")
        .send()
        .await
        .context("CreateApplication")?;

    let (code, stdout, stderr) = world.idc_guard(&[
        "plan",
        "--account",
        &member,
        "--regions",
        OTHER_REGION,
        "--json",
    ])?;
    assert_eq!(
        code, 3,
        "an unread provider makes the plan incomplete: {stderr}"
    );
    let plan: Value = serde_json::from_str(&stdout)?;
    let app = &plan["instances"][0]["apps"][0];
    assert_eq!(
        (&app["kind"], &app["known"]),
        (&"generic".into(), &false.into()),
        "{app}"
    );
    let unread = plan["instances"][0]["unread"].to_string();
    assert!(unread.contains("app-0123456789abcdef"), "{unread}");
    Ok(())
}

/// The finding of an account instance kept in use carries the plan in short, read by the real
/// function through the member role: each application's kind and counts, and the command.
#[tokio::test]
async fn a_kept_instance_s_finding_carries_the_plan_in_short() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("bi-short").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    world.plant_in_use(&member, OTHER_REGION, &arn).await?;
    let function = LambdaFunction::start(
        "on-create-instance",
        &world.lambda_env(&[("AUTO_REMEDIATE", "true")]),
    )?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-plan-short")?;
    assert!(matches!(function.invoke(&event)?, Invocation::Ok(_)));
    assert!(world.exists(&member, OTHER_REGION, &arn).await?);
    let received = latest_words(world.findings().await?);
    assert_eq!(received.len(), 1);
    let finding = &received[0].finding;
    assert_eq!(finding["remediation"]["status"], "skipped_in_use");
    let migration = &finding["migration"];
    let kinds: Vec<(&str, u64, u64)> = migration["apps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            (
                a["kind"].as_str().unwrap_or_default(),
                a["users"].as_u64().unwrap_or(99),
                a["groups"].as_u64().unwrap_or(99),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [("Amazon QuickSight", 2, 1), ("Amazon Q Developer", 1, 0)],
        "{migration}"
    );
    assert_eq!(
        migration["command"],
        format!("idc-guard plan --account {member} --regions {OTHER_REGION}")
    );
    Ok(())
}
