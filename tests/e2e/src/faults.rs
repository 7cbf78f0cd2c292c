//! Shared setup and checks of the fault tests (`tests/faults_*.rs`): the trap each Lambda is
//! deployed for, the rules that fault one step of a deletion's lifecycle, and the three things
//! every such test asserts — what the security team received, how the invocation ended, and
//! what is left in the emulator.

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

use crate::events;
use crate::proxy::{RuleBuilder, Seen};
use crate::runtime::Invocation;
use crate::world::{Received, World, HOME_REGION, OTHER_REGION};

/// Deletion enabled: the setting under which a fault can cost an instance.
pub const AUTO: (&str, &str) = ("AUTO_REMEDIATE", "true");

/// The response of an invocation that must have succeeded.
pub fn ok(invocation: Invocation) -> Result<Value> {
    match invocation {
        Invocation::Ok(value) => Ok(value),
        Invocation::Error(error) => bail!("the invocation must succeed, it failed: {error}"),
    }
}

/// The error of an invocation that must have failed with `error_type`
/// (`IdcGuardrail.PublishFailed`, `IdcGuardrail.Incomplete`, ...).
pub fn failed_with(invocation: Invocation, error_type: &str) -> Result<String> {
    match invocation {
        Invocation::Error(error) if error.contains(error_type) => Ok(error),
        Invocation::Error(error) => {
            bail!("expected {error_type}, the invocation failed with: {error}")
        }
        Invocation::Ok(value) => bail!("expected {error_type}, the invocation succeeded: {value}"),
    }
}

/// `remediation.status` of each message, in order.
pub fn statuses(findings: &[Received]) -> Vec<&str> {
    findings.iter().map(Received::status).collect()
}

/// A `Publish` of a finding whose `remediation.status` is `status`. The query protocol
/// percent-encodes the message; the proxy also matches the decoded body, so the JSON is named
/// as it is written (`"status":"deleted"` does not match a `deleting` announcement).
pub fn publish_of(status: &str) -> RuleBuilder {
    crate::proxy::Rule::on("Publish")
        .service("sns")
        .body_contains(&format!(r#""status":"{status}""#))
}

/// How many requests of `operation` the proxy saw before the first `DeleteInstance`
/// (all of them when there was none).
pub fn seen_before_delete(log: &[Seen], operation: &str) -> usize {
    log.iter()
        .take_while(|s| s.operation != "DeleteInstance")
        .filter(|s| s.operation == operation)
        .count()
}

/// The notices of an incomplete look among the messages received.
pub fn notices(messages: &[Received]) -> Vec<&Received> {
    messages
        .iter()
        .filter(|m| m.message_type() == "incomplete")
        .collect()
}

/// Status that new instances get from `CreateInstance`; with `active_after_reads`, they turn
/// ACTIVE after that many reads.
pub fn set_create_status(
    world: &World,
    status: &str,
    active_after_reads: Option<u32>,
) -> Result<()> {
    let mut body = json!({ "status": status });
    if let Some(n) = active_after_reads {
        body["active_after_reads"] = json!(n);
    }
    world
        .emulator
        .post("/idc-guardrail/create-instance-status", &body)
        .map(drop)
}

/// The CreatedDate the emulator reports for an instance, in epoch seconds (any value, even one
/// no calendar library can represent).
pub fn set_created_epoch(world: &World, instance_arn: &str, epoch_seconds: i64) -> Result<()> {
    world
        .emulator
        .post(
            "/idc-guardrail/instance-created-date",
            &json!({ "instance_arn": instance_arn, "created_date": epoch_seconds }),
        )
        .map(drop)
}

/// An account instance that one of the event functions must delete, and the event that
/// reports it.
pub struct Trap {
    /// The function deployed for the event: `on-create-instance` or `on-org-event`.
    pub function: &'static str,
    pub account: String,
    pub region: &'static str,
    pub instance_arn: String,
    pub event: Value,
}

/// Which event function a [`Trap`] is set for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `on-create-instance`: a member creates an account instance (IDC001).
    CreateInstance,
    /// `on-org-event`: an account holding one becomes delegated administrator (IDC002).
    OrgEvent,
}

impl Trap {
    pub async fn new(world: &World, via: Via, name: &str) -> Result<Trap> {
        match via {
            Via::CreateInstance => Trap::created(world, name).await,
            Via::OrgEvent => Trap::delegated_admin(world, name).await,
        }
    }

    /// A member's fresh account instance (IDC001), reported by its `CreateInstance`.
    pub async fn created(world: &World, name: &str) -> Result<Trap> {
        Trap::created_tagged(world, name, &[]).await
    }

    /// As [`Trap::created`], the instance created with `tags` (as the member may).
    pub async fn created_tagged(world: &World, name: &str, tags: &[(&str, &str)]) -> Result<Trap> {
        let account = world.create_member(name).await?;
        let instance_arn = world.create_instance(&account, OTHER_REGION, tags).await?;
        let event = events::create_instance(
            &account,
            OTHER_REGION,
            Some(&instance_arn),
            &format!("ev-{name}"),
        )?;
        Ok(Trap {
            function: "on-create-instance",
            account,
            region: OTHER_REGION,
            instance_arn,
            event,
        })
    }

    /// An account holding an account instance registered as the Identity Center delegated
    /// administrator (IDC002, "two instances in one Region"), reported by the registration.
    pub async fn delegated_admin(world: &World, name: &str) -> Result<Trap> {
        let account = world.create_member(name).await?;
        let instance_arn = world.create_instance(&account, HOME_REGION, &[]).await?;
        world.register_sso_admin(&account).await?;
        let event =
            events::register_delegated_admin(&world.management, &account, &format!("ev-{name}"))?;
        Ok(Trap {
            function: "on-org-event",
            account,
            region: HOME_REGION,
            instance_arn,
            event,
        })
    }

    pub async fn exists(&self, world: &World) -> Result<bool> {
        world
            .exists(&self.account, self.region, &self.instance_arn)
            .await
    }

    /// The rule the trap leads to.
    pub fn rule(&self) -> &'static str {
        match self.function {
            "on-org-event" => "IDC002",
            _ => "IDC001",
        }
    }
}

/// The one id all `findings` share; an error when there are none or several.
pub fn one_id(findings: &[Received]) -> Result<String> {
    let first = findings
        .first()
        .ok_or_else(|| anyhow!("no finding was received"))?;
    if let Some(other) = findings.iter().find(|f| f.id() != first.id()) {
        bail!(
            "one finding id expected, got {} and {}",
            first.id(),
            other.id()
        );
    }
    Ok(first.id().to_owned())
}

/// The messages, as JSON, for an assertion's message.
pub fn show(findings: &[Received]) -> String {
    findings
        .iter()
        .map(|f| {
            format!(
                "{} seq={} {} {}: {}",
                f.id(),
                f.sequence(),
                f.rule(),
                f.status(),
                f.finding["remediation"]["detail"]
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The `remediation.detail` of a finding.
pub fn detail(finding: &Received) -> Result<&str> {
    finding.finding["remediation"]["detail"]
        .as_str()
        .context("the finding has no remediation.detail")
}
