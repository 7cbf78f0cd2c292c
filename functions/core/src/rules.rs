//! The rules IDC001–IDC005: pure functions of (trigger or sweep, inventory, policy, now).
//! They never call AWS. Each offending instance gives exactly one finding; the policy's
//! decision is attached, with the status an evaluation (which never acts) reports.

use chrono::{DateTime, Utc};

use crate::catalog::{self, rule_text};
use crate::event::{AccountJoined, DelegatedAdminRegistered, EventMeta, InstanceCreated, Trigger};
use crate::finding::{
    finding_id, rfc3339, Evidence, Finding, InstanceFacts, Remediation, RuleId, TriggerRef,
    FINDING_SCHEMA,
};
use crate::inventory::{Instance, InstanceStatus, Inventory};
use crate::policy::{Decision, Policy, TagExemption};

/// A finding together with the policy's decision about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    pub finding: Finding,
    pub decision: Decision,
    /// The instance the decision is about (what the live path would delete).
    pub instance: Option<Instance>,
}

/// The outcome of evaluating one trigger or sweep.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    pub judged: Vec<Judged>,
    /// Things a reader should know: what was ignored, what could not be verified.
    pub notes: Vec<String>,
}

impl Evaluation {
    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.judged.iter().map(|j| &j.finding)
    }
}

