//! The CLI contract: exit codes, stdout and stderr of `idc-guard evaluate`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn events() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events")
}

fn idc_guard() -> Command {
    match Command::cargo_bin("idc-guard") {
        Ok(cmd) => cmd,
        Err(e) => panic!("binary not built: {e}"),
    }
}

/// Runs evaluate on a file and checks the bad-input contract: exit 2, nothing on stdout,
/// one line on stderr that names the file and contains `problem`.
fn assert_bad_input(file: &Path, problem: &str) {
    let out = idc_guard()
        .args(["evaluate", "--event"])
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run idc-guard: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(out.stdout.is_empty(), "stdout must stay empty");
    assert_eq!(stderr.lines().count(), 1, "one line on stderr: {stderr}");
    assert!(
        stderr.contains(&file.display().to_string()),
        "names the file: {stderr}"
    );
    assert!(stderr.contains(problem), "says `{problem}`: {stderr}");
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {name}: {e}"));
    path
}

#[test]
fn unreadable_file_is_bad_input() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    assert_bad_input(&dir.path().join("missing.json"), "cannot read");
    assert_bad_input(dir.path(), "cannot read");
}

#[test]
fn non_json_is_bad_input() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    assert_bad_input(&write(&dir, "bad.json", "{\"detail\": "), "not JSON");
}

#[test]
fn json_without_detail_is_bad_input() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = write(
        &dir,
        "nodetail.json",
        r#"{"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail","source":"aws.sso"}"#,
    );
    assert_bad_input(&file, "detail");
}

#[test]
fn empty_file_is_bad_input() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    assert_bad_input(&write(&dir, "empty.json", ""), "empty");
}

#[test]
fn record_missing_a_needed_field_is_bad_input() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = write(
        &dir,
        "noname.json",
        r#"{"detail-type":"AWS API Call via CloudTrail","source":"aws.sso","detail":{"eventSource":"sso.amazonaws.com"}}"#,
    );
    assert_bad_input(&file, "eventName");
}

#[test]
fn bad_inventory_is_bad_input_naming_the_inventory() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let inventory = write(&dir, "inv.json", r#"{"accounts": ["12"]}"#);
    let out = idc_guard()
        .args(["evaluate", "--event"])
        .arg(events().join("create-instance-member.json"))
        .arg("--inventory")
        .arg(&inventory)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(
        stderr.contains("inv.json") && stderr.contains("accounts[0]"),
        "{stderr}"
    );
}

#[test]
fn invalid_policy_flag_is_a_usage_error() {
    idc_guard()
        .args(["evaluate", "--exempt-accounts", "12345", "--event"])
        .arg(events().join("create-instance-member.json"))
        .assert()
        .code(2)
        .stdout("");
}

#[test]
fn findings_are_json_lines_with_exit_zero() {
    let out = idc_guard()
        .args(["evaluate", "--auto-remediate", "--event"])
        .arg(events().join("register-delegated-admin-sso.json"))
        .arg("--inventory")
        .arg(events().join("inventory-organization.json"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let findings: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["schema"], "idc-guardrail/finding/v1");
    assert_eq!(findings[0]["rule"], "IDC002");
    assert_eq!(findings[0]["remediation"]["status"], "dry_run");
}

#[test]
fn no_finding_is_still_exit_zero_and_says_why_on_stderr() {
    let out = idc_guard()
        .args(["evaluate", "--event"])
        .arg(events().join("register-delegated-admin-other-service.json"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("securityhub"));
}

#[test]
fn without_inventory_it_says_what_the_event_alone_proves() {
    let out = idc_guard()
        .args(["evaluate", "--event"])
        .arg(events().join("create-instance-member.json"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("event alone"));
    let line = String::from_utf8_lossy(&out.stdout);
    let finding: Value = serde_json::from_str(line.trim()).unwrap_or_default();
    assert_eq!(finding["evidence"], "event");
}

/// Runs `evaluate` with `--auto-remediate` on a sample, with or without the inventory.
fn evaluate_sample(event: &str, inventory: bool) -> std::process::Output {
    let mut cmd = idc_guard();
    cmd.args(["evaluate", "--auto-remediate", "--event"])
        .arg(events().join(event));
    if inventory {
        cmd.arg("--inventory")
            .arg(events().join("inventory-organization.json"));
    }
    cmd.output().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn events_from_elsewhere_are_ignored_exit_zero_nothing_on_stdout() {
    for (event, named) in [
        ("custom-source-cloudtrail-shaped.json", "source `my.app`"),
        (
            "create-instance-event-source-mismatch.json",
            "eventSource `organizations.amazonaws.com`",
        ),
        (
            "create-instance-insight-ignored.json",
            "detail-type `AWS Insight via CloudTrail`",
        ),
        ("scheduled-sweep.json", "source `aws.events`"),
    ] {
        for inventory in [true, false] {
            let out = evaluate_sample(event, inventory);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "{event}: {stderr}");
            assert!(out.stdout.is_empty(), "{event}: no finding on stdout");
            assert!(
                stderr.starts_with("note: ignored: ") && stderr.contains(named),
                "{event}: the note names what was wrong: {stderr}"
            );
        }
    }
}

#[test]
fn a_custom_source_is_ignored_even_when_its_detail_is_not_a_record() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = write(
        &dir,
        "custom.json",
        r#"{"version":"0","id":"x","detail-type":"AWS API Call via CloudTrail","source":"my.app","account":"222222222222","detail":"CreateInstance"}"#,
    );
    let out = idc_guard()
        .args(["evaluate", "--event"])
        .arg(&file)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("my.app"));
}

#[test]
fn an_unclear_create_instance_is_never_a_proven_instance() {
    let out = evaluate_sample("create-instance-outcome-unclear.json", false);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let findings: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect();
    for f in &findings {
        assert_eq!(f["instance_arn"], Value::Null, "{f}");
        assert_eq!(f["instance"], Value::Null, "{f}");
        assert_ne!(f["remediation"]["status"], "dry_run", "{f}");
    }
    let out = evaluate_sample("create-instance-outcome-unclear.json", true);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stdout.is_empty(),
        "the account owns nothing: no finding"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("names no instance ARN"));
}

