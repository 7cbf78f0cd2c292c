//! The live path of an event, over the ports: envelope → trigger → facts (organization ‖ the
//! account's instances, then applications and tags) → rules and policy → remediation (see
//! [`crate::remediate`]) → every finding published.
//!
//! The invocation fails — so Lambda retries and the dead-letter queue keeps the event — when a
//! message could not be published, when the facts could not be gathered, and when the look was
//! incomplete (a Region not listed, a delete not attempted or kept at `dry_run` by an unknown
//! fact). An incomplete look is also published, as an [`crate::message::IncompleteNotice`], never as silence.
//!
//! The flow, each step in its own module: [`crate::event`] → [`crate::gather`] (facts and
//! restraints) → [`crate::rules`] and [`crate::decide`] → [`crate::remediate`] (act, then
//! publish) → [`crate::notice`] (the look's own word, a pure choice).

use crate::clock::Budget;
use crate::event::{parse_envelope, CloudTrailEnvelope, Trigger};
use crate::facts::OrgFactsError;
pub use crate::failure::HandleError;
use crate::finding::Finding;
use crate::gather::Gathered;
use crate::guardrail::Guardrail;
use crate::notice::notice_for;
use crate::ports::{Clock, FindingPublisher, InstancePort, OrganizationPort, TaskQueue};
use crate::remediate::Troubles;
use crate::rules::evaluate_trigger_with;

/// What one event led to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventReport {
    pub findings: Vec<Finding>,
    pub notes: Vec<String>,
}

/// Handling an event.
impl<O, I, P, C, Q> Guardrail<O, I, P, C, Q>
where
    O: OrganizationPort,
    I: InstancePort,
    P: FindingPublisher,
    C: Clock,
    Q: TaskQueue,
{
    /// Handles one EventBridge event.
    pub async fn handle(
        &self,
        envelope: &CloudTrailEnvelope,
        budget: Budget,
    ) -> Result<EventReport, HandleError> {
        let trigger = parse_envelope(envelope)?;
        self.handle_trigger(&trigger, budget).await
    }

    pub async fn handle_trigger(
        &self,
        trigger: &Trigger,
        budget: Budget,
    ) -> Result<EventReport, HandleError> {
        if let Trigger::Ignored(ignored) = trigger {
            tracing::info!(event_name = ?ignored.event_name, reason = %ignored.reason, "event ignored");
            return Ok(EventReport {
                findings: vec![],
                notes: vec![format!("ignored: {}", ignored.reason)],
            });
        }
        let now = self.clock.now();
        let policy = &self.settings.policy;
        let remediator = self.remediator(budget);
        let mut troubles = Troubles::default();
        let (gathered, gather_error) = match self.gather(trigger, budget).await {
            Ok(gathered) => (Some(gathered), None),
            Err(OrgFactsError::Config(error)) => {
                tracing::error!(variable = error.variable, error = %error, "configuration contradicts Organizations");
                return Err(HandleError::Config(error));
            }
            Err(OrgFactsError::Port(error)) => {
                tracing::error!(error = %error, "could not gather facts; evaluating the event alone");
                (None, Some(error))
            }
        };
        let restraints = Gathered::restraints(
            gathered.as_ref(),
            gather_error.as_ref(),
            trigger,
            &self.settings,
        );
        let inventory = gathered.as_ref().map(|g| &g.inventory);
        let mut evaluation = evaluate_trigger_with(trigger, inventory, policy, now, restraints);
        let (organization_id, look, notes) = gathered.map(Gathered::into_look).unwrap_or_default();
        evaluation.notes.extend(notes);
        for note in &evaluation.notes {
            tracing::info!(note = %note, "evaluation note");
        }
        let mut findings = Vec::with_capacity(evaluation.judged.len());
        for judged in &evaluation.judged {
            findings.extend(remediator.remediate(judged, policy, &mut troubles).await);
        }
        let found_none = !findings.iter().any(|f| f.instance_arn.is_some());
        if let Some((mut notice, incomplete)) =
            notice_for(trigger, look, organization_id.as_deref(), found_none, now)
        {
            troubles.incomplete.extend(incomplete);
            troubles.published(remediator.publish_notice(&mut notice).await);
        }
        let error = match (troubles.into_error(), gather_error) {
            (Some(publish @ HandleError::Publish { .. }), _) => Some(publish),
            (_, Some(gather)) => Some(HandleError::Gather(gather)),
            (other, None) => other,
        };
        if let Some(error) = error {
            return Err(error);
        }
        Ok(EventReport {
            findings,
            notes: evaluation.notes,
        })
    }
}
