//! Security Hub, through the SDK's generated client: findings imported in ASFF
//! (`BatchImportFindings`) into the account the guardrail runs in, as its default custom
//! product; resolved with `BatchUpdateFindings` (an import cannot set `Workflow` once a finding
//! exists: after creation `Note`, `UserDefinedFields`, `VerificationState` and `Workflow`
//! belong to the customer's investigation); and what Security Hub holds read back with
//! `GetFindings`, so that a late word never moves a finding back. Signing, retries (throttling
//! included) and error parsing are the SDK's.

use std::collections::BTreeMap;

use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingFilters, AwsSecurityFindingIdentifier, Compliance,
    ComplianceStatus, Recommendation, RecordState, Remediation, Resource, ResourceDetails,
    Severity, SeverityLabel, StringFilter, StringFilterComparison, Workflow, WorkflowStatus,
    WorkflowUpdate,
};
use aws_sdk_securityhub::Client;
use idc_core::asff::AsffFinding;
use idc_core::ports::{PortError, SecurityHubPort};

use crate::errors::port_error;

/// `GetFindings` takes at most 20 values per filter attribute.
const IDS_PER_LOOKUP: usize = 20;

pub struct SecurityHub {
    client: Client,
}

impl SecurityHub {
    pub fn from_config(config: &aws_config::SdkConfig) -> Self {
        SecurityHub {
            client: Client::new(config),
        }
    }
}

/// The domain's ASFF as the SDK's type: the same fields, nothing added.
fn to_sdk(f: &AsffFinding) -> AwsSecurityFinding {
    let resources = f.resources.iter().map(|r| {
        Resource::builder()
            .r#type(&r.kind)
            .id(&r.id)
            .partition(r.partition.as_str().into())
            .region(&r.region)
            .set_details(r.details.as_ref().map(|d| {
                ResourceDetails::builder()
                    .set_other(Some(d.other.clone().into_iter().collect()))
                    .build()
            }))
            .build()
    });
    AwsSecurityFinding::builder()
        .schema_version(&f.schema_version)
        .id(&f.id)
        .product_arn(&f.product_arn)
        .generator_id(&f.generator_id)
        .aws_account_id(&f.aws_account_id)
        .set_types(Some(f.types.clone()))
        .created_at(&f.created_at)
        .updated_at(&f.updated_at)
        .severity(
            Severity::builder()
                .label(SeverityLabel::from(f.severity.label.as_str()))
                .original(&f.severity.original)
                .build(),
        )
        .title(&f.title)
        .description(&f.description)
        .remediation(
            Remediation::builder()
                .recommendation(
                    Recommendation::builder()
                        .text(&f.remediation.recommendation.text)
                        .set_url(f.remediation.recommendation.url.clone())
                        .build(),
                )
                .build(),
        )
        .set_source_url(f.source_url.clone())
        .set_product_fields(Some(f.product_fields.clone().into_iter().collect()))
        .set_resources(Some(resources.collect()))
        .set_compliance(f.compliance.as_ref().map(|c| {
            Compliance::builder()
                .status(ComplianceStatus::from(c.status.as_str()))
                .build()
        }))
        .workflow(
            Workflow::builder()
                .status(WorkflowStatus::from(f.workflow.status.as_str()))
                .build(),
        )
        .record_state(RecordState::from(f.record_state.as_str()))
        .build()
}

fn equals(value: &str) -> StringFilter {
    StringFilter::builder()
        .value(value)
        .comparison(StringFilterComparison::Equals)
        .build()
}

impl SecurityHubPort for SecurityHub {
    async fn import(
        &self,
        findings: &[AsffFinding],
    ) -> Result<BTreeMap<String, String>, PortError> {
        const IMPORT: &str = "BatchImportFindings";
        let answer = self
            .client
            .batch_import_findings()
            .set_findings(Some(findings.iter().map(to_sdk).collect()))
            .send()
            .await
            .map_err(|e| port_error(IMPORT, e))?;
        let refused: BTreeMap<String, String> = answer
            .failed_findings()
            .iter()
            .map(|f| {
                (
                    f.id().unwrap_or_default().to_owned(),
                    format!(
                        "{}: {}",
                        f.error_code().unwrap_or("Unknown"),
                        f.error_message().unwrap_or_default()
                    ),
                )
            })
            .collect();
        if answer.failed_count().unwrap_or_default() > 0 && refused.is_empty() {
            // A count without names: no finding of the batch can be taken as imported.
            return Ok(findings
                .iter()
                .map(|f| (f.id.clone(), "counted as failed, not named".to_owned()))
                .collect());
        }
        for f in findings.iter().filter(|f| !refused.contains_key(&f.id)) {
            tracing::info!(finding_id = %f.id, record_state = %f.record_state, workflow = %f.workflow.status, "imported into Security Hub");
        }
        Ok(refused)
    }

    async fn resolve(
        &self,
        findings: &[&AsffFinding],
    ) -> Result<BTreeMap<String, String>, PortError> {
        const UPDATE: &str = "BatchUpdateFindings";
        let identifiers = findings.iter().map(|f| {
            AwsSecurityFindingIdentifier::builder()
                .id(&f.id)
                .product_arn(&f.product_arn)
                .build()
        });
        let answer = self
            .client
            .batch_update_findings()
            .set_finding_identifiers(Some(identifiers.collect()))
            .workflow(
                WorkflowUpdate::builder()
                    .status(WorkflowStatus::Resolved)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| port_error(UPDATE, e))?;
        Ok(answer
            .unprocessed_findings()
            .iter()
            .map(|u| {
                (
                    u.finding_identifier()
                        .and_then(|i| i.id())
                        .unwrap_or_default()
                        .to_owned(),
                    format!(
                        "not resolved: {}: {}",
                        u.error_code().unwrap_or("Unknown"),
                        u.error_message().unwrap_or_default()
                    ),
                )
            })
            .collect())
    }

    async fn updated_at(
        &self,
        product_arn: &str,
        ids: &[&str],
    ) -> Result<BTreeMap<String, String>, PortError> {
        const GET: &str = "GetFindings";
        let mut held = BTreeMap::new();
        for chunk in ids.chunks(IDS_PER_LOOKUP) {
            let filters = AwsSecurityFindingFilters::builder()
                .product_arn(equals(product_arn))
                .set_id(Some(chunk.iter().map(|id| equals(id)).collect()))
                .build();
            let mut pages = self
                .client
                .get_findings()
                .filters(filters)
                .max_results(100)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(|e| port_error(GET, e))?;
                for f in page.findings() {
                    if let (Some(id), Some(updated_at)) = (f.id(), f.updated_at()) {
                        held.insert(id.to_owned(), updated_at.to_owned());
                    }
                }
            }
        }
        Ok(held)
    }
}
