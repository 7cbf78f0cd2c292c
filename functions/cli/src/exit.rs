//! Exit codes that mean something, and the one-line error the user reads.

use std::fmt::Display;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// 0: done (findings or not). 1: a failure that is not the input's fault. 2: bad input or usage.
#[derive(Debug)]
pub enum Failure {
    BadInput(String),
    Failed(String),
}

impl Failure {
    pub fn bad_input(path: &Path, problem: impl Display) -> Self {
        Failure::BadInput(format!("{}: {problem}", path.display()))
    }

    pub fn report(&self) -> ExitCode {
        match self {
            Failure::BadInput(message) => {
                eprintln!("idc-guard: error: {message}");
                ExitCode::from(2)
            }
            Failure::Failed(message) => {
                eprintln!("idc-guard: error: {message}");
                ExitCode::from(1)
            }
        }
    }
}

/// Writes lines to stdout; a closed pipe (e.g. `| head`) is not an error.
pub fn print_lines(lines: &[String]) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for line in lines {
        if let Err(e) = writeln!(out, "{line}") {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                return Ok(());
            }
            return Err(Failure::Failed(format!("cannot write to stdout: {e}")));
        }
    }
    Ok(())
}
