//! The two sides of the cold-start comparison, as processes a Lambda sandbox would start: the
//! release `on-create-instance` bootstrap, and `bench/cold_handler.py` under the Python runtime
//! loop `bench/py_runtime.py`. Both get the same environment and nothing else.

use std::path::PathBuf;

use anyhow::Result;
use tokio::process::Command;

use crate::release::release_binary;

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
