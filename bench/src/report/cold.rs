//! Section 3: one event, cold — the release bootstrap against Python + boto3, the calls each
//! made, the emulator's floor, and the round trips in a row.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Result;

use super::format::calls_text;
use crate::cold::one_event::ColdRun;
use crate::cold::scenario::{Mode, Sample, LATENCY};
use crate::cold::sides::{Side, FUNCTION};
use crate::cold::ColdStart;
use crate::memory::mib;
use crate::stats::stats;

/// The targets of the cold start (issue 10), checked against this run's figures. How much
/// faster than boto3 a cold event is, is reported, not a target.
pub const MAX_INIT_MS: f64 = 6.0;
pub const MIN_RSS_RATIO: f64 = 4.0;
pub const MAX_LATENCY_UNITS: f64 = 4.0;

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Median, min and max of one figure over the runs of a side and mode.
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    fn of(values: impl IntoIterator<Item = f64>) -> Spread {
        let (median, min, max) = stats(values);
        Spread { median, min, max }
    }
    fn text(&self, unit: &str, digits: usize) -> String {
        format!(
            "**{:.d$}** {unit} ({:.d$}–{:.d$})",
            self.median,
            self.min,
            self.max,
            d = digits
        )
    }
}

/// The figures of one side and mode, plain or with latency.
pub struct Figures {
    pub init_ms: Spread,
    pub event_ms: Spread,
    pub total_ms: Spread,
    pub rss_mib: Spread,
    pub calls: BTreeMap<String, u64>,
    /// Whether every run made exactly these calls.
    pub calls_steady: bool,
    /// Calls waited for one after another (meaningful with latency: see `in_a_row`).
    pub in_a_row: Spread,
}

pub fn figures(samples: &[Sample], side: Side, mode: Mode, latency: bool) -> Option<Figures> {
    let runs: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.side == side && s.mode == mode && s.latency == latency)
        .collect();
    let first = runs.first()?;
    let of = |f: fn(&ColdRun) -> f64| Spread::of(runs.iter().map(|s| f(&s.run)));
    Some(Figures {
        init_ms: of(|r| ms(r.init)),
        event_ms: of(|r| ms(r.duration)),
        total_ms: of(|r| ms(r.total)),
        rss_mib: of(|r| mib(r.peak_rss_kb)),
        calls: first.calls.clone(),
        calls_steady: runs.iter().all(|s| s.calls == first.calls),
        in_a_row: Spread::of(runs.iter().map(|s| s.in_a_row as f64)),
    })
}

/// Round trips in a row: what `LATENCY` on every call added to the event, in units of it.
pub fn latency_units(samples: &[Sample], side: Side, mode: Mode) -> Option<(f64, f64, f64)> {
    let plain = figures(samples, side, mode, false)?.event_ms.median;
    let slow = figures(samples, side, mode, true)?.event_ms.median;
    Some((plain, slow, (slow - plain) / ms(LATENCY)))
}

/// The figures of every mode and side measured (plain, or with latency), in the report's order.
fn each(c: &ColdStart, latency: bool) -> impl Iterator<Item = (Mode, Side, Figures)> + '_ {
    Mode::BOTH.into_iter().flat_map(move |mode| {
        Side::BOTH.into_iter().filter_map(move |side| {
            figures(&c.samples, side, mode, latency).map(|f| (mode, side, f))
        })
    })
}

/// Each mode with both sides measured (plain runs): the guardrail's figures, then Python's.
pub fn side_by_side(c: &ColdStart) -> impl Iterator<Item = (Mode, Figures, Figures)> + '_ {
    Mode::BOTH.into_iter().filter_map(|mode| {
        Some((
            mode,
            figures(&c.samples, Side::Rust, mode, false)?,
            figures(&c.samples, Side::Python, mode, false)?,
        ))
    })
}

fn total(calls: &BTreeMap<String, u64>) -> u64 {
    calls.values().sum()
}

