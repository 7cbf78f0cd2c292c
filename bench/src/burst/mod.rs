//! Part 5: the burst, measured — one `CreateInstance` event from each of many member accounts
//! at once, through `N` sandboxes of the release `on-create-instance` bootstrap with deletion
//! on, while the outlets function takes the findings from its queue into Security Hub and
//! chat; Security Hub and sso-admin throttled at AWS's published rates ([`limits`]). It
//! measures how long until every instance is deleted and every finding is in Security Hub,
//! what was throttled and retried, and what ended in a dead-letter queue, then checks every
//! answer ([`check`]). Each `N` gets a fresh emulator and organization ([`stage`]).

pub mod check;
pub mod deliveries;
pub mod limits;
pub mod outlets;
pub mod reader;
pub mod sandbox;
pub mod stage;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use idc_e2e::world::{World, HOME_REGION};
use tokio::sync::watch;

use crate::release::release_binary;
use check::{check, Checked, Read};
use deliveries::{deliver, EventTally};
use outlets::{drain, OutletsQueue, OutletsTally};
use reader::QueueReader;
use sandbox::Launch;
use stage::{Setup, Stage, REGIONS};

/// Member accounts of the burst, one event each.
pub const DEFAULT_ACCOUNTS: usize = 1_000;
/// Sandboxes of the event function handling the burst at once.
pub const DEFAULT_SANDBOXES: [usize; 2] = [8, 16];
/// A burst that has not settled by then has hung: the bench fails rather than wait on.
const HUNG: Duration = Duration::from_secs(30 * 60);

/// Every run of the burst.
pub struct Burst {
    pub accounts: usize,
    pub runs: Vec<BurstRun>,
}

/// One burst through `sandboxes` sandboxes.
pub struct BurstRun {
    pub sandboxes: usize,
    pub setup: Setup,
    pub events: EventTally,
    pub outlets: OutletsTally,
    /// The burst's start → the last event's answer (an event is answered once its instance
    /// is deleted and the outcome published; every instance's deletion is checked after).
    pub all_deleted: Duration,
    /// The burst's start → the last outlets batch, after which the queue was empty.
    pub all_in_hub: Duration,
    /// AWS requests of the functions by operation (from the proxy's log, SDK retries
    /// included), and those answered with a throttle.
    pub requests: BTreeMap<String, u64>,
    pub throttled: BTreeMap<String, u64>,
    pub checked: Checked,
}

pub async fn measure(accounts: usize, sandboxes: &[usize]) -> Result<Burst> {
    let mut runs = Vec::with_capacity(sandboxes.len());
    for &n in sandboxes {
        runs.push(one_run(accounts, n).await?);
    }
    Ok(Burst { accounts, runs })
}

async fn one_run(accounts: usize, sandboxes: usize) -> Result<BurstRun> {
    eprintln!("idc-bench: burst with {sandboxes} sandboxes: starting the emulator");
    let stage = Stage::plant(accounts).await?;
    let log_dir = std::env::temp_dir().join(format!(
        "idc-bench-burst-{}-{sandboxes}",
        std::process::id()
    ));
    std::fs::create_dir_all(&log_dir)
        .with_context(|| format!("cannot create {}", log_dir.display()))?;
    let measured = tokio::time::timeout(HUNG, the_burst(&stage, sandboxes, log_dir.clone()))
        .await
        .map_err(|_| anyhow!("the burst did not settle within {HUNG:?}"))
        .and_then(|r| r)
        .with_context(|| format!("the functions' logs are in {}", log_dir.display()))?;
    eprintln!(
        "idc-bench: burst: settled in {:.1} s; checking every instance, finding and Security Hub finding",
        measured.outlets.last_batch.unwrap_or_default().as_secs_f64()
    );
    let checked = check(&stage, &measured.read).await?;
    let _ = std::fs::remove_dir_all(&log_dir);
    let Measured {
        events,
        outlets,
        requests,
        throttled,
        ..
    } = measured;
    let all_deleted = events
        .outcomes
        .iter()
        .filter_map(|o| o.answered)
        .max()
        .ok_or_else(|| anyhow!("no event was answered"))?;
    let all_in_hub = outlets
        .last_batch
        .ok_or_else(|| anyhow!("the outlets handled no batch"))?;
    Ok(BurstRun {
        sandboxes,
        setup: stage.setup,
        events,
        outlets,
        all_deleted,
        all_in_hub,
        requests,
        throttled,
        checked,
    })
}