/// Evaluates an event-driven trigger. `inventory` is `None` when only the event is known.
/// An event that cannot be trusted to act on (its envelope and record disagree on the
/// account) is judged like any other and reported, but nothing it leads to is ever deleted.
pub fn evaluate_trigger(
    trigger: &Trigger,
    inventory: Option<&Inventory>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Evaluation {
    let Some(reason) = trigger.untrusted_reason() else {
        return judge_trigger(trigger, inventory, policy, now);
    };
    // Judged as report-only, so that no policy flag can turn the event into a delete.
    let mut evaluation = judge_trigger(trigger, inventory, &Policy::default(), now);
    for judged in &mut evaluation.judged {
        if judged.finding.rule.is_remediable() {
            judged.decision = Decision::untrusted(&reason);
            judged.finding.remediation.status = judged.decision.planned_status();
            judged.finding.remediation.detail = judged.decision.detail.clone();
        }
    }
    evaluation.notes.push(reason);
    evaluation
}

fn judge_trigger(
    trigger: &Trigger,
    inventory: Option<&Inventory>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Evaluation {
    match (trigger, inventory) {
        (Trigger::Ignored(ignored), _) => Evaluation {
            judged: vec![],
            notes: vec![format!("ignored: {}", ignored.reason)],
        },
        (Trigger::InstanceCreated(t), _) if t.error.is_some() => failed_create(t, inventory, now),
        (Trigger::InstanceCreated(t), Some(inv)) => instance_created(t, inv, policy, now),
        (Trigger::InstanceCreated(t), None) => instance_created_event_only(t, policy, now),
        (Trigger::DelegatedAdminRegistered(t), Some(inv)) => {
            delegated_admin_registered(t, inv, policy, now)
        }
        (Trigger::DelegatedAdminRegistered(t), None) => Evaluation {
            judged: vec![],
            notes: vec![format!(
                "evaluated from the event alone: whether account {} owns an account instance is \
                 unknown without an inventory (the live path lists its instances in every Region)",
                t.account_id
            )],
        },
        (Trigger::AccountJoined(t), Some(inv)) => account_joined(t, inv, policy, now),
        (Trigger::AccountJoined(t), None) => Evaluation {
            judged: vec![],
            notes: vec![format!(
                "evaluated from the event alone: the instances of newcomer account {} are unknown \
                 without an inventory",
                t.account_id
            )],
        },
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
    let judged = inventory
        .instances
        .iter()
        .filter_map(|instance| {
            judge_instance(
                &trigger,
                &instance.owner_account_id,
                instance,
                inventory,
                policy,
                now,
                Evidence::Inventory,
            )
        })
        .collect();
    Evaluation {
        judged,
        notes: vec![],
    }
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
    if let TagExemption::Expired { .. } = policy.tag_exemption(instance, now) {
        return Some(RuleId::IDC005);
    }
    Some(RuleId::IDC001)
}

fn instance_created(
    t: &InstanceCreated,
    inventory: &Inventory,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Evaluation {
    if inventory.management_account_id() == Some(t.account_id.as_str()) {
        return Evaluation {
            judged: vec![],
            notes: vec![format!(
                "CreateInstance recorded in the management account {}: AWS rejects account \
                 instances there, and the organization instance is never a finding",
                t.account_id
            )],
        };
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
    let (instance, evidence) = match known {
        Some(instance) => (instance.clone(), Evidence::Inventory),
        None if inventory.was_listed(&t.account_id, &t.region) => {
            return instance_gone(t, inventory, policy, now);
        }
        None => match instance_from_event(t) {
            Some(instance) => (instance, Evidence::Event),
            None => {
                return Evaluation {
                    judged: vec![],
                    notes: vec![format!(
                    "CreateInstance in {} {} names no instance ARN and the inventory holds none",
                    t.account_id, t.region
                )],
                }
            }
        },
    };
    let trigger = event_ref(&t.meta);
    let judged = judge_instance(
        &trigger,
        &t.account_id,
        &instance,
        inventory,
        policy,
        now,
        evidence,
    );
    Evaluation {
        judged: judged.into_iter().collect(),
        notes: vec![],
    }
}

/// The event names an instance that a complete listing no longer shows: it was deleted
/// (by an earlier delivery of this event, or by hand). Reported, idempotently, as such.
fn instance_gone(
    t: &InstanceCreated,
    inventory: &Inventory,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Evaluation {
    let Some(instance) = instance_from_event(t) else {
        return Evaluation::default();
    };
    let trigger = event_ref(&t.meta);
    let Some(mut judged) = judge_instance(
        &trigger,
        &t.account_id,
        &instance,
        inventory,
        policy,
        now,
        Evidence::Inventory,
    ) else {
        return Evaluation::default();
    };
    if judged.finding.rule.is_remediable() {
        judged.decision = Decision::already_gone(&instance.instance_arn);
        judged.finding.remediation.status = judged.decision.planned_status();
        judged.finding.remediation.detail = judged.decision.detail.clone();
    }
    judged.finding.instance = None;
    Evaluation {
        judged: vec![judged],
        notes: vec![format!(
            "{} is no longer listed in {} {}",
            instance.instance_arn, t.account_id, t.region
        )],
    }
}

/// Without an inventory the event proves that `account` now owns an account instance
/// (AWS rejects `CreateInstance` in the management account); membership is assumed, since
/// the guardrail receives its members' events, and the finding says what was not verified.
fn instance_created_event_only(
    t: &InstanceCreated,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Evaluation {
    let trigger = event_ref(&t.meta);
    let instance = instance_from_event(t);
    let arn = instance
        .as_ref()
        .map(|i| i.instance_arn.as_str())
        .unwrap_or("ARN not in the event");
    let explanation = catalog::member_instance(&t.account_id, &t.region, arn)
        + catalog::EVENT_ONLY_NOTE
        + catalog::NO_INVENTORY_NOTE;
    let decision = policy.decide(
        RuleId::IDC001,
        &t.account_id,
        instance.as_ref(),
        &Inventory::default(),
        now,
    );
    let finding = build(
        RuleId::IDC001,
        &trigger,
        &t.account_id,
        &t.region,
        instance.as_ref(),
        None,
        explanation,
        &decision,
        now,
        Evidence::Event,
    );
    Evaluation {
        judged: vec![Judged {
            finding,
            decision,
            instance,
        }],
        notes: vec![
            "evaluated from the event alone: organization membership, delegated \
                     administrators, applications and tags were not verified"
                .into(),
        ],
    }
}

fn failed_create(
    t: &InstanceCreated,
    inventory: Option<&Inventory>,
    now: DateTime<Utc>,
) -> Evaluation {
    let (code, message) = t
        .error
        .as_ref()
        .map(|e| (e.code.as_str(), e.message.as_deref()))
        .unwrap_or(("an error", None));
    let explanation = catalog::failed_create(
        &t.account_id,
        &t.region,
        t.meta.principal_arn.as_deref(),
        code,
        message,
    );
    let decision = Policy::default().decide(
        RuleId::IDC004,
        &t.account_id,
        None,
        &Inventory::default(),
        now,
    );
    let trigger = event_ref(&t.meta);
    let mut finding = build(
        RuleId::IDC004,
        &trigger,
        &t.account_id,
        &t.region,
        None,
        inventory.and_then(Inventory::organization_id),
        explanation,
        &decision,
        now,
        if inventory.is_some() {
            Evidence::Inventory
        } else {
            Evidence::Event
        },
    );
    finding.instance_arn = None;
    Evaluation {
        judged: vec![Judged {
            finding,
            decision,
            instance: None,
        }],
        notes: vec![],
    }
}

fn delegated_admin_registered(
    t: &DelegatedAdminRegistered,
    inventory: &Inventory,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Evaluation {
    // The event is the proof that the account is now the delegated administrator,
    // whatever the inventory was gathered before it.
    let mut inventory = inventory.clone();
    inventory.add_sso_delegated_admin(&t.account_id);
    findings_for_account(&t.meta, &t.account_id, &inventory, policy, now)
}

fn account_joined(
    t: &AccountJoined,
    inventory: &Inventory,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Evaluation {
    findings_for_account(&t.meta, &t.account_id, inventory, policy, now)
}

fn findings_for_account(
    meta: &EventMeta,
    account_id: &str,
    inventory: &Inventory,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Evaluation {
    let trigger = event_ref(meta);
    let judged: Vec<Judged> = inventory
        .instances_owned_by(account_id)
        .filter_map(|instance| {
            judge_instance(
                &trigger,
                account_id,
                instance,
                inventory,
                policy,
                now,
                Evidence::Inventory,
            )
        })
        .collect();
    let notes = if judged.is_empty() {
        vec![format!(
            "account {account_id} owns no account instance: nothing to report"
        )]
    } else {
        vec![]
    };
    Evaluation { judged, notes }
}

fn judge_instance(
    trigger: &TriggerRef,
    account_id: &str,
    instance: &Instance,
    inventory: &Inventory,
    policy: &Policy,
    now: DateTime<Utc>,
    evidence: Evidence,
) -> Option<Judged> {
    let rule = classify(instance, inventory, policy, now)?;
    let arn = instance.instance_arn.as_str();
    let region = instance.region.as_str();
    let explanation = match rule {
        RuleId::IDC001 => catalog::member_instance(account_id, region, arn),
        RuleId::IDC002 => catalog::delegated_admin_instance(account_id, region, arn),
        RuleId::IDC003 => catalog::standalone_instance(account_id, region, arn),
        RuleId::IDC005 => {
            let since = match policy.tag_exemption(instance, now) {
                TagExemption::Expired { since } => rfc3339(since),
                _ => "an unknown date".into(),
            };
            let tag = policy.exempt_tag.as_deref().unwrap_or_default();
            catalog::trial_expired(account_id, region, arn, tag, &since)
        }
        RuleId::IDC004 => return None, // only failed calls give IDC004
    };
    let explanation = match evidence {
        Evidence::Event => explanation + catalog::EVENT_ONLY_NOTE,
        Evidence::Inventory => explanation,
    };
    let decision = policy.decide(rule, account_id, Some(instance), inventory, now);
    let finding = build(
        rule,
        trigger,
        account_id,
        region,
        Some(instance),
        inventory.organization_id(),
        explanation,
        &decision,
        now,
        evidence,
    );
    Some(Judged {
        finding,
        decision,
        instance: Some(instance.clone()),
    })
}

#[allow(clippy::too_many_arguments)]
fn build(
    rule: RuleId,
    trigger: &TriggerRef,
    account_id: &str,
    region: &str,
    instance: Option<&Instance>,
    organization_id: Option<&str>,
    explanation: String,
    decision: &Decision,
    now: DateTime<Utc>,
    evidence: Evidence,
) -> Finding {
    let text = rule_text(rule);
    let subject_key = instance
        .map(|i| i.instance_arn.clone())
        .unwrap_or_else(|| format!("{account_id}/{region}"));
    Finding {
        schema: FINDING_SCHEMA.to_owned(),
        id: finding_id(trigger, rule, &subject_key),
        rule,
        severity: text.severity,
        title: text.title.to_owned(),
        account_id: account_id.to_owned(),
        region: region.to_owned(),
        instance_arn: instance.map(|i| i.instance_arn.clone()),
        organization_id: organization_id.map(str::to_owned),
        trigger: trigger.clone(),
        explanation,
        remediation: Remediation {
            action: decision.action,
            status: decision.planned_status(),
            detail: decision.detail.clone(),
        },
        references: text.references.iter().map(|r| (*r).to_owned()).collect(),
        evaluated_at: rfc3339(now),
        evidence,
        instance: instance.map(|i| InstanceFacts {
            owner_account_id: i.owner_account_id.clone(),
            status: i.status.as_str().to_owned(),
            created_date: i.created_date.map(rfc3339),
            application_count: i.application_count,
        }),
        sequence: None,
    }
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
    })
}
