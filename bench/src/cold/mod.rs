//! Part 3: one event, cold — the release bootstrap against a Python/boto3 handler doing the
//! same job, each started as a Lambda sandbox starts it, under a Runtime API of the bench's own
//! ([`one_event`]), on the local AWS emulator; the emulator's own per-call floor ([`floor`]);
//! and a latency mode that shows the round trips each side pays in a row.

pub mod compare;
pub mod floor;
pub mod one_event;
pub mod scenario;
pub mod sides;

use anyhow::Result;

use scenario::{Mode, Sample, Stage};

/// Everything part 3 measured.
pub struct ColdStart {
    pub runs: usize,
    pub latency_runs: usize,
    pub samples: Vec<Sample>,
    pub floor: floor::Floor,
    /// What each mode published (equal on both sides, checked on every run).
    pub published: Vec<(Mode, usize)>,
    /// The machine's load average (1 minute) before and after the runs: other work on the
    /// machine delays a process that starts, and shows here.
    pub load: (String, String),
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "unknown".to_owned())
}

pub async fn measure(runs: usize, latency_runs: usize) -> Result<ColdStart> {
    let load_before = load_average();
    eprintln!("idc-bench: cold start: starting the emulator");
    let mut stage = Stage::start().await?;
    let samples = scenario::all_runs(&mut stage, runs, latency_runs).await?;
    eprintln!("idc-bench: cold start: the emulator's per-call floor");
    let floor = floor::measure(&stage).await?;
    let published = Mode::BOTH
        .iter()
        .map(|&m| (m, stage.published(m).map_or(0, <[_]>::len)))
        .collect();
    let load = (load_before, load_average());
    Ok(ColdStart {
        load,
        runs,
        latency_runs,
        samples,
        floor,
        published,
    })
}
