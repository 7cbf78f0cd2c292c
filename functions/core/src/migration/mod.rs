//! Leaving an account instance: a migration plan per bound application.
//!
//! An account instance with applications bound is kept (`skipped_in_use`): there is no
//! in-place move. Each application is re-created or re-linked through its own service on the
//! organization instance and its users and groups assigned again (user and group ids differ
//! between identity stores). The plan says, application by application, what that means: the
//! ordered steps, what is lost or down and for how long, which applications must move together,
//! and the pages each step rests on.
//!
//! What the plan knows of each kind of application is data, [`catalog.json`](catalog), one
//! entry a kind; an application the catalog does not know gets the generic plan and is named
//! as unknown. Building the plan is pure ([`plan::plan`]): the facts are read elsewhere.

pub mod brief;
pub mod catalog;
pub mod plan;
pub mod render;

pub use brief::{brief, BriefApp, MigrationBrief};
pub use catalog::{Catalog, CatalogError, Entry, Step};
pub use plan::{
    plan, AccountFacts, AppPlan, BoundApp, InstanceFacts, InstancePlan, MigrationPlan,
    QuickSightSubscription, StoreSize, PLAN_SCHEMA,
};
