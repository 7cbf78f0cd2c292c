//! The rules IDC001–IDC005: pure functions of (trigger or sweep, inventory, policy, now).
//! They never call AWS. Each offending instance gives exactly one [`Violation`]; each
//! violation gets one [`Decision`] (see [`crate::decide`]), and its finding is assembled from
//! the two (see [`crate::violation`]).

use chrono::{DateTime, Utc};

use crate::catalog;
use crate::decide::{decide, Restraints};
use crate::event::{AccountJoined, DelegatedAdminRegistered, EventMeta, InstanceCreated, Trigger};
use crate::exemption::Standing;
use crate::finding::{Evidence, Finding, RuleId, TriggerRef};
use crate::inventory::{Instance, InstanceStatus, Inventory};
use crate::policy::{Decision, Policy};
use crate::violation::Violation;

/// A violation together with the decision about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub violation: Violation,
    pub decision: Decision,
}

impl Judged {
    /// The finding as an evaluation reports it, before anything is carried out.
    pub fn finding(&self) -> Finding {
        self.violation.finding(self.decision.planned())
    }

    /// The instance the decision is about (what the live path would delete).
    pub fn instance(&self) -> Option<&Instance> {
        self.violation.instance.as_ref()
    }
}

/// The outcome of evaluating one trigger or sweep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    pub judged: Vec<Judged>,
    /// Things a reader should know: what was ignored, what could not be verified.
    pub notes: Vec<String>,
}

impl Evaluation {
    /// The findings as an evaluation reports them.
    pub fn findings(&self) -> impl Iterator<Item = Finding> + '_ {
        self.judged.iter().map(Judged::finding)
    }

    fn decided(
        found: Found,
        policy: &Policy,
        inventory: Option<&Inventory>,
        restraints: &Restraints,
    ) -> Self {
        let none = Inventory::default();
        let inventory = inventory.unwrap_or(&none);
        Evaluation {
            judged: found
                .violations
                .into_iter()
                .map(|violation| Judged {
                    decision: decide(&violation, policy, inventory, restraints),
                    violation,
                })
                .collect(),
            notes: found.notes,
        }
    }
}

/// What the rules found: violations, and what a reader should know.
#[derive(Debug, Default)]
struct Found {
    violations: Vec<Violation>,
    notes: Vec<String>,
}

impl Found {
    fn note(note: String) -> Self {
        Found {
            violations: vec![],
            notes: vec![note],
        }
    }
}

