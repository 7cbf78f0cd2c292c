//! The live path, over the ports: event → trigger → gather the facts → rules and policy →
//! act (delete, confirmed by listing) → publish. Every decision is logged and published;
//! a finding that cannot be published fails the call, so Lambda retries and the DLQ keeps it.

use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use futures_util::stream::{self, StreamExt};
use serde_json::Value;
use thiserror::Error;

use crate::error::EventError;
use crate::event::{parse_event_value, Trigger};
use crate::finding::{Finding, RemediationStatus};
use crate::inventory::{AccountRegion, Instance, InstanceStatus, Inventory, Organization};
use crate::ports::{
    DeleteOutcome, FindingPublisher, InstancePort, NoQueue, OrganizationPort, PortError,
};
use crate::rules::{evaluate_trigger, Judged};
use crate::settings::Settings;

#[derive(Debug, Error)]
pub enum HandleError {
    #[error("bad event, nothing evaluated or deleted: {0}")]
    BadEvent(#[from] EventError),
    #[error("{failed} of {total} finding(s) could not be published (first: {first}); failing so the event is retried")]
    Publish {
        failed: usize,
        total: usize,
        first: PortError,
    },
    #[error("could not gather the facts ({0}); findings were published from the event alone and the event will be retried")]
    Gather(PortError),
}

/// What one event led to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    pub notes: Vec<String>,
}

/// Applications and tags of the instance at an index, as the ports answered.
type InstanceFacts = (
    usize,
    Result<u32, PortError>,
    Result<std::collections::BTreeMap<String, String>, PortError>,
);

/// The guardrail with its adapters; built once per container. `Q` is the sweep's worker
/// queue, used only by the scheduled sweep when it fans out.
pub struct Guardrail<O, I, P, Q = NoQueue> {
    pub organizations: O,
    pub instances: I,
    pub publisher: P,
    pub queue: Q,
    pub settings: Settings,
}

impl<O: OrganizationPort, I: InstancePort, P: FindingPublisher, Q> Guardrail<O, I, P, Q> {
    /// Handles one EventBridge payload.
    pub async fn handle(&self, payload: Value, now: DateTime<Utc>) -> Result<Outcome, HandleError> {
        let trigger = parse_event_value(payload)?;
        self.handle_trigger(&trigger, now).await
    }

    pub async fn handle_trigger(
        &self,
        trigger: &Trigger,
        now: DateTime<Utc>,
    ) -> Result<Outcome, HandleError> {
        if let Trigger::Ignored(ignored) = trigger {
            tracing::info!(event_name = ?ignored.event_name, reason = %ignored.reason, "event ignored");
            return Ok(Outcome {
                findings: vec![],
                notes: vec![format!("ignored: {}", ignored.reason)],
            });
        }
        let policy = &self.settings.policy;
        let (evaluation, gather_error) = match self.gather(trigger).await {
            Ok((inventory, notes)) => {
                let mut evaluation = evaluate_trigger(trigger, Some(&inventory), policy, now);
                evaluation.notes.extend(notes);
                (evaluation, None)
            }
            Err(error) => {
                tracing::error!(error = %error, "could not gather facts; evaluating the event alone");
                let mut evaluation = evaluate_trigger(trigger, None, policy, now);
                for judged in &mut evaluation.judged {
                    if judged.finding.rule.is_remediable() {
                        judged.decision.verdict = crate::policy::Verdict::NoAction;
                        judged.finding.remediation.status = RemediationStatus::Failed;
                        judged.finding.remediation.detail =
                            format!("not deleted: the facts could not be gathered ({error})");
                    }
                }
                (evaluation, Some(error))
            }
        };
        for note in &evaluation.notes {
            tracing::info!(note = %note, "evaluation note");
        }
        let mut findings = Vec::with_capacity(evaluation.judged.len());
        for judged in evaluation.judged {
            findings.push(self.act(judged).await);
        }
        self.publish_all(&findings).await?;
        if let Some(error) = gather_error {
            return Err(HandleError::Gather(error));
        }
        Ok(Outcome {
            findings,
            notes: evaluation.notes,
        })
    }

