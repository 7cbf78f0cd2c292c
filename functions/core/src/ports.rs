//! The outside world, as the domain needs it. Adapters implement these traits with the AWS
//! SDK; tests implement them in memory. No runtime is implied: the futures are plain.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};

use thiserror::Error;

use crate::asff::AsffFinding;
use crate::inventory::{Instance, Organization};
use crate::message::Message;
use crate::migration::BoundApp;
pub use crate::tag_protection::ServiceControlPolicy;

/// What kind of failure an adapter met; the domain decides what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortErrorKind {
    AccessDenied,
    NotFound,
    Conflict,
    Throttled,
    /// The account or Region cannot be reached (role missing, Region not enabled, network).
    Unreachable,
    Other,
}

#[derive(Debug, Clone, Error, PartialEq, Eq)]
#[error("{operation}: {message}")]
pub struct PortError {
    pub kind: PortErrorKind,
    pub operation: String,
    pub message: String,
}

impl PortError {
    pub fn new(
        kind: PortErrorKind,
        operation: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        PortError {
            kind,
            operation: operation.into(),
            message: message.into(),
        }
    }
}

/// Organizations, asked from the account the guardrail runs in.
pub trait OrganizationPort: Send + Sync {
    /// The organization, or `None` when the account is standalone.
    fn describe_organization(
        &self,
    ) -> impl Future<Output = Result<Option<Organization>, PortError>> + Send;

    /// Accounts registered as delegated administrator for `sso.amazonaws.com`.
    fn sso_delegated_admins(&self) -> impl Future<Output = Result<Vec<String>, PortError>> + Send;

    /// Every active account of the organization (all pages).
    fn list_accounts(&self) -> impl Future<Output = Result<Vec<String>, PortError>> + Send;

    /// A service control policy's text and whether it is attached to the organization's root.
    fn service_control_policy(
        &self,
        policy_id: &str,
    ) -> impl Future<Output = Result<ServiceControlPolicy, PortError>> + Send;
}

/// Whether a delete was accepted, or there was nothing to delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeleteReply {
    Accepted,
    NotFound,
}

/// Identity Center instances of one account in one Region, acting as that account.
pub trait InstancePort: Send + Sync {
    /// Every instance visible to `account_id` in `region` (all pages). Applications and tags
    /// are left unknown.
    fn list_instances(
        &self,
        account_id: &str,
        region: &str,
    ) -> impl Future<Output = Result<Vec<Instance>, PortError>> + Send;

    /// The applications bound to the instance (every page). What a migration plan needs of
    /// each beyond the listing — its provider's display name, who is assigned to it — stays
    /// `None` where it could not be read: only the listing itself decides.
    fn applications(
        &self,
        account_id: &str,
        region: &str,
        instance_arn: &str,
    ) -> impl Future<Output = Result<Vec<BoundApp>, PortError>> + Send;

    /// The instance's tags.
    fn tags(
        &self,
        account_id: &str,
        region: &str,
        instance_arn: &str,
    ) -> impl Future<Output = Result<BTreeMap<String, String>, PortError>> + Send;

    /// Deletes the instance (retrying conflicts and throttling with backoff).
    fn delete_instance(
        &self,
        account_id: &str,
        region: &str,
        instance_arn: &str,
    ) -> impl Future<Output = Result<DeleteReply, PortError>> + Send;
}

/// The state of the rule that forwards a member's `CreateInstance` events to the guardrail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardingRule {
    Enabled,
    /// Present, in another state (`DISABLED`, …).
    NotEnabled(String),
    Missing,
}

/// What the guardrail can still see of its own parts in a member account, through the member
/// role: the sweep checks every account it covers.
pub trait MemberWatch: Send + Sync {
    /// The forwarding rule `rule_name` on the default bus of `account_id` in `region`.
    fn forwarding_rule(
        &self,
        account_id: &str,
        region: &str,
        rule_name: &str,
    ) -> impl Future<Output = Result<ForwardingRule, PortError>> + Send;
}

/// Where findings, sweep summaries and notices go (SNS on the live path).
pub trait FindingPublisher: Send + Sync {
    fn publish(&self, message: &Message) -> impl Future<Output = Result<(), PortError>> + Send;
}

/// AWS Security Hub in the guardrail's own account: findings imported in the AWS Security
/// Finding Format, upserted by `Id`. Each call answers the findings it refused (id → why); an
/// error is a call that failed as a whole.
pub trait SecurityHubPort: Send + Sync {
    /// `BatchImportFindings` (at most 100).
    fn import(
        &self,
        findings: &[AsffFinding],
    ) -> impl Future<Output = Result<BTreeMap<String, String>, PortError>> + Send;
    /// `BatchUpdateFindings`: `Workflow.Status` RESOLVED, which an import cannot set.
    fn resolve(
        &self,
        findings: &[&AsffFinding],
    ) -> impl Future<Output = Result<BTreeMap<String, String>, PortError>> + Send;
    /// The `UpdatedAt` Security Hub holds for each of these ids of `product_arn` (an id it
    /// does not hold is absent).
    fn updated_at(
        &self,
        product_arn: &str,
        ids: &[&str],
    ) -> impl Future<Output = Result<BTreeMap<String, String>, PortError>> + Send;
}

/// Wall-clock time and waiting, so the domain can keep to the invocation's deadline and back
/// off between attempts without owning an async runtime.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    fn sleep(&self, duration: Duration) -> impl Future<Output = ()> + Send;
}

/// Where a large sweep's per-account work goes, and the confirmation of every announced delete
/// (an SQS queue consumed by the worker).
pub trait TaskQueue: Send + Sync {
    /// Sends one task per account.
    fn enqueue(
        &self,
        sweep_id: &str,
        accounts: &[String],
    ) -> impl Future<Output = Result<(), PortError>> + Send;

    /// Sends the confirmation of a delete announced by `task`, to be delivered after `delay`.
    fn confirm_later(
        &self,
        task: &crate::confirm::ConfirmTask,
        delay: Duration,
    ) -> impl Future<Output = Result<(), PortError>> + Send;
}

/// The type of the queue of a guardrail that has none (`Guardrail::queue` is `None`).
pub enum NoQueue {}

impl TaskQueue for NoQueue {
    async fn enqueue(&self, _sweep_id: &str, _accounts: &[String]) -> Result<(), PortError> {
        match *self {}
    }
    async fn confirm_later(
        &self,
        _task: &crate::confirm::ConfirmTask,
        _delay: Duration,
    ) -> Result<(), PortError> {
        match *self {}
    }
}
