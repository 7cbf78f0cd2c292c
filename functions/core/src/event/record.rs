//! The CloudTrail record as the project reads it: every field optional, because real records
//! leave out whatever the call or the identity did not have.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
