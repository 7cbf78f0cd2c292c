//! The outlets function's batches: each SQS record is one raw message of the findings topic.
//! The records that failed are answered back alone (partial batch failures), so only they are
//! delivered again and, after the redrive limit, kept by the outlets' dead-letter queue.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use idc_core::outlets::Delivery;
use idc_core::{EventError, HandleError};
use serde_json::Value;

use crate::metrics::InvocationMetrics;
use crate::wiring::AwsOutlets;

pub async fn deliver(
    outlets: &AwsOutlets,
    payload: Value,
    metrics: &mut InvocationMetrics,
) -> Result<SqsBatchResponse, HandleError> {
    let event: SqsEvent = serde_json::from_value(payload).map_err(|e| {
        HandleError::BadEvent(EventError::NotEnvelope(format!("not an SQS event: {e}")))
    })?;
    let deliveries: Vec<Delivery> = event
        .records
        .into_iter()
        .map(|r| Delivery {
            message_id: r.message_id.unwrap_or_default(),
            body: r.body.unwrap_or_default(),
        })
        .collect();
    let failed = outlets.deliver(&deliveries).await;
    tracing::info!(
        deliveries = deliveries.len(),
        failed = failed.len(),
        "outlets batch done"
    );
    metrics.failures += u64::try_from(failed.len()).unwrap_or(u64::MAX);
    let mut response = SqsBatchResponse::default();
    for id in failed {
        let mut failure = BatchItemFailure::default();
        failure.item_identifier = id;
        response.batch_item_failures.push(failure);
    }
    Ok(response)
}
