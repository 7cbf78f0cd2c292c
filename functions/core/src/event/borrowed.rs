//! The fast parser: the bytes deserialised in one pass into typed fields that borrow from
//! them, with no `serde_json::Value` anywhere (the objects the readers look into —
//! `requestParameters`, `responseElements`, `serviceEventDetails`, `sessionContext` — are a
//! borrowed [`Json`] tree).
//!
//! It must give what the path through `Value` gives, so it reads an input only when that path
//! is certain to read the same fields from it, and declines every other input (`None`: the
//! caller takes the other path, whose result, error message included, is then the answer):
//! - input that is not UTF-8 (the `Value` path rejects it, wherever it is);
//! - anything that fails to deserialise here, for whatever reason: a field of another type
//!   than the `Value` path reads (its `EventBridgeEvent` and [`CloudTrailRecord`]), a known
//!   key twice (`Value` keeps the last one, so the field read there could differ), an array
//!   where an object is read (serde's derive reads a struct from an array; the `Value` path
//!   requires an object for the envelope and for `detail`), an unparsable `time`;
//! - an envelope without `source`, `detail-type` or an object `detail` (null or absent);
//! - serde_json's private map keys (`$serde_json::private::…`), which `Value` reads specially.
//!
//! Fields no reader uses are still parsed as `Value` parses them ([`super::json`]) — strings
//! unescaped and checked (a lone surrogate is an error), numbers converted (`1e400` is out of
//! range) — because the `Value` path rejects the whole input when one of them is malformed.
//! serde's `IgnoredAny`, which skips without those checks, is never used here.
//!
//! [`CloudTrailRecord`]: super::record::CloudTrailRecord

use std::fmt;

use chrono::{DateTime, Utc};
use serde::de::{Deserialize, Deserializer, Error, MapAccess, Visitor};

use super::accept::{interpret, origin};
use super::json::{Checked, Json, Key, Str, Text, Texts};
use super::trigger::Trigger;
use super::view::{EnvelopeView, IdentityView, RecordView};
use crate::error::EventError;

/// The trigger of `bytes`, or `None` when the path through `Value` must decide.
pub(super) fn parse(bytes: &[u8]) -> Option<Result<Trigger, EventError>> {
    // From `&str`: the UTF-8 check is done once here, not string by string.
    let text = std::str::from_utf8(bytes).ok()?;
    let envelope: Envelope<'_> = serde_json::from_str(text).ok()?;
    let (Some(source), Some(detail_type), Some(record)) =
        (&envelope.source, &envelope.detail_type, &envelope.detail)
    else {
        return None;
    };
    let expected_event_source = match origin(source.as_str(), detail_type.as_str()) {
        Ok(event_source) => event_source,
        Err(ignored) => return Some(Ok(Trigger::Ignored(ignored))),
    };
    let view = EnvelopeView {
        source: source.as_str(),
        id: text_of(&envelope.id),
        account: text_of(&envelope.account),
        time: envelope.time,
        region: text_of(&envelope.region),
    };
    Some(interpret(&view, &record.view(), expected_event_source))
}

/// A typed object: each known key read into its field (null is `None`), a known key given
/// twice an error, every other key's value checked as `Value` would check it and dropped.
/// Only an object deserialises (`deserialize_map`), never an array.
macro_rules! object {
    ($(#[$doc:meta])* $name:ident { $($key:literal => $field:ident: $ty:ty,)* }) => {
        $(#[$doc])*
        #[derive(Default)]
        struct $name<'a> {
            $($field: Option<$ty>,)*
        }

        impl<'de> Deserialize<'de> for $name<'de> {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Fields;
                impl<'de> Visitor<'de> for Fields {
                    type Value = $name<'de>;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str(concat!("an object (", stringify!($name), ")"))
                    }

                    fn visit_map<A>(self, mut map: A) -> Result<Self::Value, A::Error>
                    where
                        A: MapAccess<'de>,
                    {
                        let mut out = $name::default();
                        // Whether each known key was seen: a second one is an error.
                        $(let mut $field = false;)*
                        while let Some(key) = map.next_key::<Key<'de>>()? {
                            match &*key.0 {
                                $($key => {
                                    if std::mem::replace(&mut $field, true) {
                                        let duplicate = concat!("duplicate key ", $key);
                                        return Err(A::Error::custom(duplicate));
                                    }
                                    out.$field = map.next_value()?;
                                })*
                                _ => {
                                    map.next_value::<Checked>()?;
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                deserializer.deserialize_map(Fields)
            }
        }
    };
}

object! {
    /// `EventBridgeEvent`'s fields, of the types it reads them as (`version` and `resources`
    /// are read by no reader, but a wrong type of theirs is an error there).
    Envelope {
        "version" => _version: Text,
        "id" => id: Str<'a>,
        "detail-type" => detail_type: Str<'a>,
        "source" => source: Str<'a>,
        "account" => account: Str<'a>,
        "time" => time: DateTime<Utc>,
        "region" => region: Str<'a>,
        "resources" => _resources: Texts,
        "detail" => detail: Record<'a>,
    }
}

object! {
    /// [`CloudTrailRecord`](super::record::CloudTrailRecord)'s fields, of its types.
    Record {
        "eventVersion" => _event_version: Text,
        "userIdentity" => user_identity: Identity<'a>,
        "eventTime" => event_time: Str<'a>,
        "eventSource" => event_source: Str<'a>,
        "eventName" => event_name: Str<'a>,
        "awsRegion" => aws_region: Str<'a>,
        "sourceIPAddress" => _source_ip_address: Text,
        "userAgent" => _user_agent: Text,
        "errorCode" => error_code: Str<'a>,
        "errorMessage" => error_message: Str<'a>,
        "requestParameters" => request_parameters: Json<'a>,
        "responseElements" => response_elements: Json<'a>,
        "serviceEventDetails" => service_event_details: Json<'a>,
        "eventID" => event_id: Str<'a>,
        "eventType" => _event_type: Text,
        "recipientAccountId" => recipient_account_id: Str<'a>,
    }
}

object! {
    /// [`UserIdentity`](super::record::UserIdentity)'s fields, of its types.
    Identity {
        "type" => _identity_type: Text,
        "principalId" => _principal_id: Text,
        "arn" => arn: Str<'a>,
        "accountId" => account_id: Str<'a>,
        "invokedBy" => _invoked_by: Text,
        "sessionContext" => session_context: Json<'a>,
    }
}

impl Record<'_> {
    fn view(&self) -> RecordView<'_, Json<'_>> {
        RecordView {
            user_identity: self.user_identity.as_ref().map(|u| IdentityView {
                arn: text_of(&u.arn),
                account_id: text_of(&u.account_id),
                session_context: u.session_context.as_ref(),
            }),
            event_time: text_of(&self.event_time),
            event_source: text_of(&self.event_source),
            event_name: text_of(&self.event_name),
            aws_region: text_of(&self.aws_region),
            error_code: text_of(&self.error_code),
            error_message: text_of(&self.error_message),
            request_parameters: self.request_parameters.as_ref(),
            response_elements: self.response_elements.as_ref(),
            service_event_details: self.service_event_details.as_ref(),
            event_id: text_of(&self.event_id),
            recipient_account_id: text_of(&self.recipient_account_id),
        }
    }
}

fn text_of<'b>(field: &'b Option<Str<'_>>) -> Option<&'b str> {
    field.as_ref().map(Str::as_str)
}
