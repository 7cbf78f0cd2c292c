//! Generated inputs: envelopes built from their parts (so that many reach the rules), and
//! the worlds they are judged in (inventories and policies around the event's accounts).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, TimeZone, Utc};
use idc_core::exemption::{Exemption, ExemptionTarget};
use idc_core::inventory::{AccountRegion, TagProtection};
use idc_core::{Instance, InstanceStatus, Inventory, Organization, Policy, Trigger};
use serde_json::{json, Value};

use crate::mutate::{ACCOUNTS, ARNS, MANAGEMENT, REGIONS};
use crate::rng::Rng;

/// The evaluation time of every input.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

/// An envelope of one of the events the guardrail knows, with choices that matter.
pub fn envelope(rng: &mut Rng) -> Value {
    let account = *rng.pick(ACCOUNTS);
    let region = *rng.pick(REGIONS);
    let (source, event_source) = match rng.below(20) {
        0 => ("my.app", "sso.amazonaws.com"),
        1 => ("aws.sso", "organizations.amazonaws.com"),
        2 => ("aws.events", "events.amazonaws.com"),
        _ => ("", ""),
    };
    let detail_type = match rng.below(20) {
        0 => "AWS Insight via CloudTrail",
        1 => "AWS API Call via CloudTrail ",
        2..=5 => "AWS Service Event via CloudTrail",
        _ => "AWS API Call via CloudTrail",
    };
    let time = *rng.pick(&[
        "2026-11-20T10:00:00Z",
        "2026-11-20T10:00:00.123Z",
        "2026-11-19T23:00:00-05:00",
        "9999-12-31T23:59:59Z",
        "1970-01-01T00:00:00Z",
    ]);
    let mut detail = json!({
        "eventVersion": "1.10",
        "eventTime": time,
        "awsRegion": region,
        "eventID": format!("ev-{}", rng.below(1000)),
        "recipientAccountId": account,
        "userIdentity": identity(rng, account),
    });
    let (default_source, default_event_source, extra) = match rng.below(6) {
        0 | 1 => ("aws.sso", "sso.amazonaws.com", create_instance(rng)),
        2 => (
            "aws.organizations",
            "organizations.amazonaws.com",
            register(rng),
        ),
        3 => (
            "aws.organizations",
            "organizations.amazonaws.com",
            handshake(rng),
        ),
        4 => (
            "aws.organizations",
            "organizations.amazonaws.com",
            created_account(rng),
        ),
        _ => (
            "aws.organizations",
            "organizations.amazonaws.com",
            joined(rng),
        ),
    };
    let source = if source.is_empty() {
        default_source
    } else {
        source
    };
    let event_source = if event_source.is_empty() {
        default_event_source
    } else {
        event_source
    };
    if let (Some(d), Value::Object(e)) = (detail.as_object_mut(), extra) {
        d.insert("eventSource".into(), json!(event_source));
        d.extend(e);
    }
    let envelope_account = match rng.below(10) {
        0 => json!(*rng.pick(ACCOUNTS)),
        1 => Value::Null,
        _ => json!(account),
    };
    if rng.chance(5) {
        if let Some(d) = detail.as_object_mut() {
            d.remove("recipientAccountId");
        }
    }
    json!({
        "version": "0",
        "id": format!("env-{}", rng.below(1000)),
        "detail-type": detail_type,
        "source": source,
        "account": envelope_account,
        "time": "2026-11-20T10:00:00Z",
        "region": region,
        "resources": [],
        "detail": detail,
    })
}

fn identity(rng: &mut Rng, account: &str) -> Value {
    match rng.below(4) {
        0 => {
            json!({"type": "Root", "arn": format!("arn:aws:iam::{account}:root"), "accountId": account,
                    "sessionContext": {"sessionIssuer": {}}})
        }
        1 => json!({"accountId": account, "invokedBy": "AWS Internal"}),
        2 => json!({"type": "AssumedRole", "accountId": account,
                    "sessionContext": {"sessionIssuer": {"arn": format!("arn:aws:iam::{account}:role/Dev")}}}),
        _ => {
            json!({"type": "AssumedRole", "arn": format!("arn:aws:sts::{account}:assumed-role/Dev/alice"),
                    "accountId": account})
        }
    }
}

fn create_instance(rng: &mut Rng) -> Value {
    let arn = *rng.pick(ARNS);
    let mut d = json!({"eventName": "CreateInstance", "requestParameters": {"name": "trial"}});
    let response = match rng.below(6) {
        0 => Some(Value::Null),
        1 => None,
        2 => Some(json!({})),
        3 => Some(json!({"instanceArn": ""})),
        _ => Some(json!({"instanceArn": arn})),
    };
    let error = match rng.below(6) {
        0 => Some(Value::Null),
        1 => Some(json!("AccessDenied")),
        2 => Some(json!("")),
        _ => None,
    };
    if let Some(o) = d.as_object_mut() {
        if let Some(r) = response {
            o.insert("responseElements".into(), r);
        }
        if let Some(e) = error {
            o.insert("errorCode".into(), e);
        }
    }
    d
}

