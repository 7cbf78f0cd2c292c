//! The two sides of the cold-start comparison, as processes a Lambda sandbox would start: the
//! release `on-create-instance` bootstrap, and `bench/cold_handler.py` under the Python runtime
//! loop `bench/py_runtime.py`. Both get the same environment and nothing else.

use std::path::PathBuf;

use anyhow::{bail, Result};
use tokio::process::Command;

/// The function measured.
pub const FUNCTION: &str = "on-create-instance";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// The release bootstrap.
    Rust,
    /// boto3 under the Python runtime loop.
    Python,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::Rust, Side::Python];

    pub fn label(self) -> &'static str {
        match self {
            Side::Rust => "guardrail (Rust, release bootstrap)",
            Side::Python => "Python 3 + boto3",
        }
    }

    /// The process of one cold start, with `env` as its whole environment.
    pub fn command(self, env: &[(String, String)]) -> Result<Command> {
        let mut command = match self {
            Side::Rust => Command::new(release_binary(FUNCTION)?),
            Side::Python => {
                let mut c = Command::new(idc_e2e::venv_bin().join("python"));
                c.arg(bench_file("py_runtime.py"))
                    .arg("cold_handler.handler");
                c
            }
        };
        command.env_clear().envs(env.iter().map(|(k, v)| (k, v)));
        Ok(command)
    }
}

/// A file of this crate (the Python side's sources).
pub fn bench_file(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(name)
}

/// The directory of the release bootstraps (`cargo build --release`).
pub fn release_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| idc_e2e::repo_root().join("target"))
        .join("release")
}

/// A release bootstrap, which `make bench` builds before it runs the bench.
pub fn release_binary(name: &str) -> Result<PathBuf> {
    let path = release_dir().join(name);
    if !path.exists() {
        bail!(
            "{} not found: build the release bootstraps first (`make bench` does)",
            path.display()
        );
    }
    Ok(path)
}
