//! The Lambda entry point shared by the functions: JSON logs, configuration from the
//! environment (an invalid value fails the cold start, naming the variable), clients built
//! once per container, then each event handed to the domain.

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use chrono::{DateTime, Utc};
use idc_core::event::Trigger;
use idc_core::ports::OrganizationPort;
use idc_core::{Budget, Guardrail, Settings};
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::{json, Value};

use crate::clock::SystemClock;
use crate::guard::ManagementGuard;
use crate::organizations::Organizations;
use crate::sessions::MemberSessions;
use crate::sns::SnsPublisher;
use crate::sqs::SqsTaskQueue;
use crate::ssoadmin::SsoAdminInstances;

/// The guardrail wired to AWS.
pub type AwsGuardrail =
    Guardrail<Organizations, SsoAdminInstances, SnsPublisher, SystemClock, SqsTaskQueue>;

/// Which events a function is deployed for; others are acknowledged and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `sso:CreateInstance`, forwarded from every member account and Region.
    CreateInstance,
    /// Organizations: delegated administrator registered, account joined.
    OrgEvents,
    /// The scheduled organization-wide sweep (EventBridge schedule).
    Sweep,
    /// One account of a fanned-out sweep (SQS, partial batch failures).
    SweepWorker,
}

impl Route {
    fn accepts(self, trigger: &Trigger) -> bool {
        match self {
            Route::CreateInstance => matches!(trigger, Trigger::InstanceCreated(_)),
            Route::OrgEvents => matches!(
                trigger,
                Trigger::DelegatedAdminRegistered(_) | Trigger::AccountJoined(_)
            ),
            Route::Sweep | Route::SweepWorker => false,
        }
    }
}

/// JSON logs (one object per line, as CloudWatch Logs Insights reads them), level from RUST_LOG.
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
}

/// The SDK configuration every client shares: region and credentials from the environment
/// (`AWS_ENDPOINT_URL` points the SDK at a local emulator), with bounded timeouts.
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_secs(10))
                .operation_timeout(Duration::from_secs(30))
                .build(),
        )
        .load()
        .await
}

/// sso-admin in member accounts, every delete guarded against the management account.
pub fn instances(base: &SdkConfig, settings: &Settings) -> SsoAdminInstances {
    SsoAdminInstances::new(
        MemberSessions::new(base.clone(), settings.member_role_name.clone()),
        ManagementGuard::new(
            Organizations::from_config(base),
            settings.management_account_id.clone(),
        ),
    )
}

/// Builds the guardrail and its clients; called once per container.
pub fn build(base: &SdkConfig, settings: Settings) -> AwsGuardrail {
    Guardrail::new(
        Organizations::from_config(base),
        instances(base, &settings),
        SnsPublisher::from_config(base, settings.topic_arn.clone()),
        SystemClock,
        settings.clone(),
    )
    .with_queue(
        settings
            .worker_queue_url
            .map(|url| SqsTaskQueue::new(aws_sdk_sqs::Client::new(base), url)),
    )
}

/// The invocation's budget: Lambda's deadline for this event.
pub fn budget(context: &lambda_runtime::Context) -> Budget {
    let now = Utc::now();
    i64::try_from(context.deadline)
        .ok()
        .and_then(DateTime::<Utc>::from_timestamp_millis)
        .filter(|deadline| *deadline > now)
        .map_or_else(Budget::unbounded, |deadline| Budget::until(deadline, now))
}

/// Handles one payload: the summary is the function's response; an error fails the invocation.
pub async fn handle(
    guardrail: &AwsGuardrail,
    route: Route,
    payload: Value,
    budget: Budget,
) -> Result<Value, idc_core::HandleError> {
    let trigger = idc_core::parse_event_value(payload)
        .inspect_err(|e| tracing::error!(error = %e, "bad event"))?;
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
    let findings: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| json!({"id": f.id, "rule": f.rule, "severity": f.severity, "account_id": f.account_id, "region": f.region, "remediation_status": f.remediation.status}))
        .collect();
    Ok(json!({"findings": findings, "notes": outcome.notes}))
}