/// Evaluates an event-driven trigger. `inventory` is `None` when only the event is known.
pub fn evaluate_trigger(
    trigger: &Trigger,
    inventory: Option<&Inventory>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Evaluation {
    evaluate_trigger_with(trigger, inventory, policy, now, Restraints::default())
}

/// Evaluates an event-driven trigger under the restraints of the live path's look. An event
/// that cannot be trusted to act on (its envelope and record disagree on the account) is
/// judged like any other and reported, but nothing it leads to is ever deleted.
pub fn evaluate_trigger_with(
    trigger: &Trigger,
    inventory: Option<&Inventory>,
    policy: &Policy,
    now: DateTime<Utc>,
    mut restraints: Restraints,
) -> Evaluation {
    restraints.untrusted = trigger.untrusted_reason();
    // Judged as report-only as well, so that no policy flag can turn the event into a delete.
    let report_only = Policy::default();
    let policy = if restraints.untrusted.is_some() {
        &report_only
    } else {
        policy
    };
    let mut found = violations(trigger, inventory, policy, now);
    found.notes.extend(restraints.untrusted.clone());
    Evaluation::decided(found, policy, inventory, &restraints)
}

fn violations(
    trigger: &Trigger,
    inventory: Option<&Inventory>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Found {
    match (trigger, inventory) {
        (Trigger::Ignored(ignored), _) => Found::note(format!("ignored: {}", ignored.reason)),
        (Trigger::InstanceCreated(t), _) if t.error.is_some() => failed_create(t, inventory, now),
        (Trigger::InstanceCreated(t), Some(inv)) => instance_created(t, inv, policy, now),
        (Trigger::InstanceCreated(t), None) => instance_created_event_only(t, now),
        (Trigger::DelegatedAdminRegistered(t), Some(inv)) => {
            delegated_admin_registered(t, inv, policy, now)
        }
        (Trigger::DelegatedAdminRegistered(t), None) => Found::note(format!(
            "evaluated from the event alone: whether account {} owns an account instance is \
             unknown without an inventory (the live path lists its instances in every Region)",
            t.account_id
        )),
        (Trigger::AccountJoined(t), Some(inv)) => account_joined(t, inv, policy, now),
        (Trigger::AccountJoined(t), None) => Found::note(format!(
            "evaluated from the event alone: the instances of newcomer account {} are unknown \
             without an inventory",
            t.account_id
        )),
    }
}

/// Evaluates every account instance of an inventory (the scheduled sweep).
pub fn evaluate_sweep(
    sweep_id: &str,
    inventory: &Inventory,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Evaluation {
    let trigger = TriggerRef::Sweep {
        sweep_id: sweep_id.to_owned(),
    };
    let violations = inventory
        .instances
        .iter()
        .filter_map(|instance| {
            let account = &instance.owner_account_id;
            violation_of(&trigger, account, instance, inventory, policy, now)
        })
        .collect();
    let found = Found {
        violations,
        notes: vec![],
    };
    Evaluation::decided(found, policy, Some(inventory), &Restraints::default())
}

/// Which rule an instance breaks, if any. Only `OwnerAccountId` classifies.
pub fn classify(
    instance: &Instance,
    inventory: &Inventory,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Option<RuleId> {
    if inventory.organization.is_none() {
        return Some(RuleId::IDC003);
    }
    if !inventory.is_account_instance(instance) {
        return None; // the organization instance never produces a finding
    }
    if inventory.is_sso_delegated_admin(&instance.owner_account_id) {
        return Some(RuleId::IDC002);
    }
    if let Standing::Expired(_) = policy.standing(instance, inventory, now) {
        return Some(RuleId::IDC005);
    }
    Some(RuleId::IDC001)
}

fn instance_created(
    t: &InstanceCreated,
    inventory: &Inventory,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Found {
    if inventory.management_account_id() == Some(t.account_id.as_str()) {
        return Found::note(format!(
            "CreateInstance recorded in the management account {}: AWS rejects account \
             instances there, and the organization instance is never a finding",
            t.account_id
        ));
    }
    let known = t
        .instance_arn
        .as_deref()
        .and_then(|arn| inventory.instances.iter().find(|i| i.instance_arn == arn))
        .or_else(|| {
            inventory
                .instances_owned_by(&t.account_id)
                .find(|i| i.region == t.region)
        });
    let trigger = event_ref(&t.meta);
    if let (Some(listed), Some(named)) = (known, instance_from_event(t)) {
        if listed.owner_account_id != t.account_id {
            // The event's own instance, listed as another account's (or no account's): not
            // identified, reported from the event, and never taken for gone.
            let owner = if listed.owner_account_id.is_empty() {
                "no account".to_owned()
            } else {
                listed.owner_account_id.clone()
            };
            let doubt = format!(
                "a listing shows {} owned by {owner}, not by {}, the account whose CreateInstance created it",
                named.instance_arn, t.account_id
            );
            let violation = Violation {
                rule: RuleId::IDC001,
                trigger: trigger.clone(),
                account_id: t.account_id.clone(),
                region: t.region.clone(),
                explanation: catalog::member_instance(
                    &t.account_id,
                    &t.region,
                    &named.instance_arn,
                ) + catalog::EVENT_ONLY_NOTE,
                instance: Some(named),
                gone: false,
                organization_id: inventory.organization_id().map(str::to_owned),
                evidence: Evidence::Event,
                evaluated_at: now,
                exemption: None,
                doubt: Some(doubt.clone()),
            };
            return Found {
                violations: vec![violation],
                notes: vec![doubt],
            };
        }
    }
    if let Some(instance) = known {
        let found = violation_of(&trigger, &t.account_id, instance, inventory, policy, now);
        return Found {
            violations: found.into_iter().collect(),
            notes: vec![],
        };
    }
    let Some(instance) = instance_from_event(t) else {
        return Found::note(format!(
            "CreateInstance in {} {} names no instance ARN and the inventory holds none",
            t.account_id, t.region
        ));
    };
    if inventory.was_listed(&t.account_id, &t.region) {
        // Deleted since (by an earlier delivery of this event, or by hand): reported,
        // idempotently, as such.
        let note = format!(
            "{} is no longer listed in {} {}",
            instance.instance_arn, t.account_id, t.region
        );
        let gone = violation_of(&trigger, &t.account_id, &instance, inventory, policy, now)
            .map(|v| Violation { gone: true, ..v });
        return Found {
            violations: gone.into_iter().collect(),
            notes: vec![note],
        };
    }
    let violation =
        violation_of(&trigger, &t.account_id, &instance, inventory, policy, now).map(|v| {
            Violation {
                explanation: v.explanation + catalog::EVENT_ONLY_NOTE,
                evidence: Evidence::Event,
                ..v
            }
        });
    Found {
        violations: violation.into_iter().collect(),
        notes: vec![],
    }
}

/// Without an inventory the event proves that `account` now owns an account instance
/// (AWS rejects `CreateInstance` in the management account); membership is assumed, since
/// the guardrail receives its members' events, and the finding says what was not verified.
fn instance_created_event_only(t: &InstanceCreated, now: DateTime<Utc>) -> Found {
    let instance = instance_from_event(t);
    let arn = instance
        .as_ref()
        .map_or("ARN not in the event", |i| i.instance_arn.as_str());
    let explanation = catalog::member_instance(&t.account_id, &t.region, arn)
        + catalog::EVENT_ONLY_NOTE
        + catalog::NO_INVENTORY_NOTE;
    Found {
        violations: vec![Violation {
            rule: RuleId::IDC001,
            trigger: event_ref(&t.meta),
            account_id: t.account_id.clone(),
            region: t.region.clone(),
            instance,
            gone: false,
            organization_id: None,
            explanation,
            evidence: Evidence::Event,
            evaluated_at: now,
            exemption: None,
            doubt: None,
        }],
        notes: vec![
            "evaluated from the event alone: organization membership, delegated \
                     administrators, applications and tags were not verified"
                .into(),
        ],
    }
}

fn failed_create(t: &InstanceCreated, inventory: Option<&Inventory>, now: DateTime<Utc>) -> Found {
    let (code, message) = t.error.as_ref().map_or(("an error", None), |e| {
        (e.code.as_str(), e.message.as_deref())
    });
    let explanation = catalog::failed_create(
        &t.account_id,
        &t.region,
        t.meta.principal_arn.as_deref(),
        code,
        message,
    );
    Found {
        violations: vec![Violation {
            rule: RuleId::IDC004,
            trigger: event_ref(&t.meta),
            account_id: t.account_id.clone(),
            region: t.region.clone(),
            instance: None,
            gone: false,
            organization_id: inventory
                .and_then(Inventory::organization_id)
                .map(str::to_owned),
            explanation,
            evidence: if inventory.is_some() {
                Evidence::Inventory
            } else {
                Evidence::Event
            },
            evaluated_at: now,
            exemption: None,
            doubt: None,
        }],
        notes: vec![],
    }
}

fn delegated_admin_registered(
    t: &DelegatedAdminRegistered,
    inventory: &Inventory,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Found {
    // The event is the proof that the account is now the delegated administrator,
    // whatever the inventory was gathered before it.
    let mut inventory = inventory.clone();
    inventory.add_sso_delegated_admin(&t.account_id);
    violations_of_account(&t.meta, &t.account_id, &inventory, policy, now)
}

fn account_joined(
    t: &AccountJoined,
    inventory: &Inventory,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Found {
    violations_of_account(&t.meta, &t.account_id, inventory, policy, now)
}

fn violations_of_account(
    meta: &EventMeta,
    account_id: &str,
    inventory: &Inventory,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Found {
    let trigger = event_ref(meta);
    let violations: Vec<Violation> = inventory
        .instances_owned_by(account_id)
        .filter_map(|instance| violation_of(&trigger, account_id, instance, inventory, policy, now))
        .collect();
    let notes = if violations.is_empty() {
        vec![format!(
            "account {account_id} owns no account instance: nothing to report"
        )]
    } else {
        vec![]
    };
    Found { violations, notes }
}

/// The violation `instance` amounts to, as the inventory shows it, if any.
fn violation_of(
    trigger: &TriggerRef,
    account_id: &str,
    instance: &Instance,
    inventory: &Inventory,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Option<Violation> {
    let rule = classify(instance, inventory, policy, now)?;
    let arn = instance.instance_arn.as_str();
    let region = instance.region.as_str();
    let exemption = match policy.standing(instance, inventory, now) {
        Standing::Spared(exemption) | Standing::Expired(exemption) => Some(exemption),
        _ => None,
    };
    let explanation = match rule {
        RuleId::IDC001 => catalog::member_instance(account_id, region, arn),
        RuleId::IDC002 => catalog::delegated_admin_instance(account_id, region, arn),
        RuleId::IDC003 => catalog::standalone_instance(account_id, region, arn),
        RuleId::IDC005 => catalog::exemption_expired(account_id, region, arn, exemption.as_ref()),
        RuleId::IDC004 => return None, // only failed calls give IDC004
    };
    Some(Violation {
        rule,
        trigger: trigger.clone(),
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        instance: Some(instance.clone()),
        gone: false,
        organization_id: inventory.organization_id().map(str::to_owned),
        explanation,
        evidence: Evidence::Inventory,
        evaluated_at: now,
        exemption,
        doubt: None,
    })
}

/// How a finding names the event behind it.
pub(crate) fn event_ref(meta: &EventMeta) -> TriggerRef {
    TriggerRef::event(
        &meta.event_id,
        &meta.event_name,
        meta.event_time,
        meta.principal_arn.as_deref(),
    )
}

/// What a successful `CreateInstance` proves about the new instance.
fn instance_from_event(t: &InstanceCreated) -> Option<Instance> {
    Some(Instance {
        instance_arn: t.instance_arn.clone()?,
        owner_account_id: t.account_id.clone(),
        region: t.region.clone(),
        // CreateInstance may leave the instance CREATE_IN_PROGRESS for a while.
        status: InstanceStatus::CreateInProgress,
        created_date: Some(t.meta.event_time),
        application_count: None,
        tags: None,
        status_reason: None,
        applications: None,
    })
}
