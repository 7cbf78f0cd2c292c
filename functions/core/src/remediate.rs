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

use std::time::Duration;

use crate::clock::{within, Budget};
use crate::confirm::ConfirmTask;
use crate::facts::{list_region, Settle};
use crate::failure::HandleError;
use crate::finding::{Finding, RemediationStatus};
use crate::inventory::{Instance, InstanceStatus};
use crate::lifecycle::{DeleteAnswer, Listed, Stage};
use crate::message::{IncompleteNotice, Message};
use crate::policy::{Policy, Verdict};
use crate::ports::{Clock, FindingPublisher, InstancePort, PortError, TaskQueue};
use crate::rules::Judged;
use crate::sweep::summary::UnknownFact;

/// What went wrong on the way, for the invocation's result.
#[derive(Debug, Default)]
pub struct Troubles {
    /// Messages the invocation tried to publish, how many failed, and the first error.
    pub messages: usize,
    pub unpublished: usize,
    pub first_publish_error: Option<PortError>,
    /// Why the outcome is incomplete: a delete not attempted, a fact not known.
    pub incomplete: Vec<String>,
    /// The facts that held a delete back at `dry_run`, each named.
    pub unknown_facts: Vec<UnknownFact>,
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
    fn held_back(&mut self, judged: &Judged, policy: &Policy) {
        let Some(fact) = judged.decision.unverified.as_ref() else {
            return;
        };
        if !policy.auto_remediate || policy.dry_run {
            return;
        }
        let violation = &judged.violation;
        let arn = judged
            .instance()
            .map_or("instance", |i| i.instance_arn.as_str());
        self.incomplete.push(format!("{arn}: {fact} unknown"));
        self.unknown_facts.push(UnknownFact {
            account_id: violation.account_id.clone(),
            region: violation.region.clone(),
            instance_arn: arn.to_owned(),
            fact: fact.clone(),
        });
    }

    /// The invocation's error, if it must fail: unpublished messages first, then an
    /// incomplete look.
    pub fn into_error(self) -> Option<HandleError> {
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

    /// The one remediation step of a judged violation: what holds it back is noted, the
    /// decision is carried out, and the finding is published with its result. A withheld
    /// finding is not published (an earlier delivery's word may be the true one): `None`.
    pub async fn remediate(
        &self,
        judged: &Judged,
        policy: &Policy,
        troubles: &mut Troubles,
    ) -> Option<Finding> {
        troubles.held_back(judged, policy);
        let mut finding = self.act(judged, troubles).await;
        if judged.decision.verdict == Verdict::Withheld {
            return None;
        }
        troubles.published(self.publish_finding(&mut finding).await);
        Some(finding)
    }

    /// Carries out the decision; returns the finding with its result (not yet published).
    async fn act(&self, judged: &Judged, troubles: &mut Troubles) -> Finding {
        let finding = match (judged.decision.allows_delete(), judged.instance()) {
            (true, Some(instance)) => {
                let (status, detail) = self.announce_and_delete(judged, instance, troubles).await;
                let finding = judged
                    .violation
                    .finding(judged.decision.carried_out(status, detail));
                if status == RemediationStatus::Failed {
                    self.settle_later(&finding, troubles).await;
                }
                finding
            }
            _ => judged.finding(),
        };
        log_decision(&finding);
        finding
    }

    /// Queues `finding` (`deleting`, or `failed`) for the worker to confirm once this
    /// invocation is over (see [`crate::confirm`]); without a worker queue there is nothing to do.
    async fn confirm_later(&self, finding: &Finding) -> Result<(), PortError> {
        let Some(queue) = self.queue else {
            return Ok(());
        };
        let delay = confirmation_delay(self.budget, self.clock.now());
        within(
            self.clock,
            self.budget.for_call(self.clock.now()),
            "SendMessage",
            queue.confirm_later(&ConfirmTask::new(finding), delay),
        )
        .await
    }

    /// Queues the settling of a `failed` word (see [`crate::confirm`]), so that it is not the
    /// last word of an instance that another delivery deletes meanwhile. The invocation fails
    /// either way; a settling that cannot be queued is named among its troubles.
    async fn settle_later(&self, failed: &Finding, troubles: &mut Troubles) {
        if let Err(error) = self.confirm_later(failed).await {
            troubles.incomplete.push(format!(
                "{}: the settling of its failed deletion could not be queued ({error})",
                failed.instance_arn.as_deref().unwrap_or("instance")
            ));
        }
    }

    async fn announce_and_delete(
        &self,
        judged: &Judged,
        instance: &Instance,
        troubles: &mut Troubles,
    ) -> (RemediationStatus, String) {
        let (arn, region) = (&instance.instance_arn, &instance.region);
        let stage = self.carry_out(judged, instance, troubles).await;
        if stage.fails_invocation() {
            troubles.incomplete.push(format!(
                "{arn}: the deletion did not complete ({})",
                stage.detail(arn, region)
            ));
        }
        (stage.status(), stage.detail(arn, region))
    }

    /// Planned → Announced → the outcome, through the [`Stage`] transitions.
    async fn carry_out(
        &self,
        judged: &Judged,
        instance: &Instance,
        troubles: &mut Troubles,
    ) -> Stage {
        let (account, region, arn) = (
            &instance.owner_account_id,
            &instance.region,
            &instance.instance_arn,
        );
        if !self.budget.allows_action(self.clock.now()) {
            return Stage::not_attempted(
                "too little of the invocation was left to delete it and report the outcome".into(),
            );
        }
        let announced = Stage::Announced;
        let mut intent = judged.violation.finding(
            judged
                .decision
                .carried_out(announced.status(), announced.detail(arn, region)),
        );
        log_decision(&intent);
        let published = self.publish_finding(&mut intent).await;
        if let Err(error) = &published {
            let why = format!("the decision could not be announced first ({error})");
            troubles.published(published);
            return Stage::not_attempted(why);
        }
        troubles.published(published);
        // The final word must outlive this invocation: queued before the delete, or no delete.
        if let Err(error) = self.confirm_later(&intent).await {
            return Stage::not_attempted(format!(
                "the confirmation of the delete could not be queued ({error})"
            ));
        }
        let answer = DeleteAnswer::from(
            within(
                self.clock,
                self.budget.for_call(self.clock.now()),
                "DeleteInstance",
                self.instances.delete_instance(account, region, arn),
            )
            .await,
        );
        let listed = match answer {
            DeleteAnswer::NotFound => None,
            _ => Some(Listed::from(self.look_again(instance).await)),
        };
        Stage::after_delete(arn, region, &answer, listed)
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

/// SQS delays a message by 15 minutes at most.
const MAX_CONFIRMATION_DELAY: Duration = Duration::from_secs(900);
/// Beyond the invocation's deadline, so the confirmation never races the invocation.
const CONFIRMATION_MARGIN: Duration = Duration::from_secs(5);

/// How long a confirmation waits: past what is left of the invocation, within what SQS allows.
pub fn confirmation_delay(budget: Budget, now: chrono::DateTime<chrono::Utc>) -> Duration {
    budget.remaining(now).map_or(Duration::ZERO, |left| {
        (left + CONFIRMATION_MARGIN).min(MAX_CONFIRMATION_DELAY)
    })
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
