//! `make bench`: how the organization-wide sweep scales, and how it compares with the loop
//! people write today. Writes a markdown report (and prints it).
//!
//! 1. Scale, through the ports ([`scale`]): a synthetic organization (1,000 member accounts ×
//!    the 17 default Regions, 2 % of the accounts with an account instance) behind in-memory
//!    ports that sleep 20 ms on every call ([`metered`]). `Guardrail::sweep` runs at several
//!    concurrencies; peak RSS ([`memory`]) is measured at several organization sizes. Each
//!    measurement runs in a fresh child process of this binary (`--child-scale N
//!    --concurrency C`), so every high-water mark belongs to one sweep.
//! 2. Side by side, on the local AWS emulator ([`emulator_run`]): 50 member accounts × 3
//!    Regions with planted account instances; the guardrail's sweep through the real SDK
//!    adapters against `bench/baseline_loop.py` ([`baseline`]), a sequential boto3 loop making
//!    the same calls. Both must find the same account instances, or the bench fails.
//! 3. One event, cold ([`cold`]): the release `on-create-instance` bootstrap and a Python/boto3
//!    handler doing the same job, each started under the bench's own Lambda Runtime API, on the
//!    emulator, report only and with a deletion, plain and with 20 ms on every AWS call; the
//!    emulator's per-call floor; the size of every bootstrap.
//! 4. The rules engine alone ([`rules_bench`]): parse + evaluate over the `events/` samples.
//! 5. The burst ([`burst`]): one `CreateInstance` event from each of 1,000 member accounts at
//!    once, through N sandboxes of the release bootstrap with deletion on, the outlets function
//!    taking the findings into Security Hub and chat, Security Hub and sso-admin throttled at
//!    AWS's published rates; every answer checked.
//!
//! And the size of every release bootstrap ([`sizes`]).

mod baseline;
mod burst;
mod cold;
mod emulator_run;
mod memory;
mod metered;
mod planted;
mod release;
mod report;
mod rules_bench;
mod run;
mod runtime_api;
mod scale;
mod sizes;
mod stats;
mod timed;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use idc_core::settings::DEFAULT_SWEEP_CONCURRENCY;

/// Benchmarks the organization-wide sweep: 1,000 accounts x 17 Regions through
/// latency-injecting ports (wall time, calls, peak memory), then the guardrail against a
/// sequential boto3 loop on the local AWS emulator; then one event, cold, against a boto3
/// handler; the rules engine alone; and a burst of CreateInstance events with deletion on,
/// Security Hub and sso-admin throttled. Prints a markdown report, and writes it to PATH with
/// --report. Needs the release bootstraps (`make bench` builds them).
#[derive(Parser)]
#[command(name = "idc-bench")]
struct Args {
    /// Also write the report here.
    #[arg(long, value_name = "PATH")]
    report: Option<PathBuf>,
    /// Timed runs of each side on the emulator.
    #[arg(long, value_name = "N", default_value_t = emulator_run::DEFAULT_RUNS, value_parser = positive)]
    runs: usize,
    /// Timed cold starts of each side and mode (report only, with a deletion).
    #[arg(long, value_name = "N", default_value_t = cold::scenario::DEFAULT_COLD_RUNS, value_parser = positive)]
    cold_runs: usize,
    /// Timed cold starts of each side and mode with latency injected on every AWS call.
    #[arg(long, value_name = "N", default_value_t = cold::scenario::DEFAULT_LATENCY_RUNS, value_parser = positive)]
    latency_runs: usize,
    /// Only the cold start and the rules engine (parts 3 and 4) and the sizes.
    #[arg(long, conflicts_with = "burst_only")]
    cold_only: bool,
    /// Only the burst (part 5) and the sizes.
    #[arg(long)]
    burst_only: bool,
    /// Member accounts of the burst, one CreateInstance event each.
    #[arg(long, value_name = "N", default_value_t = burst::DEFAULT_ACCOUNTS, value_parser = positive)]
    burst_accounts: usize,
    /// Sandboxes of the event function handling the burst at once: one burst for each.
    #[arg(long, value_name = "N,N", value_delimiter = ',', default_values_t = burst::DEFAULT_SANDBOXES, value_parser = positive)]
    burst_sandboxes: Vec<usize>,
    /// Internal: one scale measurement of N accounts, in this (fresh) process.
    #[arg(long, value_name = "N", hide = true, value_parser = positive)]
    child_scale: Option<usize>,
    /// Internal: the concurrency of that measurement.
    #[arg(long, value_name = "C", hide = true, default_value_t = DEFAULT_SWEEP_CONCURRENCY, value_parser = positive)]
    concurrency: usize,
}

fn positive(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("`{text}` is not a positive whole number")),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.child_scale {
        Some(accounts) => scale::one_sweep(accounts, args.concurrency).await,
        None => {
            let parts = match (args.cold_only, args.burst_only) {
                (true, _) => run::Only::Cold,
                (_, true) => run::Only::Burst,
                _ => run::Only::All,
            };
            let counts = run::Counts {
                runs: args.runs,
                cold_runs: args.cold_runs,
                latency_runs: args.latency_runs,
                parts,
                burst_accounts: args.burst_accounts,
                burst_sandboxes: args.burst_sandboxes,
            };
            run::whole_bench(args.report.as_deref(), counts).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("idc-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}
