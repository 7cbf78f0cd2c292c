use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::finding::ExemptionSource;
use crate::finding::{RemediationStatus, RuleId};
use crate::inventory::{InstanceStatus, Organization, TagProtection};
use crate::policy::{Policy, Verdict};
use crate::rules::classify;

const MEMBER: &str = "222222222222";
const ARN: &str = "arn:aws:sso:::instance/ssoins-1";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn inventory(protected: Option<&[&str]>) -> Inventory {
    Inventory {
        organization: Some(Organization {
            id: "o-abc".into(),
            management_account_id: "111111111111".into(),
        }),
        tag_protection: protected.map(|keys| TagProtection {
            protected_keys: keys.iter().map(|k| (*k).to_owned()).collect(),
            note: keys
                .is_empty()
                .then(|| "EXEMPT_TAG_POLICY_ID is not set".to_owned()),
        }),
        ..Inventory::default()
    }
}

fn instance(tags: &[(&str, &str)]) -> Instance {
    Instance {
        instance_arn: ARN.into(),
        owner_account_id: MEMBER.into(),
        region: "eu-west-1".into(),
        status: InstanceStatus::Active,
        created_date: Some(now() - Duration::days(3)),
        application_count: Some(0),
        tags: Some(
            tags.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
        ),
        status_reason: None,
        applications: None,
    }
}

fn policy(exemptions: &str) -> Policy {
    Policy {
        auto_remediate: true,
        exemptions: parse_exemptions(exemptions).unwrap_or_default(),
        ..Policy::default()
    }
}

fn tag_policy() -> Policy {
    Policy {
        auto_remediate: true,
        exempt_tag: Some("idc-trial".into()),
        trial_days: 7,
        ..Policy::default()
    }
}

#[test]
fn exemptions_are_read_with_their_target_expiry_and_reason() {
    let read = parse_exemptions(
        r#"[{"account":"222222222222","expires":"2027-01-31","reason":" QuickSight trial, SEC-1 "},
            {"instance_arn":"arn:aws:sso:::instance/ssoins-9","expires":"2026-12-01T08:00:00Z","reason":"migration"}]"#,
    );
    let read = read.unwrap_or_default();
    assert_eq!(read.len(), 2);
    assert_eq!(read[0].target, ExemptionTarget::Account(MEMBER.into()));
    // A date holds through that day, UTC.
    assert_eq!(rfc3339(read[0].expires), "2027-02-01T00:00:00Z");
    assert_eq!(read[0].reason, "QuickSight trial, SEC-1");
    assert_eq!(
        read[1].target,
        ExemptionTarget::Instance("arn:aws:sso:::instance/ssoins-9".into())
    );
    assert_eq!(rfc3339(read[1].expires), "2026-12-01T08:00:00Z");
    assert_eq!(parse_exemptions("  ").map(|e| e.len()), Ok(0));
}

#[test]
fn a_bad_exemption_is_an_error_naming_the_entry() {
    let cases = [
        ("{}", "not a JSON list"),
        (
            r#"[{"expires":"2027-01-01","reason":"r"}]"#,
            "entry 0: name exactly one",
        ),
        (
            r#"[{"account":"222222222222","instance_arn":"arn:aws:sso:::instance/x","expires":"2027-01-01","reason":"r"}]"#,
            "exactly one",
        ),
        (
            r#"[{"account":"2222","expires":"2027-01-01","reason":"r"}]"#,
            "12-digit",
        ),
        (
            r#"[{"instance_arn":"arn:aws:iam::1:role/x","expires":"2027-01-01","reason":"r"}]"#,
            "not an Identity Center instance ARN",
        ),
        (
            r#"[{"account":"222222222222","expires":"2027-01-01","reason":" "}]"#,
            "reason",
        ),
        (
            r#"[{"account":"222222222222","expires":"soon","reason":"r"}]"#,
            "`soon`",
        ),
        (r#"[{"account":"222222222222","reason":"r"}]"#, "expires"),
        (
            r#"[{"account":"222222222222","expires":"2027-01-01","reason":"r","by":"me"}]"#,
            "unknown field",
        ),
    ];
    for (text, expected) in cases {
        let error = parse_exemptions(text).err().unwrap_or_default();
        assert!(error.contains(expected), "{text}: {error}");
    }
}

#[test]
fn a_central_exemption_spares_until_it_expires_then_the_instance_is_idc005() {
    let within = policy(
        r#"[{"account":"222222222222","expires":"2026-11-30","reason":"QuickSight trial"}]"#,
    );
    let inv = inventory(None);
    let d = within.weigh(RuleId::IDC001, MEMBER, Some(&instance(&[])), &inv, now());
    assert_eq!(d.verdict, Verdict::Skip(RemediationStatus::SkippedExempt));
    assert!(d.detail.contains("QuickSight trial"), "{}", d.detail);
    assert!(d.detail.contains("2026-12-01T00:00:00Z"), "{}", d.detail);

    let expired = policy(
        r#"[{"account":"222222222222","expires":"2026-11-19","reason":"QuickSight trial"}]"#,
    );
    let standing = expired.standing(&instance(&[]), &inv, now());
    assert!(
        matches!(&standing, Standing::Expired(e) if e.expired && e.source == ExemptionSource::Central)
    );
    assert_eq!(
        classify(&instance(&[]), &inv, &expired, now()),
        Some(RuleId::IDC005)
    );
    assert!(expired
        .weigh(RuleId::IDC005, MEMBER, Some(&instance(&[])), &inv, now())
        .allows_delete());
}

#[test]
fn an_instance_exemption_covers_that_instance_only_and_a_holding_one_wins() {
    let p = policy(
        r#"[{"instance_arn":"arn:aws:sso:::instance/ssoins-1","expires":"2026-11-01","reason":"old"},
            {"instance_arn":"arn:aws:sso:::instance/ssoins-1","expires":"2027-01-01","reason":"renewed"}]"#,
    );
    let inv = inventory(None);
    assert!(
        matches!(p.standing(&instance(&[]), &inv, now()), Standing::Spared(e) if e.reason == "renewed")
    );
    let mut other = instance(&[]);
    other.instance_arn = "arn:aws:sso:::instance/ssoins-2".into();
    assert_eq!(p.standing(&other, &inv, now()), Standing::NotExempt);
}

