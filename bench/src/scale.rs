//! Part 1: the sweep at scale, through metered in-memory ports that sleep on every call. Each
//! measurement is one sweep in a fresh child process of this binary, so its peak memory
//! belongs to that sweep alone.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use idc_aws::clock::SystemClock;
use idc_core::settings::DEFAULT_SWEEP_CONCURRENCY;
use idc_core::sweep::no_progress;
use idc_core::{Budget, Guardrail, Settings};

use idc_testkit::{Fleet, Publisher};
use serde_json::{json, Value};

use crate::memory::peak_rss_kb;
use crate::metered::{Meter, Metered};

/// Latency injected into every port call of the scale runs.
pub const LATENCY: Duration = Duration::from_millis(20);
/// Accounts of the scale runs (the management account comes on top).
pub const SCALE_ACCOUNTS: usize = 1_000;
/// Concurrencies the scale runs compare (the default is one of them).
const CONCURRENCIES: [usize; 3] = [8, DEFAULT_SWEEP_CONCURRENCY, 128];
/// Organization sizes of the memory runs, at the default concurrency.
const MEMORY_SIZES: [usize; 4] = [250, 500, 1_000, 2_000];
/// One account in this many has an account instance in the synthetic organization (2 %).
pub const ONE_IN: usize = 50;
/// Target wall time of the 1,000-account sweep at the default concurrency.
pub const TARGET_SECONDS: f64 = 60.0;

/// One sweep at scale, as its child process reported it.
#[derive(Clone)]
pub struct ScaleRun {
    pub accounts: usize,
    pub regions: usize,
    pub concurrency: usize,
    pub seconds: f64,
    pub calls: BTreeMap<String, u64>,
    pub total_calls: u64,
    pub findings: usize,
    pub hwm_before_kb: u64,
    pub hwm_kb: u64,
}

impl ScaleRun {
    /// The wall time latency alone imposes: the sequential steps (describe the organization,
    /// its delegated administrators, list its accounts; publish the findings, the summary)
    /// and the listing and enrichment rounds, `concurrency` calls at a time.
    pub fn floor_seconds(&self) -> f64 {
        let listings = self.accounts * self.regions;
        let rounds =
            5 + listings.div_ceil(self.concurrency) + self.findings.div_ceil(self.concurrency);
        rounds as f64 * LATENCY.as_secs_f64()
    }
}

/// The scale runs: at [`SCALE_ACCOUNTS`] for each concurrency, and at each memory size at
/// the default concurrency.
pub struct ScaleRuns {
    /// One run per concurrency, at [`SCALE_ACCOUNTS`].
    pub by_concurrency: Vec<ScaleRun>,
    /// One run per organization size at the default concurrency, smallest first.
    pub by_size: Vec<ScaleRun>,
}

impl ScaleRuns {
    /// The run at [`SCALE_ACCOUNTS`] and the default concurrency.
    pub fn default_run(&self) -> Result<&ScaleRun> {
        self.by_concurrency
            .iter()
            .find(|s| s.concurrency == DEFAULT_SWEEP_CONCURRENCY)
            .ok_or_else(|| anyhow!("no scale run at the default concurrency"))
    }
}

/// Every scale run, each in a fresh process.
pub async fn sweep_at_scale() -> Result<ScaleRuns> {
    let mut by_concurrency = Vec::new();
    for c in CONCURRENCIES {
        by_concurrency.push(in_child_process(SCALE_ACCOUNTS, c).await?);
    }
    let mut by_size: Vec<ScaleRun> = by_concurrency
        .iter()
        .filter(|s| s.concurrency == DEFAULT_SWEEP_CONCURRENCY)
        .cloned()
        .collect();
    for n in MEMORY_SIZES {
        if n != SCALE_ACCOUNTS {
            by_size.push(in_child_process(n, DEFAULT_SWEEP_CONCURRENCY).await?);
        }
    }
    by_size.sort_by_key(|s| s.accounts);
    Ok(ScaleRuns {
        by_concurrency,
        by_size,
    })
}

