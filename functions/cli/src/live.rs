//! The guardrail wired to AWS for the command line: the environment's credentials (and
//! AWS_ENDPOINT_URL), findings collected locally and optionally published to SNS.

use idc_aws::clock::SystemClock;
use idc_aws::lambda::sdk_config;
use idc_aws::organizations::Organizations;
use idc_aws::sns::SnsPublisher;
use idc_aws::ssoadmin::SsoAdminInstances;
use idc_core::ports::{FindingPublisher, NoQueue, PortError};
use idc_core::settings::{Settings, DEFAULT_REGIONS};
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
    let regions = if live.regions.is_empty() {
        DEFAULT_REGIONS.iter().map(|r| (*r).to_owned()).collect()
    } else {
        live.regions.clone()
    };
    let settings = Settings {
        policy,
        topic_arn: topic.unwrap_or_default().to_owned(),
        member_role_name: live.member_role.clone(),
        management_account_id: live.management_account_id.clone(),
        regions,
        sweep_concurrency: live.concurrency,
        // The command line sweeps in process: there is no worker queue.
        fanout_threshold: usize::MAX,
        worker_queue_url: None,
        outside_regions: idc_core::settings::OutsideRegions::Evaluate,
    };
    Guardrail::new(
        Organizations::from_config(&base),
        idc_aws::lambda::instances(&base, &settings),
        CliPublisher(topic.map(|t| SnsPublisher::from_config(&base, t))),
        SystemClock,
        settings,
    )
}
