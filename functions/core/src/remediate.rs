//! Carrying out a decision, so that the security team always learns of it.
//!
//! The lifecycle of a finding the policy decides to delete:
//! 1. the finding is published with `remediation.status = "deleting"` *before* anything is
//!    deleted; if that publish fails, nothing is deleted;
//! 2. `DeleteInstance`, confirmed by listing (AWS answers AccessDenied for an instance already
//!    gone, so only a listing is proof, and one empty listing is looked at again);
//! 3. the outcome (`deleted`, `already_deleted` or `failed`) is published under the same id,
//!    with a higher `sequence`.
//!
//! If step 3 fails the invocation fails, Lambda retries the event, and the retry publishes the
//! outcome it finds (`already_deleted` when the first attempt's delete went through): a
//! subscriber reads the message with the highest `sequence` for an id as the latest word.

use crate::clock::{within, Budget};
use crate::confirm::ConfirmTask;
use crate::facts::{list_region, Settle};
use crate::finding::{Finding, RemediationStatus};
use crate::inventory::{Instance, InstanceStatus};
use crate::message::{IncompleteNotice, Message};
use crate::policy::Policy;
use crate::ports::{Clock, DeleteOutcome, FindingPublisher, InstancePort, PortError, TaskQueue};
use crate::rules::Judged;
use serde::{Deserialize, Serialize};

/// What went wrong on the way, for the invocation's result.
#[derive(Debug, Default)]
pub struct Troubles {
    /// Messages the invocation tried to publish, how many failed, and the first error.
    pub messages: usize,
    pub unpublished: usize,
    pub first_publish_error: Option<PortError>,
    /// Why the outcome is incomplete: a delete not attempted, a fact not known.
    pub incomplete: Vec<String>,
}

impl Troubles {
    /// Counts one publication; `true` when it went through.
    pub fn published(&mut self, result: Result<(), PortError>) -> bool {
        self.messages += 1;
        match result {
            Ok(()) => true,
            Err(error) => {
                self.unpublished += 1;
                self.first_publish_error.get_or_insert(error);
                false
            }
        }
    }

    /// A decision an unknown fact held at `dry_run` while deletion is on: the look is
    /// incomplete (the invocation fails, so it is retried and, in the end, kept by a
    /// dead-letter queue), and the fact is named.
    pub fn held_back(&mut self, judged: &Judged, policy: &Policy) -> Option<UnknownFact> {
        let fact = judged.decision.unverified.as_ref()?;
        if !policy.auto_remediate || policy.dry_run {
            return None;
        }
        let violation = &judged.violation;
        let arn = judged
            .instance()
            .map_or("instance", |i| i.instance_arn.as_str());
        self.incomplete.push(format!("{arn}: {fact} unknown"));
        Some(UnknownFact {
            account_id: violation.account_id.clone(),
            region: violation.region.clone(),
            instance_arn: arn.to_owned(),
            fact: fact.clone(),
        })
    }

