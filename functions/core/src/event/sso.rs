//! `sso:CreateInstance`: the only Identity Center call that gives a trigger.

use super::fields::{loose, text};
use super::meta::meta;
use super::record::{CloudTrailEnvelope, CloudTrailRecord};
use super::trigger::{CallError, InstanceCreated, Trigger};
use crate::error::EventError;

pub(super) fn instance_created(
    envelope: &CloudTrailEnvelope,
    record: &CloudTrailRecord,
) -> Result<Trigger, EventError> {
    let meta = meta(envelope, record)?;
    let error = text("errorCode", &record.error_code)?.map(|code| CallError {
        code: code.to_owned(),
        message: loose(&record.error_message).map(str::to_owned),
    });
    // Only a call without an error proves an instance, and only the ARN it answered.
    let instance_arn = match error {
        Some(_) => None,
        None => record
            .response_elements
            .get()
            .and_then(|r| loose(&r.instance_arn))
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
