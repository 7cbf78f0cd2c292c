//! The latest word is true through odd but legal AWS answers, with the real Lambda binaries
//! behind the fault proxy: a listing that shows the event's instance as another account's is
//! not "gone", a one-off "not in an organization" is not an all-clear, and the management-
//! account guard does not remember such an answer; a conflict with a deletion under way is
//! `deleted` in every function.

use anyhow::{bail, Result};
use idc_core::ports::{InstancePort, OrganizationPort, PortErrorKind};
use idc_e2e::events::{scheduled_sweep, sweep_task};
use idc_e2e::faults::{failed_with, show, statuses, Trap, Via, AUTO};
use idc_e2e::proxy::{Fault, Rule};
use idc_e2e::runtime::LambdaFunction;
use idc_e2e::world::{World, HOME_REGION};
use serde_json::{json, Value};

/// A listing of the member's Region that shows its instance owned by `owner` (or by nobody).
fn listed_as(instance_arn: &str, owner: Option<&str>) -> Fault {
    let mut instance = json!({"InstanceArn": instance_arn, "Status": "ACTIVE",
                              "IdentityStoreId": "d-1234567890"});
    if let Some(owner) = owner {
        instance["OwnerAccountId"] = json!(owner);
    }
    Fault::Respond {
        status: 200,
        body: json!({"Instances": [instance]}).to_string(),
    }
}

#[tokio::test]
async fn an_instance_listed_as_another_accounts_is_not_identified_never_gone() -> Result<()> {
    let world = World::start().await?;
    for (name, owner) in [("other-owner", Some("999999999999")), ("no-owner", None)] {
        let trap = Trap::created(&world, name).await?;
        let function = LambdaFunction::start(trap.function, &world.lambda_env(&[AUTO]))?;
        world
            .proxy()
            .inject(Rule::on("ListInstances").fault(listed_as(&trap.instance_arn, owner)));
        failed_with(function.invoke(&trap.event)?, "IdcGuardrail.Incomplete")?;
        world.proxy().clear();
        assert!(trap.exists(&world).await?, "{name}");
        assert_eq!(world.proxy().count("DeleteInstance"), 0, "{name}");
        let all = world.all_findings().await?;
        // Reported, held at dry_run, never `already_deleted`.
        assert_eq!(statuses(&all), vec!["dry_run"], "{name}: {}", show(&all));
        assert!(all[0].finding["remediation"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("owned by")));
    }
    Ok(())
}

/// Organizations answers once that the guardrail's account is in no organization.
fn not_in_use_once() -> Rule {
    Rule::on("DescribeOrganization")
        .times(1)
        .fault(Fault::Error {
            status: 400,
            code: "AWSOrganizationsNotInUseException".into(),
        })
}

/// One "not in an organization" answer, in a fresh container, to an event that proves the
/// organization (an Organizations event; a member's event on the central bus): neither IDC003
/// nor an all-clear, the invocation fails, and its retry deletes as it should.
#[tokio::test]
async fn a_one_off_not_in_use_answer_is_no_idc003_and_no_all_clear() -> Result<()> {
    let world = World::start().await?;
    for via in [Via::OrgEvent, Via::CreateInstance] {
        let trap = Trap::new(&world, via, &format!("glitch-{via:?}").to_lowercase()).await?;
        let function = LambdaFunction::start(trap.function, &world.lambda_env(&[AUTO]))?;
        world.proxy().inject(not_in_use_once());
        failed_with(function.invoke(&trap.event)?, "IdcGuardrail.GatherFailed")?;
        let messages = world.messages().await?;
        assert!(
            messages.iter().all(|m| m.message_type() != "all_clear"),
            "{via:?}: no all-clear from one contradicting answer"
        );
        assert!(messages.iter().all(|m| m.rule() != "IDC003"), "{via:?}");
        assert!(trap.exists(&world).await?);
        let retried = function.invoke(&trap.event)?;
        assert!(
            matches!(retried, idc_e2e::runtime::Invocation::Ok(_)),
            "{via:?}: {retried:?}"
        );
        assert!(!trap.exists(&world).await?, "{via:?}");
    }
    Ok(())
}

