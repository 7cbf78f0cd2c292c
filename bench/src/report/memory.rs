//! Section 1, continued: peak memory by organization size.

use std::fmt::Write as _;

use anyhow::{anyhow, Result};
use idc_core::settings::DEFAULT_SWEEP_CONCURRENCY;

use super::format::thousands;
use crate::memory::mib;
use crate::scale::{ScaleRun, ScaleRuns, LATENCY};

/// Peak memory is called flat when the largest peak is within this fraction of the smallest.
const FLAT_WITHIN: f64 = 0.10;

/// What the memory runs come to, shared with the interpretation.
pub struct MemoryFigures<'a> {
    pub first: &'a ScaleRun,
    pub last: &'a ScaleRun,
    pub lowest_kb: u64,
    pub highest_kb: u64,
    /// Growth of the peak per 1,000 accounts, first size to last, in KiB.
    pub growth_per_1000_kb: f64,
    /// Growth of the peak per account/Region listed, first size to last, in bytes.
    pub bytes_per_listing: f64,
    /// Every peak within [`FLAT_WITHIN`] of the lowest.
    pub flat: bool,
}

impl<'a> MemoryFigures<'a> {
    pub fn of(runs: &'a ScaleRuns) -> Result<Self> {
        let memory = &runs.by_size;
        let first = memory.first().ok_or_else(|| anyhow!("no memory runs"))?;
        let last = memory.last().ok_or_else(|| anyhow!("no memory runs"))?;
        let lowest_kb = memory.iter().map(|s| s.hwm_kb).min().unwrap_or(0);
        let highest_kb = memory.iter().map(|s| s.hwm_kb).max().unwrap_or(0);
        let growth_kb = last.hwm_kb as f64 - first.hwm_kb as f64;
        let more_accounts = last.accounts.saturating_sub(first.accounts).max(1) as f64;
        let more_listings = (last.accounts * last.regions)
            .saturating_sub(first.accounts * first.regions)
            .max(1) as f64;
        Ok(MemoryFigures {
            first,
            last,
            lowest_kb,
            highest_kb,
            growth_per_1000_kb: growth_kb / (more_accounts / 1000.0),
            bytes_per_listing: growth_kb * 1024.0 / more_listings,
            flat: highest_kb as f64 <= lowest_kb as f64 * (1.0 + FLAT_WITHIN),
        })
    }
}

pub fn write(r: &mut String, runs: &ScaleRuns) -> Result<()> {
    let ms = LATENCY.as_millis();
    let default_run = runs.default_run()?;
    let memory = &runs.by_size;
    let f = MemoryFigures::of(runs)?;
    let (first, last) = (f.first, f.last);

    if f.flat {
        writeln!(r, "### Memory is flat in the account count\n")?;
    } else {
        writeln!(r, "### Memory grows with the account count\n")?;
    }
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
    // What the growth is: within the noise, or more held per account/Region listed.
    let growth = if f.flat {
        "the account IDs and the account instances found). The sweep keeps at most `SWEEP_CONCURRENCY` listings in flight (`buffer_unordered`) and keeps only the account instances it finds, not the listings.".to_owned()
    } else {
        format!(
            "about {:.0} bytes more per account/Region listed). The sweep keeps at most `SWEEP_CONCURRENCY` listings in flight (`buffer_unordered`), but what it holds after them grows with the account/Regions it lists.",
            f.bytes_per_listing
        )
    };
    writeln!(
        r,
        "From {} to {} accounts ({}× the calls) the peak went from {:.1} to {:.1} MiB (all sizes within {:.1}–{:.1} MiB; {:+.0} KiB per 1,000 accounts, {growth}\n",
        thousands(first.accounts),
        thousands(last.accounts),
        last.accounts / first.accounts.max(1),
        mib(first.hwm_kb),
        mib(last.hwm_kb),
        mib(f.lowest_kb),
        mib(f.highest_kb),
        f.growth_per_1000_kb
    )?;
    Ok(())
}
