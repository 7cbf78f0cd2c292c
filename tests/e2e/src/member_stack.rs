//! The guardrail's parts in member accounts and the organization's policies, as the deployment
//! guide sets them up: the forwarding rule the member stack creates in every Region, and the
//! service control policy that keeps the exemption tag from the members (the shipped file,
//! attached to the root). Tests take them apart the way a member administrator would.

use anyhow::{anyhow, Context, Result};
use aws_sdk_organizations::types::{PolicyType, PolicyTypeStatus};
use idc_core::settings::FORWARDING_RULE_NAME;

use crate::world::{World, HOME_REGION, OTHER_REGION};

/// The tag key the shipped `protect-exempt-tag.json` names, and its file.
const SHIPPED_TAG_KEY: &str = "idc-guardrail-exempt";
const PROTECT_EXEMPT_TAG: &str = "infra/scp/protect-exempt-tag.json";

impl World {
    /// A new member `name` with the member stack in both Regions and an account instance in
    /// the other Region, for the sweep and the worker to find: (account, instance ARN).
    pub async fn member_with_instance(&self, name: &str) -> Result<(String, String)> {
        let member = self.create_member(name).await?;
        self.deploy_member_stack(&member, &[HOME_REGION, OTHER_REGION])
            .await?;
        let arn = self.create_instance(&member, OTHER_REGION, &[]).await?;
        Ok((member, arn))
    }

    /// What the member stack creates in `account`: the forwarding rule of `CreateInstance`
    /// events on the default bus of each Region, enabled.
    pub async fn deploy_member_stack(&self, account: &str, regions: &[&str]) -> Result<()> {
        for region in regions {
            let events = aws_sdk_eventbridge::Client::new(&self.as_account(account, region).await?);
            events
                .put_rule()
                .name(FORWARDING_RULE_NAME)
                .event_pattern(
                    r#"{"source":["aws.sso"],"detail-type":["AWS API Call via CloudTrail"],"detail":{"eventSource":["sso.amazonaws.com"],"eventName":["CreateInstance"]}}"#,
                )
                .state(aws_sdk_eventbridge::types::RuleState::Enabled)
                .send()
                .await
                .with_context(|| format!("PutRule in {account} {region}"))?;
        }
        Ok(())
    }

    /// What a member administrator does to blind the guardrail: `DisableRule` on the
    /// forwarding rule in `region`.
    pub async fn disable_forwarding_rule(&self, account: &str, region: &str) -> Result<()> {
        aws_sdk_eventbridge::Client::new(&self.as_account(account, region).await?)
            .disable_rule()
            .name(FORWARDING_RULE_NAME)
            .send()
            .await
            .context("DisableRule")?;
        Ok(())
    }

    /// Creates the shipped SCP that protects the exemption tag `key` and, with `attach`, attaches
    /// it to the organization's root; returns its id (for `EXEMPT_TAG_POLICY_ID`).
    pub async fn protect_exempt_tag(&self, key: &str, attach: bool) -> Result<String> {
        let shipped = std::fs::read_to_string(crate::repo_root().join(PROTECT_EXEMPT_TAG))
            .with_context(|| format!("reading {PROTECT_EXEMPT_TAG}"))?;
        let orgs = aws_sdk_organizations::Client::new(&self.sdk);
        let roots = orgs.list_roots().send().await.context("ListRoots")?;
        let root = roots.roots().first().ok_or_else(|| anyhow!("no root"))?;
        let root_id = root
            .id()
            .ok_or_else(|| anyhow!("root without id"))?
            .to_owned();
        let enabled = root.policy_types().iter().any(|t| {
            t.r#type() == Some(&PolicyType::ServiceControlPolicy)
                && t.status() == Some(&PolicyTypeStatus::Enabled)
        });
        if !enabled {
            orgs.enable_policy_type()
                .root_id(&root_id)
                .policy_type(PolicyType::ServiceControlPolicy)
                .send()
                .await
                .context("EnablePolicyType")?;
        }
        let policy = orgs
            .create_policy()
            .name(format!("protect-exempt-tag-{key}-{attach}"))
            .description("idc-guardrail: only the security team sets the exemption tag")
            .r#type(PolicyType::ServiceControlPolicy)
            .content(shipped.replace(SHIPPED_TAG_KEY, key))
            .send()
            .await
            .context("CreatePolicy")?;
        let id = policy
            .policy()
            .and_then(|p| p.policy_summary())
            .and_then(|s| s.id())
            .ok_or_else(|| anyhow!("CreatePolicy gave no id"))?
            .to_owned();
        if attach {
            orgs.attach_policy()
                .policy_id(&id)
                .target_id(&root_id)
                .send()
                .await
                .context("AttachPolicy")?;
        }
        Ok(id)
    }
}
