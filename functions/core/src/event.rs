//! EventBridge envelopes of CloudTrail records, turned into typed triggers.
//!
//! Real records vary a lot (Root identities with `"sessionIssuer": {}`, service events without
//! `userIdentity.type`, failed calls with `errorCode` and null `responseElements`, partitions
//! other than `aws`), so the record type is the project's own and every field is optional:
//! a field is required only where a rule needs it, and then its absence is a named error.
//!
//! Lenient on shape, strict on origin: only `aws.sso` with `sso.amazonaws.com` and
//! `aws.organizations` with `organizations.amazonaws.com`, under one of the two CloudTrail
//! detail-types, can give a trigger (anyone allowed to `PutEvents` on the bus can send a
//! CloudTrail-shaped `detail` under a source of their own). Everything else is
//! [`Trigger::Ignored`], with the reason, and never an error.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::EventError;
use crate::ids::{
    arn_partition, event_source_of, is_account_id, CLOUDTRAIL_DETAIL_TYPES, SSO_SERVICE_PRINCIPAL,
};

/// A CloudTrail record as EventBridge delivers it in `detail`. Lenient on purpose.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct CloudTrailRecord {
    pub event_version: Option<String>,
    pub user_identity: Option<UserIdentity>,
    pub event_time: Option<String>,
    pub event_source: Option<String>,
    pub event_name: Option<String>,
    pub aws_region: Option<String>,
    #[serde(rename = "sourceIPAddress")]
    pub source_ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub request_parameters: Option<Value>,
    pub response_elements: Option<Value>,
    pub service_event_details: Option<Value>,
    #[serde(rename = "eventID")]
    pub event_id: Option<String>,
    pub event_type: Option<String>,
    pub recipient_account_id: Option<String>,
}

/// `userIdentity` of a CloudTrail record; every part may be missing in real records.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct UserIdentity {
    #[serde(rename = "type")]
    pub identity_type: Option<String>,
    pub principal_id: Option<String>,
    pub arn: Option<String>,
    pub account_id: Option<String>,
    pub invoked_by: Option<String>,
    pub session_context: Option<Value>,
}

/// The envelope EventBridge delivers to the functions.
pub type CloudTrailEnvelope = EventBridgeEvent<Value>;

/// What every event-driven finding says about the event that caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventMeta {
    pub event_id: String,
    pub event_name: String,
    pub event_time: DateTime<Utc>,
    pub principal_arn: Option<String>,
    /// The account whose CloudTrail recorded the event.
    pub recipient_account_id: String,
    pub region: String,
    /// Set when the envelope's `account` and the record's account disagree: the event is
    /// still evaluated (the team must hear of it) but must never lead to a delete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_conflict: Option<AccountConflict>,
}

/// The envelope says one account, the CloudTrail record another. EventBridge keeps the
/// source account in `account` when it forwards an event to another bus, so for a real
/// record both name the account whose trail recorded it; a difference means the event
/// was forged, rewritten or misrouted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountConflict {
    /// The envelope's `account`.
    pub envelope: String,
    /// The record's `recipientAccountId` (else `userIdentity.accountId`).
    pub record: String,
}

impl EventMeta {
    /// Why the event must not be trusted to act on (report only), if it must not.
    pub fn untrusted_reason(&self) -> Option<String> {
        self.account_conflict.as_ref().map(|c| {
            format!(
                "the EventBridge envelope names account {} but the CloudTrail record names \
                 account {}: the event may be forged or misrouted, so it is reported and \
                 never acted on",
                c.envelope, c.record
            )
        })
    }
}

/// A failed API call, as CloudTrail records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallError {
    pub code: String,
    pub message: Option<String>,
}

/// `sso:CreateInstance`, successful or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstanceCreated {
    pub meta: EventMeta,
    pub account_id: String,
    pub region: String,
    /// The instance the call proves it created: only set when the record has no
    /// `errorCode` and `responseElements.instanceArn` is an instance ARN.
    pub instance_arn: Option<String>,
    pub error: Option<CallError>,
}

/// What a `CreateInstance` record shows about its call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CreateOutcome {
    /// No `errorCode`, and `responseElements` names the new instance.
    Created,
    /// An `errorCode` (e.g. denied by the SCP): no instance was created (IDC004).
    Failed,
    /// No `errorCode` (absent or null), but no instance ARN in `responseElements` either:
    /// the record does not show whether an instance exists. Never a proof of one.
    Unclear,
}

impl InstanceCreated {
    pub fn outcome(&self) -> CreateOutcome {
        match (&self.error, &self.instance_arn) {
            (Some(_), _) => CreateOutcome::Failed,
            (None, Some(_)) => CreateOutcome::Created,
            (None, None) => CreateOutcome::Unclear,
        }
    }

    /// True only when the record proves that the call created `instance_arn`.
    pub fn proves_instance(&self) -> bool {
        self.outcome() == CreateOutcome::Created
    }
}

/// `organizations:RegisterDelegatedAdministrator` for `sso.amazonaws.com`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DelegatedAdminRegistered {
    pub meta: EventMeta,
    pub account_id: String,
    pub service_principal: String,
}

