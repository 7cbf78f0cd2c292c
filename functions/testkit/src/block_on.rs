use std::future::Future;
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};

/// The fakes never wait, so polling with a no-op waker completes them.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// Gives way once: pending on the first poll, ready on the next. A fake whose calls give way
/// lets [`interleave`] run two deliveries at once, one AWS call at a time.
pub async fn give_way() {
    struct GiveWay(bool);
    impl Future for GiveWay {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                Poll::Ready(())
            } else {
                self.0 = true;
                // Combinators that poll only what was woken (join_all) must come back to it.
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }
    GiveWay(false).await
}

/// Two sandboxes at once: at each step the next entry of `schedule` (cycled; `true` = the
/// first) says which of the two moves on to its next call; one that has finished is skipped.
pub fn interleave<A: Future, B: Future>(a: A, b: B, schedule: &[bool]) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut out_a, mut out_b) = (None, None);
    let mut cx = Context::from_waker(Waker::noop());
    let mut turns = schedule.iter().copied().cycle();
    loop {
        match (out_a.take(), out_b.take()) {
            (Some(x), Some(y)) => return (x, y),
            (x, y) => (out_a, out_b) = (x, y),
        }
        let first = match (&out_a, &out_b) {
            (None, None) => turns.next().unwrap_or(true),
            (None, Some(_)) => true,
            _ => false,
        };
        if first {
            if let Poll::Ready(x) = a.as_mut().poll(&mut cx) {
                out_a = Some(x);
            }
        } else if let Poll::Ready(y) = b.as_mut().poll(&mut cx) {
            out_b = Some(y);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    async fn steps(name: char, log: &Mutex<Vec<char>>) -> char {
        for _ in 0..2 {
            if let Ok(mut l) = log.lock() {
                l.push(name);
            }
            give_way().await;
        }
        name
    }

    #[test]
    fn two_futures_take_turns_as_the_schedule_says() {
        let log = Mutex::new(vec![]);
        let out = interleave(steps('a', &log), steps('b', &log), &[true, false]);
        assert_eq!(out, ('a', 'b'));
        let order: String = log.lock().map(|l| l.iter().collect()).unwrap_or_default();
        assert_eq!(order, "abab");

        let log = Mutex::new(vec![]);
        interleave(steps('a', &log), steps('b', &log), &[false]);
        let order: String = log.lock().map(|l| l.iter().collect()).unwrap_or_default();
        assert_eq!(order, "bbaa", "a waits until b has finished");
    }
}
