//! The finding contract (schema v1): the SNS message body and the CLI's output line.
//! Subject and message attributes are computed here so the live path only sends them.

use crate::migration::MigrationBrief;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Value of the `schema` key; never changes meaning.
pub const FINDING_SCHEMA: &str = "idc-guardrail/finding/v1";

/// SNS rejects subjects of 100 characters or more, and non-ASCII ones.
pub const MAX_SUBJECT_CHARS: usize = 99;

/// Stable rule identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RuleId {
    IDC001,
    IDC002,
    IDC003,
    IDC004,
    IDC005,
}

impl RuleId {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleId::IDC001 => "IDC001",
            RuleId::IDC002 => "IDC002",
            RuleId::IDC003 => "IDC003",
            RuleId::IDC004 => "IDC004",
            RuleId::IDC005 => "IDC005",
        }
    }

    /// Rules whose remedy is deleting the account instance.
    pub fn is_remediable(self) -> bool {
        matches!(self, RuleId::IDC001 | RuleId::IDC002 | RuleId::IDC005)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }
}

/// What the rule calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemediationAction {
    Delete,
    None,
}

/// The outcome of the remediation decision (and, on the live path, of the action).
/// `Deleting` is the announcement published *before* `DeleteInstance` is called; the outcome
/// (`Deleted`, `AlreadyDeleted` or `Failed`) follows under the same finding id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemediationStatus {
    None,
    DryRun,
    Deleting,
    Deleted,
    AlreadyDeleted,
    SkippedExempt,
    SkippedInUse,
    SkippedNotEnabled,
    Failed,
}

impl RemediationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RemediationStatus::None => "none",
            RemediationStatus::DryRun => "dry_run",
            RemediationStatus::Deleting => "deleting",
            RemediationStatus::Deleted => "deleted",
            RemediationStatus::AlreadyDeleted => "already_deleted",
            RemediationStatus::SkippedExempt => "skipped_exempt",
            RemediationStatus::SkippedInUse => "skipped_in_use",
            RemediationStatus::SkippedNotEnabled => "skipped_not_enabled",
            RemediationStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remediation {
    pub action: RemediationAction,
    pub status: RemediationStatus,
    pub detail: String,
}

/// What caused the finding: an event, or a sweep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TriggerRef {
    Event {
        event_id: String,
        event_name: String,
        event_time: String,
        principal_arn: Option<String>,
    },
    Sweep {
        sweep_id: String,
    },
}

impl TriggerRef {
    pub fn event(
        event_id: &str,
        event_name: &str,
        event_time: DateTime<Utc>,
        principal_arn: Option<&str>,
    ) -> Self {
        TriggerRef::Event {
            event_id: event_id.to_owned(),
            event_name: event_name.to_owned(),
            event_time: rfc3339(event_time),
            principal_arn: principal_arn.map(str::to_owned),
        }
    }

    /// Hashes the part of the trigger that identifies it across duplicate deliveries
    /// (`event:<id>` or `sweep:<id>`), in pieces: the same digest as the joined text, with
    /// no string built for it.
    fn hash_identity(&self, hasher: &mut Sha256) {
        let (kind, id): (&[u8], &str) = match self {
            TriggerRef::Event { event_id, .. } => (b"event:", event_id),
            TriggerRef::Sweep { sweep_id } => (b"sweep:", sweep_id),
        };
        hasher.update(kind);
        hasher.update(id.as_bytes());
    }
}

/// What the guardrail knew about the instance when it judged it (an extension of v1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceFacts {
    pub owner_account_id: String,
    pub status: String,
    pub created_date: Option<String>,
    pub application_count: Option<u32>,
    /// AWS's reason for the status, when it gives one (e.g. `CREATE_FAILED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
}

/// One finding, exactly as published. Keys of v1 never change meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub schema: String,
    pub id: String,
    pub rule: RuleId,
    pub severity: Severity,
    pub title: String,
    pub account_id: String,
    pub region: String,
    pub instance_arn: Option<String>,
    pub organization_id: Option<String>,
    pub trigger: TriggerRef,
    pub explanation: String,
    pub remediation: Remediation,
    pub references: Vec<String>,
    /// When the rules ran.
    pub evaluated_at: String,
    /// `inventory` when the facts were gathered, `event` when only the event was known.
    pub evidence: Evidence,
    /// The instance as the guardrail saw it, when there is one.
    pub instance: Option<InstanceFacts>,
    /// The exemption that spared the instance, or that ran out (IDC005).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exemption: Option<ExemptionRef>,
    /// For `skipped_in_use`: the migration plan in short (the bound applications, the first
    /// steps, the command that prints the whole plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub migration: Option<MigrationBrief>,
    /// Orders the messages published under one `id`: the highest is the latest word
    /// (microseconds since the Unix epoch at publication). Absent from offline evaluations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    Inventory,
    Event,
}