/// An account joined the organization (invitation accepted or account created).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountJoined {
    pub meta: EventMeta,
    pub account_id: String,
}

/// An event the guardrail has nothing to say about, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ignored {
    pub event_name: Option<String>,
    pub reason: String,
}

/// What an event means for the guardrail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Trigger {
    InstanceCreated(InstanceCreated),
    DelegatedAdminRegistered(DelegatedAdminRegistered),
    AccountJoined(AccountJoined),
    Ignored(Ignored),
}

impl Trigger {
    /// The event behind the trigger, when it is one the guardrail acts on.
    pub fn meta(&self) -> Option<&EventMeta> {
        match self {
            Trigger::InstanceCreated(t) => Some(&t.meta),
            Trigger::DelegatedAdminRegistered(t) => Some(&t.meta),
            Trigger::AccountJoined(t) => Some(&t.meta),
            Trigger::Ignored(_) => None,
        }
    }

    /// Why this trigger may be reported but must never lead to a delete, if so (today: the
    /// envelope's and the record's accounts disagree). The rules attach it to every finding
    /// and decide report-only.
    pub fn untrusted_reason(&self) -> Option<String> {
        self.meta().and_then(EventMeta::untrusted_reason)
    }

    /// A short name of the trigger's kind (`instance_created`, …, `ignored`).
    pub fn kind(&self) -> &'static str {
        match self {
            Trigger::InstanceCreated(_) => "instance_created",
            Trigger::DelegatedAdminRegistered(_) => "delegated_admin_registered",
            Trigger::AccountJoined(_) => "account_joined",
            Trigger::Ignored(_) => "ignored",
        }
    }
}

/// Parses raw bytes (a file, a Lambda payload) into a trigger.
pub fn parse_event_bytes(bytes: &[u8]) -> Result<Trigger, EventError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(EventError::Empty);
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| EventError::NotJson(brief(&e)))?;
    parse_event_value(value)
}

/// Parses a JSON value (what `lambda_runtime` hands over) into a trigger.
pub fn parse_event_value(value: Value) -> Result<Trigger, EventError> {
    if !value.is_object() {
        return Err(EventError::NotEnvelope(format!(
            "expected a JSON object, found {}",
            json_kind(&value)
        )));
    }
    let envelope: CloudTrailEnvelope =
        serde_json::from_value(value).map_err(|e| EventError::NotEnvelope(brief(&e)))?;
    parse_envelope(envelope)
}

/// Interprets an EventBridge envelope.
pub fn parse_envelope(envelope: CloudTrailEnvelope) -> Result<Trigger, EventError> {
    // Origin first: an event from elsewhere is ignored whatever its detail looks like.
    let Some(expected_event_source) = event_source_of(&envelope.source) else {
        return Ok(Trigger::Ignored(Ignored {
            event_name: None,
            reason: format!(
                "source `{}` is neither `aws.sso` nor `aws.organizations`: not an event the \
                 guardrail evaluates",
                printable(&envelope.source)
            ),
        }));
    };
    if !CLOUDTRAIL_DETAIL_TYPES.contains(&envelope.detail_type.as_str()) {
        return Ok(Trigger::Ignored(Ignored {
            event_name: None,
            reason: format!(
                "detail-type `{}` is not a CloudTrail API call or service event (expected \
                 `{}` or `{}`)",
                printable(&envelope.detail_type),
                CLOUDTRAIL_DETAIL_TYPES[0],
                CLOUDTRAIL_DETAIL_TYPES[1]
            ),
        }));
    }
    if !envelope.detail.is_object() {
        return Err(EventError::NotEnvelope(format!(
            "`detail` must be an object, found {}",
            json_kind(&envelope.detail)
        )));
    }
    let record: CloudTrailRecord =
        serde_json::from_value(envelope.detail.clone()).map_err(|e| {
            EventError::NotEnvelope(format!(
                "`detail` is not a CloudTrail record: {}",
                brief(&e)
            ))
        })?;
    let event_name = record
        .event_name
        .clone()
        .ok_or(EventError::MissingField("eventName"))?;
    // A record without `eventSource` takes the one its (accepted) source implies.
    let event_source = record
        .event_source
        .clone()
        .unwrap_or_else(|| expected_event_source.to_owned());
    if event_source != expected_event_source {
        return Ok(ignored(
            &event_name,
            format!(
                "eventSource `{}` does not belong to source `{}` (expected `{expected_event_source}`)",
                printable(&event_source),
                envelope.source
            ),
        ));
    }

    match (event_source.as_str(), event_name.as_str()) {
        ("sso.amazonaws.com", "CreateInstance") => instance_created(&envelope, &record),
        ("organizations.amazonaws.com", "RegisterDelegatedAdministrator") => {
            delegated_admin_registered(&envelope, &record)
        }
        ("organizations.amazonaws.com", "AcceptHandshake") => {
            handshake_accepted(&envelope, &record)
        }
        ("organizations.amazonaws.com", "CreateAccountResult") => {
            account_created(&envelope, &record)
        }
        ("organizations.amazonaws.com", "AccountJoinedOrganization") => {
            account_joined_event(&envelope, &record)
        }
        _ => Ok(ignored(
            &event_name,
            format!(
                "`{}` `{}` is not an event the guardrail evaluates",
                printable(&event_source),
                printable(&event_name)
            ),
        )),
    }
}

