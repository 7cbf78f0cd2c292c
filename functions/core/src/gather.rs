//! The facts of one event: the organization and its Identity Center delegated
//! administrators and — at the same time — the instances of the account concerned in the
//! Regions that matter, then their applications and tags; and what that look rules out
//! ([`Restraints`]).

use crate::clock::Budget;
use crate::decide::Restraints;
use crate::event::Trigger;
use crate::facts::{self, OrgFactsError};
use crate::guardrail::Guardrail;
use crate::inventory::{Inventory, Unreachable};
use crate::notice::Look;
use crate::ports::{Clock, InstancePort, OrganizationPort, PortError, PortErrorKind};
use crate::settings::{OutsideRegions, Settings};

/// The facts of one event: what the rules judge, and what could not be seen.
pub(crate) struct Gathered {
    pub inventory: Inventory,
    pub organization_id: Option<String>,
    pub notes: Vec<String>,
    /// The account looked at, the Regions that could not be listed there, and the ones that
    /// were.
    pub unknown: Option<Look>,
    /// The Region where the event's instance is not listed yet, too soon to call it gone.
    pub unsettled: Option<Unreachable>,
}

impl Gathered {
    /// The organization, what the look saw of the account (an instance not listed yet counts
    /// as not seen: the notice names it with the rest), and the notes.
    pub fn into_look(self) -> (Option<String>, Option<Look>, Vec<String>) {
        let look = self.unknown.map(|(account, mut unreachable, listed)| {
            unreachable.extend(self.unsettled);
            (account, unreachable, listed)
        });
        (self.organization_id, look, self.notes)
    }

    /// What the look rules out, before the policy is asked.
    pub fn restraints(
        gathered: Option<&Gathered>,
        gather_error: Option<&PortError>,
        trigger: &Trigger,
        settings: &Settings,
    ) -> Restraints {
        Restraints {
            no_facts: gather_error.map(ToString::to_string),
            unlisted: gathered
                .and_then(|g| g.unknown.as_ref())
                .iter()
                .flat_map(|(_, unreachable, _)| unreachable)
                .map(|u| {
                    let why = format!(
                        "the instances of {} in {} could not be listed ({})",
                        u.account_id, u.region, u.error
                    );
                    (u.region.clone(), why)
                })
                .collect(),
            report_only_region: outside_regions(trigger, settings),
            untrusted: None,
            unsettled: gathered
                .and_then(|g| g.unsettled.as_ref())
                .map(|u| (u.region.clone(), u.error.clone()))
                .into_iter()
                .collect(),
        }
    }
}

impl<O: OrganizationPort, I: InstancePort, P, C: Clock, Q> Guardrail<O, I, P, C, Q> {
    /// Collects what the rules need for this trigger: the organization and its Identity Center
    /// delegated administrators, and — at the same time — the instances of the account
    /// concerned in the Regions that matter, then their applications and tags.
    pub(crate) async fn gather(
        &self,
        trigger: &Trigger,
        budget: Budget,
    ) -> Result<Gathered, OrgFactsError> {
        let (account, regions, expected): (&str, Vec<String>, Option<&str>) = match trigger {
            Trigger::InstanceCreated(t) if t.error.is_none() => (
                &t.account_id,
                vec![t.region.clone()],
                t.instance_arn.as_deref(),
            ),
            Trigger::DelegatedAdminRegistered(t) => {
                (&t.account_id, self.settings.regions.clone(), None)
            }
            Trigger::AccountJoined(t) => (&t.account_id, self.settings.regions.clone(), None),
            _ => {
                return Ok(Gathered {
                    inventory: self.organization_facts(budget).await?,
                    organization_id: None,
                    notes: vec![],
                    unknown: None,
                    unsettled: None,
                })
            }
        };
        // Independent: ask Organizations while the member's instances are listed.
        let (organization, listing) = futures_util::join!(
            self.organization_facts(budget),
            facts::list_account(
                &self.instances,
                &self.clock,
                budget,
                account,
                &regions,
                expected,
                self.settings.sweep_concurrency,
            )
        );
        let mut inventory = organization?;
        let forwarded = self
            .settings
            .own_account_id
            .as_deref()
            .is_some_and(|own| own != account);
        if inventory.organization.is_none() && (trigger.is_org_event() || forwarded) {
            // The event itself proves the organization (an Organizations event, or one another
            // account put on the central bus, which only the organization's accounts may): an
            // answer that there is none is a glitch to retry, never IDC003 or an all-clear.
            return Err(OrgFactsError::Port(PortError::new(
                PortErrorKind::Other,
                "DescribeOrganization",
                format!(
                    "answered that the guardrail's account is in no organization, but the event \
                     (of account {account}) comes from its organization"
                ),
            )));
        }
        if inventory.management_account_id() == Some(account) {
            // Its instance is the organization instance: never a finding, never listed.
            return Ok(Gathered {
                inventory,
                organization_id: None,
                notes: vec![],
                unknown: None,
                unsettled: None,
            });
        }
        let created = match trigger {
            Trigger::InstanceCreated(t) => Some(t.meta.event_time),
            _ => None,
        };
        let mut listing = listing;
        let unsettled = created.and_then(|created| {
            listing.unsettled_absence(account, expected, created, self.clock.now())
        });
        let mut notes: Vec<String> = listing
            .unknown
            .iter()
            .map(|u| {
                format!(
                    "could not list the instances of {} in {}: {}",
                    u.account_id, u.region, u.error
                )
            })
            .collect();
        let listed_regions: Vec<String> = listing.listed.iter().map(|l| l.region.clone()).collect();
        let unknown = listing.into_inventory(&mut inventory);
        notes.extend(
            facts::enrich(
                &self.instances,
                &self.clock,
                budget,
                &mut inventory,
                self.settings.sweep_concurrency,
            )
            .await,
        );
        Ok(Gathered {
            organization_id: inventory.organization_id().map(str::to_owned),
            inventory,
            notes,
            unknown: Some((account.to_owned(), unknown, listed_regions)),
            unsettled,
        })
    }
}

/// The event's Region, when it is outside `REGIONS` and such Regions are only reported.
fn outside_regions(trigger: &Trigger, settings: &Settings) -> Option<String> {
    match trigger {
        Trigger::InstanceCreated(t)
            if settings.outside_regions == OutsideRegions::Report
                && !settings.regions.contains(&t.region) =>
        {
            Some(t.region.clone())
        }
        _ => None,
    }
}