#[test]
fn an_account_conflict_is_still_reported() {
    let out = evaluate_sample("create-instance-account-conflict.json", true);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "the team hears of it: {stdout}");
    let finding: Value = serde_json::from_str(stdout.trim()).unwrap_or_default();
    assert_eq!(finding["account_id"], "222222222222");
}

#[test]
fn an_account_conflict_is_reported_and_never_deleted() {
    for inventory in [true, false] {
        let out = evaluate_sample("create-instance-account-conflict.json", inventory);
        assert_eq!(out.status.code(), Some(0));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let finding: Value = serde_json::from_str(stdout.trim()).unwrap_or_default();
        let status = finding["remediation"]["status"]
            .as_str()
            .unwrap_or_default();
        assert!(
            !["dry_run", "deleted", "already_deleted"].contains(&status),
            "{status} reads as a delete"
        );
        let detail = finding["remediation"]["detail"]
            .as_str()
            .unwrap_or_default();
        assert!(
            detail.contains("555555555555") && detail.contains("222222222222"),
            "{detail}"
        );
    }
}

/// What `evaluate` says a live run would do: the remediation of the one finding.
fn remediation(args: &[&str]) -> Value {
    let out = idc_guard()
        .arg("evaluate")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run idc-guard: {e}"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = String::from_utf8_lossy(&out.stdout);
    let finding: Value = serde_json::from_str(line.trim())
        .unwrap_or_else(|e| panic!("one finding expected ({e}): {line}"));
    finding["remediation"].clone()
}

#[test]
fn unknown_tags_with_an_exemption_tag_are_never_a_delete_verdict() {
    let event = events().join("create-instance-trial-within-window.json");
    let flags = [
        "--auto-remediate",
        "--exempt-tag",
        "idc-trial",
        "--now",
        "2026-11-20T12:00:00Z",
    ];
    let event = event.to_string_lossy().into_owned();
    let unknown = events().join("inventory-tags-unknown.json");
    let unknown = unknown.to_string_lossy().into_owned();
    let mut args = vec!["--event", &event, "--inventory", &unknown];
    args.extend(flags);
    let r = remediation(&args);
    assert_eq!(r["status"], "dry_run");
    let detail = r["detail"].as_str().unwrap_or_default();
    assert!(
        detail.starts_with("not deleted")
            && detail.contains("tags")
            && detail.contains("idc-trial"),
        "a live run would not delete, and says why: {detail}"
    );
    // The same instance with its tags known (and within the trial) is exempt.
    let known = events().join("inventory-organization.json");
    let known = known.to_string_lossy().into_owned();
    let mut args = vec!["--event", &event, "--inventory", &known];
    args.extend(flags);
    assert_eq!(remediation(&args)["status"], "skipped_exempt");
}

#[test]
fn trial_days_out_of_range_is_bad_usage() {
    let event = events().join("create-instance-member.json");
    for days in ["0", "3651", "4294967295"] {
        let out = idc_guard()
            .args(["evaluate", "--trial-days", days, "--event"])
            .arg(&event)
            .output()
            .unwrap_or_else(|e| panic!("cannot run idc-guard: {e}"));
        assert_eq!(out.status.code(), Some(2), "--trial-days {days}");
        assert!(out.stdout.is_empty());
    }
}
