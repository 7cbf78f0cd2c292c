//! `idc-guard samples`: evaluate every scenario of the sample manifest, print a table, and
//! optionally compare with (or write) the expected findings. Drives the offline demo and
//! the golden tests.

use std::path::{Path, PathBuf};

use clap::Parser;
use serde_json::{json, Value};

use crate::cli::{Cli, Command, SamplesArgs};
use crate::evaluate::evaluate;
use crate::exit::Failure;

/// The part of a finding the golden files pin down.
fn summary(finding: &idc_core::Finding) -> Value {
    json!({
        "id": finding.id,
        "rule": finding.rule,
        "severity": finding.severity,
        "status": finding.remediation.status,
        "account_id": finding.account_id,
        "region": finding.region,
        "instance_arn": finding.instance_arn,
    })
}

struct Scenario {
    name: String,
    args: Vec<String>,
}

fn scenarios(manifest_path: &Path) -> Result<(Vec<Scenario>, PathBuf), Failure> {
    let text = std::fs::read(manifest_path)
        .map_err(|e| Failure::bad_input(manifest_path, format!("cannot read: {e}")))?;
    let manifest: Value = serde_json::from_slice(&text)
        .map_err(|e| Failure::bad_input(manifest_path, format!("not JSON: {e}")))?;
    let dir = manifest_path
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let now = manifest.get("now").and_then(Value::as_str);
    let samples = manifest
        .get("samples")
        .and_then(Value::as_array)
        .ok_or_else(|| Failure::bad_input(manifest_path, "no `samples` array"))?;
    let mut out = Vec::new();
    for (i, sample) in samples.iter().enumerate() {
        let field = |key: &str| sample.get(key).and_then(Value::as_str);
        let (Some(name), Some(event)) = (field("scenario"), field("event")) else {
            return Err(Failure::bad_input(
                manifest_path,
                format!("samples[{i}] needs `scenario` and `event`"),
            ));
        };
        let mut args = vec![
            "idc-guard".to_owned(),
            "evaluate".to_owned(),
            "--event".to_owned(),
            dir.join(event).display().to_string(),
        ];
        if let Some(inventory) = field("inventory") {
            args.push("--inventory".into());
            args.push(dir.join(inventory).display().to_string());
        }
        if let Some(now) = now {
            args.push("--now".into());
            args.push(now.into());
        }
        for flag in sample
            .get("flags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            args.push(flag.as_str().unwrap_or_default().to_owned());
        }
        out.push(Scenario {
            name: name.to_owned(),
            args,
        });
    }
    Ok((out, dir.join("expected")))
}

pub fn run(args: &SamplesArgs) -> Result<(), Failure> {
    let (scenarios, expected_dir) = scenarios(&args.manifest)?;
    let mut rows = vec![[
        "SCENARIO".to_owned(),
        "RULE".into(),
        "SEVERITY".into(),
        "REMEDIATION".into(),
        "ACCOUNT".into(),
        "REGION".into(),
        "NOTE".into(),
    ]];
    let mut mismatches = Vec::new();
    for scenario in &scenarios {
        let cli = Cli::try_parse_from(&scenario.args).map_err(|e| {
            Failure::bad_input(
                &args.manifest,
                format!("scenario `{}`: {}", scenario.name, e.kind()),
            )
        })?;
        let Command::Evaluate(eval_args) = cli.command else {
            return Err(Failure::Failed(
                "manifest produced a non-evaluate command".into(),
            ));
        };
        let evaluation = evaluate(&eval_args)?;
        let got: Vec<Value> = evaluation.findings().map(|f| summary(&f)).collect();
        for f in evaluation.findings() {
            rows.push([
                scenario.name.clone(),
                f.rule.as_str().into(),
                f.severity.as_str().into(),
                f.remediation.status.as_str().into(),
                f.account_id.clone(),
                f.region.clone(),
                String::new(),
            ]);
        }
        if got.is_empty() {
            let why = evaluation.notes.first().cloned().unwrap_or_default();
            rows.push([
                scenario.name.clone(),
                "-".into(),
                "-".into(),
                "no finding".into(),
                String::new(),
                String::new(),
                why,
            ]);
        }
        let path = expected_dir.join(format!("{}.json", scenario.name));
        let expected_doc = json!({"scenario": scenario.name, "findings": got});
        if args.update {
            let text = serde_json::to_string_pretty(&expected_doc).unwrap_or_default() + "\n";
            std::fs::write(&path, text)
                .map_err(|e| Failure::Failed(format!("{}: cannot write: {e}", path.display())))?;
        } else if args.check {
            let expected: Option<Value> = std::fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok());
            if expected.as_ref() != Some(&expected_doc) {
                mismatches.push(format!(
                    "{}: findings differ from {}\n  got: {}",
                    scenario.name,
                    path.display(),
                    expected_doc["findings"]
                ));
            }
        }
    }
    crate::table::print(&rows);
    if mismatches.is_empty() {
        if args.check {
            println!(
                "\n{} scenarios match their expected findings.",
                scenarios.len()
            );
        }
        Ok(())
    } else {
        Err(Failure::Failed(format!(
            "{} scenario(s) differ from expected:\n{}",
            mismatches.len(),
            mismatches.join("\n")
        )))
    }
}
