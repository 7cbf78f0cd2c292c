//! The facts the rules judge: the organization, its delegated administrators and the
//! Identity Center instances that exist. Built live by the adapters, or loaded from the
//! inventory file for offline evaluation.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::InventoryError;
use crate::ids::{is_account_id, SSO_SERVICE_PRINCIPAL};
use crate::migration::BoundApp;

/// An account/Region that could not be listed, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Unreachable {
    pub account_id: String,
    pub region: String,
    pub error: String,
}

/// The organization the accounts belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    pub id: String,
    pub management_account_id: String,
}

/// Lifecycle state of an instance, as `DescribeInstance`/`ListInstances` report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InstanceStatus {
    Active,
    CreateInProgress,
    DeleteInProgress,
    #[serde(untagged)]
    Other(String),
}

impl InstanceStatus {
    /// States in which an instance exists and can be deleted.
    pub fn is_deletable(&self) -> bool {
        matches!(
            self,
            InstanceStatus::Active | InstanceStatus::CreateInProgress
        )
    }

    pub fn as_str(&self) -> &str {
        match self {
            InstanceStatus::Active => "ACTIVE",
            InstanceStatus::CreateInProgress => "CREATE_IN_PROGRESS",
            InstanceStatus::DeleteInProgress => "DELETE_IN_PROGRESS",
            InstanceStatus::Other(s) => s,
        }
    }
}

/// One Identity Center instance. `application_count` and `tags` are `None` when unknown
/// (e.g. an instance known only from a `CreateInstance` event).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    pub instance_arn: String,
    pub owner_account_id: String,
    pub region: String,
    pub status: InstanceStatus,
    #[serde(default)]
    pub created_date: Option<DateTime<Utc>>,
    #[serde(default)]
    pub application_count: Option<u32>,
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
    /// Why the instance is in its status, when AWS says (e.g. for `CREATE_FAILED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// The applications bound to it, when listed (what a migration plan starts from).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applications: Option<Vec<BoundApp>>,
}

/// Everything the rules may look at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    #[serde(default)]
    pub organization: Option<Organization>,
    #[serde(default)]
    pub accounts: Vec<String>,
    #[serde(default)]
    pub delegated_admins: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub instances: Vec<Instance>,
    /// Account/Region pairs whose instances were listed completely: an instance absent from
    /// them does not exist (any more). The live path fills it; files may omit it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub listed: Vec<AccountRegion>,
    /// Which tag keys a service control policy in force keeps out of the members' hands
    /// (`null`: not known). Only a protected exemption tag exempts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_protection: Option<TagProtection>,
}

/// Tag keys that only the security team can set, change or remove on account instances.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagProtection {
    pub protected_keys: Vec<String>,
    /// Why a key is not protected, when the guardrail looked and found it is not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One account in one Region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AccountRegion {
    pub account_id: String,
    pub region: String,
}

