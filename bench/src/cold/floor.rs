//! The emulator's own per-call floor, in the same run: each operation of the event path asked
//! one after another from an in-process SDK client on a warm connection, through the same proxy
//! as both sides. Whatever a side does, its calls cost at least this much here.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use aws_sdk_ssoadmin::Client as SsoAdmin;
use idc_core::ids::SSO_SERVICE_PRINCIPAL;
use idc_core::settings::DEFAULT_MEMBER_ROLE_NAME;
use idc_e2e::world::OTHER_REGION;

use super::scenario::Stage;
use crate::stats::stats;

/// Timed calls of each operation (after a few untimed ones).
pub const CALLS: usize = 30;
const WARM_UP: usize = 3;

/// Per operation: median and minimum seconds of one call.
pub type Floor = BTreeMap<String, (f64, f64)>;

async fn time<F, Fut, T, E>(floor: &mut Floor, operation: &str, call: F) -> Result<()>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: std::error::Error + Send + Sync + 'static,
{
    let mut seconds = Vec::with_capacity(CALLS);
    for i in 0..WARM_UP + CALLS {
        let start = Instant::now();
        call()
            .await
            .with_context(|| format!("{operation} (emulator floor)"))?;
        if i >= WARM_UP {
            seconds.push(start.elapsed().as_secs_f64());
        }
    }
    let (median, min, _) = stats(seconds);
    floor.insert(operation.to_owned(), (median, min));
    Ok(())
}

pub async fn measure(stage: &Stage) -> Result<Floor> {
    let world = &stage.world;
    let sdk = world.guardrail_sdk();
    let orgs = aws_sdk_organizations::Client::new(sdk);
    let sts = aws_sdk_sts::Client::new(sdk);
    let sns = aws_sdk_sns::Client::new(sdk);
    let sso = SsoAdmin::new(
        &world
            .as_account_via_proxy(&stage.reported, OTHER_REGION)
            .await?,
    );
    // A topic nobody subscribes to: the floor's messages reach no queue.
    let topic = aws_sdk_sns::Client::new(&world.sdk)
        .create_topic()
        .name("idc-bench-floor")
        .send()
        .await
        .context("CreateTopic")?
        .topic_arn
        .ok_or_else(|| anyhow!("no topic ARN"))?;
    let role = format!(
        "arn:aws:iam::{}:role/{DEFAULT_MEMBER_ROLE_NAME}",
        stage.reported
    );
    let arn = stage.reported_arn.as_str();
    let mut floor = Floor::new();
    time(&mut floor, "DescribeOrganization", || {
        orgs.describe_organization().send()
    })
    .await?;
    time(&mut floor, "ListDelegatedAdministrators", || {
        orgs.list_delegated_administrators()
            .service_principal(SSO_SERVICE_PRINCIPAL)
            .send()
    })
    .await?;
    time(&mut floor, "AssumeRole", || {
        sts.assume_role()
            .role_arn(&role)
            .role_session_name("idc-bench-floor")
            .send()
    })
    .await?;
    time(&mut floor, "ListInstances", || sso.list_instances().send()).await?;
    time(&mut floor, "ListApplications", || {
        sso.list_applications().instance_arn(arn).send()
    })
    .await?;
    time(&mut floor, "ListTagsForResource", || {
        sso.list_tags_for_resource().resource_arn(arn).send()
    })
    .await?;
    time(&mut floor, "Publish", || {
        sns.publish()
            .topic_arn(&topic)
            .subject("floor")
            .message("{}")
            .send()
    })
    .await?;
    Ok(floor)
}
