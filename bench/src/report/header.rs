//! The report's opening: what was measured, when, on what.

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Utc};

use super::machine::{commit, Machine};

pub fn write(r: &mut String, started: DateTime<Utc>, total: Duration, m: &Machine) -> Result<()> {
    writeln!(r, "# idc-guardrail benchmark\n")?;
    writeln!(
        r,
        "Written by `make bench` (`idc-bench`, bench/src/); see [README.md](README.md). Regenerate rather than edit.\n"
    )?;
    writeln!(r, "| | |\n|---|---|")?;
    writeln!(r, "| date | {} |", started.format("%Y-%m-%d %H:%M UTC"))?;
    writeln!(r, "| commit | {} |", commit())?;
    writeln!(
        r,
        "| machine | {} cores ({}), {:.1} GiB memory, {} |",
        m.cores, m.cpu, m.memory_gib, m.os
    )?;
    writeln!(
        r,
        "| build | {} |",
        if cfg!(debug_assertions) {
            "**debug** (figures not representative: use `make bench`)"
        } else {
            "release (`cargo run --release`)"
        }
    )?;
    writeln!(
        r,
        "| bench run time | {:.0} s in all |\n",
        total.as_secs_f64()
    )?;
    Ok(())
}
