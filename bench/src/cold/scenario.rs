//! One cold event, both sides, on the local AWS emulator: the organization, the member
//! accounts and their account instances, the event, and the runs (alternating, after one
//! untimed warm-up of each side), plain and with latency injected on every AWS call.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use idc_e2e::events;
use idc_e2e::proxy::{Fault, Rule, Seen};
use idc_e2e::world::{World, OTHER_REGION};
use serde_json::Value;

use super::compare::{normalised, Published};
use super::one_event::{one_event, ColdRun};
use super::sides::Side;

/// The latency of the latency mode, on every AWS call (as the fault tests inject it).
pub const LATENCY: Duration = Duration::from_millis(20);
/// Timed runs of each side and mode (plain), and with latency.
pub const DEFAULT_COLD_RUNS: usize = 20;
pub const DEFAULT_LATENCY_RUNS: usize = 5;
/// A fixed creation date, so that every planted instance reads the same.
const CREATED: &str = "2026-11-20T09:58:00Z";
const EVENT_ID: &str = "0d5e2c1b-7a6f-4e3d-9c8b-1a2b3c4d5e01";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    /// The default: the finding is published, nothing is deleted.
    ReportOnly,
    /// `AUTO_REMEDIATE=true`: announced, deleted, confirmed, the outcome published.
    Delete,
}

impl Mode {
    pub const BOTH: [Mode; 2] = [Mode::ReportOnly, Mode::Delete];

    pub fn label(self) -> &'static str {
        match self {
            Mode::ReportOnly => "report only",
            Mode::Delete => "with a deletion",
        }
    }

    fn expected_status(self) -> &'static str {
        match self {
            Mode::ReportOnly => "skipped_not_enabled",
            Mode::Delete => "deleted",
        }
    }
}

/// One measured cold event.
pub struct Sample {
    pub side: Side,
    pub mode: Mode,
    pub latency: bool,
    pub run: ColdRun,
    /// AWS calls by operation, from the request log of the proxy in front of the emulator.
    pub calls: BTreeMap<String, u64>,
    /// The most calls the event waited for one after another (see [`in_a_row`]).
    pub in_a_row: usize,
}

/// The longest chain of calls of which each was made only after the one before it was
/// answered: the round trips a side paid in a row. With latency on every call, calls made at
/// once overlap and count once. (The most intervals that do not overlap: taken greedily by
/// earliest answer.)
pub fn in_a_row(log: &[Seen]) -> usize {
    let mut calls: Vec<(Instant, Instant)> = log
        .iter()
        .filter_map(|s| Some((s.arrived, s.answered?)))
        .collect();
    calls.sort_by_key(|&(_, answered)| answered);
    let mut chain = 0;
    let mut free_from: Option<Instant> = None;
    for (arrived, answered) in calls {
        if free_from.is_none_or(|t| arrived >= t) {
            chain += 1;
            free_from = Some(answered);
        }
    }
    chain
}

/// The emulator with its organization: one member whose account instance stays (report
/// only), one whose instance is planted anew before each deletion.
pub struct Stage {
    pub world: World,
    pub(super) reported: String,
    pub(super) reported_arn: String,
    deleted: String,
    /// The first run's messages of each mode, to which every other run must be equal.
    reference: BTreeMap<Mode, (Side, Vec<Published>)>,
}

impl Stage {
    pub async fn start() -> Result<Stage> {
        let world = World::start().await.context("starting the emulator")?;
        let reported = world.create_member("cold-report").await?;
        let reported_arn = world.create_instance(&reported, OTHER_REGION, &[]).await?;
        world.set_created_date(&reported_arn, CREATED)?;
        let deleted = world.create_member("cold-delete").await?;
        Ok(Stage {
            world,
            reported,
            reported_arn,
            deleted,
            reference: BTreeMap::new(),
        })
    }

