//! What a sweep covered, published after its findings so that nothing is silently skipped.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::facts::Unreachable;
use crate::finding::{rfc3339, Finding};
use crate::inventory::Inventory;
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
}

/// How much of the organization a sweep listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub accounts: usize,
    pub regions: Vec<String>,
    /// Account/Regions listed completely.
    pub listed: usize,
    pub unreachable: Vec<Unreachable>,
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
                "[{}] SWEEP {org} - {} accounts, {} findings, {} unreachable",
                self.severity(),
                self.accounts,
                self.findings,
                self.unreachable.len()
            ),
        };
        crate::finding::sns_safe_subject(&subject)
    }

    /// MEDIUM when something could not be checked: the team must look.
    pub fn severity(&self) -> &'static str {
        if self.unreachable.is_empty() {
            "INFO"
        } else {
            "MEDIUM"
        }
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
