//! Section 4: the rules engine alone.

use std::fmt::Write as _;

use anyhow::Result;

use super::format::thousands;
use crate::rules_bench::RulesBench;
use crate::stats::stats;

/// The target of the rules engine, checked against this run's figures.
pub const MIN_EVALUATIONS_PER_SECOND: f64 = 1_000_000.0;

pub fn write(r: &mut String, rules: &RulesBench) -> Result<()> {
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
        "\nWhere the time goes: parsing reads each envelope (2–3 KB of JSON, pretty-printed) with serde into the functions' event type, the EventBridge envelope around the project's lenient CloudTrail record (`functions/core/src/event/record.rs`), then the readers say what it means, and evaluating decides about each violation and assembles each finding whole — its explanation and texts, its SHA-256 id, its RFC 3339 times. Both are the core's public API as the CLI calls it (`functions/core`); the bench measures them as they are.\n"
    )?;
    Ok(())
}
