//! Lambda for the outlets: the findings topic's messages, from its queue, into Security Hub
//! and the chat topic — off the delete path.

/// The SDK's reader of `GetFindings` answers (the whole ASFF shape) needs a deep stack in
/// debug builds; the runtime runs on a thread of its own with room to spare.
const STACK: usize = 64 * 1024 * 1024;

fn main() -> Result<(), lambda_runtime::Error> {
    let runtime = std::thread::Builder::new()
        .name("outlets".into())
        .stack_size(STACK)
        .spawn(|| {
            // One thread: an invocation is one batch, its calls polled together.
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(idc_lambda::run_outlets())
        })?;
    runtime
        .join()
        .map_err(|_| lambda_runtime::Error::from("the outlets runtime panicked"))?
}
