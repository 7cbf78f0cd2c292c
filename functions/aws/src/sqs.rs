//! The worker queue: the sweep's tasks, one message per account sent in batches of ten, and
//! the delayed confirmation of every announced delete.

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use aws_sdk_sqs::Client;
use idc_core::confirm::ConfirmTask;
use idc_core::ports::{PortError, PortErrorKind, TaskQueue};
use idc_core::sweep::SweepTask;

use crate::errors::port_error;

/// The worker queue (`WORKER_QUEUE_URL`).
pub struct SqsTaskQueue {
    client: Client,
    queue_url: String,
}

impl SqsTaskQueue {
    pub fn new(client: Client, queue_url: String) -> Self {
        SqsTaskQueue { client, queue_url }
    }
}

impl TaskQueue for SqsTaskQueue {
    async fn enqueue(&self, sweep_id: &str, accounts: &[String]) -> Result<(), PortError> {
        let queue_url = &self.queue_url;
        for chunk in accounts.chunks(10) {
            let mut entries = Vec::with_capacity(chunk.len());
            for (i, account) in chunk.iter().enumerate() {
                let body =
                    serde_json::to_string(&SweepTask::new(sweep_id, account)).map_err(|e| {
                        PortError::new(PortErrorKind::Other, "SendMessageBatch", e.to_string())
                    })?;
                let entry = SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(body)
                    .build()
                    .map_err(|e| {
                        PortError::new(PortErrorKind::Other, "SendMessageBatch", e.to_string())
                    })?;
                entries.push(entry);
            }
            let out = self
                .client
                .send_message_batch()
                .queue_url(queue_url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| port_error("SendMessageBatch", e))?;
            if let Some(failed) = out.failed.first() {
                return Err(PortError::new(
                    PortErrorKind::Other,
                    "SendMessageBatch",
                    format!(
                        "{} task(s) not queued, first: {} {}",
                        out.failed.len(),
                        failed.code,
                        failed.message.as_deref().unwrap_or_default()
                    ),
                ));
            }
        }
        Ok(())
    }

    async fn confirm_later(
        &self,
        task: &ConfirmTask,
        delay: std::time::Duration,
    ) -> Result<(), PortError> {
        let body = serde_json::to_string(task)
            .map_err(|e| PortError::new(PortErrorKind::Other, "SendMessage", e.to_string()))?;
        self.client
            .send_message()
            .queue_url(&self.queue_url)
            .message_body(body)
            .delay_seconds(i32::try_from(delay.as_secs()).unwrap_or(900))
            .send()
            .await
            .map_err(|e| port_error("SendMessage", e))?;
        Ok(())
    }
}
