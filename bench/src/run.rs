//! The whole benchmark: part 1 at scale, part 2 on the emulator, part 3 cold, part 4 the rules
//! engine, part 5 the burst, and the bootstraps' sizes; then the report.

use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use chrono::Utc;

use crate::emulator_run::side_by_side;
use crate::report::{report, write_report, Parts};
use crate::scale::sweep_at_scale;

/// Which parts run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Only {
    All,
    /// Parts 3 and 4 (a quicker look at the cold start).
    Cold,
    /// Part 5.
    Burst,
}

/// How many runs of each kind, and which parts.
pub struct Counts {
    pub runs: usize,
    pub cold_runs: usize,
    pub latency_runs: usize,
    pub parts: Only,
    pub burst_accounts: usize,
    pub burst_sandboxes: Vec<usize>,
}

/// Runs the parts asked for, prints the report, and writes it to `report_path` when given.
pub async fn whole_bench(report_path: Option<&Path>, counts: Counts) -> Result<()> {
    let started = Utc::now();
    let clock = Instant::now();
    let sizes = crate::sizes::measure()?;
    // The rules engine first, while nothing else of the bench runs beside it.
    let rules = if counts.parts == Only::Burst {
        None
    } else {
        eprintln!("idc-bench: the rules engine alone (parse + evaluate, one thread)");
        Some(crate::rules_bench::measure()?)
    };
    let sweep = if counts.parts == Only::All {
        Some((sweep_at_scale().await?, side_by_side(counts.runs).await?))
    } else {
        None
    };
    let cold = if counts.parts == Only::Burst {
        None
    } else {
        Some(crate::cold::measure(counts.cold_runs, counts.latency_runs).await?)
    };
    let burst = if counts.parts == Only::Cold {
        None
    } else {
        Some(crate::burst::measure(counts.burst_accounts, &counts.burst_sandboxes).await?)
    };
    let parts = Parts {
        sweep: sweep.as_ref().map(|(s, e)| (s, e)),
        cold: cold.as_ref(),
        rules: rules.as_ref(),
        burst: burst.as_ref(),
        sizes: &sizes,
    };
    let text = report(started, clock.elapsed(), &parts)?;
    if let Some(path) = report_path {
        write_report(path, &text)?;
    }
    println!("{text}");
    if let Some(path) = report_path {
        eprintln!("idc-bench: report written to {}", path.display());
    }
    Ok(())
}
