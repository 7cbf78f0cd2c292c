//! What the readers see of an envelope and its record: the fields they look at, borrowed.
//!
//! Both parsers build it — the typed one straight from the bytes, and the one through
//! `serde_json::Value` (from an `EventBridgeEvent` and a [`CloudTrailRecord`]) — so that one
//! set of readers decides for both, and the same fields give the same trigger. The objects
//! the readers look into are a [`Node`]: a `Value` from the one, a borrowed
//! [`Json`](super::json::Json) from the other.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::record::{CloudTrailEnvelope, CloudTrailRecord, UserIdentity};

/// The envelope's fields the readers use (`source` and `detail-type` are checked before).
#[derive(Debug, Clone, Copy)]
pub(super) struct EnvelopeView<'a> {
    pub source: &'a str,
    pub id: Option<&'a str>,
    pub account: Option<&'a str>,
    pub time: Option<DateTime<Utc>>,
    pub region: Option<&'a str>,
}

/// What the readers ask of a JSON value, with `serde_json::Value`'s meaning (and nothing
/// else, so that both parsers' values answer alike).
pub(super) trait Node: Sized {
    /// The value of `key` when this is an object that has it (the last one of a key given
    /// twice, as `Value` keeps it).
    fn get(&self, key: &str) -> Option<&Self>;
    fn as_str(&self) -> Option<&str>;
    fn as_array(&self) -> Option<&[Self]>;
}

impl Node for Value {
    fn get(&self, key: &str) -> Option<&Value> {
        Value::get(self, key)
    }

    fn as_str(&self) -> Option<&str> {
        Value::as_str(self)
    }

    fn as_array(&self) -> Option<&[Value]> {
        Value::as_array(self).map(Vec::as_slice)
    }
}

/// The record's fields the readers use.
pub(super) struct RecordView<'a, N> {
    pub user_identity: Option<IdentityView<'a, N>>,
    pub event_time: Option<&'a str>,
    pub event_source: Option<&'a str>,
    pub event_name: Option<&'a str>,
    pub aws_region: Option<&'a str>,
    pub error_code: Option<&'a str>,
    pub error_message: Option<&'a str>,
    pub request_parameters: Option<&'a N>,
    pub response_elements: Option<&'a N>,
    pub service_event_details: Option<&'a N>,
    pub event_id: Option<&'a str>,
    pub recipient_account_id: Option<&'a str>,
}

/// `userIdentity`'s fields the readers use.
pub(super) struct IdentityView<'a, N> {
    pub arn: Option<&'a str>,
    pub account_id: Option<&'a str>,
    pub session_context: Option<&'a N>,
}

// By hand: derived, they would require `N: Copy`, and only references to `N` are copied.
impl<N> Clone for IdentityView<'_, N> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<N> Copy for IdentityView<'_, N> {}

impl<'a> EnvelopeView<'a> {
    pub fn of(envelope: &'a CloudTrailEnvelope) -> Self {
        EnvelopeView {
            source: &envelope.source,
            id: envelope.id.as_deref(),
            account: envelope.account.as_deref(),
            time: envelope.time,
            region: envelope.region.as_deref(),
        }
    }
}

impl<'a> RecordView<'a, Value> {
    pub fn of(record: &'a CloudTrailRecord) -> Self {
        RecordView {
            user_identity: record.user_identity.as_ref().map(IdentityView::of),
            event_time: record.event_time.as_deref(),
            event_source: record.event_source.as_deref(),
            event_name: record.event_name.as_deref(),
            aws_region: record.aws_region.as_deref(),
            error_code: record.error_code.as_deref(),
            error_message: record.error_message.as_deref(),
            request_parameters: record.request_parameters.as_ref(),
            response_elements: record.response_elements.as_ref(),
            service_event_details: record.service_event_details.as_ref(),
            event_id: record.event_id.as_deref(),
            recipient_account_id: record.recipient_account_id.as_deref(),
        }
    }
}

impl<'a> IdentityView<'a, Value> {
    pub fn of(identity: &'a UserIdentity) -> Self {
        IdentityView {
            arn: identity.arn.as_deref(),
            account_id: identity.account_id.as_deref(),
            session_context: identity.session_context.as_ref(),
        }
    }
}
