//! What a rule found, before anything is decided or done — and the one place a [`Finding`] is
//! assembled: from a violation and the remediation it came to (planned, announced or carried
//! out). Nothing patches a finding afterwards.

use chrono::{DateTime, Utc};

use crate::catalog::rule_text;
use crate::finding::ExemptionRef;
use crate::finding::{
    finding_id, rfc3339, Evidence, Finding, InstanceFacts, Remediation, RemediationStatus, RuleId,
    TriggerRef, FINDING_SCHEMA,
};
use crate::inventory::Instance;
use crate::migration::brief;

/// One broken rule: which, where, about which instance, and why it matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: RuleId,
    pub trigger: TriggerRef,
    pub account_id: String,
    pub region: String,
    /// The instance the violation is about (what the live path would delete), if one is known.
    pub instance: Option<Instance>,
    /// The event named this instance but a complete listing no longer shows it.
    pub gone: bool,
    pub organization_id: Option<String>,
    pub explanation: String,
    pub evidence: Evidence,
    /// When the rules ran.
    pub evaluated_at: DateTime<Utc>,
    /// The exemption that spares the instance, or that ran out (IDC005).
    pub exemption: Option<ExemptionRef>,
    /// Why the instance is not identified although the event names it (a listing shows it with
    /// facts that contradict the event): never deleted, never "gone".
    pub doubt: Option<String>,
}

impl Violation {
    /// The finding of this violation with `remediation` as its outcome.
    pub fn finding(&self, mut remediation: Remediation) -> Finding {
        // An instance kept because applications use it: the team gets the plan in short.
        let migration = self
            .instance
            .as_ref()
            .filter(|_| remediation.status == RemediationStatus::SkippedInUse)
            .map(brief);
        if let Some(brief) = &migration {
            remediation.detail = format!("{}; {}", remediation.detail, brief.summary());
        }
        let text = rule_text(self.rule);
        let subject_key = self.instance.as_ref().map_or_else(
            || format!("{}/{}", self.account_id, self.region),
            |i| i.instance_arn.clone(),
        );
        Finding {
            schema: FINDING_SCHEMA.to_owned(),
            id: finding_id(&self.trigger, self.rule, &subject_key),
            rule: self.rule,
            severity: text.severity,
            title: text.title.to_owned(),
            account_id: self.account_id.clone(),
            region: self.region.clone(),
            instance_arn: self.instance.as_ref().map(|i| i.instance_arn.clone()),
            organization_id: self.organization_id.clone(),
            trigger: self.trigger.clone(),
            explanation: self.explanation.clone(),
            remediation,
            references: text.references.iter().map(|r| (*r).to_owned()).collect(),
            evaluated_at: rfc3339(self.evaluated_at),
            evidence: self.evidence,
            // What the guardrail saw of an instance still there; none of one that is gone.
            instance: self
                .instance
                .as_ref()
                .filter(|_| !self.gone)
                .map(|i| InstanceFacts {
                    owner_account_id: i.owner_account_id.clone(),
                    status: i.status.as_str().to_owned(),
                    created_date: i.created_date.map(rfc3339),
                    application_count: i.application_count,
                    status_reason: i.status_reason.clone(),
                }),
            exemption: self.exemption.clone(),
            migration,
            sequence: None,
        }
    }
}
