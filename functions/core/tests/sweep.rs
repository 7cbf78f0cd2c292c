//! The organization-wide sweep, its fan-out and preflight, over in-memory fakes.

use std::collections::BTreeSet;

use idc_core::finding::TriggerRef;
use idc_core::sweep::{no_progress, SweepMode, SweepTask};
use idc_core::{Budget, Policy, PreflightVerdict, RemediationStatus, RuleId};
use idc_testkit::*;

const CLEAN: &str = "444444444444";

fn fleet() -> Fake {
    let mut g = guardrail(
        Instances::with(world()),
        Publisher::default(),
        Policy::default(),
    );
    g.organizations.accounts.push(CLEAN.into());
    g
}

fn lists(g: &Fake) -> usize {
    g.instances.lists.lock().map(|n| *n).unwrap_or_default()
}

#[test]
fn sweep_reports_every_account_instance_and_never_the_org_instance() {
    let g = fleet();
    let report = block_on(g.sweep("sweep-1", Budget::unbounded(), &no_progress));
    let Ok(report) = report else {
        panic!("{report:?}")
    };
    let mut got: Vec<(String, RuleId)> = report
        .findings
        .iter()
        .map(|f| (f.account_id.clone(), f.rule))
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (MEMBER.to_owned(), RuleId::IDC001),
            (ADMIN.to_owned(), RuleId::IDC002)
        ]
    );
    assert!(report.findings.iter().all(|f| f.trigger
        == TriggerRef::Sweep {
            sweep_id: "sweep-1".into()
        }));
    // every member account in every Region, the management account skipped
    assert_eq!(lists(&g), 3 * 2);
    let summary = &report.summary;
    assert_eq!(
        (
            summary.mode,
            summary.accounts,
            summary.account_regions_listed
        ),
        (SweepMode::InProcess, 3, 6)
    );
    assert_eq!(summary.findings, 2);
    assert_eq!(summary.by_rule.get("IDC002"), Some(&1));
    assert!(summary.unreachable.is_empty());
    assert_eq!(g.publisher.sent().len(), 2);
    assert_eq!(g.publisher.summaries().len(), 1);
}

