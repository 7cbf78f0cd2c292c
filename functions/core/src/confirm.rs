//! The final word of every announced delete, even if the sandbox dies right after
//! `DeleteInstance`: before it deletes, the guardrail queues a confirmation (the `deleting`
//! finding itself) to the worker queue, delivered once the invocation is over. The worker then
//! lists the instance: gone, or being deleted, is published as `deleted` under the same id with
//! a higher `sequence`; still there, it publishes nothing and fails the task, so the queue
//! retries it and, in the end, its dead-letter queue keeps it. Either way the highest
//! `sequence` per id is true, or the confirmation is in a DLQ. A confirmation that cannot be
//! queued means no delete.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clock::Budget;
use crate::facts::{list_region, Settle};
use crate::finding::{Finding, RemediationStatus};
use crate::lifecycle::{Listed, Stage};
use crate::ports::{Clock, FindingPublisher, InstancePort, PortError, PortErrorKind, TaskQueue};
use crate::service::{Guardrail, HandleError};

/// Value of a confirmation's `schema` key.
pub const CONFIRM_SCHEMA: &str = "idc-guardrail/confirm-task/v1";

/// SQS delays a message by 15 minutes at most.
const MAX_DELAY: Duration = Duration::from_secs(900);
/// Beyond the invocation's deadline, so the confirmation never races the invocation.
const MARGIN: Duration = Duration::from_secs(5);

/// A confirmation: the announced `deleting` finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmTask {
    pub schema: String,
    pub finding: Finding,
}

impl ConfirmTask {
    pub fn new(announced: &Finding) -> Self {
        ConfirmTask {
            schema: CONFIRM_SCHEMA.to_owned(),
            finding: announced.clone(),
        }
    }

    /// Parses a queue message body that says it is a confirmation.
    pub fn parse(body: &str) -> Option<Result<Self, String>> {
        let value: serde_json::Value = serde_json::from_str(body).ok()?;
        if value.get("schema").and_then(|s| s.as_str()) != Some(CONFIRM_SCHEMA) {
            return None;
        }
        Some(
            serde_json::from_value::<ConfirmTask>(value)
                .map_err(|e| format!("not a confirmation: {e}"))
                .and_then(|task| match task.finding.remediation.status {
                    RemediationStatus::Deleting if task.finding.instance_arn.is_some() => Ok(task),
                    _ => {
                        Err("a confirmation carries a `deleting` finding with its instance".into())
                    }
                }),
        )
    }

    /// How long to wait: past what is left of the invocation, within what SQS allows.
    pub fn delay(budget: Budget, now: chrono::DateTime<chrono::Utc>) -> Duration {
        budget
            .remaining(now)
            .map_or(Duration::ZERO, |left| (left + MARGIN).min(MAX_DELAY))
    }
}

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
            .map_err(|first| HandleError::Publish {
                failed: 1,
                total: 1,
                first,
            })?;
        tracing::info!(finding_id = %finding.id, instance_arn = arn, "announced delete confirmed");
        Ok(finding)
    }
}

/// The error of a confirmation that could not be queued.
pub fn not_queued(error: PortError) -> PortError {
    PortError::new(
        PortErrorKind::Other,
        "SendMessage",
        format!("the confirmation of the delete could not be queued ({error})"),
    )
}
