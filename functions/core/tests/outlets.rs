//! The outlets as the findings topic's subscriber, over in-memory fakes: what the functions
//! that delete published reaches Security Hub and the chat topic in batches, latest word per
//! id, never moved back by a late or repeated delivery; what fails is named per delivery.

use std::collections::BTreeSet;

use idc_core::asff::Product;
use idc_core::outlets::{ChatOutlet, Delivery, HubOutlet, Outlets};
use idc_core::{Budget, Finding, RemediationStatus, Severity};
use idc_testkit::*;
use serde_json::Value;

fn product() -> Product {
    Product {
        partition: "aws".into(),
        region: "us-east-1".into(),
        account_id: MGMT.into(),
        provider: "idc-guardrail".into(),
    }
}

fn outlets(hub: Hub, chat: Publisher, min_severity: Severity) -> Outlets<Hub, Publisher> {
    Outlets {
        security_hub: Some(HubOutlet {
            port: hub,
            product: product(),
        }),
        chat: Some(ChatOutlet {
            topic: chat,
            min_severity,
        }),
    }
}

/// What the findings topic got from one deletion of the member's instance: `deleting`, then
/// `deleted`, as the outlets queue receives them (raw delivery: the body is the finding).
fn deletion_words() -> Vec<Finding> {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    let out = block_on(g.handle(
        &envelope(create_event(MEMBER, "eu-west-1", MEMBER_ARN)),
        Budget::unbounded(),
    ));
    assert!(out.is_ok(), "{out:?}");
    g.publisher.all()
}

fn delivery(n: usize, finding: &Finding) -> Delivery {
    Delivery {
        message_id: format!("m{n}"),
        body: serde_json::to_string(finding).unwrap_or_default(),
    }
}

fn deliveries(findings: &[Finding]) -> Vec<Delivery> {
    findings
        .iter()
        .enumerate()
        .map(|(n, f)| delivery(n, f))
        .collect()
}

fn chat_bodies(o: &Outlets<Hub, Publisher>) -> Vec<Value> {
    o.chat
        .as_ref()
        .and_then(|c| c.topic.messages.lock().ok().map(|m| m.clone()))
        .unwrap_or_default()
        .iter()
        .filter_map(|m| serde_json::from_str(&m.body).ok())
        .collect()
}

fn hub(o: &Outlets<Hub, Publisher>) -> &Hub {
    match &o.security_hub {
        Some(h) => &h.port,
        None => panic!("configured"),
    }
}

