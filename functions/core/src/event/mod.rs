//! EventBridge envelopes of CloudTrail records, turned into typed triggers.
//!
//! Real records vary a lot (Root identities with `"sessionIssuer": {}`, service events without
//! `userIdentity.type`, failed calls with `errorCode` and null `responseElements`, partitions
//! other than `aws`), so the record type is the project's own and every field is optional:
//! a field is required only where a rule needs it, and then its absence is a named error.
//!
//! Lenient on shape, strict on origin: only `aws.sso` with `sso.amazonaws.com` and
//! `aws.organizations` with `organizations.amazonaws.com`, under one of the two CloudTrail
//! detail-types, can give a trigger (anyone allowed to `PutEvents` on the bus can send a
//! CloudTrail-shaped `detail` under a source of their own). Everything else is
//! [`Trigger::Ignored`], with the reason, and never an error.
//!
//! One reading, in two phases: serde reads the bytes into the envelope as the functions
//! receive it ([`CloudTrailEnvelope`], their event type), then [`parse_envelope`] says what it
//! means. The CLI reads files through the same two ([`parse_event_bytes`]).

mod accept;
mod fields;
mod lenient;
mod meta;
mod organizations;
mod quote;
mod record;
mod sso;
mod trigger;

#[cfg(test)]
mod tests;

pub use accept::{parse_envelope, parse_event_bytes};
pub use lenient::{List, Object, Text};
pub use record::{CloudTrailEnvelope, CloudTrailRecord, Detail, UserIdentity};
pub use trigger::{
    AccountConflict, AccountJoined, CallError, CreateProof, DelegatedAdminRegistered, EventMeta,
    Ignored, InstanceCreated, Trigger,
};
