//! Lambda for the scheduled organization-wide sweep.

// The sweep's future (streams of SDK calls inside the Lambda runtime loop) nests deeper than
// the compiler's default layout query limit.
#![recursion_limit = "256"]

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    idc_aws::lambda::run_sweep().await
}