/// What one burst measured, and what the subscribers read.
struct Measured {
    events: EventTally,
    outlets: OutletsTally,
    requests: BTreeMap<String, u64>,
    throttled: BTreeMap<String, u64>,
    read: Read,
}

/// Every event delivered, the outlets' queue drained, the subscribers' queues read, and the
/// proxy's log of it all.
async fn the_burst(stage: &Stage, sandboxes: usize, log_dir: PathBuf) -> Result<Measured> {
    let world = &stage.world;
    let regions = REGIONS.join(",");
    let event_function = Launch {
        binary: release_binary("on-create-instance")?,
        env: function_env(
            world,
            "on-create-instance",
            &[
                ("AUTO_REMEDIATE", "true"),
                ("REGIONS", &regions),
                ("WORKER_QUEUE_URL", &stage.worker_queue_url),
            ],
        ),
        log_dir: log_dir.clone(),
        name: "on-create-instance",
    };
    let outlets_function = Launch {
        binary: release_binary("outlets")?,
        env: function_env(
            world,
            "outlets",
            &[
                ("SECURITY_HUB", "true"),
                ("CHAT_TOPIC_ARN", &stage.chat.topic_arn),
            ],
        ),
        log_dir,
        name: "outlets",
    };
    let queue = OutletsQueue {
        sqs: aws_sdk_sqs::Client::new(&world.sdk),
        url: world.outlets_queue_url.clone(),
        dead_letter_url: stage.outlets_dlq_url.clone(),
    };
    let events = Arc::new(stage.planted.iter().map(|p| p.event.clone()).collect());
    let security_team = QueueReader::start(queue.sqs.clone(), world.queue_url.clone());
    let chat = QueueReader::start(queue.sqs.clone(), stage.chat.queue_url().to_owned());
    let proxy = world.proxy();
    proxy.clear_log();
    limits::install(proxy);
    eprintln!(
        "idc-bench: burst: {} events through {sandboxes} sandboxes, the outlets on their queue",
        stage.planted.len()
    );
    let t0 = Instant::now();
    let (events_done, done) = watch::channel(false);
    let outlets = tokio::spawn(drain(queue, outlets_function, done, t0));
    let delivered = deliver(events, sandboxes, event_function, t0).await;
    let _ = events_done.send(true);
    let delivered = match delivered {
        Ok(tally) => tally,
        Err(e) => {
            outlets.abort();
            return Err(e);
        }
    };
    let outlets = outlets.await??;
    // Nothing is published any more: what the queues still hold is the last of it.
    let read = Read {
        findings: security_team.finish().await?,
        chat: chat.finish().await?,
    };
    let log = proxy.log();
    proxy.clear();
    let mut requests = BTreeMap::new();
    let mut throttled = BTreeMap::new();
    for seen in log {
        if seen.fault.is_some() {
            *throttled.entry(seen.operation.clone()).or_insert(0) += 1;
        }
        *requests.entry(seen.operation).or_insert(0) += 1;
    }
    Ok(Measured {
        events: delivered,
        outlets,
        requests,
        throttled,
        read,
    })
}

/// What Lambda gives a function, and the world's settings with `vars`.
fn function_env(world: &World, function: &str, vars: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = world.lambda_env(vars);
    env.extend(
        [
            ("AWS_DEFAULT_REGION", HOME_REGION),
            ("AWS_LAMBDA_FUNCTION_NAME", function),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"),
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned())),
    );
    env
}
