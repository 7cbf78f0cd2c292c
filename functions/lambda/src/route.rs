//! Event-driven functions: which events each is deployed for, and what an invocation answers
//! (the summary is the response; an error fails the invocation with a typed diagnostic).

use idc_core::event::{parse_envelope, CloudTrailEnvelope, Trigger};
use idc_core::{Budget, HandleError};
use serde_json::{json, Value};

use crate::metrics::InvocationMetrics;
use crate::wiring::AwsGuardrail;

/// Which events a function is deployed for; others are acknowledged and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `sso:CreateInstance`, forwarded from every member account and Region.
    CreateInstance,
    /// Organizations: delegated administrator registered, account joined.
    OrgEvents,
}

impl Route {
    fn accepts(self, trigger: &Trigger) -> bool {
        match self {
            Route::CreateInstance => matches!(trigger, Trigger::InstanceCreated(_)),
            Route::OrgEvents => matches!(
                trigger,
                Trigger::DelegatedAdminRegistered(_) | Trigger::AccountJoined(_)
            ),
        }
    }
}

/// Handles one payload; what it published is counted into `metrics`.
pub async fn handle(
    guardrail: &AwsGuardrail,
    route: Route,
    envelope: &CloudTrailEnvelope,
    budget: Budget,
    metrics: &mut InvocationMetrics,
) -> Result<Value, HandleError> {
    let trigger =
        parse_envelope(envelope).inspect_err(|e| tracing::error!(error = %e, "bad event"))?;
    if !matches!(trigger, Trigger::Ignored(_)) && !route.accepts(&trigger) {
        tracing::warn!(?route, "event routed to the wrong function; ignored");
        return Ok(
            json!({"findings": [], "notes": [format!("this function ({route:?}) does not handle this event")]}),
        );
    }
    let outcome = guardrail
        .handle_trigger(&trigger, budget)
        .await
        .inspect_err(|e| tracing::error!(error = %e, "invocation failed"))?;
    metrics.count(&outcome.findings);
    let findings: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| json!({"id": f.id, "rule": f.rule, "severity": f.severity, "account_id": f.account_id, "region": f.region, "remediation_status": f.remediation.status}))
        .collect();
    Ok(json!({"findings": findings, "notes": outcome.notes}))
}

/// The error Lambda records for a failed invocation (and the DLQ keeps with the event).
pub fn diagnostic(error: HandleError) -> lambda_runtime::Diagnostic {
    let error_type = match &error {
        HandleError::BadEvent(_) => "IdcGuardrail.BadEvent",
        HandleError::Publish { .. } => "IdcGuardrail.PublishFailed",
        HandleError::Gather(_) => "IdcGuardrail.GatherFailed",
        HandleError::Incomplete(_) | HandleError::SweepIncomplete { .. } => {
            "IdcGuardrail.Incomplete"
        }
        HandleError::Config(_) => "IdcGuardrail.InvalidConfiguration",
    };
    lambda_runtime::Diagnostic {
        error_type: error_type.to_owned(),
        error_message: error.to_string(),
    }
}
