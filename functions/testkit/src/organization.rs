use idc_core::ports::{OrganizationPort, PortError, PortErrorKind, ServiceControlPolicy};
use idc_core::Organization;

use crate::sample::{ADMIN, MEMBER, MGMT};

/// Organizations: the management account is [`MGMT`]; the accounts and the Identity Center
/// delegated administrators are whatever the test or the fleet puts here.
pub struct Org {
    pub accounts: Vec<String>,
    pub delegated_admins: Vec<String>,
    /// Service control policies by id.
    pub policies: Vec<(String, ServiceControlPolicy)>,
    /// `DescribeOrganization` answers AWSOrganizationsNotInUseException (a glitch, or a
    /// standalone account).
    pub not_in_use: bool,
}

/// The sample organization: management, member, and [`ADMIN`] as delegated administrator.
impl Default for Org {
    fn default() -> Self {
        Org {
            accounts: vec![MGMT.into(), MEMBER.into(), ADMIN.into()],
            delegated_admins: vec![ADMIN.into()],
            policies: vec![],
            not_in_use: false,
        }
    }
}

impl OrganizationPort for Org {
    async fn describe_organization(&self) -> Result<Option<Organization>, PortError> {
        if self.not_in_use {
            return Ok(None);
        }
        Ok(Some(Organization {
            id: "o-fake".into(),
            management_account_id: MGMT.into(),
        }))
    }
    async fn sso_delegated_admins(&self) -> Result<Vec<String>, PortError> {
        Ok(self.delegated_admins.clone())
    }
    async fn list_accounts(&self) -> Result<Vec<String>, PortError> {
        Ok(self.accounts.clone())
    }
    async fn service_control_policy(&self, id: &str) -> Result<ServiceControlPolicy, PortError> {
        self.policies
            .iter()
            .find(|(p, _)| p == id)
            .map(|(_, policy)| policy.clone())
            .ok_or_else(|| {
                PortError::new(
                    PortErrorKind::NotFound,
                    "DescribePolicy",
                    format!("{id} not found"),
                )
            })
    }
}
