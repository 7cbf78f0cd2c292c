//! The markdown report, section by section, from the figures of one run.

mod burst;
mod cold;
mod emulator;
pub mod format;
mod header;
mod interpretation;
mod machine;
mod memory;
mod rules;
mod scale;
mod sizes;
mod targets;

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use crate::burst::Burst;
use crate::cold::ColdStart;
use crate::emulator_run::SideBySide;
use crate::rules_bench::RulesBench;
use crate::scale::ScaleRuns;
use crate::sizes::Bootstrap;

/// What one run of the bench measured: the parts left out (`--cold-only`, `--burst-only`) are
/// `None`; the sizes are always there.
pub struct Parts<'a> {
    pub sweep: Option<(&'a ScaleRuns, &'a SideBySide)>,
    pub cold: Option<&'a ColdStart>,
    pub rules: Option<&'a RulesBench>,
    pub burst: Option<&'a Burst>,
    pub sizes: &'a [Bootstrap],
}

/// The whole report.
pub fn report(started: DateTime<Utc>, total: Duration, parts: &Parts<'_>) -> Result<String> {
    let m = machine::machine();
    let mut r = String::new();
    header::write(&mut r, started, total, &m)?;
    let sweep = parts
        .sweep
        .map(|(runs, emu)| (runs, emu, emulator::EmulatorFigures::of(emu)));
    if let Some((runs, emu, figures)) = &sweep {
        scale::write(&mut r, runs)?;
        memory::write(&mut r, runs)?;
        emulator::write(&mut r, emu, figures)?;
    }
    if let Some(cold) = parts.cold {
        cold::write(&mut r, cold)?;
    }
    if let Some(rules) = parts.rules {
        rules::write(&mut r, rules)?;
    }
    if let Some(burst) = parts.burst {
        burst::write(&mut r, burst)?;
    }
    sizes::write(&mut r, parts.sizes)?;
    targets::write(&mut r, parts.cold, parts.rules, parts.burst, parts.sizes)?;
    if let Some((runs, emu, figures)) = &sweep {
        interpretation::write(&mut r, runs, emu, figures, &m)?;
    }
    Ok(r)
}

/// Writes the report to `path`, creating its directory.
pub fn write_report(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
