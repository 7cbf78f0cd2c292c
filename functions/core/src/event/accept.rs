//! Which envelopes can give a trigger at all: the source, the detail-type and the record's
//! eventSource are checked before anything else, then the event name picks the reader.

use serde_json::Value;

use super::fields::{ignored, json_kind};
use super::organizations::{
    account_created, account_joined_event, delegated_admin_registered, handshake_accepted,
};
use super::quote::{brief, printable};
use super::record::{CloudTrailEnvelope, CloudTrailRecord};
use super::sso::instance_created;
use super::trigger::{Ignored, Trigger};
use crate::error::EventError;
use crate::ids::{event_source_of, CLOUDTRAIL_DETAIL_TYPES};

/// Parses raw bytes (a file, a Lambda payload) into a trigger.
pub fn parse_event_bytes(bytes: &[u8]) -> Result<Trigger, EventError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(EventError::Empty);
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| EventError::NotJson(brief(&e)))?;
    parse_event_value(value)
}

/// Parses a JSON value (what `lambda_runtime` hands over) into a trigger.
pub fn parse_event_value(value: Value) -> Result<Trigger, EventError> {
    if !value.is_object() {
        return Err(EventError::NotEnvelope(format!(
            "expected a JSON object, found {}",
            json_kind(&value)
        )));
    }
    let envelope: CloudTrailEnvelope =
        serde_json::from_value(value).map_err(|e| EventError::NotEnvelope(brief(&e)))?;
    parse_envelope(envelope)
}

/// Interprets an EventBridge envelope.
pub fn parse_envelope(envelope: CloudTrailEnvelope) -> Result<Trigger, EventError> {
    // Origin first: an event from elsewhere is ignored whatever its detail looks like.
    let Some(expected_event_source) = event_source_of(&envelope.source) else {
        return Ok(Trigger::Ignored(Ignored {
            event_name: None,
            reason: format!(
                "source `{}` is neither `aws.sso` nor `aws.organizations`: not an event the \
                 guardrail evaluates",
                printable(&envelope.source)
            ),
        }));
    };
    if !CLOUDTRAIL_DETAIL_TYPES.contains(&envelope.detail_type.as_str()) {
        return Ok(Trigger::Ignored(Ignored {
            event_name: None,
            reason: format!(
                "detail-type `{}` is not a CloudTrail API call or service event (expected \
                 `{}` or `{}`)",
                printable(&envelope.detail_type),
                CLOUDTRAIL_DETAIL_TYPES[0],
                CLOUDTRAIL_DETAIL_TYPES[1]
            ),
        }));
    }
    if !envelope.detail.is_object() {
        return Err(EventError::NotEnvelope(format!(
            "`detail` must be an object, found {}",
            json_kind(&envelope.detail)
        )));
    }
    let record: CloudTrailRecord =
        serde_json::from_value(envelope.detail.clone()).map_err(|e| {
            EventError::NotEnvelope(format!(
                "`detail` is not a CloudTrail record: {}",
                brief(&e)
            ))
        })?;
    let event_name = record
        .event_name
        .clone()
        .ok_or(EventError::MissingField("eventName"))?;
    // A record without `eventSource` takes the one its (accepted) source implies.
    let event_source = record
        .event_source
        .clone()
        .unwrap_or_else(|| expected_event_source.to_owned());
    if event_source != expected_event_source {
        return Ok(ignored(
            &event_name,
            format!(
                "eventSource `{}` does not belong to source `{}` (expected `{expected_event_source}`)",
                printable(&event_source),
                envelope.source
            ),
        ));
    }

    match (event_source.as_str(), event_name.as_str()) {
        ("sso.amazonaws.com", "CreateInstance") => instance_created(&envelope, &record),
        ("organizations.amazonaws.com", "RegisterDelegatedAdministrator") => {
            delegated_admin_registered(&envelope, &record)
        }
        ("organizations.amazonaws.com", "AcceptHandshake") => {
            handshake_accepted(&envelope, &record)
        }
        ("organizations.amazonaws.com", "CreateAccountResult") => {
            account_created(&envelope, &record)
        }
        ("organizations.amazonaws.com", "AccountJoinedOrganization") => {
            account_joined_event(&envelope, &record)
        }
        _ => Ok(ignored(
            &event_name,
            format!(
                "`{}` `{}` is not an event the guardrail evaluates",
                printable(&event_source),
                printable(&event_name)
            ),
        )),
    }
}
