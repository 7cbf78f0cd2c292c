//! Lambda's asynchronous invocation of the event function, as a burst meets it: every event
//! queued at once, `sandboxes` of them handled at a time (each sandbox one event after another,
//! started cold on its first), a failed invocation delivered again after a delay, at most
//! [`MAX_RETRIES`] times, then kept by the dead-letter queue.
//!
//! Lambda retries about 1 and 2 minutes after a failure; here the delays are
//! [`RETRY_DELAYS`], so that a retry shows in a burst measured in seconds.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::Value;
use tokio::sync::{Mutex, Notify};

use super::sandbox::{Answer, Launch, Sandbox};

/// Lambda's default for asynchronous invocations (`MaximumRetryAttempts: 2` in the templates).
pub const MAX_RETRIES: u32 = 2;
/// The delay before each retry (Lambda: about 1 minute, then 2).
pub const RETRY_DELAYS: [Duration; MAX_RETRIES as usize] =
    [Duration::from_secs(1), Duration::from_secs(2)];
/// How long an idle sandbox waits before it looks at the queue again, when nothing woke it.
const IDLE: Duration = Duration::from_millis(50);

/// What became of one event.
#[derive(Debug, Clone, Default)]
pub struct EventOutcome {
    /// Invocations of it (1 + its retries).
    pub attempts: u32,
    /// Since the start of the burst, when its successful invocation answered.
    pub answered: Option<Duration>,
    /// The answer's `remediation_status` of its finding.
    pub status: Option<String>,
    /// Every delivery failed: the dead-letter queue keeps it.
    pub dead_lettered: bool,
    /// Why its last failed invocation failed.
    pub last_error: Option<String>,
}

/// Every event's outcome, and the invocations it took.
#[derive(Debug, Default)]
pub struct EventTally {
    pub outcomes: Vec<EventOutcome>,
    pub invocations: u64,
    pub failed_invocations: u64,
    /// Sandboxes started (cold starts), broken ones replaced included.
    pub sandbox_starts: u64,
    /// Each invocation, handed over → answered.
    pub durations: Vec<Duration>,
}

impl EventTally {
    /// Deliveries after the first.
    pub fn retries(&self) -> u64 {
        self.outcomes
            .iter()
            .map(|o| u64::from(o.attempts.saturating_sub(1)))
            .sum()
    }

    pub fn dead_letters(&self) -> usize {
        self.outcomes.iter().filter(|o| o.dead_lettered).count()
    }
}

struct Pending {
    index: usize,
    attempt: u32,
    ready_at: Instant,
}

struct Queue {
    pending: VecDeque<Pending>,
    unsettled: usize,
    tally: EventTally,
}

/// What a sandbox does next.
enum Next {
    Run(Pending),
    /// Nothing ready: wait (for a retry's delay, or for the others to finish).
    Wait(Instant),
    Done,
}

impl Queue {
    fn next(&mut self, now: Instant) -> Next {
        if self.unsettled == 0 {
            return Next::Done;
        }
        match self.pending.iter().position(|p| p.ready_at <= now) {
            Some(i) => self
                .pending
                .remove(i)
                .map_or(Next::Wait(now + IDLE), Next::Run),
            None => Next::Wait(
                self.pending
                    .iter()
                    .map(|p| p.ready_at)
                    .min()
                    .map_or(now + IDLE, |t| t.min(now + IDLE)),
            ),
        }
    }
}

/// Delivers every event through `sandboxes` sandboxes of `launch`; `t0` is the burst's start.
pub async fn deliver(
    events: Arc<Vec<Value>>,
    sandboxes: usize,
    launch: Launch,
    t0: Instant,
) -> Result<EventTally> {
    let queue = Queue {
        pending: (0..events.len())
            .map(|index| Pending {
                index,
                attempt: 1,
                ready_at: t0,
            })
            .collect(),
        unsettled: events.len(),
        tally: EventTally {
            outcomes: vec![EventOutcome::default(); events.len()],
            ..EventTally::default()
        },
    };
    let shared = Arc::new((Mutex::new(queue), Notify::new()));
    let workers: Vec<_> = (0..sandboxes)
        .map(|n| tokio::spawn(work(n, shared.clone(), events.clone(), launch.clone(), t0)))
        .collect();
    for worker in workers {
        worker.await??;
    }
    let tally = std::mem::take(&mut shared.0.lock().await.tally);
    Ok(tally)
}

/// One sandbox slot: takes the next ready event, invokes, settles or schedules a retry.
async fn work(
    n: usize,
    shared: Arc<(Mutex<Queue>, Notify)>,
    events: Arc<Vec<Value>>,
    launch: Launch,
    t0: Instant,
) -> Result<()> {
    let (queue, wake) = &*shared;
    let mut sandbox: Option<Sandbox> = None;
    loop {
        let next = queue.lock().await.next(Instant::now());
        let pending = match next {
            Next::Done => return Ok(()),
            Next::Wait(until) => {
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep_until(until.into()) => {}
                }
                continue;
            }
            Next::Run(pending) => pending,
        };
        let running = match sandbox.as_mut() {
            Some(running) => running,
            None => {
                queue.lock().await.tally.sandbox_starts += 1;
                sandbox.insert(launch.start(n).await?)
            }
        };
        let handed = Instant::now();
        let result = running.invoke(&events[pending.index]).await;
        let answered = Instant::now();
        let ended = match result {
            Ok(answer) => answer,
            Err(broken) => {
                // Lambda replaces a sandbox whose process died or timed out.
                sandbox = None;
                Answer::Failed(format!("{broken:#}"))
            }
        };
        let mut q = queue.lock().await;
        q.tally.invocations += 1;
        q.tally.durations.push(answered - handed);
        let outcome = &mut q.tally.outcomes[pending.index];
        outcome.attempts = pending.attempt;
        match ended {
            Answer::Ok(answer) => {
                outcome.answered = Some(answered - t0);
                outcome.status = answer["findings"][0]["remediation_status"]
                    .as_str()
                    .map(str::to_owned);
                q.unsettled -= 1;
            }
            Answer::Failed(error) => {
                outcome.last_error = Some(error);
                q.tally.failed_invocations += 1;
                match RETRY_DELAYS.get(pending.attempt as usize - 1) {
                    Some(delay) => q.pending.push_back(Pending {
                        index: pending.index,
                        attempt: pending.attempt + 1,
                        ready_at: answered + *delay,
                    }),
                    None => {
                        q.tally.outcomes[pending.index].dead_lettered = true;
                        q.unsettled -= 1;
                    }
                }
            }
        }
        drop(q);
        wake.notify_waiters();
    }
}
