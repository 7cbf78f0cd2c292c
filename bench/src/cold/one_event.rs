//! One cold event under the bench's Runtime API ([`crate::runtime_api`]): it starts the
//! function's process, answers its first `GET /next` with the event, takes its answer, and, once
//! the process asks for the next event (it is then idle, as a Lambda sandbox between events),
//! reads its peak resident set size and stops it. The times are taken on this side of the
//! socket: spawn → `/next` is the init, `/next` answered → answer posted is the event's duration.

use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use tokio::process::Command;

use crate::memory::proc_status_kb_of;
use crate::runtime_api::{request_id, Call, Invocation, RuntimeApi};

/// Room for a whole cold start, and for the event.
const WITHIN: Duration = Duration::from_secs(120);

/// One cold event as the Runtime API saw it.
#[derive(Debug, Clone)]
pub struct ColdRun {
    /// Spawn → first `GET /next`.
    pub init: Duration,
    /// `/next` answered → answer posted.
    pub duration: Duration,
    /// Spawn → answer posted.
    pub total: Duration,
    /// `VmHWM` of the process, idle after the event.
    pub peak_rss_kb: u64,
    /// The function's answer.
    pub answer: Value,
}

/// Runs `command` (its environment already set, `AWS_LAMBDA_RUNTIME_API` added here) for one
/// `event`. `log` receives its stdout and stderr.
pub async fn one_event(mut command: Command, event: &Value, log: std::fs::File) -> Result<ColdRun> {
    let mut api = RuntimeApi::start().await?;
    command
        .env("AWS_LAMBDA_RUNTIME_API", api.address.to_string())
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true);
    let spawned = Instant::now();
    let mut child = command.spawn().context("cannot start the function")?;
    let pid = child
        .id()
        .ok_or_else(|| anyhow!("the function exited at once"))?;
    let result = async {
        let (asked, answer_to) = match api.next_call("first /next", WITHIN).await? {
            Call::Next(at, answer_to) => (at, answer_to),
            Call::Error(body) => bail!("init failed: {}", String::from_utf8_lossy(&body)),
            Call::Response(..) => bail!("an answer before any event"),
        };
        let served = Instant::now();
        let invocation = Invocation {
            request_id: request_id(),
            body: serde_json::to_vec(event)?,
        };
        answer_to
            .send(invocation)
            .map_err(|_| anyhow!("the function hung up before its event"))?;
        let (answered, body) = match api.next_call("answer", WITHIN).await? {
            Call::Response(at, body) => (at, body),
            Call::Error(body) => {
                bail!("the invocation failed: {}", String::from_utf8_lossy(&body))
            }
            Call::Next(..) => bail!("the function asked for another event without answering"),
        };
        // Idle again: whatever it will ever hold for this event, it has held.
        // Its request is held unanswered (kept here) while the memory is read: a dropped
        // request would close the connection, and the runtime client exits on that.
        let _held = match api.next_call("second /next", WITHIN).await? {
            Call::Next(_, held) => held,
            _ => bail!("unexpected call after the answer"),
        };
        let peak_rss_kb = proc_status_kb_of(pid, "VmHWM")?;
        Ok(ColdRun {
            init: asked - spawned,
            duration: answered.saturating_duration_since(served),
            total: answered - spawned,
            peak_rss_kb,
            answer: serde_json::from_slice(&body).context("the answer is not JSON")?,
        })
    }
    .await;
    let _ = child.start_kill();
    let _ = child.wait().await;
    result
}
