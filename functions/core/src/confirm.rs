//! The final word of every announced delete, even if the sandbox dies right after
//! `DeleteInstance`: before it deletes, the guardrail queues a confirmation (the `deleting`
//! finding itself) to the worker queue, delivered once the invocation is over. The worker then
//! lists the instance: gone, or being deleted, is published as `deleted` under the same id with
//! a higher `sequence`; still there, it publishes nothing and fails the task, so the queue
//! retries it and, in the end, its dead-letter queue keeps it. Either way the highest
//! `sequence` per id is true, or the confirmation is in a DLQ. A confirmation that cannot be
//! queued means no delete.
//!
//! A `failed` word (a delete not attempted, or not confirmed) is settled the same way: the
//! invocation that says it fails, but its retry may no longer see the instance (another
//! delivery, the sweep or someone else deleted it meanwhile) and so say nothing more under
//! that id. The `failed` finding is queued too; once the invocation is over the worker lists
//! the instance: gone is published as `already_deleted` (being deleted: `deleted`); still
//! there, the `failed` word stands and the task is done.

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, RemediationStatus};

/// Value of a confirmation's `schema` key.
pub const CONFIRM_SCHEMA: &str = "idc-guardrail/confirm-task/v1";

/// A confirmation: the announced `deleting` finding, or a `failed` one to settle.
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
                    RemediationStatus::Deleting | RemediationStatus::Failed
                        if task.finding.instance_arn.is_some() =>
                    {
                        Ok(task)
                    }
                    _ => Err(
                        "a confirmation carries a `deleting` or `failed` finding with its instance"
                            .into(),
                    ),
                }),
        )
    }
}
