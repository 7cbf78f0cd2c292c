//! What the guardrail publishes: findings, sweep summaries and notices of an incomplete look,
//! each turned into one SNS message (subject, JSON body, filterable attributes) here, so the
//! publisher adapter only sends.

use serde::{Deserialize, Serialize};

use crate::facts::Unreachable;
use crate::finding::{rfc3339, Finding, Severity, TriggerRef, MAX_SUBJECT_CHARS};

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

/// Value of a notice's `schema` key.
pub const INCOMPLETE_SCHEMA: &str = "idc-guardrail/incomplete/v1";

/// Published when an event's look at an account could not cover every Region: what was not
/// seen may hold exactly what the event is about. The invocation then fails, so Lambda retries
/// the event and, in the end, the dead-letter queue keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncompleteNotice {
    pub schema: String,
    /// Deterministic for the same event and account, like a finding id.
    pub id: String,
    /// The severity of the worst finding the Regions not seen could hide.
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

    pub fn to_message(&self) -> Message {
        let subject = format!(
            "[{}] INCOMPLETE {} - {} Region(s) could not be checked",
            self.severity.as_str(),
            self.account_id,
            self.unknown.len()
        );
        Message {
            id: self.id.clone(),
            subject: subject
                .chars()
                .filter(char::is_ascii)
                .take(MAX_SUBJECT_CHARS)
                .collect(),
            body: serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")),
            attributes: vec![
                ("message_type", "incomplete".to_owned()),
                ("severity", self.severity.as_str().to_owned()),
                ("rule", "INCOMPLETE".to_owned()),
                ("account_id", self.account_id.clone()),
                ("remediation_status", "none".to_owned()),
            ],
        }
    }
}
