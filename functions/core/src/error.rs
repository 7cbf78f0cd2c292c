//! Errors of the domain: what was wrong with an input, said so a person can fix it.

use thiserror::Error;

/// Why an event could not be turned into a trigger.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum EventError {
    #[error("the input is empty")]
    Empty,
    #[error("the input is not JSON: {0}")]
    NotJson(String),
    #[error("not an EventBridge envelope: {0}")]
    NotEnvelope(String),
    #[error("the CloudTrail record in `detail` lacks `{0}`")]
    MissingField(&'static str),
    #[error("the CloudTrail record has an invalid `{field}`: {reason}")]
    InvalidField { field: &'static str, reason: String },
}

/// Why an inventory file could not be used.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum InventoryError {
    #[error("the inventory is empty")]
    Empty,
    #[error("the inventory is not valid: {0}")]
    Malformed(String),
    #[error("the inventory has an invalid {field}: {reason}")]
    InvalidField { field: String, reason: String },
}
