//! Organizations, asked with the function's own credentials.
//!
//! The first answer of `DescribeOrganization` in the container that names a management account
//! is kept (the management account of an organization never changes), so that the
//! management-account guard before `DeleteInstance` ([`crate::guard`]) reads the answer the
//! event's facts already got instead of asking again: one round trip less on every deletion,
//! the same source, the guard's own check. Any other answer ("not in an organization") is never
//! kept, and one that contradicts a kept answer is an error, not a fact: an account does not
//! leave its organization between two invocations without the guardrail being told.

use std::sync::{Arc, OnceLock};

use aws_sdk_organizations::error::SdkError;
use aws_sdk_organizations::operation::describe_organization::DescribeOrganizationError;
use aws_sdk_organizations::types::{AccountStatus, TargetType};
use aws_sdk_organizations::Client;
use idc_core::ids::SSO_SERVICE_PRINCIPAL;
use idc_core::ports::{OrganizationPort, PortError, PortErrorKind, ServiceControlPolicy};
use idc_core::Organization;

use crate::errors::port_error;

/// Clones share the kept answer.
#[derive(Clone)]
pub struct Organizations {
    client: Client,
    /// The management account named by the first `DescribeOrganization` that named one.
    management: Arc<OnceLock<String>>,
}

impl Organizations {
    pub fn new(client: Client) -> Self {
        Organizations {
            client,
            management: Arc::default(),
        }
    }

    /// The management account as Organizations named it, if it has named one in this container.
    pub fn management_account_answered(&self) -> Option<String> {
        self.management.get().cloned()
    }

    pub fn from_config(config: &aws_config::SdkConfig) -> Self {
        Organizations::new(Client::new(config))
    }
}

impl OrganizationPort for Organizations {
    async fn describe_organization(&self) -> Result<Option<Organization>, PortError> {
        let answer = match self.client.describe_organization().send().await {
            Ok(out) => out.organization.and_then(|o| {
                Some(Organization {
                    id: o.id?,
                    management_account_id: o.master_account_id?,
                })
            }),
            // A standalone account: no organization, which IDC003 is about.
            Err(SdkError::ServiceError(service))
                if matches!(
                    service.err(),
                    DescribeOrganizationError::AwsOrganizationsNotInUseException(_)
                ) =>
            {
                None
            }
            Err(e) => return Err(port_error("DescribeOrganization", e)),
        };
        match (&answer, self.management.get()) {
            (Some(org), _) => {
                let _ = self.management.set(org.management_account_id.clone());
            }
            (None, Some(known)) => {
                return Err(PortError::new(
                    PortErrorKind::Other,
                    "DescribeOrganization",
                    format!(
                        "AWSOrganizationsNotInUseException contradicts the organization this container \
                         already knows (management account {known}); not taken as a fact"
                    ),
                ))
            }
            (None, None) => {}
        }
        Ok(answer)
    }

    async fn sso_delegated_admins(&self) -> Result<Vec<String>, PortError> {
        let admins: Result<Vec<_>, _> = self
            .client
            .list_delegated_administrators()
            .service_principal(SSO_SERVICE_PRINCIPAL)
            .into_paginator()
            .items()
            .send()
            .collect()
            .await;
        let admins = admins.map_err(|e| port_error("ListDelegatedAdministrators", e))?;
        Ok(admins.into_iter().filter_map(|a| a.id).collect())
    }

    async fn list_accounts(&self) -> Result<Vec<String>, PortError> {
        let pages: Result<Vec<_>, _> = self
            .client
            .list_accounts()
            .into_paginator()
            .send()
            .collect()
            .await;
        let pages = pages.map_err(|e| port_error("ListAccounts", e))?;
        // Suspended and closing accounts cannot be assumed into; they hold nothing to fix.
        Ok(pages
            .into_iter()
            .flat_map(|page| page.accounts.unwrap_or_default())
            .filter(|a| {
                !matches!(
                    a.status,
                    Some(AccountStatus::Suspended | AccountStatus::PendingClosure)
                )
            })
            .filter_map(|a| a.id)
            .collect())
    }

    async fn service_control_policy(&self, id: &str) -> Result<ServiceControlPolicy, PortError> {
        let (described, pages) = tokio::join!(
            self.client.describe_policy().policy_id(id).send(),
            self.client
                .list_targets_for_policy()
                .policy_id(id)
                .into_paginator()
                .send()
                .collect::<Vec<_>>(),
        );
        let described = described.map_err(|e| port_error("DescribePolicy", e))?;
        let content = described.policy.and_then(|p| p.content).ok_or_else(|| {
            PortError::new(
                PortErrorKind::Other,
                "DescribePolicy",
                format!("{id} has no content"),
            )
        })?;
        let pages: Result<Vec<_>, _> = pages.into_iter().collect();
        let pages = pages.map_err(|e| port_error("ListTargetsForPolicy", e))?;
        let attached_to_root = pages
            .iter()
            .flat_map(|page| page.targets())
            .any(|t| t.r#type == Some(TargetType::Root));
        Ok(ServiceControlPolicy {
            content,
            attached_to_root,
        })
    }
}