fn ids(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

#[test]
fn a_deletion_is_imported_then_resolved_and_chat_gets_the_outcome_only() {
    let o = outlets(Hub::default(), Publisher::default(), Severity::High);
    let words = deletion_words();
    assert_eq!(words.len(), 2);
    let failed = block_on(o.deliver(&deliveries(&words)));
    assert!(failed.is_empty(), "{failed:?}");

    let held = hub(&o).findings();
    assert_eq!(held.len(), 1);
    let finding = held.values().next().cloned();
    let states = finding.map(|f| (f.workflow.status, f.record_state));
    assert_eq!(states, Some(("RESOLVED".into(), "ARCHIVED".into())));
    assert_eq!(hub(&o).import_calls().len(), 1, "one batch, one import");
    assert_eq!(hub(&o).resolved.lock().map(|r| r.len()).unwrap_or(0), 1);

    let bodies = chat_bodies(&o);
    assert_eq!(bodies.len(), 1, "the outcome, not the announcement");
    assert_eq!(
        bodies[0]["metadata"]["additionalContext"]["remediation_status"],
        "deleted"
    );
}

#[test]
fn a_late_word_never_moves_security_hub_back_and_a_repeat_changes_nothing() {
    let o = outlets(Hub::default(), Publisher::default(), Severity::High);
    let words = deletion_words();
    let deleted = words[1].clone();
    // The announcement arrives after the outcome, in another batch; then the outcome again.
    assert!(block_on(o.deliver(&[delivery(1, &deleted)])).is_empty());
    assert!(block_on(o.deliver(&[delivery(0, &words[0])])).is_empty());
    assert!(block_on(o.deliver(&[delivery(2, &deleted)])).is_empty());
    // An older `failed` word (a lower sequence) delivered late.
    let mut older = deleted.clone();
    older.sequence = deleted.sequence.map(|s| s - 1);
    older.remediation.status = RemediationStatus::Failed;
    assert!(block_on(o.deliver(&[delivery(3, &older)])).is_empty());

    assert_eq!(hub(&o).import_calls().len(), 1, "only the first delivery");
    let held = hub(&o).findings();
    assert_eq!(
        held.values().next().map(|f| f.workflow.status.clone()),
        Some("RESOLVED".into())
    );
    assert_eq!(
        chat_bodies(&o).len(),
        2,
        "chat heard the outcome, and its repeat (never the late word)"
    );

    // In one batch, the highest sequence wins whatever the order.
    let o = outlets(Hub::default(), Publisher::default(), Severity::High);
    let failed = block_on(o.deliver(&deliveries(&[deleted.clone(), older, deleted])));
    assert!(failed.is_empty());
    assert_eq!(hub(&o).import_calls(), vec![vec![words[1].id.clone()]]);
}

#[test]
fn a_failing_security_hub_fails_every_delivery_of_the_batch_for_sqs_to_retry() {
    let broken = Hub {
        broken: true,
        ..Hub::default()
    };
    let o = outlets(broken, Publisher::default(), Severity::High);
    let failed = block_on(o.deliver(&deliveries(&deletion_words())));
    assert_eq!(failed, ids(&["m0", "m1"]), "both carried the id");
    assert!(chat_bodies(&o).is_empty(), "chat waits for the retry");
}

#[test]
fn a_refused_finding_fails_only_its_delivery() {
    let words = deletion_words();
    let mut other = words[1].clone();
    other.id = "idc001-other".into();
    let hub_refusing = Hub {
        refuses: ids(&["idc001-other"]),
        ..Hub::default()
    };
    let o = outlets(hub_refusing, Publisher::default(), Severity::High);
    let failed = block_on(o.deliver(&deliveries(&[words[1].clone(), other])));
    assert_eq!(failed, ids(&["m1"]));
    assert_eq!(hub(&o).findings().len(), 1);
}

#[test]
fn imports_go_in_batches_of_at_most_a_hundred() {
    let words = deletion_words();
    let many: Vec<Finding> = (0..250)
        .map(|n| {
            let mut f = words[1].clone();
            f.id = format!("idc001-{n:03}");
            f
        })
        .collect();
    let o = outlets(Hub::default(), Publisher::default(), Severity::Critical);
    assert!(block_on(o.deliver(&deliveries(&many))).is_empty());
    let sizes: Vec<usize> = hub(&o).import_calls().iter().map(Vec::len).collect();
    assert_eq!(sizes, vec![100, 100, 50]);
    assert_eq!(hub(&o).findings().len(), 250);
}

#[test]
fn what_is_not_a_finding_fails_alone_and_names_itself() {
    let words = deletion_words();
    let mut batch = deliveries(&words);
    batch.push(Delivery {
        message_id: "junk".into(),
        body: "{\"hello\": 1}".into(),
    });
    let o = outlets(Hub::default(), Publisher::default(), Severity::High);
    assert_eq!(block_on(o.deliver(&batch)), ids(&["junk"]));
    assert_eq!(hub(&o).findings().len(), 1);
}

#[test]
fn a_failing_chat_topic_fails_the_delivery_and_chat_keeps_to_its_threshold() {
    let words = deletion_words();
    let broken_chat = Publisher {
        broken: true,
        ..Publisher::default()
    };
    let mut o = outlets(Hub::default(), broken_chat, Severity::High);
    assert_eq!(block_on(o.deliver(&deliveries(&words))), ids(&["m0", "m1"]));
    // The retry finds the word in Security Hub already, and still reaches chat.
    if let Some(chat) = o.chat.as_mut() {
        chat.topic.broken = false;
    }
    assert!(block_on(o.deliver(&deliveries(&words))).is_empty());
    assert_eq!(chat_bodies(&o).len(), 1);
    assert_eq!(hub(&o).import_calls().len(), 1, "imported once");

    // IDC001 is HIGH: below a CRITICAL threshold it stays off chat, but reaches the hub.
    let o = outlets(Hub::default(), Publisher::default(), Severity::Critical);
    assert!(block_on(o.deliver(&deliveries(&words))).is_empty());
    assert!(chat_bodies(&o).is_empty());
    assert_eq!(hub(&o).findings().len(), 1);
}
