//! A model-based property test of the remediation lifecycle: for generated sequences of
//! deliveries of one `CreateInstance` (Lambda's retries and duplicate deliveries), each meeting
//! its own faults — the announcement's publish failing, the delete's answer lost after AWS
//! acted, a conflict with a deletion under way, a delete AWS ignores, the sandbox dying right
//! after the delete (its outcome never published) — followed by the worker receiving the
//! queued confirmations (or not), the latest word of every finding id is true about the
//! instance, or the event (or a confirmation) ends in a dead-letter queue; and nothing
//! protected is ever deleted. Deliveries run one after the other, or two at once (two
//! sandboxes: duplicate deliveries of one event, an event racing the sweep, two sweeps),
//! interleaved AWS call by AWS call in a generated order. Two sandboxes stamp `sequence` from
//! clocks that agree (Lambda's hosts keep NTP time); the model shares one sequencer.

use std::collections::BTreeMap;

use idc_core::finding::TriggerRef;
use idc_core::{Budget, Finding, InstanceStatus, RemediationStatus};
use idc_testkit::{interleave, *};
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Via {
    Event,
    Sweep,
}

fn via() -> impl Strategy<Value = Via> {
    prop_oneof![Just(Via::Event), Just(Via::Sweep)]
}

/// One delivery, or two at once taking turns call by call as `schedule` says.
#[derive(Debug, Clone)]
enum Round {
    Alone(Via),
    Together(Via, Via, Vec<bool>),
}

fn rounds() -> impl Strategy<Value = Vec<(Round, Faults)>> {
    let round = prop_oneof![
        via().prop_map(Round::Alone),
        (
            via(),
            via(),
            proptest::collection::vec(proptest::bool::ANY, 1..16)
        )
            .prop_map(|(a, b, schedule)| Round::Together(a, b, schedule)),
    ];
    proptest::collection::vec((round, faults()), 1..4)
}

/// One delivery; true if its invocation failed (Lambda retries it, then the DLQ keeps it).
async fn deliver(g: &Fake, via: Via) -> bool {
    match via {
        Via::Event => g
            .handle(
                &envelope(create_event(MEMBER, "eu-west-1", MEMBER_ARN)),
                Budget::unbounded(),
            )
            .await
            .is_err(),
        Via::Sweep => g
            .sweep(
                "sweep-model",
                Budget::unbounded(),
                &idc_core::sweep::no_progress,
            )
            .await
            .is_err(),
    }
}

/// A round: per trigger, whether one of its invocations failed.
fn run(g: &Fake, round: &Round) -> BTreeMap<Via, bool> {
    let mut failed = BTreeMap::new();
    match round {
        Round::Alone(via) => {
            failed.insert(*via, block_on(deliver(g, *via)));
        }
        Round::Together(a, b, schedule) => {
            let (fa, fb) = interleave(deliver(g, *a), deliver(g, *b), schedule);
            failed.insert(*a, fa);
            let both = failed.get(b).copied().unwrap_or(false) || fb;
            failed.insert(*b, both);
        }
    }
    failed
}

fn alone(via: Via, deliveries: &[Faults]) -> Vec<(Round, Faults)> {
    deliveries.iter().map(|f| (Round::Alone(via), *f)).collect()
}

fn check(rounds: &[(Round, Faults)], confirmations_received: bool) -> Result<(), TestCaseError> {
    let mut g = guardrail(Instances::with(world()), Publisher::default(), auto());
    g.instances.gives_way = true;
    g.publisher.gives_way = true;
    // Per trigger, whether its latest delivery failed (Lambda retries it, then keeps it in the DLQ).
    let mut last_failed: BTreeMap<Via, bool> = BTreeMap::new();
    for (round, f) in rounds {
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
        for (via, failed) in run(&g, round) {
            last_failed.insert(via, failed);
        }
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
    let about_member: Vec<&Finding> = words
        .values()
        .filter(|f| f.instance_arn.as_deref() == Some(MEMBER_ARN))
        .collect();
    let any_in_dlq = last_failed.values().any(|f| *f) || confirmation_failed;
    prop_assert!(
        !about_member.is_empty() || any_in_dlq || gone && !confirmations_received,
        "no word about the instance and nothing in a DLQ, rounds {rounds:?}"
    );
    for word in about_member {
        // A trigger's event is in a DLQ when the last delivery under it failed.
        let via = match word.trigger {
            TriggerRef::Event { .. } => Via::Event,
            TriggerRef::Sweep { .. } => Via::Sweep,
        };
        let in_dlq = last_failed.get(&via).copied().unwrap_or(false) || confirmation_failed;
        let said_gone = matches!(
            word.remediation.status,
            RemediationStatus::Deleted | RemediationStatus::AlreadyDeleted
        );
        // "Gone" is only ever said of an instance that is gone.
        prop_assert!(
            !said_gone || gone,
            "said gone while it exists: {word:?}, rounds {rounds:?}"
        );
        // Otherwise the word is true (still there, and not said to be handled), the trigger or
        // a confirmation is in a DLQ, or the confirmation is still on its way (not received).
        let still_there_and_said_so = !gone
            && matches!(
                word.remediation.status,
                RemediationStatus::Failed | RemediationStatus::DryRun
            );
        prop_assert!(
            said_gone || still_there_and_said_so || in_dlq || !confirmations_received && gone,
            "{via:?}'s latest word {:?} while gone={gone}, rounds {rounds:?}",
            word.remediation.status
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
        check(&alone(Via::Event, &deliveries), confirmations_received)?;
    }

    #[test]
    fn the_latest_word_of_a_sweep_is_true_or_it_is_in_a_dlq(
        deliveries in proptest::collection::vec(faults(), 1..4),
        confirmations_received in proptest::bool::ANY,
    ) {
        check(&alone(Via::Sweep, &deliveries), confirmations_received)?;
    }

    #[test]
    fn the_latest_word_of_two_sandboxes_at_once_is_true_or_it_is_in_a_dlq(
        rounds in rounds(),
        confirmations_received in proptest::bool::ANY,
    ) {
        check(&rounds, confirmations_received)?;
    }
}

/// Found by the model: the sweep's announcement is lost (it says `failed`, and fails); then an
/// event and the sweep's retry run at once, the event deleting first, so the retry no longer
/// sees the instance. The worker's settling of the `failed` word keeps it from being the last.
#[test]
fn a_failed_word_is_not_the_last_once_another_delivery_deletes() {
    let quiet = Faults {
        announcement_fails: false,
        answer_lost: false,
        conflict_in_progress: false,
        delete_ignored: false,
        dies_after_delete: false,
    };
    let lost = Faults {
        announcement_fails: true,
        ..quiet
    };
    let rounds = [
        (Round::Alone(Via::Sweep), lost),
        (Round::Together(Via::Event, Via::Sweep, vec![true]), quiet),
    ];
    let checked = check(&rounds, true);
    assert!(checked.is_ok(), "{checked:?}");
}
