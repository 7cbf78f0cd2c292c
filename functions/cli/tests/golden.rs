//! Golden tests: every scenario of events/manifest.json is evaluated by the binary and its
//! findings (ids, rules, severities, statuses) compared with events/expected/. A behaviour
//! change shows up as a diff; regenerate with `idc-guard samples --update` and review it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn events() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events")
}

fn manifest() -> Value {
    let text = std::fs::read(events().join("manifest.json")).unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_slice(&text).unwrap_or_else(|e| panic!("manifest is not JSON: {e}"))
}

#[test]
fn every_scenario_matches_its_expected_findings() {
    let out = Command::cargo_bin("idc-guard")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["samples", "--check", "--manifest"])
        .arg(events().join("manifest.json"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_event_file_is_a_scenario_and_every_scenario_has_expectations() {
    let manifest = manifest();
    let samples = manifest["samples"].as_array().cloned().unwrap_or_default();
    let used: BTreeSet<String> = samples
        .iter()
        .flat_map(|s| [s["event"].as_str(), s["inventory"].as_str()])
        .flatten()
        .map(str::to_owned)
        .collect();
    let entries = std::fs::read_dir(events()).unwrap_or_else(|e| panic!("{e}"));
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") && name != "manifest.json" {
            assert!(
                used.contains(&name),
                "{name} is in events/ but in no scenario"
            );
        }
    }
    let mut names = BTreeSet::new();
    for s in &samples {
        let name = s["scenario"].as_str().unwrap_or_default();
        assert!(names.insert(name.to_owned()), "duplicate scenario {name}");
        assert!(
            events()
                .join("expected")
                .join(format!("{name}.json"))
                .is_file(),
            "no expected/{name}.json"
        );
    }
}

#[test]
fn expected_files_cover_every_rule_and_status_the_policy_can_decide_offline() {
    let mut rules = BTreeSet::new();
    let mut statuses = BTreeSet::new();
    for entry in std::fs::read_dir(events().join("expected"))
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        let doc: Value = serde_json::from_slice(&std::fs::read(entry.path()).unwrap_or_default())
            .unwrap_or_default();
        for f in doc["findings"].as_array().into_iter().flatten() {
            rules.insert(f["rule"].as_str().unwrap_or_default().to_owned());
            statuses.insert(f["status"].as_str().unwrap_or_default().to_owned());
        }
    }
    for rule in ["IDC001", "IDC002", "IDC003", "IDC004", "IDC005"] {
        assert!(rules.contains(rule), "no sample produces {rule}");
    }
    for status in [
        "none",
        "dry_run",
        "skipped_exempt",
        "skipped_in_use",
        "skipped_not_enabled",
    ] {
        assert!(statuses.contains(status), "no sample decides {status}");
    }
}