    /// The invocation's error, if it must fail: unpublished messages first, then an
    /// incomplete look.
    pub fn into_error(self) -> Option<crate::service::HandleError> {
        use crate::service::HandleError;
        match self.first_publish_error {
            Some(first) => Some(HandleError::Publish {
                failed: self.unpublished,
                total: self.messages,
                first,
            }),
            None if !self.incomplete.is_empty() => Some(HandleError::Incomplete(self.incomplete)),
            None => None,
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

/// The ports a remediation uses; `queue` takes the confirmation of every announced delete.
pub struct Remediator<'a, I, P, C, Q> {
    pub instances: &'a I,
    pub publisher: &'a P,
    pub clock: &'a C,
    pub queue: Option<&'a Q>,
    pub sequencer: &'a crate::clock::Sequencer,
    pub budget: Budget,
}

impl<I: InstancePort, P: FindingPublisher, C: Clock, Q: TaskQueue> Remediator<'_, I, P, C, Q> {
    /// Publishes one message, with a fresh sequence, within what is left of the invocation.
    pub async fn publish(&self, message: &Message) -> Result<(), PortError> {
        within(
            self.clock,
            self.budget.for_publish(self.clock.now()),
            "Publish",
            self.publisher.publish(message),
        )
        .await
        .inspect_err(
            |error| tracing::error!(message_id = %message.id, error = %error, "not published"),
        )
    }

    /// Publishes a finding as it stands, stamped with the next sequence.
    pub async fn publish_finding(&self, finding: &mut Finding) -> Result<(), PortError> {
        finding.sequence = Some(self.sequencer.next(self.clock.now()));
        self.publish(&finding.to_message()).await
    }

    /// Publishes a notice, stamped with the next sequence.
    pub async fn publish_notice(&self, notice: &mut IncompleteNotice) -> Result<(), PortError> {
        notice.sequence = Some(self.sequencer.next(self.clock.now()));
        self.publish(&notice.to_message()).await
    }

    /// Carries out the decision; returns the finding with its outcome (not yet published).
    pub async fn act(&self, judged: &Judged, troubles: &mut Troubles) -> Finding {
        let finding = match (judged.decision.allows_delete(), judged.instance()) {
            (true, Some(instance)) => {
                let (status, detail) = self.announce_and_delete(judged, instance, troubles).await;
                judged
                    .violation
                    .finding(judged.decision.outcome(status, detail))
            }
            _ => judged.finding(),
        };
        log_decision(&finding);
        finding
    }

    async fn announce_and_delete(
        &self,
        judged: &Judged,
        instance: &Instance,
        troubles: &mut Troubles,
    ) -> (RemediationStatus, String) {
        let arn = &instance.instance_arn;
        if !self.budget.allows_action(self.clock.now()) {
            let why = format!(
                "{arn}: too little of the invocation was left to delete it and report the outcome"
            );
            troubles.incomplete.push(why.clone());
            return (
                RemediationStatus::Failed,
                format!("not deleted: {why}; the event will be retried"),
            );
        }
        let mut intent = judged.violation.finding(judged.decision.outcome(
            RemediationStatus::Deleting,
            format!(
                "deleting {arn} in {}; the outcome follows under this id",
                instance.region
            ),
        ));
        log_decision(&intent);
        let announced = self.publish_finding(&mut intent).await;
        if let Err(error) = &announced {
            let detail = format!(
                "not deleted: the decision could not be announced first ({error}); the event will be retried"
            );
            troubles.published(announced);
            return (RemediationStatus::Failed, detail);
        }
        troubles.published(announced);
        // The final word must outlive this invocation: queued before the delete, or no delete.
        if let Some(queue) = self.queue {
            let delay = ConfirmTask::delay(self.budget, self.clock.now());
            let queued = within(
                self.clock,
                self.budget.for_call(self.clock.now()),
                "SendMessage",
                queue.confirm_later(&ConfirmTask::new(&intent), delay),
            )
            .await;
            if let Err(error) = queued {
                let error = crate::confirm::not_queued(error);
                troubles
                    .incomplete
                    .push(format!("{arn}: not deleted: {error}"));
                return (
                    RemediationStatus::Failed,
                    format!("not deleted: {error}; the event will be retried"),
                );
            }
        }
        let (status, detail) = self.delete_and_confirm(instance).await;
        if status == RemediationStatus::Failed {
            // Not "all clear": the delete may yet take effect, or may need another attempt.
            troubles
                .incomplete
                .push(format!("{arn}: the deletion did not complete ({detail})"));
        }
        (status, detail)
    }

    /// Deletes, then confirms by listing.
    async fn delete_and_confirm(&self, instance: &Instance) -> (RemediationStatus, String) {
        let (account, region, arn) = (
            &instance.owner_account_id,
            &instance.region,
            &instance.instance_arn,
        );
        let deleted = within(
            self.clock,
            self.budget.for_call(self.clock.now()),
            "DeleteInstance",
            self.instances.delete_instance(account, region, arn),
        )
        .await;
        match deleted {
            Ok(DeleteOutcome::NotFound) => (
                RemediationStatus::AlreadyDeleted,
                format!("{arn} was already gone when the guardrail tried to delete it"),
            ),
            // AWS answers AccessDenied for an instance that is already gone (and a delete whose
            // answer was lost is retried into that): only listings tell it from a refusal.
            Err(error) => match self.look_again(instance).await {
                Ok(None) => (
                    RemediationStatus::AlreadyDeleted,
                    format!("{arn} is gone (DeleteInstance answered: {error})"),
                ),
                // AWS deletes asynchronously: a second DeleteInstance (a racing delivery, a resent
                // request) meets the first one's DELETE_IN_PROGRESS. The same listing reads the
                // same whichever branch sees it.
                Ok(Some(InstanceStatus::DeleteInProgress)) => (
                    RemediationStatus::Deleted,
                    format!(
                        "deletion of {arn} in progress: the listing shows DELETE_IN_PROGRESS (DeleteInstance answered: {error})"
                    ),
                ),
                Ok(Some(_)) | Err(_) => (
                    RemediationStatus::Failed,
                    format!("DeleteInstance failed: {error}"),
                ),
            },
            Ok(DeleteOutcome::Accepted) => match self.look_again(instance).await {
                Ok(None) => (
                    RemediationStatus::Deleted,
                    format!("deleted {arn} in {region}; confirmed by listing"),
                ),
                Ok(Some(InstanceStatus::DeleteInProgress)) => (
                    RemediationStatus::Deleted,
                    format!("deletion of {arn} accepted; listing shows DELETE_IN_PROGRESS"),
                ),
                Ok(Some(status)) => (
                    RemediationStatus::Failed,
                    format!(
                        "DeleteInstance was accepted but {arn} is still listed as {}",
                        status.as_str()
                    ),
                ),
                Err(error) => (
                    RemediationStatus::Failed,
                    format!(
                        "DeleteInstance was accepted but the deletion could not be confirmed: {error}"
                    ),
                ),
            },
        }
    }

    /// The instance's status as a listing shows it, `None` once it is gone. An instance still
    /// listed is looked for again (the listing's own backoff, within the budget) before it
    /// counts as there.
    async fn look_again(&self, instance: &Instance) -> Result<Option<InstanceStatus>, PortError> {
        let arn = &instance.instance_arn;
        let listed = list_region(
            self.instances,
            self.clock,
            self.budget,
            &instance.owner_account_id,
            &instance.region,
            Settle::Gone(arn),
        )
        .await?;
        Ok(listed
            .into_iter()
            .find(|i| &i.instance_arn == arn)
            .map(|i| i.status))
    }
}

fn log_decision(finding: &Finding) {
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
}