#[test]
fn the_tag_exempts_only_while_a_policy_protects_it() {
    let p = tag_policy();
    let tagged = instance(&[("idc-trial", "data-team")]);
    // Protected: spared within the window, IDC005 after it.
    let protected = inventory(Some(&["idc-trial"]));
    assert!(
        matches!(p.standing(&tagged, &protected, now()), Standing::Spared(e) if e.source == ExemptionSource::Tag)
    );
    let mut old = tagged.clone();
    old.created_date = Some(now() - Duration::days(8));
    assert_eq!(classify(&old, &protected, &p, now()), Some(RuleId::IDC005));
    // Not protected: the member set it, so it is reported for what it is, and deleted.
    let unprotected = inventory(Some(&[]));
    let d = p.weigh(RuleId::IDC001, MEMBER, Some(&tagged), &unprotected, now());
    assert!(d.allows_delete());
    assert!(d.detail.contains("exempts nothing"), "{}", d.detail);
    assert!(d.detail.contains("EXEMPT_TAG_POLICY_ID"), "{}", d.detail);
    assert_eq!(
        classify(&old, &unprotected, &p, now()),
        Some(RuleId::IDC001)
    );
    // Not known whether it is protected: never beyond dry_run.
    let d = p.weigh(
        RuleId::IDC001,
        MEMBER,
        Some(&tagged),
        &inventory(None),
        now(),
    );
    assert_eq!(d.verdict, Verdict::DryRun);
    assert!(d.unverified.is_some_and(|f| f.contains("tag protection")));
}

#[test]
fn an_unknown_creation_date_is_never_within_a_trial() {
    let p = tag_policy();
    let protected = inventory(Some(&["idc-trial"]));
    let mut undated = instance(&[("idc-trial", "")]);
    undated.created_date = None;
    let d = p.weigh(RuleId::IDC001, MEMBER, Some(&undated), &protected, now());
    assert_eq!(d.verdict, Verdict::DryRun);
    assert!(d.unverified.is_some_and(|f| f.contains("creation date")));
    // A window past the end of the calendar cannot be computed either.
    let long = Policy {
        trial_days: u32::MAX,
        ..p
    };
    undated.created_date = Some(DateTime::<Utc>::MAX_UTC - Duration::days(1));
    assert!(matches!(
        long.standing(&undated, &protected, now()),
        Standing::Unknown(_)
    ));
}

#[test]
fn unknown_tags_with_an_exemption_tag_configured_only_dry_run() {
    let p = tag_policy();
    let mut inst = instance(&[]);
    inst.tags = None;
    let d = p.weigh(
        RuleId::IDC001,
        MEMBER,
        Some(&inst),
        &inventory(Some(&["idc-trial"])),
        now(),
    );
    assert_eq!(d.verdict, Verdict::DryRun);
    assert!(d.unverified.is_some_and(|f| f.contains("idc-trial")));
    // Without an exemption tag configured, tags do not matter.
    assert!(policy("")
        .weigh(RuleId::IDC001, MEMBER, Some(&inst), &inventory(None), now())
        .allows_delete());
}

#[test]
fn unknown_tags_do_not_matter_when_no_policy_protects_the_key() {
    // A member denying ListTagsForResource cannot hold the delete back with a tag that would
    // exempt nothing anyway.
    let p = tag_policy();
    let mut inst = instance(&[]);
    inst.tags = None;
    let d = p.weigh(
        RuleId::IDC001,
        MEMBER,
        Some(&inst),
        &inventory(Some(&[])),
        now(),
    );
    assert!(d.allows_delete(), "{d:?}");
}
