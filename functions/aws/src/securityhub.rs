//! Security Hub: findings imported in ASFF (`BatchImportFindings`) into the account the
//! guardrail runs in, as its default custom product.
//!
//! `BatchImportFindings` cannot change `Workflow` once a finding exists (AWS Security Hub API
//! reference: after creation, `Note`, `UserDefinedFields`, `VerificationState` and `Workflow`
//! belong to the customer's investigation). So a finding whose instance is gone is imported
//! with `Compliance` PASSED and `RecordState` ARCHIVED, then resolved with
//! `BatchUpdateFindings` (`Workflow.Status` RESOLVED), which the account may call on its own
//! findings. Either call failing, or any finding of a batch failing, is an error.

use aws_sdk_securityhub::types::{
    AwsSecurityFinding, AwsSecurityFindingIdentifier, Compliance, ComplianceStatus, Partition,
    Recommendation, RecordState, Remediation, Resource, ResourceDetails, Severity, SeverityLabel,
    Workflow, WorkflowStatus, WorkflowUpdate,
};
use aws_sdk_securityhub::Client;
use idc_core::asff::AsffFinding;
use idc_core::ports::{PortError, PortErrorKind, SecurityHubPort};

use crate::errors::port_error;

pub struct SecurityHubImporter {
    client: Client,
}

impl SecurityHubImporter {
    pub fn new(client: Client) -> Self {
        SecurityHubImporter { client }
    }

    pub fn from_config(config: &aws_config::SdkConfig) -> Self {
        SecurityHubImporter::new(Client::new(config))
    }

    async fn resolve(&self, resolved: &[&AsffFinding]) -> Result<(), PortError> {
        const OPERATION: &str = "BatchUpdateFindings";
        let mut request = self.client.batch_update_findings().workflow(
            WorkflowUpdate::builder()
                .status(WorkflowStatus::Resolved)
                .build(),
        );
        for finding in resolved {
            request = request.finding_identifiers(
                AwsSecurityFindingIdentifier::builder()
                    .id(&finding.id)
                    .product_arn(&finding.product_arn)
                    .build(),
            );
        }
        let out = request.send().await.map_err(|e| port_error(OPERATION, e))?;
        match out.unprocessed_findings().first() {
            None => Ok(()),
            Some(first) => Err(PortError::new(
                PortErrorKind::Other,
                OPERATION,
                format!(
                    "{} finding(s) not resolved (first: {}: {})",
                    out.unprocessed_findings().len(),
                    first.error_code().unwrap_or("Unknown"),
                    first.error_message().unwrap_or_default()
                ),
            )),
        }
    }
}

impl SecurityHubPort for SecurityHubImporter {
    async fn import(&self, findings: &[AsffFinding]) -> Result<(), PortError> {
        const OPERATION: &str = "BatchImportFindings";
        let out = self
            .client
            .batch_import_findings()
            .set_findings(Some(findings.iter().map(sdk_finding).collect()))
            .send()
            .await
            .map_err(|e| port_error(OPERATION, e))?;
        let failed = out.failed_count().unwrap_or_default();
        if let Some(first) = out.failed_findings().first() {
            return Err(PortError::new(
                PortErrorKind::Other,
                OPERATION,
                format!(
                    "{} finding(s) failed (first: {} {}: {})",
                    failed.max(1),
                    first.id().unwrap_or_default(),
                    first.error_code().unwrap_or("Unknown"),
                    first.error_message().unwrap_or_default()
                ),
            ));
        }
        if failed > 0 {
            return Err(PortError::new(
                PortErrorKind::Other,
                OPERATION,
                format!("{failed} finding(s) failed"),
            ));
        }
        let resolved: Vec<&AsffFinding> = findings
            .iter()
            .filter(|f| f.workflow.status == "RESOLVED")
            .collect();
        if !resolved.is_empty() {
            self.resolve(&resolved).await?;
        }
        for finding in findings {
            tracing::info!(finding_id = %finding.id, record_state = %finding.record_state, workflow = %finding.workflow.status, "imported into Security Hub");
        }
        Ok(())
    }
}

/// The SDK's shape of the finding core built.
fn sdk_finding(finding: &AsffFinding) -> AwsSecurityFinding {
    let resources = finding.resources.iter().map(|r| {
        let details = r.details.as_ref().map(|d| {
            ResourceDetails::builder()
                .set_other(Some(d.other.clone().into_iter().collect()))
                .build()
        });
        Resource::builder()
            .r#type(&r.kind)
            .id(&r.id)
            .partition(Partition::from(r.partition.as_str()))
            .region(&r.region)
            .set_details(details)
            .build()
    });
    let recommendation = &finding.remediation.recommendation;
    AwsSecurityFinding::builder()
        .schema_version(&finding.schema_version)
        .id(&finding.id)
        .product_arn(&finding.product_arn)
        .generator_id(&finding.generator_id)
        .aws_account_id(&finding.aws_account_id)
        .set_types(Some(finding.types.clone()))
        .created_at(&finding.created_at)
        .updated_at(&finding.updated_at)
        .severity(
            Severity::builder()
                .label(SeverityLabel::from(finding.severity.label.as_str()))
                .original(&finding.severity.original)
                .build(),
        )
        .title(&finding.title)
        .description(&finding.description)
        .remediation(
            Remediation::builder()
                .recommendation(
                    Recommendation::builder()
                        .text(&recommendation.text)
                        .set_url(recommendation.url.clone())
                        .build(),
                )
                .build(),
        )
        .set_source_url(finding.source_url.clone())
        .set_product_fields(Some(finding.product_fields.clone().into_iter().collect()))
        .set_resources(Some(resources.collect()))
        .set_compliance(finding.compliance.as_ref().map(|c| {
            Compliance::builder()
                .status(ComplianceStatus::from(c.status.as_str()))
                .build()
        }))
        .workflow(
            Workflow::builder()
                .status(WorkflowStatus::from(finding.workflow.status.as_str()))
                .build(),
        )
        .record_state(RecordState::from(finding.record_state.as_str()))
        .build()
}
