//! End to end, against the local AWS emulator: the guardrail's real adapters (official Rust
//! SDK, STS AssumeRole into member accounts, SNS to the security team's SQS queue) handle
//! real-shaped events. Each test builds its own emulator and organization.
//!
//! The emulator is moto server plus the project's extension (tests/emulator): stock moto lacks
//! CreateInstance, DescribeInstance, DeleteInstance, applications, instance tags, Identity
//! Center delegated administrators and cross-account SNS to SQS delivery.

use anyhow::Result;
use chrono::Utc;
use idc_core::HandleError;
use idc_e2e::events;
use idc_e2e::world::{World, HOME_REGION, OTHER_REGION};

const AUTO: &[(&str, &str)] = &[("AUTO_REMEDIATE", "true")];

#[tokio::test]
async fn member_instance_is_deleted_and_the_team_is_told() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("analytics").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-member-1")?;

    world
        .guardrail(AUTO)?
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await?;

    assert!(
        !world.exists(&member, OTHER_REGION, &arn).await?,
        "the account instance is gone"
    );
    let received = world.findings().await?;
    assert_eq!(received.len(), 1);
    let f = &received[0];
    assert_eq!((f.rule(), f.status()), ("IDC001", "deleted"));
    assert_eq!(f.finding["organization_id"], world.organization_id.as_str());
    assert_eq!(f.finding["instance_arn"], arn.as_str());
    assert_eq!(
        f.attributes.get("severity").map(String::as_str),
        Some("HIGH")
    );
    assert_eq!(f.attributes.get("rule").map(String::as_str), Some("IDC001"));
    assert_eq!(f.attributes.get("account_id"), Some(&member));
    assert_eq!(
        f.attributes.get("remediation_status").map(String::as_str),
        Some("deleted")
    );
    assert_eq!(
        f.subject,
        format!(
            "[HIGH] IDC001 {member} - Account instance of IAM Identity Center in a member account"
        )
    );
    Ok(())
}

#[tokio::test]
async fn report_only_is_the_default() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("reporting").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-report")?;
    world
        .guardrail(&[])?
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await?;
    assert!(world.exists(&member, OTHER_REGION, &arn).await?);
    let received = world.findings().await?;
    assert_eq!(
        received.iter().map(|f| f.status()).collect::<Vec<_>>(),
        vec!["skipped_not_enabled"]
    );
    Ok(())
}

#[tokio::test]
async fn delegated_admin_with_an_account_instance_is_critical_and_the_org_instance_is_untouched(
) -> Result<()> {
    let world = World::start().await?;
    let admin = world.create_member("identity-admin").await?;
    let arn = world.create_instance(&admin, HOME_REGION, &[]).await?;
    world.register_sso_admin(&admin).await?;
    // The trap, as the emulator models it: two instances in one Region.
    assert_eq!(world.instances(&admin, HOME_REGION).await?.len(), 2);

    let event = events::register_delegated_admin(&world.management, &admin, "ev-register")?;
    world
        .guardrail(AUTO)?
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await?;

    let received = world.findings().await?;
    assert_eq!(
        received.len(),
        1,
        "one finding for the one account instance"
    );
    assert_eq!(
        (received[0].rule(), received[0].status()),
        ("IDC002", "deleted")
    );
    assert_eq!(received[0].finding["instance_arn"], arn.as_str());
    assert_eq!(
        received[0].attributes.get("severity").map(String::as_str),
        Some("CRITICAL")
    );
    let left = world.instances(&admin, HOME_REGION).await?;
    assert_eq!(
        left,
        vec![(world.org_instance_arn.clone(), world.management.clone())]
    );
    Ok(())
}

#[tokio::test]
async fn create_instance_denied_by_the_scp_is_info_and_deletes_nothing() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("sandbox").await?;
    let event = events::create_instance(&member, OTHER_REGION, None, "ev-denied")?;
    world
        .guardrail(AUTO)?
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await?;
    let received = world.findings().await?;
    assert_eq!(received.len(), 1);
    assert_eq!(
        (received[0].rule(), received[0].status()),
        ("IDC004", "none")
    );
    assert_eq!(received[0].finding["instance_arn"], serde_json::Value::Null);
    assert!(
        world
            .exists(&world.management, HOME_REGION, &world.org_instance_arn)
            .await?
    );
    Ok(())
}

#[tokio::test]
async fn exempt_account_is_skipped() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("exempt").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-exempt")?;
    world
        .guardrail(&[("AUTO_REMEDIATE", "true"), ("EXEMPT_ACCOUNTS", &member)])?
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await?;
    assert!(world.exists(&member, OTHER_REGION, &arn).await?);
    assert_eq!(world.findings().await?[0].status(), "skipped_exempt");
    Ok(())
}

