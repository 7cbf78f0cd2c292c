//! The outlets function on its queue, as its event source mapping in the templates runs it:
//! batches of up to [`BATCH`] records gathered for at most [`WINDOW`], [`POLLERS`] invocations
//! at a time, each record the function reports failed (or every record of a failed invocation)
//! left on the queue to be received again, and, after [`super::stage::OUTLETS_MAX_RECEIVES`] receives, moved
//! to the outlets' dead-letter queue by the queue's redrive policy (SQS's own, in the emulator).
//!
//! The queue is read straight from the emulator (the poller is Lambda's, not the function's);
//! the function's own calls go through the fault proxy. A failed record comes back after
//! [`RETRY_DELAY`] instead of the queue's visibility timeout (360 s in the templates), so that
//! a redelivery shows in a burst measured in seconds.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, Message};
use aws_sdk_sqs::Client;
use tokio::sync::watch;

use super::sandbox::{Answer, Launch, Sandbox};
use super::stage::queue_depth;

/// `BatchSize`, `MaximumBatchingWindowInSeconds` and `ScalingConfig.MaximumConcurrency` of the
/// outlets' event source mapping in the templates.
pub const BATCH: usize = 100;
pub const WINDOW: Duration = Duration::from_secs(2);
pub const POLLERS: usize = 2;
/// How long a received record stays invisible while its batch is handled: the outlets queue's
/// visibility timeout in the templates (6 × the function's 60 s timeout).
const IN_FLIGHT_SECONDS: i32 = 360;
/// When a failed record is received again.
pub const RETRY_DELAY: Duration = Duration::from_secs(2);
/// The pause between two looks at an empty queue.
const POLL_PAUSE: Duration = Duration::from_millis(100);

/// What the outlets did with the queue.
#[derive(Debug, Default)]
pub struct OutletsTally {
    pub invocations: u64,
    pub failed_invocations: u64,
    /// Records handed to the function (a record received again counts again).
    pub records: u64,
    /// Records it reported failed (or of a failed invocation): received again later.
    pub failed_records: u64,
    /// Since the start of the burst, when the last batch was handled.
    pub last_batch: Option<Duration>,
    /// The messages among the records: SQS delivers at least once, so a message may come twice.
    pub messages: BTreeSet<String>,
    /// What the outlets' dead-letter queue holds at the end.
    pub dead_letters: u64,
}

impl OutletsTally {
    fn add(&mut self, other: OutletsTally) {
        self.invocations += other.invocations;
        self.failed_invocations += other.failed_invocations;
        self.records += other.records;
        self.failed_records += other.failed_records;
        self.last_batch = self.last_batch.max(other.last_batch);
        self.messages.extend(other.messages);
    }
}

/// The queue and its reader.
#[derive(Clone)]
pub struct OutletsQueue {
    pub sqs: Client,
    pub url: String,
    pub dead_letter_url: String,
}

/// Runs [`POLLERS`] pollers until every event is settled (`events_done`) and the queue is
/// empty; `t0` is the burst's start.
pub async fn drain(
    queue: OutletsQueue,
    launch: Launch,
    events_done: watch::Receiver<bool>,
    t0: Instant,
) -> Result<OutletsTally> {
    let pollers: Vec<_> = (0..POLLERS)
        .map(|n| {
            tokio::spawn(poll(
                n,
                queue.clone(),
                launch.clone(),
                events_done.clone(),
                t0,
            ))
        })
        .collect();
    let mut tally = OutletsTally::default();
    for poller in pollers {
        tally.add(poller.await??);
    }
    tally.dead_letters = queue_depth(&queue.sqs, &queue.dead_letter_url).await?;
    Ok(tally)
}

