//! The sweep's two Lambda handlers: the scheduled coordinator and the per-account worker.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use idc_core::confirm::ConfirmTask;
use idc_core::sweep::{no_progress, ScheduledEvent, SweepTask};
use idc_core::{Budget, HandleError};
use serde_json::{json, Value};

use crate::metrics::{InvocationMetrics, SweepMetrics};
use crate::sqs::{failures, records};
use crate::wiring::AwsGuardrail;

/// A scheduled event starts a sweep whose id comes from the event's id, so a retried
/// invocation publishes findings with the same ids. What it covered goes into `metrics`.
pub async fn scheduled(
    guardrail: &AwsGuardrail,
    event: ScheduledEvent,
    budget: Budget,
    metrics: &mut InvocationMetrics,
) -> Result<Value, HandleError> {
    let event = event.checked()?;
    let sweep_id = event.sweep_id();
    tracing::info!(sweep_id = %sweep_id, detail_type = ?event.detail_type, "sweep started");
    let started = std::time::Instant::now();
    // Boxed: the sweep's future is deep, and every function binary embeds it.
    let result = Box::pin(guardrail.sweep(&sweep_id, budget, &no_progress)).await;
    let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let report = match result {
        Ok(report) => report,
        Err(HandleError::SweepIncomplete { summary, reasons }) => {
            metrics.count_gaps(&summary);
            metrics.sweep = Some(SweepMetrics::of(&summary, elapsed));
            return Err(HandleError::SweepIncomplete { summary, reasons });
        }
        Err(error) => {
            metrics.sweep = Some(SweepMetrics::failed(elapsed));
            return Err(error);
        }
    };
    metrics.count(&report.findings);
    metrics.count_gaps(&report.summary);
    metrics.sweep = Some(SweepMetrics::of(&report.summary, elapsed));
    Ok(serde_json::to_value(&report.summary).unwrap_or_else(|e| json!({"error": e.to_string()})))
}

/// Each SQS record is one account, or the confirmation of an announced delete. A record that
/// fails is reported back alone (partial batch
/// failure), so only it is retried and, after the redrive limit, kept by the queue's DLQ.
pub async fn worker(
    guardrail: &AwsGuardrail,
    event: SqsEvent,
    budget: Budget,
    metrics: &mut InvocationMetrics,
) -> Result<SqsBatchResponse, HandleError> {
    let mut failed = Vec::new();
    for record in records(event) {
        let (id, body) = (record.message_id, record.body.as_str());
        let outcome = match (ConfirmTask::parse(body), SweepTask::parse(body)) {
            (Some(Ok(confirmation)), _) => Box::pin(guardrail.confirm(&confirmation, budget))
                .await
                .map(|finding| {
                    metrics.count(finding.iter());
                    finding.iter().count()
                })
                .map_err(|e| e.to_string()),
            (Some(Err(problem)), _) => Err(problem),
            (None, Ok(task)) => {
                match Box::pin(guardrail.sweep_account(&task.sweep_id, &task.account_id, budget))
                    .await
                {
                    Ok(report) => {
                        metrics.count(&report.findings);
                        metrics.count_gaps(&report.summary);
                        Ok(report.findings.len())
                    }
                    Err(error) => {
                        if let HandleError::SweepIncomplete { summary, .. } = &error {
                            metrics.count_gaps(summary);
                        }
                        Err(error.to_string())
                    }
                }
            }
            (None, Err(problem)) => Err(problem.to_string()),
        };
        match outcome {
            Ok(findings) => tracing::info!(message_id = %id, findings, "task done"),
            Err(error) => {
                tracing::error!(message_id = %id, error = %error, "task failed; it will be retried");
                metrics.failures += 1;
                failed.push(id);
            }
        }
    }
    Ok(failures(failed))
}
