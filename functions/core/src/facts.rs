//! Gathering the facts the rules judge, one way for every use case (an event, the sweep,
//! preflight): who the management account and the Identity Center delegated administrators
//! are, and the instances an account owns, Region by Region, with their applications and tags.
//!
//! What could not be learnt stays unknown and says so: a Region that could not be listed is
//! an `Unreachable`, never an empty listing; an instance whose applications or tags could not be
//! read keeps `None`, which the policy never takes past `dry_run`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::stream::{self, StreamExt};

use crate::clock::{within, Budget};
use crate::inventory::{
    AccountRegion, Instance, InstanceStatus, Inventory, Organization, TagProtection, Unreachable,
};
use crate::policy::Policy;
use crate::ports::{Clock, InstancePort, OrganizationPort, PortError};
use crate::settings::ConfigError;
use crate::tag_protection;

/// How many times a Region is listed, at most, before its answer is taken as it is (see
/// [`Settle`]), with a doubling wait from `FIRST_WAIT` between listings.
pub const LIST_ATTEMPTS: u32 = 4;

/// How long after its `CreateInstance` (`eventTime`) an instance that complete listings do not
/// show is taken for gone. Before, AWS may simply not list it yet: the invocation fails and
/// Lambda's retries (about 1 and 3 minutes later) look again — the second always past this age.
pub const ABSENCE_PROOF_AGE: chrono::TimeDelta = chrono::TimeDelta::seconds(120);
const FIRST_WAIT: Duration = Duration::from_millis(500);

/// Why the organization facts could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgFactsError {
    /// Organizations could not be asked, and no `MANAGEMENT_ACCOUNT_ID` stands in for it.
    Port(PortError),
    /// `MANAGEMENT_ACCOUNT_ID` names another account than Organizations does.
    Config(ConfigError),
}

/// The organization, with the management account Organizations names (the setting only stands
/// in when Organizations cannot be asked), and its Identity Center delegated administrators.
pub async fn organization_facts<O: OrganizationPort, C: Clock>(
    organizations: &O,
    clock: &C,
    budget: Budget,
    management_setting: Option<&str>,
    policy: &Policy,
) -> Result<Inventory, OrgFactsError> {
    // Asked at once: one round trip instead of two or three (a standalone account's answer to
    // the others is an error that is then never looked at).
    let limit = budget.for_call(clock.now());
    let (described, admins, tag_protection) = futures_util::join!(
        within(
            clock,
            limit,
            "DescribeOrganization",
            organizations.describe_organization()
        ),
        within(
            clock,
            limit,
            "ListDelegatedAdministrators",
            organizations.sso_delegated_admins()
        ),
        exempt_tag_protection(organizations, clock, limit, policy)
    );
    let organization = match (described, management_setting) {
        (Ok(answer), setting) => {
            check_management_setting(answer.as_ref(), setting).map_err(OrgFactsError::Config)?;
            answer
        }
        (Err(error), Some(management)) => {
            tracing::warn!(error = %error, management_account_id = management,
                "DescribeOrganization failed; MANAGEMENT_ACCOUNT_ID stands in for it");
            Some(Organization {
                id: String::new(),
                management_account_id: management.to_owned(),
            })
        }
        (Err(error), None) => return Err(OrgFactsError::Port(error)),
    };
    let mut inventory = Inventory {
        organization,
        tag_protection,
        ..Inventory::default()
    };
    if inventory.organization.is_some() {
        for admin in admins.map_err(OrgFactsError::Port)? {
            inventory.add_sso_delegated_admin(&admin);
        }
    }
    Ok(inventory)
}

/// Whether the exemption tag is protected, when one is configured (`None`: not known).
async fn exempt_tag_protection<O: OrganizationPort, C: Clock>(
    organizations: &O,
    clock: &C,
    limit: Option<Duration>,
    policy: &Policy,
) -> Option<TagProtection> {
    let key = policy.exempt_tag.as_deref()?;
    let Some(id) = policy.exempt_tag_policy_id.as_deref() else {
        return Some(tag_protection::no_policy());
    };
    let described = within(
        clock,
        limit,
        "DescribePolicy",
        organizations.service_control_policy(id),
    )
    .await;
    match described {
        Ok(scp) => Some(tag_protection::tag_protection(id, &scp, key)),
        Err(error) => {
            tracing::warn!(policy_id = id, error = %error, "whether the exemption tag is protected is unknown");
            None
        }
    }
}

