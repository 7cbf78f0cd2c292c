//! Part 2: the guardrail's sweep through the real SDK adapters on the local AWS emulator,
//! side by side with the boto3 loop ([`crate::baseline`]), over the same planted organization.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use idc_aws::clock::SystemClock;
use idc_aws::organizations::Organizations;
use idc_aws::sns::SnsPublisher;
use idc_core::settings::{DEFAULT_MEMBER_ROLE_NAME, DEFAULT_SWEEP_CONCURRENCY};
use idc_core::sweep::no_progress;
use idc_core::{Budget, Guardrail};
use idc_e2e::world::World;

use crate::baseline::baseline_run;
use crate::metered::{Meter, Metered};
use crate::planted::{plant, Planted};
use crate::timed::{Found, Timed};

/// Timed runs of each side on the emulator (after one untimed warm-up each).
pub const DEFAULT_RUNS: usize = 3;

/// How many times the guardrail's member role was assumed so far.
fn assumed_roles(world: &World) -> Result<u64> {
    Ok(world.emulator.assume_role_count(DEFAULT_MEMBER_ROLE_NAME)? as u64)
}

/// The guardrail's sweep, report only, through the real SDK adapters (a fresh guardrail,
/// so member roles are assumed anew as in the baseline), `concurrency` calls in flight.
async fn guardrail_run(p: &Planted, concurrency: usize) -> Result<Timed> {
    let concurrency = concurrency.to_string();
    let settings = p
        .world
        .settings(&[("REGIONS", &p.regions), ("SWEEP_CONCURRENCY", &concurrency)])?;
    let sdk = &p.world.sdk;
    let meter = Arc::new(Meter::default());
    let organizations = Organizations::from_config(sdk);
    let instances =
        idc_aws::clients::member_instances(sdk, &organizations, &settings.member_role_name, None);
    let guardrail = Guardrail::new(
        Metered::new(organizations, &meter),
        Metered::new(instances, &meter),
        Metered::new(SnsPublisher::from_config(sdk, settings.topic_arn), &meter),
        SystemClock,
        settings.guardrail,
    );
    let assumed_before = assumed_roles(&p.world)?;
    let start = Instant::now();
    let report = guardrail
        .sweep("sweep-bench", Budget::unbounded(), &no_progress)
        .await
        .context("the guardrail's sweep on the emulator failed")?;
    let seconds = start.elapsed().as_secs_f64();
    let mut calls = meter.counts();
    calls.insert(
        "AssumeRole".to_owned(),
        assumed_roles(&p.world)? - assumed_before,
    );
    if !report.summary.unreachable.is_empty() {
        bail!(
            "the guardrail could not list {} account/Regions: {:?}",
            report.summary.unreachable.len(),
            report.summary.unreachable
        );
    }
    let found = report
        .findings
        .iter()
        .map(|f| {
            let arn = f.instance_arn.clone().unwrap_or_default();
            (
                f.account_id.clone(),
                f.region.clone(),
                arn.clone(),
                f.instance.as_ref().and_then(|i| i.application_count),
                meter.tag_count(&arn),
            )
        })
        .collect();
    Ok(Timed {
        seconds,
        calls,
        found,
        import_seconds: 0.0,
        client_setup_seconds: 0.0,
        process_seconds: seconds,
    })
}

/// Every side must find exactly the planted account instances, or the bench fails.
fn check_found(side: &str, got: &BTreeSet<Found>, expected: &BTreeSet<Found>) -> Result<()> {
    if got != expected {
        let missing: Vec<_> = expected.difference(got).collect();
        let extra: Vec<_> = got.difference(expected).collect();
        bail!(
            "{side} did not find exactly the planted account instances\n  missing: {missing:?}\n  unexpected: {extra:?}"
        );
    }
    Ok(())
}

/// The timed runs of both sides, and what they searched.
pub struct SideBySide {
    pub members: usize,
    /// The Regions searched, comma-separated.
    pub regions: String,
    pub planted: usize,
    /// The guardrail at the default concurrency.
    pub guardrail: Vec<Timed>,
    /// The guardrail at concurrency 1.
    pub sequential: Vec<Timed>,
    /// The boto3 loop.
    pub baseline: Vec<Timed>,
}

/// A warm-up of each side, then `runs` timed runs of each, alternating.
pub async fn side_by_side(runs: usize) -> Result<SideBySide> {
    let p = plant().await?;
    // Untimed warm-up of each side (the emulator creates its per-Region backends lazily).
    eprintln!("idc-bench: warm-up run of each side on the emulator");
    check_found(
        "the guardrail (warm-up)",
        &guardrail_run(&p, DEFAULT_SWEEP_CONCURRENCY).await?.found,
        &p.expected,
    )?;
    check_found(
        "the baseline loop (warm-up)",
        &baseline_run(&p).await?.found,
        &p.expected,
    )?;
    let mut guardrail = Vec::with_capacity(runs);
    let mut sequential = Vec::with_capacity(runs);
    let mut baseline = Vec::with_capacity(runs);
    for run in 1..=runs {
        eprintln!("idc-bench: emulator run {run} of {runs}: the guardrail's sweep (concurrency {DEFAULT_SWEEP_CONCURRENCY}, then 1), then the boto3 loop");
        let g = guardrail_run(&p, DEFAULT_SWEEP_CONCURRENCY).await?;
        check_found("the guardrail", &g.found, &p.expected)?;
        let one = guardrail_run(&p, 1).await?;
        check_found("the guardrail at concurrency 1", &one.found, &p.expected)?;
        sequential.push(one);
        let b = baseline_run(&p).await?;
        check_found("the baseline loop", &b.found, &p.expected)?;
        check_found(
            "the baseline loop (against the guardrail)",
            &b.found,
            &g.found,
        )?;
        guardrail.push(g);
        baseline.push(b);
    }
    Ok(SideBySide {
        members: p.members,
        regions: p.regions,
        planted: p.expected.len(),
        guardrail,
        sequential,
        baseline,
    })
}
