//! Part 2: the guardrail's sweep through the real SDK adapters on the local AWS emulator,
//! side by side with the boto3 loop ([`crate::baseline`]), over the same planted organization.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use idc_aws::clock::SystemClock;
use idc_aws::organizations::Organizations;
use idc_aws::sns::SnsPublisher;
use idc_core::settings::{DEFAULT_MEMBER_ROLE_NAME, DEFAULT_SWEEP_CONCURRENCY};
use idc_core::sweep::no_progress;
use idc_core::{Budget, Guardrail};
use idc_e2e::world::{World, HOME_REGION, OTHER_REGION};
use idc_testkit::TRIAL_TAG;

use crate::baseline::baseline_run;
use crate::metered::{Meter, Metered};

/// Member accounts and Regions of the side-by-side runs on the emulator.
const EMULATOR_MEMBERS: usize = 50;
const THIRD_REGION: &str = "ap-southeast-2";
/// Timed runs of each side on the emulator (after one untimed warm-up each).
pub const DEFAULT_RUNS: usize = 3;

/// One account instance as a side saw it: account, Region, ARN, applications, tags.
pub type Found = (String, String, String, Option<u32>, Option<usize>);

/// One timed run of one side.
pub struct Timed {
    pub seconds: f64,
    pub calls: BTreeMap<String, u64>,
    pub found: BTreeSet<Found>,
    /// Baseline only: interpreter start-up and `import boto3`, and boto3 client creation.
    pub import_seconds: f64,
    pub client_setup_seconds: f64,
    pub process_seconds: f64,
}

impl Timed {
    pub fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }
    pub fn calls_per_second(&self) -> f64 {
        self.total_calls() as f64 / self.seconds
    }
}

/// The emulator with its organization and planted account instances.
pub struct Planted {
    pub world: World,
    /// The Regions searched, comma-separated.
    pub regions: String,
    expected: BTreeSet<Found>,
    members: usize,
}

async fn plant() -> Result<Planted> {
    eprintln!("idc-bench: starting the emulator and creating {EMULATOR_MEMBERS} member accounts");
    let world = World::start().await.context("starting the emulator")?;
    let mut accounts = Vec::with_capacity(EMULATOR_MEMBERS);
    for i in 0..EMULATOR_MEMBERS {
        accounts.push(world.create_member(&format!("bench-{i:02}")).await?);
    }
    let member = |i: usize| accounts[i * EMULATOR_MEMBERS / 5 + 3].clone();
    let mut expected = BTreeSet::new();
    let mut plant_one = |account: String, region: &str, arn: String, apps: u32, tags: usize| {
        expected.insert((account, region.to_owned(), arn, Some(apps), Some(tags)));
    };
    // A plain account instance.
    let a = member(0);
    let arn = world.create_instance(&a, HOME_REGION, &[]).await?;
    plant_one(a, HOME_REGION, arn, 0, 0);
    // One with an application bound.
    let a = member(1);
    let arn = world.create_instance(&a, OTHER_REGION, &[]).await?;
    world.create_application(&a, OTHER_REGION, &arn).await?;
    plant_one(a, OTHER_REGION, arn, 1, 0);
    // One tagged as a trial.
    let a = member(2);
    let arn = world
        .create_instance(&a, THIRD_REGION, &[(TRIAL_TAG, "owner=data-team")])
        .await?;
    plant_one(a, THIRD_REGION, arn, 0, 1);
    // One in the delegated administrator, which also sees the organization instance.
    let a = member(3);
    let arn = world.create_instance(&a, HOME_REGION, &[]).await?;
    world.register_sso_admin(&a).await?;
    plant_one(a, HOME_REGION, arn, 0, 0);
    // And one more.
    let a = member(4);
    let arn = world.create_instance(&a, OTHER_REGION, &[]).await?;
    plant_one(a, OTHER_REGION, arn, 0, 0);
    Ok(Planted {
        world,
        regions: format!("{HOME_REGION},{OTHER_REGION},{THIRD_REGION}"),
        expected,
        members: accounts.len(),
    })
}

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

/// `bench/baseline_loop.py`, pointed at the same emulator with the same credentials.
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
