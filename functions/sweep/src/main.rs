//! Lambda for the scheduled organization-wide sweep.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    idc_lambda::run_sweep().await
}
