//! What every trigger says about its event: id, name, time, Region, caller, and the account
//! that recorded it (checked against the envelope's).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::fields::checked_account;
use super::quote::printable;
use super::record::{CloudTrailEnvelope, CloudTrailRecord};
use super::trigger::{AccountConflict, EventMeta};
use crate::error::EventError;

pub(super) fn meta(
    envelope: &CloudTrailEnvelope,
    record: &CloudTrailRecord,
) -> Result<EventMeta, EventError> {
    let event_id = record
        .event_id
        .clone()
        .or_else(|| envelope.id.clone())
        .filter(|id| !id.is_empty())
        .ok_or(EventError::MissingField("eventID"))?;
    let event_name = record
        .event_name
        .clone()
        .ok_or(EventError::MissingField("eventName"))?;
    let event_time = match &record.event_time {
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| EventError::InvalidField {
                field: "eventTime",
                reason: format!("`{}` is not an RFC 3339 time ({e})", printable(text)),
            })?,
        None => envelope.time.ok_or(EventError::MissingField("eventTime"))?,
    };
    let region = record
        .aws_region
        .clone()
        .or_else(|| envelope.region.clone())
        .ok_or(EventError::MissingField("awsRegion"))?;
    // The record's own account: the trail that recorded it, else the caller's account.
    let record_account = record.recipient_account_id.clone().or_else(|| {
        record
            .user_identity
            .as_ref()
            .and_then(|u| u.account_id.clone())
    });
    let envelope_account = envelope.account.clone().filter(|a| !a.is_empty());
    let recipient = record_account
        .clone()
        .or_else(|| envelope_account.clone())
        .ok_or(EventError::MissingField("recipientAccountId"))?;
    let recipient_account_id = checked_account("recipientAccountId", &recipient)?;
    let account_conflict = match (envelope_account, record_account) {
        (Some(envelope), Some(record)) if envelope != record => {
            Some(AccountConflict { envelope, record })
        }
        _ => None,
    };
    Ok(EventMeta {
        event_id,
        event_name,
        event_time,
        principal_arn: principal_arn(record),
        recipient_account_id,
        region,
        account_conflict,
    })
}

/// Who made the call: the identity ARN, else the role behind the session, else nothing
/// (service events carry neither).
fn principal_arn(record: &CloudTrailRecord) -> Option<String> {
    let identity = record.user_identity.as_ref()?;
    identity
        .arn
        .clone()
        .or_else(|| {
            identity
                .session_context
                .as_ref()
                .and_then(|c| c.pointer("/sessionIssuer/arn"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .filter(|arn| !arn.is_empty())
}
