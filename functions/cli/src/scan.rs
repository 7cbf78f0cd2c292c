//! `idc-guard scan`: the organization-wide sweep from a terminal or a pipeline.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::Duration;

use chrono::Utc;
use idc_core::sweep::SweepSummary;
use idc_core::HandleError;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{Format, ScanArgs};
use crate::exit::Failure;

/// Exit code of a scan that could not reach every account and Region.
pub const INCOMPLETE: u8 = 3;

pub async fn run(args: &ScanArgs) -> Result<u8, Failure> {
    let guardrail = crate::live::guardrail(
        &args.live,
        args.policy.to_policy(),
        args.publish_to.as_deref(),
    )
    .await;
    let sweep_id = format!("scan-{}", Utc::now().format("%Y%m%dT%H%M%SZ"));
    let progress = Progress::new();
    let swept = guardrail
        .sweep(&sweep_id, idc_core::Budget::unbounded(), &|done, total| {
            progress.update(done, total)
        })
        .await;
    progress.finish();
    let report = match swept {
        Ok(report) => report,
        // What was found is published and printed; the exit code says the look is incomplete.
        Err(HandleError::SweepIncomplete { summary, reasons }) => {
            eprint_summary(&summary);
            for reason in reasons {
                eprintln!("incomplete: {reason}");
            }
            return Ok(INCOMPLETE);
        }
        Err(e) => return Err(Failure::Failed(e.to_string())),
    };
    match args.format {
        Format::Json => {
            let lines: Vec<String> = report.findings.iter().map(|f| f.to_json()).collect();
            crate::exit::print_lines(&lines)?;
        }
        Format::Table => {
            let mut rows = vec![[
                "RULE".to_owned(),
                "SEVERITY".into(),
                "ACCOUNT".into(),
                "REGION".into(),
                "REMEDIATION".into(),
                "INSTANCE".into(),
            ]];
            for f in &report.findings {
                rows.push([
                    f.rule.as_str().into(),
                    f.severity.as_str().into(),
                    f.account_id.clone(),
                    f.region.clone(),
                    f.remediation.status.as_str().into(),
                    f.instance_arn.clone().unwrap_or_default(),
                ]);
            }
            if report.findings.is_empty() {
                crate::exit::print_lines(&["no account instance found".to_owned()])?;
            } else {
                crate::table::print(&rows);
            }
        }
    }
    eprint_summary(&report.summary);
    Ok(if report.summary.is_complete() {
        0
    } else {
        INCOMPLETE
    })
}

fn eprint_summary(summary: &SweepSummary) {
    eprintln!(
        "{}: {} account(s) x {} Region(s), {} listed, {} finding(s){}",
        summary.sweep_id,
        summary.accounts,
        summary.regions.len(),
        summary.account_regions_listed,
        summary.findings,
        if summary.by_status.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                summary
                    .by_status
                    .iter()
                    .map(|(k, v)| format!("{v} {k}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    for u in &summary.unreachable {
        eprintln!("unreachable: {} {}: {}", u.account_id, u.region, u.error);
    }
    for u in &summary.unknown_facts {
        eprintln!(
            "unknown: {} {} {}: {}",
            u.account_id, u.region, u.instance_arn, u.fact
        );
    }
    for g in &summary.coverage.gaps {
        let region = g.region.as_deref().unwrap_or("every Region");
        eprintln!("coverage gap: {} {region}: {}", g.account_id, g.detail);
    }
}

/// A progress bar on a terminal; otherwise a plain line at every tenth of the way.
struct Progress {
    bar: Option<ProgressBar>,
    last_tenth: Mutex<usize>,
}

impl Progress {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} scanning [{bar:40}] {pos}/{len} account-Regions ({per_sec}, eta {eta})",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            last_tenth: Mutex::new(0),
        }
    }

    fn update(&self, done: usize, total: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            return;
        }
        let tenth = (done * 10).checked_div(total).unwrap_or(10);
        if let Ok(mut last) = self.last_tenth.lock() {
            if tenth > *last {
                *last = tenth;
                eprintln!("scanned {done}/{total} account-Regions");
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
