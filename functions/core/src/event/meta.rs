//! What every trigger says about its event: id, name, time, Region, caller, and the account
//! that recorded it (checked against the envelope's).

use super::fields::{checked_account, loose, text};
use super::quote::printable;
use super::record::{CloudTrailEnvelope, CloudTrailRecord};
use super::trigger::{AccountConflict, EventMeta};
use crate::error::EventError;
use chrono::{DateTime, Utc};

pub(super) fn meta(
    envelope: &CloudTrailEnvelope,
    record: &CloudTrailRecord,
) -> Result<EventMeta, EventError> {
    let event_id = text("eventID", &record.event_id)?
        .or(envelope.id.as_deref())
        .filter(|id| !id.is_empty())
        .ok_or(EventError::MissingField("eventID"))?
        .to_owned();
    let event_name = text("eventName", &record.event_name)?
        .ok_or(EventError::MissingField("eventName"))?
        .to_owned();
    let event_time = match text("eventTime", &record.event_time)? {
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| EventError::InvalidField {
                field: "eventTime",
                reason: format!("`{}` is not an RFC 3339 time ({e})", printable(text)),
            })?,
        None => envelope.time.ok_or(EventError::MissingField("eventTime"))?,
    };
    let region = text("awsRegion", &record.aws_region)?
        .or(envelope.region.as_deref())
        .ok_or(EventError::MissingField("awsRegion"))?
        .to_owned();
    // The record's own account: the trail that recorded it, else the caller's account.
    let record_account = match text("recipientAccountId", &record.recipient_account_id)? {
        Some(account) => Some(account),
        None => caller_account(record)?,
    };
    let envelope_account = envelope.account.as_deref().filter(|a| !a.is_empty());
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

/// The caller's account, `userIdentity.accountId`.
pub(super) fn caller_account(record: &CloudTrailRecord) -> Result<Option<&str>, EventError> {
    match record.user_identity.get() {
        Some(identity) => text("userIdentity.accountId", &identity.account_id),
        None => Ok(None),
    }
}

/// Who made the call: the identity ARN, else the role behind the session, else nothing
/// (service events carry neither).
fn principal_arn(record: &CloudTrailRecord) -> Option<String> {
    let identity = record.user_identity.get()?;
    loose(&identity.arn)
        .or_else(|| {
            identity
                .session_context
                .get()
                .and_then(|c| c.session_issuer.get())
                .and_then(|issuer| loose(&issuer.arn))
        })
        .filter(|arn| !arn.is_empty())
        .map(str::to_owned)
}
