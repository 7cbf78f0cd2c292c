//! In-memory fakes of the ports, shared by the service and sweep tests.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use chrono::{DateTime, Utc};
use idc_core::ports::{
    Clock, DeleteOutcome, FindingPublisher, InstancePort, OrganizationPort, PortError,
    PortErrorKind, TaskQueue,
};
use idc_core::{
    Finding, Guardrail, IncompleteNotice, Instance, InstanceStatus, Message, Organization, Policy,
    RemediationStatus, Settings, SweepSummary,
};

pub const MGMT: &str = "111111111111";
pub const MEMBER: &str = "222222222222";
pub const ADMIN: &str = "333333333333";
pub const ORG_ARN: &str = "arn:aws:sso:::instance/ssoins-0rg0000000000001";
pub const MEMBER_ARN: &str = "arn:aws:sso:::instance/ssoins-member0000000001";
pub const ADMIN_ARN: &str = "arn:aws:sso:::instance/ssoins-admin00000000001";

/// The fakes never wait, so polling once with a no-op waker completes them.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

pub struct Org {
    pub accounts: Vec<String>,
}

impl Default for Org {
    fn default() -> Self {
        Org {
            accounts: vec![MGMT.into(), MEMBER.into(), ADMIN.into()],
        }
    }
}
impl OrganizationPort for Org {
    async fn describe_organization(&self) -> Result<Option<Organization>, PortError> {
        Ok(Some(Organization {
            id: "o-fake".into(),
            management_account_id: MGMT.into(),
        }))
    }
    async fn sso_delegated_admins(&self) -> Result<Vec<String>, PortError> {
        Ok(vec![ADMIN.into()])
    }
    async fn list_accounts(&self) -> Result<Vec<String>, PortError> {
        Ok(self.accounts.clone())
    }
}

#[derive(Default)]
pub struct Instances {
    pub live: Mutex<Vec<Instance>>,
    pub deletes: Mutex<Vec<String>>,
    pub lists: Mutex<usize>,
    pub unreachable: bool,
    pub unreachable_accounts: BTreeSet<String>,
    pub delete_is_ignored: bool,
    /// Someone else deletes the instance just before the guardrail does; AWS then answers
    /// AccessDenied.
    pub deleted_concurrently: bool,
}

impl Instances {
    pub fn with(instances: Vec<Instance>) -> Self {
        Instances {
            live: Mutex::new(instances),
            ..Instances::default()
        }
    }
    pub fn deletes(&self) -> Vec<String> {
        self.deletes.lock().map(|d| d.clone()).unwrap_or_default()
    }
    pub fn arns(&self) -> Vec<String> {
        self.live
            .lock()
            .map(|l| l.iter().map(|i| i.instance_arn.clone()).collect())
            .unwrap_or_default()
    }
}

pub fn lock_err<T>(_: T) -> PortError {
    PortError::new(PortErrorKind::Other, "fake", "poisoned")
}

impl InstancePort for Instances {
    async fn list_instances(
        &self,
        account_id: &str,
        region: &str,
    ) -> Result<Vec<Instance>, PortError> {
        *self.lists.lock().map_err(lock_err)? += 1;
        if self.unreachable || self.unreachable_accounts.contains(account_id) {
            return Err(PortError::new(
                PortErrorKind::Unreachable,
                "AssumeRole",
                "role missing",
            ));
        }
        let live = self.live.lock().map_err(lock_err)?;
        // Visible: the account's own instances, and the org instance for the delegated admin.
        Ok(live
            .iter()
            .filter(|i| i.region == region)
            .filter(|i| {
                i.owner_account_id == account_id
                    || (account_id == ADMIN && i.owner_account_id == MGMT)
            })
            .map(|i| Instance {
                application_count: None,
                tags: None,
                ..i.clone()
            })
            .collect())
    }
    async fn application_count(&self, _: &str, _: &str, arn: &str) -> Result<u32, PortError> {
        let live = self.live.lock().map_err(lock_err)?;
        Ok(live
            .iter()
            .find(|i| i.instance_arn == arn)
            .and_then(|i| i.application_count)
            .unwrap_or(0))
    }
    async fn tags(
        &self,
        _: &str,
        _: &str,
        arn: &str,
    ) -> Result<BTreeMap<String, String>, PortError> {
        let live = self.live.lock().map_err(lock_err)?;
        Ok(live
            .iter()
            .find(|i| i.instance_arn == arn)
            .and_then(|i| i.tags.clone())
            .unwrap_or_default())
    }
    async fn delete_instance(
        &self,
        account_id: &str,
        _: &str,
        arn: &str,
    ) -> Result<DeleteOutcome, PortError> {
        self.deletes.lock().map_err(lock_err)?.push(arn.to_owned());
        let mut live = self.live.lock().map_err(lock_err)?;
        let Some(pos) = live.iter().position(|i| i.instance_arn == arn) else {
            return Ok(DeleteOutcome::NotFound);
        };
        if self.deleted_concurrently {
            live.remove(pos);
            return Err(PortError::new(
                PortErrorKind::AccessDenied,
                "DeleteInstance",
                "AccessDeniedException: not authorized",
            ));
        }
        if live[pos].owner_account_id != account_id {
            return Err(PortError::new(
                PortErrorKind::AccessDenied,
                "DeleteInstance",
                "only the owner may delete",
            ));
        }
        if !self.delete_is_ignored {
            live.remove(pos);
        }
        Ok(DeleteOutcome::Accepted)
    }
}

