//! The remediation policy: what to do about a finding. Safe by default (report only).
//!
//! Invariants, whatever the flags: never the management account's instance; never an
//! instance that is not positively identified as an account instance; never an exempt
//! account or an instance exempt by tag within its trial window; never an instance with
//! applications unless forced; never a finding that is not remediable (IDC003, IDC004).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::exemption::{Exempting, Exemption, Standing};
use crate::finding::{RemediationAction, RemediationStatus, RuleId};
use crate::inventory::{Instance, Inventory};

/// Default trial window for instances carrying the exemption tag.
pub const DEFAULT_TRIAL_DAYS: u32 = 30;
/// The longest trial window `TRIAL_DAYS` accepts (ten years): beyond it is no trial.
pub const MAX_TRIAL_DAYS: u32 = 3650;

/// The policy, as the Lambda environment or the CLI flags set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub auto_remediate: bool,
    pub dry_run: bool,
    pub exempt_accounts: BTreeSet<String>,
    pub exempt_tag: Option<String>,
    pub trial_days: u32,
    pub force_delete_in_use: bool,
    /// Central exemptions, each with a reason and an expiry (`EXEMPTIONS`).
    pub exemptions: Vec<Exemption>,
    /// The service control policy that keeps `exempt_tag` from the members
    /// (`EXEMPT_TAG_POLICY_ID`): without it in force, the tag exempts nothing.
    pub exempt_tag_policy_id: Option<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            auto_remediate: false,
            dry_run: false,
            exempt_accounts: BTreeSet::new(),
            exempt_tag: None,
            trial_days: DEFAULT_TRIAL_DAYS,
            force_delete_in_use: false,
            exemptions: Vec::new(),
            exempt_tag_policy_id: None,
        }
    }
}

impl Policy {
    pub fn is_exempt_account(&self, account_id: &str) -> bool {
        self.exempt_accounts.contains(account_id)
    }

    /// Where `instance` stands with the central exemptions and the exemption tag at `now`
    /// (see [`Exempting::standing`]).
    pub fn standing(
        &self,
        instance: &Instance,
        inventory: &Inventory,
        now: DateTime<Utc>,
    ) -> Standing {
        Exempting {
            exemptions: &self.exemptions,
            exempt_tag: self.exempt_tag.as_ref(),
            trial_days: self.trial_days,
        }
        .standing(instance, inventory, now)
    }

    /// What the policy alone says about a finding of `rule` on `instance` (the one decision,
    /// [`crate::decide::decide`], weighs the look's restraints first).
    pub fn weigh(
        &self,
        rule: RuleId,
        account_id: &str,
        instance: Option<&Instance>,
        inventory: &Inventory,
        now: DateTime<Utc>,
    ) -> Decision {
        if !rule.is_remediable() {
            return Decision::report_only(format!(
                "{} is reported only; the guardrail never acts on it",
                rule.as_str()
            ));
        }
        let Some(instance) = instance else {
            return Decision::not_identified("no instance ARN is known for this finding".into());
        };
        if instance.status == crate::inventory::InstanceStatus::DeleteInProgress {
            return Decision {
                action: RemediationAction::Delete,
                verdict: Verdict::AlreadyGone,
                detail: format!("{} is already being deleted", instance.instance_arn),
                unverified: None,
            };
        }
        if let Some(reason) = not_identified(account_id, instance, inventory) {
            return Decision::not_identified(reason);
        }
        let may_act = self.auto_remediate || self.dry_run;
        if self.is_exempt_account(account_id) {
            return Decision::skip(
                RemediationStatus::SkippedExempt,
                format!("account {account_id} is exempt from remediation"),
            );
        }
        let mut caveat = String::new();
        match self.standing(instance, inventory, now) {
            Standing::Spared(exemption) => {
                let until = exemption.expires.as_deref().map_or_else(
                    || "a date that cannot be computed".to_owned(),
                    str::to_owned,
                );
                let by = match exemption.source {
                    crate::finding::ExemptionSource::Central => {
                        format!(
                            "by the security team ({}): {}",
                            exemption.target, exemption.reason
                        )
                    }
                    crate::finding::ExemptionSource::Tag => {
                        format!("by the {}", exemption.reason)
                    }
                };
                return Decision::skip(
                    RemediationStatus::SkippedExempt,
                    format!("exempt until {until} {by}"),
                );
            }
            Standing::Unknown(fact) if may_act => {
                return Decision::unverified(fact, &instance.instance_arn);
            }
            Standing::TagNotProtected { key, why } => {
                caveat = format!(
                    " (it carries the exemption tag `{key}`, which exempts nothing: {why})"
                );
            }
            Standing::Unknown(_) | Standing::NotExempt | Standing::Expired(_) => {}
        }
        if !instance.status.is_deletable() {
            if may_act {
                return Decision::unverified(status_fact(instance), &instance.instance_arn);
            }
            caveat.push_str(&format!("; its {} is unknown", status_fact(instance)));
        }
        match instance.application_count {
            Some(n) if n > 0 && !self.force_delete_in_use => {
                return Decision::skip(
                    RemediationStatus::SkippedInUse,
                    format!(
                        "{n} application(s) are bound to the instance; migrate them first, or force the deletion of instances in use"
                    ),
                );
            }
            None if may_act => {
                return Decision::unverified(
                    "applications (whether any is bound to it)".into(),
                    &instance.instance_arn,
                );
            }
            _ => {}
        }
        if self.dry_run {
            return Decision {
                action: RemediationAction::Delete,
                verdict: Verdict::DryRun,
                detail: format!("DRY_RUN: would delete {}{caveat}", instance.instance_arn),
                unverified: None,
            };
        }
        if !self.auto_remediate {
            return Decision::skip(
                RemediationStatus::SkippedNotEnabled,
                format!("report only: automatic remediation is not enabled{caveat}"),
            );
        }
        Decision {
            action: RemediationAction::Delete,
            verdict: Verdict::Delete,
            detail: format!(
                "delete {} in {}{caveat}",
                instance.instance_arn, instance.region
            ),
            unverified: None,
        }
    }
}