/// Settings of the scale runs: the 17 default Regions, report only, never fanned out.
fn scale_settings(concurrency: usize) -> Result<Settings> {
    Ok(Settings {
        sweep_concurrency: concurrency,
        fanout_threshold: 1_000_000,
        ..Settings::default()
    })
}

/// One scale measurement, in this (fresh) process; prints one JSON line for the parent.
pub async fn one_sweep(accounts: usize, concurrency: usize) -> Result<()> {
    let settings = scale_settings(concurrency)?;
    let regions = settings.regions.len();
    let fleet = Fleet::new(accounts, ONE_IN);
    let planted = fleet.account_instances;
    let meter = Arc::new(Meter::with_latency(LATENCY));
    let guardrail = Guardrail::new(
        Metered::new(fleet.organization, &meter),
        Metered::new(fleet.instances, &meter),
        Metered::new(Publisher::default(), &meter),
        SystemClock,
        settings,
    );
    let hwm_before = peak_rss_kb()?;
    let start = Instant::now();
    let report = guardrail
        .sweep("sweep-bench", Budget::unbounded(), &no_progress)
        .await
        .context("the sweep failed")?;
    let seconds = start.elapsed().as_secs_f64();
    let hwm = peak_rss_kb()?;

    let summary = &report.summary;
    if summary.account_regions_listed != accounts * regions
        || !summary.unreachable.is_empty()
        || report.findings.len() != planted
    {
        bail!(
            "the sweep of {accounts} accounts listed {} of {} account/Regions ({} unreachable) and gave {} findings for {planted} account instances",
            summary.account_regions_listed,
            accounts * regions,
            summary.unreachable.len(),
            report.findings.len()
        );
    }
    let calls = meter.counts();
    let line = json!({
        "accounts": accounts,
        "regions": regions,
        "concurrency": concurrency,
        "seconds": seconds,
        "calls": calls,
        "total_calls": calls.values().sum::<u64>(),
        "findings": report.findings.len(),
        "by_rule": summary.by_rule,
        "vm_hwm_before_kb": hwm_before,
        "vm_hwm_kb": hwm,
    });
    println!("{line}");
    Ok(())
}

/// Runs [`one_sweep`] in a child process of this binary and reads its JSON line.
async fn in_child_process(accounts: usize, concurrency: usize) -> Result<ScaleRun> {
    let exe = std::env::current_exe().context("cannot find this executable")?;
    eprintln!("idc-bench: sweep of {accounts} accounts x 17 Regions at concurrency {concurrency} (fresh process)");
    let out = tokio::process::Command::new(&exe)
        .args([
            "--child-scale",
            &accounts.to_string(),
            "--concurrency",
            &concurrency.to_string(),
        ])
        .output()
        .await
        .with_context(|| format!("cannot run {}", exe.display()))?;
    if !out.status.success() {
        bail!(
            "the scale run ({accounts} accounts, concurrency {concurrency}) failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    let v: Value = serde_json::from_str(line)
        .with_context(|| format!("the scale run printed `{line}` instead of JSON"))?;
    let field = |k: &str| {
        v[k].as_u64()
            .ok_or_else(|| anyhow!("scale run: no `{k}` in {v}"))
    };
    let calls: BTreeMap<String, u64> =
        serde_json::from_value(v["calls"].clone()).context("scale run: calls")?;
    Ok(ScaleRun {
        accounts,
        regions: usize::try_from(field("regions")?)?,
        concurrency,
        seconds: v["seconds"]
            .as_f64()
            .ok_or_else(|| anyhow!("scale run: no seconds in {v}"))?,
        total_calls: field("total_calls")?,
        findings: usize::try_from(field("findings")?)?,
        hwm_before_kb: field("vm_hwm_before_kb")?,
        hwm_kb: field("vm_hwm_kb")?,
        calls,
    })
}
