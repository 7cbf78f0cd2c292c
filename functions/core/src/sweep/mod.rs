//! The organization-wide sweep: what events miss (best-effort delivery, instances created
//! before the guardrail existed). Every account × Region is listed through the member role
//! with a bounded number of calls in flight; memory holds only the account instances found.
//! Above a threshold the sweep fans out one task per account to a worker queue instead.

mod confirm;
pub mod summary;
mod task;

use futures_util::stream::{self, StreamExt};

use crate::clock::Budget;
use crate::facts::{self, AccountListing};
use crate::failure::HandleError;
use crate::finding::Finding;
use crate::guardrail::Guardrail;
use crate::inventory::Inventory;
pub use crate::inventory::Unreachable;
use crate::ports::{
    Clock, FindingPublisher, ForwardingRule, InstancePort, MemberWatch, OrganizationPort,
    PortError, TaskQueue,
};
use crate::remediate::Troubles;
use crate::rules::evaluate_sweep;
use crate::settings::FORWARDING_RULE_NAME;
pub use summary::{
    Coverage, CoverageGap, GapKind, SweepMode, SweepSummary, UnknownFact, Watch, SUMMARY_SCHEMA,
};
pub use task::{sweep_id_for_event, ScheduledEvent, SweepTask, TaskError, TASK_SCHEMA};

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
    I: InstancePort + MemberWatch,
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
            let coverage = Coverage {
                accounts: accounts.len(),
                regions: self.settings.regions.clone(),
                ..Coverage::default()
            };
            let summary =
                SweepSummary::new(sweep_id, SweepMode::FanOut, &inventory, coverage, &[], now);
            self.remediator(budget)
                .publish(&summary.to_message())
                .await
                .map_err(HandleError::unpublished)?;
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
}

/// Sweeping one account, or a list of them (the queue only takes confirmations).
impl<O, I, P, C, Q> Guardrail<O, I, P, C, Q>
where
    O: OrganizationPort,
    I: InstancePort + MemberWatch,
    P: FindingPublisher,
    C: Clock,
    Q: TaskQueue,
{
    /// Sweeps one account (a worker's task). A summary is published only when a Region could
    /// not be listed or an unknown fact held a delete back — and then the task fails, so the
    /// queue retries it and, in the end, its dead-letter queue keeps it.
    pub async fn sweep_account(
        &self,
        sweep_id: &str,
        account_id: &str,
        budget: Budget,
    ) -> Result<SweepReport, HandleError> {
        let inventory = self.organization_facts(budget).await?;
        if inventory.management_account_id() == Some(account_id) {
            let coverage = Coverage {
                regions: self.settings.regions.clone(),
                ..Coverage::default()
            };
            let summary = SweepSummary::new(
                sweep_id,
                SweepMode::Account,
                &inventory,
                coverage,
                &[],
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
            let reasons = vec![format!(
                "the instances of {account_id} could not be listed in {}",
                regions.join(", ")
            )];
            return Err(HandleError::SweepIncomplete {
                summary: Box::new(report.summary),
                reasons,
            });
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
                // The listing and the check of the forwarding rule at once: one round trip.
                let (answer, rule) = futures_util::join!(
                    facts::list_region(
                        &self.instances,
                        &self.clock,
                        budget,
                        account,
                        region,
                        facts::Settle::Created(None),
                    ),
                    crate::clock::within(
                        &self.clock,
                        budget.for_call(self.clock.now()),
                        "DescribeRule",
                        self.instances
                            .forwarding_rule(account, region, FORWARDING_RULE_NAME),
                    )
                );
                (account, region, answer, rule)
            })
            .buffer_unordered(concurrency);
        let mut done = 0usize;
        let mut listing = AccountListing::counting();
        let mut problems = vec![];
        while let Some((account, region, answer, rule)) = listings.next().await {
            done += 1;
            progress(done, total);
            listing.record(account, region, answer);
            problems.extend(rule_gap(account, region, rule));
        }
        drop(listings);
        let listed = listing.listed_count;
        let unreachable = listing.into_inventory(&mut inventory);
        let watch = Watch::new(accounts.len(), regions.len(), &unreachable, problems);
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

        let policy = &self.settings.policy;
        let evaluation = evaluate_sweep(sweep_id, &inventory, policy, now);
        let remediator = self.remediator(budget);
        let mut troubles = Troubles::default();
        let mut findings = Vec::with_capacity(evaluation.judged.len());
        for judged in &evaluation.judged {
            findings.extend(remediator.remediate(judged, policy, &mut troubles).await);
        }
        let unknown_facts = troubles.unknown_facts.clone();
        let coverage = Coverage {
            accounts: accounts.len(),
            regions: regions.clone(),
            listed,
            unreachable,
            unknown_facts,
            watch,
        };
        let summary = SweepSummary::new(sweep_id, mode, &inventory, coverage, &findings, now);
        if mode != SweepMode::Account || !summary.is_complete() || !summary.coverage.gaps.is_empty()
        {
            troubles.published(remediator.publish(&summary.to_message()).await);
        }
        match troubles.into_error() {
            // The summary goes with the error: what it counts is reported even so.
            Some(HandleError::Incomplete(reasons)) => {
                return Err(HandleError::SweepIncomplete {
                    summary: Box::new(summary),
                    reasons,
                })
            }
            Some(error) => return Err(error),
            None => {}
        }
        tracing::info!(
            sweep_id,
            accounts = summary.accounts,
            findings = summary.findings,
            unreachable = summary.unreachable.len(),
            unknown_facts = summary.unknown_facts.len(),
            coverage_gaps = summary.coverage.accounts_with_gaps,
            "sweep done"
        );
        Ok(SweepReport { summary, findings })
    }
}

/// The gap a forwarding rule's state amounts to, if any.
fn rule_gap(
    account: &str,
    region: &str,
    rule: Result<ForwardingRule, PortError>,
) -> Option<CoverageGap> {
    let (gap, detail) = match rule {
        Ok(ForwardingRule::Enabled) => return None,
        Ok(ForwardingRule::Missing) => (
            GapKind::ForwardingRuleMissing,
            format!("the forwarding rule {FORWARDING_RULE_NAME} does not exist: CreateInstance events are not forwarded"),
        ),
        Ok(ForwardingRule::NotEnabled(state)) => (
            GapKind::ForwardingRuleNotEnabled,
            format!("the forwarding rule {FORWARDING_RULE_NAME} is {state}: CreateInstance events are not forwarded"),
        ),
        Err(error) => (
            GapKind::ForwardingRuleUnreadable,
            format!("the forwarding rule {FORWARDING_RULE_NAME} could not be read ({error})"),
        ),
    };
    Some(CoverageGap {
        account_id: account.to_owned(),
        region: Some(region.to_owned()),
        gap,
        detail,
    })
}
