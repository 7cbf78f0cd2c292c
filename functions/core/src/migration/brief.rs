//! The plan in short, for a `skipped_in_use` finding (its `migration` key, its detail, the
//! chat notification and Security Hub's recommendation): the bound applications with their
//! counts, the first steps, and the command that prints the full plan.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::catalog::Catalog;
use crate::inventory::Instance;

/// One bound application, as far as it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BriefApp {
    pub name: String,
    /// The catalog's name of its kind, or `unknown` (the generic plan).
    pub kind: String,
    pub users: Option<usize>,
    pub groups: Option<usize>,
}

/// The plan in short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigrationBrief {
    /// How many applications are bound, when listed.
    pub applications: Option<u32>,
    /// Each bound application, when they were read (empty otherwise).
    pub apps: Vec<BriefApp>,
    /// The first step of each kind's plan, in order (at most three).
    pub first_steps: Vec<String>,
    /// The command that prints the full plan.
    pub command: String,
}

/// At most this many first steps in a brief.
const FIRST_STEPS: usize = 3;

fn catalog() -> Option<&'static Catalog> {
    // Parsed once; the catalog's own tests prove the built-in one valid.
    static CATALOG: OnceLock<Option<Catalog>> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::builtin().ok()).as_ref()
}

/// The brief for an instance kept because applications use it.
pub fn brief(instance: &Instance) -> MigrationBrief {
    let command = format!(
        "idc-guard plan --account {} --regions {}",
        instance.owner_account_id, instance.region
    );
    let Some(catalog) = catalog() else {
        return MigrationBrief {
            applications: instance.application_count,
            apps: vec![],
            first_steps: vec![],
            command,
        };
    };
    let listed = instance.applications.as_deref().unwrap_or_default();
    let mut apps = Vec::with_capacity(listed.len());
    let mut first_steps: Vec<String> = Vec::new();
    for app in listed {
        let entry = catalog.recognise(app.provider_name.as_deref(), &app.name);
        apps.push(BriefApp {
            name: app.name.clone(),
            kind: entry.map_or_else(|| "unknown".to_owned(), |e| e.name.clone()),
            users: app.users,
            groups: app.groups,
        });
        let step = entry.unwrap_or(&catalog.generic).steps.first();
        if let Some(step) = step.filter(|s| !first_steps.contains(&s.action)) {
            first_steps.push(step.action.clone());
        }
    }
    if first_steps.is_empty() {
        first_steps.extend(catalog.generic.steps.first().map(|s| s.action.clone()));
    }
    first_steps.truncate(FIRST_STEPS);
    MigrationBrief {
        applications: instance.application_count,
        apps,
        first_steps,
        command,
    }
}

impl MigrationBrief {
    /// One line for the finding's detail.
    pub fn summary(&self) -> String {
        let count = |n: Option<usize>, what: &str| match n {
            Some(1) => format!("1 {what}"),
            Some(n) => format!("{n} {what}s"),
            None => format!("{what}s unknown"),
        };
        let apps: Vec<String> = self
            .apps
            .iter()
            .map(|a| {
                format!(
                    "{} ({}, {}, {})",
                    a.name,
                    a.kind,
                    count(a.users, "user"),
                    count(a.groups, "group")
                )
            })
            .collect();
        let plan = format!("the migration plan: `{}`", self.command);
        if apps.is_empty() {
            plan
        } else {
            format!("bound: {}; {plan}", apps.join(", "))
        }
    }
}
