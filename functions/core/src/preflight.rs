//! Preflight: before registering an account as the Identity Center delegated administrator,
//! does it own an account instance anywhere? If it does, registering springs the trap.

use futures_util::stream::{self, StreamExt};

use crate::inventory::Instance;
use crate::ports::{FindingPublisher, InstancePort, OrganizationPort};
use crate::service::{Guardrail, HandleError};
use crate::sweep::Unreachable;

/// What preflight found in every Region it asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreflightReport {
    pub account_id: String,
    pub management_account_id: Option<String>,
    pub regions: Vec<String>,
    /// The account's own instances (account instances), with their applications counted.
    pub instances: Vec<Instance>,
    pub unreachable: Vec<Unreachable>,
}

/// The answer to "is it safe to register this account?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreflightVerdict {
    /// No account instance in any Region asked.
    Safe,
    /// The account owns an account instance: registering would hit the trap.
    Unsafe,
    /// Some Regions could not be asked, and none of the others holds an instance.
    Unknown,
    /// The management account cannot be a delegated administrator.
    ManagementAccount,
}

impl PreflightReport {
    pub fn verdict(&self) -> PreflightVerdict {
        if self.management_account_id.as_deref() == Some(self.account_id.as_str()) {
            PreflightVerdict::ManagementAccount
        } else if !self.instances.is_empty() {
            PreflightVerdict::Unsafe
        } else if !self.unreachable.is_empty() {
            PreflightVerdict::Unknown
        } else {
            PreflightVerdict::Safe
        }
    }

    /// What to do, in a sentence or two.
    pub fn advice(&self) -> String {
        let account = &self.account_id;
        match self.verdict() {
            PreflightVerdict::Safe => format!(
                "safe: account {account} owns no account instance in the {} Regions checked; registering it as the Identity Center delegated administrator will not create a second instance",
                self.regions.len()
            ),
            PreflightVerdict::Unsafe => {
                let places: Vec<String> = self
                    .instances
                    .iter()
                    .map(|i| {
                        format!(
                            "{} in {} ({} application(s))",
                            i.instance_arn,
                            i.region,
                            i.application_count.map_or("unknown".into(), |n| n.to_string())
                        )
                    })
                    .collect();
                format!(
                    "not safe: account {account} owns an account instance ({}). Registered as the Identity Center delegated administrator it would see two instances in that Region, the console would silently operate the account instance, and organization-only operations would fail. Delete the account instance first (sso-admin DeleteInstance from {account}, after moving any application bound to it), or register another account.",
                    places.join("; ")
                )
            }
            PreflightVerdict::Unknown => format!(
                "unknown: {} Region(s) of account {account} could not be checked ({}); no account instance in the others",
                self.unreachable.len(),
                self.unreachable.iter().map(|u| u.region.as_str()).collect::<Vec<_>>().join(", ")
            ),
            PreflightVerdict::ManagementAccount => format!(
                "account {account} is the management account: it cannot be registered as a delegated administrator"
            ),
        }
    }
}

impl<O, I, P, Q> Guardrail<O, I, P, Q>
where
    O: OrganizationPort,
    I: InstancePort,
    P: FindingPublisher,
{
    /// Lists the account's own instances in every configured Region.
    pub async fn preflight(&self, account_id: &str) -> Result<PreflightReport, HandleError> {
        let facts = self
            .organization_facts()
            .await
            .map_err(HandleError::Gather)?;
        let regions = self.settings.regions.clone();
        let listings: Vec<_> = stream::iter(regions.iter())
            .map(|region| async move {
                (
                    region,
                    self.instances.list_instances(account_id, region).await,
                )
            })
            .buffer_unordered(self.settings.sweep_concurrency.max(1))
            .collect()
            .await;
        let mut instances = Vec::new();
        let mut unreachable = Vec::new();
        for (region, listing) in listings {
            match listing {
                Ok(found) => instances.extend(
                    found
                        .into_iter()
                        .filter(|i| i.owner_account_id == account_id),
                ),
                Err(error) => unreachable.push(Unreachable {
                    account_id: account_id.to_owned(),
                    region: region.clone(),
                    error: error.to_string(),
                }),
            }
        }
        for instance in &mut instances {
            instance.application_count = self
                .instances
                .application_count(account_id, &instance.region, &instance.instance_arn)
                .await
                .ok();
        }
        instances.sort_by(|a, b| a.region.cmp(&b.region));
        unreachable.sort_by(|a, b| a.region.cmp(&b.region));
        Ok(PreflightReport {
            account_id: account_id.to_owned(),
            management_account_id: facts.management_account_id().map(str::to_owned),
            regions,
            instances,
            unreachable,
        })
    }
}
