//! The memory probe: the process's peak resident set size, from /proc/self/status (Linux).

use anyhow::{anyhow, Context, Result};

/// The peak resident set size so far (`VmHWM`), in kB.
pub fn peak_rss_kb() -> Result<u64> {
    proc_status_kb("VmHWM")
}

/// A `kB` field of /proc/self/status.
fn proc_status_kb(field: &str) -> Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")
        .context("cannot read /proc/self/status (peak memory is measured on Linux only)")?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow!("no {field} in /proc/self/status"))
}

/// kB to MiB.
pub fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}
