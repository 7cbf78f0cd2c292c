//! The report's closing: what the figures mean, and what they do not.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Result;
use idc_core::settings::DEFAULT_SWEEP_CONCURRENCY;

use super::emulator::EmulatorFigures;
use super::format::thousands;
use super::machine::Machine;
use super::memory::MemoryFigures;
use crate::emulator_run::SideBySide;
use crate::memory::mib;
use crate::scale::{ScaleRuns, LATENCY, SCALE_ACCOUNTS};

pub fn write(
    r: &mut String,
    runs: &ScaleRuns,
    emu: &SideBySide,
    f: &EmulatorFigures,
    m: &Machine,
) -> Result<()> {
    let ms = LATENCY.as_millis();
    let default_run = runs.default_run()?;
    let memory = MemoryFigures::of(runs)?;
    let (first, last) = (memory.first, memory.last);
    let (g_med, s_med, ratio) = (f.guardrail_median, f.sequential_median, f.ratio);
    let (gc_med, bc_med) = (f.guardrail_calls_per_second, f.baseline_calls_per_second);
    let (g_calls, s_calls, b_calls) = (&f.guardrail_calls, &f.sequential_calls, &f.baseline_calls);
    let assumed = |calls: &BTreeMap<String, u64>| calls.get("AssumeRole").copied().unwrap_or(0);
    writeln!(r, "## Interpretation of parts 1 and 2\n")?;
    writeln!(
        r,
        "- **Scale.** With real-world latency the sweep is bound by latency, not CPU: at the default concurrency {} accounts × {} Regions ({} calls) took {:.1} s, {:.0} % above what {ms} ms per call allows, and the time falls in proportion to the concurrency. That leaves a large margin inside a Lambda timeout; above `FANOUT_THRESHOLD` accounts the sweep fans out to the worker queue instead (not measured here). Real latency varies by Region and operation, and the per-account API rate limits of STS and sso-admin, not this process, bound how far the concurrency can usefully go.",
        thousands(SCALE_ACCOUNTS),
        default_run.regions,
        thousands(default_run.total_calls),
        default_run.seconds,
        (default_run.seconds / default_run.floor_seconds() - 1.0) * 100.0
    )?;
    if memory.flat {
        writeln!(
            r,
            "- **Memory.** Peak RSS stays flat from {} to {} accounts: what the sweep holds is bounded by the concurrency and the account instances it finds, not by the size of the organization.",
            thousands(first.accounts),
            thousands(last.accounts)
        )?;
    } else {
        writeln!(
            r,
            "- **Memory.** Peak RSS is **not** flat: from {} to {} accounts it went from {:.1} to {:.1} MiB ({:+.0} KiB per 1,000 accounts, about {:.0} bytes per account/Region listed). What the sweep holds grows with the size of the organization, not only with the concurrency and the account instances it finds; small next to a Lambda's memory at these sizes, but linear in accounts × Regions.",
            thousands(first.accounts),
            thousands(last.accounts),
            mib(first.hwm_kb),
            mib(last.hwm_kb),
            memory.growth_per_1000_kb,
            memory.bytes_per_listing
        )?;
    }
    writeln!(
        r,
        "- **Emulator.** The ratio ({ratio:.1}×) is **not** a prediction for real AWS. Here the emulator's own per-request cost dominates: moto is one Python process (threaded, but holding the GIL while it handles a request), so requests are served mostly one at a time and the guardrail's {DEFAULT_SWEEP_CONCURRENCY} calls in flight queue behind each other: the sweep took {g_med:.2} s at concurrency {DEFAULT_SWEEP_CONCURRENCY} and {s_med:.2} s at 1. The emulator sets the pace of both sides ({gc_med:.0} calls/s for the guardrail, {bc_med:.0} for the loop), on the same {} cores as the clients. Against real AWS each call costs tens of milliseconds of network and service time and the service answers in parallel: the sequential loop pays each of those latencies in turn, the sweep overlaps `SWEEP_CONCURRENCY` of them — part 1 shows what that is worth.",
        m.cores
    )?;
    let (per_account, at_one) = (assumed(g_calls), assumed(s_calls));
    let assume_note = if per_account == emu.members as u64 && at_one == emu.members as u64 {
        "once per account, like the loop: the adapters cache each account's credentials for the life of the container, whatever the number of Regions and calls".to_owned()
    } else {
        "more than one per account, so the assumed credentials are not reused for every call; these extra requests are in its wall time here, and in a large organization they would count against the STS request rate".to_owned()
    };
    writeln!(
        r,
        "- **AssumeRole.** The loop assumes the member role once per account ({}). The guardrail's adapters made {per_account} `AssumeRole` calls at concurrency {DEFAULT_SWEEP_CONCURRENCY} and {at_one} at 1, for {} member accounts × {} Regions and {} account instances: {assume_note}.",
        assumed(b_calls),
        emu.members,
        emu.regions.split(',').count(),
        emu.planted
    )?;
    writeln!(
        r,
        "- **Same answer.** Both sides found the same {} account instances with the same applications and tags, so the comparison is like for like; the guardrail's time also covers work the loop does not do (delegated administrators, publishing findings and a summary).",
        emu.planted
    )?;
    Ok(())
}
