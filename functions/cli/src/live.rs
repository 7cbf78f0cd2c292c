//! The guardrail wired to AWS for the command line: the environment's credentials (and
//! AWS_ENDPOINT_URL), findings collected locally and optionally published to SNS.

use idc_aws::clients::{member_instances, sdk_config};
use idc_aws::clock::SystemClock;
use idc_aws::organizations::Organizations;
use idc_aws::sns::SnsPublisher;
use idc_aws::ssoadmin::SsoAdminInstances;
use idc_core::ports::{FindingPublisher, NoQueue, PortError};
use idc_core::settings::Settings;
use idc_core::{Guardrail, Message, Policy};

use crate::cli::LiveArgs;

/// Findings stay in the report; with a topic they are also published.
pub struct CliPublisher(Option<SnsPublisher>);

impl FindingPublisher for CliPublisher {
    async fn publish(&self, message: &Message) -> Result<(), PortError> {
        match &self.0 {
            Some(sns) => sns.publish(message).await,
            None => Ok(()),
        }
    }
}

pub type CliGuardrail =
    Guardrail<Organizations, SsoAdminInstances, CliPublisher, SystemClock, NoQueue>;

pub async fn guardrail(live: &LiveArgs, policy: Policy, topic: Option<&str>) -> CliGuardrail {
    let base = sdk_config().await;
    let mut settings = Settings {
        policy,
        management_account_id: live.management_account_id.clone(),
        sweep_concurrency: live.concurrency,
        ..Settings::default()
    };
    if !live.regions.is_empty() {
        settings.regions = live.regions.clone();
    }
    let organizations = Organizations::from_config(&base);
    Guardrail::new(
        organizations.clone(),
        member_instances(
            &base,
            &organizations,
            &live.member_role,
            settings.management_account_id.as_deref(),
        ),
        CliPublisher(topic.map(|t| SnsPublisher::from_config(&base, t))),
        SystemClock,
        settings,
    )
}
