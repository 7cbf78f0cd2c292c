use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// The fakes never wait, so polling once with a no-op waker completes them.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}
