//! Security Hub as the findings topic's subscriber (the outlets function, `SECURITY_HUB=true`),
//! through the real Lambda binaries: every finding the functions publish is imported into the
//! management account's Security Hub as its default product, and read back with `GetFindings`;
//! a deletion resolves the finding under the same `Id`.

use anyhow::Result;
use idc_e2e::events;
use idc_e2e::faults::ok;
use idc_e2e::outlets::security_hub_findings;
use idc_e2e::runtime::LambdaFunction;
use idc_e2e::world::{World, OTHER_REGION};

const HUB: (&str, &str) = ("SECURITY_HUB", "true");
const AUTO: (&str, &str) = ("AUTO_REMEDIATE", "true");

#[tokio::test]
async fn a_finding_is_imported_then_resolved_by_the_deletion_under_the_same_id() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("hub").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let event = events::create_instance(&member, OTHER_REGION, Some(&arn), "ev-hub-1")?;

    // Report only first: the finding is there, new and failing.
    let report_only = LambdaFunction::start("on-create-instance", &world.lambda_env(&[]))?;
    let response = ok(report_only.invoke(&event)?)?;
    let id = response["findings"][0]["id"]
        .as_str()
        .unwrap_or("?")
        .to_owned();
    let topic = world.findings().await?;
    let [finding] = topic.as_slice() else {
        panic!("one finding on the topic: {topic:?}")
    };
    assert!(world.run_outlets(&[HUB]).await?.is_empty());
    let hub = security_hub_findings(&world).await?;
    let [f] = hub.as_slice() else {
        panic!("one finding in Security Hub: {hub:?}")
    };
    let product = format!(
        "arn:aws:securityhub:us-east-1:{0}:product/{0}/default",
        world.management
    );
    assert_eq!(f.id, id);
    assert_eq!(f.product_arn, product);
    assert_eq!(f.aws_account_id, world.management, "the importing account");
    assert_eq!(f.generator_id, "idc-guardrail/IDC001");
    assert_eq!(f.severity, "HIGH");
    assert!(
        f.types[0].starts_with("Software and Configuration Checks/"),
        "{:?}",
        f.types
    );
    assert_eq!(
        (f.resource_type.as_str(), f.resource_id.as_str()),
        ("Other", arn.as_str())
    );
    assert_eq!(
        (f.resource_region.as_str(), f.resource_partition.as_str()),
        (OTHER_REGION, "aws")
    );
    assert_eq!(f.details.get("owner"), Some(&member));
    assert_eq!(f.details.get("status").map(String::as_str), Some("ACTIVE"));
    assert_eq!(
        f.details.get("application_count").map(String::as_str),
        Some("0")
    );
    assert_eq!(
        f.product_fields.get("idc-guardrail/account_id"),
        Some(&member)
    );
    assert_eq!(
        Some(f.source_url.as_str()),
        finding.finding["references"][0].as_str()
    );
    assert!(
        f.recommendation.contains("Delete the account instance"),
        "{}",
        f.recommendation
    );
    assert_eq!(
        (
            f.workflow.as_str(),
            f.compliance.as_str(),
            f.record_state.as_str()
        ),
        ("NEW", "FAILED", "ACTIVE")
    );
    drop(report_only);

    // The same event with deletion on: the same Id, resolved.
    let remediating = LambdaFunction::start("on-create-instance", &world.lambda_env(&[AUTO]))?;
    let response = ok(remediating.invoke(&event)?)?;
    assert_eq!(response["findings"][0]["remediation_status"], "deleted");
    assert!(!world.exists(&member, OTHER_REGION, &arn).await?);
    assert!(world.run_outlets(&[HUB]).await?.is_empty());
    let hub = security_hub_findings(&world).await?;
    let [f] = hub.as_slice() else {
        panic!("still one finding in Security Hub: {hub:?}")
    };
    assert_eq!(f.id, id);
    assert_eq!(
        (
            f.workflow.as_str(),
            f.compliance.as_str(),
            f.record_state.as_str()
        ),
        ("RESOLVED", "PASSED", "ARCHIVED")
    );
    assert_eq!(
        f.product_fields
            .get("idc-guardrail/remediation_status")
            .map(String::as_str),
        Some("deleted")
    );
    // The emulator keeps Workflow on re-import, as AWS does: BatchUpdateFindings resolved it.
    assert_eq!(world.proxy().count("BatchUpdateFindings"), 1);
    Ok(())
}

#[tokio::test]
async fn a_skipped_instance_stays_new_and_failing() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("hub-in-use").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    world
        .create_application(&member, OTHER_REGION, &arn)
        .await?;
    let function = LambdaFunction::start("on-create-instance", &world.lambda_env(&[AUTO]))?;

    let response = ok(function.invoke(&events::create_instance(
        &member,
        OTHER_REGION,
        Some(&arn),
        "ev-hub-2",
    )?)?)?;
    assert_eq!(
        response["findings"][0]["remediation_status"],
        "skipped_in_use"
    );
    assert!(world.run_outlets(&[HUB]).await?.is_empty());
    let hub = security_hub_findings(&world).await?;
    let [f] = hub.as_slice() else {
        panic!("one finding: {hub:?}")
    };
    assert_eq!(
        (
            f.workflow.as_str(),
            f.compliance.as_str(),
            f.record_state.as_str()
        ),
        ("NEW", "FAILED", "ACTIVE")
    );
    assert_eq!(
        f.details.get("application_count").map(String::as_str),
        Some("1")
    );
    assert_eq!(world.proxy().count("BatchUpdateFindings"), 0);
    Ok(())
}

#[tokio::test]
async fn off_by_default() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("hub-off").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let function = LambdaFunction::start("on-create-instance", &world.lambda_env(&[]))?;
    ok(function.invoke(&events::create_instance(
        &member,
        OTHER_REGION,
        Some(&arn),
        "ev-hub-3",
    )?)?)?;
    assert_eq!(world.findings().await?.len(), 1);
    assert!(world.run_outlets(&[]).await?.is_empty());
    assert!(security_hub_findings(&world).await?.is_empty());
    assert_eq!(world.proxy().count("BatchImportFindings"), 0);
    Ok(())
}
