//! The plan of one account: for each account instance, each bound application with what was
//! read of it, its kind's steps, and what must move together. Pure: the facts come in.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::catalog::{Catalog, Entry, Step};

/// The plan's schema name (`--json`, and the finding's `migration` key).
pub const PLAN_SCHEMA: &str = "idc-guardrail/migration-plan/v1";

/// What was read of one application bound to an account instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoundApp {
    pub application_arn: String,
    pub name: String,
    pub provider_arn: String,
    /// `DescribeApplicationProvider` → `DisplayData.DisplayName`; `None` when it could not be
    /// read (the kind is then looked for in the application's name alone).
    pub provider_name: Option<String>,
    pub status: String,
    /// Users and groups assigned to it (`ListApplicationAssignments`); `None` when unread.
    pub users: Option<usize>,
    pub groups: Option<usize>,
    /// Who is assigned, by name where the identity store answered (`--details`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub principals: Vec<String>,
}

/// How many users and groups the identity store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreSize {
    pub users: usize,
    pub groups: usize,
}

/// QuickSight's subscription in the account (`DescribeAccountSubscription`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickSightSubscription {
    pub authentication_type: Option<String>,
    pub instance_arn: Option<String>,
}

/// What was read of one account instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceFacts {
    pub instance_arn: String,
    pub region: String,
    pub store: Option<StoreSize>,
    pub apps: Vec<BoundApp>,
    pub quicksight: Option<QuickSightSubscription>,
    /// What could not be read, each said: a plan is never silently partial.
    pub unread: Vec<String>,
}

/// What was read of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountFacts {
    pub account_id: String,
    /// The organization instance's Region, when known: an account instance serves only its
    /// own Region.
    pub home_region: Option<String>,
    pub instances: Vec<InstanceFacts>,
}

/// One application's part of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPlan {
    pub name: String,
    pub application_arn: String,
    /// The provider's display name, else its ARN.
    pub provider: String,
    pub status: String,
    pub users: Option<usize>,
    pub groups: Option<usize>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub principals: Vec<String>,
    /// The catalog entry followed (`generic` for an application it does not know).
    pub kind: String,
    pub kind_name: String,
    pub known: bool,
    pub steps: Vec<Step>,
    pub lost: Vec<String>,
    pub down: String,
    pub sources: Vec<String>,
}

/// One account instance's part of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstancePlan {
    pub instance_arn: String,
    pub region: String,
    pub store: Option<StoreSize>,
    pub apps: Vec<AppPlan>,
    /// Applications that share identities and must move together (names), each group once.
    pub together: Vec<Vec<String>>,
    /// Notes to heed before starting: the Region, QuickSight's subscription.
    pub notes: Vec<String>,
    /// What could not be read: the plan is incomplete there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<String>,
    /// The last step, once every application has moved.
    pub finally: Step,
}

/// The plan of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigrationPlan {
    pub schema: String,
    pub account_id: String,
    pub instances: Vec<InstancePlan>,
}

/// The plan for `facts`, by `catalog`.
pub fn plan(facts: &AccountFacts, catalog: &Catalog) -> MigrationPlan {
    MigrationPlan {
        schema: PLAN_SCHEMA.to_owned(),
        account_id: facts.account_id.clone(),
        instances: facts
            .instances
            .iter()
            .map(|i| instance_plan(i, facts.home_region.as_deref(), catalog))
            .collect(),
    }
}

fn instance_plan(facts: &InstanceFacts, home: Option<&str>, catalog: &Catalog) -> InstancePlan {
    let apps: Vec<(AppPlan, &Entry)> = facts
        .apps
        .iter()
        .map(|app| {
            let (entry, known) = match catalog.recognise(app.provider_name.as_deref(), &app.name) {
                Some(entry) => (entry, true),
                None => (&catalog.generic, false),
            };
            (app_plan(app, entry, known), entry)
        })
        .collect();
    let mut notes = Vec::new();
    match home {
        Some(home) if home != facts.region => notes.push(format!(
            "This account instance serves {} only; the organization instance's home Region is \
             {home}: applications re-created on it are reached from {home}.",
            facts.region
        )),
        Some(_) => {}
        None => notes.push(format!(
            "The organization instance's home Region is unknown: an account instance serves \
             only its own Region ({}); check where the applications will be reached from.",
            facts.region
        )),
    }
    if let Some(qs) = &facts.quicksight {
        let bound_here = qs.instance_arn.as_deref() == Some(facts.instance_arn.as_str());
        notes.push(format!(
            "QuickSight subscription: authentication {}, Identity Center instance {}{}.",
            qs.authentication_type.as_deref().unwrap_or("unknown"),
            qs.instance_arn.as_deref().unwrap_or("none"),
            if bound_here { " (this one)" } else { "" }
        ));
    }
    let together = together(&apps);
    InstancePlan {
        instance_arn: facts.instance_arn.clone(),
        region: facts.region.clone(),
        store: facts.store,
        apps: apps.into_iter().map(|(plan, _)| plan).collect(),
        together,
        notes,
        unread: facts.unread.clone(),
        finally: catalog
            .generic
            .steps
            .last()
            .cloned()
            .unwrap_or_else(|| Step {
                action: "Delete the account instance once nothing is bound to it.".into(),
                source: "https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_DeleteInstance.html".into(),
            }),
    }
}

fn app_plan(app: &BoundApp, entry: &Entry, known: bool) -> AppPlan {
    AppPlan {
        name: app.name.clone(),
        application_arn: app.application_arn.clone(),
        provider: app
            .provider_name
            .clone()
            .unwrap_or_else(|| app.provider_arn.clone()),
        status: app.status.clone(),
        users: app.users,
        groups: app.groups,
        principals: app.principals.clone(),
        kind: entry.id.clone(),
        kind_name: entry.name.clone(),
        known,
        steps: entry.steps.clone(),
        lost: entry.lost.clone(),
        down: entry.down.clone(),
        sources: entry.sources.clone(),
    }
}

/// Groups of bound applications whose kinds share identities (either side naming the other),
/// by application name; applications alone are left out.
fn together(apps: &[(AppPlan, &Entry)]) -> Vec<Vec<String>> {
    let linked =
        |a: &Entry, b: &Entry| a.moves_with.contains(&b.id) || b.moves_with.contains(&a.id);
    let mut group_of: Vec<usize> = (0..apps.len()).collect();
    for i in 0..apps.len() {
        for j in (i + 1)..apps.len() {
            if linked(apps[i].1, apps[j].1) {
                let (from, to) = (group_of[j], group_of[i]);
                for g in group_of.iter_mut().filter(|g| **g == from) {
                    *g = to;
                }
            }
        }
    }
    let groups: BTreeSet<usize> = group_of.iter().copied().collect();
    groups
        .into_iter()
        .map(|g| {
            (0..apps.len())
                .filter(|i| group_of[*i] == g)
                .map(|i| apps[i].0.name.clone())
                .collect::<Vec<_>>()
        })
        .filter(|names| names.len() > 1)
        .collect()
}
