//! Properties over generated inventories, triggers and policies: the safety invariants of
//! the remediation policy hold whatever the input, and evaluation is deterministic.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use idc_core::exemption::{Exemption, ExemptionTarget};
use idc_core::inventory::TagProtection;
use idc_core::{
    evaluate_sweep, evaluate_trigger, parse_event_bytes, Instance, InstanceStatus, Inventory,
    Organization, Policy, Trigger,
};
use proptest::prelude::*;
use serde_json::json;

const ACCOUNTS: [&str; 5] = [
    "111111111111",
    "222222222222",
    "333333333333",
    "444444444444",
    "555555555555",
];
const REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn status() -> impl Strategy<Value = InstanceStatus> {
    prop_oneof![
        Just(InstanceStatus::Active),
        Just(InstanceStatus::CreateInProgress),
        Just(InstanceStatus::DeleteInProgress),
        Just(InstanceStatus::Other("PAUSED".into())),
    ]
}

fn instance() -> impl Strategy<Value = Instance> {
    (
        0..ACCOUNTS.len(),
        0..REGIONS.len(),
        status(),
        proptest::option::of(prop_oneof![0i64..120, Just(i64::MIN), Just(i64::MAX)]),
        proptest::option::of(0u32..4),
        proptest::option::of(proptest::bool::ANY),
        0u32..1000,
    )
        .prop_map(|(a, r, status, age, apps, tagged, n)| Instance {
            instance_arn: format!("arn:aws:sso:::instance/ssoins-{n:016}"),
            owner_account_id: ACCOUNTS[a].into(),
            region: REGIONS[r].into(),
            status,
            // Ages at the ends of the calendar as well: date arithmetic must not panic.
            created_date: age.map(|d| match d {
                i64::MIN => DateTime::<Utc>::MAX_UTC,
                i64::MAX => DateTime::<Utc>::MIN_UTC,
                d => now() - Duration::days(d),
            }),
            application_count: apps,
            tags: tagged.map(|t| {
                if t {
                    BTreeMap::from([("idc-trial".to_owned(), "yes".to_owned())])
                } else {
                    BTreeMap::new()
                }
            }),
            status_reason: None,
            applications: None,
        })
}

fn inventory() -> impl Strategy<Value = Inventory> {
    (
        proptest::bool::weighted(0.85),
        0..ACCOUNTS.len(),
        proptest::collection::vec(0..ACCOUNTS.len(), 0..2),
        proptest::collection::vec(instance(), 0..8),
        proptest::option::of(proptest::bool::ANY),
    )
        .prop_map(|(in_org, mgmt, admins, mut instances, protected)| {
            // One instance per ARN, as in AWS.
            let mut seen = BTreeSet::new();
            instances.retain(|i| seen.insert(i.instance_arn.clone()));
            Inventory {
                organization: in_org.then(|| Organization {
                    id: "o-prop".into(),
                    management_account_id: ACCOUNTS[mgmt].into(),
                }),
                accounts: ACCOUNTS.iter().map(|a| (*a).to_owned()).collect(),
                delegated_admins: BTreeMap::from([(
                    "sso.amazonaws.com".to_owned(),
                    admins.into_iter().map(|i| ACCOUNTS[i].to_owned()).collect(),
                )]),
                instances,
                listed: vec![],
                // Unknown, looked at and unprotected, or protected.
                tag_protection: protected.map(|p| TagProtection {
                    protected_keys: p.then(|| "idc-trial".to_owned()).into_iter().collect(),
                    note: None,
                }),
            }
        })
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        proptest::bool::ANY,
        proptest::bool::ANY,
        proptest::collection::btree_set(0..ACCOUNTS.len(), 0..3),
        proptest::bool::ANY,
        prop_oneof![0u32..60, Just(u32::MAX)],
        proptest::bool::ANY,
        proptest::collection::vec((0..ACCOUNTS.len(), -5i64..5), 0..3),
    )
        .prop_map(|(auto, dry, exempt, tag, days, force, central)| Policy {
            auto_remediate: auto,
            dry_run: dry,
            exempt_accounts: exempt
                .into_iter()
                .map(|i| ACCOUNTS[i].to_owned())
                .collect::<BTreeSet<_>>(),
            exempt_tag: tag.then(|| "idc-trial".to_owned()),
            trial_days: days,
            force_delete_in_use: force,
            exemptions: central
                .into_iter()
                .map(|(a, days)| Exemption {
                    target: ExemptionTarget::Account(ACCOUNTS[a].to_owned()),
                    expires: now() + Duration::days(days),
                    reason: "property".into(),
                })
                .collect(),
            exempt_tag_policy_id: None,
        })
}