async fn poll(
    n: usize,
    queue: OutletsQueue,
    launch: Launch,
    events_done: watch::Receiver<bool>,
    t0: Instant,
) -> Result<OutletsTally> {
    let mut tally = OutletsTally::default();
    let mut sandbox: Option<Sandbox> = None;
    loop {
        let batch = gather(&queue).await?;
        if batch.is_empty() {
            if *events_done.borrow() && queue_depth(&queue.sqs, &queue.url).await? == 0 {
                return Ok(tally);
            }
            tokio::time::sleep(POLL_PAUSE).await;
            continue;
        }
        let running = match sandbox.as_mut() {
            Some(running) => running,
            None => sandbox.insert(launch.start(n).await?),
        };
        let records: Vec<(String, String)> = batch
            .iter()
            .map(|m| {
                (
                    m.message_id.clone().unwrap_or_default(),
                    m.body.clone().unwrap_or_default(),
                )
            })
            .collect();
        tally.invocations += 1;
        tally.records += records.len() as u64;
        tally
            .messages
            .extend(records.iter().map(|(id, _)| id.clone()));
        let answer = running
            .invoke(&idc_e2e::events::sqs_records(&records))
            .await;
        let failed: BTreeSet<String> = match answer {
            Ok(Answer::Ok(answer)) => answer["batchItemFailures"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f["itemIdentifier"].as_str().map(str::to_owned))
                .collect(),
            failed => {
                if failed.is_err() {
                    // Lambda replaces a sandbox whose process died or timed out.
                    sandbox = None;
                }
                tally.failed_invocations += 1;
                records.iter().map(|(id, _)| id.clone()).collect()
            }
        };
        tally.failed_records += failed.len() as u64;
        settle(&queue, &batch, &failed).await?;
        tally.last_batch = Some(t0.elapsed());
    }
}

/// Up to [`BATCH`] records, gathered for at most [`WINDOW`] once the first one came; none
/// when the queue has nothing to give now.
async fn gather(queue: &OutletsQueue) -> Result<Vec<Message>> {
    let mut batch: Vec<Message> = Vec::new();
    let mut first: Option<Instant> = None;
    while batch.len() < BATCH && first.is_none_or(|t| t.elapsed() < WINDOW) {
        let received = queue
            .sqs
            .receive_message()
            .queue_url(&queue.url)
            .max_number_of_messages(10.min((BATCH - batch.len()) as i32))
            .visibility_timeout(IN_FLIGHT_SECONDS)
            .send()
            .await
            .context("ReceiveMessage (outlets queue)")?
            .messages
            .unwrap_or_default();
        if received.is_empty() {
            if batch.is_empty() {
                return Ok(batch);
            }
            tokio::time::sleep(POLL_PAUSE).await;
            continue;
        }
        first.get_or_insert_with(Instant::now);
        batch.extend(received);
    }
    Ok(batch)
}

/// Deletes the records handled; the failed ones come back after [`RETRY_DELAY`].
async fn settle(
    queue: &OutletsQueue,
    batch: &[Message],
    failed_ids: &BTreeSet<String>,
) -> Result<()> {
    let (failed, done): (Vec<&Message>, Vec<&Message>) = batch.iter().partition(|m| {
        m.message_id
            .as_ref()
            .is_some_and(|id| failed_ids.contains(id))
    });
    for chunk in done.chunks(10) {
        let entries = chunk
            .iter()
            .enumerate()
            .map(|(i, m)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(m.receipt_handle.clone().unwrap_or_default())
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()?;
        queue
            .sqs
            .delete_message_batch()
            .queue_url(&queue.url)
            .set_entries(Some(entries))
            .send()
            .await
            .context("DeleteMessageBatch (outlets queue)")?;
    }
    for m in failed {
        queue
            .sqs
            .change_message_visibility()
            .queue_url(&queue.url)
            .receipt_handle(m.receipt_handle.clone().unwrap_or_default())
            .visibility_timeout(RETRY_DELAY.as_secs() as i32)
            .send()
            .await
            .context("ChangeMessageVisibility (outlets queue)")?;
    }
    Ok(())
}
