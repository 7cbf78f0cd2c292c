//! The memory probe: a process's peak resident set size, from /proc/PID/status (Linux).

use anyhow::{anyhow, Context, Result};

/// The peak resident set size so far (`VmHWM`), in kB.
pub fn peak_rss_kb() -> Result<u64> {
    proc_status_kb("VmHWM")
}

/// A `kB` field of /proc/self/status.
fn proc_status_kb(field: &str) -> Result<u64> {
    kb_field(&read_status("/proc/self/status")?, field)
}

/// A `kB` field of another process's /proc/PID/status (a child the bench started).
pub fn proc_status_kb_of(pid: u32, field: &str) -> Result<u64> {
    kb_field(&read_status(&format!("/proc/{pid}/status"))?, field)
}

fn read_status(path: &str) -> Result<String> {
    std::fs::read_to_string(path)
        .with_context(|| format!("cannot read {path} (peak memory is measured on Linux only)"))
}

fn kb_field(status: &str, field: &str) -> Result<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow!("no {field} in the process status"))
}

/// kB to MiB.
pub fn mib(kb: u64) -> f64 {
    kb as f64 / 1024.0
}
