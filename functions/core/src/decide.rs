//! The one decision each violation gets: first what the look itself rules out (facts not
//! gathered, a Region not listed, a Region only reported, an event not to be trusted, an
//! instance already gone), then the [`Policy`]. Whatever is weighed here, the decision is made
//! once, before anything is done, and the finding is assembled from it.

use crate::finding::{Remediation, RemediationStatus};
use crate::inventory::Inventory;
use crate::policy::{Decision, Policy};
use crate::violation::Violation;

/// What, beyond the policy, keeps a remediable violation from being acted on. Empty for an
/// offline evaluation; the live path fills in what its look at the account came to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Restraints {
    /// The facts could not be gathered (why): nothing remediable is acted on.
    pub no_facts: Option<String>,
    /// Regions that could not be listed, each with why: nothing there is acted on.
    pub unlisted: Vec<(String, String)>,
    /// `OUTSIDE_REGIONS=report` and the event's Region is outside `REGIONS`: reported only.
    pub report_only_region: Option<String>,
    /// Why the event cannot be trusted to act on (its envelope and record disagree).
    pub untrusted: Option<String>,
    /// Regions where the event's instance is not listed yet, too soon to prove it gone, with
    /// why: no word is published about it there (see [`crate::policy::Verdict::Withheld`]).
    pub unsettled: Vec<(String, String)>,
}

/// Decides what to do about `violation`, strongest restraint first.
pub fn decide(
    violation: &Violation,
    policy: &Policy,
    inventory: &Inventory,
    restraints: &Restraints,
) -> Decision {
    if violation.rule.is_remediable() {
        if let Some(why) = &restraints.no_facts {
            return Decision::unable(&format!("the facts could not be gathered ({why})"));
        }
        if let Some((_, why)) = restraints
            .unlisted
            .iter()
            .find(|(region, _)| *region == violation.region)
        {
            return Decision::unable(why);
        }
        if let Some((_, why)) = restraints
            .unsettled
            .iter()
            .find(|(region, _)| *region == violation.region)
        {
            return Decision::withheld(why);
        }
        if let Some(region) = &restraints.report_only_region {
            return Decision::report_only_region(region);
        }
        if let Some(reason) = &restraints.untrusted {
            return Decision::untrusted(reason);
        }
        if let Some(doubt) = &violation.doubt {
            return Decision::doubted(doubt, policy, violation.instance.as_ref());
        }
        if let (true, Some(instance)) = (violation.gone, &violation.instance) {
            return Decision::already_gone(&instance.instance_arn);
        }
    }
    policy.weigh(
        violation.rule,
        &violation.account_id,
        violation.instance.as_ref(),
        inventory,
        violation.evaluated_at,
    )
}

impl Decision {
    /// The remediation an evaluation reports before anything is executed: a delete is shown
    /// as `dry_run`, since evaluating never acts.
    pub fn planned(&self) -> Remediation {
        Remediation {
            action: self.action,
            status: self.planned_status(),
            detail: self.detail.clone(),
        }
    }

    /// The remediation once carried out, with its outcome.
    pub fn carried_out(&self, status: RemediationStatus, detail: String) -> Remediation {
        Remediation {
            action: self.action,
            status,
            detail,
        }
    }
}
