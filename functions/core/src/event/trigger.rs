//! What an accepted event means for the guardrail: the typed triggers and what every one of
//! them says about the event behind it.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// What every event-driven finding says about the event that caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventMeta {
    pub event_id: String,
    pub event_name: String,
    pub event_time: DateTime<Utc>,
    pub principal_arn: Option<String>,
    /// The account whose CloudTrail recorded the event.
    pub recipient_account_id: String,
    pub region: String,
    /// Set when the envelope's `account` and the record's account disagree: the event is
    /// still evaluated (the team must hear of it) but must never lead to a delete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_conflict: Option<AccountConflict>,
}

/// The envelope says one account, the CloudTrail record another. EventBridge keeps the
/// source account in `account` when it forwards an event to another bus, so for a real
/// record both name the account whose trail recorded it; a difference means the event
/// was forged, rewritten or misrouted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountConflict {
    /// The envelope's `account`.
    pub envelope: String,
    /// The record's `recipientAccountId` (else `userIdentity.accountId`).
    pub record: String,
}

impl EventMeta {
    /// Why the event must not be trusted to act on (report only), if it must not.
    pub fn untrusted_reason(&self) -> Option<String> {
        self.account_conflict.as_ref().map(|c| {
            format!(
                "the EventBridge envelope names account {} but the CloudTrail record names \
                 account {}: the event may be forged or misrouted, so it is reported and \
                 never acted on",
                c.envelope, c.record
            )
        })
    }
}

/// A failed API call, as CloudTrail records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallError {
    pub code: String,
    pub message: Option<String>,
}

/// `sso:CreateInstance`, successful or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceCreated {
    pub meta: EventMeta,
    pub account_id: String,
    pub region: String,
    /// The instance the call proves it created: only set when the record has no
    /// `errorCode` and `responseElements.instanceArn` is an instance ARN.
    pub instance_arn: Option<String>,
    pub error: Option<CallError>,
}

/// What a `CreateInstance` record shows about its call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CreateProof {
    /// No `errorCode`, and `responseElements` names the new instance.
    Created,
    /// An `errorCode` (e.g. denied by the SCP): no instance was created (IDC004).
    Failed,
    /// No `errorCode` (absent or null), but no instance ARN in `responseElements` either:
    /// the record does not show whether an instance exists. Never a proof of one.
    Unclear,
}

impl InstanceCreated {
    pub fn proof(&self) -> CreateProof {
        match (&self.error, &self.instance_arn) {
            (Some(_), _) => CreateProof::Failed,
            (None, Some(_)) => CreateProof::Created,
            (None, None) => CreateProof::Unclear,
        }
    }

    /// True only when the record proves that the call created `instance_arn`.
    pub fn proves_instance(&self) -> bool {
        self.proof() == CreateProof::Created
    }
}

/// `organizations:RegisterDelegatedAdministrator` for `sso.amazonaws.com`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DelegatedAdminRegistered {
    pub meta: EventMeta,
    pub account_id: String,
    pub service_principal: String,
}

/// An account joined the organization (invitation accepted or account created).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountJoined {
    pub meta: EventMeta,
    pub account_id: String,
}

/// An event the guardrail has nothing to say about, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ignored {
    pub event_name: Option<String>,
    pub reason: String,
}

/// What an event means for the guardrail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trigger {
    InstanceCreated(InstanceCreated),
    DelegatedAdminRegistered(DelegatedAdminRegistered),
    AccountJoined(AccountJoined),
    Ignored(Ignored),
}

impl Trigger {
    /// The event behind the trigger, when it is one the guardrail acts on.
    pub fn meta(&self) -> Option<&EventMeta> {
        match self {
            Trigger::InstanceCreated(t) => Some(&t.meta),
            Trigger::DelegatedAdminRegistered(t) => Some(&t.meta),
            Trigger::AccountJoined(t) => Some(&t.meta),
            Trigger::Ignored(_) => None,
        }
    }

    /// Why this trigger may be reported but must never lead to a delete, if so (today: the
    /// envelope's and the record's accounts disagree). The rules attach it to every finding
    /// and decide report-only.
    pub fn untrusted_reason(&self) -> Option<String> {
        self.meta().and_then(EventMeta::untrusted_reason)
    }

    /// An Organizations event: its account is looked at in every Region, and a complete look
    /// that finds nothing says so.
    pub fn is_org_event(&self) -> bool {
        matches!(
            self,
            Trigger::DelegatedAdminRegistered(_) | Trigger::AccountJoined(_)
        )
    }

    /// A short name of the trigger's kind (`instance_created`, …, `ignored`).
    pub fn kind(&self) -> &'static str {
        match self {
            Trigger::InstanceCreated(_) => "instance_created",
            Trigger::DelegatedAdminRegistered(_) => "delegated_admin_registered",
            Trigger::AccountJoined(_) => "account_joined",
            Trigger::Ignored(_) => "ignored",
        }
    }
}
