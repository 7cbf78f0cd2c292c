//! idc-guardrail's domain: pure, no AWS SDK, no network, no async runtime (the live path in
//! [`service`] is async over the traits in [`ports`], and runs on whatever executor calls it).
//!
//! Data flows one way: an EventBridge envelope is parsed into a [`Trigger`]; the adapters
//! gather an [`Inventory`]; [`evaluate_trigger`] or [`evaluate_sweep`] applies the rules
//! ([`Violation`]s) and decides about each ([`Decision`], by the [`Policy`] and the
//! [`Restraints`] of the look); [`remediate`] acts, and each [`Finding`] is assembled once,
//! from a violation and its outcome, then published.

pub mod asff;
pub mod catalog;
pub mod chat;
pub mod clock;
pub mod confirm;
pub mod decide;
pub mod error;
pub mod event;
pub mod exemption;
pub mod facts;
pub mod failure;
pub mod finding;
mod gather;
pub mod guardrail;
pub mod ids;
pub mod inventory;
pub mod lifecycle;
pub mod message;
pub mod migration;
mod notice;
pub mod outlets;
pub mod policy;
pub mod ports;
pub mod preflight;
pub mod remediate;
pub mod rules;
pub mod service;
pub mod settings;
pub mod sweep;
pub mod tag_protection;
pub mod violation;

pub use clock::Budget;
pub use decide::Restraints;
pub use error::{EventError, InventoryError};
pub use event::{parse_envelope, parse_event_bytes, CloudTrailEnvelope, Trigger};
pub use failure::HandleError;
pub use finding::{Finding, RemediationStatus, RuleId, Severity};
pub use guardrail::Guardrail;
pub use inventory::{Instance, InstanceStatus, Inventory, Organization};
pub use message::{IncompleteNotice, Message};
pub use policy::{Decision, Policy, Verdict};
pub use preflight::{PreflightReport, PreflightVerdict};
pub use rules::{evaluate_sweep, evaluate_trigger, evaluate_trigger_with, Evaluation, Judged};
pub use service::EventReport;
pub use settings::{ConfigError, Settings};
pub use sweep::{SweepReport, SweepSummary};
pub use violation::Violation;
