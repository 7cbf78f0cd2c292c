//! Which envelopes can give a trigger at all: the source, the detail-type and the record's
//! eventSource are checked before anything else, then the event name picks the reader.

use serde_json::Value;

use super::borrowed;
use super::fields::{ignored, json_kind};
use super::organizations::{
    account_created, account_joined_event, delegated_admin_registered, handshake_accepted,
};
use super::quote::{brief, printable};
use super::record::{CloudTrailEnvelope, CloudTrailRecord};
use super::sso::instance_created;
use super::trigger::{Ignored, Trigger};
use super::view::{EnvelopeView, Node, RecordView};
use crate::error::EventError;
use crate::ids::{event_source_of, CLOUDTRAIL_DETAIL_TYPES};

/// Parses raw bytes (a file, a Lambda payload) into a trigger.
///
/// Straight from the bytes into typed fields that borrow from them when the input fits them,
/// as real envelopes do; every other input is parsed again through
/// `serde_json::Value` ([`parse_event_bytes_via_value`]), so that the result, errors and
/// their messages included, is always the one that path gives.
pub fn parse_event_bytes(bytes: &[u8]) -> Result<Trigger, EventError> {
    match borrowed::parse(bytes) {
        Some(result) => result,
        None => parse_event_bytes_via_value(bytes),
    }
}

/// The typed parser of [`parse_event_bytes`] alone: `None` for an input it leaves to the
/// path through `Value` (the fuzzer counts how many it reads, and compares them).
#[doc(hidden)]
pub fn parse_event_bytes_typed(bytes: &[u8]) -> Option<Result<Trigger, EventError>> {
    borrowed::parse(bytes)
}

/// [`parse_event_bytes`] through `serde_json::Value` only: the path whose results the typed
/// one must equal (the tests and the fuzzer compare them).
#[doc(hidden)]
pub fn parse_event_bytes_via_value(bytes: &[u8]) -> Result<Trigger, EventError> {
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
pub fn parse_envelope(mut envelope: CloudTrailEnvelope) -> Result<Trigger, EventError> {
    let expected_event_source = match origin(&envelope.source, &envelope.detail_type) {
        Ok(event_source) => event_source,
        Err(ignored) => return Ok(Trigger::Ignored(ignored)),
    };
    if !envelope.detail.is_object() {
        return Err(EventError::NotEnvelope(format!(
            "`detail` must be an object, found {}",
            json_kind(&envelope.detail)
        )));
    }
    // The detail is read once, into the record: taken out of the envelope, not copied.
    let detail = std::mem::take(&mut envelope.detail);
    let record: CloudTrailRecord = serde_json::from_value(detail).map_err(|e| {
        EventError::NotEnvelope(format!(
            "`detail` is not a CloudTrail record: {}",
            brief(&e)
        ))
    })?;
    interpret(
        &EnvelopeView::of(&envelope),
        &RecordView::of(&record),
        expected_event_source,
    )
}

/// Origin first: an event from elsewhere is ignored whatever its detail looks like. The
/// `eventSource` the accepted source implies, else why the event is ignored.
pub(super) fn origin(source: &str, detail_type: &str) -> Result<&'static str, Ignored> {
    let Some(expected_event_source) = event_source_of(source) else {
        return Err(Ignored {
            event_name: None,
            reason: format!(
                "source `{}` is neither `aws.sso` nor `aws.organizations`: not an event the \
                 guardrail evaluates",
                printable(source)
            ),
        });
    };
    if !CLOUDTRAIL_DETAIL_TYPES.contains(&detail_type) {
        return Err(Ignored {
            event_name: None,
            reason: format!(
                "detail-type `{}` is not a CloudTrail API call or service event (expected \
                 `{}` or `{}`)",
                printable(detail_type),
                CLOUDTRAIL_DETAIL_TYPES[0],
                CLOUDTRAIL_DETAIL_TYPES[1]
            ),
        });
    }
    Ok(expected_event_source)
}

/// The record of an accepted envelope: its event name picks the reader.
pub(super) fn interpret<N: Node>(
    envelope: &EnvelopeView<'_>,
    record: &RecordView<'_, N>,
    expected_event_source: &'static str,
) -> Result<Trigger, EventError> {
    let event_name = record
        .event_name
        .ok_or(EventError::MissingField("eventName"))?;
    // A record without `eventSource` takes the one its (accepted) source implies.
    let event_source = record.event_source.unwrap_or(expected_event_source);
    if event_source != expected_event_source {
        return Ok(ignored(
            event_name,
            format!(
                "eventSource `{}` does not belong to source `{}` (expected `{expected_event_source}`)",
                printable(event_source),
                envelope.source
            ),
        ));
    }

    match (event_source, event_name) {
        ("sso.amazonaws.com", "CreateInstance") => instance_created(envelope, record),
        ("organizations.amazonaws.com", "RegisterDelegatedAdministrator") => {
            delegated_admin_registered(envelope, record)
        }
        ("organizations.amazonaws.com", "AcceptHandshake") => handshake_accepted(envelope, record),
        ("organizations.amazonaws.com", "CreateAccountResult") => account_created(envelope, record),
        ("organizations.amazonaws.com", "AccountJoinedOrganization") => {
            account_joined_event(envelope, record)
        }
        _ => Ok(ignored(
            event_name,
            format!(
                "`{}` `{}` is not an event the guardrail evaluates",
                printable(event_source),
                printable(event_name)
            ),
        )),
    }
}
