//! The live path over in-memory fakes of the ports: what is deleted, what is published,
//! and when the call fails.

use idc_core::{Budget, HandleError, Policy, RemediationStatus, RuleId};
use idc_testkit::*;
use serde_json::json;

fn statuses(g: &Fake) -> Vec<(RuleId, RemediationStatus)> {
    g.publisher
        .sent()
        .iter()
        .map(|f| (f.rule, f.remediation.status))
        .collect()
}

/// A member's CreateInstance, with auto-remediation on, over these instances.
fn member_create(instances: Instances) -> (Fake, Result<idc_core::EventReport, HandleError>) {
    let g = guardrail(instances, Publisher::default(), auto());
    let out = block_on(g.handle(
        &envelope(create_event(MEMBER, "eu-west-1", MEMBER_ARN)),
        Budget::unbounded(),
    ));
    (g, out)
}

/// What a member's CreateInstance publishes, with auto-remediation on, over these instances.
fn member_create_outcome(instances: Instances) -> Vec<(RuleId, RemediationStatus)> {
    let (g, out) = member_create(instances);
    assert!(out.is_ok(), "{out:?}");
    statuses(&g)
}

#[test]
fn member_instance_is_deleted_confirmed_and_published() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    let out = block_on(g.handle(
        &envelope(create_event(MEMBER, "eu-west-1", MEMBER_ARN)),
        Budget::unbounded(),
    ));
    assert!(out.is_ok(), "{out:?}");
    assert_eq!(g.instances.deletes(), vec![MEMBER_ARN.to_owned()]);
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::Deleted)]
    );
    assert!(!g.instances.arns().contains(&MEMBER_ARN.to_owned()));
}

#[test]
fn report_only_by_default_deletes_nothing() {
    let g = guardrail(
        Instances::with(world()),
        Publisher::default(),
        Policy::default(),
    );
    assert!(block_on(g.handle(
        &envelope(create_event(MEMBER, "eu-west-1", MEMBER_ARN)),
        Budget::unbounded()
    ))
    .is_ok());
    assert!(g.instances.deletes().is_empty());
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::SkippedNotEnabled)]
    );
}

#[test]
fn duplicate_delivery_deletes_once_with_identical_ids() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    let event = create_event(MEMBER, "eu-west-1", MEMBER_ARN);
    assert!(block_on(g.handle(&envelope(event.clone()), Budget::unbounded())).is_ok());
    assert!(block_on(g.handle(&envelope(event), Budget::unbounded())).is_ok());
    assert_eq!(g.instances.deletes().len(), 1, "one deletion");
    let sent = g.publisher.sent();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].id, sent[1].id);
    assert_eq!(
        sent[1].remediation.status,
        RemediationStatus::AlreadyDeleted
    );
}

#[test]
fn delegated_admin_registration_deletes_the_account_instance_not_the_org_instance() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    assert!(block_on(g.handle(&envelope(register_event(ADMIN)), Budget::unbounded())).is_ok());
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC002, RemediationStatus::Deleted)]
    );
    assert_eq!(g.instances.deletes(), vec![ADMIN_ARN.to_owned()]);
    assert!(g.instances.arns().contains(&ORG_ARN.to_owned()));
}

#[test]
fn management_account_instance_is_never_deleted_with_every_flag_on() {
    let all = Policy {
        auto_remediate: true,
        force_delete_in_use: true,
        ..Policy::default()
    };
    let g = guardrail(Instances::with(world()), Publisher::default(), all);
    assert!(block_on(g.handle(
        &envelope(create_event(MGMT, "us-east-1", ORG_ARN)),
        Budget::unbounded()
    ))
    .is_ok());
    assert!(block_on(g.handle(&envelope(register_event(ADMIN)), Budget::unbounded())).is_ok());
    assert!(!g.instances.deletes().contains(&ORG_ARN.to_owned()));
    assert!(g.instances.arns().contains(&ORG_ARN.to_owned()));
}

#[test]
fn in_use_instance_is_skipped() {
    let mut w = world();
    w[1].application_count = Some(2);
    let g = guardrail(Instances::with(w), Publisher::default(), auto());
    assert!(block_on(g.handle(
        &envelope(create_event(MEMBER, "eu-west-1", MEMBER_ARN)),
        Budget::unbounded()
    ))
    .is_ok());
    assert!(g.instances.deletes().is_empty());
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::SkippedInUse)]
    );
}

