//! The rules engine alone, in process: parse + evaluate over the `events/` samples, on one
//! thread, with no I/O. Every scenario of `events/manifest.json` (its event, its inventory,
//! its policy flags, its `now`) is taken in turn; the event's bytes are parsed anew each time
//! (as a Lambda receives them), the inventory is parsed once (it stands for the facts the
//! adapters gather). `black_box` keeps the work from being optimised away.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use chrono::{DateTime, Utc};
use idc_core::exemption::parse_exemptions;
use idc_core::{evaluate_trigger, parse_event_bytes, Finding, Inventory, Policy, Trigger};
use serde_json::Value;

use crate::stats::stats;

/// Rounds of the loop and the time of each.
const ROUNDS: usize = 7;
const ROUND: Duration = Duration::from_millis(500);

struct Scenario {
    event: Vec<u8>,
    inventory: Option<Inventory>,
    policy: Policy,
}

pub struct RulesBench {
    pub scenarios: usize,
    /// Parse + evaluate: evaluations per second of each round.
    pub rates: Vec<f64>,
    /// The two halves apart: parses per second (`parse_event_bytes` alone), and evaluations
    /// per second of triggers parsed beforehand (`evaluate_trigger` alone).
    pub parse_rates: Vec<f64>,
    pub evaluate_rates: Vec<f64>,
    /// The floor under any parser of these bytes: serde_json reading each envelope and
    /// keeping nothing (`IgnoredAny`), per second.
    pub scan_rates: Vec<f64>,
    /// Findings per pass over every scenario (a check that the loop judged something).
    pub findings_per_pass: usize,
}

fn policy(flags: &[Value]) -> Result<Policy> {
    let mut policy = Policy::default();
    let mut flags = flags.iter().filter_map(Value::as_str);
    while let Some(flag) = flags.next() {
        let mut value = || flags.next().ok_or_else(|| anyhow!("{flag} needs a value"));
        match flag {
            "--auto-remediate" => policy.auto_remediate = true,
            "--dry-run" => policy.dry_run = true,
            "--force-delete-in-use" => policy.force_delete_in_use = true,
            "--exempt-tag" => policy.exempt_tag = Some(value()?.to_owned()),
            "--trial-days" => policy.trial_days = value()?.parse().context("--trial-days")?,
            "--exempt-accounts" => {
                policy.exempt_accounts = value()?.split(',').map(str::to_owned).collect()
            }
            "--exemptions" => {
                policy.exemptions = parse_exemptions(value()?).map_err(|e| anyhow!("{e}"))?
            }
            "--exempt-tag-policy-id" => policy.exempt_tag_policy_id = Some(value()?.to_owned()),
            other => bail!("unknown flag {other} in events/manifest.json"),
        }
    }
    Ok(policy)
}

fn scenarios() -> Result<(Vec<Scenario>, DateTime<Utc>)> {
    let dir = idc_e2e::repo_root().join("events");
    let read = |name: &str| {
        std::fs::read(dir.join(name)).with_context(|| format!("cannot read events/{name}"))
    };
    let manifest: Value =
        serde_json::from_slice(&read("manifest.json")?).context("events/manifest.json")?;
    let now: DateTime<Utc> = manifest["now"]
        .as_str()
        .ok_or_else(|| anyhow!("events/manifest.json: no `now`"))?
        .parse()
        .context("events/manifest.json: `now`")?;
    let samples = manifest["samples"]
        .as_array()
        .ok_or_else(|| anyhow!("events/manifest.json: no samples"))?;
    let mut out = Vec::with_capacity(samples.len());
    for s in samples {
        let event = read(s["event"].as_str().unwrap_or_default())?;
        let inventory = match s["inventory"].as_str() {
            Some(name) => Some(
                Inventory::from_json_bytes(&read(name)?)
                    .map_err(|e| anyhow!("events/{name}: {e}"))?,
            ),
            None => None,
        };
        let policy = policy(s["flags"].as_array().map_or(&[][..], Vec::as_slice))
            .with_context(|| format!("scenario {}", s["scenario"]))?;
        out.push(Scenario {
            event,
            inventory,
            policy,
        });
    }
    Ok((out, now))
}

/// Evaluates and assembles the findings, as a caller of the rules gets them (the evaluation
/// holds violations and decisions; each finding is assembled from them); how many.
fn evaluate(trigger: &Trigger, s: &Scenario, now: DateTime<Utc>) -> usize {
    let evaluation = evaluate_trigger(trigger, s.inventory.as_ref(), &s.policy, now);
    let findings: Vec<Finding> = evaluation.findings().collect();
    black_box(&findings);
    findings.len()
}

/// One parse + evaluate; the number of findings.
fn once(s: &Scenario, now: DateTime<Utc>) -> usize {
    match parse_event_bytes(black_box(&s.event)) {
        Ok(trigger) => evaluate(&trigger, s, now),
        Err(e) => {
            black_box(&e);
            0
        }
    }
}

/// Runs `pass` (one pass over the scenarios, returning how many it did) for `ROUNDS` rounds of
/// `ROUND` after one untimed round (caches, the allocator): the rate of each round.
fn rounds(mut pass: impl FnMut() -> u64) -> Vec<f64> {
    let mut rates = Vec::with_capacity(ROUNDS);
    for round in 0..=ROUNDS {
        let start = Instant::now();
        let mut done = 0u64;
        while start.elapsed() < ROUND {
            done += pass();
        }
        if round > 0 {
            rates.push(done as f64 / start.elapsed().as_secs_f64());
        }
    }
    rates
}

pub fn measure() -> Result<RulesBench> {
    let (scenarios, now) = scenarios()?;
    if scenarios.is_empty() {
        bail!("events/manifest.json has no samples");
    }
    let findings_per_pass = scenarios.iter().map(|s| once(s, now)).sum();
    let rates = rounds(|| {
        for s in &scenarios {
            black_box(once(s, now));
        }
        scenarios.len() as u64
    });
    let parse_rates = rounds(|| {
        for s in &scenarios {
            let _ = black_box(parse_event_bytes(black_box(&s.event)));
        }
        scenarios.len() as u64
    });
    let parsed: Vec<_> = scenarios
        .iter()
        .filter_map(|s| Some((parse_event_bytes(&s.event).ok()?, s)))
        .collect();
    let evaluate_rates = rounds(|| {
        for (trigger, s) in &parsed {
            black_box(evaluate(black_box(trigger), s, now));
        }
        parsed.len() as u64
    });
    let scan_rates = rounds(|| {
        for s in &scenarios {
            let _ = black_box(serde_json::from_slice::<serde::de::IgnoredAny>(black_box(
                &s.event,
            )));
        }
        scenarios.len() as u64
    });
    Ok(RulesBench {
        scenarios: scenarios.len(),
        rates,
        parse_rates,
        evaluate_rates,
        scan_rates,
        findings_per_pass,
    })
}

impl RulesBench {
    pub fn median_rate(&self) -> f64 {
        stats(self.rates.iter().copied()).0
    }
}
