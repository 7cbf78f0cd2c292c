//! Lambda for Organizations events: Identity Center delegated administrator registered, account joined.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    idc_lambda::run_events(idc_lambda::Route::OrgEvents).await
}
