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
//! Two parsers, one answer. [`parse_event_bytes`] reads the bytes straight into typed fields
//! that borrow from them (`borrowed`, several times faster), and leaves every input it cannot
//! vouch for to the path through `serde_json::Value` ([`parse_event_bytes_via_value`], and
//! [`parse_event_value`] for the values the Lambda runtime hands over); both build the same
//! view for the same readers (`view`), so that every input gives the same result, errors and
//! their messages included, whichever parser read it.

mod accept;
mod borrowed;
mod fields;
mod json;
mod meta;
mod organizations;
mod quote;
mod record;
mod sso;
mod trigger;
mod view;

#[cfg(test)]
mod tests;

pub use accept::{
    parse_envelope, parse_event_bytes, parse_event_bytes_typed, parse_event_bytes_via_value,
    parse_event_value,
};
pub use record::{CloudTrailEnvelope, CloudTrailRecord, UserIdentity};
pub use trigger::{
    AccountConflict, AccountJoined, CallError, CreateOutcome, DelegatedAdminRegistered, EventMeta,
    Ignored, InstanceCreated, Trigger,
};
