//! The event as the functions receive it: `aws_lambda_events`' EventBridge envelope around
//! the project's own CloudTrail record. Every field of the record is optional and lenient
//! (see [`super::lenient`]), because real records leave out or vary whatever the call or the
//! identity did not have; the readers then require what their rule needs, by name.
//!
//! The record holds only the fields a reader uses; serde skips the others unread.

use std::ops::Deref;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, Error, MapAccess};
use serde::{Deserialize, Serialize, Serializer};

use super::lenient::{read, Lenient, List, Object, Text};

/// An EventBridge envelope of a CloudTrail record: the functions' event type. Only a JSON
/// object is an envelope (serde's derive would also read a struct from an array).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct CloudTrailEnvelope(pub EventBridgeEvent<Detail>);

impl Deref for CloudTrailEnvelope {
    type Target = EventBridgeEvent<Detail>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'de> Lenient<'de> for CloudTrailEnvelope {
    fn other<E: Error>(kind: &'static str) -> Result<Self, E> {
        Err(E::custom(format_args!(
            "expected a JSON object, found {kind}"
        )))
    }

    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        EventBridgeEvent::deserialize(MapAccessDeserializer::new(map)).map(CloudTrailEnvelope)
    }
}

impl<'de> Deserialize<'de> for CloudTrailEnvelope {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read(deserializer)
    }
}

/// The envelope's `detail`: a CloudTrail record when it is an object. Anything else is kept
/// as its kind, because an event from another source is ignored whatever its detail holds,
/// and only an accepted source makes a non-object detail an error.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    Record(Box<CloudTrailRecord>),
    NotAnObject(&'static str),
}

impl<'de> Lenient<'de> for Detail {
    fn other<E: Error>(kind: &'static str) -> Result<Self, E> {
        Ok(Detail::NotAnObject(kind))
    }

    fn object<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        CloudTrailRecord::deserialize(MapAccessDeserializer::new(map))
            .map(|record| Detail::Record(Box::new(record)))
    }
}

impl<'de> Deserialize<'de> for Detail {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read(deserializer)
    }
}

impl Serialize for Detail {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Detail::Record(record) => record.serialize(serializer),
            Detail::NotAnObject(_) => serializer.serialize_none(),
        }
    }
}

/// A CloudTrail record as EventBridge delivers it in `detail`: the fields the readers use.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct CloudTrailRecord {
    pub user_identity: Object<UserIdentity>,
    pub event_time: Option<Text>,
    pub event_source: Option<Text>,
    pub event_name: Option<Text>,
    pub aws_region: Option<Text>,
    pub error_code: Option<Text>,
    pub error_message: Option<Text>,
    pub request_parameters: Object<RequestParameters>,
    pub response_elements: Object<ResponseElements>,
    pub service_event_details: Object<ServiceEventDetails>,
    #[serde(rename = "eventID")]
    pub event_id: Option<Text>,
    pub recipient_account_id: Option<Text>,
}

/// `userIdentity`: who made the call. Service events have little of it, Root has no session.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct UserIdentity {
    pub arn: Option<Text>,
    pub account_id: Option<Text>,
    pub session_context: Object<SessionContext>,
}

/// `userIdentity.sessionContext`: the role behind a session.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct SessionContext {
    pub session_issuer: Object<SessionIssuer>,
}

/// `userIdentity.sessionContext.sessionIssuer`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct SessionIssuer {
    pub arn: Option<Text>,
}

/// `requestParameters` of `RegisterDelegatedAdministrator` (and of the Organizations events
/// that name an account).
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct RequestParameters {
    pub service_principal: Option<Text>,
    pub account_id: Option<Text>,
}

/// `responseElements` of `CreateInstance` (the new instance) and `AcceptHandshake`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ResponseElements {
    pub instance_arn: Option<Text>,
    pub handshake: Object<Handshake>,
}

/// The handshake an `AcceptHandshake` accepted.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Handshake {
    pub action: Option<Text>,
    pub parties: List<Object<Party>>,
}

/// A party of a handshake: an account, an organization or an email.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct Party {
    #[serde(rename = "type")]
    pub party_type: Option<Text>,
    pub id: Option<Text>,
}

/// `serviceEventDetails` of `CreateAccountResult` and `AccountJoinedOrganization`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ServiceEventDetails {
    pub create_account_status: Object<CreateAccountStatus>,
    pub account_id: Option<Text>,
    pub account: Object<AccountRef>,
}

/// `serviceEventDetails.createAccountStatus`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct CreateAccountStatus {
    pub state: Option<Text>,
    pub account_id: Option<Text>,
}

/// `serviceEventDetails.account`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(default)]
pub struct AccountRef {
    pub id: Option<Text>,
}
