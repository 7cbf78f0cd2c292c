//! The safety oracles, checked on every input. Each returns the violated property, said
//! so that a person can see what went wrong.

use chrono::Duration;
use idc_core::exemption::ExemptionTarget;
use idc_core::{Evaluation, Finding, Inventory, Policy, Trigger};
use serde_json::Value;

use crate::gen::now;

/// Oracles added with the hardening of the policy; on by default (the flags that turn them on
/// are kept so that replay lines written before stay valid).
#[derive(Debug, Clone, Copy)]
pub struct Strict {
    /// No delete when the trigger is untrusted (envelope and record accounts disagree).
    pub untrusted: bool,
    /// No delete when an exemption tag is configured and the instance's tags are unknown.
    pub unknown_tags: bool,
}

impl Default for Strict {
    fn default() -> Self {
        Strict {
            untrusted: true,
            unknown_tags: true,
        }
    }
}

const ACCEPTED: [(&str, &str); 2] = [
    ("aws.sso", "sso.amazonaws.com"),
    ("aws.organizations", "organizations.amazonaws.com"),
];
const DETAIL_TYPES: [&str; 2] = [
    "AWS API Call via CloudTrail",
    "AWS Service Event via CloudTrail",
];

/// What the raw input says, read independently of the parser under test.
fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

/// Properties of a trigger against the bytes it came from.
pub fn check_trigger(bytes: &[u8], trigger: &Trigger) -> Result<(), String> {
    if matches!(trigger, Trigger::Ignored(_)) {
        return Ok(());
    }
    let kind = trigger.kind();
    // The guardrail reads only the fields its rules use and skips the rest unchecked, so it
    // can take a trigger from input that `Value` refuses for what is in the skipped parts
    // (a lone surrogate, a number beyond f64, nesting deeper than 128). EventBridge never
    // delivers such input; the fields the trigger came from were read in full. Nothing
    // independent is left to compare it with, and the evaluation's oracles still run.
    let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
        return Ok(());
    };
    let source = str_at(&v, "/source").unwrap_or("<none>");
    let Some((_, event_source)) = ACCEPTED.iter().find(|(s, _)| *s == source) else {
        return Err(format!("{kind} from source `{source}`"));
    };
    let detail_type = str_at(&v, "/detail-type").unwrap_or("<none>");
    if !DETAIL_TYPES.contains(&detail_type) {
        return Err(format!("{kind} from detail-type `{detail_type}`"));
    }
    if let Some(es) = str_at(&v, "/detail/eventSource") {
        if es != *event_source {
            return Err(format!(
                "{kind} from eventSource `{es}` under source `{source}`"
            ));
        }
    }
    let envelope_account = str_at(&v, "/account").filter(|a| !a.is_empty());
    let record_account = str_at(&v, "/detail/recipientAccountId")
        .or_else(|| str_at(&v, "/detail/userIdentity/accountId"));
    let conflict = matches!((envelope_account, record_account), (Some(e), Some(r)) if e != r);
    match (conflict, trigger.untrusted_reason()) {
        (true, None) => {
            return Err(format!(
                "{kind}: envelope account {envelope_account:?} and record account \
                 {record_account:?} disagree, but the trigger is trusted"
            ))
        }
        (false, Some(reason)) => {
            return Err(format!("{kind}: untrusted without a conflict: {reason}"))
        }
        _ => {}
    }
    if let Trigger::InstanceCreated(t) = trigger {
        let error_code = v.pointer("/detail/errorCode").filter(|e| !e.is_null());
        if t.error.is_some() != error_code.is_some() {
            return Err(format!(
                "CreateInstance error {:?} but errorCode {error_code:?}",
                t.error
            ));
        }
        if let Some(arn) = &t.instance_arn {
            if error_code.is_some() {
                return Err(format!("a failed CreateInstance proves instance {arn}"));
            }
            if str_at(&v, "/detail/responseElements/instanceArn") != Some(arn.as_str()) {
                return Err(format!(
                    "instance {arn} is not the responseElements.instanceArn of the record"
                ));
            }
        }
        if t.proves_instance() != t.instance_arn.is_some() {
            return Err("proves_instance() disagrees with instance_arn".into());
        }
    }
    Ok(())
}

