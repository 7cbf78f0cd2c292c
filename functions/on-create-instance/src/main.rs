//! Lambda for sso:CreateInstance in any member account and Region.

// The SDK's request futures nested inside the guardrail's and the Lambda runtime's go deeper
// than the compiler's default layout query limit.
#![recursion_limit = "256"]

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    idc_aws::lambda::run_events(idc_aws::lambda::Route::CreateInstance).await
}
