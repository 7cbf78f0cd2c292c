//! The worker's half of the confirmation of an announced delete (see [`crate::confirm`]).

use crate::clock::Budget;
use crate::confirm::ConfirmTask;
use crate::facts::{list_region, Settle};
use crate::failure::HandleError;
use crate::finding::{Finding, RemediationStatus};
use crate::guardrail::Guardrail;
use crate::lifecycle::{Listed, Stage};
use crate::ports::{Clock, FindingPublisher, InstancePort, PortError, TaskQueue};

impl<O, I, P, C, Q> Guardrail<O, I, P, C, Q>
where
    I: InstancePort,
    P: FindingPublisher,
    C: Clock,
    Q: TaskQueue,
{
    /// Confirms an announced delete (a worker's task): publishes `deleted` if the instance is
    /// gone or being deleted; fails, publishing nothing, while it is still there. Settles a
    /// `failed` word: publishes `already_deleted` (or `deleted`) if the instance is gone (or
    /// being deleted); still there, the word stands (`None`: nothing published).
    pub async fn confirm(
        &self,
        task: &ConfirmTask,
        budget: Budget,
    ) -> Result<Option<Finding>, HandleError> {
        let announced = &task.finding;
        let arn = announced.instance_arn.as_deref().unwrap_or_default();
        let listed = list_region(
            &self.instances,
            &self.clock,
            budget,
            &announced.account_id,
            &announced.region,
            Settle::Gone(arn),
        )
        .await
        .map_err(|e| HandleError::Incomplete(vec![format!("{arn} could not be listed ({e})")]))?;
        let status = listed
            .into_iter()
            .find(|i| i.instance_arn == arn)
            .map(|i| i.status);
        let listed = Listed::from(Ok::<_, PortError>(status));
        if announced.remediation.status == RemediationStatus::Failed {
            let Some(stage) = Stage::settled(arn, &announced.region, &listed) else {
                tracing::info!(finding_id = %announced.id, instance_arn = arn, "still there: the failed word stands");
                return Ok(None);
            };
            return self
                .publish_stage(announced, &stage, budget)
                .await
                .map(Some);
        }
        let Some(stage) = Stage::confirmed(arn, &announced.region, &listed) else {
            return Err(HandleError::Incomplete(vec![format!(
                "{arn} is still listed ({listed:?}) after its deletion was announced: no word is \
                 published; the confirmation will be retried, then kept by the dead-letter queue"
            )]));
        };
        let finding = self.publish_stage(announced, &stage, budget).await?;
        tracing::info!(finding_id = %finding.id, instance_arn = arn, "announced delete confirmed");
        Ok(Some(finding))
    }

    /// The finding under the same id, in `stage`, published with a higher `sequence`.
    async fn publish_stage(
        &self,
        earlier: &Finding,
        stage: &Stage,
        budget: Budget,
    ) -> Result<Finding, HandleError> {
        let arn = earlier.instance_arn.as_deref().unwrap_or_default();
        let mut finding = earlier.clone();
        finding.remediation.status = stage.status();
        finding.remediation.detail = stage.detail(arn, &earlier.region);
        self.remediator(budget)
            .publish_finding(&mut finding)
            .await
            .map_err(HandleError::unpublished)?;
        Ok(finding)
    }
}
