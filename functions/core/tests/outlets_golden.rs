//! Golden tests of what Security Hub and the chat topic receive, over every scenario of
//! `events/manifest.json`: each finding in ASFF (and, for a remediable one, in ASFF after its
//! deletion) and as a chat custom notification, in `events/expected-outlets/<scenario>.json`.
//! After an intended change, regenerate with `IDC_UPDATE_GOLDEN=1 cargo test -p idc-core
//! --test outlets_golden` and review the diff.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use idc_core::asff::{to_asff, Product};
use idc_core::chat::to_chat;
use idc_core::{
    evaluate_trigger, parse_event_bytes, Finding, Inventory, Policy, RemediationStatus,
};
use serde_json::{json, Value};

fn events() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events")
}

fn read_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `idc-guard evaluate` flags of a scenario, as a policy.
fn policy(flags: &[Value]) -> Policy {
    let flags: Vec<&str> = flags.iter().filter_map(Value::as_str).collect();
    let value_of = |name: &str| {
        flags
            .iter()
            .position(|f| *f == name)
            .and_then(|i| flags.get(i + 1))
            .map(|v| (*v).to_owned())
    };
    Policy {
        auto_remediate: flags.contains(&"--auto-remediate"),
        dry_run: flags.contains(&"--dry-run"),
        exempt_accounts: value_of("--exempt-accounts")
            .map(|v| v.split(',').map(str::to_owned).collect())
            .unwrap_or_default(),
        exempt_tag: value_of("--exempt-tag"),
        trial_days: value_of("--trial-days")
            .and_then(|v| v.parse().ok())
            .unwrap_or(Policy::default().trial_days),
        force_delete_in_use: flags.contains(&"--force-delete-in-use"),
        exemptions: value_of("--exemptions")
            .and_then(|v| idc_core::exemption::parse_exemptions(&v).ok())
            .unwrap_or_default(),
        exempt_tag_policy_id: value_of("--exempt-tag-policy-id"),
    }
}

fn product() -> Product {
    Product {
        partition: "aws".into(),
        region: "us-east-1".into(),
        account_id: "111111111111".into(),
        provider: "idc-guardrail".into(),
    }
}

fn deleted(finding: &Finding) -> Finding {
    let mut gone = finding.clone();
    gone.remediation.status = RemediationStatus::Deleted;
    gone.remediation.detail = "deleted; confirmed by listing".into();
    gone.sequence = Some(1_795_176_001_000_000);
    gone
}

fn outlets_of(finding: &Finding) -> Value {
    let mut doc = json!({
        "asff": to_asff(finding, &product()),
        "chat": to_chat(finding),
    });
    if finding.rule.is_remediable() {
        doc["asff_after_delete"] = json!(to_asff(&deleted(finding), &product()));
        doc["chat_after_delete"] = to_chat(&deleted(finding));
    }
    doc
}

#[test]
fn every_scenario_maps_to_its_golden_asff_and_chat_messages() {
    let manifest = read_json(&events().join("manifest.json"));
    let now: DateTime<Utc> = manifest["now"]
        .as_str()
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("manifest has no `now`"));
    let update = std::env::var_os("IDC_UPDATE_GOLDEN").is_some();
    let dir = events().join("expected-outlets");
    let mut checked = 0;
    for sample in manifest["samples"].as_array().into_iter().flatten() {
        let scenario = sample["scenario"].as_str().unwrap_or_default();
        let event_path = events().join(sample["event"].as_str().unwrap_or_default());
        let bytes = std::fs::read(&event_path).unwrap_or_default();
        let Ok(trigger) = parse_event_bytes(&bytes) else {
            continue; // samples of bad input: nothing to map
        };
        let inventory = sample["inventory"].as_str().map(|name| {
            let bytes = std::fs::read(events().join(name)).unwrap_or_default();
            Inventory::from_json_bytes(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
        });
        let flags = sample["flags"].as_array().cloned().unwrap_or_default();
        let evaluation = evaluate_trigger(&trigger, inventory.as_ref(), &policy(&flags), now);
        let findings: Vec<Value> = evaluation.findings().map(|f| outlets_of(&f)).collect();
        let doc = json!({"scenario": scenario, "findings": findings});
        let path = dir.join(format!("{scenario}.json"));
        if update {
            std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
            let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
            std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(
            doc,
            read_json(&path),
            "{scenario}: regenerate with IDC_UPDATE_GOLDEN=1 if intended"
        );
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} scenarios checked");
}

#[test]
fn the_goldens_hold_what_security_hub_and_chat_require() {
    let dir = events().join("expected-outlets");
    let mut resolved = 0;
    for entry in std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        let doc = read_json(&entry.path());
        for f in doc["findings"].as_array().into_iter().flatten() {
            let asff = &f["asff"];
            for key in [
                "SchemaVersion",
                "Id",
                "ProductArn",
                "GeneratorId",
                "AwsAccountId",
                "Types",
                "CreatedAt",
                "UpdatedAt",
                "Severity",
                "Title",
                "Description",
                "Resources",
            ] {
                assert!(!asff[key].is_null(), "ASFF requires {key}: {asff}");
            }
            assert!(
                asff["Description"]
                    .as_str()
                    .unwrap_or_default()
                    .chars()
                    .count()
                    <= 1024
            );
            assert!(asff["Title"].as_str().unwrap_or_default().chars().count() <= 256);
            assert_eq!(
                asff["ProductArn"],
                "arn:aws:securityhub:us-east-1:111111111111:product/111111111111/default"
            );
            assert_eq!(asff["Workflow"]["Status"], "NEW");
            if let Some(after) = f.get("asff_after_delete") {
                assert_eq!(after["Id"], asff["Id"], "re-imported under the same Id");
                assert_eq!(after["Workflow"]["Status"], "RESOLVED");
                assert_eq!(after["Compliance"]["Status"], "PASSED");
                assert_eq!(after["RecordState"], "ARCHIVED");
                resolved += 1;
            }
            let chat = &f["chat"];
            assert_eq!(chat["version"], "1.0");
            assert_eq!(chat["source"], "custom");
            assert_eq!(chat["content"]["textType"], "client-markdown");
            assert!(chat["content"]["nextSteps"]
                .as_array()
                .is_some_and(|s| !s.is_empty()));
        }
    }
    assert!(resolved > 0, "no remediable finding in the samples");
}
