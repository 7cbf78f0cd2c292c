//! The markdown report, section by section, from the figures of one run.

mod emulator;
mod format;
mod header;
mod interpretation;
mod machine;
mod memory;
mod scale;

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};
use chrono::{DateTime, Utc};

use crate::emulator_run::SideBySide;
use crate::scale::ScaleRuns;

/// The whole report.
pub fn report(
    started: DateTime<Utc>,
    total: Duration,
    runs: &ScaleRuns,
    emu: &SideBySide,
) -> Result<String> {
    let m = machine::machine();
    let figures = emulator::EmulatorFigures::of(emu);
    let mut r = String::new();
    header::write(&mut r, started, total, &m)?;
    scale::write(&mut r, runs)?;
    memory::write(&mut r, runs)?;
    emulator::write(&mut r, emu, &figures)?;
    interpretation::write(&mut r, runs, emu, &figures, &m)?;
    Ok(r)
}

/// Writes the report to `path`, creating its directory.
pub fn write_report(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}
