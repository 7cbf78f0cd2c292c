//! Every port call counted by the AWS operation behind it, and delayed for the scale runs.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use idc_core::ports::{
    DeleteReply, FindingPublisher, ForwardingRule, InstancePort, MemberWatch, OrganizationPort,
    PortError, ServiceControlPolicy, TaskQueue,
};
use idc_core::{Instance, Message, Organization};

/// The AWS operation behind each port method.
#[derive(Debug, Clone, Copy)]
enum Op {
    DescribeOrganization,
    ListDelegatedAdministrators,
    ListAccounts,
    ListInstances,
    ListApplications,
    ListTagsForResource,
    DescribeRule,
    DeleteInstance,
    Publish,
    SendMessage,
}

const OPS: [Op; 10] = [
    Op::DescribeOrganization,
    Op::ListDelegatedAdministrators,
    Op::ListAccounts,
    Op::ListInstances,
    Op::ListApplications,
    Op::ListTagsForResource,
    Op::DescribeRule,
    Op::DeleteInstance,
    Op::Publish,
    Op::SendMessage,
];

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::DescribeOrganization => "DescribeOrganization",
            Op::ListDelegatedAdministrators => "ListDelegatedAdministrators",
            Op::ListAccounts => "ListAccounts",
            Op::ListInstances => "ListInstances",
            Op::ListApplications => "ListApplications",
            Op::ListTagsForResource => "ListTagsForResource",
            Op::DescribeRule => "DescribeRule",
            Op::DeleteInstance => "DeleteInstance",
            Op::Publish => "Publish",
            Op::SendMessage => "SendMessage",
        }
    }
}

/// Calls made, shared by the wrapped ports of one guardrail.
#[derive(Default)]
pub struct Meter {
    latency: Duration,
    counts: [AtomicU64; OPS.len()],
    /// Tag count of each instance the guardrail asked about (to compare with the baseline).
    tags: Mutex<BTreeMap<String, usize>>,
}

impl Meter {
    pub fn with_latency(latency: Duration) -> Self {
        Meter {
            latency,
            ..Meter::default()
        }
    }

    async fn call(&self, op: Op) {
        self.counts[op as usize].fetch_add(1, Ordering::Relaxed);
        if !self.latency.is_zero() {
            tokio::time::sleep(self.latency).await;
        }
    }

    /// Calls by operation (only those made).
    pub fn counts(&self) -> BTreeMap<String, u64> {
        OPS.iter()
            .map(|op| {
                (
                    op.name().to_owned(),
                    self.counts[*op as usize].load(Ordering::Relaxed),
                )
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }

    pub fn tag_count(&self, instance_arn: &str) -> Option<usize> {
        self.tags.lock().ok()?.get(instance_arn).copied()
    }
}

/// A port wrapped so that every call is counted, and delayed by the meter's latency.
pub struct Metered<T> {
    inner: T,
    meter: Arc<Meter>,
}

impl<T> Metered<T> {
    pub fn new(inner: T, meter: &Arc<Meter>) -> Self {
        Metered {
            inner,
            meter: Arc::clone(meter),
        }
    }
}

impl<T: OrganizationPort> OrganizationPort for Metered<T> {
    async fn describe_organization(&self) -> Result<Option<Organization>, PortError> {
        self.meter.call(Op::DescribeOrganization).await;
        self.inner.describe_organization().await
    }
    async fn sso_delegated_admins(&self) -> Result<Vec<String>, PortError> {
        self.meter.call(Op::ListDelegatedAdministrators).await;
        self.inner.sso_delegated_admins().await
    }
    async fn list_accounts(&self) -> Result<Vec<String>, PortError> {
        self.meter.call(Op::ListAccounts).await;
        self.inner.list_accounts().await
    }
    // Not metered: the bench configures no exemption tag, so the sweep never asks.
    async fn service_control_policy(&self, id: &str) -> Result<ServiceControlPolicy, PortError> {
        self.inner.service_control_policy(id).await
    }
}

impl<T: MemberWatch> MemberWatch for Metered<T> {
    async fn forwarding_rule(
        &self,
        account_id: &str,
        region: &str,
        rule_name: &str,
    ) -> Result<ForwardingRule, PortError> {
        self.meter.call(Op::DescribeRule).await;
        self.inner
            .forwarding_rule(account_id, region, rule_name)
            .await
    }
}

impl<T: InstancePort> InstancePort for Metered<T> {
    async fn list_instances(
        &self,
        account_id: &str,
        region: &str,
    ) -> Result<Vec<Instance>, PortError> {
        self.meter.call(Op::ListInstances).await;
        self.inner.list_instances(account_id, region).await
    }
    async fn applications(
        &self,
        account_id: &str,
        region: &str,
        instance_arn: &str,
    ) -> Result<Vec<idc_core::migration::BoundApp>, PortError> {
        self.meter.call(Op::ListApplications).await;
        self.inner
            .applications(account_id, region, instance_arn)
            .await
    }
    async fn tags(
        &self,
        account_id: &str,
        region: &str,
        instance_arn: &str,
    ) -> Result<BTreeMap<String, String>, PortError> {
        self.meter.call(Op::ListTagsForResource).await;
        let tags = self.inner.tags(account_id, region, instance_arn).await?;
        if let Ok(mut seen) = self.meter.tags.lock() {
            seen.insert(instance_arn.to_owned(), tags.len());
        }
        Ok(tags)
    }
    async fn delete_instance(
        &self,
        account_id: &str,
        region: &str,
        instance_arn: &str,
    ) -> Result<DeleteReply, PortError> {
        self.meter.call(Op::DeleteInstance).await;
        self.inner
            .delete_instance(account_id, region, instance_arn)
            .await
    }
}

impl<T: FindingPublisher> FindingPublisher for Metered<T> {
    async fn publish(&self, message: &Message) -> Result<(), PortError> {
        self.meter.call(Op::Publish).await;
        self.inner.publish(message).await
    }
}

impl<T: TaskQueue> TaskQueue for Metered<T> {
    async fn enqueue(&self, sweep_id: &str, accounts: &[String]) -> Result<(), PortError> {
        self.meter.call(Op::SendMessage).await;
        self.inner.enqueue(sweep_id, accounts).await
    }
    async fn confirm_later(
        &self,
        task: &idc_core::confirm::ConfirmTask,
        delay: std::time::Duration,
    ) -> Result<(), PortError> {
        self.meter.call(Op::SendMessage).await;
        self.inner.confirm_later(task, delay).await
    }
}