fn failing(statuses: &[&'static str]) -> Publisher {
    Publisher {
        fail_statuses: statuses.to_vec(),
        ..Publisher::default()
    }
}

fn all_statuses(g: &Fake) -> Vec<RemediationStatus> {
    g.publisher
        .all()
        .iter()
        .map(|f| f.remediation.status)
        .collect()
}

#[test]
fn a_delete_is_announced_before_it_happens_and_its_outcome_follows_under_the_same_id() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    assert!(block_on(g.handle(
        &envelope(create_event(MEMBER, "eu-west-1", MEMBER_ARN)),
        Budget::unbounded()
    ))
    .is_ok());
    let all = g.publisher.all();
    assert_eq!(
        all_statuses(&g),
        vec![RemediationStatus::Deleting, RemediationStatus::Deleted]
    );
    assert_eq!(all[0].id, all[1].id);
    assert!(
        all[0].sequence < all[1].sequence,
        "{:?}",
        all.iter().map(|f| f.sequence).collect::<Vec<_>>()
    );
}

#[test]
fn publish_failing_before_the_delete_deletes_nothing_and_the_retry_deletes() {
    let mut g = guardrail(
        Instances::with(world()),
        failing(&["deleting", "failed"]),
        auto(),
    );
    let event = create_event(MEMBER, "eu-west-1", MEMBER_ARN);
    let first = block_on(g.handle(&envelope(event.clone()), Budget::unbounded()));
    assert!(
        matches!(
            first,
            Err(HandleError::Publish {
                failed: 2,
                total: 2,
                ..
            })
        ),
        "{first:?}"
    );
    assert!(
        g.instances.deletes().is_empty(),
        "nothing deleted unannounced"
    );
    assert!(g.instances.arns().contains(&MEMBER_ARN.to_owned()));
    g.publisher.fail_statuses.clear();
    assert!(block_on(g.handle(&envelope(event), Budget::unbounded())).is_ok());
    assert_eq!(
        all_statuses(&g),
        vec![RemediationStatus::Deleting, RemediationStatus::Deleted]
    );
}

#[test]
fn publish_failing_after_the_delete_fails_the_call_and_the_retry_confirms_it_gone() {
    let mut g = guardrail(Instances::with(world()), failing(&["deleted"]), auto());
    let event = create_event(MEMBER, "eu-west-1", MEMBER_ARN);
    let first = block_on(g.handle(&envelope(event.clone()), Budget::unbounded()));
    assert!(
        matches!(
            first,
            Err(HandleError::Publish {
                failed: 1,
                total: 2,
                ..
            })
        ),
        "{first:?}"
    );
    // The team already knows: the announcement went out before the delete.
    assert_eq!(all_statuses(&g), vec![RemediationStatus::Deleting]);
    g.publisher.fail_statuses.clear();
    assert!(block_on(g.handle(&envelope(event), Budget::unbounded())).is_ok());
    let all = g.publisher.all();
    assert_eq!(
        all_statuses(&g),
        vec![
            RemediationStatus::Deleting,
            RemediationStatus::AlreadyDeleted
        ]
    );
    assert_eq!(all[0].id, all[1].id);
    assert!(all[0].sequence < all[1].sequence);
    assert_eq!(g.instances.deletes().len(), 1);
    // Absence was confirmed by more than one listing before it was believed.
    assert!(
        *g.instances
            .lists
            .lock()
            .map_err(lock_err)
            .unwrap_or_else(|e| panic!("{e}"))
            >= 2 + idc_core::facts::LIST_ATTEMPTS as usize
    );
}

#[test]
fn an_org_event_whose_outcome_was_lost_is_closed_by_the_retry_all_clear() {
    let mut g = guardrail(Instances::with(world()), failing(&["deleted"]), auto());
    let first = block_on(g.handle(&envelope(register_event(ADMIN)), Budget::unbounded()));
    assert!(
        matches!(first, Err(HandleError::Publish { .. })),
        "{first:?}"
    );
    assert_eq!(all_statuses(&g), vec![RemediationStatus::Deleting]);
    assert!(g.publisher.all_clears().is_empty());
    g.publisher.fail_statuses.clear();
    // The retry finds the delegated administrator clean, and says so under the same event.
    assert!(block_on(g.handle(&envelope(register_event(ADMIN)), Budget::unbounded())).is_ok());
    let clear = g.publisher.all_clears();
    assert_eq!(clear.len(), 1);
    assert_eq!(clear[0].account_id, ADMIN);
    assert_eq!(clear[0].trigger, g.publisher.all()[0].trigger);
    assert_eq!(clear[0].regions_listed.len(), 2);
}

