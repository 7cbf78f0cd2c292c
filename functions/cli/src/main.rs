//! `idc-guard`: the command line of idc-guardrail.

mod cli;
mod evaluate;
mod exit;
mod live;
mod plan;
mod preflight;
mod samples;
mod scan;
mod table;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match &cli.command {
        cli::Command::Evaluate(args) => evaluate::run(args).map(|()| 0),
        cli::Command::Samples(args) => samples::run(args).map(|()| 0),
        cli::Command::Scan(args) => live(scan::run(args)),
        cli::Command::Preflight(args) => live(preflight::run(args)),
        cli::Command::Plan(args) => live(plan::run(args)),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => failure.report(),
    }
}

/// Runs a command that talks to AWS on a Tokio runtime made for it.
fn live(
    command: impl std::future::Future<Output = Result<u8, exit::Failure>>,
) -> Result<u8, exit::Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| exit::Failure::Failed(format!("cannot start the async runtime: {e}")))?
        .block_on(command)
}