/// A container whose first `DescribeOrganization` answered "not in use" does not keep that
/// answer: the guard before `DeleteInstance` asks again, and a later contradiction of a known
/// organization is an error, not a fact.
#[tokio::test]
async fn the_guard_never_keeps_a_not_in_use_answer() -> Result<()> {
    let world = World::start().await?;
    let organizations = idc_aws::organizations::Organizations::from_config(world.guardrail_sdk());
    let instances = idc_aws::clients::member_instances(
        world.guardrail_sdk(),
        &organizations,
        idc_core::settings::DEFAULT_MEMBER_ROLE_NAME,
        None,
    );
    world.proxy().inject(not_in_use_once());
    assert_eq!(organizations.describe_organization().await?, None);
    assert_eq!(organizations.management_account_answered(), None);
    match instances
        .delete_instance(&world.management, HOME_REGION, &world.org_instance_arn)
        .await
    {
        Err(error) if error.kind == PortErrorKind::AccessDenied => {
            assert!(error.message.contains("management account"), "{error}")
        }
        other => bail!("the organization instance must be refused, got {other:?}"),
    }
    assert!(world
        .instances(&world.management, HOME_REGION)
        .await?
        .iter()
        .any(|(arn, _)| *arn == world.org_instance_arn));
    // Now that an organization is known, "not in use" contradicts it.
    world.proxy().inject(not_in_use_once());
    assert!(organizations.describe_organization().await.is_err());
    Ok(())
}

/// AWS deletes asynchronously. A `DeleteInstance` whose answer is lost is sent again by the
/// SDK and meets the first request's deletion under way (`ConflictException`); the listing then
/// shows `DELETE_IN_PROGRESS`, which is `deleted`, as the success branch reads it — not `failed`.
/// Runs `function` on `event` so, and checks the latest word about `instance_arn`.
async fn conflict_is_deleted(
    world: &World,
    function: &str,
    event: &Value,
    instance_arn: &str,
) -> Result<()> {
    world.emulator.post(
        "/idc-guardrail/delete-in-progress-reads",
        &json!({"reads": 3}),
    )?;
    let lambda = LambdaFunction::start(function, &world.lambda_env(&[AUTO]))?;
    world
        .proxy()
        .inject(Rule::on("DeleteInstance").times(1).fault(Fault::LoseAnswer));
    let before = world.proxy().count("DeleteInstance");
    let answer = lambda.invoke(event)?;
    assert!(
        !answer.failed(),
        "{function}: {answer:?}\n{}",
        lambda.logs()
    );
    assert!(
        world.proxy().count("DeleteInstance") >= before + 2,
        "{function}: the SDK sent it again"
    );
    world.proxy().clear();
    let about: Vec<_> = world
        .all_findings()
        .await?
        .into_iter()
        .filter(|f| f.finding["instance_arn"] == instance_arn)
        .collect();
    assert_eq!(
        statuses(&about),
        vec!["deleting", "deleted"],
        "{function}: {}",
        show(&about)
    );
    Ok(())
}

#[tokio::test]
async fn a_conflict_with_a_deletion_in_progress_is_deleted_not_failed() -> Result<()> {
    let world = World::start().await?;
    for via in [Via::CreateInstance, Via::OrgEvent] {
        let trap = Trap::new(&world, via, &format!("async-{via:?}").to_lowercase()).await?;
        conflict_is_deleted(&world, trap.function, &trap.event, &trap.instance_arn).await?;
    }

    let (_, arn) = world.member_with_instance("async-sweep").await?;
    conflict_is_deleted(&world, "sweep", &scheduled_sweep(&world.management)?, &arn).await?;

    let (member, arn) = world.member_with_instance("async-worker").await?;
    let task = sweep_task("sweep-async", &member);
    conflict_is_deleted(&world, "sweep-worker", &task, &arn).await?;
    Ok(())
}

/// An instance AWS does not list yet, seconds after its `CreateInstance`: absence is proven
/// against time, not a count of listings. No word is published about it, the invocation fails
/// (Lambda's retry looks again), and the notice of an incomplete look says why.
#[tokio::test]
async fn an_instance_not_listed_yet_is_not_gone() -> Result<()> {
    let world = World::start().await?;
    let mut trap = Trap::created(&world, "listed-late").await?;
    trap.event["detail"]["eventTime"] = json!(chrono::Utc::now().to_rfc3339());
    let function = LambdaFunction::start(trap.function, &world.lambda_env(&[AUTO]))?;
    world
        .proxy()
        .inject(Rule::on("ListInstances").fault(Fault::Respond {
            status: 200,
            body: r#"{"Instances": []}"#.into(),
        }));
    failed_with(function.invoke(&trap.event)?, "IdcGuardrail.Incomplete")?;
    assert!(trap.exists(&world).await?);
    assert_eq!(world.proxy().count("DeleteInstance"), 0);
    let messages = world.messages().await?;
    assert!(
        messages.iter().all(|m| m.message_type() != "finding"),
        "no word about the instance"
    );
    let notice = messages
        .iter()
        .find(|m| m.message_type() == "incomplete")
        .map(|m| m.finding.to_string())
        .unwrap_or_default();
    assert!(notice.contains("not listed yet"), "{notice}");
    Ok(())
}
