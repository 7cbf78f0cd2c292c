//! The cold start: logs, settings from the environment (an invalid value fails here, naming
//! the variable), one SDK configuration and one set of clients for the life of the container;
//! and each invocation's budget from Lambda's deadline. The functions that delete publish to
//! the findings topic alone; the outlets function (Security Hub, chat) is the topic's
//! subscriber, wired here too.

use aws_config::SdkConfig;
use chrono::{DateTime, Utc};
use idc_aws::clients::{member_instances, sdk_config};
use idc_aws::clock::SystemClock;
use idc_aws::organizations::Organizations;
use idc_aws::securityhub::SecurityHub;
use idc_aws::sns::SnsPublisher;
use idc_aws::sqs::SqsTaskQueue;
use idc_aws::ssoadmin::SsoAdminInstances;
use idc_core::asff::Product;
use idc_core::outlets::{ChatOutlet, HubOutlet, Outlets};
use idc_core::ports::OrganizationPort;
use idc_core::{Budget, Guardrail};

use crate::env::LambdaSettings;
use crate::logging::init_logging;
use crate::outlet_settings::OutletSettings;

/// Security Hub and the chat topic on AWS.
pub type AwsOutlets = Outlets<SecurityHub, SnsPublisher>;

/// The guardrail wired to AWS, with the worker queue: the sweep fans out to it, and every
/// function queues there the confirmation of each delete it announces.
pub type AwsGuardrail =
    Guardrail<Organizations, SsoAdminInstances, SnsPublisher, SystemClock, SqsTaskQueue>;

/// Builds the guardrail and its clients, with the worker queue when `WORKER_QUEUE_URL` names
/// one; called once per container.
pub fn build(base: &SdkConfig, settings: LambdaSettings) -> AwsGuardrail {
    let (guardrail, worker_queue_url) = without_queue(base, settings);
    guardrail.with_queue(
        worker_queue_url.map(|url| SqsTaskQueue::new(aws_sdk_sqs::Client::new(base), url)),
    )
}

/// Builds the guardrail and its clients, and hands back `WORKER_QUEUE_URL` unused.
fn without_queue(
    base: &SdkConfig,
    settings: LambdaSettings,
) -> (
    Guardrail<Organizations, SsoAdminInstances, SnsPublisher, SystemClock>,
    Option<String>,
) {
    let LambdaSettings {
        guardrail,
        topic_arn,
        member_role_name,
        worker_queue_url,
        ..
    } = settings;
    let organizations = Organizations::from_config(base);
    let instances = member_instances(
        base,
        &organizations,
        &member_role_name,
        guardrail.management_account_id.as_deref(),
    );
    let findings = SnsPublisher::from_config(base, topic_arn);
    let guardrail = Guardrail::new(organizations, instances, findings, SystemClock, guardrail);
    (guardrail, worker_queue_url)
}

/// The outlets, as configured: Security Hub of the findings topic's account and Region
/// (`SECURITY_HUB=true`; the settings checked that the topic's ARN names them), and the chat
/// topic (`CHAT_TOPIC_ARN`).
pub fn outlets(base: &SdkConfig, settings: &OutletSettings) -> AwsOutlets {
    let security_hub = settings
        .security_hub
        .then(|| Product::from_arn(&settings.topic_arn, &settings.guardrail_name))
        .flatten()
        .map(|product| HubOutlet {
            port: SecurityHub::from_config(base),
            product,
        });
    Outlets {
        security_hub,
        chat: settings.chat_topic_arn.as_ref().map(|arn| ChatOutlet {
            topic: SnsPublisher::from_config(base, arn.clone()),
            min_severity: settings.chat_min_severity,
        }),
    }
}

/// Cold start of the outlets function: its outlets, and the guardrail's name for metrics.
pub async fn cold_start_outlets() -> Result<(AwsOutlets, String), lambda_runtime::Error> {
    init_logging();
    let settings = OutletSettings::from_lookup(|name| std::env::var(name).ok()).inspect_err(|e| {
        tracing::error!(variable = e.variable, error = %e, "cold start failed: invalid configuration");
    })?;
    tracing::info!(
        function = "Outlets",
        security_hub = settings.security_hub,
        chat = settings.chat_topic_arn.is_some(),
        "configured"
    );
    let base = sdk_config().await;
    Ok((outlets(&base, &settings), settings.guardrail_name))
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

/// Cold start of a function, named in the logs: the guardrail, and its name for metrics.
pub async fn cold_start(function: &str) -> Result<(AwsGuardrail, String), lambda_runtime::Error> {
    let (base, settings) = configure(function).await?;
    let name = settings.guardrail_name.clone();
    Ok((build(&base, settings), name))
}

/// Logs, settings, the SDK configuration, and the check of `MANAGEMENT_ACCOUNT_ID`.
async fn configure(function: &str) -> Result<(SdkConfig, LambdaSettings), lambda_runtime::Error> {
    init_logging();
    let settings = LambdaSettings::from_lookup(|name| std::env::var(name).ok()).inspect_err(|e| {
        tracing::error!(variable = e.variable, error = %e, "cold start failed: invalid configuration");
    })?;
    tracing::info!(
        function,
        auto_remediate = settings.guardrail.policy.auto_remediate,
        dry_run = settings.guardrail.policy.dry_run,
        regions = settings.guardrail.regions.len(),
        "configured"
    );
    let base = sdk_config().await;
    if let Some(setting) = settings.guardrail.management_account_id.as_deref() {
        check_management_setting(&Organizations::from_config(&base), setting).await?;
    }
    Ok((base, settings))
}

/// `MANAGEMENT_ACCOUNT_ID` must agree with Organizations whenever Organizations answers: a
/// mismatch fails the cold start, naming the variable.
async fn check_management_setting(
    organizations: &Organizations,
    setting: &str,
) -> Result<(), lambda_runtime::Error> {
    match organizations.describe_organization().await {
        Ok(answer) => idc_core::facts::check_management_setting(answer.as_ref(), Some(setting))
            .map_err(|e| {
                tracing::error!(variable = e.variable, error = %e, "cold start failed: invalid configuration");
                e.to_string().into()
            }),
        Err(error) => {
            tracing::warn!(error = %error, "DescribeOrganization failed: MANAGEMENT_ACCOUNT_ID is used as given");
            Ok(())
        }
    }
}
