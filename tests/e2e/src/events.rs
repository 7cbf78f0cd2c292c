//! Events for the live runs, made from the real-shaped samples in `events/` with the
//! emulator's account IDs put in.

use anyhow::{Context, Result};
use serde_json::{json, Value};

/// Loads `events/<name>`.
pub fn sample(name: &str) -> Result<Value> {
    let path = crate::repo_root().join("events").join(name);
    let text = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_slice(&text).with_context(|| format!("{} is not JSON", path.display()))
}

fn set(event: &mut Value, pointer: &str, value: Value) {
    if let Some(slot) = event.pointer_mut(pointer) {
        *slot = value;
    }
}

/// A CloudTrail `CreateInstance` by `account` in `region`; `instance_arn` is `None` for a
/// call that failed (denied by the SCP).
pub fn create_instance(
    account: &str,
    region: &str,
    instance_arn: Option<&str>,
    event_id: &str,
) -> Result<Value> {
    let mut event = match instance_arn {
        Some(_) => sample("create-instance-member.json")?,
        None => sample("create-instance-denied-by-scp.json")?,
    };
    set(&mut event, "/account", json!(account));
    set(&mut event, "/region", json!(region));
    set(&mut event, "/detail/awsRegion", json!(region));
    set(&mut event, "/detail/recipientAccountId", json!(account));
    set(&mut event, "/detail/userIdentity/accountId", json!(account));
    set(
        &mut event,
        "/detail/userIdentity/arn",
        json!(format!(
            "arn:aws:sts::{account}:assumed-role/Developer/alice"
        )),
    );
    set(&mut event, "/detail/eventID", json!(event_id));
    if let Some(arn) = instance_arn {
        set(
            &mut event,
            "/detail/responseElements/instanceArn",
            json!(arn),
        );
    }
    Ok(event)
}

/// A CloudTrail `RegisterDelegatedAdministrator` of `account` for Identity Center.
pub fn register_delegated_admin(management: &str, account: &str, event_id: &str) -> Result<Value> {
    let mut event = sample("register-delegated-admin-sso.json")?;
    set(&mut event, "/account", json!(management));
    set(&mut event, "/detail/recipientAccountId", json!(management));
    set(
        &mut event,
        "/detail/userIdentity/accountId",
        json!(management),
    );
    set(
        &mut event,
        "/detail/requestParameters/accountId",
        json!(account),
    );
    set(&mut event, "/detail/eventID", json!(event_id));
    Ok(event)
}

/// The SQS event Lambda hands a queue's consumer: one record per `(message id, body)`.
pub fn sqs_records(messages: &[(String, String)]) -> Value {
    let records: Vec<Value> = messages
        .iter()
        .map(|(id, body)| {
            json!({"messageId": id, "receiptHandle": "h", "body": body, "eventSource": "aws:sqs"})
        })
        .collect();
    json!({ "Records": records })
}

/// The sweep worker's event for one account of sweep `sweep_id`.
pub fn sweep_task(sweep_id: &str, account: &str) -> Value {
    let body = json!({"schema": "idc-guardrail/sweep-task/v1", "sweep_id": sweep_id,
                      "account_id": account})
    .to_string();
    sqs_records(&[("task-1".to_owned(), body)])
}

/// The scheduled sweep's event in the management account `management`.
pub fn scheduled_sweep(management: &str) -> Result<Value> {
    let mut event = sample("scheduled-sweep.json")?;
    event["account"] = json!(management);
    Ok(event)
}

/// An event built as JSON, read as a function receives it (from its bytes), for the tests that
/// hand it to the guardrail in process.
pub fn envelope(event: &Value) -> Result<idc_core::CloudTrailEnvelope> {
    serde_json::from_slice(event.to_string().as_bytes()).context("the event is not an envelope")
}
