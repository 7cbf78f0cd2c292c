//! What the administrator of a member account can do to the guardrail, tried against the real
//! Lambda binaries on the emulator: deny the member role `sso:ListApplications` or
//! `sso:ListTagsForResource` (a policy or a permissions boundary: AWS answers
//! AccessDeniedException, which the fault proxy gives), tag their own instance, let an
//! exemption run out, switch the forwarding rule off. Each is seen: nothing is deleted that
//! should not be, the delivery fails (Lambda retries it, then the DLQ keeps it; the worker's
//! record is a batch item failure, kept by the worker queue's DLQ), and the metrics count it.

use anyhow::Result;
use idc_e2e::faults::{detail, failed_with, ok, show, statuses, Trap, Via, AUTO};
use idc_e2e::outlets::invocation_metrics;
use idc_e2e::proxy::{Fault, Rule};
use idc_e2e::runtime::{Invocation, LambdaFunction};
use idc_e2e::world::{World, HOME_REGION, OTHER_REGION};
use serde_json::{json, Value};

const TAG: &str = "idc-trial";
const REGIONS: [&str; 2] = [HOME_REGION, OTHER_REGION];

/// The answer IAM gives a call an explicit Deny forbids.
fn denied() -> Fault {
    Fault::Error {
        status: 400,
        code: "AccessDeniedException".into(),
    }
}

/// The one invocation document's value of `metric`.
fn metric(function: &LambdaFunction, metric: &str) -> Value {
    let docs = invocation_metrics(&function.logs());
    docs.last()
        .map(|d| d[metric].clone())
        .unwrap_or(Value::Null)
}

fn scheduled(world: &World, id: &str) -> Result<Value> {
    let mut event = idc_e2e::events::scheduled_sweep(&world.management)?;
    event["id"] = json!(id);
    Ok(event)
}

/// A member whose instance is swept: the instance created, the member stack deployed.
async fn swept_member(world: &World, name: &str, tags: &[(&str, &str)]) -> Result<Trap> {
    let trap = Trap::created_tagged(world, name, tags).await?;
    world.deploy_member_stack(&trap.account, &REGIONS).await?;
    Ok(trap)
}

/// The sweep and then the worker, deletion on, `operation` denied to the member role: both
/// fail, nothing is deleted, the security team gets `dry_run` naming `fact`, and the summary
/// and the metric count the unknown fact.
async fn sweep_and_worker_fail(
    world: &World,
    trap: &Trap,
    vars: &[(&str, &str)],
    operation: &str,
    fact: &str,
) -> Result<()> {
    world.proxy().inject(Rule::on(operation).fault(denied()));
    let env = world.lambda_env(vars);

    let sweep = LambdaFunction::start("sweep", &env)?;
    failed_with(
        sweep.invoke(&scheduled(world, "tick-1")?)?,
        "IdcGuardrail.Incomplete",
    )?;
    assert_eq!(
        metric(&sweep, "SweepUnknownFacts"),
        json!(1),
        "{}",
        sweep.logs()
    );
    let messages = world.messages().await?;
    let summary = messages
        .iter()
        .find(|m| m.message_type() == "sweep_summary")
        .map(|m| m.finding.clone())
        .unwrap_or_default();
    assert_eq!(
        summary["unknown_facts"][0]["account_id"],
        trap.account.as_str()
    );
    assert!(
        summary["unknown_facts"][0]["fact"]
            .as_str()
            .is_some_and(|f| f.contains(fact)),
        "{summary}"
    );

    let worker = LambdaFunction::start("sweep-worker", &env)?;
    let Invocation::Ok(response) =
        worker.invoke(&idc_e2e::events::sweep_task("sweep-tick-2", &trap.account))?
    else {
        panic!("the worker reports failures per record: {}", worker.logs())
    };
    assert_eq!(response["batchItemFailures"][0]["itemIdentifier"], "task-1");
    assert_eq!(
        metric(&worker, "SweepUnknownFacts"),
        json!(1),
        "{}",
        worker.logs()
    );

    assert!(trap.exists(world).await?);
    assert_eq!(world.proxy().count("DeleteInstance"), 0);
    let all = world.all_findings().await?;
    assert!(
        all.iter().all(|f| f.status() == "dry_run"),
        "{}",
        show(&all)
    );
    assert!(all
        .iter()
        .all(|f| detail(f).is_ok_and(|d| d.contains(fact))));
    Ok(())
}

#[tokio::test]
async fn a_denied_list_applications_fails_the_sweep_and_the_worker() -> Result<()> {
    let world = World::start().await?;
    let trap = swept_member(&world, "deny-apps", &[]).await?;
    sweep_and_worker_fail(&world, &trap, &[AUTO], "ListApplications", "applications").await
}

#[tokio::test]
async fn a_denied_list_tags_fails_the_sweep_and_the_worker_when_a_tag_exempts() -> Result<()> {
    let world = World::start().await?;
    let trap = swept_member(&world, "deny-tags", &[]).await?;
    let policy = world.protect_exempt_tag(TAG, true).await?;
    let vars = [
        AUTO,
        ("EXEMPT_TAG", TAG),
        ("EXEMPT_TAG_POLICY_ID", policy.as_str()),
    ];
    sweep_and_worker_fail(&world, &trap, &vars, "ListTagsForResource", "tags").await
}

