//! Metrics without extra calls: CloudWatch Embedded Metric Format (EMF) documents printed to
//! stdout, each on its own line, which CloudWatch Logs turns into metrics. Printed with
//! `println!`, not through `tracing`: the JSON log layer would wrap the document in its own
//! object and CloudWatch would no longer recognise it.
//!
//! Namespace `IdcGuardrail`; every metric has the dimension `Guardrail` (`GUARDRAIL_NAME`).
//! One document per invocation carries, under `[Guardrail]`: `Findings`, `Deletions`, `Skips`,
//! `Failures` and, for the scheduled sweep, `SweepCompleted`, `SweepUnreachable`,
//! `SweepDurationMs`, `SweepAccounts`. An EMF document holds one value per dimension, so
//! `Findings` by `[Guardrail, Rule, Severity]` takes one more line per rule and severity seen.
//!
//! What is counted: `Findings`, the findings the invocation published (their last word, not
//! the `deleting` announcement); `Deletions`, instances it deleted (`deleted`); `Skips`,
//! findings the policy chose not to act on (`skipped_*`); `Failures`, failed invocations (the
//! worker: failed records) — the events Lambda retries and, in the end, the DLQ keeps. A
//! failed invocation's findings are counted by the retry that publishes them.

use std::collections::BTreeMap;

use idc_core::sweep::{SweepMode, SweepSummary};
use idc_core::{Finding, RemediationStatus, RuleId, Severity};
use serde_json::{json, Map, Value};

pub const NAMESPACE: &str = "IdcGuardrail";

/// What one invocation did, counted for the metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvocationMetrics {
    pub findings: BTreeMap<(RuleId, Severity), u64>,
    pub deletions: u64,
    pub skips: u64,
    pub failures: u64,
    pub sweep: Option<SweepMetrics>,
    /// Decisions held at `dry_run` by an unknown fact while deletion is on (sweep and worker).
    pub unknown_facts: u64,
    /// Member accounts where the guardrail can no longer see or act (sweep and worker).
    pub coverage_gaps: u64,
}

/// What a scheduled sweep covered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepMetrics {
    /// Every account and Region it meant to list was listed (or, fanned out, every account
    /// was handed to the workers, whose failures the worker queue retries and keeps).
    pub completed: bool,
    pub unreachable: u64,
    pub duration_ms: u64,
    pub accounts: u64,
}

impl SweepMetrics {
    /// A sweep that finished, from its summary.
    pub fn of(summary: &SweepSummary, duration_ms: u64) -> Self {
        SweepMetrics {
            completed: summary.unreachable.is_empty()
                && matches!(summary.mode, SweepMode::InProcess | SweepMode::FanOut),
            unreachable: summary.unreachable.len() as u64,
            duration_ms,
            accounts: summary.accounts as u64,
        }
    }

    /// A sweep that failed: it completed nothing.
    pub fn failed(duration_ms: u64) -> Self {
        SweepMetrics {
            duration_ms,
            ..SweepMetrics::default()
        }
    }
}

impl InvocationMetrics {
    /// Counts what a sweep's summary names as needing a look: unknown facts, coverage gaps.
    pub fn count_gaps(&mut self, summary: &SweepSummary) {
        self.unknown_facts += summary.unknown_facts.len() as u64;
        self.coverage_gaps += summary.coverage.accounts_with_gaps as u64;
    }

    /// Counts the findings an invocation published (with their outcomes).
    pub fn count<'a>(&mut self, findings: impl IntoIterator<Item = &'a Finding>) {
        for finding in findings {
            *self
                .findings
                .entry((finding.rule, finding.severity))
                .or_insert(0) += 1;
            match finding.remediation.status {
                RemediationStatus::Deleted => self.deletions += 1,
                RemediationStatus::SkippedExempt
                | RemediationStatus::SkippedInUse
                | RemediationStatus::SkippedNotEnabled => self.skips += 1,
                _ => {}
            }
        }
    }

    /// The EMF documents, one per line: the invocation's, then one per rule and severity.
    pub fn emf_lines(&self, guardrail: &str, timestamp_ms: i64) -> Vec<String> {
        let total: u64 = self.findings.values().sum();
        let mut values = vec![
            ("Findings", "Count", total),
            ("Deletions", "Count", self.deletions),
            ("Skips", "Count", self.skips),
            ("Failures", "Count", self.failures),
        ];
        if let Some(sweep) = &self.sweep {
            values.extend([
                ("SweepCompleted", "Count", u64::from(sweep.completed)),
                ("SweepUnreachable", "Count", sweep.unreachable),
                ("SweepDurationMs", "Milliseconds", sweep.duration_ms),
                ("SweepAccounts", "Count", sweep.accounts),
            ]);
        }
        if self.sweep.is_some() || self.unknown_facts > 0 || self.coverage_gaps > 0 {
            values.extend([
                ("SweepUnknownFacts", "Count", self.unknown_facts),
                ("SweepCoverageGaps", "Count", self.coverage_gaps),
            ]);
        }
        let mut lines = vec![document(timestamp_ms, &[("Guardrail", guardrail)], &values)];
        for ((rule, severity), count) in &self.findings {
            lines.push(document(
                timestamp_ms,
                &[
                    ("Guardrail", guardrail),
                    ("Rule", rule.as_str()),
                    ("Severity", severity.as_str()),
                ],
                &[("Findings", "Count", *count)],
            ));
        }
        lines
    }

    /// Prints the documents to stdout, each on its own line.
    pub fn emit(&self, guardrail: &str) {
        let now = chrono::Utc::now().timestamp_millis();
        for line in self.emf_lines(guardrail, now) {
            println!("{line}");
        }
    }
}