#[test]
fn a_delete_that_fails_fails_the_call_so_it_is_retried() {
    let (g, out) = member_create(Instances {
        delete_is_ignored: true,
        ..Instances::with(world())
    });
    assert!(matches!(out, Err(HandleError::Incomplete(_))), "{out:?}");
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::Failed)]
    );
}

#[test]
fn an_undeleted_instance_still_being_created_is_listed_again_in_one_loop_not_two() {
    // The instance stays CREATE_IN_PROGRESS and the delete is ignored: gathering waits for it
    // to settle, confirming waits for it to go; each wait is one loop of at most
    // LIST_ATTEMPTS listings (confirming used to nest the first wait in the second).
    let mut live = world();
    for instance in &mut live {
        if instance.instance_arn == MEMBER_ARN {
            instance.status = idc_core::InstanceStatus::CreateInProgress;
        }
    }
    let (g, out) = member_create(Instances {
        delete_is_ignored: true,
        ..Instances::with(live)
    });
    assert!(matches!(out, Err(HandleError::Incomplete(_))), "{out:?}");
    assert_eq!(g.instances.deletes(), vec![MEMBER_ARN.to_owned()]);
    let lists = g.instances.lists.lock().map(|n| *n).unwrap_or_default();
    let at_most = 2 * idc_core::facts::LIST_ATTEMPTS as usize;
    assert!(
        lists <= at_most,
        "{lists} listings, at most {at_most} expected"
    );
    assert_eq!(
        statuses(&g).last(),
        Some(&(RuleId::IDC001, RemediationStatus::Failed))
    );
}

#[test]
fn outside_regions_report_never_deletes_outside_regions() {
    let mut g = guardrail(Instances::with(world()), Publisher::default(), auto());
    g.settings.regions = vec!["us-east-1".into()];
    g.settings.outside_regions = idc_core::settings::OutsideRegions::Report;
    let event = create_event(MEMBER, "eu-west-1", MEMBER_ARN);
    assert!(block_on(g.handle(&envelope(event.clone()), Budget::unbounded())).is_ok());
    assert!(g.instances.deletes().is_empty());
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::SkippedNotEnabled)]
    );
    // The default evaluates the event's Region like any other.
    g.settings.outside_regions = idc_core::settings::OutsideRegions::Evaluate;
    assert!(block_on(g.handle(&envelope(event), Budget::unbounded())).is_ok());
    assert_eq!(g.instances.deletes(), vec![MEMBER_ARN.to_owned()]);
}

#[test]
fn bad_event_is_an_error_and_touches_nothing() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    let out = block_on(g.handle(
        &envelope(json!({"detail-type": "AWS API Call via CloudTrail", "source": "aws.sso", "detail": [1]})),
        Budget::unbounded(),
    ));
    assert!(matches!(out, Err(HandleError::BadEvent(_))));
    assert!(g.instances.deletes().is_empty() && g.publisher.sent().is_empty());
}

#[test]
fn unreachable_account_publishes_failed_and_asks_for_a_retry() {
    let (g, out) = member_create(Instances {
        unreachable: true,
        ..Instances::with(world())
    });
    assert!(matches!(out, Err(HandleError::Incomplete(_))), "{out:?}");
    assert!(g.instances.deletes().is_empty());
    assert_eq!(
        statuses(&g),
        vec![(RuleId::IDC001, RemediationStatus::Failed)]
    );
    let notices = g.publisher.notices();
    assert_eq!(notices.len(), 1);
    assert_eq!(notices[0].unknown[0].region, "eu-west-1");
}

#[test]
fn ignored_events_publish_nothing() {
    let g = guardrail(Instances::with(world()), Publisher::default(), auto());
    let mut event = register_event(MEMBER);
    event["detail"]["requestParameters"]["servicePrincipal"] = json!("config.amazonaws.com");
    assert!(block_on(g.handle(&envelope(event), Budget::unbounded())).is_ok());
    assert!(g.publisher.sent().is_empty());
}

#[test]
fn access_denied_for_an_instance_deleted_meanwhile_is_already_deleted() {
    let instances = Instances {
        deleted_concurrently: true,
        ..Instances::with(world())
    };
    assert_eq!(
        member_create_outcome(instances),
        vec![(RuleId::IDC001, RemediationStatus::AlreadyDeleted)]
    );
}
