//! The outlets behind the publisher port, over in-memory fakes: Security Hub and the chat topic
//! beside the findings topic, and what their failures do to the invocation.

use idc_core::asff::Product;
use idc_core::outlets::{ChatOutlet, HubOutlet, Outlets};
use idc_core::{Budget, Guardrail, HandleError, Policy, Severity};
use idc_testkit::*;
use serde_json::Value;

type WithOutlets = Guardrail<Org, Instances, Outlets<Publisher, Hub, Publisher>, FakeClock>;

fn product() -> Product {
    Product {
        partition: "aws".into(),
        region: "us-east-1".into(),
        account_id: MGMT.into(),
        provider: "idc-guardrail".into(),
    }
}

fn outlets(
    hub: Hub,
    chat: Publisher,
    min_severity: Severity,
) -> Outlets<Publisher, Hub, Publisher> {
    Outlets {
        findings: Publisher::default(),
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

fn guardrail_with(outlets: Outlets<Publisher, Hub, Publisher>, policy: Policy) -> WithOutlets {
    Guardrail::new(
        Org::default(),
        Instances::with(world()),
        outlets,
        FakeClock::default(),
        settings(policy),
    )
}

fn chat_bodies(chat: &Publisher) -> Vec<Value> {
    chat.messages
        .lock()
        .map(|m| {
            m.iter()
                .filter_map(|m| serde_json::from_str(&m.body).ok())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_deletion_is_imported_then_resolved_under_one_id_and_chat_gets_the_outcome_only() {
    let g = guardrail_with(
        outlets(Hub::default(), Publisher::default(), Severity::High),
        auto(),
    );
    let out = block_on(g.handle(
        create_event(MEMBER, "eu-west-1", MEMBER_ARN),
        Budget::unbounded(),
    ));
    assert!(out.is_ok(), "{out:?}");
    let Some(hub) = &g.publisher.security_hub else {
        panic!("configured")
    };
    let imports = hub
        .port
        .imports
        .lock()
        .map(|i| i.clone())
        .unwrap_or_default();
    let states: Vec<(&str, &str)> = imports
        .iter()
        .map(|f| (f.workflow.status.as_str(), f.record_state.as_str()))
        .collect();
    // The announcement goes to the findings topic alone: Security Hub gets the outcome.
    assert_eq!(states, vec![("RESOLVED", "ARCHIVED")]);
    assert_eq!(hub.port.findings().len(), 1);
    assert_eq!(
        imports[0].compliance.as_ref().map(|c| c.status.as_str()),
        Some("PASSED")
    );
    let Some(chat) = &g.publisher.chat else {
        panic!("configured")
    };
    let bodies = chat_bodies(&chat.topic);
    assert_eq!(
        bodies.len(),
        1,
        "the outcome, not the announcement: {bodies:?}"
    );
    assert_eq!(bodies[0]["source"], "custom");
    assert_eq!(
        bodies[0]["metadata"]["additionalContext"]["remediation_status"],
        "deleted"
    );
    assert_eq!(g.publisher.findings.all().len(), 2, "the topic gets both");
}

#[test]
fn a_failing_import_fails_the_invocation_but_never_holds_the_delete_back() {
    let hub = Hub {
        broken: true,
        ..Hub::default()
    };
    let g = guardrail_with(outlets(hub, Publisher::default(), Severity::High), auto());
    let out = block_on(g.handle(
        create_event(MEMBER, "eu-west-1", MEMBER_ARN),
        Budget::unbounded(),
    ));
    assert!(matches!(out, Err(HandleError::Publish { .. })), "{out:?}");
    // Security Hub does not decide whether the instance is deleted.
    assert_eq!(g.instances.deletes(), vec![MEMBER_ARN.to_owned()]);
    let sent: Vec<_> = g
        .publisher
        .findings
        .all()
        .iter()
        .map(|f| f.remediation.status)
        .collect();
    assert_eq!(
        sent,
        vec![
            idc_core::RemediationStatus::Deleting,
            idc_core::RemediationStatus::Deleted
        ],
        "the topic heard every word"
    );
}

#[test]
fn a_failing_chat_topic_fails_the_invocation() {
    let chat = Publisher {
        broken: true,
        ..Publisher::default()
    };
    let g = guardrail_with(
        outlets(Hub::default(), chat, Severity::High),
        Policy::default(),
    );
    let out = block_on(g.handle(
        create_event(MEMBER, "eu-west-1", MEMBER_ARN),
        Budget::unbounded(),
    ));
    assert!(matches!(out, Err(HandleError::Publish { .. })), "{out:?}");
}

#[test]
fn chat_keeps_to_its_threshold() {
    // IDC001 is HIGH: below a CRITICAL threshold it stays off chat, but still reaches the hub.
    let g = guardrail_with(
        outlets(Hub::default(), Publisher::default(), Severity::Critical),
        Policy::default(),
    );
    let out = block_on(g.handle(
        create_event(MEMBER, "eu-west-1", MEMBER_ARN),
        Budget::unbounded(),
    ));
    assert!(out.is_ok(), "{out:?}");
    let (Some(chat), Some(hub)) = (&g.publisher.chat, &g.publisher.security_hub) else {
        panic!("configured")
    };
    assert!(chat_bodies(&chat.topic).is_empty());
    assert_eq!(hub.port.findings().len(), 1);

    let g = guardrail_with(
        outlets(Hub::default(), Publisher::default(), Severity::High),
        Policy::default(),
    );
    let out = block_on(g.handle(
        create_event(MEMBER, "eu-west-1", MEMBER_ARN),
        Budget::unbounded(),
    ));
    assert!(out.is_ok(), "{out:?}");
    let Some(chat) = &g.publisher.chat else {
        panic!("configured")
    };
    assert_eq!(chat_bodies(&chat.topic).len(), 1);
}

#[test]
fn notices_go_to_the_topic_only() {
    let outlets = outlets(Hub::default(), Publisher::default(), Severity::Info);
    let message = idc_core::IncompleteNotice::all_clear(
        &idc_core::finding::TriggerRef::Sweep {
            sweep_id: "s".into(),
        },
        MEMBER,
        None,
        vec!["us-east-1".into()],
        now(),
    )
    .to_message();
    let sent = block_on(idc_core::ports::FindingPublisher::publish(
        &outlets, &message,
    ));
    assert!(sent.is_ok());
    let (Some(chat), Some(hub)) = (&outlets.chat, &outlets.security_hub) else {
        panic!("configured")
    };
    assert!(hub.port.findings().is_empty());
    assert!(chat_bodies(&chat.topic).is_empty());
    assert_eq!(outlets.findings.all_clears().len(), 1);
}