fn register(rng: &mut Rng) -> Value {
    let principal = *rng.pick(&[
        "sso.amazonaws.com",
        "sso.amazonaws.com",
        "securityhub.amazonaws.com",
    ]);
    let mut d = json!({"eventName": "RegisterDelegatedAdministrator",
        "requestParameters": {"accountId": *rng.pick(ACCOUNTS), "servicePrincipal": principal},
        "responseElements": null});
    if rng.chance(15) {
        if let Some(o) = d.as_object_mut() {
            o.insert(
                "errorCode".into(),
                json!("AccountAlreadyRegisteredException"),
            );
        }
    }
    d
}

fn handshake(rng: &mut Rng) -> Value {
    let action = *rng.pick(&["INVITE", "INVITE", "ENABLE_ALL_FEATURES"]);
    json!({"eventName": "AcceptHandshake", "responseElements": {"handshake": {
        "action": action, "state": "ACCEPTED",
        "parties": [{"type": "ORGANIZATION", "id": "o-a1b2c3d4e5"}, {"type": "ACCOUNT", "id": *rng.pick(ACCOUNTS)}]}}})
}

fn created_account(rng: &mut Rng) -> Value {
    let state = *rng.pick(&["SUCCEEDED", "SUCCEEDED", "FAILED", "IN_PROGRESS"]);
    json!({"eventName": "CreateAccountResult", "eventType": "AwsServiceEvent",
        "serviceEventDetails": {"createAccountStatus": {"id": "car-1", "state": state, "accountId": *rng.pick(ACCOUNTS)}}})
}

fn joined(rng: &mut Rng) -> Value {
    json!({"eventName": "AccountJoinedOrganization", "eventType": "AwsServiceEvent",
        "serviceEventDetails": {"accountId": *rng.pick(ACCOUNTS)}})
}

/// How far the generated policies and dates may go.
#[derive(Debug, Clone, Copy)]
pub struct Extremes {
    /// Trial windows and creation dates at the limits of their types (`u32::MAX` days,
    /// the last representable instant), beyond what the inventory file or AWS can give.
    /// On by default since the policy's date arithmetic is checked.
    pub type_limits: bool,
}

impl Default for Extremes {
    fn default() -> Self {
        Extremes { type_limits: true }
    }
}

/// The account, Region and ARN a trigger is about, so that worlds can meet it.
fn subject(trigger: &Trigger) -> (Option<&str>, Option<&str>, Option<&str>) {
    match trigger {
        Trigger::InstanceCreated(t) => (
            Some(t.account_id.as_str()),
            Some(t.region.as_str()),
            t.instance_arn.as_deref(),
        ),
        Trigger::DelegatedAdminRegistered(t) => (Some(t.account_id.as_str()), None, None),
        Trigger::AccountJoined(t) => (Some(t.account_id.as_str()), None, None),
        Trigger::Ignored(_) => (None, None, None),
    }
}