pub fn write(r: &mut String, c: &ColdStart) -> Result<()> {
    let lat = ms(LATENCY);
    writeln!(
        r,
        "## 3. One event, cold: the release bootstrap against Python + boto3\n"
    )?;
    writeln!(
        r,
        "The bench's own Lambda Runtime API (`bench/src/runtime_api.rs`, driven by `bench/src/cold/one_event.rs`) starts a function's process with a Lambda environment and nothing else, answers its first `GET /next` with one `CreateInstance` event of a member account (its account instance in eu-west-1), takes the answer, waits until the process asks for the next event (idle, as a sandbox between events), reads its peak resident set size (`VmHWM` of /proc/PID/status) and stops it. *Init* is spawn → first `/next`, *event* is `/next` answered → answer posted, *cold* is spawn → answer (what a cold invocation costs end to end). Both sides reach the local AWS emulator through the same proxy (transparent here), whose request log counts every AWS call each side made.\n"
    )?;
    writeln!(
        r,
        "- **guardrail**: the release `{FUNCTION}` bootstrap (`cargo build --release`, x86_64), as Lambda runs it.\n\
         - **Python + boto3**: `bench/cold_handler.py` under `bench/py_runtime.py` (a Lambda runtime loop: import the handler module, then `/next` → handler → response), the same job as people write it today: boto3 clients at module init, the same calls one after another, the same finding published the same way.\n"
    )?;
    writeln!(
        r,
        "After one untimed warm-up of each side, {} runs of each side and mode, alternating (then {} with latency). Every run was checked: the answer names one IDC001 finding with the expected status, the instance is there (report only) or gone (deletion), and the messages published to SNS — subject, attributes and finding — are equal on both sides and in every run, except `evaluated_at` and `sequence` (clocks) and, in deletion runs, the instance ARN and the finding id derived from it (each run deletes a fresh instance; each id is checked to be the contract's deterministic id). Report only published {} message(s) per event, a deletion {} (the announcement, then the outcome).\n",
        c.runs,
        c.latency_runs,
        c.published.iter().find(|(m, _)| *m == Mode::ReportOnly).map_or(0, |p| p.1),
        c.published.iter().find(|(m, _)| *m == Mode::Delete).map_or(0, |p| p.1),
    )?;
    writeln!(
        r,
        "| mode | side | init | event | **cold** (spawn → answer) | peak RSS | AWS calls |\n|---|---|---:|---:|---:|---:|---:|"
    )?;
    for (mode, side, f) in each(c, false) {
        writeln!(
            r,
            "| {} | {} | {} | {} | {} | {} | {} |",
            mode.label(),
            side.label(),
            f.init_ms.text("ms", 1),
            f.event_ms.text("ms", 1),
            f.total_ms.text("ms", 1),
            f.rss_mib.text("MiB", 1),
            total(&f.calls)
        )?;
    }
    writeln!(
        r,
        "\nMedians, (min–max) over the runs. The machine's load average was {} before the runs and {} after (2 cores, shared): a process that starts waits for a core when others are busy, which shows most in the init of the fastest side.\n",
        c.load.0, c.load.1
    )?;
    writeln!(
        r,
        "| mode | cold: Python ÷ guardrail | init: Python ÷ guardrail | peak RSS: Python ÷ guardrail |\n|---|---:|---:|---:|"
    )?;
    for (mode, g, p) in side_by_side(c) {
        writeln!(
            r,
            "| {} | **{:.1}×** | {:.1}× | **{:.1}×** |",
            mode.label(),
            p.total_ms.median / g.total_ms.median,
            p.init_ms.median / g.init_ms.median,
            p.rss_mib.median / g.rss_mib.median
        )?;
    }
    write_calls(r, c)?;
    write_floor(r, c)?;
    writeln!(
        r,
        "\n### Round trips in a row: {lat:.0} ms on every AWS call\n"
    )?;
    writeln!(
        r,
        "The same runs ({} of each side and mode) with the proxy holding every AWS request {lat:.0} ms before forwarding it (`Fault::Delay`, as the fault tests inject latency). *Round trips in a row* is read from the proxy's log of when each call arrived and when it was answered: the longest chain of calls each made only after the one before it was answered (calls made at once overlap, and count once). What the latency added to the event, divided by {lat:.0} ms, says the same in time (a little more: each unit is {lat:.0} ms plus the emulator's answer and the timer's lateness).\n",
        c.latency_runs
    )?;
    writeln!(
        r,
        "| mode | side | AWS calls | event, plain | event, {lat:.0} ms per call | added ÷ {lat:.0} ms | **round trips in a row** |\n|---|---|---:|---:|---:|---:|---:|"
    )?;
    for (mode, side, f) in each(c, true) {
        let Some((plain, slow, units)) = latency_units(&c.samples, side, mode) else {
            continue;
        };
        writeln!(
            r,
            "| {} | {} | {} | {plain:.1} ms | {slow:.1} ms | {units:.1} | **{:.0}** ({:.0}–{:.0}) |",
            mode.label(),
            side.label(),
            total(&f.calls),
            f.in_a_row.median,
            f.in_a_row.min,
            f.in_a_row.max
        )?;
    }
    writeln!(
        r,
        "\nThe guardrail's event path asks DescribeOrganization ‖ ListDelegatedAdministrators ‖ (AssumeRole → ListInstances), then ListApplications ‖ ListTagsForResource, then Publish: 4 in a row for 7 calls; a deletion adds, one after another, the announcement, DeleteInstance, the confirming ListInstances and the outcome (the management-account guard before DeleteInstance reads the DescribeOrganization answer the event's facts already got). The boto3 handler pays every call in turn.\n"
    )?;
    Ok(())
}