/// The error Lambda records for a failed invocation (and the DLQ keeps with the event).
pub(crate) fn diagnostic(error: idc_core::HandleError) -> lambda_runtime::Diagnostic {
    let error_type = match &error {
        idc_core::HandleError::BadEvent(_) => "IdcGuardrail.BadEvent",
        idc_core::HandleError::Publish { .. } => "IdcGuardrail.PublishFailed",
        idc_core::HandleError::Gather(_) => "IdcGuardrail.GatherFailed",
        idc_core::HandleError::Incomplete(_) => "IdcGuardrail.Incomplete",
        idc_core::HandleError::Config(_) => "IdcGuardrail.InvalidConfiguration",
    };
    lambda_runtime::Diagnostic {
        error_type: error_type.to_owned(),
        error_message: error.to_string(),
    }
}

/// Cold start: logs, configuration (an invalid value fails here, naming the variable),
/// one SDK configuration and one set of clients for the life of the container.
async fn cold_start(route: Route) -> Result<AwsGuardrail, lambda_runtime::Error> {
    init_logging();
    let settings = Settings::from_lookup(|name| std::env::var(name).ok()).inspect_err(|e| {
        tracing::error!(variable = e.variable, error = %e, "cold start failed: invalid configuration");
    })?;
    tracing::info!(
        ?route,
        auto_remediate = settings.policy.auto_remediate,
        dry_run = settings.policy.dry_run,
        regions = settings.regions.len(),
        "configured"
    );
    let base = sdk_config().await;
    if let Some(setting) = settings.management_account_id.as_deref() {
        check_management_setting(&Organizations::from_config(&base), setting).await?;
    }
    Ok(build(&base, settings))
}

/// `MANAGEMENT_ACCOUNT_ID` must agree with Organizations whenever Organizations answers: a
/// mismatch fails the cold start, naming the variable.
async fn check_management_setting(
    organizations: &Organizations,
    setting: &str,
) -> Result<(), lambda_runtime::Error> {
    match organizations.describe_organization().await {
        Ok(answer) => idc_core::facts::check_management_setting(answer.as_ref(), Some(setting))
            .inspect_err(|e| {
                tracing::error!(variable = e.variable, error = %e, "cold start failed: invalid configuration");
            })
            .map_err(|e| invalid_configuration(&e)),
        Err(error) => {
            tracing::warn!(error = %error, "DescribeOrganization failed: MANAGEMENT_ACCOUNT_ID is used as given");
            Ok(())
        }
    }
}

fn invalid_configuration(error: &idc_core::ConfigError) -> lambda_runtime::Error {
    error.to_string().into()
}

/// The life of an event-driven function (`on-create-instance`, `on-org-event`).
pub async fn run_events(route: Route) -> Result<(), lambda_runtime::Error> {
    let guardrail = cold_start(route).await?;
    let guardrail = &guardrail;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let budget = budget(&event.context);
        handle(guardrail, route, event.payload, budget)
            .await
            .map_err(diagnostic)
    }))
    .await
}

/// The life of the scheduled sweep function.
pub async fn run_sweep() -> Result<(), lambda_runtime::Error> {
    let guardrail = cold_start(Route::Sweep).await?;
    let guardrail = &guardrail;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        crate::sweep::scheduled(guardrail, event.payload, budget(&event.context))
            .await
            .map_err(diagnostic)
    }))
    .await
}

/// The life of the sweep worker function.
pub async fn run_sweep_worker() -> Result<(), lambda_runtime::Error> {
    let guardrail = cold_start(Route::SweepWorker).await?;
    let guardrail = &guardrail;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        crate::sweep::worker(guardrail, event.payload, budget(&event.context))
            .await
            .map_err(diagnostic)
    }))
    .await
}
