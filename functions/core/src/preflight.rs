//! Preflight: before registering an account as the Identity Center delegated administrator,
//! does it own an account instance anywhere? If it does, registering springs the trap.

use crate::clock::Budget;
use crate::facts;
use crate::failure::HandleError;
use crate::guardrail::Guardrail;
use crate::inventory::Instance;
use crate::inventory::Unreachable;
use crate::ports::{Clock, InstancePort, OrganizationPort};

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

/// Preflight reads; it never publishes, deletes or queues anything.
impl<O, I, P, C, Q> Guardrail<O, I, P, C, Q>
where
    O: OrganizationPort,
    I: InstancePort,
    C: Clock,
{
    /// Lists the account's own instances in every configured Region, with their applications.
    pub async fn preflight(&self, account_id: &str) -> Result<PreflightReport, HandleError> {
        let budget = Budget::unbounded();
        let mut facts = self.organization_facts(budget).await?;
        let regions = self.settings.regions.clone();
        let listing = facts::list_account(
            &self.instances,
            &self.clock,
            budget,
            account_id,
            &regions,
            None,
            self.settings.sweep_concurrency,
        )
        .await;
        let unreachable = listing.into_inventory(&mut facts);
        for note in facts::enrich(
            &self.instances,
            &self.clock,
            budget,
            &mut facts,
            self.settings.sweep_concurrency,
        )
        .await
        {
            tracing::warn!(note = %note, "instance facts unknown");
        }
        let mut instances = facts.instances.clone();
        instances.sort_by(|a, b| a.region.cmp(&b.region));
        Ok(PreflightReport {
            account_id: account_id.to_owned(),
            management_account_id: facts.management_account_id().map(str::to_owned),
            regions,
            instances,
            unreachable,
        })
    }
}
