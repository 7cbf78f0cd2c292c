//! sso-admin, acting as the account that owns the instances.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_ssoadmin::types::{InstanceMetadata, InstanceStatus as SdkStatus};
use chrono::{DateTime, Utc};
use idc_core::migration::BoundApp;
use idc_core::ports::{DeleteReply, InstancePort, PortError, PortErrorKind};
use idc_core::{Instance, InstanceStatus};

use crate::applications::bound_apps;
use crate::errors::port_error;
use crate::guard::ManagementGuard;
use crate::sessions::MemberSessions;

/// How often `DeleteInstance` is retried on ConflictException or throttling, and the first wait.
const DELETE_ATTEMPTS: u32 = 5;
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

pub struct SsoAdminInstances {
    sessions: MemberSessions,
    guard: ManagementGuard,
    first_backoff: Duration,
}

impl SsoAdminInstances {
    /// Every delete first passes `guard`.
    pub fn new(sessions: MemberSessions, guard: ManagementGuard) -> Self {
        SsoAdminInstances {
            sessions,
            guard,
            first_backoff: FIRST_BACKOFF,
        }
    }

    /// The member sessions, for the other member-side adapters.
    pub(crate) fn sessions(&self) -> &MemberSessions {
        &self.sessions
    }

    /// Shorter waits, for tests against the local emulator.
    pub fn with_first_backoff(mut self, first_backoff: Duration) -> Self {
        self.first_backoff = first_backoff;
        self
    }
}

impl InstancePort for SsoAdminInstances {
    async fn list_instances(
        &self,
        account_id: &str,
        region: &str,
    ) -> Result<Vec<Instance>, PortError> {
        let client = self.sessions.ssoadmin(account_id, region).await;
        let pages: Result<Vec<InstanceMetadata>, _> = client
            .list_instances()
            .into_paginator()
            .items()
            .send()
            .collect()
            .await;
        let metadata = pages.map_err(|e| port_error("ListInstances", e))?;
        Ok(metadata
            .into_iter()
            .filter_map(|m| instance_from(m, region))
            .collect())
    }

    async fn applications(
        &self,
        account_id: &str,
        region: &str,
        instance_arn: &str,
    ) -> Result<Vec<BoundApp>, PortError> {
        let client = self.sessions.ssoadmin(account_id, region).await;
        let (apps, unread) = bound_apps(&client, instance_arn, None).await?;
        for detail in unread {
            tracing::warn!(instance_arn, detail = %detail, "not read: the migration plan stays short");
        }
        Ok(apps)
    }

    async fn tags(
        &self,
        account_id: &str,
        region: &str,
        instance_arn: &str,
    ) -> Result<BTreeMap<String, String>, PortError> {
        let client = self.sessions.ssoadmin(account_id, region).await;
        let tags: Result<Vec<_>, _> = client
            .list_tags_for_resource()
            .resource_arn(instance_arn)
            .into_paginator()
            .items()
            .send()
            .collect()
            .await;
        let tags = tags.map_err(|e| port_error("ListTagsForResource", e))?;
        Ok(tags.into_iter().map(|t| (t.key, t.value)).collect())
    }

    async fn delete_instance(
        &self,
        account_id: &str,
        region: &str,
        instance_arn: &str,
    ) -> Result<DeleteReply, PortError> {
        self.guard.allow_delete(account_id).await?;
        let client = self.sessions.ssoadmin(account_id, region).await;
        let mut wait = self.first_backoff;
        let mut attempt = 1;
        loop {
            let error = match client
                .delete_instance()
                .instance_arn(instance_arn)
                .send()
                .await
            {
                Ok(_) => return Ok(DeleteReply::Accepted),
                Err(e) => port_error("DeleteInstance", e),
            };
            match error.kind {
                PortErrorKind::NotFound => return Ok(DeleteReply::NotFound),
                PortErrorKind::Conflict | PortErrorKind::Throttled if attempt < DELETE_ATTEMPTS => {
                    tracing::warn!(instance_arn, attempt, wait_ms = wait.as_millis() as u64, error = %error, "DeleteInstance will be retried");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                    attempt += 1;
                }
                _ => return Err(error),
            }
        }
    }
}

fn instance_from(m: InstanceMetadata, region: &str) -> Option<Instance> {
    Some(Instance {
        instance_arn: m.instance_arn?,
        // Kept without an owner (empty): the rules then never take it for the account's, nor
        // take the event's instance for gone.
        owner_account_id: m.owner_account_id.unwrap_or_default(),
        region: region.to_owned(),
        status: match m.status {
            Some(SdkStatus::Active) => InstanceStatus::Active,
            Some(SdkStatus::CreateInProgress) => InstanceStatus::CreateInProgress,
            Some(SdkStatus::DeleteInProgress) => InstanceStatus::DeleteInProgress,
            Some(other) => InstanceStatus::Other(other.as_str().to_owned()),
            // ListInstances always reports a status; without one, nothing is assumed deletable.
            None => InstanceStatus::Other("UNKNOWN".into()),
        },
        created_date: m
            .created_date
            .and_then(|d| DateTime::<Utc>::from_timestamp(d.secs(), d.subsec_nanos())),
        application_count: None,
        tags: None,
        status_reason: m.status_reason,
        applications: None,
    })
}