/// Records every message; `broken` fails them all, `fail_statuses` only the findings with
/// one of these remediation statuses (e.g. `deleting`: the announcement before a delete).
#[derive(Default)]
pub struct Publisher {
    pub messages: Mutex<Vec<Message>>,
    pub broken: bool,
    pub fail_statuses: Vec<&'static str>,
}
impl Publisher {
    fn of_type<T: serde::de::DeserializeOwned>(&self, kind: &str) -> Vec<T> {
        self.messages
            .lock()
            .map(|m| {
                m.iter()
                    .filter(|m| m.attributes.contains(&("message_type", kind.to_owned())))
                    .filter_map(|m| serde_json::from_str(&m.body).ok())
                    .collect()
            })
            .unwrap_or_default()
    }
    /// Every finding published, announcements (`deleting`) included, in order.
    pub fn all(&self) -> Vec<Finding> {
        self.of_type("finding")
    }
    /// The findings' last words: announcements (`deleting`) left out.
    pub fn sent(&self) -> Vec<Finding> {
        self.all()
            .into_iter()
            .filter(|f| f.remediation.status != RemediationStatus::Deleting)
            .collect()
    }
    pub fn summaries(&self) -> Vec<SweepSummary> {
        self.of_type("sweep_summary")
    }
    pub fn notices(&self) -> Vec<IncompleteNotice> {
        self.of_type("incomplete")
    }
    pub fn all_clears(&self) -> Vec<IncompleteNotice> {
        self.of_type("all_clear")
    }
}
impl FindingPublisher for Publisher {
    async fn publish(&self, message: &Message) -> Result<(), PortError> {
        let status = message
            .attributes
            .iter()
            .find(|(k, _)| *k == "remediation_status")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        if self.broken || self.fail_statuses.contains(&status) {
            return Err(PortError::new(
                PortErrorKind::Other,
                "Publish",
                "topic does not exist",
            ));
        }
        self.messages
            .lock()
            .map_err(lock_err)?
            .push(message.clone());
        Ok(())
    }
}

/// Virtual time: `sleep` moves it forward at once.
pub struct FakeClock {
    pub now: Mutex<DateTime<Utc>>,
    pub slept: Mutex<Vec<Duration>>,
}
impl Default for FakeClock {
    fn default() -> Self {
        FakeClock {
            now: Mutex::new(now()),
            slept: Mutex::new(vec![]),
        }
    }
}
impl Clock for FakeClock {
    fn now(&self) -> DateTime<Utc> {
        self.now.lock().map(|n| *n).unwrap_or_else(|_| now())
    }
    async fn sleep(&self, duration: Duration) {
        if let Ok(mut now) = self.now.lock() {
            *now += chrono::Duration::from_std(duration).unwrap_or_default();
        }
        if let Ok(mut slept) = self.slept.lock() {
            slept.push(duration);
        }
    }
}

pub fn instance(arn: &str, owner: &str, region: &str, apps: u32) -> Instance {
    Instance {
        instance_arn: arn.into(),
        owner_account_id: owner.into(),
        region: region.into(),
        status: InstanceStatus::Active,
        created_date: None,
        application_count: Some(apps),
        tags: Some(BTreeMap::new()),
    }
}

pub fn world() -> Vec<Instance> {
    vec![
        instance(ORG_ARN, MGMT, "us-east-1", 3),
        instance(MEMBER_ARN, MEMBER, "eu-west-1", 0),
        instance(ADMIN_ARN, ADMIN, "us-east-1", 0),
    ]
}

pub fn settings(policy: Policy) -> Settings {
    Settings {
        policy,
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        ..Settings::default()
    }
}

pub fn auto() -> Policy {
    Policy {
        auto_remediate: true,
        ..Policy::default()
    }
}

/// Records the tasks a fanned-out sweep sends.
#[derive(Default)]
pub struct Queue {
    pub tasks: Mutex<Vec<(String, String)>>,
}

impl TaskQueue for Queue {
    async fn enqueue(&self, sweep_id: &str, accounts: &[String]) -> Result<(), PortError> {
        let mut tasks = self.tasks.lock().map_err(lock_err)?;
        tasks.extend(accounts.iter().map(|a| (sweep_id.to_owned(), a.clone())));
        Ok(())
    }
}

pub type Fake = Guardrail<Org, Instances, Publisher, FakeClock, Queue>;

pub fn guardrail(instances: Instances, publisher: Publisher, policy: Policy) -> Fake {
    Guardrail::new(
        Org::default(),
        instances,
        publisher,
        FakeClock::default(),
        settings(policy),
    )
    .with_queue(Some(Queue::default()))
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}
