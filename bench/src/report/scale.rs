//! Section 1: the sweep at 1,000 accounts, by concurrency.

use std::fmt::Write as _;

use anyhow::Result;
use idc_core::settings::DEFAULT_SWEEP_CONCURRENCY;

use super::format::{calls_text, thousands};
use crate::scale::{ScaleRuns, LATENCY, ONE_IN, SCALE_ACCOUNTS, TARGET_SECONDS};

pub fn write(r: &mut String, runs: &ScaleRuns) -> Result<()> {
    let ms = LATENCY.as_millis();
    let default_run = runs.default_run()?;
    let concurrency = &runs.by_concurrency;
    writeln!(
        r,
        "## 1. Scale: {} accounts × {} Regions through the ports\n",
        thousands(SCALE_ACCOUNTS),
        default_run.regions
    )?;
    writeln!(
        r,
        "`Guardrail::sweep` over in-memory ports that sleep {ms} ms (`tokio::time::sleep`) on every call: Organizations, sso-admin, the finding topic and the worker queue alike. The organization is synthetic: {} member accounts plus the management account; every {ONE_IN}th member account (2 %, {} here) owns an account instance, in one of the Regions picked by a fixed hash; every 4th of those has 2 applications, every 3rd is tagged, and the first is in the Identity Center delegated administrator, which also sees the organization instance. Settings: the {} default Regions, report only, `FANOUT_THRESHOLD` above the account count (the sweep stays in process). Each row is one sweep in a fresh process; the wall time is measured around `sweep()` alone.\n",
        thousands(SCALE_ACCOUNTS),
        default_run.findings,
        default_run.regions
    )?;
    writeln!(
        r,
        "| SWEEP_CONCURRENCY | wall time | port calls | calls/s | latency floor | above the floor |"
    )?;
    writeln!(r, "|---:|---:|---:|---:|---:|---:|")?;
    for s in concurrency {
        let floor = s.floor_seconds();
        writeln!(
            r,
            "| {}{} | **{:.2} s** | {} | {} | {:.2} s | {:+.1} % |",
            s.concurrency,
            if s.concurrency == DEFAULT_SWEEP_CONCURRENCY {
                " (default)"
            } else {
                ""
            },
            s.seconds,
            thousands(s.total_calls),
            thousands((s.total_calls as f64 / s.seconds).round()),
            floor,
            (s.seconds / floor - 1.0) * 100.0
        )?;
    }
    writeln!(r)?;
    writeln!(
        r,
        "At the default concurrency the sweep took **{:.1} s** (target ≤ {TARGET_SECONDS:.0} s: {}). Calls by operation: {}. The *latency floor* is the least time {ms} ms per call allows with `SWEEP_CONCURRENCY` calls in flight: (⌈accounts × Regions ÷ concurrency⌉ listing rounds + ⌈account instances ÷ concurrency⌉ enrichment rounds + 5 calls that run one after another: describe the organization, list its delegated administrators, list its accounts, publish the findings, publish the summary) × {ms} ms. Most of the gap above it is the timer: a {ms} ms sleep lasts a little longer than {ms} ms.\n",
        default_run.seconds,
        if default_run.seconds <= TARGET_SECONDS {
            "met"
        } else {
            "**missed**"
        },
        calls_text(&default_run.calls),
    )?;
    Ok(())
}
