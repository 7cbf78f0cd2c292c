//! The last check before `DeleteInstance`, in the adapter itself: whatever the settings, the
//! rules and the policy say, no instance of the account that Organizations names as the
//! management account is ever deleted (its instance is the organization instance), and nothing
//! is deleted while that account cannot be named.

use idc_core::ports::{OrganizationPort, PortError, PortErrorKind};
use tokio::sync::OnceCell;

use crate::organizations::Organizations;

pub struct ManagementGuard {
    organizations: Organizations,
    /// `MANAGEMENT_ACCOUNT_ID`, used only while Organizations cannot be asked.
    fallback: Option<String>,
    /// What Organizations answered, once it has: `None` for a standalone account.
    answered: OnceCell<Option<String>>,
}

impl ManagementGuard {
    pub fn new(organizations: Organizations, fallback: Option<String>) -> Self {
        ManagementGuard {
            organizations,
            fallback,
            answered: OnceCell::new(),
        }
    }

    /// `Ok` when an instance owned by `owner_account_id` may be deleted.
    pub async fn allow_delete(&self, owner_account_id: &str) -> Result<(), PortError> {
        let refuse = |why: String| {
            tracing::error!(owner_account_id, why = %why, "DeleteInstance refused by the management-account guard");
            Err(PortError::new(
                PortErrorKind::AccessDenied,
                "DeleteInstance",
                format!("refused by the guardrail: {why}"),
            ))
        };
        let answered = self
            .answered
            .get_or_try_init(|| async {
                self.organizations
                    .describe_organization()
                    .await
                    .map(|org| org.map(|o| o.management_account_id))
            })
            .await;
        let management = match (answered, &self.fallback) {
            (Ok(management), _) => management.clone(),
            (Err(_), Some(fallback)) => Some(fallback.clone()),
            (Err(error), None) => {
                return refuse(format!(
                    "the management account could not be confirmed with Organizations ({error})"
                ))
            }
        };
        match management {
            Some(management) if management == owner_account_id => refuse(format!(
                "{owner_account_id} is the management account; its instance is the organization instance"
            )),
            _ => Ok(()),
        }
    }
}
