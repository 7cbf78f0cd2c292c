//! The worker's half of the confirmation of an announced delete (see [`crate::confirm`]).

use crate::clock::Budget;
use crate::confirm::ConfirmTask;
use crate::facts::{list_region, Settle};
use crate::failure::HandleError;
use crate::finding::Finding;
use crate::lifecycle::{Listed, Stage};
use crate::ports::{Clock, FindingPublisher, InstancePort, PortError, TaskQueue};
use crate::service::Guardrail;

impl<O, I, P, C, Q> Guardrail<O, I, P, C, Q>
where
    I: InstancePort,
    P: FindingPublisher,
    C: Clock,
    Q: TaskQueue,
{
    /// Confirms an announced delete (a worker's task): publishes `deleted` if the instance is
    /// gone or being deleted; fails, publishing nothing, while it is still there.
    pub async fn confirm(
        &self,
        task: &ConfirmTask,
        budget: Budget,
    ) -> Result<Finding, HandleError> {
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
        let Some(stage) = Stage::confirmed(arn, &announced.region, &listed) else {
            return Err(HandleError::Incomplete(vec![format!(
                "{arn} is still listed ({listed:?}) after its deletion was announced: no word is \
                 published; the confirmation will be retried, then kept by the dead-letter queue"
            )]));
        };
        let mut finding = announced.clone();
        finding.remediation.status = stage.status();
        finding.remediation.detail = stage.detail(arn, &announced.region);
        self.remediator(budget)
            .publish_finding(&mut finding)
            .await
            .map_err(HandleError::unpublished)?;
        tracing::info!(finding_id = %finding.id, instance_arn = arn, "announced delete confirmed");
        Ok(finding)
    }
}