/// `MANAGEMENT_ACCOUNT_ID` may only say what Organizations says: a different account would
/// move the protection of the organization instance onto the wrong account.
pub fn check_management_setting(
    answer: Option<&Organization>,
    setting: Option<&str>,
) -> Result<(), ConfigError> {
    match (answer, setting) {
        (Some(org), Some(setting)) if org.management_account_id != setting => Err(ConfigError {
            variable: "MANAGEMENT_ACCOUNT_ID",
            reason: format!(
                "is {setting}, but Organizations names {} as the management account of {}; \
                 correct it or remove it",
                org.management_account_id, org.id
            ),
        }),
        (None, Some(setting)) => Err(ConfigError {
            variable: "MANAGEMENT_ACCOUNT_ID",
            reason: format!(
                "is {setting}, but Organizations answers that this account belongs to no organization"
            ),
        }),
        _ => Ok(()),
    }
}

/// What a listing is looked at again for (AWS is eventually consistent), before its answer is
/// taken as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle<'a> {
    /// Gathering facts: the instance an event names (if any) is listed, and none is still
    /// being created.
    Created(Option<&'a str>),
    /// Confirming a delete: the instance is no longer listed, or is being deleted.
    Gone(&'a str),
}

impl Settle<'_> {
    /// Why the listing is not settled yet, if it is not.
    fn unsettled(self, own: &[Instance]) -> Option<String> {
        match self {
            Settle::Created(expected) => {
                let missing = expected.filter(|arn| !own.iter().any(|i| i.instance_arn == *arn));
                let creating = own
                    .iter()
                    .find(|i| i.status == InstanceStatus::CreateInProgress);
                match (missing, creating) {
                    (Some(arn), _) => Some(format!("{arn} is not listed yet")),
                    (None, Some(i)) => {
                        Some(format!("{} is still CREATE_IN_PROGRESS", i.instance_arn))
                    }
                    (None, None) => None,
                }
            }
            Settle::Gone(arn) => own
                .iter()
                .find(|i| i.instance_arn == arn && i.status != InstanceStatus::DeleteInProgress)
                .map(|i| format!("{arn} is still listed as {}", i.status.as_str())),
        }
    }
}

/// The instances `account_id` owns in `region` (member accounts may also see the organization
/// instance; it is left out). Looked at again, with backoff and within the budget, until it
/// settles as `settle` says — one loop, whatever is waited for.
pub async fn list_region<I: InstancePort, C: Clock>(
    instances: &I,
    clock: &C,
    budget: Budget,
    account_id: &str,
    region: &str,
    settle: Settle<'_>,
) -> Result<Vec<Instance>, PortError> {
    let mut wait = FIRST_WAIT;
    let mut attempt = 1;
    loop {
        let listed = within(
            clock,
            budget.for_call(clock.now()),
            "ListInstances",
            instances.list_instances(account_id, region),
        )
        .await?;
        // The account's own instances — and the one an event names, whoever the listing says
        // owns it: a contradiction the rules must see, not an absence.
        let expected = match settle {
            Settle::Created(expected) => expected,
            Settle::Gone(_) => None,
        };
        let own: Vec<Instance> = listed
            .into_iter()
            .filter(|i| {
                i.owner_account_id == account_id || Some(i.instance_arn.as_str()) == expected
            })
            .collect();
        let Some(unsettled) = settle.unsettled(&own) else {
            return Ok(own);
        };
        let time_left = budget
            .for_call(clock.now())
            .is_none_or(|left| left > wait * 2);
        if attempt >= LIST_ATTEMPTS || !time_left {
            tracing::info!(account_id, region, attempt, why = %unsettled, "listing taken as it is");
            return Ok(own);
        }
        tracing::info!(account_id, region, attempt, wait_ms = wait.as_millis() as u64, why = %unsettled, "listing again");
        clock.sleep(wait).await;
        wait *= 2;
        attempt += 1;
    }
}

/// What a look at one account (or, for the sweep, many) found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountListing {
    pub instances: Vec<Instance>,
    /// The account/Regions listed completely; the sweep only counts them (`listed_count`), so
    /// its memory does not grow with the organization.
    pub listed: Vec<AccountRegion>,
    pub listed_count: usize,
    pub unknown: Vec<Unreachable>,
    count_only: bool,
}

