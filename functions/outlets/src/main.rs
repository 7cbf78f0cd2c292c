//! Lambda for the outlets: the findings topic's messages, from its queue, into Security Hub
//! and the chat topic — off the delete path.

// One thread: an invocation is one batch, its calls polled together (as the other functions).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    idc_lambda::run_outlets().await
}
