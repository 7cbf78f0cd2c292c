//! Lambda for sso:CreateInstance in any member account and Region.

// One thread: an invocation is one task (its concurrent AWS calls are polled together), so
// worker threads would only add to the cold start (measured by `make bench`).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    idc_lambda::run_events(idc_lambda::Route::CreateInstance).await
}
