//! The local AWS: `tests/emulator/launch.py` (moto server + extension) on 127.0.0.1, one per
//! test, stopped when dropped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
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
        let payload = self.request("POST", path, Some(&body.to_string()))?;
        serde_json::from_str(&payload).with_context(|| format!("{path}: not JSON: {payload}"))
    }

    /// Reads one of moto's own endpoints (e.g. `/moto-api/data.json`).
    pub fn get(&self, path: &str) -> Result<String> {
        self.request("GET", path, None)
    }

    /// How many times a role was assumed since the emulator started (moto records every
    /// credential STS hands out).
    pub fn assume_role_count(&self, role_name: &str) -> Result<usize> {
        let data: Value = serde_json::from_str(&self.get("/moto-api/data.json")?)
            .context("/moto-api/data.json is not JSON")?;
        let suffix = format!(":role/{role_name}");
        Ok(data["sts"]["AssumedRole"].as_array().map_or(0, |roles| {
            roles
                .iter()
                .filter(|r| {
                    r["role_arn"]
                        .as_str()
                        .is_some_and(|arn| arn.ends_with(&suffix))
                })
                .count()
        }))
    }

    /// One HTTP/1.1 request with `Connection: close`; the emulator answers with a plain body.
    fn request(&self, method: &str, path: &str, body: Option<&str>) -> Result<String> {
        let authority = self.url.trim_start_matches("http://");
        let mut stream =
            TcpStream::connect(authority).with_context(|| format!("cannot reach {}", self.url))?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        let body = body.unwrap_or_default();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response)?;
        let response = String::from_utf8_lossy(&response);
        let (head, payload) = response
            .split_once("\r\n\r\n")
            .ok_or_else(|| anyhow!("{method} {path}: no HTTP response"))?;
        if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
            bail!(
                "{method} {path}: {}",
                head.lines().next().unwrap_or_default()
            );
        }
        if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            bail!("{method} {path}: chunked responses are not read here");
        }
        Ok(payload.to_owned())
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
