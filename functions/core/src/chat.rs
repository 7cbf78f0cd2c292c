//! A finding as a *custom notification* of Amazon Q Developer in chat applications (formerly
//! AWS Chatbot), which shows only its documented format, not arbitrary JSON from SNS:
//! `{"version":"1.0","source":"custom","id",…,"content":{"textType":"client-markdown","title",
//! "description","nextSteps","keywords"},"metadata":{"threadId","summary","eventType",
//! "relatedResources","additionalContext"}}`.
//!
//! Which findings reach chat: those at or above the threshold (`CHAT_MIN_SEVERITY`), with a
//! remediation status that is a last word. The `deleting` announcement is left out: its outcome
//! follows within seconds under the same id, and one message per finding reads better in a
//! channel than two. Every other status is an outcome a person may have to act on.

use serde_json::{json, Value};

use crate::asff::clip;
use crate::finding::{Finding, RemediationStatus, RuleId, Severity};

pub const DEFAULT_MIN_SEVERITY: Severity = Severity::High;

/// Short enough to read in a channel; the full explanation is in the findings topic.
const MAX_FIRST_SENTENCE: usize = 400;

/// Whether a finding goes to the chat topic.
pub fn reaches_chat(finding: &Finding, min_severity: Severity) -> bool {
    finding.severity >= min_severity && finding.remediation.status != RemediationStatus::Deleting
}

/// The custom notification for one finding.
pub fn to_chat(finding: &Finding) -> Value {
    let title = format!(
        "[{}] {} in account {}, {}: {}",
        finding.severity.as_str(),
        finding.rule.as_str(),
        finding.account_id,
        finding.region,
        finding.title
    );
    let description = format!(
        "{} {}\n\n*Outcome:* `{}` — {}",
        clip(first_sentence(&finding.explanation), MAX_FIRST_SENTENCE),
        why_it_matters(finding.rule),
        finding.remediation.status.as_str(),
        finding.remediation.detail
    );
    let mut related = vec![];
    if let Some(arn) = &finding.instance_arn {
        related.push(arn.clone());
    }
    json!({
        "version": "1.0",
        "source": "custom",
        "id": finding.id,
        "content": {
            "textType": "client-markdown",
            "title": title,
            "description": description,
            "nextSteps": next_steps(finding),
            "keywords": [finding.rule.as_str(), finding.severity.as_str(), finding.remediation.status.as_str()],
        },
        "metadata": {
            // One thread per finding: a retried invocation's message lands beside the first.
            "threadId": finding.id,
            "summary": format!("{} {} {}", finding.rule.as_str(), finding.account_id, finding.remediation.status.as_str()),
            "eventType": "idc-guardrail-finding",
            "relatedResources": related,
            "additionalContext": {
                "finding_id": finding.id,
                "rule": finding.rule.as_str(),
                "severity": finding.severity.as_str(),
                "account_id": finding.account_id,
                "region": finding.region,
                "remediation_status": finding.remediation.status.as_str(),
            },
        },
    })
}

/// The explanation's first sentence: what was found, where. The rest of the rule text is on
/// the findings topic; a channel gets one short paragraph.
fn first_sentence(explanation: &str) -> &str {
    match explanation.find(". ") {
        Some(end) => &explanation[..=end],
        None => explanation,
    }
}

/// One sentence on why the rule matters, for people reading a channel.
fn why_it_matters(rule: RuleId) -> &'static str {
    match rule {
        RuleId::IDC001 => "An account instance can never be merged into the organization instance, and applications bound to it (QuickSight, Q Developer) need a migration to leave.",
        RuleId::IDC002 => "The delegated administrator now sees two instances in one Region, and the console silently operates the account instance instead of the organization's.",
        RuleId::IDC003 => "If the account joins an organization later, the instance stays an account instance.",
        RuleId::IDC004 => "Nothing was created; the attempt shows someone wants Identity Center in that account.",
        RuleId::IDC005 => "Its trial window is over: delete it before applications bind to it.",
    }
}

fn next_steps(finding: &Finding) -> Vec<String> {
    let account = &finding.account_id;
    let region = &finding.region;
    let gone = matches!(
        finding.remediation.status,
        RemediationStatus::Deleted | RemediationStatus::AlreadyDeleted
    );
    let mut steps = match (finding.rule, gone) {
        (_, true) => vec![
            format!("Tell the owners of account {account} why their account instance was deleted and offer the organization instance."),
            "Check that an SCP denies sso:CreateInstance in their organizational unit.".to_owned(),
        ],
        (RuleId::IDC001 | RuleId::IDC002 | RuleId::IDC005, false) => vec![
            format!("Check what depends on the instance (applications such as QuickSight) in account {account}, {region}."),
            format!("Delete the account instance from account {account} in {region} (sso-admin DeleteInstance), or exempt it on purpose."),
            "Deny sso:CreateInstance with an SCP.".to_owned(),
        ],
        (RuleId::IDC003, false) => vec![format!(
            "Decide with the owner of standalone account {account} whether to keep the account instance."
        )],
        (RuleId::IDC004, false) => vec![
            "Find out who tried and offer them the organization instance.".to_owned(),
        ],
    };
    if let (Some(plan), RemediationStatus::SkippedInUse) =
        (&finding.migration, finding.remediation.status)
    {
        steps.insert(
            0,
            format!("Applications still use it: run `{}` for the migration plan, application by application.", plan.command),
        );
    }
    if finding.remediation.status == RemediationStatus::Failed {
        steps.insert(
            0,
            "The guardrail could not finish: the event is retried, then kept in the dead-letter queue; check it.".to_owned(),
        );
    }
    steps
}