/// Properties of every decision of an evaluation.
pub fn check_evaluation(
    trigger: &Trigger,
    inventory: Option<&Inventory>,
    policy: &Policy,
    evaluation: &Evaluation,
    strict: Strict,
    full: bool,
) -> Result<usize, String> {
    let mut deletes = 0;
    for j in &evaluation.judged {
        check_finding(&j.finding(), full)?;
        if !j.decision.allows_delete() {
            continue;
        }
        deletes += 1;
        let fail = |what: &str| {
            Err(format!(
                "{} on {:?} allows a delete {what} (decision: {})",
                j.finding().rule.as_str(),
                j.instance().as_ref().map(|i| i.instance_arn.as_str()),
                j.decision.detail
            ))
        };
        let Some(inventory) = inventory else {
            return fail("from the event alone");
        };
        let Some(instance) = &j.instance() else {
            return fail("without an instance");
        };
        if !inventory.instances.iter().any(|i| {
            i.instance_arn == instance.instance_arn
                && i.owner_account_id == instance.owner_account_id
        }) {
            return fail("of an instance the inventory does not list");
        }
        if !j.finding().rule.is_remediable() {
            return fail("for a report-only rule");
        }
        let Some(management) = inventory.management_account_id() else {
            return fail("in a standalone account");
        };
        if instance.owner_account_id == management {
            return fail("of the management account's instance");
        }
        if instance.owner_account_id != j.finding().account_id {
            return fail("of an instance owned by another account than the finding's");
        }
        if policy.exempt_accounts.contains(&instance.owner_account_id)
            || policy.exempt_accounts.contains(&j.finding().account_id)
        {
            return fail("in an exempt account");
        }
        if !instance.status.is_deletable() {
            return fail("of an instance that is not ACTIVE or CREATE_IN_PROGRESS");
        }
        if !policy.auto_remediate {
            return fail("with AUTO_REMEDIATE off");
        }
        if policy.dry_run {
            return fail("with DRY_RUN on");
        }
        match instance.application_count {
            None => return fail("with unknown applications"),
            Some(n) if n > 0 && !policy.force_delete_in_use => {
                return fail("of an instance in use, not forced")
            }
            _ => {}
        }
        if let Some(key) = &policy.exempt_tag {
            match &instance.tags {
                Some(tags) if tags.contains_key(key) => match &inventory.tag_protection {
                    None => return fail("of a tagged instance whose tag protection is unknown"),
                    Some(p) if p.protected_keys.contains(key) => {
                        let expired = instance.created_date.is_some_and(|created| {
                            Duration::try_days(i64::from(policy.trial_days))
                                .and_then(|d| created.checked_add_signed(d))
                                .is_some_and(|until| now() >= until)
                        });
                        if !expired {
                            return fail(
                                "of a tagged instance within (or of unknown) trial window",
                            );
                        }
                    }
                    // A tag no policy protects was set by the member: it exempts nothing.
                    Some(_) => {}
                },
                // Unknown tags matter unless no policy protects the key (then no tag exempts).
                None if strict.unknown_tags
                    && inventory
                        .tag_protection
                        .as_ref()
                        .is_none_or(|p| p.protected_keys.contains(key)) =>
                {
                    return fail("with unknown tags")
                }
                _ => {}
            }
        }
        let exempted = policy.exemptions.iter().any(|e| {
            now() < e.expires
                && match &e.target {
                    ExemptionTarget::Account(a) => *a == instance.owner_account_id,
                    ExemptionTarget::Instance(arn) => *arn == instance.instance_arn,
                }
        });
        if exempted {
            return fail("of an instance a central exemption spares");
        }
        if strict.untrusted {
            if let Some(reason) = trigger.untrusted_reason() {
                return fail(&format!("from an untrusted event ({reason})"));
            }
        }
    }
    Ok(deletes)
}

const REQUIRED_KEYS: &[&str] = &[
    "schema",
    "id",
    "rule",
    "severity",
    "title",
    "account_id",
    "region",
    "instance_arn",
    "organization_id",
    "trigger",
    "explanation",
    "remediation",
    "references",
];

