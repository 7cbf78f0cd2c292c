//! What the sweep checks of the guardrail's own parts in a member account, through the member
//! role: the forwarding rule of `CreateInstance` events on the default bus.

use aws_sdk_eventbridge::types::RuleState;
use idc_core::ports::{ForwardingRule, MemberWatch, PortError, PortErrorKind};

use crate::errors::port_error;
use crate::ssoadmin::SsoAdminInstances;

impl MemberWatch for SsoAdminInstances {
    async fn forwarding_rule(
        &self,
        account_id: &str,
        region: &str,
        rule_name: &str,
    ) -> Result<ForwardingRule, PortError> {
        let client = self.sessions().eventbridge(account_id, region).await;
        match client.describe_rule().name(rule_name).send().await {
            Ok(rule) => Ok(match rule.state {
                Some(RuleState::Enabled) => ForwardingRule::Enabled,
                Some(state) => ForwardingRule::NotEnabled(state.as_str().to_owned()),
                None => ForwardingRule::NotEnabled("UNKNOWN".into()),
            }),
            Err(e) => {
                let error = port_error("DescribeRule", e);
                if error.kind == PortErrorKind::NotFound {
                    Ok(ForwardingRule::Missing)
                } else {
                    Err(error)
                }
            }
        }
    }
}
