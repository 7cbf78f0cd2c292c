//! The targets of the parts that ran, each checked against this run's own figures; then, for a
//! target missed, why, from the same figures. How much faster than boto3 a cold event is, is
//! shown beside them and reported only.

use std::fmt::Write as _;

use anyhow::Result;

use super::cold::{
    figures, latency_units, side_by_side, MAX_INIT_MS, MAX_LATENCY_UNITS, MIN_RSS_RATIO,
};
use super::format::thousands;
use super::rules::MIN_EVALUATIONS_PER_SECOND;
use crate::burst::Burst;
use crate::cold::scenario::Mode;
use crate::cold::sides::Side;
use crate::cold::ColdStart;
use crate::rules_bench::RulesBench;
use crate::sizes::{largest_event_function, Bootstrap, MAX_EVENT_FUNCTION_MIB};
use crate::stats::stats;

/// The targets of the parts that ran (`None`: left out).
pub fn write(
    r: &mut String,
    cold: Option<&ColdStart>,
    rules: Option<&RulesBench>,
    burst: Option<&Burst>,
    sizes: &[Bootstrap],
) -> Result<()> {
    writeln!(r, "## Targets, checked against this run\n")?;
    writeln!(r, "| target | measured | met |\n|---|---|---|")?;
    if let Some(c) = cold {
        cold_rows(r, c)?;
    }
    if let Some(b) = largest_event_function(sizes) {
        let ok = b.mib() <= MAX_EVENT_FUNCTION_MIB;
        writeln!(
            r,
            "| each event function's bootstrap ≤ {MAX_EVENT_FUNCTION_MIB} MiB | largest {:.2} MiB (`{}`) | {} |",
            b.mib(),
            b.name,
            met(ok)
        )?;
    }
    if let Some(rules) = rules {
        let rate = rules.median_rate();
        writeln!(
            r,
            "| rules engine ≥ 1,000,000 evaluations/s on one core | {} /s | {} |",
            thousands(rate.round() as u64),
            met(rate >= MIN_EVALUATIONS_PER_SECOND)
        )?;
    }
    if let Some(burst) = burst {
        for run in &burst.runs {
            let dead = run.events.dead_letters() as u64 + run.outlets.dead_letters;
            writeln!(
                r,
                "| burst of {}, {} sandboxes: 0 messages in a dead-letter queue | {dead} (events {}, outlets {}) | {} |",
                thousands(burst.accounts),
                run.sandboxes,
                run.events.dead_letters(),
                run.outlets.dead_letters,
                met(dead == 0)
            )?;
        }
    }
    writeln!(r)?;
    shortfalls(r, rules, cold, sizes)
}

fn met(ok: bool) -> &'static str {
    if ok {
        "yes"
    } else {
        "**no**"
    }
}

fn cold_rows(r: &mut String, c: &ColdStart) -> Result<()> {
    for (mode, g, p) in side_by_side(c) {
        let speedup = p.total_ms.median / g.total_ms.median;
        writeln!(
            r,
            "| cold event, boto3 ÷ guardrail, {} | {speedup:.1}× ({:.1} ms against {:.1} ms) | report only |",
            mode.label(),
            g.total_ms.median,
            p.total_ms.median
        )?;
        let rss = p.rss_mib.median / g.rss_mib.median;
        writeln!(
            r,
            "| ≥ {MIN_RSS_RATIO:.0}× less peak RSS, {} | {rss:.1}× ({:.1} MiB against {:.1} MiB) | {} |",
            mode.label(),
            g.rss_mib.median,
            p.rss_mib.median,
            met(rss >= MIN_RSS_RATIO)
        )?;
    }
    if let Some(g) = figures(&c.samples, Side::Rust, Mode::ReportOnly, false) {
        writeln!(
            r,
            "| init (spawn → `/next`) ≤ {MAX_INIT_MS:.0} ms | {:.1} ms (median) | {} |",
            g.init_ms.median,
            met(g.init_ms.median <= MAX_INIT_MS)
        )?;
    }
    if let (Some(f), Some((_, _, units))) = (
        figures(&c.samples, Side::Rust, Mode::ReportOnly, true),
        latency_units(&c.samples, Side::Rust, Mode::ReportOnly),
    ) {
        writeln!(
            r,
            "| ≤ {MAX_LATENCY_UNITS:.0} round trips in a row, report only | {:.0} (max {:.0}; added time ÷ 20 ms: {units:.1}) | {} |",
            f.in_a_row.median,
            f.in_a_row.max,
            met(f.in_a_row.max <= MAX_LATENCY_UNITS)
        )?;
    }
    Ok(())
}

/// Why a target is out of reach, from this run's own figures (only for those not met).
fn shortfalls(
    r: &mut String,
    rules: Option<&RulesBench>,
    cold: Option<&ColdStart>,
    sizes: &[Bootstrap],
) -> Result<()> {
    let over: Vec<String> = sizes
        .iter()
        .filter(|b| b.within_target() == Some(false))
        .map(|b| {
            format!(
                "`{}` {:.2} MiB ({:.0} KiB over)",
                b.name,
                b.mib(),
                (b.mib() - MAX_EVENT_FUNCTION_MIB) * 1024.0
            )
        })
        .collect();
    if !over.is_empty() {
        writeln!(
            r,
            "- **Bootstraps over {MAX_EVENT_FUNCTION_MIB} MiB:** {}.",
            over.join(", ")
        )?;
    }
    if let Some(g) = cold.and_then(|c| figures(&c.samples, Side::Rust, Mode::ReportOnly, false)) {
        if g.init_ms.median > MAX_INIT_MS {
            let load = cold.map(|c| c.load.clone()).unwrap_or_default();
            writeln!(
                r,
                "- **Init** took {:.1} ms at the median and {:.1} ms at the fastest, with the machine's load average at {}–{} on 2 cores: the process start, the runtime, the settings, the SDK configuration and the clients, and the first connection to the Runtime API, while the root certificates load beside them on their own thread. The median stays above {MAX_INIT_MS:.0} ms here.",
                g.init_ms.median, g.init_ms.min, load.0, load.1
            )?;
        }
    }
    if let Some(rules) = rules {
        let rate = rules.median_rate();
        if rate < MIN_EVALUATIONS_PER_SECOND {
            let parse = stats(rules.parse_rates.iter().copied()).0;
            let evaluate = stats(rules.evaluate_rates.iter().copied()).0;
            let scan = stats(rules.scan_rates.iter().copied()).0;
            writeln!(
                r,
                "- **The rules engine** does {} parse + evaluate per second ({:.2} µs each): parsing takes {:.2} µs, evaluating and assembling the findings {:.2} µs. Only reading the bytes, keeping nothing, already takes serde_json {:.2} µs per envelope here, so a million a second (1 µs for both halves) is out of reach for any parser that reads every byte of a 2–3 KB envelope on one core of this machine; evaluating alone reaches {} a second.",
                thousands(rate.round() as u64),
                1e6 / rate,
                1e6 / parse,
                1e6 / evaluate,
                1e6 / scan,
                thousands(evaluate.round() as u64)
            )?;
        }
    }
    writeln!(r)?;
    Ok(())
}
