//! The organization-wide sweep: what events miss (best-effort delivery, instances created
//! before the guardrail existed). Every account × Region is listed through the member role
//! with a bounded number of calls in flight; memory holds only the account instances found.
//! Above a threshold the sweep fans out one task per account to a worker queue instead.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use futures_util::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};

use crate::clock::Budget;
pub use crate::facts::Unreachable;
use crate::facts::{self, AccountListing};
use crate::finding::{rfc3339, Finding};
use crate::inventory::Inventory;
use crate::message::Message;
use crate::ports::{Clock, FindingPublisher, InstancePort, OrganizationPort, TaskQueue};
use crate::remediate::Troubles;
use crate::rules::evaluate_sweep;
use crate::service::{Guardrail, HandleError};

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

/// What a sweep covered; published after the findings so nothing is silently skipped.
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

impl SweepSummary {
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

/// A finished sweep: its summary and every finding it published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SweepReport {
    pub summary: SweepSummary,
    pub findings: Vec<Finding>,
}

/// Called as account/Region listings complete: (done, total).
pub type Progress<'a> = &'a (dyn Fn(usize, usize) + Send + Sync);

/// A progress callback that reports nothing.
pub fn no_progress(_done: usize, _total: usize) {}

impl<O, I, P, C, Q> Guardrail<O, I, P, C, Q>
where
    O: OrganizationPort,
    I: InstancePort,
    P: FindingPublisher,
    C: Clock,
    Q: TaskQueue,
{
    /// Sweeps the whole organization, or fans it out above the threshold.
    pub async fn sweep(
        &self,
        sweep_id: &str,
        budget: Budget,
        progress: Progress<'_>,
    ) -> Result<SweepReport, HandleError> {
        let now = self.clock.now();
        let inventory = self.organization_facts(budget).await?;
        let management = inventory.management_account_id().map(str::to_owned);
        let accounts: Vec<String> = if inventory.organization.is_some() {
            let mut accounts = crate::clock::within(
                &self.clock,
                budget.for_call(self.clock.now()),
                "ListAccounts",
                self.organizations.list_accounts(),
            )
            .await
            .map_err(HandleError::Gather)?;
            // The management account's instance is the organization instance: never a finding.
            accounts.retain(|a| Some(a) != management.as_ref());
            accounts
        } else {
            vec![]
        };
        let queue = self
            .queue
            .as_ref()
            .filter(|_| accounts.len() > self.settings.fanout_threshold);
        if let Some(queue) = queue {
            queue
                .enqueue(sweep_id, &accounts)
                .await
                .map_err(HandleError::Gather)?;
            tracing::info!(
                sweep_id,
                accounts = accounts.len(),
                "sweep fanned out to the workers"
            );
            let summary = self.summary(
                sweep_id,
                SweepMode::FanOut,
                &inventory,
                accounts.len(),
                0,
                &[],
                vec![],
                now,
            );
            self.remediator(budget)
                .publish(&summary.to_message())
                .await
                .map_err(|first| HandleError::Publish {
                    failed: 1,
                    total: 1,
                    first,
                })?;
            return Ok(SweepReport {
                summary,
                findings: vec![],
            });
        }
        self.sweep_accounts(
            sweep_id,
            SweepMode::InProcess,
            inventory,
            &accounts,
            budget,
            progress,
        )
        .await
    }

    /// Sweeps one account (a worker's task). A summary is published only when a Region could
    /// not be listed — and then the task fails, so the queue retries it and, in the end, its
    /// dead-letter queue keeps it.
    pub async fn sweep_account(
        &self,
        sweep_id: &str,
        account_id: &str,
        budget: Budget,
    ) -> Result<SweepReport, HandleError> {
        let inventory = self.organization_facts(budget).await?;
        if inventory.management_account_id() == Some(account_id) {
            let summary = self.summary(
                sweep_id,
                SweepMode::Account,
                &inventory,
                0,
                0,
                &[],
                vec![],
                self.clock.now(),
            );
            return Ok(SweepReport {
                summary,
                findings: vec![],
            });
        }
        let report = self
            .sweep_accounts(
                sweep_id,
                SweepMode::Account,
                inventory,
                &[account_id.to_owned()],
                budget,
                &no_progress,
            )
            .await?;
        if !report.summary.unreachable.is_empty() {
            let regions: Vec<&str> = report
                .summary
                .unreachable
                .iter()
                .map(|u| u.region.as_str())
                .collect();
            return Err(HandleError::Incomplete(vec![format!(
                "the instances of {account_id} could not be listed in {}",
                regions.join(", ")
            )]));
        }
        Ok(report)
    }

    async fn sweep_accounts(
        &self,
        sweep_id: &str,
        mode: SweepMode,
        mut inventory: Inventory,
        accounts: &[String],
        budget: Budget,
        progress: Progress<'_>,
    ) -> Result<SweepReport, HandleError> {
        let now = self.clock.now();
        let regions = &self.settings.regions;
        let total = accounts.len() * regions.len();
        let concurrency = self.settings.sweep_concurrency.max(1);
        let pairs = accounts
            .iter()
            .flat_map(|a| regions.iter().map(move |r| (a, r)));
        let mut listings = stream::iter(pairs)
            .map(|(account, region)| async move {
                let answer = facts::list_region(
                    &self.instances,
                    &self.clock,
                    budget,
                    account,
                    region,
                    facts::Settle::Created(None),
                )
                .await;
                (account, region, answer)
            })
            .buffer_unordered(concurrency);
        let mut done = 0usize;
        let mut listing = AccountListing::counting();
        while let Some((account, region, answer)) = listings.next().await {
            done += 1;
            progress(done, total);
            listing.record(account, region, answer);
        }
        drop(listings);
        let listed = listing.listed_count;
        let unreachable = listing.into_inventory(&mut inventory);
        for note in facts::enrich(
            &self.instances,
            &self.clock,
            budget,
            &mut inventory,
            concurrency,
        )
        .await
        {
            tracing::warn!(sweep_id, note = %note, "instance facts unknown");
        }

        let evaluation = evaluate_sweep(sweep_id, &inventory, &self.settings.policy, now);
        let remediator = self.remediator(budget);
        let mut troubles = Troubles::default();
        let mut findings = Vec::with_capacity(evaluation.judged.len());
        for judged in &evaluation.judged {
            findings.push(remediator.act(judged, &mut troubles).await);
        }
        for finding in &mut findings {
            troubles.published(remediator.publish_finding(finding).await);
        }
        let summary = self.summary(
            sweep_id,
            mode,
            &inventory,
            accounts.len(),
            listed,
            &findings,
            unreachable,
            now,
        );
        if mode != SweepMode::Account || !summary.unreachable.is_empty() {
            troubles.published(remediator.publish(&summary.to_message()).await);
        }
        if let Some(error) = troubles.into_error() {
            return Err(error);
        }
        tracing::info!(
            sweep_id,
            accounts = summary.accounts,
            findings = summary.findings,
            unreachable = summary.unreachable.len(),
            "sweep done"
        );
        Ok(SweepReport { summary, findings })
    }

    #[allow(clippy::too_many_arguments)]
    fn summary(
        &self,
        sweep_id: &str,
        mode: SweepMode,
        inventory: &Inventory,
        accounts: usize,
        listed: usize,
        findings: &[Finding],
        unreachable: Vec<Unreachable>,
        now: DateTime<Utc>,
    ) -> SweepSummary {
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
            accounts,
            regions: self.settings.regions.clone(),
            account_regions_listed: listed,
            findings: findings.len(),
            by_rule,
            by_status,
            unreachable,
        }
    }
}

