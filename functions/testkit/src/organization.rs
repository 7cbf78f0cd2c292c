use idc_core::ports::{OrganizationPort, PortError};
use idc_core::Organization;

use crate::sample::{ADMIN, MEMBER, MGMT};

/// Organizations: the management account is [`MGMT`]; the accounts and the Identity Center
/// delegated administrators are whatever the test or the fleet puts here.
pub struct Org {
    pub accounts: Vec<String>,
    pub delegated_admins: Vec<String>,
}

/// The sample organization: management, member, and [`ADMIN`] as delegated administrator.
impl Default for Org {
    fn default() -> Self {
        Org {
            accounts: vec![MGMT.into(), MEMBER.into(), ADMIN.into()],
            delegated_admins: vec![ADMIN.into()],
        }
    }
}

impl OrganizationPort for Org {
    async fn describe_organization(&self) -> Result<Option<Organization>, PortError> {
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
}