/// Why an instance is not positively identified as a deletable account instance, if it is not.
fn not_identified(account_id: &str, instance: &Instance, inventory: &Inventory) -> Option<String> {
    if instance.owner_account_id != account_id {
        return Some(format!(
            "instance is owned by {}, not by {account_id}",
            instance.owner_account_id
        ));
    }
    if inventory.management_account_id() == Some(instance.owner_account_id.as_str()) {
        return Some("instance is owned by the management account (organization instance)".into());
    }
    None
}

/// An instance in a status the guardrail does not delete in is an unknown fact, named with
/// AWS's reason when there is one: never "nothing to do".
fn status_fact(instance: &Instance) -> String {
    let reason = instance
        .status_reason
        .as_deref()
        .map(|r| format!(": {r}"))
        .unwrap_or_default();
    format!(
        "status ({}{reason}; only ACTIVE or CREATE_IN_PROGRESS instances are deleted)",
        instance.status.as_str()
    )
}

/// The policy's verdict. `Delete` is the only one that allows an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Delete,
    DryRun,
    Skip(RemediationStatus),
    /// The instance no longer exists, or is already being deleted.
    AlreadyGone,
    NoAction,
    /// The look was not good enough to act on (facts or a Region's listing missing): the
    /// finding says `failed`, so nobody reads it as handled.
    Unable,
    /// The event's instance is not listed yet, too soon after its creation to prove it gone:
    /// no word is published for it (an earlier delivery's may be the true one), the
    /// invocation fails and its retry looks again.
    Withheld,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub action: RemediationAction,
    pub verdict: Verdict,
    pub detail: String,
    /// The fact that was unknown and kept a delete at `dry_run`, if one did.
    pub unverified: Option<String>,
}

impl Decision {
    fn report_only(detail: String) -> Self {
        Decision {
            action: RemediationAction::None,
            verdict: Verdict::NoAction,
            detail,
            unverified: None,
        }
    }

    fn not_identified(reason: String) -> Self {
        Decision {
            action: RemediationAction::Delete,
            verdict: Verdict::NoAction,
            detail: format!("not deleted: {reason}"),
            unverified: None,
        }
    }

    /// An unknown fact: never a real delete, only what would happen once it is known.
    fn unverified(fact: String, instance_arn: &str) -> Self {
        Decision {
            action: RemediationAction::Delete,
            verdict: Verdict::DryRun,
            detail: format!(
                "not deleted: its {fact} could not be verified; would delete {instance_arn} once they are"
            ),
            unverified: Some(fact),
        }
    }

