//! The Lambda wiring of idc-guardrail: settings from the environment, the cold start, routing,
//! diagnostics and SQS batches. Each function's `main` calls one `run_*`, so it links only the
//! code it runs.
//!
//! Every event arrives typed: the runtime reads the payload into the function's event type
//! (an EventBridge envelope of a CloudTrail record, a scheduled event, an SQS batch). A payload
//! that is not of that type never reaches the handler: the runtime fails the invocation with
//! serde's error, which names the field, so Lambda retries it and the DLQ keeps it.

pub mod env;
pub mod logging;
pub mod metrics;
pub mod outlet_settings;
pub mod outlets;
pub mod route;
pub mod sqs;
pub mod sweep;
pub mod wiring;

use aws_lambda_events::sqs::SqsEvent;
use idc_core::sweep::ScheduledEvent;
use idc_core::CloudTrailEnvelope;
use lambda_runtime::{service_fn, LambdaEvent};

pub use env::LambdaSettings;
pub use metrics::InvocationMetrics;
pub use route::Route;
pub use wiring::{build, AwsGuardrail, AwsOutlets};

/// Counts a failed invocation, then prints the invocation's metrics (failed or not).
fn emit<T, E>(result: &Result<T, E>, mut metrics: InvocationMetrics, name: &str) {
    if result.is_err() {
        metrics.failures += 1;
    }
    metrics.emit(name);
}

/// The life of an event-driven function (`on-create-instance`, `on-org-event`).
pub async fn run_events(route: Route) -> Result<(), lambda_runtime::Error> {
    let (guardrail, name) = wiring::cold_start(&format!("{route:?}")).await?;
    let (guardrail, name) = (&guardrail, name.as_str());
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<CloudTrailEnvelope>| async move {
            let budget = wiring::budget(&event.context);
            let mut metrics = InvocationMetrics::default();
            let result =
                route::handle(guardrail, route, &event.payload, budget, &mut metrics).await;
            emit(&result, metrics, name);
            result.map_err(route::diagnostic)
        },
    ))
    .await
}

/// The life of the scheduled sweep function.
pub async fn run_sweep() -> Result<(), lambda_runtime::Error> {
    let (guardrail, name) = wiring::cold_start("Sweep").await?;
    let (guardrail, name) = (&guardrail, name.as_str());
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<ScheduledEvent>| async move {
            let budget = wiring::budget(&event.context);
            let mut metrics = InvocationMetrics::default();
            let result = sweep::scheduled(guardrail, event.payload, budget, &mut metrics).await;
            emit(&result, metrics, name);
            result.map_err(route::diagnostic)
        },
    ))
    .await
}

/// The life of the outlets function: batches of the outlets queue (the findings topic's raw
/// messages), partial batch failures back to SQS.
pub async fn run_outlets() -> Result<(), lambda_runtime::Error> {
    let (outlets, name) = wiring::cold_start_outlets().await?;
    let (outlets, name) = (&outlets, name.as_str());
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let mut metrics = InvocationMetrics::default();
        let result = outlets::deliver(outlets, event.payload, &mut metrics).await;
        emit(&result, metrics, name);
        result.map_err(route::diagnostic)
    }))
    .await
}

/// The life of the sweep worker function.
pub async fn run_sweep_worker() -> Result<(), lambda_runtime::Error> {
    let (guardrail, name) = wiring::cold_start("SweepWorker").await?;
    let (guardrail, name) = (&guardrail, name.as_str());
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| async move {
        let budget = wiring::budget(&event.context);
        let mut metrics = InvocationMetrics::default();
        let result = sweep::worker(guardrail, event.payload, budget, &mut metrics).await;
        emit(&result, metrics, name);
        result.map_err(route::diagnostic)
    }))
    .await
}
