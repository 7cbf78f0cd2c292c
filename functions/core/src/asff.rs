//! A finding in the AWS Security Finding Format (ASFF), for `BatchImportFindings` into the
//! Security Hub of the account the guardrail runs in, as its default custom product
//! (`arn:<partition>:securityhub:<region>:<account>:product/<account>/default`). Pure: the
//! adapter only sends what this builds.
//!
//! The finding `id` is the ASFF `Id`, so every message under one id updates one Security Hub
//! finding. How a remediation status maps to the finding's state:
//! - `deleted`, `already_deleted`: the instance is gone — `Compliance.Status` PASSED,
//!   `RecordState` ARCHIVED, `Workflow.Status` RESOLVED;
//! - any other status (`deleting`, `failed`, `dry_run`, `none`, `skipped_*`): the instance is
//!   still there — FAILED, ACTIVE, NEW. A skipped instance is a decision not to act, not a fix.
//!
//! IDC004 (a `CreateInstance` that failed) has no instance and nothing to comply with: no
//! `Compliance`, its resource is the account (`AwsAccount`).
//!
//! `AwsAccountId` is the importing account: Security Hub accepts findings for the default
//! product only from the account they name. The account concerned is in the resource's
//! details and in `ProductFields`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::finding::{Finding, RemediationStatus, RuleId, Severity, TriggerRef};
use crate::ids::arn_partition;

pub const SCHEMA_VERSION: &str = "2018-10-08";
/// Every type of this guardrail's findings (namespace/category/classifier).
pub const FINDING_TYPE: &str =
    "Software and Configuration Checks/AWS Security Best Practices/IAM Identity Center account instance";

/// ASFF limits (AWS Security Hub API reference, AwsSecurityFinding).
const MAX_TITLE: usize = 256;
const MAX_DESCRIPTION: usize = 1024;
const MAX_RECOMMENDATION: usize = 512;
const MAX_DETAIL_VALUE: usize = 1024;

/// Where the findings are imported: the guardrail's own account and Region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    pub partition: String,
    pub region: String,
    pub account_id: String,
    /// The guardrail's name (`GUARDRAIL_NAME`), shown as the provider.
    pub provider: String,
}

impl Product {
    /// The product of the account, Region and partition of a resource ARN of that account
    /// (the findings topic): no call is needed to learn them.
    pub fn from_arn(arn: &str, provider: &str) -> Option<Product> {
        let parts: Vec<&str> = arn.split(':').collect();
        match parts.as_slice() {
            ["arn", partition, _, region, account, ..]
                if !partition.is_empty() && !region.is_empty() && !account.is_empty() =>
            {
                Some(Product {
                    partition: (*partition).to_owned(),
                    region: (*region).to_owned(),
                    account_id: (*account).to_owned(),
                    provider: provider.to_owned(),
                })
            }
            _ => None,
        }
    }