    /// For an instance the event names but a listing contradicts: with deletion possible, an
    /// unknown fact (the invocation fails and is retried); report only, not identified.
    pub(crate) fn doubted(why: &str, policy: &Policy, instance: Option<&Instance>) -> Self {
        match instance {
            Some(instance) if policy.auto_remediate || policy.dry_run => {
                Decision::unverified(format!("identity ({why})"), &instance.instance_arn)
            }
            _ => Decision::not_identified(why.to_owned()),
        }
    }

    /// For a violation the guardrail could not look at properly.
    pub(crate) fn unable(why: &str) -> Self {
        Decision {
            action: RemediationAction::Delete,
            verdict: Verdict::Unable,
            detail: format!("not deleted: {why}"),
            unverified: None,
        }
    }

    /// For the event's instance that a listing does not show yet (see [`Verdict::Withheld`]).
    pub(crate) fn withheld(why: &str) -> Self {
        Decision {
            action: RemediationAction::Delete,
            verdict: Verdict::Withheld,
            detail: format!("not yet decided: {why}"),
            unverified: None,
        }
    }

    /// For a violation in a Region outside `REGIONS` while `OUTSIDE_REGIONS=report`.
    pub(crate) fn report_only_region(region: &str) -> Self {
        Decision::skip(
            RemediationStatus::SkippedNotEnabled,
            format!("report only in {region}: it is not in REGIONS, and OUTSIDE_REGIONS=report"),
        )
    }

    /// For an event that cannot be trusted to act on.
    pub fn untrusted(reason: &str) -> Self {
        Decision::not_identified(reason.to_owned())
    }

    /// For an instance a complete listing no longer shows.
    pub fn already_gone(instance_arn: &str) -> Self {
        Decision {
            action: RemediationAction::Delete,
            verdict: Verdict::AlreadyGone,
            detail: format!("{instance_arn} no longer exists: nothing to delete"),
            unverified: None,
        }
    }

    fn skip(status: RemediationStatus, detail: String) -> Self {
        Decision {
            action: RemediationAction::Delete,
            verdict: Verdict::Skip(status),
            detail,
            unverified: None,
        }
    }

    /// The status an evaluation reports before anything is executed: `Delete` is shown
    /// as `dry_run`, since evaluating never acts.
    pub fn planned_status(&self) -> RemediationStatus {
        match self.verdict {
            Verdict::Delete | Verdict::DryRun => RemediationStatus::DryRun,
            Verdict::Skip(status) => status,
            Verdict::AlreadyGone => RemediationStatus::AlreadyDeleted,
            Verdict::NoAction => RemediationStatus::None,
            Verdict::Unable | Verdict::Withheld => RemediationStatus::Failed,
        }
    }

