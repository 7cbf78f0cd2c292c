//! Section 4: the rules engine alone; then the targets of the whole run, checked.

use std::fmt::Write as _;

use anyhow::Result;

use super::cold::{
    figures, floor_ms, latency_units, side_by_side, MAX_BOOTSTRAP_MB, MAX_INIT_MS,
    MAX_LATENCY_UNITS, MIN_RSS_RATIO, MIN_SPEEDUP,
};
use super::format::thousands;
use crate::cold::scenario::Mode;
use crate::cold::sides::Side;
use crate::cold::ColdStart;
use crate::rules_bench::RulesBench;
use crate::stats::stats;

pub const MIN_EVALUATIONS_PER_SECOND: f64 = 1_000_000.0;

pub fn write(r: &mut String, rules: &RulesBench, cold: &ColdStart) -> Result<()> {
    writeln!(r, "## 4. The rules engine alone\n")?;
    writeln!(
        r,
        "In process, one thread, no I/O (`bench/src/rules_bench.rs`): the {} scenarios of `events/manifest.json` in turn, each event's bytes parsed anew (`parse_event_bytes`) and evaluated (`evaluate_trigger`, then its findings assembled, as a caller gets them) with its inventory (parsed once: it stands for the facts the adapters gather), policy flags and `now`; `black_box` keeps the work. One pass over every scenario gives {} findings. Each loop: {} rounds of 0.5 s after one untimed round; the machine is shared, so the best round (max) is shown too.\n",
        rules.scenarios,
        rules.findings_per_pass,
        rules.rates.len()
    )?;
    writeln!(
        r,
        "| loop | per second (median) | min | max | each (median) |\n|---|---:|---:|---:|---:|"
    )?;
    for (label, rates) in [
        ("**parse + evaluate**", &rules.rates),
        ("parse alone (`parse_event_bytes`)", &rules.parse_rates),
        (
            "evaluate alone (`evaluate_trigger` and its findings, triggers parsed beforehand)",
            &rules.evaluate_rates,
        ),
        (
            "the floor under any parser: serde_json reads each envelope, keeps nothing (`IgnoredAny`)",
            &rules.scan_rates,
        ),
    ] {
        let (median, min, max) = stats(rates.iter().copied());
        writeln!(
            r,
            "| {label} | **{}** | {} | {} | {:.2} µs |",
            thousands(median.round() as u64),
            thousands(min.round() as u64),
            thousands(max.round() as u64),
            1e6 / median
        )?;
    }
    writeln!(
        r,
        "\nWhere the time goes: parsing reads each envelope (2–3 KB of JSON, pretty-printed) straight into typed fields that borrow from the bytes (`functions/core/src/event/borrowed.rs`; an input it cannot vouch for goes through `serde_json::Value` instead, as every sample here does not), and evaluating decides about each violation and assembles each finding whole — its explanation and texts, its SHA-256 id, its RFC 3339 times. Both are the core's public API as the CLI calls it (`functions/core`); the bench measures them as they are.\n"
    )?;
    write_targets(r, rules, cold)
}

