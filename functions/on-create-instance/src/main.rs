//! Lambda for sso:CreateInstance in any member account and Region.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    idc_aws::lambda::run(idc_aws::lambda::Route::CreateInstance).await
}