/// A stable sweep id for a scheduled event (its id is kept across Lambda retries, so a
/// retried sweep publishes findings with the same ids).
pub fn sweep_id_for_event(event_id: &str) -> String {
    format!("sweep-{event_id}")
}

/// A worker's task: one account of one sweep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepTask {
    pub schema: String,
    pub sweep_id: String,
    pub account_id: String,
}

/// Value of a task's `schema` key.
pub const TASK_SCHEMA: &str = "idc-guardrail/sweep-task/v1";

impl SweepTask {
    pub fn new(sweep_id: &str, account_id: &str) -> Self {
        SweepTask {
            schema: TASK_SCHEMA.to_owned(),
            sweep_id: sweep_id.to_owned(),
            account_id: account_id.to_owned(),
        }
    }

    /// Parses a queue message body; a bad one is an error naming the problem.
    pub fn parse(body: &str) -> Result<Self, TaskError> {
        let task: SweepTask =
            serde_json::from_str(body).map_err(|e| TaskError::NotATask(e.to_string()))?;
        if task.schema != TASK_SCHEMA {
            return Err(TaskError::UnknownSchema(task.schema));
        }
        if !crate::ids::is_account_id(&task.account_id) {
            return Err(TaskError::InvalidAccount(task.account_id));
        }
        Ok(task)
    }
}

/// Why a queue message is not a task the worker can do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    #[error("not a sweep task: {0}")]
    NotATask(String),
    #[error("unknown task schema `{0}`")]
    UnknownSchema(String),
    #[error("`{0}` is not a 12-digit AWS account ID")]
    InvalidAccount(String),
}

/// The scheduled event that starts a sweep (an EventBridge schedule rule): only its `id`
/// matters, kept across Lambda's retries of the invocation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ScheduledEvent {
    pub id: String,
    #[serde(rename = "detail-type", default)]
    pub detail_type: Option<String>,
}

impl ScheduledEvent {
    pub fn parse(payload: serde_json::Value) -> Result<Self, crate::EventError> {
        let event: ScheduledEvent = serde_json::from_value(payload)
            .map_err(|e| crate::EventError::NotEnvelope(format!("not a scheduled event: {e}")))?;
        if event.id.trim().is_empty() {
            return Err(crate::EventError::MissingField("id"));
        }
        Ok(event)
    }

    /// The sweep's id: the same for every retry of this event, so findings keep their ids.
    pub fn sweep_id(&self) -> String {
        sweep_id_for_event(&self.id)
    }
}