fn write_calls(r: &mut String, c: &ColdStart) -> Result<()> {
    writeln!(
        r,
        "\n**AWS calls each side made** (from the request log of the proxy in front of the emulator: every request it received, SDK retries included; first timed run, and whether every run made the same):\n"
    )?;
    writeln!(
        r,
        "| mode | side | calls | by operation | same in every run |\n|---|---|---:|---|---|"
    )?;
    for (mode, side, f) in each(c, false) {
        writeln!(
            r,
            "| {} | {} | {} | {} | {} |",
            mode.label(),
            side.label(),
            total(&f.calls),
            calls_text(&f.calls),
            if f.calls_steady { "yes" } else { "no" }
        )?;
    }
    Ok(())
}

fn write_floor(r: &mut String, c: &ColdStart) -> Result<()> {
    writeln!(
        r,
        "\n**The emulator's own floor**, measured in this run: each operation of the event path called {} times one after another from an in-process SDK client on a warm connection, through the same proxy. moto is one Python process: its answer time is the least any client can take per call here.\n",
        crate::cold::floor::CALLS
    )?;
    writeln!(r, "| operation | median | min |\n|---|---:|---:|")?;
    for (op, (median, min)) in &c.floor {
        writeln!(
            r,
            "| {op} | {:.2} ms | {:.2} ms |",
            median * 1000.0,
            min * 1000.0
        )?;
    }
    writeln!(
        r,
        "\n| mode | side | event | its calls one after another at the floor | event ÷ that floor |\n|---|---|---:|---:|---:|"
    )?;
    for (mode, side, f) in each(c, false) {
        let floor_ms = floor_ms(c, &f.calls);
        writeln!(
            r,
            "| {} | {} | {:.1} ms | {floor_ms:.1} ms | {:.2} |",
            mode.label(),
            side.label(),
            f.event_ms.median,
            f.event_ms.median / floor_ms
        )?;
    }
    Ok(())
}

/// What `calls` cost one after another at the emulator's floor, in ms. DeleteInstance cannot
/// be repeated on one instance: it is counted at the median of the other operations.
pub fn floor_ms(c: &ColdStart, calls: &BTreeMap<String, u64>) -> f64 {
    let others = stats(c.floor.values().map(|v| v.0)).0;
    calls
        .iter()
        .map(|(op, n)| *n as f64 * c.floor.get(op).map_or(others, |v| v.0) * 1000.0)
        .sum()
}
