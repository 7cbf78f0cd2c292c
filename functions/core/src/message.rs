//! What the guardrail publishes: findings, sweep summaries and notices of an incomplete look,
//! each turned into one SNS message (subject, JSON body, filterable attributes) here, so the
//! publisher adapter only sends.

use serde::{Deserialize, Serialize};

use crate::finding::{rfc3339, Finding, Severity, TriggerRef};
use crate::inventory::Unreachable;

/// One message for the findings topic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// The finding id, sweep id or notice id, for the logs.
    pub id: String,
    pub subject: String,
    pub body: String,
    /// SNS message attributes, all of type `String`.
    pub attributes: Vec<(&'static str, String)>,
}

impl Finding {
    pub fn to_message(&self) -> Message {
        Message {
            id: self.id.clone(),
            subject: self.sns_subject(),
            body: self.to_json(),
            attributes: self.sns_attributes(),
        }
    }
}

/// Value of the `schema` key of a notice that a look was incomplete.
pub const INCOMPLETE_SCHEMA: &str = "idc-guardrail/incomplete/v1";
/// Value of the `schema` key of a notice that a complete look found nothing.
pub const ALL_CLEAR_SCHEMA: &str = "idc-guardrail/all-clear/v1";

/// What an event's look at one account came to, when the findings alone would not say it:
/// - *incomplete*: some Regions could not be listed, and what was not seen may hold exactly
///   what the event is about. The invocation then fails, so Lambda retries the event and, in
///   the end, the dead-letter queue keeps it.
/// - *all clear*: an Organizations event's account was listed in every Region and owns no
///   account instance. Published so that silence never has to be read as "nothing found",
///   and so that the retry of an event whose deletion outcome could not be published closes
///   the story: a `deleting` under the same `trigger.event_id`, then this, means it is gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncompleteNotice {
    pub schema: String,
    /// Deterministic for the same event and account, like a finding id.
    pub id: String,
    /// Incomplete: the severity of the worst finding the Regions not seen could hide.
    pub severity: Severity,
    pub title: String,
    pub account_id: String,
    pub organization_id: Option<String>,
    pub trigger: TriggerRef,
    pub regions_listed: Vec<String>,
    pub unknown: Vec<Unreachable>,
    pub explanation: String,
    pub evaluated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
}

impl IncompleteNotice {
    /// Some Regions of `account_id` could not be listed.
    pub fn new(
        trigger: &TriggerRef,
        account_id: &str,
        organization_id: Option<&str>,
        severity: Severity,
        regions_listed: Vec<String>,
        unknown: Vec<Unreachable>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        let regions: Vec<&str> = unknown.iter().map(|u| u.region.as_str()).collect();
        let explanation = format!(
            "The instances of account {account_id} could not be listed in {} ({}). An account \
             instance there would go unreported, so this look is incomplete: the event will be \
             retried, and if the Regions stay unreachable it is kept in the dead-letter queue. \
             Check that the guardrail's member role exists in {account_id} and that the \
             Regions are enabled; the errors are in `unknown`.",
            if regions.len() == 1 {
                "one Region".to_owned()
            } else {
                format!("{} Regions", regions.len())
            },
            regions.join(", ")
        );
        IncompleteNotice {
            schema: INCOMPLETE_SCHEMA.to_owned(),
            id: crate::finding::notice_id(trigger, account_id),
            severity,
            title: "Some Regions could not be checked".to_owned(),
            account_id: account_id.to_owned(),
            organization_id: organization_id.map(str::to_owned),
            trigger: trigger.clone(),
            regions_listed,
            unknown,
            explanation,
            evaluated_at: rfc3339(now),
            sequence: None,
        }
    }

    /// `account_id` was listed in every Region and owns no account instance.
    pub fn all_clear(
        trigger: &TriggerRef,
        account_id: &str,
        organization_id: Option<&str>,
        regions_listed: Vec<String>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        let explanation = format!(
            "Account {account_id} owns no account instance of IAM Identity Center in the {} \
             Region(s) listed. If an earlier delivery of this event announced a deletion \
             (remediation status `deleting`, the same trigger event id), this confirms that the \
             instance is gone.",
            regions_listed.len()
        );
        IncompleteNotice {
            schema: ALL_CLEAR_SCHEMA.to_owned(),
            id: crate::finding::notice_id(trigger, account_id).replacen("incomplete-", "clear-", 1),
            severity: Severity::Info,
            title: "No account instance".to_owned(),
            account_id: account_id.to_owned(),
            organization_id: organization_id.map(str::to_owned),
            trigger: trigger.clone(),
            regions_listed,
            unknown: vec![],
            explanation,
            evaluated_at: rfc3339(now),
            sequence: None,
        }
    }

    fn is_all_clear(&self) -> bool {
        self.schema == ALL_CLEAR_SCHEMA
    }

    pub fn to_message(&self) -> Message {
        let subject = if self.is_all_clear() {
            format!("[INFO] ALL-CLEAR {} - no account instance", self.account_id)
        } else {
            format!(
                "[{}] INCOMPLETE {} - {} Region(s) could not be checked",
                self.severity.as_str(),
                self.account_id,
                self.unknown.len()
            )
        };
        let (kind, rule) = if self.is_all_clear() {
            ("all_clear", "ALL_CLEAR")
        } else {
            ("incomplete", "INCOMPLETE")
        };
        Message {
            id: self.id.clone(),
            subject: crate::finding::sns_safe_subject(&subject),
            body: serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")),
            attributes: vec![
                ("message_type", kind.to_owned()),
                ("severity", self.severity.as_str().to_owned()),
                ("rule", rule.to_owned()),
                ("account_id", self.account_id.clone()),
                ("remediation_status", "none".to_owned()),
            ],
        }
    }
}
