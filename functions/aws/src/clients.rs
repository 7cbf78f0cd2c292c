//! The one builder of clients, used by the Lambda wiring and the command line alike: one
//! `SdkConfig` shared by every client, and sso-admin in member accounts behind the
//! management-account guard.

use std::time::Duration;

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};

use crate::guard::ManagementGuard;
use crate::https::https_client;
use crate::organizations::Organizations;
use crate::sessions::MemberSessions;
use crate::ssoadmin::SsoAdminInstances;

/// The SDK configuration every client shares: Region and credentials from the environment
/// (`AWS_ENDPOINT_URL` points the SDK at a local emulator), with bounded timeouts, and one
/// HTTPS client for all (its root certificates loaded off the cold start's path: see
/// [`crate::https`]).
pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_secs(10))
                .operation_timeout(Duration::from_secs(30))
                .build(),
        )
        .load()
        .await
}

/// sso-admin in member accounts (assuming `member_role_name` there), every delete guarded
/// against the management account as `organizations` names it (`management_setting` stands in
/// only when Organizations cannot be asked). Give it the guardrail's own `Organizations`, so
/// that the guard reads the answer the facts already got.
pub fn member_instances(
    base: &SdkConfig,
    organizations: &Organizations,
    member_role_name: &str,
    management_setting: Option<&str>,
) -> SsoAdminInstances {
    SsoAdminInstances::new(
        MemberSessions::new(base.clone(), member_role_name),
        ManagementGuard::new(organizations.clone(), management_setting.map(str::to_owned)),
    )
}
