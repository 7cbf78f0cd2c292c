//! "The same finding": what one run published, reduced to what must be equal on both sides.
//! Left out: `evaluated_at` and `sequence` (clocks). In a deletion run each side deletes its
//! own freshly planted instance, so its ARN, and the finding id derived from it, are replaced
//! by placeholders once the id is checked to be the contract's deterministic id for them.

use anyhow::{bail, Context, Result};
use idc_core::finding::{finding_id, TriggerRef};
use idc_core::RuleId;
use idc_e2e::world::Received;
use serde_json::{json, Value};

/// One published message, normalised: subject, attributes and body.
pub type Published = Value;

pub fn normalised(messages: &[Received], event_id: &str, arn: &str) -> Result<Vec<Published>> {
    let mut messages: Vec<&Received> = messages.iter().collect();
    messages.sort_by_key(|m| m.sequence());
    if messages.is_empty() {
        bail!("nothing was published");
    }
    let mut out = Vec::with_capacity(messages.len());
    for m in messages {
        let mut body = m.finding.clone();
        let trigger: TriggerRef = serde_json::from_value(body["trigger"].clone())
            .context("the finding's trigger is not the contract's")?;
        if body["trigger"]["event_id"] != event_id {
            bail!(
                "the finding names event {}, not {event_id}",
                body["trigger"]["event_id"]
            );
        }
        let rule: RuleId =
            serde_json::from_value(body["rule"].clone()).context("the finding's rule")?;
        let expected_id = finding_id(&trigger, rule, arn);
        if body["id"] != expected_id.as_str() {
            bail!(
                "finding id {} is not the deterministic id {expected_id}",
                body["id"]
            );
        }
        for clock in ["evaluated_at", "sequence"] {
            if body.as_object_mut().and_then(|o| o.remove(clock)).is_none() {
                bail!("the finding has no `{clock}`");
            }
        }
        let message = json!({"subject": m.subject, "attributes": m.attributes, "body": body});
        let text = serde_json::to_string(&message)?
            .replace(&expected_id, "<finding id>")
            .replace(arn, "<instance ARN>");
        out.push(serde_json::from_str(&text)?);
    }
    Ok(out)
}
