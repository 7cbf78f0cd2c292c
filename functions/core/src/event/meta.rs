//! What every trigger says about its event: id, name, time, Region, caller, and the account
//! that recorded it (checked against the envelope's).

use super::fields::checked_account;
use super::quote::printable;
use super::trigger::{AccountConflict, EventMeta};
use super::view::{EnvelopeView, Node, RecordView};
use crate::error::EventError;
use chrono::{DateTime, Utc};

pub(super) fn meta<N: Node>(
    envelope: &EnvelopeView<'_>,
    record: &RecordView<'_, N>,
) -> Result<EventMeta, EventError> {
    let event_id = record
        .event_id
        .or(envelope.id)
        .filter(|id| !id.is_empty())
        .ok_or(EventError::MissingField("eventID"))?
        .to_owned();
    let event_name = record
        .event_name
        .ok_or(EventError::MissingField("eventName"))?
        .to_owned();
    let event_time = match record.event_time {
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
        .or(envelope.region)
        .ok_or(EventError::MissingField("awsRegion"))?
        .to_owned();
    // The record's own account: the trail that recorded it, else the caller's account.
    let record_account = record
        .recipient_account_id
        .or_else(|| record.user_identity.and_then(|u| u.account_id));
    let envelope_account = envelope.account.filter(|a| !a.is_empty());
    let recipient = record_account
        .or(envelope_account)
        .ok_or(EventError::MissingField("recipientAccountId"))?;
    let recipient_account_id = checked_account("recipientAccountId", recipient)?;
    let account_conflict = match (envelope_account, record_account) {
        (Some(envelope), Some(record)) if envelope != record => Some(AccountConflict {
            envelope: envelope.to_owned(),
            record: record.to_owned(),
        }),
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
/// (service events carry neither). `sessionContext.sessionIssuer.arn` key by key, which is
/// what `Value::pointer` does on objects (on anything else, both find nothing).
fn principal_arn<N: Node>(record: &RecordView<'_, N>) -> Option<String> {
    let identity = record.user_identity?;
    identity
        .arn
        .or_else(|| {
            identity
                .session_context
                .and_then(|c| c.get("sessionIssuer"))
                .and_then(|issuer| issuer.get("arn"))
                .and_then(N::as_str)
        })
        .filter(|arn| !arn.is_empty())
        .map(str::to_owned)
}