    pub fn arn(&self) -> String {
        format!(
            "arn:{}:securityhub:{}:{}:product/{}/default",
            self.partition, self.region, self.account_id, self.account_id
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffFinding {
    pub schema_version: String,
    pub id: String,
    pub product_arn: String,
    pub generator_id: String,
    pub aws_account_id: String,
    pub types: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    pub severity: AsffSeverity,
    pub title: String,
    pub description: String,
    pub remediation: AsffRemediation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_url: Option<String>,
    pub product_fields: BTreeMap<String, String>,
    pub resources: Vec<AsffResource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compliance: Option<AsffStatus>,
    pub workflow: AsffStatus,
    pub record_state: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffSeverity {
    pub label: String,
    pub original: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffRemediation {
    pub recommendation: AsffRecommendation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffRecommendation {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffResource {
    #[serde(rename = "Type")]
    pub kind: String,
    pub id: String,
    pub partition: String,
    pub region: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<AsffDetails>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffDetails {
    pub other: BTreeMap<String, String>,
}

/// `Compliance` and `Workflow` both carry just a status here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AsffStatus {
    pub status: String,
}

/// ASFF severity labels.
pub fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "INFORMATIONAL",
        Severity::Low => "LOW",
        Severity::Medium => "MEDIUM",
        Severity::High => "HIGH",
        Severity::Critical => "CRITICAL",
    }
}

/// True when the finding's instance is gone: the Security Hub finding is resolved.
pub fn is_resolved(status: RemediationStatus) -> bool {
    matches!(
        status,
        RemediationStatus::Deleted | RemediationStatus::AlreadyDeleted
    )
}

/// The finding in ASFF, for `product`.
pub fn to_asff(finding: &Finding, product: &Product) -> AsffFinding {
    let resolved = is_resolved(finding.remediation.status);
    let partition = finding
        .instance_arn
        .as_deref()
        .and_then(arn_partition)
        .unwrap_or(&product.partition)
        .to_owned();
    let compliance = (finding.rule != RuleId::IDC004).then(|| AsffStatus {
        status: if resolved { "PASSED" } else { "FAILED" }.to_owned(),
    });
    let evaluated = finding.evaluated_at.clone();
    // First seen: the event's time, so every import under this id keeps one creation time.
    let created_at = match &finding.trigger {
        TriggerRef::Event { event_time, .. } => event_time.clone(),
        TriggerRef::Sweep { .. } => evaluated.clone(),
    };
    AsffFinding {
        schema_version: SCHEMA_VERSION.to_owned(),
        id: finding.id.clone(),
        product_arn: product.arn(),
        generator_id: format!("{}/{}", product.provider, finding.rule.as_str()),
        aws_account_id: product.account_id.clone(),
        types: vec![FINDING_TYPE.to_owned()],
        created_at,
        updated_at: finding
            .sequence
            .and_then(micros_rfc3339)
            .unwrap_or(evaluated),
        severity: AsffSeverity {
            label: severity_label(finding.severity).to_owned(),
            original: finding.severity.as_str().to_owned(),
        },
        title: clip(
            &format!("{} ({})", finding.title, finding.rule.as_str()),
            MAX_TITLE,
        ),
        description: clip(&finding.explanation, MAX_DESCRIPTION),
        remediation: AsffRemediation {
            recommendation: AsffRecommendation {
                text: clip(&recommendation(finding), MAX_RECOMMENDATION),
                url: finding.references.last().cloned(),
            },
        },
        source_url: finding.references.first().cloned(),
        product_fields: product_fields(finding, product),
        resources: vec![resource(finding, &partition)],
        compliance,
        workflow: AsffStatus {
            status: if resolved { "RESOLVED" } else { "NEW" }.to_owned(),
        },
        record_state: if resolved { "ARCHIVED" } else { "ACTIVE" }.to_owned(),
    }
}

fn recommendation(finding: &Finding) -> String {
    let outcome = format!(
        "Guardrail outcome: {} ({}).",
        finding.remediation.status.as_str(),
        finding.remediation.detail
    );
    let advice = match finding.rule {
        RuleId::IDC001 | RuleId::IDC002 | RuleId::IDC005 => {
            "Delete the account instance from its own account and Region once nothing depends on \
             it; deny sso:CreateInstance with an SCP."
        }
        RuleId::IDC003 => "Decide with the account owner whether to keep the account instance.",
        RuleId::IDC004 => "Offer the organization instance to whoever tried; nothing to delete.",
    };
    format!("{advice} {outcome}")
}

fn product_fields(finding: &Finding, product: &Product) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::from([
        ("ProviderName".to_owned(), product.provider.clone()),
        ("idc-guardrail/schema".to_owned(), finding.schema.clone()),
        (
            "idc-guardrail/rule".to_owned(),
            finding.rule.as_str().to_owned(),
        ),
        (
            "idc-guardrail/account_id".to_owned(),
            finding.account_id.clone(),
        ),
        ("idc-guardrail/region".to_owned(), finding.region.clone()),
        (
            "idc-guardrail/remediation_status".to_owned(),
            finding.remediation.status.as_str().to_owned(),
        ),
    ]);
    if let Some(org) = &finding.organization_id {
        fields.insert("idc-guardrail/organization_id".to_owned(), org.clone());
    }
    fields
}

fn resource(finding: &Finding, partition: &str) -> AsffResource {
    let mut other = BTreeMap::from([
        ("account_id".to_owned(), finding.account_id.clone()),
        (
            "remediation_status".to_owned(),
            finding.remediation.status.as_str().to_owned(),
        ),
    ]);
    match (&finding.instance_arn, &finding.instance) {
        (Some(arn), instance) => {
            if let Some(facts) = instance {
                other.insert("owner".to_owned(), facts.owner_account_id.clone());
                other.insert("status".to_owned(), facts.status.clone());
                other.insert(
                    "application_count".to_owned(),
                    facts
                        .application_count
                        .map_or_else(|| "unknown".to_owned(), |n| n.to_string()),
                );
            }
            other
                .values_mut()
                .for_each(|v| *v = clip(v, MAX_DETAIL_VALUE));
            AsffResource {
                kind: "Other".to_owned(),
                id: arn.clone(),
                partition: partition.to_owned(),
                region: finding.region.clone(),
                details: Some(AsffDetails { other }),
            }
        }
        (None, _) => AsffResource {
            kind: "AwsAccount".to_owned(),
            id: format!("AWS::::Account:{}", finding.account_id),
            partition: partition.to_owned(),
            region: finding.region.clone(),
            details: Some(AsffDetails { other }),
        },
    }
}

/// RFC 3339 of a `sequence` (microseconds since the Unix epoch at publication): each update
/// under one id is later than the one before, as Security Hub expects of `UpdatedAt`.
fn micros_rfc3339(micros: u64) -> Option<String> {
    let micros = i64::try_from(micros).ok()?;
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
}

/// At most `max` characters, an ellipsis marking a cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(rule: &str, status: &str, arn: Option<&str>) -> Finding {
        let json = serde_json::json!({
            "schema": "idc-guardrail/finding/v1", "id": "idc001-x", "rule": rule,
            "severity": "HIGH", "title": "t", "account_id": "222222222222", "region": "us-gov-west-1",
            "instance_arn": arn, "organization_id": null, "trigger": {"sweep_id": "s"},
            "explanation": "e", "remediation": {"action": "delete", "status": status, "detail": "d"},
            "references": ["https://a", "https://b"], "evaluated_at": "2026-11-20T12:00:00Z",
            "evidence": "inventory", "instance": null
        });
        serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"))
    }

    fn product() -> Product {
        Product::from_arn(
            "arn:aws-us-gov:sns:us-gov-west-1:111111111111:findings",
            "g",
        )
        .unwrap_or_else(|| panic!("a topic ARN"))
    }

    #[test]
    fn the_product_is_the_topics_account_region_and_partition() {
        assert_eq!(
            product().arn(),
            "arn:aws-us-gov:securityhub:us-gov-west-1:111111111111:product/111111111111/default"
        );
        assert_eq!(Product::from_arn("arn:aws:sns:::t", "g"), None);
        assert_eq!(Product::from_arn("not-an-arn", "g"), None);
    }

    #[test]
    fn only_a_gone_instance_resolves_its_finding() {
        let arn = Some("arn:aws-us-gov:sso:::instance/ssoins-1");
        for (status, workflow, record, compliance) in [
            ("deleted", "RESOLVED", "ARCHIVED", "PASSED"),
            ("already_deleted", "RESOLVED", "ARCHIVED", "PASSED"),
            ("deleting", "NEW", "ACTIVE", "FAILED"),
            ("failed", "NEW", "ACTIVE", "FAILED"),
            ("dry_run", "NEW", "ACTIVE", "FAILED"),
            ("none", "NEW", "ACTIVE", "FAILED"),
            ("skipped_exempt", "NEW", "ACTIVE", "FAILED"),
            ("skipped_in_use", "NEW", "ACTIVE", "FAILED"),
            ("skipped_not_enabled", "NEW", "ACTIVE", "FAILED"),
        ] {
            let asff = to_asff(&finding("IDC001", status, arn), &product());
            assert_eq!(asff.workflow.status, workflow, "{status}");
            assert_eq!(asff.record_state, record, "{status}");
            assert_eq!(
                asff.compliance.map(|c| c.status).as_deref(),
                Some(compliance),
                "{status}"
            );
            assert_eq!(asff.resources[0].partition, "aws-us-gov");
            assert_eq!(asff.resources[0].kind, "Other");
        }
    }

    #[test]
    fn a_failed_create_is_about_the_account_and_has_no_compliance() {
        let asff = to_asff(&finding("IDC004", "none", None), &product());
        assert_eq!(asff.compliance, None);
        assert_eq!(asff.resources[0].kind, "AwsAccount");
        assert_eq!(asff.resources[0].id, "AWS::::Account:222222222222");
        assert_eq!(asff.severity.label, "HIGH");
        assert_eq!(severity_label(Severity::Info), "INFORMATIONAL");
    }

    #[test]
    fn clip_marks_a_cut() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
    }
}
