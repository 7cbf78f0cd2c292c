//! Section 1, continued: peak memory by organization size.

use std::fmt::Write as _;

use anyhow::{anyhow, Result};
use idc_core::settings::DEFAULT_SWEEP_CONCURRENCY;

use super::format::thousands;
use crate::memory::mib;
use crate::scale::{ScaleRuns, LATENCY};

pub fn write(r: &mut String, runs: &ScaleRuns) -> Result<()> {
    let ms = LATENCY.as_millis();
    let default_run = runs.default_run()?;
    let memory = &runs.by_size;
    let first = memory.first().ok_or_else(|| anyhow!("no memory runs"))?;
    let last = memory.last().ok_or_else(|| anyhow!("no memory runs"))?;
    let hwm_lo = memory.iter().map(|s| s.hwm_kb).min().unwrap_or(0);
    let hwm_hi = memory.iter().map(|s| s.hwm_kb).max().unwrap_or(0);
    let growth_per_1000 = (last.hwm_kb as f64 - first.hwm_kb as f64)
        / ((last.accounts.saturating_sub(first.accounts)).max(1) as f64 / 1000.0);

    writeln!(r, "### Memory is flat in the account count\n")?;
    writeln!(
        r,
        "Peak resident set size (`VmHWM` from /proc/self/status) of a fresh process running one sweep at the default concurrency ({DEFAULT_SWEEP_CONCURRENCY}) over the {} Regions, {ms} ms per call. *Before* is the high-water mark just before `sweep()` (runtime started, settings read, synthetic organization built); *peak* is after it.\n",
        default_run.regions
    )?;
    writeln!(
        r,
        "| accounts | account/Regions listed | port calls | findings | wall time | peak RSS before | peak RSS |"
    )?;
    writeln!(r, "|---:|---:|---:|---:|---:|---:|---:|")?;
    for s in memory {
        writeln!(
            r,
            "| {} | {} | {} | {} | {:.2} s | {:.1} MiB | **{:.1} MiB** |",
            thousands(s.accounts),
            thousands(s.accounts * s.regions),
            thousands(s.total_calls),
            s.findings,
            s.seconds,
            mib(s.hwm_before_kb),
            mib(s.hwm_kb)
        )?;
    }
    writeln!(r)?;
    writeln!(
        r,
        "From {} to {} accounts ({}× the calls) the peak went from {:.1} to {:.1} MiB (all sizes within {:.1}–{:.1} MiB; {:+.0} KiB per 1,000 accounts, the account IDs and the account instances found). The sweep keeps at most `SWEEP_CONCURRENCY` listings in flight (`buffer_unordered`) and keeps only the account instances it finds, not the listings.\n",
        thousands(first.accounts),
        thousands(last.accounts),
        last.accounts / first.accounts.max(1),
        mib(first.hwm_kb),
        mib(last.hwm_kb),
        mib(hwm_lo),
        mib(hwm_hi),
        growth_per_1000
    )?;
    Ok(())
}