/// One EMF document: one dimension set of these dimensions, these metrics.
fn document(
    timestamp_ms: i64,
    dimensions: &[(&str, &str)],
    values: &[(&str, &str, u64)],
) -> String {
    let mut doc = Map::new();
    doc.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [dimensions.iter().map(|(k, _)| *k).collect::<Vec<_>>()],
                "Metrics": values.iter().map(|(name, unit, _)| json!({"Name": name, "Unit": unit})).collect::<Vec<_>>(),
            }],
        }),
    );
    for (key, value) in dimensions {
        doc.insert((*key).into(), Value::from(*value));
    }
    for (name, _, value) in values {
        doc.insert((*name).into(), Value::from(*value));
    }
    Value::Object(doc).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Value {
        serde_json::from_str(line).unwrap_or(Value::Null)
    }

    #[test]
    fn an_invocation_is_one_document_plus_one_per_rule_and_severity() {
        let mut m = InvocationMetrics {
            deletions: 1,
            ..InvocationMetrics::default()
        };
        m.findings.insert((RuleId::IDC001, Severity::High), 2);
        m.findings.insert((RuleId::IDC004, Severity::Info), 1);
        let lines = m.emf_lines("idc-guardrail-prod", 1_795_172_400_000);
        assert_eq!(lines.len(), 3);
        let main = parse(&lines[0]);
        let spec = &main["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(spec["Namespace"], "IdcGuardrail");
        assert_eq!(spec["Dimensions"], json!([["Guardrail"]]));
        assert_eq!(main["_aws"]["Timestamp"], 1_795_172_400_000_i64);
        assert_eq!(main["Guardrail"], "idc-guardrail-prod");
        assert_eq!(main["Findings"], 3);
        assert_eq!(main["Deletions"], 1);
        assert_eq!(main["Failures"], 0);
        assert!(
            main.get("SweepCompleted").is_none(),
            "no sweep, no sweep metrics"
        );
        let by_rule = parse(&lines[1]);
        assert_eq!(
            by_rule["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["Guardrail", "Rule", "Severity"]])
        );
        assert_eq!(
            (&by_rule["Rule"], &by_rule["Severity"], &by_rule["Findings"]),
            (&json!("IDC001"), &json!("HIGH"), &json!(2))
        );
        // Every metric declared has its value in the document.
        for line in &lines {
            let doc = parse(line);
            for metric in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let name = metric["Name"].as_str().unwrap_or_default();
                assert!(doc[name].is_u64(), "{name} in {line}");
            }
        }
    }

    fn finding(rule: &str, severity: &str, status: &str) -> Finding {
        serde_json::from_value(json!({
            "schema": "idc-guardrail/finding/v1", "id": "x", "rule": rule, "severity": severity,
            "title": "t", "account_id": "222222222222", "region": "eu-west-1", "instance_arn": null,
            "organization_id": null, "trigger": {"sweep_id": "s"}, "explanation": "e",
            "remediation": {"action": "delete", "status": status, "detail": "d"},
            "references": [], "evaluated_at": "2026-11-20T12:00:00Z", "evidence": "inventory",
            "instance": null
        }))
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn outcomes_are_counted_by_kind() {
        let mut m = InvocationMetrics::default();
        m.count(&[
            finding("IDC001", "HIGH", "deleted"),
            finding("IDC001", "HIGH", "already_deleted"),
            finding("IDC002", "CRITICAL", "skipped_in_use"),
            finding("IDC005", "HIGH", "skipped_exempt"),
            finding("IDC004", "INFO", "none"),
        ]);
        assert_eq!((m.deletions, m.skips, m.failures), (1, 2, 0));
        assert_eq!(m.findings.get(&(RuleId::IDC001, Severity::High)), Some(&2));
        assert_eq!(m.findings.values().sum::<u64>(), 5);
        assert_eq!(
            m.emf_lines("g", 0).len(),
            5,
            "one line, and one per rule and severity"
        );
    }

    #[test]
    fn a_sweep_reports_its_coverage() {
        let m = InvocationMetrics {
            failures: 1,
            sweep: Some(SweepMetrics::failed(1200)),
            ..InvocationMetrics::default()
        };
        let main = parse(&m.emf_lines("g", 0)[0]);
        assert_eq!(main["SweepCompleted"], 0);
        assert_eq!(main["SweepDurationMs"], 1200);
        assert_eq!(main["Failures"], 1);
        let units: Vec<&str> = main["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["Name"] == "SweepDurationMs")
            .filter_map(|m| m["Unit"].as_str())
            .collect();
        assert_eq!(units, vec!["Milliseconds"]);
    }
}