/// An inventory and a policy around the trigger: the management account's instance,
/// the subject's instances (matching the event's ARN or not), exempt accounts, delegated
/// administrators, applications, tags, creation dates and statuses of every kind.
pub fn world(rng: &mut Rng, trigger: &Trigger, extremes: Extremes) -> (Inventory, Policy) {
    let (account, region, arn) = subject(trigger);
    let account = account.unwrap_or_else(|| *rng.pick(ACCOUNTS));
    let region = region.unwrap_or_else(|| *rng.pick(REGIONS));
    let management = if rng.chance(90) {
        MANAGEMENT
    } else {
        // sometimes the subject itself is the management account
        account
    };
    let organization = (!rng.chance(12)).then(|| Organization {
        id: if rng.chance(90) {
            "o-a1b2c3d4e5".into()
        } else {
            String::new()
        },
        management_account_id: management.into(),
    });
    let mut accounts: Vec<String> = ACCOUNTS.iter().map(|a| (*a).to_owned()).collect();
    if !accounts.iter().any(|a| a == account) {
        accounts.push(account.to_owned());
    }
    let mut delegated_admins = BTreeMap::new();
    if rng.chance(60) {
        let admin = if rng.chance(40) {
            account
        } else {
            *rng.pick(ACCOUNTS)
        };
        delegated_admins.insert("sso.amazonaws.com".to_owned(), vec![admin.to_owned()]);
    }
    let mut instances = Vec::new();
    for i in 0..rng.below(6) {
        let owner = match rng.below(6) {
            0..=2 => account,
            3 => management,
            _ => *rng.pick(ACCOUNTS),
        };
        let instance_arn = match (arn, rng.below(3)) {
            (Some(arn), 0) => arn.to_owned(),
            _ => format!("arn:aws:sso:::instance/ssoins-{i:016}"),
        };
        instances.push(Instance {
            instance_arn,
            owner_account_id: owner.to_owned(),
            region: if rng.chance(70) {
                region.to_owned()
            } else {
                (*rng.pick(REGIONS)).to_owned()
            },
            status: match rng.below(8) {
                0 => InstanceStatus::CreateInProgress,
                1 => InstanceStatus::DeleteInProgress,
                2 => InstanceStatus::Other("PAUSED".into()),
                3 => InstanceStatus::Other(String::new()),
                _ => InstanceStatus::Active,
            },
            created_date: created_date(rng, extremes),
            application_count: match rng.below(8) {
                0 => None,
                1 => Some(1),
                2 => Some(u32::MAX),
                _ => Some(0),
            },
            tags: match rng.below(6) {
                0 => None,
                1 | 2 => Some(BTreeMap::from([(
                    "idc-trial".to_owned(),
                    "data-team".to_owned(),
                )])),
                3 => Some(BTreeMap::from([(String::new(), String::new())])),
                _ => Some(BTreeMap::new()),
            },
            status_reason: rng.chance(10).then(|| "quota exceeded".to_owned()),
            applications: None,
        });
    }
    let listed = if rng.chance(30) {
        vec![AccountRegion {
            account_id: account.to_owned(),
            region: region.to_owned(),
        }]
    } else {
        vec![]
    };
    let inventory = Inventory {
        organization,
        accounts,
        delegated_admins,
        instances,
        listed,
        tag_protection: match rng.below(4) {
            0 => None,
            1 => Some(TagProtection::default()),
            _ => Some(TagProtection {
                protected_keys: vec!["idc-trial".into()],
                note: None,
            }),
        },
    };
    let mut exempt_accounts = BTreeSet::new();
    if rng.chance(30) {
        exempt_accounts.insert(if rng.chance(50) {
            account.to_owned()
        } else {
            (*rng.pick(ACCOUNTS)).to_owned()
        });
    }
    let trial_days = if extremes.type_limits && rng.chance(20) {
        *rng.pick(&[u32::MAX, 100_000_000])
    } else {
        *rng.pick(&[0u32, 1, 7, 30, 365, 36_500])
    };
    let policy = Policy {
        auto_remediate: rng.chance(70),
        dry_run: rng.chance(25),
        exempt_accounts,
        exempt_tag: match rng.below(4) {
            0 | 1 => Some("idc-trial".into()),
            2 => Some(String::new()),
            _ => None,
        },
        trial_days,
        force_delete_in_use: rng.chance(30),
        exemptions: (0..rng.below(3))
            .map(|_| Exemption {
                target: if rng.chance(50) {
                    ExemptionTarget::Account(if rng.chance(50) {
                        account.to_owned()
                    } else {
                        (*rng.pick(ACCOUNTS)).to_owned()
                    })
                } else {
                    ExemptionTarget::Instance(format!(
                        "arn:aws:sso:::instance/ssoins-{:016}",
                        rng.below(4)
                    ))
                },
                expires: created_date(rng, extremes).unwrap_or_else(now),
                reason: "fuzz".into(),
            })
            .collect(),
        exempt_tag_policy_id: None,
    };
    (inventory, policy)
}

fn created_date(rng: &mut Rng, extremes: Extremes) -> Option<DateTime<Utc>> {
    let now = now();
    match rng.below(8) {
        0 => None,
        1 => Some(now - Duration::days(rng.range(0, 40) as i64)),
        2 => Some(now - Duration::days(rng.range(40, 4000) as i64)),
        3 => Some(now + Duration::days(rng.range(1, 400) as i64)),
        4 => Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).single(),
        5 => Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).single(),
        6 if extremes.type_limits => Some(DateTime::<Utc>::MAX_UTC),
        _ => Some(now - Duration::hours(rng.range(0, 48) as i64)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use idc_core::parse_event_bytes;

    #[test]
    fn generated_envelopes_reach_every_trigger_kind() {
        let mut kinds = BTreeSet::new();
        for seed in 0..2000 {
            if let Ok(t) = parse_event_bytes(envelope(&mut Rng::new(seed)).to_string().as_bytes()) {
                kinds.insert(t.kind());
            }
        }
        assert_eq!(
            kinds.into_iter().collect::<Vec<_>>(),
            vec![
                "account_joined",
                "delegated_admin_registered",
                "ignored",
                "instance_created"
            ]
        );
    }

    #[test]
    fn worlds_hold_the_subjects_instances() {
        let Some(trigger) = (0..100)
            .filter_map(|seed| {
                parse_event_bytes(envelope(&mut Rng::new(seed)).to_string().as_bytes()).ok()
            })
            .find(|t| matches!(t, Trigger::InstanceCreated(_)))
        else {
            panic!("no generated CreateInstance in 100 seeds");
        };
        let owned = (0..200)
            .filter(|seed| {
                let (inv, _) = world(&mut Rng::new(*seed), &trigger, Extremes::default());
                match subject(&trigger).0 {
                    Some(a) => inv.instances_owned_by(a).next().is_some(),
                    None => false,
                }
            })
            .count();
        assert!(owned > 50, "{owned}");
    }
}
