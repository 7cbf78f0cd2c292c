//! Lambda for one account of a fanned-out sweep (SQS).

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    idc_lambda::run_sweep_worker().await
}