impl Inventory {
    /// Parses and validates the inventory file.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Self, InventoryError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(InventoryError::Empty);
        }
        let inventory: Inventory =
            serde_json::from_slice(bytes).map_err(|e| InventoryError::Malformed(e.to_string()))?;
        inventory.validate()?;
        Ok(inventory)
    }

    /// Checks the identifiers the rules rely on.
    pub fn validate(&self) -> Result<(), InventoryError> {
        if let Some(org) = &self.organization {
            check_account(
                "organization.management_account_id",
                &org.management_account_id,
            )?;
        }
        for (i, account) in self.accounts.iter().enumerate() {
            check_account(&format!("accounts[{i}]"), account)?;
        }
        for (principal, admins) in &self.delegated_admins {
            for account in admins {
                check_account(&format!("delegated_admins.{principal}"), account)?;
            }
        }
        for (i, instance) in self.instances.iter().enumerate() {
            check_account(
                &format!("instances[{i}].owner_account_id"),
                &instance.owner_account_id,
            )?;
            if instance.instance_arn.is_empty() {
                return Err(InventoryError::InvalidField {
                    field: format!("instances[{i}].instance_arn"),
                    reason: "is empty".into(),
                });
            }
            if instance.region.is_empty() {
                return Err(InventoryError::InvalidField {
                    field: format!("instances[{i}].region"),
                    reason: "is empty".into(),
                });
            }
        }
        Ok(())
    }

    pub fn management_account_id(&self) -> Option<&str> {
        self.organization
            .as_ref()
            .map(|o| o.management_account_id.as_str())
    }

    pub fn organization_id(&self) -> Option<&str> {
        // An organization known only from MANAGEMENT_ACCOUNT_ID has no id.
        self.organization
            .as_ref()
            .map(|o| o.id.as_str())
            .filter(|id| !id.is_empty())
    }

    /// True when the account is the Identity Center delegated administrator.
    pub fn is_sso_delegated_admin(&self, account_id: &str) -> bool {
        self.delegated_admins
            .get(SSO_SERVICE_PRINCIPAL)
            .is_some_and(|admins| admins.iter().any(|a| a == account_id))
    }

    /// Records an account as the Identity Center delegated administrator.
    pub fn add_sso_delegated_admin(&mut self, account_id: &str) {
        let admins = self
            .delegated_admins
            .entry(SSO_SERVICE_PRINCIPAL.to_owned())
            .or_default();
        if !admins.iter().any(|a| a == account_id) {
            admins.push(account_id.to_owned());
        }
    }

    /// True when the instances of `account_id` in `region` were listed completely.
    pub fn was_listed(&self, account_id: &str, region: &str) -> bool {
        self.listed
            .iter()
            .any(|l| l.account_id == account_id && l.region == region)
    }

    /// Instances owned by an account, in inventory order.
    pub fn instances_owned_by<'a>(
        &'a self,
        account_id: &'a str,
    ) -> impl Iterator<Item = &'a Instance> + 'a {
        self.instances
            .iter()
            .filter(move |i| i.owner_account_id == account_id)
    }

    /// An account instance is one not owned by the management account. Without an
    /// organization every instance is an account instance (standalone accounts).
    pub fn is_account_instance(&self, instance: &Instance) -> bool {
        self.management_account_id() != Some(instance.owner_account_id.as_str())
    }
}

fn check_account(field: &str, value: &str) -> Result<(), InventoryError> {
    if is_account_id(value) {
        Ok(())
    } else {
        Err(InventoryError::InvalidField {
            field: field.to_owned(),
            reason: format!("`{value}` is not a 12-digit AWS account ID"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{
        "organization": {"id": "o-abc123", "management_account_id": "111111111111"},
        "accounts": ["111111111111", "222222222222"],
        "delegated_admins": {"sso.amazonaws.com": ["222222222222"]},
        "instances": [
            {"instance_arn": "arn:aws:sso:::instance/ssoins-org", "owner_account_id": "111111111111",
             "region": "us-east-1", "status": "ACTIVE", "created_date": "2024-01-01T00:00:00Z",
             "application_count": 3, "tags": {}},
            {"instance_arn": "arn:aws:sso:::instance/ssoins-acct", "owner_account_id": "222222222222",
             "region": "eu-west-1", "status": "CREATE_IN_PROGRESS"}
        ]
    }"#;

    #[test]
    fn loads_the_documented_shape() {
        let inv = Inventory::from_json_bytes(SAMPLE.as_bytes()).ok();
        let inv = inv.as_ref();
        assert_eq!(
            inv.and_then(|i| i.management_account_id()),
            Some("111111111111")
        );
        assert_eq!(
            inv.map(|i| i.is_sso_delegated_admin("222222222222")),
            Some(true)
        );
        assert_eq!(
            inv.map(|i| i.instances[1].status.clone()),
            Some(InstanceStatus::CreateInProgress)
        );
        assert_eq!(inv.and_then(|i| i.instances[1].application_count), None);
    }

    #[test]
    fn classifies_only_by_owner() {
        let Ok(inv) = Inventory::from_json_bytes(SAMPLE.as_bytes()) else {
            panic!("sample must load");
        };
        assert!(!inv.is_account_instance(&inv.instances[0]));
        assert!(inv.is_account_instance(&inv.instances[1]));
    }

    #[test]
    fn unknown_status_is_kept() {
        let s: Result<InstanceStatus, _> = serde_json::from_str("\"PAUSED\"");
        assert_eq!(s.ok(), Some(InstanceStatus::Other("PAUSED".into())));
    }

    #[test]
    fn invalid_account_is_named() {
        let bad = SAMPLE.replace("\"222222222222\"]", "\"22\"]");
        let err = Inventory::from_json_bytes(bad.as_bytes())
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("accounts[1]")));
    }

    #[test]
    fn empty_and_malformed_are_errors() {
        assert_eq!(Inventory::from_json_bytes(b""), Err(InventoryError::Empty));
        assert!(matches!(
            Inventory::from_json_bytes(b"{\"instances\": 3}"),
            Err(InventoryError::Malformed(_))
        ));
    }
}
