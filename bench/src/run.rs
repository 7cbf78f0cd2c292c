//! The whole benchmark: part 1 at scale, part 2 on the emulator, then the report.

use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use chrono::Utc;

use crate::emulator_run::side_by_side;
use crate::report::{report, write_report};
use crate::scale::sweep_at_scale;

/// Runs both parts, prints the report, and writes it to `report_path` when given.
pub async fn whole_bench(report_path: Option<&Path>, runs: usize) -> Result<()> {
    let started = Utc::now();
    let clock = Instant::now();
    let scale = sweep_at_scale().await?;
    let emu = side_by_side(runs).await?;
    let text = report(started, clock.elapsed(), &scale, &emu)?;
    if let Some(path) = report_path {
        write_report(path, &text)?;
    }
    println!("{text}");
    if let Some(path) = report_path {
        eprintln!("idc-bench: report written to {}", path.display());
    }
    Ok(())
}
