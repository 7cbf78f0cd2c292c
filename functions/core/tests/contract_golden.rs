//! Golden files of the contract's newer keys, as published: a finding an exemption spares
//! (`exemption`), one whose exemption ran out (IDC005), an instance in a status the guardrail
//! does not delete in (`instance.status_reason`), and a sweep summary with `unknown_facts` and
//! `coverage`. Regenerate with `IDC_UPDATE_GOLDEN=1 cargo test -p idc-core --test
//! contract_golden` after an intended change, and review the diff.

use std::path::PathBuf;

use idc_core::exemption::parse_exemptions;
use idc_core::ports::ForwardingRule;
use idc_core::sweep::no_progress;
use idc_core::{Budget, HandleError, InstanceStatus, Policy};
use idc_testkit::*;
use serde_json::Value;

/// The moments of a run (the test kit's clock is the wall clock), masked.
fn masked(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| match k.as_str() {
                    "evaluated_at" | "sequence" => (k.clone(), Value::String(format!("<{k}>"))),
                    _ => (k.clone(), masked(v)),
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(masked).collect()),
        other => other.clone(),
    }
}

fn golden(name: &str, actual: &Value) {
    let actual = &masked(actual);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../events/expected-contract")
        .join(name);
    if std::env::var_os("IDC_UPDATE_GOLDEN").is_some() {
        let text = serde_json::to_string_pretty(actual).unwrap_or_default() + "\n";
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let expected: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; regenerate with IDC_UPDATE_GOLDEN=1",
            path.display()
        )
    });
    assert_eq!(
        actual, &expected,
        "{name}: regenerate with IDC_UPDATE_GOLDEN=1 if intended"
    );
}

fn deleting(exemptions: &str) -> Policy {
    Policy {
        auto_remediate: true,
        exemptions: parse_exemptions(exemptions).unwrap_or_default(),
        ..Policy::default()
    }
}

/// What one member `CreateInstance` publishes, every message, as JSON.
fn published(g: &Fake) -> Value {
    Value::Array(
        g.publisher
            .all()
            .iter()
            .map(|f| serde_json::from_str(&f.to_json()).unwrap_or_default())
            .collect(),
    )
}

#[test]
fn findings_name_their_exemption() {
    for (name, expires) in [
        ("finding-exempted.json", "2026-12-31"),
        ("finding-exemption-expired.json", "2026-11-01"),
    ] {
        let exemption = format!(
            r#"[{{"account":"{MEMBER}","expires":"{expires}","reason":"QuickSight trial, SEC-123"}}]"#
        );
        let g = guardrail(
            Instances::with(world()),
            Publisher::default(),
            deleting(&exemption),
        );
        let out = block_on(g.handle(
            &envelope(create_event(MEMBER, "eu-west-1", MEMBER_ARN)),
            Budget::unbounded(),
        ));
        assert!(out.is_ok(), "{out:?}");
        golden(name, &published(&g));
    }
}

#[test]
fn a_failed_creation_is_named_with_its_reason() {
    let mut instances = world();
    for i in &mut instances {
        if i.instance_arn == MEMBER_ARN {
            i.status = InstanceStatus::Other("CREATE_FAILED".into());
            i.status_reason = Some("The request has exceeded a service quota".into());
        }
    }
    let g = guardrail(
        Instances::with(instances),
        Publisher::default(),
        deleting(""),
    );
    let out = block_on(g.handle(
        &envelope(create_event(MEMBER, "eu-west-1", MEMBER_ARN)),
        Budget::unbounded(),
    ));
    assert!(matches!(out, Err(HandleError::Incomplete(_))), "{out:?}");
    golden("finding-create-failed.json", &published(&g));
}

#[test]
fn the_sweep_summary_names_unknown_facts_and_coverage_gaps() {
    let mut instances = Instances::with(world());
    instances.applications_denied.insert(MEMBER.into());
    instances
        .forwarding
        .insert(ADMIN.into(), ForwardingRule::NotEnabled("DISABLED".into()));
    let g = guardrail(instances, Publisher::default(), deleting(""));
    let out = block_on(g.sweep("sweep-golden", Budget::unbounded(), &no_progress));
    assert!(
        matches!(out, Err(HandleError::SweepIncomplete { .. })),
        "{out:?}"
    );
    let summaries = g.publisher.summaries();
    let summary = serde_json::to_value(&summaries[0]).unwrap_or_default();
    golden("sweep-summary.json", &summary);
}
