//! `idc-guard`: the command line of idc-guardrail.

mod cli;
mod evaluate;
mod exit;
mod samples;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match &cli.command {
        cli::Command::Evaluate(args) => evaluate::run(args),
        cli::Command::Samples(args) => samples::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => failure.report(),
    }
}
