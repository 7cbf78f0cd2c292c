//! Which notice an event's look calls for, when its findings alone would not say what the
//! look came to: incomplete (Regions not listed), or an all-clear for an Organizations event
//! that found nothing. A pure choice; publishing it is the remediator's.

use chrono::{DateTime, Utc};

use crate::event::Trigger;
use crate::finding::{RuleId, Severity};
use crate::inventory::Unreachable;
use crate::message::IncompleteNotice;
use crate::rules::event_ref;

/// What the look saw of the account: the account, the Regions it could not list (with why)
/// and the ones it did.
pub(crate) type Look = (String, Vec<Unreachable>, Vec<String>);

/// The notice the look calls for, with why the look is incomplete when it is. `found_none`:
/// no published finding names an instance.
pub(crate) fn notice_for(
    trigger: &Trigger,
    look: Option<Look>,
    organization_id: Option<&str>,
    found_none: bool,
    now: DateTime<Utc>,
) -> Option<(IncompleteNotice, Option<String>)> {
    let trigger_ref = trigger.meta().map(event_ref)?;
    let (account, unreachable, listed) = look?;
    if !unreachable.is_empty() {
        let regions: Vec<&str> = unreachable.iter().map(|u| u.region.as_str()).collect();
        let incomplete = format!(
            "the instances of {account} could not be listed in {}",
            regions.join(", ")
        );
        let notice = IncompleteNotice::new(
            &trigger_ref,
            &account,
            organization_id,
            hidden_severity(trigger),
            listed,
            unreachable,
            now,
        );
        return Some((notice, Some(incomplete)));
    }
    if found_none && trigger.is_org_event() {
        let notice =
            IncompleteNotice::all_clear(&trigger_ref, &account, organization_id, listed, now);
        return Some((notice, None));
    }
    None
}

/// The worst finding the Regions not seen could hide.
fn hidden_severity(trigger: &Trigger) -> Severity {
    match trigger {
        Trigger::DelegatedAdminRegistered(_) => crate::catalog::rule_text(RuleId::IDC002).severity,
        _ => crate::catalog::rule_text(RuleId::IDC001).severity,
    }
}