fn instance_created(
    envelope: &CloudTrailEnvelope,
    record: &CloudTrailRecord,
) -> Result<Trigger, EventError> {
    let meta = meta(envelope, record)?;
    let error = record.error_code.as_ref().map(|code| CallError {
        code: code.clone(),
        message: record.error_message.clone(),
    });
    // Only a call without an error proves an instance, and only the ARN it answered.
    let instance_arn = match error {
        Some(_) => None,
        None => record
            .response_elements
            .as_ref()
            .and_then(|r| r.get("instanceArn"))
            .and_then(Value::as_str)
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

fn delegated_admin_registered(
    envelope: &CloudTrailEnvelope,
    record: &CloudTrailRecord,
) -> Result<Trigger, EventError> {
    let params = record.request_parameters.as_ref();
    let service_principal = params
        .and_then(|p| p.get("servicePrincipal"))
        .and_then(Value::as_str)
        .ok_or(EventError::MissingField(
            "requestParameters.servicePrincipal",
        ))?;
    if service_principal != SSO_SERVICE_PRINCIPAL {
        return Ok(ignored(
            "RegisterDelegatedAdministrator",
            format!(
                "delegated administrator for `{}`, not Identity Center",
                printable(service_principal)
            ),
        ));
    }
    if let Some(code) = &record.error_code {
        return Ok(ignored(
            "RegisterDelegatedAdministrator",
            format!(
                "the registration failed ({}): nothing changed",
                printable(code)
            ),
        ));
    }
    let account_id = params
        .and_then(|p| p.get("accountId"))
        .and_then(Value::as_str)
        .ok_or(EventError::MissingField("requestParameters.accountId"))?;
    let account_id = checked_account("requestParameters.accountId", account_id)?;
    Ok(Trigger::DelegatedAdminRegistered(
        DelegatedAdminRegistered {
            meta: meta(envelope, record)?,
            account_id,
            service_principal: service_principal.to_owned(),
        },
    ))
}

fn handshake_accepted(
    envelope: &CloudTrailEnvelope,
    record: &CloudTrailRecord,
) -> Result<Trigger, EventError> {
    if let Some(code) = &record.error_code {
        return Ok(ignored(
            "AcceptHandshake",
            format!("the handshake was not accepted ({})", printable(code)),
        ));
    }
    let handshake = record
        .response_elements
        .as_ref()
        .and_then(|r| r.get("handshake"));
    // Members also accept handshakes that are not invitations (e.g. ENABLE_ALL_FEATURES).
    if let Some(action) = handshake
        .and_then(|h| h.get("action"))
        .and_then(Value::as_str)
    {
        if action != "INVITE" {
            return Ok(ignored(
                "AcceptHandshake",
                format!(
                    "handshake `{}` is not an invitation to join",
                    printable(action)
                ),
            ));
        }
    }
    // The invited party names the newcomer; the caller's account is the same account.
    let party = handshake
        .and_then(|h| h.get("parties"))
        .and_then(Value::as_array)
        .and_then(|parties| {
            parties.iter().find(|p| {
                p.get("type").and_then(Value::as_str) == Some("ACCOUNT")
                    && p.get("id")
                        .and_then(Value::as_str)
                        .is_some_and(is_account_id)
            })
        })
        .and_then(|p| p.get("id"))
        .and_then(Value::as_str);
    let caller = record
        .user_identity
        .as_ref()
        .and_then(|u| u.account_id.as_deref());
    let account_id = party
        .or(caller)
        .ok_or(EventError::MissingField("userIdentity.accountId"))?;
    let account_id = checked_account("userIdentity.accountId", account_id)?;
    Ok(Trigger::AccountJoined(AccountJoined {
        meta: meta(envelope, record)?,
        account_id,
    }))
}

fn account_created(
    envelope: &CloudTrailEnvelope,
    record: &CloudTrailRecord,
) -> Result<Trigger, EventError> {
    let status = record
        .service_event_details
        .as_ref()
        .and_then(|d| d.get("createAccountStatus"))
        .ok_or(EventError::MissingField(
            "serviceEventDetails.createAccountStatus",
        ))?;
    let state = status.get("state").and_then(Value::as_str).unwrap_or("");
    if state != "SUCCEEDED" {
        return Ok(ignored(
            "CreateAccountResult",
            format!(
                "account creation did not succeed (state `{}`)",
                printable(state)
            ),
        ));
    }
    let account_id =
        status
            .get("accountId")
            .and_then(Value::as_str)
            .ok_or(EventError::MissingField(
                "serviceEventDetails.createAccountStatus.accountId",
            ))?;
    let account_id = checked_account(
        "serviceEventDetails.createAccountStatus.accountId",
        account_id,
    )?;
    Ok(Trigger::AccountJoined(AccountJoined {
        meta: meta(envelope, record)?,
        account_id,
    }))
}

/// `AccountJoinedOrganization`: no published record shape, so the account is looked for where
/// Organizations records put account IDs — the service event details, the request parameters,
/// then the caller (the joining account itself).
fn account_joined_event(
    envelope: &CloudTrailEnvelope,
    record: &CloudTrailRecord,
) -> Result<Trigger, EventError> {
    let details = record.service_event_details.as_ref();
    let candidates = [
        details.and_then(|d| d.get("accountId")),
        details.and_then(|d| d.pointer("/account/id")),
        record
            .request_parameters
            .as_ref()
            .and_then(|p| p.get("accountId")),
    ];
    let account_id = candidates
        .iter()
        .flatten()
        .find_map(|v| v.as_str())
        .or_else(|| {
            record
                .user_identity
                .as_ref()
                .and_then(|u| u.account_id.as_deref())
        })
        .ok_or(EventError::MissingField("serviceEventDetails.accountId"))?;
    let account_id = checked_account("serviceEventDetails.accountId", account_id)?;
    Ok(Trigger::AccountJoined(AccountJoined {
        meta: meta(envelope, record)?,
        account_id,
    }))
}

fn meta(envelope: &CloudTrailEnvelope, record: &CloudTrailRecord) -> Result<EventMeta, EventError> {
    let event_id = record
        .event_id
        .clone()
        .or_else(|| envelope.id.clone())
        .filter(|id| !id.is_empty())
        .ok_or(EventError::MissingField("eventID"))?;
    let event_name = record
        .event_name
        .clone()
        .ok_or(EventError::MissingField("eventName"))?;
    let event_time = match &record.event_time {
        Some(text) => DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| EventError::InvalidField {
                field: "eventTime",
                reason: format!("`{}` is not an RFC 3339 time ({e})", printable(text)),
            })?,
        None => envelope.time.ok_or(EventError::MissingField("eventTime"))?,
    };
    let region = record
        .aws_region
        .clone()
        .or_else(|| envelope.region.clone())
        .ok_or(EventError::MissingField("awsRegion"))?;
    // The record's own account: the trail that recorded it, else the caller's account.
    let record_account = record.recipient_account_id.clone().or_else(|| {
        record
            .user_identity
            .as_ref()
            .and_then(|u| u.account_id.clone())
    });
    let envelope_account = envelope.account.clone().filter(|a| !a.is_empty());
    let recipient = record_account
        .clone()
        .or_else(|| envelope_account.clone())
        .ok_or(EventError::MissingField("recipientAccountId"))?;
    let recipient_account_id = checked_account("recipientAccountId", &recipient)?;
    let account_conflict = match (envelope_account, record_account) {
        (Some(envelope), Some(record)) if envelope != record => {
            Some(AccountConflict { envelope, record })
        }
        _ => None,
    };
    Ok(EventMeta {
        event_id,
        event_name,
        event_time,
        principal_arn: principal_arn(record),
        recipient_account_id,
        region,
        account_conflict,
    })
}

/// An Identity Center instance ARN: `arn:<partition>:sso:::instance/<id>`.
fn is_instance_arn(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(parts.as_slice(), [_, _, "sso", _, _, resource]
        if arn_partition(arn).is_some()
            && resource.strip_prefix("instance/").is_some_and(|id| !id.is_empty()))
}

/// A parser's message, cut so that an error stays one short line (serde quotes the
/// offending value whole: a megabyte string would become a megabyte message).
fn brief(message: &impl std::fmt::Display) -> String {
    const MAX: usize = 240;
    let text = message.to_string();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// A value from the input, cut and escaped so that a reason stays one short line.
fn printable(text: &str) -> String {
    const MAX: usize = 80;
    let mut out: String = text
        .chars()
        .take(MAX)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}

/// Who made the call: the identity ARN, else the role behind the session, else nothing
/// (service events carry neither).
fn principal_arn(record: &CloudTrailRecord) -> Option<String> {
    let identity = record.user_identity.as_ref()?;
    identity
        .arn
        .clone()
        .or_else(|| {
            identity
                .session_context
                .as_ref()
                .and_then(|c| c.pointer("/sessionIssuer/arn"))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .filter(|arn| !arn.is_empty())
}

fn checked_account(field: &'static str, value: &str) -> Result<String, EventError> {
    if is_account_id(value) {
        Ok(value.to_owned())
    } else {
        Err(EventError::InvalidField {
            field,
            reason: format!("`{}` is not a 12-digit AWS account ID", printable(value)),
        })
    }
}

fn ignored(event_name: &str, reason: String) -> Trigger {
    Trigger::Ignored(Ignored {
        event_name: Some(event_name.to_owned()),
        reason,
    })
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An envelope as EventBridge builds it: `account` is the account that recorded it.
    fn envelope(detail_type: &str, source: &str, detail: Value) -> Value {
        let account = detail
            .get("recipientAccountId")
            .and_then(Value::as_str)
            .unwrap_or("222222222222")
            .to_owned();
        json!({
            "version": "0",
            "id": "6f2c1a8e-0000-4000-8000-000000000001",
            "detail-type": detail_type,
            "source": source,
            "account": account,
            "time": "2026-11-20T10:15:30Z",
            "region": "eu-west-1",
            "resources": [],
            "detail": detail
        })
    }

    fn create_instance(extra: Value) -> Value {
        let mut detail = json!({
            "eventVersion": "1.09",
            "userIdentity": {
                "type": "AssumedRole",
                "arn": "arn:aws:sts::222222222222:assumed-role/Dev/alice",
                "accountId": "222222222222",
                "sessionContext": {"sessionIssuer": {"arn": "arn:aws:iam::222222222222:role/Dev"}}
            },
            "eventTime": "2026-11-20T10:15:30Z",
            "eventSource": "sso.amazonaws.com",
            "eventName": "CreateInstance",
            "awsRegion": "eu-west-1",
            "requestParameters": {"name": "team-trial"},
            "responseElements": {"instanceArn": "arn:aws:sso:::instance/ssoins-1111222233334444"},
            "eventID": "e-1",
            "recipientAccountId": "222222222222"
        });
        if let (Some(d), Some(e)) = (detail.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                d.insert(k.clone(), v.clone());
            }
        }
        envelope("AWS API Call via CloudTrail", "aws.sso", detail)
    }

    fn parse(v: Value) -> Result<Trigger, EventError> {
        parse_event_value(v)
    }

    #[test]
    fn create_instance_success_names_account_region_and_arn() {
        let Ok(Trigger::InstanceCreated(t)) = parse(create_instance(json!({}))) else {
            panic!("expected InstanceCreated");
        };
        assert_eq!(t.account_id, "222222222222");
        assert_eq!(t.region, "eu-west-1");
        assert_eq!(
            t.instance_arn.as_deref(),
            Some("arn:aws:sso:::instance/ssoins-1111222233334444")
        );
        assert_eq!(t.error, None);
        assert_eq!(
            t.meta.principal_arn.as_deref(),
            Some("arn:aws:sts::222222222222:assumed-role/Dev/alice")
        );
    }

    #[test]
    fn failed_create_instance_carries_error_code_and_no_arn() {
        let v = create_instance(json!({
            "errorCode": "AccessDenied",
            "errorMessage": "explicit deny in a service control policy",
            "responseElements": null
        }));
        let Ok(Trigger::InstanceCreated(t)) = parse(v) else {
            panic!("expected InstanceCreated");
        };
        assert_eq!(t.instance_arn, None);
        assert_eq!(t.error.map(|e| e.code), Some("AccessDenied".to_owned()));
    }

    #[test]
    fn root_identity_with_empty_session_issuer_parses() {
        let v = create_instance(json!({"userIdentity": {
            "type": "Root", "arn": "arn:aws:iam::222222222222:root",
            "accountId": "222222222222", "sessionContext": {"sessionIssuer": {}}
        }}));
        let t = parse(v).map(|t| t.meta().and_then(|m| m.principal_arn.clone()));
        assert_eq!(t, Ok(Some("arn:aws:iam::222222222222:root".to_owned())));
    }

    #[test]
    fn identity_without_arn_falls_back_to_session_issuer() {
        let v = create_instance(json!({"userIdentity": {
            "accountId": "222222222222",
            "sessionContext": {"sessionIssuer": {"arn": "arn:aws-us-gov:iam::222222222222:role/Ops"}}
        }}));
        let t = parse(v).map(|t| t.meta().and_then(|m| m.principal_arn.clone()));
        assert_eq!(
            t,
            Ok(Some("arn:aws-us-gov:iam::222222222222:role/Ops".to_owned()))
        );
    }

    #[test]
    fn missing_event_name_is_a_named_error() {
        let mut v = create_instance(json!({}));
        if let Some(d) = v.get_mut("detail").and_then(Value::as_object_mut) {
            d.remove("eventName");
        }
        assert_eq!(parse(v), Err(EventError::MissingField("eventName")));
    }

    #[test]
    fn missing_detail_is_not_an_envelope() {
        let mut v = create_instance(json!({}));
        if let Some(o) = v.as_object_mut() {
            o.remove("detail");
        }
        let err = parse(v).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("detail"), "{err}");
    }

    #[test]
    fn bad_account_id_is_rejected() {
        let v = create_instance(json!({"recipientAccountId": "12345"}));
        assert!(matches!(
            parse(v),
            Err(EventError::InvalidField {
                field: "recipientAccountId",
                ..
            })
        ));
    }

    #[test]
    fn bad_event_time_is_rejected() {
        let v = create_instance(json!({"eventTime": "yesterday"}));
        assert!(matches!(
            parse(v),
            Err(EventError::InvalidField {
                field: "eventTime",
                ..
            })
        ));
    }

    #[test]
    fn empty_and_non_json_inputs_are_errors() {
        assert_eq!(parse_event_bytes(b"  \n"), Err(EventError::Empty));
        assert!(matches!(
            parse_event_bytes(b"{nope"),
            Err(EventError::NotJson(_))
        ));
        assert!(matches!(
            parse_event_bytes(b"[1]"),
            Err(EventError::NotEnvelope(_))
        ));
    }

    #[test]
    fn other_event_names_are_ignored() {
        let v = create_instance(json!({"eventName": "CreateApplication"}));
        assert!(matches!(parse(v), Ok(Trigger::Ignored(_))));
    }

    #[test]
    fn non_cloudtrail_events_are_ignored() {
        let v = envelope("Scheduled Event", "aws.events", json!({}));
        assert!(matches!(parse(v), Ok(Trigger::Ignored(_))));
    }

    fn register(principal: &str, extra: Value) -> Value {
        let mut detail = json!({
            "eventTime": "2026-11-20T11:00:00Z",
            "eventSource": "organizations.amazonaws.com",
            "eventName": "RegisterDelegatedAdministrator",
            "awsRegion": "us-east-1",
            "userIdentity": {"type": "AssumedRole", "arn": "arn:aws:sts::111111111111:assumed-role/Admin/bob", "accountId": "111111111111"},
            "requestParameters": {"accountId": "333333333333", "servicePrincipal": principal},
            "responseElements": null,
            "eventID": "e-2",
            "recipientAccountId": "111111111111"
        });
        if let (Some(d), Some(e)) = (detail.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                d.insert(k.clone(), v.clone());
            }
        }
        envelope("AWS API Call via CloudTrail", "aws.organizations", detail)
    }

    #[test]
    fn delegated_admin_for_sso_is_a_trigger() {
        let Ok(Trigger::DelegatedAdminRegistered(t)) =
            parse(register("sso.amazonaws.com", json!({})))
        else {
            panic!("expected DelegatedAdminRegistered");
        };
        assert_eq!(t.account_id, "333333333333");
    }

    #[test]
    fn delegated_admin_for_other_services_is_ignored() {
        let t = parse(register("securityhub.amazonaws.com", json!({})));
        assert!(matches!(t, Ok(Trigger::Ignored(_))));
    }

    #[test]
    fn failed_delegated_admin_registration_is_ignored() {
        let t = parse(register(
            "sso.amazonaws.com",
            json!({"errorCode": "AccessDeniedException"}),
        ));
        assert!(matches!(t, Ok(Trigger::Ignored(_))));
    }

    #[test]
    fn create_account_result_names_the_new_account() {
        let detail = json!({
            "eventTime": "2026-11-20T12:00:00Z",
            "eventSource": "organizations.amazonaws.com",
            "eventName": "CreateAccountResult",
            "awsRegion": "us-east-1",
            "userIdentity": {"accountId": "111111111111", "invokedBy": "AWS Internal"},
            "eventID": "e-3",
            "eventType": "AwsServiceEvent",
            "recipientAccountId": "111111111111",
            "serviceEventDetails": {"createAccountStatus": {
                "id": "car-1", "state": "SUCCEEDED", "accountName": "new", "accountId": "444444444444"
            }}
        });
        let v = envelope(
            "AWS Service Event via CloudTrail",
            "aws.organizations",
            detail,
        );
        let Ok(Trigger::AccountJoined(t)) = parse(v) else {
            panic!("expected AccountJoined");
        };
        assert_eq!(t.account_id, "444444444444");
        assert_eq!(t.meta.principal_arn, None);
    }

    #[test]
    fn account_joined_finds_the_account_in_request_parameters_too() {
        let detail = json!({
            "eventTime": "2026-11-20T12:00:00Z",
            "eventSource": "organizations.amazonaws.com",
            "eventName": "AccountJoinedOrganization",
            "awsRegion": "us-east-1",
            "requestParameters": {"accountId": "666666666666"},
            "eventID": "e-5",
            "recipientAccountId": "111111111111"
        });
        let v = envelope(
            "AWS Service Event via CloudTrail",
            "aws.organizations",
            detail,
        );
        let Ok(Trigger::AccountJoined(t)) = parse(v) else {
            panic!("expected AccountJoined");
        };
        assert_eq!(t.account_id, "666666666666");
    }

    #[test]
    fn accept_handshake_other_than_invite_is_ignored() {
        let detail = json!({
            "eventTime": "2026-11-20T12:00:00Z",
            "eventSource": "organizations.amazonaws.com",
            "eventName": "AcceptHandshake",
            "awsRegion": "us-east-1",
            "userIdentity": {"accountId": "555555555555", "arn": "arn:aws:iam::555555555555:root"},
            "responseElements": {"handshake": {"action": "ENABLE_ALL_FEATURES"}},
            "eventID": "e-4",
            "recipientAccountId": "555555555555"
        });
        let v = envelope("AWS API Call via CloudTrail", "aws.organizations", detail);
        assert!(matches!(parse(v), Ok(Trigger::Ignored(_))));
    }

    fn with(mut v: Value, pointer: &str, value: Value) -> Value {
        if let Some(slot) = v.pointer_mut(pointer) {
            *slot = value;
        }
        v
    }

    fn without(mut v: Value, parent: &str, key: &str) -> Value {
        if let Some(o) = v.pointer_mut(parent).and_then(Value::as_object_mut) {
            o.remove(key);
        }
        v
    }

    fn ignored_reason(v: Value) -> String {
        match parse(v) {
            Ok(Trigger::Ignored(i)) => i.reason,
            other => panic!("expected Ignored, got {other:?}"),
        }
    }

    #[test]
    fn a_custom_source_with_a_cloudtrail_detail_is_ignored() {
        // What `PutEvents` with `source: "my.app"` and a copied CloudTrail record looks like.
        let v = with(create_instance(json!({})), "/source", json!("my.app"));
        let reason = ignored_reason(v);
        assert!(reason.contains("`my.app`"), "{reason}");
    }

    #[test]
    fn sources_are_compared_exactly() {
        for source in [
            "aws.SSO",
            "aws.sso ",
            "aws.ssoadmin",
            "aws.events",
            "aws.",
            "",
        ] {
            let v = with(create_instance(json!({})), "/source", json!(source));
            let reason = ignored_reason(v);
            assert!(reason.contains("neither `aws.sso`"), "{source:?}: {reason}");
        }
    }

    #[test]
    fn a_custom_source_is_ignored_whatever_its_detail() {
        for detail in [json!("text"), json!(null), json!([1, 2]), json!({})] {
            let v = envelope("AWS API Call via CloudTrail", "my.app", detail.clone());
            assert!(
                matches!(parse(v), Ok(Trigger::Ignored(_))),
                "detail {detail}"
            );
        }
    }

    #[test]
    fn an_event_source_of_the_other_service_is_ignored() {
        let v = create_instance(json!({"eventSource": "organizations.amazonaws.com"}));
        let reason = ignored_reason(v);
        assert!(
            reason.contains("`organizations.amazonaws.com`") && reason.contains("`aws.sso`"),
            "{reason}"
        );
        let v = with(
            register("sso.amazonaws.com", json!({})),
            "/detail/eventSource",
            json!("sso.amazonaws.com"),
        );
        assert!(ignored_reason(v).contains("`sso.amazonaws.com`"));
        let v = with(
            create_instance(json!({})),
            "/detail/eventSource",
            json!("sso-directory.amazonaws.com"),
        );
        assert!(ignored_reason(v).contains("sso-directory"));
    }

    #[test]
    fn create_instance_under_the_organizations_source_is_ignored() {
        let v = with(
            create_instance(json!({})),
            "/source",
            json!("aws.organizations"),
        );
        assert!(ignored_reason(v).contains("does not belong to source `aws.organizations`"));
    }

    #[test]
    fn a_missing_event_source_is_the_one_of_the_source() {
        let v = without(create_instance(json!({})), "/detail", "eventSource");
        assert!(matches!(parse(v), Ok(Trigger::InstanceCreated(_))));
    }

    #[test]
    fn only_the_two_cloudtrail_detail_types_are_accepted() {
        for dt in [
            "AWS Console Sign In via CloudTrail",
            "aws api call via cloudtrail",
            "AWS API Call via CloudTrail ",
            "Object Created via CloudTrail",
        ] {
            let v = with(create_instance(json!({})), "/detail-type", json!(dt));
            let reason = ignored_reason(v);
            assert!(reason.contains("detail-type"), "{dt:?}: {reason}");
        }
        let v = with(
            create_instance(json!({})),
            "/detail-type",
            json!("AWS Service Event via CloudTrail"),
        );
        assert!(matches!(parse(v), Ok(Trigger::InstanceCreated(_))));
    }

    #[test]
    fn reasons_stay_one_short_line_whatever_the_input() {
        let long = format!("evil\n{}", "x".repeat(10_000));
        let v = with(create_instance(json!({})), "/source", json!(long));
        let reason = ignored_reason(v);
        assert!(!reason.contains('\n') && reason.len() < 300, "{reason}");
    }

    #[test]
    fn agreeing_accounts_are_trusted() {
        let t = parse(create_instance(json!({})));
        assert_eq!(t.as_ref().map(Trigger::untrusted_reason), Ok(None));
        assert_eq!(
            t.ok()
                .and_then(|t| t.meta().map(|m| m.account_conflict.clone())),
            Some(None)
        );
    }

    #[test]
    fn disagreeing_accounts_parse_but_are_untrusted() {
        let v = with(
            create_instance(json!({})),
            "/account",
            json!("999999999999"),
        );
        let Ok(trigger) = parse(v) else {
            panic!("an account conflict must still give a trigger");
        };
        let Trigger::InstanceCreated(t) = &trigger else {
            panic!("expected InstanceCreated");
        };
        assert_eq!(t.account_id, "222222222222", "the record's account");
        assert_eq!(
            t.meta.account_conflict,
            Some(AccountConflict {
                envelope: "999999999999".into(),
                record: "222222222222".into()
            })
        );
        let reason = trigger.untrusted_reason().unwrap_or_default();
        assert!(
            reason.contains("999999999999") && reason.contains("222222222222"),
            "{reason}"
        );
    }

    #[test]
    fn the_conflict_is_kept_on_every_trigger_kind() {
        let v = with(
            register("sso.amazonaws.com", json!({})),
            "/account",
            json!("222222222222"),
        );
        let t = parse(v);
        assert!(matches!(t, Ok(Trigger::DelegatedAdminRegistered(_))));
        assert!(t.ok().and_then(|t| t.untrusted_reason()).is_some());
    }

    #[test]
    fn without_recipient_the_callers_account_is_compared() {
        let v = without(create_instance(json!({})), "/detail", "recipientAccountId");
        let v = with(v, "/account", json!("999999999999"));
        let conflict = parse(v)
            .ok()
            .and_then(|t| t.meta().and_then(|m| m.account_conflict.clone()));
        assert_eq!(
            conflict.map(|c| (c.envelope, c.record)),
            Some(("999999999999".into(), "222222222222".into()))
        );
    }

    #[test]
    fn without_envelope_account_there_is_no_conflict() {
        for account in [json!(null), json!("")] {
            let v = with(create_instance(json!({})), "/account", account);
            assert_eq!(parse(v).map(|t| t.untrusted_reason()), Ok(None));
        }
        let v = without(create_instance(json!({})), "", "account");
        assert_eq!(parse(v).map(|t| t.untrusted_reason()), Ok(None));
    }

    #[test]
    fn a_malformed_envelope_account_is_a_conflict_not_a_rejection() {
        let v = with(create_instance(json!({})), "/account", json!("12345"));
        let t = parse(v);
        assert!(t.ok().and_then(|t| t.untrusted_reason()).is_some());
    }

    fn created(v: Value) -> InstanceCreated {
        match parse(v) {
            Ok(Trigger::InstanceCreated(t)) => t,
            other => panic!("expected InstanceCreated, got {other:?}"),
        }
    }

    #[test]
    fn a_success_with_an_arn_proves_the_instance() {
        let t = created(create_instance(json!({"errorCode": null})));
        assert_eq!(t.outcome(), CreateOutcome::Created);
        assert!(t.proves_instance());
    }

    #[test]
    fn no_error_and_no_arn_is_unclear_and_proves_nothing() {
        let cases = [
            json!({"errorCode": null, "responseElements": null}),
            json!({"responseElements": null}),
            json!({"responseElements": {}}),
            json!({"responseElements": {"instanceArn": null}}),
            json!({"responseElements": {"instanceArn": 42}}),
            json!({"responseElements": {"instanceArn": ""}}),
            json!({"responseElements": {"instanceArn": "ssoins-1111222233334444"}}),
            json!({"responseElements": {"instanceArn": "arn:aws:sso:::instance/"}}),
            json!({"responseElements": {"instanceArn": "arn:aws:iam::222222222222:role/x"}}),
            json!({"responseElements": "instanceArn"}),
        ];
        for extra in cases {
            let t = created(create_instance(extra.clone()));
            assert_eq!(t.outcome(), CreateOutcome::Unclear, "{extra}");
            assert!(!t.proves_instance(), "{extra}");
            assert_eq!(t.instance_arn, None, "{extra}");
            assert_eq!(t.error, None, "{extra}");
        }
        let t = created(without(
            create_instance(json!({})),
            "/detail",
            "responseElements",
        ));
        assert_eq!(t.outcome(), CreateOutcome::Unclear);
    }

    #[test]
    fn an_error_with_an_arn_is_still_a_failure_and_proves_nothing() {
        let t = created(create_instance(json!({"errorCode": "InternalFailure"})));
        assert_eq!(t.outcome(), CreateOutcome::Failed);
        assert_eq!(t.instance_arn, None);
        assert!(!t.proves_instance());
    }

    #[test]
    fn instance_arns_of_every_partition_are_recognised() {
        for arn in [
            "arn:aws:sso:::instance/ssoins-1",
            "arn:aws-us-gov:sso:::instance/ssoins-1",
            "arn:aws-cn:sso:::instance/ssoins-1",
        ] {
            assert!(is_instance_arn(arn), "{arn}");
        }
        for arn in [
            "",
            "arn::sso:::instance/x",
            "arn:aws:sso:::application/x",
            "arn:aws:sso",
        ] {
            assert!(!is_instance_arn(arn), "{arn}");
        }
    }

    #[test]
    fn trigger_kinds_are_named() {
        let t = parse(create_instance(json!({})));
        assert_eq!(t.map(|t| t.kind()), Ok("instance_created"));
    }

    #[test]
    fn messages_stay_short_whatever_the_input() {
        let huge = "x".repeat(1 << 20);
        let cases = [
            with(
                create_instance(json!({})),
                "/detail-type",
                json!(["a", huge.clone()]),
            ),
            with(create_instance(json!({})), "/detail/eventName", json!(7)),
            create_instance(json!({"eventTime": huge.clone()})),
            create_instance(json!({"recipientAccountId": huge.clone()})),
            create_instance(json!({"eventName": huge.clone()})),
            create_instance(json!({"userIdentity": huge.clone()})),
            register(&huge, json!({})),
        ];
        for v in cases {
            let text = match parse(v) {
                Ok(Trigger::Ignored(i)) => i.reason,
                Ok(other) => panic!("expected an error or Ignored, got {}", other.kind()),
                Err(e) => e.to_string(),
            };
            assert!(
                text.len() < 600 && !text.contains('\n'),
                "{} bytes",
                text.len()
            );
        }
        let bytes = format!("{{\"a\": \"{huge}");
        let err = parse_event_bytes(bytes.as_bytes())
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.len() < 600));
    }
}
