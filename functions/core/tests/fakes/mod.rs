//! In-memory fakes of the ports, shared by the service and sweep tests.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::pin;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

use chrono::{DateTime, Utc};
use idc_core::ports::{
    DeleteOutcome, FindingPublisher, InstancePort, OrganizationPort, PortError, PortErrorKind,
    TaskQueue,
};
use idc_core::{
    Finding, Guardrail, Instance, InstanceStatus, Organization, Policy, Settings, SweepSummary,
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

#[derive(Default)]
pub struct Publisher {
    pub sent: Mutex<Vec<Finding>>,
    pub summaries: Mutex<Vec<SweepSummary>>,
    pub broken: bool,
}
impl Publisher {
    pub fn sent(&self) -> Vec<Finding> {
        self.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }
    pub fn summaries(&self) -> Vec<SweepSummary> {
        self.summaries.lock().map(|s| s.clone()).unwrap_or_default()
    }
}
impl FindingPublisher for Publisher {
    async fn publish(&self, finding: &Finding) -> Result<(), PortError> {
        if self.broken {
            return Err(PortError::new(
                PortErrorKind::Other,
                "Publish",
                "topic does not exist",
            ));
        }
        self.sent.lock().map_err(lock_err)?.push(finding.clone());
        Ok(())
    }
    async fn publish_summary(&self, summary: &SweepSummary) -> Result<(), PortError> {
        if self.broken {
            return Err(PortError::new(
                PortErrorKind::Other,
                "Publish",
                "topic does not exist",
            ));
        }
        self.summaries
            .lock()
            .map_err(lock_err)?
            .push(summary.clone());
        Ok(())
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
    let mut s = match Settings::from_lookup(|k| {
        (k == "TOPIC_ARN").then(|| "arn:aws:sns:us-east-1:111111111111:t".to_owned())
    }) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    s.policy = policy;
    s.regions = vec!["us-east-1".into(), "eu-west-1".into()];
    s
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

pub type Fake = Guardrail<Org, Instances, Publisher, Queue>;

pub fn guardrail(instances: Instances, publisher: Publisher, policy: Policy) -> Fake {
    Guardrail {
        organizations: Org::default(),
        instances,
        publisher,
        queue: Queue::default(),
        settings: settings(policy),
    }
}

pub fn now() -> DateTime<Utc> {
    Utc::now()
}
