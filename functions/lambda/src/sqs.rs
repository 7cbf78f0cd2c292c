//! The SQS batches of the queue-fed functions (the sweep worker, the outlets): the event read
//! once, and the records that failed answered back alone (partial batch failures), so only
//! they are delivered again and, after the redrive limit, kept by the queue's DLQ.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use idc_core::outlets::Delivery;

/// The records of an SQS event.
pub fn records(event: SqsEvent) -> Vec<Delivery> {
    event
        .records
        .into_iter()
        .map(|r| Delivery {
            message_id: r.message_id.unwrap_or_default(),
            body: r.body.unwrap_or_default(),
        })
        .collect()
}

/// The answer that names the records that failed.
pub fn failures(message_ids: impl IntoIterator<Item = String>) -> SqsBatchResponse {
    let mut response = SqsBatchResponse::default();
    for id in message_ids {
        let mut failure = BatchItemFailure::default();
        failure.item_identifier = id;
        response.batch_item_failures.push(failure);
    }
    response
}
