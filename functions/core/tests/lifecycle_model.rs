//! A model-based property test of the remediation lifecycle: for generated sequences of
//! deliveries of one `CreateInstance` (Lambda's retries and duplicate deliveries), each meeting
//! its own faults — the announcement's publish failing, the delete's answer lost after AWS
//! acted, a conflict with a deletion under way, a delete AWS ignores, the sandbox dying right
//! after the delete (its outcome never published) — followed by the worker receiving the
//! queued confirmations (or not), the latest word of every finding id is true about the
//! instance, or the event (or a confirmation) ends in a dead-letter queue; and nothing
//! protected is ever deleted.

use std::collections::BTreeMap;

use idc_core::{Budget, Finding, InstanceStatus, RemediationStatus};
use idc_testkit::*;
use proptest::prelude::*;

/// What one delivery meets.
#[derive(Debug, Clone, Copy)]
struct Faults {
    announcement_fails: bool,
    answer_lost: bool,
    conflict_in_progress: bool,
    delete_ignored: bool,
    dies_after_delete: bool,
}

fn faults() -> impl Strategy<Value = Faults> {
    (
        proptest::bool::weighted(0.2),
        proptest::bool::weighted(0.2),
        proptest::bool::weighted(0.15),
        proptest::bool::weighted(0.15),
        proptest::bool::weighted(0.3),
    )
        .prop_map(|(a, b, c, d, e)| Faults {
            announcement_fails: a,
            answer_lost: b,
            conflict_in_progress: c,
            delete_ignored: d,
            dies_after_delete: e,
        })
}

/// The latest word of each finding id: the message with the highest `sequence`.
fn latest_words(all: Vec<Finding>) -> BTreeMap<String, Finding> {
    let mut latest: BTreeMap<String, Finding> = BTreeMap::new();
    for f in all {
        let newer = latest
            .get(&f.id)
            .is_none_or(|seen| f.sequence > seen.sequence);
        if newer {
            latest.insert(f.id.clone(), f);
        }
    }
    latest
}

/// Which function delivers: an event function (Lambda retries the same event) or the sweep
/// (the schedule's retries sweep again under the same sweep id).
#[derive(Debug, Clone, Copy)]
enum Via {
    Event,
    Sweep,
}

fn deliver(g: &Fake, via: Via) -> bool {
    match via {
        Via::Event => block_on(g.handle(
            create_event(MEMBER, "eu-west-1", MEMBER_ARN),
            Budget::unbounded(),
        ))
        .is_err(),
        Via::Sweep => block_on(g.sweep(
            "sweep-model",
            Budget::unbounded(),
            &idc_core::sweep::no_progress,
        ))
        .is_err(),
    }
}

fn check(
    via: Via,
    deliveries: &[Faults],
    confirmations_received: bool,
) -> Result<(), TestCaseError> {
    let mut g = guardrail(Instances::with(world()), Publisher::default(), auto());
    let mut last_failed = false;
    for f in deliveries {
        g.instances.deleted_concurrently = f.answer_lost;
        g.instances.delete_in_progress_elsewhere = f.conflict_in_progress;
        g.instances.delete_is_ignored = f.delete_ignored;
        let mut failing = vec![];
        if f.announcement_fails {
            failing.push("deleting");
        }
        if f.dies_after_delete {
            failing.extend(["deleted", "already_deleted", "failed"]);
        }
        g.publisher.fail_statuses = failing;
        last_failed = deliver(&g, via);
    }
    g.publisher.fail_statuses = vec![];
    g.instances.deleted_concurrently = false;
    g.instances.delete_in_progress_elsewhere = false;
    let mut confirmation_failed = false;
    if confirmations_received {
        let tasks = g
            .queue
            .as_ref()
            .map(|q| q.confirmations())
            .unwrap_or_default();
        for task in tasks {
            if block_on(g.confirm(&task, Budget::unbounded())).is_err() {
                confirmation_failed = true;
            }
        }
    }
    let in_dlq = last_failed || confirmation_failed;

    // The truth about the member's instance, and nothing protected touched.
    let live = g
        .instances
        .live
        .lock()
        .map(|l| l.clone())
        .unwrap_or_default();
    let member = live.iter().find(|i| i.instance_arn == MEMBER_ARN);
    let gone = member.is_none_or(|i| i.status == InstanceStatus::DeleteInProgress);
    prop_assert!(
        live.iter().any(|i| i.instance_arn == ORG_ARN),
        "the organization instance"
    );
    prop_assert!(!g.instances.deletes().iter().any(|d| d == ORG_ARN));

    let words = latest_words(g.publisher.all());
    let word = words
        .values()
        .find(|f| f.instance_arn.as_deref() == Some(MEMBER_ARN));
    let said_gone = word.is_some_and(|f| {
        matches!(
            f.remediation.status,
            RemediationStatus::Deleted | RemediationStatus::AlreadyDeleted
        )
    });
    // "Gone" is only ever said of an instance that is gone.
    prop_assert!(
        !said_gone || gone,
        "{via:?}: said gone while it exists: {word:?}"
    );
    // Otherwise the word is true (still there, and not said to be handled), the event or a
    // confirmation is in a DLQ, or the confirmation is still on its way (not yet received).
    if !said_gone {
        let still_there_and_said_so = !gone
            && word.is_some_and(|f| {
                matches!(
                    f.remediation.status,
                    RemediationStatus::Failed | RemediationStatus::DryRun
                )
            });
        prop_assert!(
            still_there_and_said_so || in_dlq || !confirmations_received && gone,
            "{via:?}: latest word {:?} while gone={gone}, deliveries {deliveries:?}",
            word.map(|f| f.remediation.status)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_latest_word_of_an_event_is_true_or_it_is_in_a_dlq(
        deliveries in proptest::collection::vec(faults(), 1..4),
        confirmations_received in proptest::bool::ANY,
    ) {
        check(Via::Event, &deliveries, confirmations_received)?;
    }

    #[test]
    fn the_latest_word_of_a_sweep_is_true_or_it_is_in_a_dlq(
        deliveries in proptest::collection::vec(faults(), 1..4),
        confirmations_received in proptest::bool::ANY,
    ) {
        check(Via::Sweep, &deliveries, confirmations_received)?;
    }
}
