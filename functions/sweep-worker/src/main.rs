//! Lambda for one account of a fanned-out sweep (SQS).

// The SDK's request futures nested inside the guardrail's and the Lambda runtime's go deeper
// than the compiler's default layout query limit.
#![recursion_limit = "256"]

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    idc_aws::lambda::run_sweep_worker().await
}
