//! The organization-wide sweep end to end on the emulator: 20 member accounts in 3 Regions
//! with planted account instances, the member role missing in one account, through the
//! adapters, the `idc-guard` CLI, and the sweep and worker Lambdas under the runtime emulator.

use std::collections::BTreeMap;

use anyhow::Result;
use idc_core::sweep::no_progress;
use idc_e2e::runtime::{Invocation, LambdaFunction};
use idc_e2e::world::{latest_words, World, HOME_REGION, OTHER_REGION};
use serde_json::Value;

const THIRD_REGION: &str = "ap-southeast-2";
const REGIONS: &str = "us-east-1,eu-west-1,ap-southeast-2";
const MEMBER_ROLE: &str = idc_core::settings::DEFAULT_MEMBER_ROLE_NAME;

/// The planted organization and what the sweep must say about it.
struct Planted {
    world: World,
    accounts: Vec<String>,
    expected: BTreeMap<String, (&'static str, &'static str)>,
    exempt: String,
    no_role: String,
    holder: String,
    clean: String,
    /// The service control policy that keeps the exemption tag from the members.
    tag_policy: String,
}

async fn plant() -> Result<Planted> {
    let world = World::start().await?;
    let mut accounts = Vec::new();
    let regions: Vec<&str> = REGIONS.split(',').collect();
    for i in 0..20 {
        let account = world.create_member(&format!("workload-{i:02}")).await?;
        world.deploy_member_stack(&account, &regions).await?;
        accounts.push(account);
    }
    let tag_policy = world.protect_exempt_tag("idc-trial", true).await?;
    let (admin, exempt, in_use, trial, plain, no_role) = (
        &accounts[0],
        &accounts[1],
        &accounts[2],
        &accounts[3],
        &accounts[4],
        &accounts[5],
    );
    let mut expected = BTreeMap::new();

    world.create_instance(admin, HOME_REGION, &[]).await?;
    world.register_sso_admin(admin).await?;
    expected.insert(admin.clone(), ("IDC002", "deleted"));

    world.create_instance(exempt, OTHER_REGION, &[]).await?;
    expected.insert(exempt.clone(), ("IDC001", "skipped_exempt"));

    let used = world.create_instance(in_use, THIRD_REGION, &[]).await?;
    world
        .create_application(in_use, THIRD_REGION, &used)
        .await?;
    expected.insert(in_use.clone(), ("IDC001", "skipped_in_use"));

    let old = world
        .create_instance(trial, OTHER_REGION, &[("idc-trial", "ml-poc")])
        .await?;
    world.set_created_date(&old, "2026-01-15T09:00:00Z")?;
    expected.insert(trial.clone(), ("IDC005", "deleted"));

    world.create_instance(plain, THIRD_REGION, &[]).await?;
    expected.insert(plain.clone(), ("IDC001", "deleted"));

    // An instance the sweep cannot see: its account's member role is missing.
    world.create_instance(no_role, HOME_REGION, &[]).await?;
    world.remove_member_role(no_role)?;

    Ok(Planted {
        exempt: exempt.clone(),
        no_role: no_role.clone(),
        holder: in_use.clone(),
        clean: accounts[10].clone(),
        tag_policy,
        world,
        accounts,
        expected,
    })
}

fn policy(p: &Planted) -> Vec<(&'static str, String)> {
    vec![
        ("AUTO_REMEDIATE", "true".into()),
        ("EXEMPT_ACCOUNTS", p.exempt.clone()),
        ("EXEMPT_TAG", "idc-trial".into()),
        ("EXEMPT_TAG_POLICY_ID", p.tag_policy.clone()),
        ("TRIAL_DAYS", "30".into()),
        ("REGIONS", REGIONS.into()),
    ]
}

fn vars<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, s)| (*k, s.as_str())).collect()
}

#[tokio::test]
async fn sweep_finds_exactly_the_planted_instances_and_reports_the_unreachable_account(
) -> Result<()> {
    let p = plant().await?;
    let guardrail = p.world.guardrail(&vars(&policy(&p)))?;
    let assumed_before = p.world.emulator.assume_role_count(MEMBER_ROLE)?;
    let report = guardrail
        .sweep("sweep-e2e", idc_core::Budget::unbounded(), &no_progress)
        .await?;
    // One AssumeRole per reachable account, however many Regions and calls: the credentials
    // are cached per account for the life of the container.
    let assumed = p.world.emulator.assume_role_count(MEMBER_ROLE)? - assumed_before;
    assert_eq!(
        assumed,
        p.accounts.len() - 1,
        "AssumeRole calls of the member role"
    );

    let got: BTreeMap<String, (&str, &str)> = report
        .findings
        .iter()
        .map(|f| {
            (
                f.account_id.clone(),
                (f.rule.as_str(), f.remediation.status.as_str()),
            )
        })
        .collect();
    assert_eq!(got, p.expected);
    assert_eq!(
        report.findings.len(),
        p.expected.len(),
        "one finding per planted instance"
    );

    let summary = &report.summary;
    assert_eq!(summary.accounts, p.accounts.len());
    assert_eq!(summary.account_regions_listed, (p.accounts.len() - 1) * 3);
    let unreachable: Vec<(&str, &str)> = summary
        .unreachable
        .iter()
        .map(|u| (u.account_id.as_str(), u.region.as_str()))
        .collect();
    assert_eq!(unreachable.len(), 3);
    assert!(
        unreachable.iter().all(|(a, _)| *a == p.no_role),
        "{unreachable:?}"
    );
    // The account whose role is gone is the one coverage gap: every other member's forwarding
    // rule is there and enabled in every Region.
    let gaps = &summary.coverage.gaps;
    assert_eq!(summary.coverage.accounts_with_gaps, 1, "{gaps:?}");
    assert_eq!(
        (gaps[0].account_id.as_str(), gaps[0].gap),
        (
            p.no_role.as_str(),
            idc_core::sweep::GapKind::MemberRoleUnusable
        )
    );

    // What the security team received: the five findings and the summary.
    let messages = p.world.messages().await?;
    let summaries: Vec<_> = messages
        .iter()
        .filter(|m| m.finding["schema"] == "idc-guardrail/sweep-summary/v1")
        .collect();
    assert_eq!(summaries.len(), 1);
    assert_eq!(
        summaries[0].attributes.get("severity").map(String::as_str),
        Some("MEDIUM")
    );
    let findings: Vec<_> = messages
        .into_iter()
        .filter(|m| m.message_type() == "finding")
        .collect();
    assert_eq!(latest_words(findings).len(), p.expected.len());
    Ok(())
}