/// The deterministic finding id: same trigger + rule + instance (or account and Region
/// when there is none) gives the same id, so duplicate deliveries are recognisable.
pub fn finding_id(trigger: &TriggerRef, rule: RuleId, subject_key: &str) -> String {
    let mut hasher = Sha256::new();
    trigger.hash_identity(&mut hasher);
    hasher.update(b"\n");
    hasher.update(rule.as_str().as_bytes());
    hasher.update(b"\n");
    hasher.update(subject_key.as_bytes());
    // `idc001-` and 24 digits, in one allocation.
    let mut id = String::with_capacity(31);
    id.extend(rule.as_str().chars().map(|c| c.to_ascii_lowercase()));
    id.push('-');
    push_hex12(&mut id, &hasher.finalize());
    id
}

/// The deterministic id of a notice that a look at `account_id` for `trigger` was incomplete.
pub fn notice_id(trigger: &TriggerRef, account_id: &str) -> String {
    let mut hasher = Sha256::new();
    trigger.hash_identity(&mut hasher);
    hasher.update(b"\nincomplete\n");
    hasher.update(account_id.as_bytes());
    let mut id = String::with_capacity(35);
    id.push_str("incomplete-");
    push_hex12(&mut id, &hasher.finalize());
    id
}

/// The ids' digits: the first 12 bytes of a digest in lower-case hex (what `{:02x}` of each
/// writes), pushed onto `out` without a string per byte.
fn push_hex12(out: &mut String, digest: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.reserve(24);
    for byte in digest.iter().take(12) {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
}

impl Finding {
    /// SNS subject: `[SEVERITY] RULE account - short title`, ASCII, under 100 characters.
    pub fn sns_subject(&self) -> String {
        let head = format!(
            "[{}] {} {} - ",
            self.severity.as_str(),
            self.rule.as_str(),
            self.account_id
        );
        let title: String = self
            .title
            .chars()
            .map(|c| {
                if c.is_ascii() && !c.is_ascii_control() {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        let room = MAX_SUBJECT_CHARS.saturating_sub(head.len());
        if title.len() <= room {
            format!("{head}{title}")
        } else {
            let cut = room.saturating_sub(3);
            format!("{head}{}...", &title[..cut])
        }
    }

    /// SNS message attributes (all `String`) so subscribers can filter.
    pub fn sns_attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("message_type", "finding".to_owned()),
            ("severity", self.severity.as_str().to_owned()),
            ("rule", self.rule.as_str().to_owned()),
            ("account_id", self.account_id.clone()),
            (
                "remediation_status",
                self.remediation.status.as_str().to_owned(),
            ),
        ]
    }

    /// The SNS message body: the finding as one JSON object.
    pub fn to_json(&self) -> String {
        // Serialising a struct of strings, enums and options cannot fail; the fallback
        // exists only so this never panics.
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// A subject SNS accepts: ASCII only, under 100 characters.
pub(crate) fn sns_safe_subject(subject: &str) -> String {
    subject
        .chars()
        .filter(char::is_ascii)
        .take(MAX_SUBJECT_CHARS)
        .collect()
}

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the ids were first written as: the hex of the digest of the joined text.
    fn hex_of(text: &str) -> String {
        let digest = Sha256::digest(text.as_bytes());
        digest.iter().take(12).map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn ids_are_the_hex_of_the_digest_of_the_joined_text() {
        let sweep = TriggerRef::Sweep {
            sweep_id: "s-1".into(),
        };
        let event = TriggerRef::event("e-\u{e9}", "CreateInstance", DateTime::UNIX_EPOCH, None);
        assert_eq!(
            finding_id(&sweep, RuleId::IDC003, "222222222222/eu-west-1"),
            format!(
                "idc003-{}",
                hex_of("sweep:s-1\nIDC003\n222222222222/eu-west-1")
            )
        );
        assert_eq!(
            finding_id(&event, RuleId::IDC001, "arn:aws:sso:::instance/ssoins-1"),
            format!(
                "idc001-{}",
                hex_of("event:e-\u{e9}\nIDC001\narn:aws:sso:::instance/ssoins-1")
            )
        );
        assert_eq!(
            notice_id(&event, "222222222222"),
            format!(
                "incomplete-{}",
                hex_of("event:e-\u{e9}\nincomplete\n222222222222")
            )
        );
    }
}

/// How a finding names the exemption that spared it, or that ran out (the `exemption` key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExemptionRef {
    pub source: ExemptionSource,
    /// `account <id>` or the instance's ARN.
    pub target: String,
    pub reason: String,
    /// When it ends (RFC 3339); `null` when that cannot be computed.
    pub expires: Option<String>,
    pub expired: bool,
}

/// Where an exemption comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExemptionSource {
    /// `EXEMPTIONS`, held in the central account.
    Central,
    /// The exemption tag, protected by a service control policy.
    Tag,
}
