//! `sso:CreateInstance`: the only Identity Center call that gives a trigger.

use super::meta::meta;
use super::trigger::{CallError, InstanceCreated, Trigger};
use super::view::{EnvelopeView, Node, RecordView};
use crate::error::EventError;

pub(super) fn instance_created<N: Node>(
    envelope: &EnvelopeView<'_>,
    record: &RecordView<'_, N>,
) -> Result<Trigger, EventError> {
    let meta = meta(envelope, record)?;
    let error = record.error_code.map(|code| CallError {
        code: code.to_owned(),
        message: record.error_message.map(str::to_owned),
    });
    // Only a call without an error proves an instance, and only the ARN it answered.
    let instance_arn = match error {
        Some(_) => None,
        None => record
            .response_elements
            .and_then(|r| r.get("instanceArn"))
            .and_then(N::as_str)
            .filter(|arn| is_instance_arn(arn))
            .map(str::to_owned),
    };
    Ok(Trigger::InstanceCreated(InstanceCreated {
        account_id: meta.recipient_account_id.clone(),
        region: meta.region.clone(),
        instance_arn,
        error,
        meta,
    }))
}

pub(super) use crate::ids::is_instance_arn;
