//! The Lambda wiring of idc-guardrail: settings from the environment, the cold start, routing,
//! diagnostics and SQS batches. Each function's `main` calls one `run_*`, so it links only the
//! code it runs.

pub mod env;
pub mod logging;
pub mod route;
pub mod sweep;
pub mod wiring;

use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::Value;

pub use env::LambdaSettings;
pub use route::Route;
pub use wiring::{build, AwsGuardrail, QueuelessGuardrail};

/// The life of an event-driven function (`on-create-instance`, `on-org-event`).
pub async fn run_events(route: Route) -> Result<(), lambda_runtime::Error> {
    let guardrail = wiring::cold_start_without_queue(&format!("{route:?}")).await?;
    let guardrail = &guardrail;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let budget = wiring::budget(&event.context);
        route::handle(guardrail, route, event.payload, budget)
            .await
            .map_err(route::diagnostic)
    }))
    .await
}

/// The life of the scheduled sweep function.
pub async fn run_sweep() -> Result<(), lambda_runtime::Error> {
    let guardrail = wiring::cold_start("Sweep").await?;
    let guardrail = &guardrail;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        sweep::scheduled(guardrail, event.payload, wiring::budget(&event.context))
            .await
            .map_err(route::diagnostic)
    }))
    .await
}

/// The life of the sweep worker function.
pub async fn run_sweep_worker() -> Result<(), lambda_runtime::Error> {
    let guardrail = wiring::cold_start_without_queue("SweepWorker").await?;
    let guardrail = &guardrail;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        sweep::worker(guardrail, event.payload, wiring::budget(&event.context))
            .await
            .map_err(route::diagnostic)
    }))
    .await
}