    /// Collects what the rules need for this trigger: the organization, the Identity Center
    /// delegated administrators, and the instances of the account concerned in the Regions
    /// that matter. Returns notes about what could not be listed.
    async fn gather(&self, trigger: &Trigger) -> Result<(Inventory, Vec<String>), PortError> {
        let mut notes = Vec::new();
        let mut inventory = self.organization_facts().await?;
        let (account, regions): (&str, Vec<String>) = match trigger {
            Trigger::InstanceCreated(t) if t.error.is_none() => {
                (&t.account_id, vec![t.region.clone()])
            }
            Trigger::DelegatedAdminRegistered(t) => (&t.account_id, self.settings.regions.clone()),
            Trigger::AccountJoined(t) => (&t.account_id, self.settings.regions.clone()),
            _ => return Ok((inventory, notes)),
        };
        if inventory.management_account_id() == Some(account) {
            return Ok((inventory, notes)); // its instance is the organization instance
        }
        let listings = join_all(
            regions
                .iter()
                .map(|region| self.instances.list_instances(account, region)),
        )
        .await;
        let mut reached = 0usize;
        let mut first_error = None;
        for (region, listing) in regions.iter().zip(listings) {
            match listing {
                Ok(instances) => {
                    reached += 1;
                    inventory.listed.push(AccountRegion {
                        account_id: account.to_owned(),
                        region: region.clone(),
                    });
                    for instance in instances {
                        if !inventory
                            .instances
                            .iter()
                            .any(|i| i.instance_arn == instance.instance_arn)
                        {
                            inventory.instances.push(instance);
                        }
                    }
                }
                Err(error) => {
                    tracing::warn!(account_id = account, region = %region, error = %error, "could not list instances");
                    notes.push(format!(
                        "could not list the instances of {account} in {region}: {error}"
                    ));
                    first_error.get_or_insert(error);
                }
            }
        }
        if reached == 0 {
            if let Some(error) = first_error {
                return Err(error);
            }
        }
        notes.extend(
            self.enrich(&mut inventory, self.settings.sweep_concurrency)
                .await,
        );
        Ok((inventory, notes))
    }

    /// The organization (with `MANAGEMENT_ACCOUNT_ID` applied) and its Identity Center
    /// delegated administrators.
    pub(crate) async fn organization_facts(&self) -> Result<Inventory, PortError> {
        let mut organization = self.organizations.describe_organization().await?;
        if let Some(management) = &self.settings.management_account_id {
            // An explicit setting wins over what Organizations said (or could not say).
            match &mut organization {
                Some(org) => org.management_account_id = management.clone(),
                None => {
                    organization = Some(Organization {
                        id: String::new(),
                        management_account_id: management.clone(),
                    })
                }
            }
        }
        let mut inventory = Inventory {
            organization,
            ..Inventory::default()
        };
        if inventory.organization.is_some() {
            let admins = self.organizations.sso_delegated_admins().await?;
            for admin in admins {
                inventory.add_sso_delegated_admin(&admin);
            }
        }
        Ok(inventory)
    }

    /// Applications and tags of every account instance in the inventory (the ones a decision
    /// may touch), `concurrency` at a time. Returns a note for each fact that stays unknown.
    pub(crate) async fn enrich(
        &self,
        inventory: &mut Inventory,
        concurrency: usize,
    ) -> Vec<String> {
        let management = inventory.management_account_id().map(str::to_owned);
        let wanted: Vec<usize> = (0..inventory.instances.len())
            .filter(|&i| Some(&inventory.instances[i].owner_account_id) != management.as_ref())
            .collect();
        let instances = &inventory.instances;
        let facts: Vec<InstanceFacts> = stream::iter(wanted)
            .map(|i| async move {
                let inst = &instances[i];
                let (account, region, arn) =
                    (&inst.owner_account_id, &inst.region, &inst.instance_arn);
                let (apps, tags) = futures_util::join!(
                    self.instances.application_count(account, region, arn),
                    self.instances.tags(account, region, arn)
                );
                (i, apps, tags)
            })
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
        let mut notes = Vec::new();
        for (i, apps, tags) in facts {
            let instance = &mut inventory.instances[i];
            match apps {
                Ok(n) => instance.application_count = Some(n),
                Err(e) => notes.push(format!(
                    "applications of {} unknown: {e}",
                    instance.instance_arn
                )),
            }
            match tags {
                Ok(t) => instance.tags = Some(t),
                Err(e) => notes.push(format!("tags of {} unknown: {e}", instance.instance_arn)),
            }
        }
        notes
    }