/// The finding and SNS contracts: what is published is well-formed whatever the input.
/// `full` also parses the JSON body back (the costliest check: the caller samples it).
pub fn check_finding(f: &Finding, full: bool) -> Result<(), String> {
    let subject = f.sns_subject();
    if !subject.is_ascii() || subject.chars().count() >= 100 {
        return Err(format!("SNS subject breaks the contract: {subject:?}"));
    }
    if f.sns_attributes().iter().any(|(_, v)| v.is_empty()) {
        return Err(format!(
            "an empty SNS message attribute: {:?}",
            f.sns_attributes()
        ));
    }
    if !full {
        return Ok(());
    }
    let body: Value = serde_json::from_str(&f.to_json())
        .map_err(|e| format!("the finding's JSON does not parse back: {e}"))?;
    if let Some(key) = REQUIRED_KEYS.iter().find(|k| body.get(**k).is_none()) {
        return Err(format!("the finding's JSON lacks `{key}`"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use idc_core::{evaluate_trigger, parse_event_bytes};
    use serde_json::json;

    fn create(source: &str, account: &str) -> Vec<u8> {
        json!({"version": "0", "id": "x", "detail-type": "AWS API Call via CloudTrail",
            "source": source, "account": account, "region": "eu-west-1", "detail": {
            "eventTime": "2026-11-20T10:00:00Z", "eventSource": "sso.amazonaws.com",
            "eventName": "CreateInstance", "awsRegion": "eu-west-1", "eventID": "e",
            "recipientAccountId": "222222222222",
            "responseElements": {"instanceArn": "arn:aws:sso:::instance/ssoins-1"}}})
        .to_string()
        .into_bytes()
    }

    #[test]
    fn a_trigger_from_another_source_is_a_violation() {
        let Ok(trigger) = parse_event_bytes(&create("aws.sso", "222222222222")) else {
            panic!("must parse");
        };
        assert_eq!(
            check_trigger(&create("aws.sso", "222222222222"), &trigger),
            Ok(())
        );
        // the same trigger, claimed to come from bytes of another source
        let err = check_trigger(&create("my.app", "222222222222"), &trigger);
        assert!(err.is_err_and(|e| e.contains("my.app")));
    }

    #[test]
    fn a_trusted_trigger_over_disagreeing_accounts_is_a_violation() {
        let Ok(trigger) = parse_event_bytes(&create("aws.sso", "222222222222")) else {
            panic!("must parse");
        };
        let err = check_trigger(&create("aws.sso", "555555555555"), &trigger);
        assert!(err.is_err_and(|e| e.contains("disagree")));
    }

    #[test]
    fn a_delete_of_the_management_instance_is_a_violation() {
        let bytes = create("aws.sso", "222222222222");
        let Ok(trigger) = parse_event_bytes(&bytes) else {
            panic!("must parse");
        };
        let policy = Policy {
            auto_remediate: true,
            ..Policy::default()
        };
        let inventory: Inventory = serde_json::from_value(json!({
            "organization": {"id": "o-1", "management_account_id": "111111111111"},
            "instances": [{"instance_arn": "arn:aws:sso:::instance/ssoins-1",
                "owner_account_id": "222222222222", "region": "eu-west-1", "status": "ACTIVE",
                "application_count": 0, "tags": {}}]}))
        .unwrap_or_default();
        let mut eval = evaluate_trigger(&trigger, Some(&inventory), &policy, now());
        assert_eq!(
            check_evaluation(
                &trigger,
                Some(&inventory),
                &policy,
                &eval,
                Strict::default(),
                true
            ),
            Ok(1)
        );
        // Plant the violation: the decided instance becomes the management account's.
        let mut planted = inventory.clone();
        planted.instances[0].owner_account_id = "111111111111".into();
        if let Some(i) = eval.judged[0].violation.instance.as_mut() {
            i.owner_account_id = "111111111111".into();
        }
        let err = check_evaluation(
            &trigger,
            Some(&planted),
            &policy,
            &eval,
            Strict::default(),
            true,
        );
        assert!(err.is_err_and(|e| e.contains("management account")));
        // And the dry-run flag is checked too.
        let dry = Policy {
            dry_run: true,
            ..policy
        };
        let eval = evaluate_trigger(&trigger, Some(&inventory), &dry, now());
        assert_eq!(
            check_evaluation(
                &trigger,
                Some(&inventory),
                &dry,
                &eval,
                Strict::default(),
                true
            ),
            Ok(0)
        );
    }

    #[test]
    fn the_strict_oracles_catch_planted_violations() {
        let bytes = create("aws.sso", "555555555555");
        let Ok(trigger) = parse_event_bytes(&bytes) else {
            panic!("must parse");
        };
        assert!(trigger.untrusted_reason().is_some());
        let policy = Policy {
            auto_remediate: true,
            exempt_tag: Some("idc-trial".into()),
            ..Policy::default()
        };
        let inventory: Inventory = serde_json::from_value(json!({
            "organization": {"id": "o-1", "management_account_id": "111111111111"},
            "instances": [{"instance_arn": "arn:aws:sso:::instance/ssoins-1",
                "owner_account_id": "222222222222", "region": "eu-west-1", "status": "ACTIVE",
                "application_count": 0, "tags": {}}]}))
        .unwrap_or_default();
        let mut eval = evaluate_trigger(&trigger, Some(&inventory), &policy, now());
        // Plant a delete decision over unknown tags, whatever the policy decides today.
        let Some(delete) = evaluate_trigger(
            &parse_event_bytes(&create("aws.sso", "222222222222"))
                .unwrap_or_else(|e| panic!("{e}")),
            Some(&inventory),
            &policy,
            now(),
        )
        .judged
        .into_iter()
        .find(|j| j.decision.allows_delete())
        .map(|j| j.decision) else {
            panic!("a trusted member instance must be deletable");
        };
        eval.judged[0].decision = delete;
        let mut unknown = inventory.clone();
        unknown.instances[0].tags = None;
        if let Some(i) = eval.judged[0].violation.instance.as_mut() {
            i.tags = None;
        }
        // With both oracles off (they are on by default), the planted decision passes.
        let lax = Strict {
            untrusted: false,
            unknown_tags: false,
        };
        assert_eq!(
            check_evaluation(&trigger, Some(&unknown), &policy, &eval, lax, true),
            Ok(1)
        );
        let tags = Strict {
            unknown_tags: true,
            ..lax
        };
        let err = check_evaluation(&trigger, Some(&unknown), &policy, &eval, tags, true);
        assert!(err.is_err_and(|e| e.contains("unknown tags")));
        let untrusted = Strict {
            untrusted: true,
            ..lax
        };
        let err = check_evaluation(&trigger, Some(&inventory), &policy, &eval, untrusted, true);
        assert!(err.is_err_and(|e| e.contains("untrusted")));
    }
}
