//! A subscriber reading its queue while the burst goes on, as the security team's tooling and
//! the chat service read theirs: each message received, kept, and deleted. Read as they come,
//! the queues stay short; that matters on the emulator, whose SQS pays for every message a queue
//! holds on every send and receive (AWS does not), and would otherwise slow the burst itself.
//! The messages read are what the checks judge.

use std::time::Duration;

use anyhow::{Context, Result};
use aws_sdk_sqs::types::DeleteMessageBatchRequestEntry;
use aws_sdk_sqs::Client;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The pause between two looks at an empty queue.
const POLL_PAUSE: Duration = Duration::from_millis(200);
/// Long enough that a message is never received twice while its batch is deleted.
const IN_FLIGHT_SECONDS: i32 = 300;

/// Reads its queue until finished; stopped when dropped.
pub struct QueueReader {
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<Result<Vec<String>>>>,
}

impl QueueReader {
    pub fn start(sqs: Client, url: String) -> QueueReader {
        let (stop, stopped) = watch::channel(false);
        QueueReader {
            stop,
            task: Some(tokio::spawn(read(sqs, url, stopped))),
        }
    }

    /// Every body read, once the queue is empty after the call (call it when nothing more is
    /// sent to the queue).
    pub async fn finish(mut self) -> Result<Vec<String>> {
        let _ = self.stop.send(true);
        match self.task.take() {
            Some(task) => task.await?,
            None => Ok(Vec::new()),
        }
    }
}

impl Drop for QueueReader {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn read(sqs: Client, url: String, stopped: watch::Receiver<bool>) -> Result<Vec<String>> {
    let mut bodies = Vec::new();
    loop {
        // Read before the look: a message sent before `stop` is always read.
        let last_look = *stopped.borrow();
        let messages = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .visibility_timeout(IN_FLIGHT_SECONDS)
            .send()
            .await
            .with_context(|| format!("ReceiveMessage ({url})"))?
            .messages
            .unwrap_or_default();
        if messages.is_empty() {
            if last_look {
                return Ok(bodies);
            }
            tokio::time::sleep(POLL_PAUSE).await;
            continue;
        }
        let entries = messages
            .iter()
            .enumerate()
            .map(|(i, m)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(m.receipt_handle.clone().unwrap_or_default())
                    .build()
            })
            .collect::<Result<Vec<_>, _>>()?;
        sqs.delete_message_batch()
            .queue_url(&url)
            .set_entries(Some(entries))
            .send()
            .await
            .with_context(|| format!("DeleteMessageBatch ({url})"))?;
        bodies.extend(messages.into_iter().filter_map(|m| m.body));
    }
}