impl AccountListing {
    /// The Region where `expected` (the instance an event created at `created`) is not
    /// listed although the Region was listed completely, while that is no proof yet that it is
    /// gone ([`ABSENCE_PROOF_AGE`]): the Region is taken out of those listed, and returned
    /// with why.
    pub fn unsettled_absence(
        &mut self,
        account_id: &str,
        expected: Option<&str>,
        created: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<Unreachable> {
        let arn = expected?;
        let age = now.signed_duration_since(created);
        if age >= ABSENCE_PROOF_AGE || self.instances.iter().any(|i| i.instance_arn == arn) {
            return None;
        }
        let position = self
            .listed
            .iter()
            .position(|l| l.account_id == account_id)?;
        let region = self.listed.remove(position).region;
        Some(Unreachable {
            account_id: account_id.to_owned(),
            region,
            error: format!(
                "{arn} is not listed yet, {} s after its CreateInstance: AWS may list a new instance \
                 late, so it is taken for gone only {} s after the event; the event will be retried",
                age.num_seconds(),
                ABSENCE_PROOF_AGE.num_seconds()
            ),
        })
    }

    /// For the sweep: the Regions listed are counted, not kept.
    pub fn counting() -> Self {
        AccountListing {
            count_only: true,
            ..AccountListing::default()
        }
    }

    /// Adds one Region's answer.
    pub fn record(
        &mut self,
        account_id: &str,
        region: &str,
        answer: Result<Vec<Instance>, PortError>,
    ) {
        match answer {
            Ok(found) => {
                self.listed_count += 1;
                if !self.count_only {
                    self.listed.push(AccountRegion {
                        account_id: account_id.to_owned(),
                        region: region.to_owned(),
                    });
                }
                for instance in found {
                    if !self
                        .instances
                        .iter()
                        .any(|i| i.instance_arn == instance.instance_arn)
                    {
                        self.instances.push(instance);
                    }
                }
            }
            Err(error) => {
                tracing::warn!(account_id, region, error = %error, "could not list instances");
                self.unknown.push(Unreachable {
                    account_id: account_id.to_owned(),
                    region: region.to_owned(),
                    error: error.to_string(),
                });
            }
        }
    }

    /// Adds what was found to an inventory; completion order does not show.
    pub fn into_inventory(mut self, inventory: &mut Inventory) -> Vec<Unreachable> {
        self.unknown.sort();
        inventory.listed.extend(self.listed);
        inventory.instances.extend(self.instances);
        self.unknown
    }
}

/// Lists an account in every Region given, `concurrency` Regions at a time.
pub async fn list_account<I: InstancePort, C: Clock>(
    instances: &I,
    clock: &C,
    budget: Budget,
    account_id: &str,
    regions: &[String],
    expected: Option<&str>,
    concurrency: usize,
) -> AccountListing {
    let answers: Vec<(&String, Result<Vec<Instance>, PortError>)> = stream::iter(regions)
        .map(|region| async move {
            let answer = list_region(
                instances,
                clock,
                budget,
                account_id,
                region,
                Settle::Created(expected),
            )
            .await;
            (region, answer)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut listing = AccountListing::default();
    for (region, answer) in answers {
        listing.record(account_id, region, answer);
    }
    listing
}

/// Applications and tags of every account instance in the inventory (the ones a decision may
/// touch), `concurrency` at a time. Returns a note for each fact that stays unknown.
pub async fn enrich<I: InstancePort, C: Clock>(
    instances: &I,
    clock: &C,
    budget: Budget,
    inventory: &mut Inventory,
    concurrency: usize,
) -> Vec<String> {
    let management = inventory.management_account_id().map(str::to_owned);
    let wanted: Vec<usize> = (0..inventory.instances.len())
        .filter(|&i| Some(&inventory.instances[i].owner_account_id) != management.as_ref())
        .collect();
    let known = &inventory.instances;
    let facts: Vec<(usize, Result<Vec<_>, PortError>, Result<_, PortError>)> = stream::iter(wanted)
        .map(|i| async move {
            let inst = &known[i];
            let (account, region, arn) = (&inst.owner_account_id, &inst.region, &inst.instance_arn);
            let limit = budget.for_call(clock.now());
            let (apps, tags) = futures_util::join!(
                within(
                    clock,
                    limit,
                    "ListApplications",
                    instances.applications(account, region, arn)
                ),
                within(
                    clock,
                    limit,
                    "ListTagsForResource",
                    instances.tags(account, region, arn)
                )
            );
            (i, apps, tags)
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let mut notes = Vec::new();
    for (i, apps, tags) in facts {
        let instance = &mut inventory.instances[i];
        match apps {
            Ok(apps) => {
                instance.application_count = Some(u32::try_from(apps.len()).unwrap_or(u32::MAX));
                instance.applications = Some(apps);
            }
            Err(e) => notes.push(format!(
                "applications of {} unknown: {e}",
                instance.instance_arn
            )),
        }
        match tags {
            Ok(t) => instance.tags = Some(t),
            Err(e) => notes.push(format!("tags of {} unknown: {e}", instance.instance_arn)),
        }
    }
    notes
}