#[test]
fn sweep_remediates_per_policy_and_ids_repeat_for_the_same_sweep() {
    let mut g = fleet();
    g.settings.policy = auto();
    let Ok(first) = block_on(g.sweep("sweep-2", Budget::unbounded(), &no_progress)) else {
        panic!()
    };
    assert!(first
        .findings
        .iter()
        .all(|f| f.remediation.status == RemediationStatus::Deleted));
    assert_eq!(g.instances.arns(), vec![ORG_ARN.to_owned()]);
    // A retried sweep finds nothing left; a fresh fleet gives the same ids.
    let fresh = fleet();
    let Ok(again) = block_on(fresh.sweep("sweep-2", Budget::unbounded(), &no_progress)) else {
        panic!()
    };
    let ids = |r: &idc_core::SweepReport| {
        r.findings
            .iter()
            .map(|f| f.id.clone())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(ids(&first), ids(&again));
}

#[test]
fn unreachable_accounts_are_in_the_summary_not_skipped() {
    let mut g = fleet();
    g.instances.unreachable_accounts.insert(CLEAN.into());
    let Ok(report) = block_on(g.sweep("sweep-3", Budget::unbounded(), &no_progress)) else {
        panic!()
    };
    let summary = &report.summary;
    let unreachable: Vec<(&str, &str)> = summary
        .unreachable
        .iter()
        .map(|u| (u.account_id.as_str(), u.region.as_str()))
        .collect();
    assert_eq!(
        unreachable,
        vec![(CLEAN, "eu-west-1"), (CLEAN, "us-east-1")]
    );
    assert_eq!(summary.severity(), "MEDIUM");
    assert!(
        summary.sns_subject().contains("2 unreachable"),
        "{}",
        summary.sns_subject()
    );
    assert_eq!(
        report.findings.len(),
        2,
        "the reachable accounts are still judged"
    );
}

#[test]
fn progress_counts_every_account_region() {
    let g = fleet();
    let seen = std::sync::Mutex::new(Vec::new());
    let progress = |done: usize, total: usize| {
        if let Ok(mut s) = seen.lock() {
            s.push((done, total));
        }
    };
    assert!(block_on(g.sweep("sweep-4", Budget::unbounded(), &progress)).is_ok());
    let seen = seen.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(seen.len(), 6);
    assert_eq!(seen.last(), Some(&(6, 6)));
}

#[test]
fn large_organizations_fan_out_one_task_per_account() {
    let mut g = fleet();
    g.settings.fanout_threshold = 2;
    let Ok(report) = block_on(g.sweep("sweep-5", Budget::unbounded(), &no_progress)) else {
        panic!()
    };
    assert_eq!(report.summary.mode, SweepMode::FanOut);
    assert_eq!(lists(&g), 0, "the coordinator lists nothing itself");
    let tasks = g
        .queue
        .as_ref()
        .and_then(|q| q.tasks.lock().ok().map(|t| t.clone()))
        .unwrap_or_default();
    let accounts: BTreeSet<&str> = tasks.iter().map(|(_, a)| a.as_str()).collect();
    assert_eq!(accounts, BTreeSet::from([MEMBER, ADMIN, CLEAN]));
    assert!(tasks.iter().all(|(s, _)| s == "sweep-5"));
}

#[test]
fn without_a_worker_queue_it_sweeps_in_process_whatever_the_size() {
    let mut g = fleet();
    g.settings.fanout_threshold = 1;
    g.queue = None;
    let Ok(report) = block_on(g.sweep("sweep-6", Budget::unbounded(), &no_progress)) else {
        panic!()
    };
    assert_eq!(report.summary.mode, SweepMode::InProcess);
}

#[test]
fn a_worker_sweeps_one_account_stays_quiet_when_all_was_reached_and_fails_when_not() {
    let g = fleet();
    let Ok(report) = block_on(g.sweep_account("sweep-7", ADMIN, Budget::unbounded())) else {
        panic!()
    };
    assert_eq!(
        report.findings.iter().map(|f| f.rule).collect::<Vec<_>>(),
        vec![RuleId::IDC002]
    );
    assert_eq!(lists(&g), 2);
    assert!(g.publisher.summaries().is_empty());
    let mut g = fleet();
    g.instances.unreachable_accounts.insert(CLEAN.into());
    let out = block_on(g.sweep_account("sweep-7", CLEAN, Budget::unbounded()));
    assert!(
        matches!(out, Err(idc_core::HandleError::SweepIncomplete { .. })),
        "the task fails so the queue retries it: {out:?}"
    );
    assert_eq!(
        g.publisher.summaries().len(),
        1,
        "an unreachable account is reported"
    );
}

#[test]
fn worker_tasks_are_validated() {
    let task = SweepTask::new("sweep-8", MEMBER);
    let body = serde_json::to_string(&task).unwrap_or_default();
    assert_eq!(SweepTask::parse(&body), Ok(task));
    assert!(SweepTask::parse("{}").is_err());
    assert!(SweepTask::parse(
        r#"{"schema":"idc-guardrail/sweep-task/v1","sweep_id":"s","account_id":"12"}"#
    )
    .is_err());
    assert!(
        SweepTask::parse(r#"{"schema":"other","sweep_id":"s","account_id":"222222222222"}"#)
            .is_err()
    );
}

#[test]
fn preflight_says_whether_registering_is_safe() {
    let g = fleet();
    let verdict = |account: &str| block_on(g.preflight(account)).map(|r| r.verdict()).ok();
    assert_eq!(verdict(ADMIN), Some(PreflightVerdict::Unsafe));
    assert_eq!(verdict(CLEAN), Some(PreflightVerdict::Safe));
    assert_eq!(verdict(MGMT), Some(PreflightVerdict::ManagementAccount));
    let Ok(report) = block_on(g.preflight(MEMBER)) else {
        panic!()
    };
    assert!(
        report.advice().contains("not safe") && report.advice().contains(MEMBER_ARN),
        "{}",
        report.advice()
    );
    let mut g = fleet();
    g.instances.unreachable_accounts.insert(CLEAN.into());
    assert_eq!(
        block_on(g.preflight(CLEAN)).map(|r| r.verdict()).ok(),
        Some(PreflightVerdict::Unknown)
    );
}

#[test]
fn preflight_needs_no_publisher_and_no_queue() {
    // `()` implements no port: this compiles only while preflight asks for Organizations,
    // sso-admin and a clock alone.
    let g = idc_core::Guardrail::new(
        Org::default(),
        Instances::with(world()),
        (),
        FakeClock::default(),
        settings(Policy::default()),
    );
    let verdict = block_on(g.preflight(ADMIN)).map(|r| r.verdict()).ok();
    assert_eq!(verdict, Some(PreflightVerdict::Unsafe));
}
