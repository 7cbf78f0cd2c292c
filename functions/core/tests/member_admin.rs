//! What a member account's administrator can do to blind the guardrail, over in-memory fakes:
//! every such move is seen by the sweep and its worker — nothing deleted, the task failed, the
//! summary naming it.

use idc_core::ports::ForwardingRule;
use idc_core::sweep::{no_progress, GapKind};
use idc_core::{Budget, HandleError, Policy, RemediationStatus};
use idc_testkit::*;

fn deleting() -> Policy {
    Policy {
        auto_remediate: true,
        ..Policy::default()
    }
}

fn fleet(instances: Instances) -> Fake {
    guardrail(instances, Publisher::default(), deleting())
}

#[test]
fn a_denied_listapplications_fails_the_sweep_and_is_counted() {
    let mut instances = Instances::with(world());
    instances.applications_denied.insert(MEMBER.into());
    let g = fleet(instances);
    let out = block_on(g.sweep("sweep-1", Budget::unbounded(), &no_progress));
    let Err(HandleError::SweepIncomplete { summary, reasons }) = out else {
        panic!("the sweep must fail so that it is retried: {out:?}")
    };
    assert_eq!(summary.unknown_facts.len(), 1);
    assert_eq!(summary.unknown_facts[0].account_id, MEMBER);
    assert!(summary.unknown_facts[0].fact.contains("applications"));
    assert!(
        reasons.iter().any(|r| r.contains(MEMBER_ARN)),
        "{reasons:?}"
    );
    assert!(!g.instances.deletes().contains(&MEMBER_ARN.to_owned()));
    // The finding says dry_run, and the summary is published all the same.
    let member = g.publisher.all();
    assert!(member
        .iter()
        .any(|f| f.instance_arn.as_deref() == Some(MEMBER_ARN)
            && f.remediation.status == RemediationStatus::DryRun));
    assert_eq!(g.publisher.summaries().len(), 1);
    assert_eq!(g.publisher.summaries()[0].unknown_facts.len(), 1);
}

#[test]
fn a_denied_listapplications_fails_the_workers_task() {
    let mut instances = Instances::with(world());
    instances.applications_denied.insert(MEMBER.into());
    let g = fleet(instances);
    let out = block_on(g.sweep_account("sweep-2", MEMBER, Budget::unbounded()));
    assert!(
        matches!(&out, Err(HandleError::SweepIncomplete { summary, .. }) if summary.unknown_facts.len() == 1),
        "{out:?}"
    );
    assert!(g.instances.deletes().is_empty());
    assert_eq!(g.publisher.summaries().len(), 1);
}

#[test]
fn report_only_is_not_failed_by_an_unknown_fact() {
    let mut instances = Instances::with(world());
    instances.applications_denied.insert(MEMBER.into());
    let g = guardrail(instances, Publisher::default(), Policy::default());
    let out = block_on(g.sweep("sweep-3", Budget::unbounded(), &no_progress));
    let Ok(report) = out else { panic!("{out:?}") };
    assert!(report.summary.unknown_facts.is_empty());
}

#[test]
fn a_disabled_or_deleted_forwarding_rule_is_a_coverage_gap_of_its_account() {
    let mut instances = Instances::with(world());
    instances
        .forwarding
        .insert(MEMBER.into(), ForwardingRule::NotEnabled("DISABLED".into()));
    instances
        .forwarding
        .insert(ADMIN.into(), ForwardingRule::Missing);
    let g = guardrail(instances, Publisher::default(), Policy::default());
    let out = block_on(g.sweep("sweep-4", Budget::unbounded(), &no_progress));
    let Ok(report) = out else { panic!("{out:?}") };
    let watch = &report.summary.coverage;
    assert_eq!(watch.accounts_with_gaps, 2);
    // Two Regions each.
    assert_eq!(watch.gaps.len(), 4);
    assert!(watch
        .gaps
        .iter()
        .filter(|g| g.account_id == MEMBER)
        .all(|g| g.gap == GapKind::ForwardingRuleNotEnabled && g.detail.contains("DISABLED")));
    assert!(watch
        .gaps
        .iter()
        .filter(|g| g.account_id == ADMIN)
        .all(|g| g.gap == GapKind::ForwardingRuleMissing));
    assert_eq!(report.summary.severity(), "MEDIUM");
}

#[test]
fn a_member_role_that_cannot_be_used_is_one_gap_for_the_account() {
    let mut instances = Instances::with(world());
    instances.unreachable_accounts.insert(MEMBER.into());
    let g = guardrail(instances, Publisher::default(), Policy::default());
    let out = block_on(g.sweep("sweep-5", Budget::unbounded(), &no_progress));
    let Ok(report) = out else { panic!("{out:?}") };
    let watch = &report.summary.coverage;
    assert_eq!(watch.accounts_with_gaps, 1);
    assert_eq!(watch.gaps.len(), 1);
    assert_eq!(watch.gaps[0].gap, GapKind::MemberRoleUnusable);
    assert_eq!(watch.gaps[0].region, None);
}

#[test]
fn a_worker_publishes_the_summary_of_an_account_with_a_gap_without_failing() {
    let mut instances = Instances::with(world());
    instances
        .forwarding
        .insert(MEMBER.into(), ForwardingRule::Missing);
    let g = guardrail(instances, Publisher::default(), Policy::default());
    let out = block_on(g.sweep_account("sweep-6", MEMBER, Budget::unbounded()));
    let Ok(report) = out else { panic!("{out:?}") };
    assert_eq!(report.summary.coverage.accounts_with_gaps, 1);
    assert_eq!(g.publisher.summaries().len(), 1);
}
