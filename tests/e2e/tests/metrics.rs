//! CloudWatch Embedded Metric Format lines in the logs of the real Lambda binaries: one
//! document per invocation (`[Guardrail]`), plus one per rule and severity, parsed back from
//! what the functions printed — failed invocations and sweeps included.

use anyhow::Result;
use idc_e2e::events;
use idc_e2e::faults::{failed_with, ok, publish_of};
use idc_e2e::outlets::{emf_documents, invocation_metrics};
use idc_e2e::proxy::Fault;
use idc_e2e::runtime::LambdaFunction;
use idc_e2e::world::{World, HOME_REGION, OTHER_REGION};
use serde_json::{json, Value};

const NAME: (&str, &str) = ("GUARDRAIL_NAME", "idc-guardrail-e2e");

fn metric_names(doc: &Value) -> Vec<String> {
    doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["Name"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn each_invocation_prints_its_counts_failed_ones_too() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("metrics").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let function = LambdaFunction::start(
        "on-create-instance",
        &world.lambda_env(&[("AUTO_REMEDIATE", "true"), NAME]),
    )?;
    ok(function.invoke(&events::create_instance(
        &member,
        OTHER_REGION,
        Some(&arn),
        "ev-m-1",
    )?)?)?;

    let docs = invocation_metrics(&function.logs());
    let [doc] = docs.as_slice() else {
        panic!("one invocation document: {}", function.logs())
    };
    let spec = &doc["_aws"]["CloudWatchMetrics"][0];
    assert_eq!(spec["Namespace"], "IdcGuardrail");
    assert_eq!(doc["Guardrail"], "idc-guardrail-e2e");
    assert!(doc["_aws"]["Timestamp"].is_i64());
    assert_eq!(
        (
            &doc["Findings"],
            &doc["Deletions"],
            &doc["Skips"],
            &doc["Failures"]
        ),
        (&json!(1), &json!(1), &json!(0), &json!(0))
    );
    assert_eq!(
        metric_names(doc),
        ["Findings", "Deletions", "Skips", "Failures"]
    );
    let by_rule: Vec<Value> = emf_documents(&function.logs())
        .into_iter()
        .filter(|d| d.get("Rule").is_some())
        .collect();
    assert_eq!(by_rule.len(), 1, "{by_rule:?}");
    assert_eq!(
        by_rule[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
        json!([["Guardrail", "Rule", "Severity"]])
    );
    assert_eq!(
        (&by_rule[0]["Rule"], &by_rule[0]["Severity"]),
        (&json!("IDC001"), &json!("HIGH"))
    );

    // A second instance whose announcement cannot be published: the invocation fails.
    let other = world.create_member("metrics-2").await?;
    let arn = world.create_instance(&other, OTHER_REGION, &[]).await?;
    world
        .proxy()
        .inject(publish_of("deleting").fault(Fault::Status(500)));
    failed_with(
        function.invoke(&events::create_instance(
            &other,
            OTHER_REGION,
            Some(&arn),
            "ev-m-2",
        )?)?,
        "IdcGuardrail.PublishFailed",
    )?;
    let docs = invocation_metrics(&function.logs());
    assert_eq!(docs.len(), 2, "{}", function.logs());
    assert_eq!(
        (&docs[1]["Failures"], &docs[1]["Deletions"]),
        (&json!(1), &json!(0))
    );
    Ok(())
}

#[tokio::test]
async fn the_sweep_prints_its_coverage_and_duration() -> Result<()> {
    let world = World::start().await?;
    let members = [
        world.create_member("sweep-m-1").await?,
        world.create_member("sweep-m-2").await?,
    ];
    world.create_instance(&members[0], HOME_REGION, &[]).await?;
    let mut scheduled = events::scheduled_sweep(&world.management)?;

    let sweep = LambdaFunction::start("sweep", &world.lambda_env(&[NAME]))?;
    ok(sweep.invoke(&scheduled)?)?;
    let docs = invocation_metrics(&sweep.logs());
    let [doc] = docs.as_slice() else {
        panic!("one document: {}", sweep.logs())
    };
    assert_eq!(
        (
            &doc["SweepCompleted"],
            &doc["SweepUnreachable"],
            &doc["SweepAccounts"],
            &doc["Findings"]
        ),
        (&json!(1), &json!(0), &json!(2), &json!(1))
    );
    assert!(doc["SweepDurationMs"].is_u64());
    let units: Vec<&Value> = doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["Name"] == "SweepDurationMs")
        .map(|m| &m["Unit"])
        .collect();
    assert_eq!(units, [&json!("Milliseconds")]);

    // One member cannot be reached (a new container: member roles are assumed once per
    // container): the sweep is not complete, and says how much it missed.
    drop(sweep);
    world.remove_member_role(&members[1])?;
    let sweep = LambdaFunction::start("sweep", &world.lambda_env(&[NAME]))?;
    scheduled["id"] = json!("another-schedule-tick");
    ok(sweep.invoke(&scheduled)?)?;
    let docs = invocation_metrics(&sweep.logs());
    let [doc] = docs.as_slice() else {
        panic!("one document: {}", sweep.logs())
    };
    assert_eq!(
        (&doc["SweepCompleted"], &doc["SweepUnreachable"]),
        (&json!(0), &json!(2)),
        "two Regions of one account"
    );
    Ok(())
}
