//! Small helpers the event readers share: a checked account ID, an ignored trigger, the kind
//! of a JSON value.

use serde_json::Value;

use super::quote::printable;
use super::trigger::{Ignored, Trigger};
use crate::error::EventError;
use crate::ids::is_account_id;

pub(super) fn checked_account(field: &'static str, value: &str) -> Result<String, EventError> {
    if is_account_id(value) {
        Ok(value.to_owned())
    } else {
        Err(EventError::InvalidField {
            field,
            reason: format!("`{}` is not a 12-digit AWS account ID", printable(value)),
        })
    }
}

pub(super) fn ignored(event_name: &str, reason: String) -> Trigger {
    Trigger::Ignored(Ignored {
        event_name: Some(event_name.to_owned()),
        reason,
    })
}

pub(super) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