fn trigger() -> impl Strategy<Value = Trigger> {
    (0..4usize, 0..ACCOUNTS.len(), 0..REGIONS.len(), 0u32..1000, proptest::bool::ANY).prop_map(
        |(kind, a, r, n, failed)| {
            let account = ACCOUNTS[a];
            let (source, name, extra) = match kind {
                0 => ("aws.sso", "CreateInstance", json!({
                    "responseElements": if failed { json!(null) } else { json!({"instanceArn": format!("arn:aws:sso:::instance/ssoins-{n:016}")}) },
                    "errorCode": if failed { json!("AccessDenied") } else { json!(null) }
                })),
                1 => ("aws.organizations", "RegisterDelegatedAdministrator", json!({
                    "requestParameters": {"accountId": account, "servicePrincipal": "sso.amazonaws.com"}
                })),
                2 => ("aws.organizations", "AcceptHandshake", json!({
                    "responseElements": {"handshake": {"action": "INVITE", "parties": [{"type": "ACCOUNT", "id": account}]}}
                })),
                _ => ("aws.sso", "DeleteInstance", json!({})),
            };
            let mut detail = json!({
                "eventTime": "2026-11-20T10:00:00Z",
                "eventSource": format!("{}.amazonaws.com", &source[4..]),
                "eventName": name, "awsRegion": REGIONS[r], "eventID": format!("ev-{n}"),
                "userIdentity": {"type": "Root", "arn": format!("arn:aws:iam::{account}:root"), "accountId": account, "sessionContext": {"sessionIssuer": {}}},
                "recipientAccountId": account
            });
            if let (Some(d), Some(e)) = (detail.as_object_mut(), extra.as_object()) {
                d.extend(e.clone());
            }
            let v = json!({"version": "0", "id": format!("env-{n}"), "detail-type": "AWS API Call via CloudTrail",
                           "source": source, "account": account, "region": REGIONS[r], "detail": detail});
            parse_event_bytes(v.to_string().as_bytes()).unwrap_or_else(|e| panic!("generated event must parse: {e}"))
        },
    )
}

/// The invariants every decision must honour.
fn assert_safe(
    judged: &[idc_core::Judged],
    inventory: &Inventory,
    policy: &Policy,
) -> Result<(), TestCaseError> {
    for j in judged {
        if !j.decision.allows_delete() {
            continue;
        }
        let Some(instance) = j.instance() else {
            return Err(TestCaseError::fail("delete allowed without an instance"));
        };
        prop_assert!(
            j.finding().rule.is_remediable(),
            "{:?} is not remediable",
            j.finding().rule
        );
        prop_assert_ne!(
            Some(instance.owner_account_id.as_str()),
            inventory.management_account_id(),
            "management instance"
        );
        prop_assert!(
            inventory.organization.is_some(),
            "standalone accounts are reported only"
        );
        prop_assert!(
            !policy.exempt_accounts.contains(&instance.owner_account_id),
            "exempt account"
        );
        prop_assert_eq!(&instance.owner_account_id, &j.finding().account_id);
        prop_assert!(instance.status.is_deletable());
        prop_assert!(policy.auto_remediate && !policy.dry_run);
        match instance.application_count {
            Some(0) => {}
            Some(_) => prop_assert!(
                policy.force_delete_in_use,
                "in-use instance deleted without force"
            ),
            None => {
                return Err(TestCaseError::fail(
                    "delete allowed with unknown applications",
                ))
            }
        }
        if let Some(key) = &policy.exempt_tag {
            // An exemption tag is configured: unknown tags may hide one.
            let protected = inventory
                .tag_protection
                .as_ref()
                .map(|p| p.protected_keys.contains(key));
            // Unless no policy protects the key (then no tag exempts), unknown tags may hide one.
            let empty = BTreeMap::new();
            let tags = match (&instance.tags, protected) {
                (Some(tags), _) => tags,
                (None, Some(false)) => &empty,
                (None, _) => return Err(TestCaseError::fail("delete allowed with unknown tags")),
            };
            if tags.contains_key(key) && protected.is_none() {
                return Err(TestCaseError::fail("tagged, protection unknown"));
            }
            if tags.contains_key(key) && protected == Some(true) {
                let created = instance
                    .created_date
                    .ok_or_else(|| TestCaseError::fail("tagged, age unknown"))?;
                let until = created
                    .checked_add_signed(Duration::days(i64::from(policy.trial_days)))
                    .ok_or_else(|| TestCaseError::fail("tagged, trial end out of range"))?;
                prop_assert!(now() >= until, "tagged instance within its trial");
            }
        }
        prop_assert!(
            !policy.exemptions.iter().any(|e| now() < e.expires
                && e.target == ExemptionTarget::Account(instance.owner_account_id.clone())),
            "instance a central exemption spares deleted"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn event_decisions_are_safe_and_deterministic(inv in inventory(), policy in policy(), trigger in trigger(), with_inventory in proptest::bool::weighted(0.8)) {
        let inv_opt = with_inventory.then_some(&inv);
        let first = evaluate_trigger(&trigger, inv_opt, &policy, now());
        let second = evaluate_trigger(&trigger, inv_opt, &policy, now());
        prop_assert_eq!(&first, &second);
        let fallback = Inventory::default();
        assert_safe(&first.judged, inv_opt.unwrap_or(&fallback), &policy)?;
        let ids: BTreeSet<_> = first.findings().map(|f| f.id.clone()).collect();
        prop_assert_eq!(ids.len(), first.judged.len(), "ids are unique within an evaluation");
    }

    #[test]
    fn sweep_decisions_are_safe_and_deterministic(inv in inventory(), policy in policy()) {
        let first = evaluate_sweep("sweep-prop", &inv, &policy, now());
        prop_assert_eq!(&first, &evaluate_sweep("sweep-prop", &inv, &policy, now()));
        assert_safe(&first.judged, &inv, &policy)?;
        // the organization instance never produces a finding
        if let Some(mgmt) = inv.management_account_id() {
            prop_assert!(first.findings().all(|f| f.account_id != mgmt));
        }
    }
}