#[tokio::test]
async fn a_denied_listing_of_applications_or_tags_fails_both_event_functions() -> Result<()> {
    let world = World::start().await?;
    let policy = world.protect_exempt_tag(TAG, true).await?;
    let cases = [
        ("ListApplications", vec![AUTO]),
        (
            "ListTagsForResource",
            vec![
                AUTO,
                ("EXEMPT_TAG", TAG),
                ("EXEMPT_TAG_POLICY_ID", policy.as_str()),
            ],
        ),
    ];
    for (denied_operation, vars) in cases {
        for via in [Via::CreateInstance, Via::OrgEvent] {
            let name = format!("deny-{denied_operation}-{via:?}").to_lowercase();
            let trap = Trap::new(&world, via, &name).await?;
            let function = LambdaFunction::start(trap.function, &world.lambda_env(&vars))?;
            world
                .proxy()
                .inject(Rule::on(denied_operation).fault(denied()));
            failed_with(function.invoke(&trap.event)?, "IdcGuardrail.Incomplete")?;
            assert_eq!(metric(&function, "Failures"), json!(1), "{name}");
            assert!(trap.exists(&world).await?, "{name}");
            assert_eq!(world.proxy().count("DeleteInstance"), 0, "{name}");
            let all = world.all_findings().await?;
            assert_eq!(statuses(&all), vec!["dry_run"], "{name}: {}", show(&all));
            world.proxy().clear();
        }
    }
    Ok(())
}

/// The member tags its own instance. Without the protecting policy attached to the root, the
/// tag exempts nothing: the instance is reported for what it is, and deleted.
#[tokio::test]
async fn a_member_set_tag_is_no_exemption_without_the_protecting_policy() -> Result<()> {
    let world = World::start().await?;
    let unattached = world.protect_exempt_tag(TAG, false).await?;
    for (name, policy) in [
        ("tag-no-policy", None),
        ("tag-unattached", Some(unattached.as_str())),
    ] {
        let trap = swept_member(&world, name, &[(TAG, "self-granted")]).await?;
        let mut vars = vec![AUTO, ("EXEMPT_TAG", TAG)];
        vars.extend(policy.map(|p| ("EXEMPT_TAG_POLICY_ID", p)));
        let function = LambdaFunction::start(trap.function, &world.lambda_env(&vars))?;
        ok(function.invoke(&trap.event)?)?;
        assert!(!trap.exists(&world).await?, "{name}");
        let latest = world.findings().await?;
        assert_eq!(
            (latest[0].rule(), latest[0].status()),
            ("IDC001", "deleted"),
            "{name}"
        );
    }
    Ok(())
}

/// The security team's exemption, held centrally: it spares the instance and is named in the
/// finding while it holds; once it has run out the instance is IDC005 and deleted.
#[tokio::test]
async fn a_central_exemption_spares_until_its_expiry_then_idc005_deletes() -> Result<()> {
    let world = World::start().await?;
    let trap = swept_member(&world, "exempted", &[]).await?;
    let exemption = |expires: &str| {
        json!([{"account": trap.account, "expires": expires, "reason": "QuickSight trial, SEC-123"}])
            .to_string()
    };
    let holding = exemption("2999-12-31");
    let function = LambdaFunction::start(
        trap.function,
        &world.lambda_env(&[AUTO, ("EXEMPTIONS", &holding)]),
    )?;
    ok(function.invoke(&trap.event)?)?;
    assert!(trap.exists(&world).await?);
    let spared = world.findings().await?;
    assert_eq!(
        (spared[0].rule(), spared[0].status()),
        ("IDC001", "skipped_exempt")
    );
    assert_eq!(
        spared[0].finding["exemption"]["reason"],
        "QuickSight trial, SEC-123"
    );
    assert_eq!(spared[0].finding["exemption"]["expired"], false);

    let expired = exemption("2026-01-31");
    let function = LambdaFunction::start(
        trap.function,
        &world.lambda_env(&[AUTO, ("EXEMPTIONS", &expired)]),
    )?;
    ok(function.invoke(&trap.event)?)?;
    assert!(!trap.exists(&world).await?);
    let past = world.findings().await?;
    assert_eq!((past[0].rule(), past[0].status()), ("IDC005", "deleted"));
    assert_eq!(past[0].finding["exemption"]["expired"], true);
    assert!(past[0].finding["explanation"]
        .as_str()
        .is_some_and(|e| e.contains("2026-02-01")));
    Ok(())
}

/// The member switches its forwarding rule off: its `CreateInstance` events no longer reach
/// the guardrail. The next sweep names the account and the Region, and counts the gap.
#[tokio::test]
async fn a_disabled_forwarding_rule_is_named_by_the_next_sweep() -> Result<()> {
    let world = World::start().await?;
    let quiet = world.create_member("quiet").await?;
    world.deploy_member_stack(&quiet, &REGIONS).await?;
    let disarmed = world.create_member("disarmed").await?;
    world.deploy_member_stack(&disarmed, &REGIONS).await?;
    world
        .disable_forwarding_rule(&disarmed, OTHER_REGION)
        .await?;

    let sweep = LambdaFunction::start("sweep", &world.lambda_env(&[]))?;
    let summary = ok(sweep.invoke(&scheduled(&world, "tick-gap")?)?)?;
    assert_eq!(summary["coverage"]["accounts_with_gaps"], 1, "{summary}");
    let gap = &summary["coverage"]["gaps"][0];
    assert_eq!(
        (&gap["account_id"], &gap["region"], &gap["gap"]),
        (
            &json!(disarmed),
            &json!(OTHER_REGION),
            &json!("forwarding_rule_not_enabled")
        )
    );
    assert_eq!(metric(&sweep, "SweepCoverageGaps"), json!(1));
    let published = world.messages().await?;
    assert!(published.iter().any(|m| m.message_type() == "sweep_summary"
        && m.attributes.get("severity").map(String::as_str) == Some("MEDIUM")));
    Ok(())
}
