//! A `skipped_in_use` finding carries the migration plan in short: the bound applications as
//! listed, their kinds and counts, the first steps and the command for the whole plan; no
//! other finding does.

use idc_core::migration::BoundApp;
use idc_core::{
    evaluate_trigger, parse_event_bytes, Instance, InstanceStatus, Inventory, Organization, Policy,
    RemediationStatus,
};
use idc_testkit::{create_event, now, MEMBER, MEMBER_ARN, MGMT};

fn bound(name: &str, provider: Option<&str>, users: usize, groups: usize) -> BoundApp {
    BoundApp {
        application_arn: format!("{MEMBER_ARN}/apl-{name}"),
        name: name.to_owned(),
        provider_arn: "arn:aws:sso::aws:applicationProvider/x".to_owned(),
        provider_name: provider.map(str::to_owned),
        status: "ENABLED".to_owned(),
        users: Some(users),
        groups: Some(groups),
        principals: vec![],
    }
}

fn finding_with(apps: Option<Vec<BoundApp>>, count: u32, policy: &Policy) -> idc_core::Finding {
    let inventory = Inventory {
        organization: Some(Organization {
            id: "o-a1b2c3d4e5".into(),
            management_account_id: MGMT.into(),
        }),
        accounts: vec![MGMT.into(), MEMBER.into()],
        instances: vec![Instance {
            instance_arn: MEMBER_ARN.into(),
            owner_account_id: MEMBER.into(),
            region: "eu-west-1".into(),
            status: InstanceStatus::Active,
            created_date: None,
            application_count: Some(count),
            tags: Some(Default::default()),
            status_reason: None,
            applications: apps,
        }],
        ..Inventory::default()
    };
    let event = create_event(MEMBER, "eu-west-1", MEMBER_ARN).to_string();
    let trigger = parse_event_bytes(event.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let evaluation = evaluate_trigger(&trigger, Some(&inventory), policy, now());
    let mut findings: Vec<_> = evaluation.findings().collect();
    assert_eq!(findings.len(), 1, "{findings:?}");
    findings.remove(0)
}

#[test]
fn an_instance_kept_in_use_names_its_applications_and_the_plan() {
    let apps = vec![
        bound("QuickSight", Some("Amazon QuickSight"), 2, 1),
        bound("QDevProfile-eu-west-1", None, 1, 0),
        bound("acme", Some("Acme Portal"), 0, 0),
    ];
    let auto = Policy {
        auto_remediate: true,
        ..Policy::default()
    };
    let finding = finding_with(Some(apps), 3, &auto);
    assert_eq!(finding.remediation.status, RemediationStatus::SkippedInUse);
    let brief = finding
        .migration
        .unwrap_or_else(|| panic!("no migration key"));
    let kinds: Vec<&str> = brief.apps.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["Amazon QuickSight", "Amazon Q Developer", "unknown"]
    );
    assert_eq!(brief.applications, Some(3));
    assert_eq!(
        brief.command,
        format!("idc-guard plan --account {MEMBER} --regions eu-west-1")
    );
    assert_eq!(brief.first_steps.len(), 3, "{:?}", brief.first_steps);
    assert!(finding
        .remediation
        .detail
        .contains("QuickSight (Amazon QuickSight, 2 users, 1 group)"));
    assert!(finding.remediation.detail.contains(&brief.command));
}

#[test]
fn without_the_list_the_brief_still_gives_the_command() {
    let auto = Policy {
        auto_remediate: true,
        ..Policy::default()
    };
    let finding = finding_with(None, 2, &auto);
    let brief = finding
        .migration
        .unwrap_or_else(|| panic!("no migration key"));
    assert!(brief.apps.is_empty() && brief.applications == Some(2));
    assert_eq!(brief.first_steps.len(), 1, "the generic first step");
}

#[test]
fn no_other_finding_carries_a_plan() {
    let force = Policy {
        auto_remediate: true,
        force_delete_in_use: true,
        ..Policy::default()
    };
    let finding = finding_with(
        Some(vec![bound("QuickSight", Some("Amazon QuickSight"), 1, 0)]),
        1,
        &force,
    );
    assert_ne!(finding.remediation.status, RemediationStatus::SkippedInUse);
    assert!(finding.migration.is_none());
}