    /// The environment of both sides: what Lambda gives a function, and the guardrail's settings.
    fn env(&self, mode: Mode) -> Vec<(String, String)> {
        let remediate = if mode == Mode::Delete {
            "true"
        } else {
            "false"
        };
        let mut env = self
            .world
            .lambda_env(&[("AUTO_REMEDIATE", remediate), ("REGIONS", OTHER_REGION)]);
        env.extend(
            [
                ("AWS_DEFAULT_REGION", idc_e2e::world::HOME_REGION),
                ("AWS_LAMBDA_FUNCTION_NAME", super::sides::FUNCTION),
                ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
                ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
        env
    }

    /// One cold event of `side`: checked (the answer, the instance, the published messages),
    /// with the calls it made.
    pub async fn run(&mut self, side: Side, mode: Mode, latency: bool) -> Result<Sample> {
        let (account, arn) = match mode {
            Mode::ReportOnly => (self.reported.clone(), self.reported_arn.clone()),
            Mode::Delete => {
                let arn = self
                    .world
                    .create_instance(&self.deleted, OTHER_REGION, &[])
                    .await?;
                self.world.set_created_date(&arn, CREATED)?;
                (self.deleted.clone(), arn)
            }
        };
        let event = events::create_instance(&account, OTHER_REGION, Some(&arn), EVENT_ID)?;
        let proxy = self.world.proxy();
        proxy.clear_log();
        let rule = latency.then(|| proxy.inject(Rule::any().fault(Fault::Delay(LATENCY))));
        let log = tempfile_log()?;
        let run = one_event(side.command(&self.env(mode))?, &event, log.1).await;
        if rule.is_some() {
            proxy.clear();
        }
        let run = run.with_context(|| {
            format!(
                "{} ({}): see {}",
                side.label(),
                mode.label(),
                log.0.display()
            )
        })?;
        let seen = proxy.log();
        let in_a_row = in_a_row(&seen);
        let calls = seen.into_iter().fold(BTreeMap::new(), |mut m, seen| {
            *m.entry(seen.operation).or_insert(0) += 1;
            m
        });
        self.check(side, mode, &run.answer, &account, &arn).await?;
        let _ = std::fs::remove_file(&log.0);
        Ok(Sample {
            side,
            mode,
            latency,
            run,
            calls,
            in_a_row,
        })
    }

    async fn check(
        &mut self,
        side: Side,
        mode: Mode,
        answer: &Value,
        account: &str,
        arn: &str,
    ) -> Result<()> {
        let status = answer["findings"][0]["remediation_status"].as_str();
        if answer["findings"].as_array().map(Vec::len) != Some(1)
            || answer["findings"][0]["rule"] != "IDC001"
            || status != Some(mode.expected_status())
        {
            bail!(
                "{} ({}) answered {answer}, not one IDC001 finding `{}`",
                side.label(),
                mode.label(),
                mode.expected_status()
            );
        }
        let exists = self.world.exists(account, OTHER_REGION, arn).await?;
        if exists == (mode == Mode::Delete) {
            bail!(
                "{} ({}): the instance is {}",
                side.label(),
                mode.label(),
                if exists { "still there" } else { "gone" }
            );
        }
        let messages = self.world.messages().await?;
        let published = normalised(&messages, EVENT_ID, arn)
            .with_context(|| format!("{} ({})", side.label(), mode.label()))?;
        match self.reference.get(&mode) {
            None => {
                self.reference.insert(mode, (side, published));
            }
            Some((first, reference)) if *reference != published => bail!(
                "{} ({}) published other messages than {} did:\n  {}\n  {}",
                side.label(),
                mode.label(),
                first.label(),
                serde_json::to_string(&published)?,
                serde_json::to_string(reference)?
            ),
            Some(_) => {}
        }
        Ok(())
    }

    /// What every run of a mode published (equal on both sides), for the report.
    pub fn published(&self, mode: Mode) -> Option<&[Published]> {
        self.reference.get(&mode).map(|(_, p)| p.as_slice())
    }
}

/// A scratch file for a function's logs (kept when its run fails).
fn tempfile_log() -> Result<(std::path::PathBuf, std::fs::File)> {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("idc-bench-cold-{}-{n}.log", std::process::id()));
    let file = std::fs::File::create(&path)
        .with_context(|| format!("cannot create {}", path.display()))?;
    Ok((path, file))
}

/// Every measured run: a warm-up of each side (untimed), then `runs` of each side and mode,
/// alternating, then `latency_runs` of each with [`LATENCY`] on every call.
pub async fn all_runs(stage: &mut Stage, runs: usize, latency_runs: usize) -> Result<Vec<Sample>> {
    for side in Side::BOTH {
        eprintln!("idc-bench: cold start warm-up: {}", side.label());
        stage.run(side, Mode::ReportOnly, false).await?;
    }
    let mut samples = Vec::with_capacity(4 * (runs + latency_runs));
    for (latency, n) in [(false, runs), (true, latency_runs)] {
        for mode in Mode::BOTH {
            eprintln!(
                "idc-bench: cold start, {}{}: {n} runs of each side, alternating",
                mode.label(),
                if latency { ", 20 ms per AWS call" } else { "" }
            );
            for _ in 0..n {
                for side in Side::BOTH {
                    samples.push(stage.run(side, mode, latency).await?);
                }
            }
        }
    }
    Ok(samples)
}
