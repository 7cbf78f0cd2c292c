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