fn write_targets(r: &mut String, rules: &RulesBench, c: &ColdStart) -> Result<()> {
    writeln!(r, "## Targets, checked against this run\n")?;
    writeln!(r, "| target | measured | met |\n|---|---|---|")?;
    let met = |ok: bool| if ok { "yes" } else { "**no**" };
    let mut row = |target: String, measured: String, ok: bool| {
        writeln!(r, "| {target} | {measured} | {} |", met(ok))
    };
    for (mode, g, p) in side_by_side(c) {
        let speedup = p.total_ms.median / g.total_ms.median;
        row(
            format!(
                "cold event ≥ {MIN_SPEEDUP:.0}× faster than boto3, {}",
                mode.label()
            ),
            format!(
                "{speedup:.1}× ({:.1} ms against {:.1} ms)",
                g.total_ms.median, p.total_ms.median
            ),
            speedup >= MIN_SPEEDUP,
        )?;
        let rss = p.rss_mib.median / g.rss_mib.median;
        row(
            format!("≥ {MIN_RSS_RATIO:.0}× less peak RSS, {}", mode.label()),
            format!(
                "{rss:.1}× ({:.1} MiB against {:.1} MiB)",
                g.rss_mib.median, p.rss_mib.median
            ),
            rss >= MIN_RSS_RATIO,
        )?;
    }
    if let Some(g) = figures(&c.samples, Side::Rust, Mode::ReportOnly, false) {
        row(
            format!("init (spawn → `/next`) ≤ {MAX_INIT_MS:.0} ms"),
            format!("{:.1} ms (median)", g.init_ms.median),
            g.init_ms.median <= MAX_INIT_MS,
        )?;
    }
    if let (Some(f), Some((_, _, units))) = (
        figures(&c.samples, Side::Rust, Mode::ReportOnly, true),
        latency_units(&c.samples, Side::Rust, Mode::ReportOnly),
    ) {
        row(
            format!("≤ {MAX_LATENCY_UNITS:.0} round trips in a row, report only"),
            format!(
                "{:.0} (max {:.0}; added time ÷ 20 ms: {units:.1})",
                f.in_a_row.median, f.in_a_row.max
            ),
            f.in_a_row.max <= MAX_LATENCY_UNITS,
        )?;
    }
    let largest = c.sizes.iter().map(|b| b.bytes).max().unwrap_or(0) as f64 / 1e6;
    row(
        format!("each bootstrap ≤ {MAX_BOOTSTRAP_MB:.0} MB"),
        format!("largest {largest:.2} MB"),
        largest <= MAX_BOOTSTRAP_MB,
    )?;
    let rate = rules.median_rate();
    row(
        "rules engine ≥ 1,000,000 evaluations/s on one core".to_owned(),
        format!("{} /s", thousands(rate.round() as u64)),
        rate >= MIN_EVALUATIONS_PER_SECOND,
    )?;
    writeln!(r)?;
    write_shortfalls(r, rules, c)
}

/// Why a target is out of reach, from this run's own figures (only for those not met).
fn write_shortfalls(r: &mut String, rules: &RulesBench, c: &ColdStart) -> Result<()> {
    let rust = |mode, latency| figures(&c.samples, Side::Rust, mode, latency);
    let python = |mode, latency| figures(&c.samples, Side::Python, mode, latency);
    if let (Some(g), Some(p), Some(gl), Some(pl)) = (
        rust(Mode::Delete, false),
        python(Mode::Delete, false),
        rust(Mode::Delete, true),
        python(Mode::Delete, true),
    ) {
        if p.total_ms.median / g.total_ms.median < MIN_SPEEDUP {
            writeln!(
                r,
                "- **With a deletion** the guardrail's event is bound by the emulator: its {} calls take {:.1} ms at the emulator's own floor (its event took {:.1} ms, the boto3 handler's {:.1} ms), so the ratio is set by the part both sides pay alike. The guardrail waits for {:.0} of its calls in a row, boto3 for {:.0}: a deletion adds four that cannot overlap (the announcement before DeleteInstance, DeleteInstance, the listing that confirms it, the outcome), and against one Python process answering one request at a time what overlaps saves little.",
                g.calls.values().sum::<u64>(),
                floor_ms(c, &g.calls),
                g.event_ms.median,
                p.event_ms.median,
                gl.in_a_row.median,
                pl.in_a_row.median
            )?;
        }
    }
    if let Some(g) = rust(Mode::ReportOnly, false) {
        if g.init_ms.median > MAX_INIT_MS {
            writeln!(
                r,
                "- **Init** took {:.1} ms at the median and {:.1} ms at the fastest, with the machine's load average at {}–{} on 2 cores: the process start, the runtime, the settings, the SDK configuration and the clients, and the first connection to the Runtime API, while the root certificates load beside them on their own thread. The median stays above {MAX_INIT_MS:.0} ms here.",
                g.init_ms.median, g.init_ms.min, c.load.0, c.load.1
            )?;
        }
    }
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
    writeln!(r)?;
    Ok(())
}
