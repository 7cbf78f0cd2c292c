//! The local AWS: `tests/emulator/launch.py` (moto server + extension) on 127.0.0.1, one per
//! test, stopped when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde_json::Value;

pub struct Emulator {
    child: Child,
    pub url: String,
}

impl Emulator {
    /// Starts the emulator on a free port and waits until it answers.
    pub fn start() -> Result<Self> {
        let python = crate::venv_bin().join("python");
        if !python.exists() {
            bail!("{} not found: run `make venv` first", python.display());
        }
        let launcher = crate::repo_root().join("tests/emulator/launch.py");
        let mut child = Command::new(&python)
            .arg(&launcher)
            .env_remove("MOTO_ACCOUNT_ID")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .with_context(|| format!("cannot start {}", launcher.display()))?;
        let stdout = child.stdout.take().context("no stdout from the emulator")?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(Duration::from_secs(90)) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                bail!("the emulator did not report its URL within 90 s");
            }
        };
        let Some(url) = line.trim().strip_prefix("IDC_EMULATOR_URL=") else {
            let _ = child.kill();
            bail!("the emulator printed `{}` instead of its URL", line.trim());
        };
        Ok(Emulator {
            url: url.to_owned(),
            child,
        })
    }

    /// Calls one of the emulator's test-only endpoints (`/idc-guardrail/...`).
    pub fn post(&self, path: &str, body: &Value) -> Result<Value> {
        let authority = self.url.trim_start_matches("http://");
        let body = body.to_string();
        let mut stream =
            TcpStream::connect(authority).with_context(|| format!("cannot reach {}", self.url))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        let (head, payload) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
            bail!("{path}: {}", head.lines().next().unwrap_or_default());
        }
        serde_json::from_str(payload).with_context(|| format!("{path}: not JSON: {payload}"))
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