    pub fn allows_delete(&self) -> bool {
        self.verdict == Verdict::Delete
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{InstanceStatus, Organization};
    use chrono::Duration;
    use std::collections::BTreeMap;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn inventory() -> Inventory {
        Inventory {
            organization: Some(Organization {
                id: "o-abc".into(),
                management_account_id: "111111111111".into(),
            }),
            ..Inventory::default()
        }
    }

    fn instance(owner: &str) -> Instance {
        Instance {
            instance_arn: "arn:aws:sso:::instance/ssoins-1".into(),
            owner_account_id: owner.into(),
            region: "eu-west-1".into(),
            status: InstanceStatus::Active,
            created_date: Some(now() - Duration::days(3)),
            application_count: Some(0),
            tags: Some(BTreeMap::new()),
            status_reason: None,
            applications: None,
        }
    }

    fn auto() -> Policy {
        Policy {
            auto_remediate: true,
            ..Policy::default()
        }
    }

    fn weigh(policy: &Policy, rule: RuleId, inst: &Instance) -> Decision {
        policy.weigh(
            rule,
            &inst.owner_account_id,
            Some(inst),
            &inventory(),
            now(),
        )
    }

    #[test]
    fn default_policy_reports_only() {
        let d = weigh(
            &Policy::default(),
            RuleId::IDC001,
            &instance("222222222222"),
        );
        assert_eq!(
            d.verdict,
            Verdict::Skip(RemediationStatus::SkippedNotEnabled)
        );
    }

    #[test]
    fn auto_remediate_deletes_an_identified_member_instance() {
        let d = weigh(&auto(), RuleId::IDC001, &instance("222222222222"));
        assert!(d.allows_delete());
        assert_eq!(d.planned_status(), RemediationStatus::DryRun);
    }

    #[test]
    fn dry_run_never_deletes() {
        let p = Policy {
            dry_run: true,
            ..auto()
        };
        let d = weigh(&p, RuleId::IDC002, &instance("222222222222"));
        assert_eq!(d.verdict, Verdict::DryRun);
    }

    #[test]
    fn management_instance_is_never_deleted() {
        let p = Policy {
            force_delete_in_use: true,
            ..auto()
        };
        let d = weigh(&p, RuleId::IDC001, &instance("111111111111"));
        assert_eq!(d.verdict, Verdict::NoAction);
        assert!(d.detail.contains("management account"));
    }

    #[test]
    fn instance_of_another_owner_is_not_identified() {
        let inst = instance("333333333333");
        let d = auto().weigh(
            RuleId::IDC001,
            "222222222222",
            Some(&inst),
            &inventory(),
            now(),
        );
        assert_eq!(d.verdict, Verdict::NoAction);
    }

    #[test]
    fn deleting_instance_is_not_deleted_again() {
        let mut inst = instance("222222222222");
        inst.status = InstanceStatus::DeleteInProgress;
        let d = weigh(&auto(), RuleId::IDC001, &inst);
        assert_eq!(d.verdict, Verdict::AlreadyGone);
        assert_eq!(d.planned_status(), RemediationStatus::AlreadyDeleted);
    }

    #[test]
    fn another_status_is_an_unknown_fact_named_with_its_reason() {
        let mut inst = instance("222222222222");
        inst.status = InstanceStatus::Other("CREATE_FAILED".into());
        inst.status_reason = Some("quota exceeded".into());
        let d = weigh(&auto(), RuleId::IDC001, &inst);
        assert_eq!(d.verdict, Verdict::DryRun);
        let fact = d.unverified.unwrap_or_default();
        assert!(fact.contains("CREATE_FAILED: quota exceeded"), "{fact}");
        // Report only: nothing to fail, but the finding still names the status.
        let d = weigh(&Policy::default(), RuleId::IDC001, &inst);
        assert_eq!(
            d.verdict,
            Verdict::Skip(RemediationStatus::SkippedNotEnabled)
        );
        assert!(d.detail.contains("CREATE_FAILED"), "{}", d.detail);
    }

    #[test]
    fn missing_instance_is_not_identified() {
        let d = auto().weigh(RuleId::IDC001, "222222222222", None, &inventory(), now());
        assert_eq!(d.verdict, Verdict::NoAction);
    }

    #[test]
    fn report_only_rules_never_act() {
        for rule in [RuleId::IDC003, RuleId::IDC004] {
            let d = weigh(&auto(), rule, &instance("222222222222"));
            assert_eq!(
                (d.verdict, d.action),
                (Verdict::NoAction, RemediationAction::None)
            );
        }
    }

    #[test]
    fn exempt_account_is_skipped() {
        let mut p = auto();
        p.exempt_accounts.insert("222222222222".into());
        let d = weigh(&p, RuleId::IDC002, &instance("222222222222"));
        assert_eq!(d.verdict, Verdict::Skip(RemediationStatus::SkippedExempt));
    }

    #[test]
    fn in_use_is_skipped_unless_forced() {
        let mut inst = instance("222222222222");
        inst.application_count = Some(2);
        assert_eq!(
            weigh(&auto(), RuleId::IDC001, &inst).verdict,
            Verdict::Skip(RemediationStatus::SkippedInUse)
        );
        let forced = Policy {
            force_delete_in_use: true,
            ..auto()
        };
        assert!(weigh(&forced, RuleId::IDC001, &inst).allows_delete());
    }

    #[test]
    fn unknown_applications_only_dry_run() {
        let mut inst = instance("222222222222");
        inst.application_count = None;
        assert_eq!(
            weigh(&auto(), RuleId::IDC001, &inst).verdict,
            Verdict::DryRun
        );
        assert_eq!(
            weigh(&Policy::default(), RuleId::IDC001, &inst).verdict,
            Verdict::Skip(RemediationStatus::SkippedNotEnabled)
        );
    }
}
