//! The sweep's inputs: the scheduled event that starts it and the worker's per-account task.

use serde::{Deserialize, Serialize};

/// A stable sweep id for a scheduled event (its id is kept across Lambda retries, so a
/// retried sweep publishes findings with the same ids).
pub fn sweep_id_for_event(event_id: &str) -> String {
    format!("sweep-{event_id}")
}

/// A worker's task: one account of one sweep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepTask {
    pub schema: String,
    pub sweep_id: String,
    pub account_id: String,
}

/// Value of a task's `schema` key.
pub const TASK_SCHEMA: &str = "idc-guardrail/sweep-task/v1";

impl SweepTask {
    pub fn new(sweep_id: &str, account_id: &str) -> Self {
        SweepTask {
            schema: TASK_SCHEMA.to_owned(),
            sweep_id: sweep_id.to_owned(),
            account_id: account_id.to_owned(),
        }
    }

    /// Parses a queue message body; a bad one is an error naming the problem.
    pub fn parse(body: &str) -> Result<Self, TaskError> {
        let task: SweepTask =
            serde_json::from_str(body).map_err(|e| TaskError::NotATask(e.to_string()))?;
        if task.schema != TASK_SCHEMA {
            return Err(TaskError::UnknownSchema(task.schema));
        }
        if !crate::ids::is_account_id(&task.account_id) {
            return Err(TaskError::InvalidAccount(task.account_id));
        }
        Ok(task)
    }
}

/// Why a queue message is not a task the worker can do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    #[error("not a sweep task: {0}")]
    NotATask(String),
    #[error("unknown task schema `{0}`")]
    UnknownSchema(String),
    #[error("`{0}` is not a 12-digit AWS account ID")]
    InvalidAccount(String),
}

/// The scheduled event that starts a sweep (an EventBridge schedule rule): only its `id`
/// matters, kept across Lambda's retries of the invocation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ScheduledEvent {
    pub id: String,
    #[serde(rename = "detail-type", default)]
    pub detail_type: Option<String>,
}

impl ScheduledEvent {
    /// The event, if its `id` can name a sweep (an empty one would give every sweep the
    /// same finding ids).
    pub fn checked(self) -> Result<Self, crate::EventError> {
        if self.id.trim().is_empty() {
            return Err(crate::EventError::MissingField("id"));
        }
        Ok(self)
    }

    /// The sweep's id: the same for every retry of this event, so findings keep their ids.
    pub fn sweep_id(&self) -> String {
        sweep_id_for_event(&self.id)
    }
}
