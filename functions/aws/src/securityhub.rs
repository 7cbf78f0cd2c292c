//! Security Hub: findings imported in ASFF (`BatchImportFindings`) into the account the
//! guardrail runs in, as its default custom product.
//!
//! `BatchImportFindings` cannot change `Workflow` once a finding exists (AWS Security Hub API
//! reference: after creation, `Note`, `UserDefinedFields`, `VerificationState` and `Workflow`
//! belong to the customer's investigation). So a finding whose instance is gone is imported
//! with `Compliance` PASSED and `RecordState` ARCHIVED, then resolved with
//! `BatchUpdateFindings` (`Workflow.Status` RESOLVED), which the account may call on its own
//! findings. Either call failing, or any finding of a batch failing, is an error.
//!
//! The ASFF the domain built (`idc_core::asff`) is sent as it is, signed and retried by the
//! SDK's runtime ([`crate::signed_json`]); only the SDK's endpoint rules for Security Hub are
//! used from its crate, not its model.

use aws_config::SdkConfig;
use aws_sdk_securityhub::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
use aws_types::service_config::ServiceConfigKey;
use idc_core::asff::AsffFinding;
use idc_core::ports::{PortError, PortErrorKind, SecurityHubPort};
use serde::{Deserialize, Serialize};

use crate::errors::port_error;
use crate::signed_json::{JsonOperation, Service};

const IMPORT: &str = "BatchImportFindings";
const UPDATE: &str = "BatchUpdateFindings";

pub struct SecurityHubImporter {
    /// The two calls, or why they cannot be made (endpoint parameters the rules refuse).
    calls: Result<Calls, String>,
}

struct Calls {
    import: JsonOperation,
    update: JsonOperation,
}

impl SecurityHubImporter {
    pub fn from_config(config: &SdkConfig) -> Self {
        let calls = endpoint_params(config).map(|params| {
            let service = Service {
                id: "SecurityHub",
                signing_name: "securityhub",
                endpoint: DefaultResolver::new().into_shared_resolver(),
                endpoint_params: params,
            };
            Calls {
                import: JsonOperation::new(config, &service, IMPORT, "POST", "/findings/import"),
                update: JsonOperation::new(
                    config,
                    &service,
                    UPDATE,
                    "PATCH",
                    "/findings/batchupdate",
                ),
            }
        });
        SecurityHubImporter { calls }
    }

    fn calls(&self, operation: &str) -> Result<&Calls, PortError> {
        self.calls
            .as_ref()
            .map_err(|why| PortError::new(PortErrorKind::Other, operation, why.clone()))
    }

    async fn resolve(&self, resolved: &[&AsffFinding]) -> Result<(), PortError> {
        let request = UpdateRequest {
            finding_identifiers: resolved
                .iter()
                .map(|f| FindingIdentifier {
                    id: &f.id,
                    product_arn: &f.product_arn,
                })
                .collect(),
            workflow: WorkflowUpdate { status: "RESOLVED" },
        };
        let answer: UpdateAnswer = call(&self.calls(UPDATE)?.update, UPDATE, &request).await?;
        match answer.unprocessed_findings.first() {
            None => Ok(()),
            Some(first) => Err(PortError::new(
                PortErrorKind::Other,
                UPDATE,
                format!(
                    "{} finding(s) not resolved (first: {}: {})",
                    answer.unprocessed_findings.len(),
                    first.error_code.as_deref().unwrap_or("Unknown"),
                    first.error_message.as_deref().unwrap_or_default()
                ),
            )),
        }
    }
}

impl SecurityHubPort for SecurityHubImporter {
    async fn import(&self, findings: &[AsffFinding]) -> Result<(), PortError> {
        let request = ImportRequest { findings };
        let answer: ImportAnswer = call(&self.calls(IMPORT)?.import, IMPORT, &request).await?;
        let failed = answer.failed_count.unwrap_or_default();
        if let Some(first) = answer.failed_findings.first() {
            return Err(PortError::new(
                PortErrorKind::Other,
                IMPORT,
                format!(
                    "{} finding(s) failed (first: {} {}: {})",
                    failed.max(1),
                    first.id.as_deref().unwrap_or_default(),
                    first.error_code.as_deref().unwrap_or("Unknown"),
                    first.error_message.as_deref().unwrap_or_default()
                ),
            ));
        }
        if failed > 0 {
            return Err(PortError::new(
                PortErrorKind::Other,
                IMPORT,
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

/// Sends `request` as JSON and reads the answer; an answer that is not the expected JSON is
/// an error (never read as "nothing failed").
async fn call<A: for<'de> Deserialize<'de>>(
    operation: &JsonOperation,
    name: &str,
    request: &impl Serialize,
) -> Result<A, PortError> {
    let body = serde_json::to_vec(request)
        .map_err(|e| PortError::new(PortErrorKind::Other, name, e.to_string()))?;
    let answer = operation
        .call(body)
        .await
        .map_err(|e| port_error(name, e))?;
    serde_json::from_slice(&answer).map_err(|e| {
        PortError::new(
            PortErrorKind::Other,
            name,
            format!("unreadable answer: {e}"),
        )
    })
}

/// The endpoint rules' parameters, from the configuration as the SDK's own client reads it:
/// an endpoint set in code wins, then `AWS_ENDPOINT_URL_SECURITYHUB` (or the profile's
/// `endpoint_url` for the service), then `AWS_ENDPOINT_URL`.
fn endpoint_params(config: &SdkConfig) -> Result<Params, String> {
    let endpoint = if config.get_origin("endpoint_url").is_client_config() {
        config.endpoint_url().map(str::to_owned)
    } else {
        ServiceConfigKey::builder()
            .service_id("SecurityHub")
            .env("AWS_ENDPOINT_URL")
            .profile("endpoint_url")
            .build()
            .ok()
            .and_then(|key| config.service_config()?.load_config(key))
            .or_else(|| config.endpoint_url().map(str::to_owned))
    };
    Params::builder()
        .set_region(config.region().map(|r| r.as_ref().to_owned()))
        .set_use_fips(config.use_fips())
        .set_use_dual_stack(config.use_dual_stack())
        .set_endpoint(endpoint)
        .build()
        .map_err(|e| format!("Security Hub endpoint parameters: {e}"))
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ImportRequest<'a> {
    findings: &'a [AsffFinding],
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ImportAnswer {
    failed_count: Option<i64>,
    #[serde(default)]
    failed_findings: Vec<Failure>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateRequest<'a> {
    finding_identifiers: Vec<FindingIdentifier<'a>>,
    workflow: WorkflowUpdate,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct FindingIdentifier<'a> {
    id: &'a str,
    product_arn: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct WorkflowUpdate {
    status: &'static str,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UpdateAnswer {
    #[serde(default)]
    unprocessed_findings: Vec<Failure>,
}

/// A finding Security Hub did not take, and why.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Failure {
    id: Option<String>,
    error_code: Option<String>,
    error_message: Option<String>,
}