#[tokio::test]
async fn instance_with_applications_is_skipped_unless_forced() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("bi").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    world
        .create_application(&member, OTHER_REGION, &arn)
        .await?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-in-use")?;

    world
        .guardrail(AUTO)?
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await?;
    assert!(world.exists(&member, OTHER_REGION, &arn).await?);
    let first = world.findings().await?;
    assert_eq!(first[0].status(), "skipped_in_use");
    assert_eq!(first[0].finding["instance"]["application_count"], 1);

    let forced = [("AUTO_REMEDIATE", "true"), ("FORCE_DELETE_IN_USE", "true")];
    world
        .guardrail(&forced)?
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await?;
    assert!(!world.exists(&member, OTHER_REGION, &arn).await?);
    assert_eq!(world.findings().await?[0].status(), "deleted");
    Ok(())
}

#[tokio::test]
async fn exemption_tag_protects_within_the_trial_window_only() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("trial").await?;
    let arn = world
        .create_instance(&member, OTHER_REGION, &[("idc-trial", "data-team")])
        .await?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-trial")?;
    let policy = world.protect_exempt_tag("idc-trial", true).await?;
    let vars = [
        ("AUTO_REMEDIATE", "true"),
        ("EXEMPT_TAG", "idc-trial"),
        ("EXEMPT_TAG_POLICY_ID", policy.as_str()),
        ("TRIAL_DAYS", "30"),
    ];

    world
        .guardrail(&vars)?
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await?;
    assert!(world.exists(&member, OTHER_REGION, &arn).await?);
    let within = world.findings().await?;
    assert_eq!(
        (within[0].rule(), within[0].status()),
        ("IDC001", "skipped_exempt")
    );

    // Created 31 days ago, the window is over: IDC005, deleted.
    let created = (Utc::now() - chrono::Duration::days(31)).to_rfc3339();
    world.set_created_date(&arn, &created)?;
    world
        .guardrail(&vars)?
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await?;
    assert!(!world.exists(&member, OTHER_REGION, &arn).await?);
    let past = world.findings().await?;
    assert_eq!((past[0].rule(), past[0].status()), ("IDC005", "deleted"));
    Ok(())
}

#[tokio::test]
async fn duplicate_delivery_deletes_once_with_identical_finding_ids() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("twice").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-dup")?;
    let guardrail = world.guardrail(AUTO)?;
    guardrail
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await?;
    guardrail
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await?;
    // One id; in order of sequence: the announcement, the outcome, then the second delivery's
    // word — which is the latest.
    let received = world.all_findings().await?;
    assert!(received.iter().all(|f| f.id() == received[0].id()));
    let statuses: Vec<&str> = received.iter().map(|f| f.status()).collect();
    assert_eq!(statuses, vec!["deleting", "deleted", "already_deleted"]);
    Ok(())
}

#[tokio::test]
async fn instance_deleted_before_the_event_is_already_deleted() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("gone").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let sso = aws_sdk_ssoadmin::Client::new(&world.as_account(&member, OTHER_REGION).await?);
    sso.delete_instance().instance_arn(&arn).send().await?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-gone")?;
    world
        .guardrail(AUTO)?
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await?;
    assert_eq!(world.findings().await?[0].status(), "already_deleted");
    Ok(())
}

#[tokio::test]
async fn delete_conflicts_are_retried_with_backoff() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("busy").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    world.emulator.post(
        "/idc-guardrail/delete-conflicts",
        &serde_json::json!({"count": 2}),
    )?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-conflict")?;
    world
        .guardrail(AUTO)?
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await?;
    assert!(!world.exists(&member, OTHER_REGION, &arn).await?);
    assert_eq!(world.findings().await?[0].status(), "deleted");
    Ok(())
}

#[tokio::test]
async fn management_account_instance_is_never_deleted_even_with_every_flag_on() -> Result<()> {
    let world = World::start().await?;
    let all = [("AUTO_REMEDIATE", "true"), ("FORCE_DELETE_IN_USE", "true")];
    let guardrail = world.guardrail(&all)?;
    // A CreateInstance that names the organization instance, in the management account.
    let event = events::create_instance(
        &world.management,
        HOME_REGION,
        Some(&world.org_instance_arn),
        "ev-mgmt",
    )?;
    guardrail
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await?;
    // The management account registered as delegated admin of itself (AWS refuses; the
    // guardrail must not act even if such an event arrived).
    let event =
        events::register_delegated_admin(&world.management, &world.management, "ev-mgmt-reg")?;
    guardrail
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await?;
    assert!(
        world
            .exists(&world.management, HOME_REGION, &world.org_instance_arn)
            .await?
    );
    assert!(world.findings().await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn failed_publish_fails_the_invocation() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("nopublish").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let missing_topic = format!(
        "arn:aws:sns:{HOME_REGION}:{}:no-such-topic",
        world.management
    );
    let guardrail = world.guardrail(&[("TOPIC_ARN", &missing_topic)])?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-nopub")?;
    let result = guardrail
        .handle(&events::envelope(&event)?, idc_core::Budget::unbounded())
        .await;
    assert!(
        matches!(result, Err(HandleError::Publish { failed: 1, .. })),
        "{result:?}"
    );
    Ok(())
}
