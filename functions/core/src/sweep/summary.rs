//! What a sweep covered, published after its findings so that nothing is silently skipped.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::finding::{rfc3339, Finding};
use crate::inventory::Inventory;
use crate::inventory::Unreachable;
use crate::message::Message;

/// Value of the summary's `schema` key.
pub const SUMMARY_SCHEMA: &str = "idc-guardrail/sweep-summary/v1";

/// How the sweep ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SweepMode {
    /// Every account listed by this invocation.
    InProcess,
    /// One task per account sent to the worker queue.
    FanOut,
    /// One account, by a worker.
    Account,
}

/// What a sweep covered, as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepSummary {
    pub schema: String,
    pub sweep_id: String,
    pub mode: SweepMode,
    pub organization_id: Option<String>,
    pub management_account_id: Option<String>,
    pub evaluated_at: String,
    pub accounts: usize,
    pub regions: Vec<String>,
    pub account_regions_listed: usize,
    pub findings: usize,
    pub by_rule: BTreeMap<String, usize>,
    pub by_status: BTreeMap<String, usize>,
    pub unreachable: Vec<Unreachable>,
    /// Decisions held at `dry_run` by an unknown fact while deletion is on: the sweep fails so
    /// that it is retried, and counts them (`SweepUnknownFacts`).
    #[serde(default)]
    pub unknown_facts: Vec<UnknownFact>,
    /// Whether the guardrail can still see and act in every account it swept.
    #[serde(default)]
    pub coverage: Watch,
}

/// Whether the guardrail can still see and act in the accounts a sweep covered: the member
/// role usable, the forwarding rule present and enabled in every Region searched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watch {
    pub accounts_checked: usize,
    /// Accounts with at least one gap (the `SweepCoverageGaps` metric).
    pub accounts_with_gaps: usize,
    pub gaps: Vec<CoverageGap>,
}

/// One thing that keeps the guardrail from seeing or acting in a member account.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CoverageGap {
    pub account_id: String,
    /// `null` for the whole account.
    pub region: Option<String>,
    pub gap: GapKind,
    pub detail: String,
}

/// What kind of gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// The member role could not be used in any Region (deleted, its trust changed, denied).
    MemberRoleUnusable,
    ForwardingRuleMissing,
    ForwardingRuleNotEnabled,
    /// The rule could not be read (e.g. `events:DescribeRule` denied to the member role).
    ForwardingRuleUnreadable,
}

impl Watch {
    /// The watch over `accounts` from the problems found, each account's role counted unusable
    /// when none of its Regions could be listed and none of its rules read.
    pub fn new(
        accounts: usize,
        regions: usize,
        unreachable: &[Unreachable],
        mut problems: Vec<CoverageGap>,
    ) -> Self {
        let mut unusable = BTreeMap::<&str, (usize, &str)>::new();
        for u in unreachable {
            let entry = unusable.entry(&u.account_id).or_insert((0, &u.error));
            entry.0 += 1;
        }
        let unreadable = |account: &str, problems: &[CoverageGap]| {
            problems
                .iter()
                .filter(|p| p.account_id == account && p.gap == GapKind::ForwardingRuleUnreadable)
                .count()
        };
        let mut gaps = vec![];
        for (account, (failed, error)) in unusable {
            if failed == regions && unreadable(account, &problems) == regions {
                problems.retain(|p| p.account_id != account);
                gaps.push(CoverageGap {
                    account_id: account.to_owned(),
                    region: None,
                    gap: GapKind::MemberRoleUnusable,
                    detail: format!("the member role could not be used in any Region ({error})"),
                });
            }
        }
        gaps.extend(problems);
        gaps.sort();
        let mut with_gaps: Vec<&str> = gaps.iter().map(|g| g.account_id.as_str()).collect();
        with_gaps.dedup();
        Watch {
            accounts_checked: accounts,
            accounts_with_gaps: with_gaps.len(),
            gaps,
        }
    }
}

/// A decision an unknown fact kept from deleting, while deletion is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnknownFact {
    pub account_id: String,
    pub region: String,
    pub instance_arn: String,
    /// The fact, in words (as the finding's `remediation.detail` names it).
    pub fact: String,
}

/// How much of the organization a sweep listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub accounts: usize,
    pub regions: Vec<String>,
    /// Account/Regions listed completely.
    pub listed: usize,
    pub unreachable: Vec<Unreachable>,
    pub unknown_facts: Vec<UnknownFact>,
    pub watch: Watch,
}

impl SweepSummary {
    /// The summary of a sweep that covered `coverage` and published `findings`.
    pub fn new(
        sweep_id: &str,
        mode: SweepMode,
        inventory: &Inventory,
        coverage: Coverage,
        findings: &[Finding],
        now: DateTime<Utc>,
    ) -> Self {
        let mut by_rule = BTreeMap::new();
        let mut by_status = BTreeMap::new();
        for f in findings {
            *by_rule.entry(f.rule.as_str().to_owned()).or_insert(0) += 1;
            *by_status
                .entry(f.remediation.status.as_str().to_owned())
                .or_insert(0) += 1;
        }
        SweepSummary {
            schema: SUMMARY_SCHEMA.to_owned(),
            sweep_id: sweep_id.to_owned(),
            mode,
            organization_id: inventory.organization_id().map(str::to_owned),
            management_account_id: inventory.management_account_id().map(str::to_owned),
            evaluated_at: rfc3339(now),
            accounts: coverage.accounts,
            regions: coverage.regions,
            account_regions_listed: coverage.listed,
            findings: findings.len(),
            by_rule,
            by_status,
            unreachable: coverage.unreachable,
            unknown_facts: coverage.unknown_facts,
            coverage: coverage.watch,
        }
    }

    /// ASCII, under 100 characters, as SNS requires.
    pub fn sns_subject(&self) -> String {
        let org = self.organization_id.as_deref().unwrap_or("standalone");
        let subject = match self.mode {
            SweepMode::FanOut => format!(
                "[INFO] SWEEP {org} - {} accounts sent to the workers",
                self.accounts
            ),
            _ => format!(
                "[{}] SWEEP {org} - {} accounts, {} findings, {} unreachable, {} unknown, {} gaps",
                self.severity(),
                self.accounts,
                self.findings,
                self.unreachable.len(),
                self.unknown_facts.len(),
                self.coverage.accounts_with_gaps
            ),
        };
        crate::finding::sns_safe_subject(&subject)
    }

    /// MEDIUM when something could not be checked or the guardrail is blind somewhere: the
    /// team must look.
    pub fn severity(&self) -> &'static str {
        if self.is_complete() && self.coverage.gaps.is_empty() {
            "INFO"
        } else {
            "MEDIUM"
        }
    }

    /// Every account/Region listed, and no decision held back by an unknown fact.
    pub fn is_complete(&self) -> bool {
        self.unreachable.is_empty() && self.unknown_facts.is_empty()
    }

    /// The same attribute names findings carry, so one filter policy serves both.
    pub fn sns_attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("message_type", "sweep_summary".to_owned()),
            ("severity", self.severity().to_owned()),
            ("rule", "SWEEP".to_owned()),
            (
                "account_id",
                self.management_account_id
                    .clone()
                    .unwrap_or_else(|| "unknown".into()),
            ),
            ("remediation_status", "none".to_owned()),
        ]
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    pub fn to_message(&self) -> Message {
        Message {
            id: self.sweep_id.clone(),
            subject: self.sns_subject(),
            body: self.to_json(),
            attributes: self.sns_attributes(),
        }
    }
}
