//! The final word of every announced delete, even if the sandbox dies right after
//! `DeleteInstance`: before it deletes, the guardrail queues a confirmation (the `deleting`
//! finding itself) to the worker queue, delivered once the invocation is over. The worker then
//! lists the instance: gone, or being deleted, is published as `deleted` under the same id with
//! a higher `sequence`; still there, it publishes nothing and fails the task, so the queue
//! retries it and, in the end, its dead-letter queue keeps it. Either way the highest
//! `sequence` per id is true, or the confirmation is in a DLQ. A confirmation that cannot be
//! queued means no delete.

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, RemediationStatus};

/// Value of a confirmation's `schema` key.
pub const CONFIRM_SCHEMA: &str = "idc-guardrail/confirm-task/v1";

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
}
