//! Which envelopes can give a trigger at all: the source, the detail-type and the record's
//! eventSource are checked before anything else, then the event name picks the reader.

use serde_json::error::Category;

use super::fields::{ignored, text};
use super::organizations::{
    account_created, account_joined_event, delegated_admin_registered, handshake_accepted,
};
use super::quote::{brief, printable};
use super::record::{CloudTrailEnvelope, CloudTrailRecord, Detail};
use super::sso::instance_created;
use super::trigger::{Ignored, Trigger};
use crate::error::EventError;
use crate::ids::{event_source_of, CLOUDTRAIL_DETAIL_TYPES};

/// Parses raw bytes (a file, a payload) into a trigger: the envelope as the functions receive
/// it ([`CloudTrailEnvelope`]), then what it means ([`parse_envelope`]).
pub fn parse_event_bytes(bytes: &[u8]) -> Result<Trigger, EventError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(EventError::Empty);
    }
    let envelope: CloudTrailEnvelope =
        serde_json::from_slice(bytes).map_err(|e| match e.classify() {
            Category::Data => EventError::NotEnvelope(brief(&e)),
            Category::Io | Category::Syntax | Category::Eof => EventError::NotJson(brief(&e)),
        })?;
    parse_envelope(&envelope)
}

/// Interprets an EventBridge envelope: where it comes from first, then its record.
pub fn parse_envelope(envelope: &CloudTrailEnvelope) -> Result<Trigger, EventError> {
    let expected_event_source = match origin(&envelope.source, &envelope.detail_type) {
        Ok(event_source) => event_source,
        Err(ignored) => return Ok(Trigger::Ignored(ignored)),
    };
    match &envelope.detail {
        Detail::Record(record) => interpret(envelope, record, expected_event_source),
        Detail::NotAnObject(kind) => Err(EventError::NotEnvelope(format!(
            "`detail` must be an object, found {kind}"
        ))),
    }
}

/// Origin first: an event from elsewhere is ignored whatever its detail looks like. The
/// `eventSource` the accepted source implies, else why the event is ignored.
fn origin(source: &str, detail_type: &str) -> Result<&'static str, Ignored> {
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
fn interpret(
    envelope: &CloudTrailEnvelope,
    record: &CloudTrailRecord,
    expected_event_source: &'static str,
) -> Result<Trigger, EventError> {
    let event_name =
        text("eventName", &record.event_name)?.ok_or(EventError::MissingField("eventName"))?;
    // A record without `eventSource` takes the one its (accepted) source implies.
    let event_source = text("eventSource", &record.event_source)?.unwrap_or(expected_event_source);
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