    /// Carries out the decision and returns the finding with its final remediation outcome.
    pub(crate) async fn act(&self, judged: Judged) -> Finding {
        let Judged {
            mut finding,
            decision,
            instance,
        } = judged;
        if let (true, Some(instance)) = (decision.allows_delete(), instance.as_ref()) {
            let (status, detail) = self.delete_and_confirm(instance).await;
            finding.remediation.status = status;
            finding.remediation.detail = detail;
        }
        tracing::info!(
            finding_id = %finding.id,
            rule = finding.rule.as_str(),
            severity = finding.severity.as_str(),
            account_id = %finding.account_id,
            region = %finding.region,
            instance_arn = finding.instance_arn.as_deref().unwrap_or(""),
            remediation_status = finding.remediation.status.as_str(),
            detail = %finding.remediation.detail,
            "decision"
        );
        finding
    }

    /// Deletes, then confirms by listing: `DescribeInstance` answers AccessDenied once a
    /// delete completed, so only the list is proof.
    async fn delete_and_confirm(&self, instance: &Instance) -> (RemediationStatus, String) {
        let (account, region, arn) = (
            &instance.owner_account_id,
            &instance.region,
            &instance.instance_arn,
        );
        match self.instances.delete_instance(account, region, arn).await {
            Ok(DeleteOutcome::NotFound) => (
                RemediationStatus::AlreadyDeleted,
                format!("{arn} was already gone when the guardrail tried to delete it"),
            ),
            // AWS answers AccessDenied for an instance that is already gone: only a listing
            // tells a concurrent deletion from a real failure.
            Err(error) => match self.instances.list_instances(account, region).await {
                Ok(listed) if !listed.iter().any(|i| &i.instance_arn == arn) => (
                    RemediationStatus::AlreadyDeleted,
                    format!("{arn} is gone (DeleteInstance answered: {error})"),
                ),
                _ => (RemediationStatus::Failed, format!("DeleteInstance failed: {error}")),
            },
            Ok(DeleteOutcome::Accepted) => match self.instances.list_instances(account, region).await {
                Ok(listed) => match listed.iter().find(|i| &i.instance_arn == arn) {
                    None => (RemediationStatus::Deleted, format!("deleted {arn} in {region}; confirmed by listing")),
                    Some(i) if i.status == InstanceStatus::DeleteInProgress => (
                        RemediationStatus::Deleted,
                        format!("deletion of {arn} accepted; listing shows DELETE_IN_PROGRESS"),
                    ),
                    Some(i) => (
                        RemediationStatus::Failed,
                        format!("DeleteInstance was accepted but {arn} is still listed as {}", i.status.as_str()),
                    ),
                },
                Err(error) => (
                    RemediationStatus::Failed,
                    format!("DeleteInstance was accepted but the deletion could not be confirmed: {error}"),
                ),
            },
        }
    }

    pub(crate) async fn publish_all(&self, findings: &[Finding]) -> Result<(), HandleError> {
        let results = join_all(findings.iter().map(|f| self.publisher.publish(f))).await;
        let mut failed = 0;
        let mut first = None;
        for (finding, result) in findings.iter().zip(results) {
            if let Err(error) = result {
                tracing::error!(finding_id = %finding.id, error = %error, "finding not published");
                failed += 1;
                first.get_or_insert(error);
            }
        }
        match first {
            None => Ok(()),
            Some(first) => Err(HandleError::Publish {
                failed,
                total: findings.len(),
                first,
            }),
        }
    }
}
