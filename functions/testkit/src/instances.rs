use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use idc_core::migration::BoundApp;
use idc_core::ports::{
    DeleteReply, ForwardingRule, InstancePort, MemberWatch, PortError, PortErrorKind,
};
use idc_core::Instance;

use crate::sample::{ADMIN, MGMT};
use crate::{give_way, lock_err};

/// sso-admin: the instances alive, what was listed and deleted, and the faults to inject.
pub struct Instances {
    pub live: Mutex<Vec<Instance>>,
    pub deletes: Mutex<Vec<String>>,
    pub lists: Mutex<usize>,
    /// The account that also sees the organization instance (owned by [`MGMT`]) in its
    /// listings: the Identity Center delegated administrator ([`ADMIN`] by default).
    pub delegated_admin: Option<String>,
    pub unreachable: bool,
    pub unreachable_accounts: BTreeSet<String>,
    pub delete_is_ignored: bool,
    /// Someone else deletes the instance just before the guardrail does; AWS then answers
    /// AccessDenied.
    pub deleted_concurrently: bool,
    /// Accounts whose forwarding rule is not enabled (every Region); the others' is.
    pub forwarding: BTreeMap<String, ForwardingRule>,
    /// Accounts whose member role is denied `sso:ListApplications` (by its own administrator).
    pub applications_denied: BTreeSet<String>,
    /// Shown in every listing of their Region, whoever asks (an odd but legal answer: an
    /// instance listed with another owner, or none).
    pub also_listed: Vec<Instance>,
    /// Another request deleted the instance just before: it is `DELETE_IN_PROGRESS`, and the
    /// guardrail's `DeleteInstance` meets a ConflictException.
    pub delete_in_progress_elsewhere: bool,
    /// Every call gives way first, so that [`crate::interleave`] can run two deliveries at once.
    pub gives_way: bool,
}

impl Default for Instances {
    fn default() -> Self {
        Instances {
            live: Mutex::default(),
            deletes: Mutex::default(),
            lists: Mutex::default(),
            delegated_admin: Some(ADMIN.into()),
            unreachable: false,
            unreachable_accounts: BTreeSet::new(),
            delete_is_ignored: false,
            deleted_concurrently: false,
            forwarding: BTreeMap::new(),
            applications_denied: BTreeSet::new(),
            also_listed: Vec::new(),
            delete_in_progress_elsewhere: false,
            gives_way: false,
        }
    }
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

impl Instances {
    async fn give_way(&self) {
        if self.gives_way {
            give_way().await;
        }
    }
}

impl InstancePort for Instances {
    async fn list_instances(
        &self,
        account_id: &str,
        region: &str,
    ) -> Result<Vec<Instance>, PortError> {
        self.give_way().await;
        *self.lists.lock().map_err(lock_err)? += 1;
        if self.unreachable || self.unreachable_accounts.contains(account_id) {
            return Err(PortError::new(
                PortErrorKind::Unreachable,
                "AssumeRole",
                "role missing",
            ));
        }
        let sees_org_instance = self.delegated_admin.as_deref() == Some(account_id);
        let live = self.live.lock().map_err(lock_err)?;
        // Visible: the account's own instances, and the org instance for the delegated admin;
        // applications and tags are not part of a listing.
        Ok(live
            .iter()
            .filter(|i| i.region == region)
            .filter(|i| {
                i.owner_account_id == account_id
                    || (sees_org_instance && i.owner_account_id == MGMT)
            })
            .chain(self.also_listed.iter().filter(|i| i.region == region))
            .map(|i| Instance {
                application_count: None,
                tags: None,
                ..i.clone()
            })
            .collect())
    }
    async fn applications(
        &self,
        account_id: &str,
        _: &str,
        arn: &str,
    ) -> Result<Vec<BoundApp>, PortError> {
        self.give_way().await;
        if self.applications_denied.contains(account_id) {
            return Err(PortError::new(
                PortErrorKind::AccessDenied,
                "ListApplications",
                "AccessDeniedException: explicit deny in a permissions boundary",
            ));
        }
        let live = self.live.lock().map_err(lock_err)?;
        let Some(instance) = live.iter().find(|i| i.instance_arn == arn) else {
            return Ok(vec![]);
        };
        // The instance's own list when a test gave one, else as many as it counts.
        Ok(instance.applications.clone().unwrap_or_else(|| {
            (0..instance.application_count.unwrap_or(0))
                .map(|k| BoundApp {
                    application_arn: format!("{arn}/apl-{k:016}"),
                    name: format!("app-{k}"),
                    provider_arn: "arn:aws:sso::aws:applicationProvider/custom".into(),
                    provider_name: None,
                    status: "ENABLED".into(),
                    users: None,
                    groups: None,
                    principals: vec![],
                })
                .collect()
        }))
    }
    async fn tags(
        &self,
        _: &str,
        _: &str,
        arn: &str,
    ) -> Result<BTreeMap<String, String>, PortError> {
        self.give_way().await;
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
    ) -> Result<DeleteReply, PortError> {
        self.give_way().await;
        self.deletes.lock().map_err(lock_err)?.push(arn.to_owned());
        let mut live = self.live.lock().map_err(lock_err)?;
        let Some(pos) = live.iter().position(|i| i.instance_arn == arn) else {
            return Ok(DeleteReply::NotFound);
        };
        if self.deleted_concurrently {
            live.remove(pos);
            return Err(PortError::new(
                PortErrorKind::AccessDenied,
                "DeleteInstance",
                "AccessDeniedException: not authorized",
            ));
        }
        if self.delete_in_progress_elsewhere {
            live[pos].status = idc_core::InstanceStatus::DeleteInProgress;
            return Err(PortError::new(
                PortErrorKind::Conflict,
                "DeleteInstance",
                "ConflictException: the instance is being deleted",
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
        Ok(DeleteReply::Accepted)
    }
}

impl MemberWatch for Instances {
    async fn forwarding_rule(
        &self,
        account_id: &str,
        _region: &str,
        _rule_name: &str,
    ) -> Result<ForwardingRule, PortError> {
        if self.unreachable || self.unreachable_accounts.contains(account_id) {
            return Err(PortError::new(
                PortErrorKind::Unreachable,
                "AssumeRole",
                "role missing",
            ));
        }
        Ok(self
            .forwarding
            .get(account_id)
            .cloned()
            .unwrap_or(ForwardingRule::Enabled))
    }
}
