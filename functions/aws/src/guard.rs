//! The last check before `DeleteInstance`, in the adapter itself: whatever the settings, the
//! rules and the policy say, no instance of the account that Organizations names as the
//! management account is ever deleted (its instance is the organization instance), and nothing
//! is deleted while that account cannot be named.
//!
//! The guard reads Organizations' answer kept by the adapter the guardrail asks (the first
//! answer that named a management account, see [`crate::organizations`]), and asks itself when
//! there is none; the comparison is its own, whatever the domain concluded. An answer that
//! names no management account ("not in an organization") allows no delete: only report-only
//! rules apply to a standalone account, so a delete then means the answers contradict.

use idc_core::ports::{OrganizationPort, PortError, PortErrorKind};

use crate::organizations::Organizations;

pub struct ManagementGuard {
    organizations: Organizations,
    /// `MANAGEMENT_ACCOUNT_ID`, used only while Organizations cannot be asked.
    fallback: Option<String>,
}

impl ManagementGuard {
    pub fn new(organizations: Organizations, fallback: Option<String>) -> Self {
        ManagementGuard {
            organizations,
            fallback,
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
        let answered = match self.organizations.management_account_answered() {
            Some(management) => Ok(Some(management)),
            None => self
                .organizations
                .describe_organization()
                .await
                .map(|org| org.map(|o| o.management_account_id)),
        };
        let management = match (answered, &self.fallback) {
            (Ok(Some(management)), _) => management,
            (Ok(None), _) => {
                return refuse(
                    "Organizations answers that this account is in no organization, so no \
                     management account can be ruled out"
                        .into(),
                )
            }
            (Err(_), Some(fallback)) => fallback.clone(),
            (Err(error), None) => {
                return refuse(format!(
                    "the management account could not be confirmed with Organizations ({error})"
                ))
            }
        };
        if management == owner_account_id {
            return refuse(format!(
                "{owner_account_id} is the management account; its instance is the organization instance"
            ));
        }
        Ok(())
    }
}
