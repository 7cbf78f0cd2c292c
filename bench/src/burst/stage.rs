//! The burst's stage on the local AWS emulator: an organization of member accounts, each with
//! one account instance and the `CreateInstance` event that reports it; the guardrail's worker
//! queue, the outlets queue with its dead-letter queue, and a chat topic. Accounts and
//! instances are created several at a time (the emulator answers one request after another,
//! but the clients' own work overlaps), and the setup is timed apart from the burst.

use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use aws_sdk_sqs::types::QueueAttributeName;
use chrono::{SecondsFormat, Utc};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use idc_e2e::events;
use idc_e2e::outlets::ChatChannel;
use idc_e2e::world::{World, HOME_REGION, OTHER_REGION};
use serde_json::{json, Value};

/// The Regions the instances are spread over.
pub const REGIONS: [&str; 3] = [HOME_REGION, OTHER_REGION, "ap-southeast-2"];
/// Setup calls in flight at once.
pub const SETUP_PARALLELISM: usize = 16;
/// The outlets queue's redrive policy in the templates: 5 receives, then its dead-letter queue.
pub const OUTLETS_MAX_RECEIVES: u32 = 5;

/// One member account's account instance, and the event that reports it.
pub struct Planted {
    pub account: String,
    pub region: &'static str,
    pub instance_arn: String,
    pub event_id: String,
    /// Its `CreateInstance` event, stamped when the instance was created.
    pub event: Value,
}

/// How long the setup took.
#[derive(Debug, Clone, Copy)]
pub struct Setup {
    pub emulator: Duration,
    pub accounts: Duration,
    pub instances: Duration,
}

pub struct Stage {
    pub world: World,
    pub planted: Vec<Planted>,
    pub worker_queue_url: String,
    pub outlets_dlq_url: String,
    pub chat: ChatChannel,
    pub setup: Setup,
}

impl Stage {
    pub async fn plant(accounts: usize) -> Result<Stage> {
        let started = Instant::now();
        let world = World::start().await.context("starting the emulator")?;
        let emulator = started.elapsed();
        eprintln!(
            "idc-bench: burst: creating {accounts} member accounts, {SETUP_PARALLELISM} at a time"
        );
        let started = Instant::now();
        let creator = &world;
        let members: Vec<String> = stream::iter(0..accounts)
            .map(|i| async move { creator.create_member(&format!("burst-{i:04}")).await })
            .buffered(SETUP_PARALLELISM)
            .try_collect()
            .await?;
        let accounts_took = started.elapsed();
        eprintln!("idc-bench: burst: planting an account instance in each");
        let started = Instant::now();
        let planted: Vec<Planted> = stream::iter(members.into_iter().enumerate())
            .map(|(i, account)| plant_one(&world, i, account))
            .buffered(SETUP_PARALLELISM)
            .try_collect()
            .await?;
        let instances = started.elapsed();
        let worker_queue_url = world.create_queue("idc-guardrail-worker").await?;
        let outlets_dlq_url = dead_letter_queue(&world).await?;
        let chat = ChatChannel::create(&world).await?;
        Ok(Stage {
            world,
            planted,
            worker_queue_url,
            outlets_dlq_url,
            chat,
            setup: Setup {
                emulator,
                accounts: accounts_took,
                instances,
            },
        })
    }
}

async fn plant_one(world: &World, i: usize, account: String) -> Result<Planted> {
    let region = REGIONS[i % REGIONS.len()];
    let instance_arn = world.create_instance(&account, region, &[]).await?;
    // CloudTrail stamps the call when it happened: now.
    let at = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    let event_id = format!("burst-{i:04}-0d5e2c1b-7a6f-4e3d-9c8b");
    let mut event = events::create_instance(&account, region, Some(&instance_arn), &event_id)?;
    event["time"] = json!(at);
    event["detail"]["eventTime"] = json!(at);
    Ok(Planted {
        account,
        region,
        instance_arn,
        event_id,
        event,
    })
}

/// The outlets queue's dead-letter queue, with the templates' redrive policy on the outlets
/// queue.
async fn dead_letter_queue(world: &World) -> Result<String> {
    let url = world.create_queue("idc-guardrail-outlets-dlq").await?;
    let sqs = aws_sdk_sqs::Client::new(&world.sdk);
    let arn = idc_e2e::world::queue_arn(&sqs, &url).await?;
    let policy = json!({"deadLetterTargetArn": arn, "maxReceiveCount": OUTLETS_MAX_RECEIVES});
    sqs.set_queue_attributes()
        .queue_url(&world.outlets_queue_url)
        .attributes(QueueAttributeName::RedrivePolicy, policy.to_string())
        .send()
        .await
        .context("SetQueueAttributes RedrivePolicy")?;
    Ok(url)
}

/// The messages a queue holds: visible, in flight and delayed.
pub async fn queue_depth(sqs: &aws_sdk_sqs::Client, url: &str) -> Result<u64> {
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessages)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesNotVisible)
        .attribute_names(QueueAttributeName::ApproximateNumberOfMessagesDelayed)
        .send()
        .await
        .context("GetQueueAttributes")?
        .attributes
        .unwrap_or_default();
    Ok(attributes
        .values()
        .filter_map(|n| n.parse::<u64>().ok())
        .sum())
}
