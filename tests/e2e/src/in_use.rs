//! An account instance still in use, as the migration plan meets it: Amazon QuickSight and
//! Amazon Q Developer bound to it, a few users and a group in its identity store, assigned to
//! them, and QuickSight subscribed with it — all made through the real API (sso-admin,
//! identitystore, quicksight) acting as the member.

use anyhow::{anyhow, Context, Result};
use aws_sdk_identitystore::types::{Email, Name};
use aws_sdk_ssoadmin::types::PrincipalType;

use crate::world::World;

/// What was planted, for the checks.
pub struct InUse {
    pub instance_arn: String,
    pub quicksight_arn: String,
    pub q_developer_arn: String,
    pub users: Vec<String>,
    pub group: String,
}

const QUICKSIGHT: &str = "arn:aws:sso::aws:applicationProvider/quicksight";
const Q_DEVELOPER: &str = "arn:aws:sso::aws:applicationProvider/codewhisperer";

impl World {
    /// Binds QuickSight and Q Developer to `instance_arn` of `account` in `region`: three users
    /// and a group in its identity store; QuickSight assigned to two users and the group, Q
    /// Developer to the third user; QuickSight subscribed with this instance.
    pub async fn plant_in_use(
        &self,
        account: &str,
        region: &str,
        instance_arn: &str,
    ) -> Result<InUse> {
        let config = self.as_account(account, region).await?;
        let sso = aws_sdk_ssoadmin::Client::new(&config);
        let described = sso
            .describe_instance()
            .instance_arn(instance_arn)
            .send()
            .await
            .context("DescribeInstance")?;
        let store = described
            .identity_store_id()
            .ok_or_else(|| anyhow!("the instance names no identity store"))?
            .to_owned();
        let ids = aws_sdk_identitystore::Client::new(&config);
        let mut users = Vec::new();
        for name in ["alice", "bob", "carol"] {
            let user = ids
                .create_user()
                .identity_store_id(&store)
                .user_name(name)
                .display_name(name)
                .name(
                    Name::builder()
                        .given_name(name)
                        .family_name("Example")
                        .build(),
                )
                .emails(
                    Email::builder()
                        .value(format!("{name}@example.com"))
                        .primary(true)
                        .build(),
                )
                .send()
                .await
                .context("CreateUser")?;
            users.push(user.user_id().to_owned());
        }
        let group = ids
            .create_group()
            .identity_store_id(&store)
            .display_name("analysts")
            .send()
            .await
            .context("CreateGroup")?
            .group_id()
            .to_owned();
        let app = |provider: &'static str, name: String| {
            let sso = sso.clone();
            async move {
                sso.create_application()
                    .instance_arn(instance_arn)
                    .application_provider_arn(provider)
                    .name(name)
                    .send()
                    .await
                    .context("CreateApplication")?
                    .application_arn()
                    .map(str::to_owned)
                    .ok_or_else(|| anyhow!("CreateApplication gave no ARN"))
            }
        };
        let quicksight_arn = app(QUICKSIGHT, "QuickSight".to_owned()).await?;
        let q_developer_arn = app(Q_DEVELOPER, format!("QDevProfile-{region}")).await?;
        let assign = [
            (&quicksight_arn, &users[0], PrincipalType::User),
            (&quicksight_arn, &users[1], PrincipalType::User),
            (&quicksight_arn, &group, PrincipalType::Group),
            (&q_developer_arn, &users[2], PrincipalType::User),
        ];
        for (application, principal, kind) in assign {
            sso.create_application_assignment()
                .application_arn(application)
                .principal_id(principal)
                .principal_type(kind)
                .send()
                .await
                .context("CreateApplicationAssignment")?;
        }
        aws_sdk_quicksight::Client::new(&config)
            .create_account_subscription()
            .aws_account_id(account)
            .account_name(format!("team-{account}"))
            .notification_email("bi-team@example.com")
            .authentication_method(
                aws_sdk_quicksight::types::AuthenticationMethodOption::IamIdentityCenter,
            )
            .edition(aws_sdk_quicksight::types::Edition::Enterprise)
            .admin_group("analysts")
            .iam_identity_center_instance_arn(instance_arn)
            .send()
            .await
            .context("CreateAccountSubscription")?;
        Ok(InUse {
            instance_arn: instance_arn.to_owned(),
            quicksight_arn,
            q_developer_arn,
            users,
            group,
        })
    }
}

impl World {
    /// Runs the `idc-guard` CLI against this world (its endpoint and credentials only): the
    /// exit code, stdout and stderr.
    pub fn idc_guard(&self, args: &[&str]) -> Result<(i32, String, String)> {
        let out = std::process::Command::new(crate::runtime::binary("idc-guard")?)
            .args(args)
            .env_clear()
            .envs(self.lambda_env(&[]))
            .output()
            .context("cannot run idc-guard")?;
        Ok((
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ))
    }
}