#[tokio::test]
async fn preflight_and_scan_from_the_command_line() -> Result<()> {
    let p = plant().await?;

    let (code, stdout, _) =
        p.world
            .idc_guard(&["preflight", "--account", &p.holder, "--regions", REGIONS])?;
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("not safe") && stdout.contains(THIRD_REGION),
        "{stdout}"
    );

    let (code, stdout, _) =
        p.world
            .idc_guard(&["preflight", "--account", &p.clean, "--regions", REGIONS])?;
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("safe"), "{stdout}");

    let (code, stdout, _) =
        p.world
            .idc_guard(&["preflight", "--account", &p.no_role, "--regions", REGIONS])?;
    assert_eq!(
        code, 3,
        "a Region that cannot be checked is not safe: {stdout}"
    );

    // Report-only by default: five findings, nothing deleted, exit 3 for the unreachable account.
    let (code, stdout, stderr) =
        p.world
            .idc_guard(&["scan", "--regions", REGIONS, "--format", "json"])?;
    assert_eq!(code, 3, "{stderr}");
    let findings: Vec<Value> = stdout
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    assert_eq!(findings.len(), p.expected.len());
    assert!(findings
        .iter()
        .all(|f| f["remediation"]["status"] != "deleted"));
    assert!(
        stderr.contains(&format!("unreachable: {}", p.no_role)),
        "{stderr}"
    );
    assert!(
        p.world.findings().await?.is_empty(),
        "scan publishes nothing unless asked"
    );
    Ok(())
}

#[tokio::test]
async fn scheduled_sweep_fans_out_to_the_worker_with_partial_batch_failures() -> Result<()> {
    let p = plant().await?;
    let queue_url = p.world.create_queue("idc-guardrail-sweep").await?;
    let mut env = policy(&p);
    env.push(("FANOUT_THRESHOLD", "5".into()));
    env.push(("WORKER_QUEUE_URL", queue_url.clone()));
    let env = p.world.lambda_env(&vars(&env));

    let sweep = LambdaFunction::start("sweep", &env)?;
    let scheduled = idc_e2e::events::scheduled_sweep(&p.world.management)?;

    let Invocation::Ok(summary) = sweep.invoke(&scheduled)? else {
        panic!("the sweep failed: {}", sweep.logs())
    };
    assert_eq!(summary["mode"], "fan_out");
    assert_eq!(summary["accounts"], 20);

    let tasks = p.world.take_messages(&queue_url).await?;
    assert_eq!(tasks.len(), 20, "one task per account");
    let messages: Vec<(String, String)> = tasks
        .iter()
        .cloned()
        .chain([("not-a-task".to_owned(), "{\"hello\": 1}".to_owned())])
        .collect();

    let worker = LambdaFunction::start("sweep-worker", &env)?;
    let mut failures = Vec::new();
    for batch in messages.chunks(10) {
        let Invocation::Ok(response) = worker.invoke(&idc_e2e::events::sqs_records(batch))? else {
            panic!("worker failed: {}", worker.logs())
        };
        for f in response["batchItemFailures"]
            .as_array()
            .into_iter()
            .flatten()
        {
            failures.push(f["itemIdentifier"].as_str().unwrap_or_default().to_owned());
        }
    }
    // The unreachable account's task fails after its summary is published (an incomplete look
    // is retried, then kept by the queue's dead-letter queue), and so does the message that is
    // not a task; every other task succeeds.
    let unreachable_task = tasks
        .iter()
        .find(|(_, body)| body.contains(&p.no_role))
        .map(|(id, _)| id.clone())
        .unwrap_or_default();
    failures.sort();
    let mut expected = vec![unreachable_task, "not-a-task".to_owned()];
    expected.sort();
    assert_eq!(failures, expected);
    let received = p.world.messages().await?;
    let got: BTreeMap<String, (String, String)> = received
        .iter()
        .filter(|m| m.attributes.get("message_type").map(String::as_str) == Some("finding"))
        .map(|m| {
            (
                m.finding["account_id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                (m.rule().to_owned(), m.status().to_owned()),
            )
        })
        .collect();
    let expected: BTreeMap<String, (String, String)> = p
        .expected
        .iter()
        .map(|(a, (r, s))| (a.clone(), ((*r).to_owned(), (*s).to_owned())))
        .collect();
    assert_eq!(got, expected);
    let account_summaries: Vec<_> = received
        .iter()
        .filter(|m| {
            m.finding["schema"] == "idc-guardrail/sweep-summary/v1"
                && m.finding["mode"] == "account"
        })
        .collect();
    assert_eq!(
        account_summaries.len(),
        1,
        "the unreachable account is reported by its worker"
    );
    assert_eq!(
        account_summaries[0].finding["unreachable"][0]["account_id"],
        p.no_role.as_str()
    );
    Ok(())
}
