//! Section 2: the guardrail and the boto3 loop side by side on the emulator.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Result;
use idc_core::settings::{DEFAULT_MEMBER_ROLE_NAME, DEFAULT_SWEEP_CONCURRENCY};

use super::format::calls_text;
use crate::emulator_run::SideBySide;
use crate::stats::stats;
use crate::timed::Timed;

/// What the emulator runs come to (medians over the timed runs), shared with the
/// interpretation.
pub struct EmulatorFigures {
    pub guardrail_median: f64,
    pub sequential_median: f64,
    pub baseline_median: f64,
    /// The boto3 loop's whole process, start-up and `import boto3` included: median, min, max.
    pub baseline_process: (f64, f64, f64),
    pub guardrail_calls_per_second: f64,
    pub baseline_calls_per_second: f64,
    pub baseline_client_setup_median: f64,
    pub baseline_import_median: f64,
    /// The boto3 loop's median over the guardrail's.
    pub ratio: f64,
    /// Calls by operation, first timed run of each side.
    pub guardrail_calls: BTreeMap<String, u64>,
    pub sequential_calls: BTreeMap<String, u64>,
    pub baseline_calls: BTreeMap<String, u64>,
}

impl EmulatorFigures {
    pub fn of(emu: &SideBySide) -> Self {
        let median = |runs: &[Timed], f: fn(&Timed) -> f64| stats(runs.iter().map(f)).0;
        let calls_of = |runs: &[Timed]| runs.first().map(|t| t.calls.clone()).unwrap_or_default();
        let guardrail_median = median(&emu.guardrail, |t| t.seconds);
        let baseline_median = median(&emu.baseline, |t| t.seconds);
        EmulatorFigures {
            guardrail_median,
            sequential_median: median(&emu.sequential, |t| t.seconds),
            baseline_median,
            baseline_process: stats(emu.baseline.iter().map(|t| t.process_seconds)),
            guardrail_calls_per_second: median(&emu.guardrail, Timed::calls_per_second),
            baseline_calls_per_second: median(&emu.baseline, Timed::calls_per_second),
            baseline_client_setup_median: median(&emu.baseline, |t| t.client_setup_seconds),
            baseline_import_median: median(&emu.baseline, |t| t.import_seconds),
            ratio: baseline_median / guardrail_median,
            guardrail_calls: calls_of(&emu.guardrail),
            sequential_calls: calls_of(&emu.sequential),
            baseline_calls: calls_of(&emu.baseline),
        }
    }
}

pub fn write(r: &mut String, emu: &SideBySide, f: &EmulatorFigures) -> Result<()> {
    let (g_med, s_med, b_med, ratio) = (
        f.guardrail_median,
        f.sequential_median,
        f.baseline_median,
        f.ratio,
    );
    let (bp_med, bp_min, bp_max) = f.baseline_process;
    let (import_med, setup_med) = (f.baseline_import_median, f.baseline_client_setup_median);
    let (g_calls, s_calls, b_calls) = (&f.guardrail_calls, &f.sequential_calls, &f.baseline_calls);
    writeln!(r, "## 2. Side by side on the local AWS emulator\n")?;
    writeln!(
        r,
        "The local AWS emulator (moto server with the project's extension: one Python process on 127.0.0.1) holds an organization of {} member accounts plus the management account, searched in {} Regions ({}); {} account instances are planted (one with an application bound, one tagged, one in the Identity Center delegated administrator, which also sees the organization instance). Both sides use the same endpoint and the same static credentials, and make the same kinds of calls: Organizations `DescribeOrganization` and `ListAccounts`; per member account STS `AssumeRole` of `{DEFAULT_MEMBER_ROLE_NAME}`; per Region sso-admin `ListInstances` and EventBridge `DescribeRule` (the coverage check of the forwarding rule); per account instance `ListApplications` and `ListTagsForResource`.\n",
        emu.members,
        emu.regions.split(',').count(),
        emu.regions.replace(',', ", "),
        emu.planted
    )?;
    writeln!(
        r,
        "- **guardrail**: `Guardrail::sweep` with the real AWS SDK adapters (`World::guardrail`), report only, at the default `SWEEP_CONCURRENCY` ({DEFAULT_SWEEP_CONCURRENCY}) and at 1 (one call at a time, like the loop); a fresh guardrail each run, so every member role is assumed anew. Timed around `sweep()`. It also lists the delegated administrators and publishes each finding and a summary to SNS (which the emulator delivers to an SQS queue); the loop does neither."
    )?;
    writeln!(
        r,
        "- **boto3 loop**: `bench/baseline_loop.py`, the sequential loop people write today (boto3, one sso-admin client per account and Region, paginators). Timed inside the script from just before its first client, so interpreter start-up and `import boto3` (median {import_med:.2} s) are left out; creating its clients took a median {setup_med:.2} s of its time.\n"
    )?;
    writeln!(
        r,
        "Each side ran once untimed (warm-up), then {} times, alternating. Every run found exactly the planted account instances, with the same application and tag counts on both sides (checked: the bench fails otherwise).\n",
        emu.guardrail.len()
    )?;
    writeln!(r, "| | median | min | max | AWS calls | calls/s (median) |")?;
    writeln!(r, "|---|---:|---:|---:|---:|---:|")?;
    emulator_row(
        r,
        &format!("guardrail sweep, concurrency {DEFAULT_SWEEP_CONCURRENCY} (default)"),
        &emu.guardrail,
    )?;
    emulator_row(r, "guardrail sweep, concurrency 1", &emu.sequential)?;
    emulator_row(r, "boto3 loop (sequential)", &emu.baseline)?;
    writeln!(
        r,
        "| boto3 loop, whole process (with start-up and `import boto3`) | {bp_med:.2} s | {bp_min:.2} s | {bp_max:.2} s | | |\n"
    )?;
    writeln!(
        r,
        "**Ratio: the boto3 loop took {ratio:.2}× as long as the guardrail's sweep** (median over median; {:.2}× counting the loop's whole process; {:.2}× against the guardrail at concurrency 1).\n",
        bp_med / g_med,
        b_med / s_med
    )?;
    writeln!(
        r,
        "Calls by operation (first timed run) — guardrail at {DEFAULT_SWEEP_CONCURRENCY}: {}; at 1: {}; boto3 loop: {}. The guardrail's `AssumeRole` count is read from the emulator (the assumed roles it recorded during the run); every other guardrail count is calls through the ports, each one page here. The loop counts its own calls, page by page.\n",
        calls_text(g_calls),
        calls_text(s_calls),
        calls_text(b_calls)
    )?;
    Ok(())
}

/// One row of the emulator table.
fn emulator_row(r: &mut String, label: &str, runs: &[Timed]) -> Result<()> {
    let (med, min, max) = stats(runs.iter().map(|t| t.seconds));
    let (cps, _, _) = stats(runs.iter().map(Timed::calls_per_second));
    let (calls, _, _) = stats(runs.iter().map(|t| t.total_calls() as f64));
    writeln!(
        r,
        "| {label} | **{med:.2} s** | {min:.2} s | {max:.2} s | {calls:.0} | {cps:.0} |"
    )?;
    Ok(())
}
