//! A Lambda sandbox that serves many events: one process of a release bootstrap under the
//! bench's Runtime API, handed one event at a time, as Lambda reuses a warm sandbox. Its first
//! event waits for the cold start. A sandbox whose process dies or outlives the invocation's
//! deadline is broken: the caller counts a failed invocation and starts another, as Lambda
//! replaces it.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

use crate::runtime_api::{request_id, Call, Invocation, RuntimeApi, DEADLINE};

/// Room for a cold start (the process start, its configuration, its first `/next`).
const INIT_WITHIN: Duration = Duration::from_secs(30);
/// Past the deadline, Lambda stops the invocation: a little room for the answer in flight.
const GRACE: Duration = Duration::from_secs(5);

/// How an invocation ended.
pub enum Answer {
    /// The function's answer.
    Ok(Value),
    /// The function reported an error (its error document): Lambda retries such an event.
    Failed(String),
}

/// How a sandbox is started: the bootstrap, its whole environment and where it logs.
#[derive(Clone)]
pub struct Launch {
    pub binary: PathBuf,
    pub env: Vec<(String, String)>,
    pub log_dir: PathBuf,
    pub name: &'static str,
}

impl Launch {
    /// Starts sandbox number `n` (its cold start begins now; the first invocation waits for it).
    pub async fn start(&self, n: usize) -> Result<Sandbox> {
        let log = self.log_dir.join(format!("{}-{n}.log", self.name));
        Sandbox::start(&self.binary, &self.env, &log).await
    }
}

pub struct Sandbox {
    api: RuntimeApi,
    child: Child,
    /// The function's `GET /next`, held until its next event.
    waiting: Option<oneshot::Sender<Invocation>>,
}

impl Sandbox {
    async fn start(binary: &Path, env: &[(String, String)], log: &Path) -> Result<Sandbox> {
        let api = RuntimeApi::start().await?;
        // Appended to: a sandbox started again in the same slot keeps the earlier logs.
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("cannot open {}", log.display()))?;
        let child = Command::new(binary)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("AWS_LAMBDA_RUNTIME_API", api.address.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        Ok(Sandbox {
            api,
            child,
            waiting: None,
        })
    }

    /// One event: the function's answer, or its error; `Err` when the sandbox broke.
    pub async fn invoke(&mut self, event: &Value) -> Result<Answer> {
        let answer_to = match self.waiting.take() {
            Some(held) => held,
            None => self.next_request().await?,
        };
        let invocation = Invocation {
            request_id: request_id(),
            body: serde_json::to_vec(event)?,
        };
        answer_to
            .send(invocation)
            .map_err(|_| anyhow!("the function hung up before its event"))?;
        let call = tokio::select! {
            call = self.api.next_call("answer", DEADLINE + GRACE) => call?,
            status = self.child.wait() => bail!("the function's process exited: {status:?}"),
        };
        match call {
            Call::Response(_, body) => Ok(Answer::Ok(
                serde_json::from_slice(&body).context("the answer is not JSON")?,
            )),
            Call::Error(body) => Ok(Answer::Failed(String::from_utf8_lossy(&body).into_owned())),
            Call::Next(..) => bail!("the function asked for another event without answering"),
        }
    }

    /// The function's next `GET /next` (after its cold start, or after its last answer).
    async fn next_request(&mut self) -> Result<oneshot::Sender<Invocation>> {
        let call = tokio::select! {
            call = self.api.next_call("/next", INIT_WITHIN + DEADLINE) => call?,
            status = self.child.wait() => bail!("the function's process exited: {status:?}"),
        };
        match call {
            Call::Next(_, answer_to) => Ok(answer_to),
            Call::Error(body) => bail!("init failed: {}", String::from_utf8_lossy(&body)),
            Call::Response(..) => bail!("an answer without an event"),
        }
    }
}
