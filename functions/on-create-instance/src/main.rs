//! Lambda for sso:CreateInstance in any member account and Region.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    idc_lambda::run_events(idc_lambda::Route::CreateInstance).await
}
