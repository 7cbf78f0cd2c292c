//! The outlets function's batches: each SQS record is one raw message of the findings topic.
//! The records that failed are answered back alone (partial batch failures), so only they are
//! delivered again and, after the redrive limit, kept by the outlets' dead-letter queue.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use idc_core::HandleError;

use crate::metrics::InvocationMetrics;
use crate::sqs::{failures, records};
use crate::wiring::AwsOutlets;

pub async fn deliver(
    outlets: &AwsOutlets,
    event: SqsEvent,
    metrics: &mut InvocationMetrics,
) -> Result<SqsBatchResponse, HandleError> {
    let deliveries = records(event);
    let failed = outlets.deliver(&deliveries).await;
    tracing::info!(
        deliveries = deliveries.len(),
        failed = failed.len(),
        "outlets batch done"
    );
    metrics.failures += u64::try_from(failed.len()).unwrap_or(u64::MAX);
    Ok(failures(failed))
}
