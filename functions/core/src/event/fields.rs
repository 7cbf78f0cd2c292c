//! Small helpers the event readers share: a field that must be a string, a checked account ID,
//! an ignored trigger.

use super::lenient::Text;
use super::quote::printable;
use super::trigger::{Ignored, Trigger};
use crate::error::EventError;
use crate::ids::is_account_id;

/// A top-level field of the record a reader uses: absent (or null) is `None`, a string is
/// itself, and any other kind is an error that names the field.
pub(super) fn text<'a>(
    field: &'static str,
    value: &'a Option<Text>,
) -> Result<Option<&'a str>, EventError> {
    match value {
        None => Ok(None),
        Some(Text::Str(text)) => Ok(Some(text)),
        Some(Text::Not(kind)) => Err(EventError::InvalidField {
            field,
            reason: format!("expected a string, found {kind}"),
        }),
    }
}

/// A string inside the free-form parts of a record: another kind reads as absent.
pub(super) fn loose(value: &Option<Text>) -> Option<&str> {
    value.as_ref().and_then(Text::as_str)
}

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
