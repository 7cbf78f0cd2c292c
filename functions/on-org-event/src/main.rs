//! Lambda for Organizations events: Identity Center delegated administrator registered, account joined.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    idc_aws::lambda::run(idc_aws::lambda::Route::OrgEvents).await
}
