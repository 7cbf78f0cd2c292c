//! `MANAGEMENT_ACCOUNT_ID` that contradicts Organizations, and Organizations that cannot be
//! asked: the Lambdas refuse to start with a wrong value, and the sso-admin adapter itself —
//! the last step before `DeleteInstance` — never deletes in the account Organizations names as
//! management, nor anywhere while that account cannot be named.

use anyhow::{bail, Result};
use idc_core::ports::{DeleteReply, InstancePort, PortError, PortErrorKind};
use idc_e2e::proxy::{Fault, Rule};
use idc_e2e::runtime::cold_start_failure;
use idc_e2e::world::{World, HOME_REGION, OTHER_REGION};

/// The adapter as the Lambdas build it, through the proxy, with these variables.
fn adapter(world: &World, vars: &[(&str, &str)]) -> Result<idc_aws::ssoadmin::SsoAdminInstances> {
    let settings = world.settings(vars)?;
    Ok(idc_aws::clients::member_instances(
        world.guardrail_sdk(),
        &idc_aws::organizations::Organizations::from_config(world.guardrail_sdk()),
        &settings.member_role_name,
        settings.guardrail.management_account_id.as_deref(),
    ))
}

fn refused(answer: Result<DeleteReply, PortError>) -> Result<PortError> {
    match answer {
        Err(error) if error.kind == PortErrorKind::AccessDenied => Ok(error),
        other => bail!("the delete must be refused by the guardrail, got {other:?}"),
    }
}

#[tokio::test]
async fn a_member_named_as_management_fails_the_cold_start() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("not-management").await?;
    let env = world.lambda_env(&[("MANAGEMENT_ACCOUNT_ID", &member)]);
    for function in ["sweep", "on-create-instance"] {
        let (status, logs) = cold_start_failure(function, &env)?;
        assert!(!status.success(), "{function} must not start");
        assert!(
            logs.contains("MANAGEMENT_ACCOUNT_ID") && logs.contains("invalid configuration"),
            "{function}: {logs}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_adapter_never_deletes_the_organization_instance() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("pretender").await?;
    // Wrong (a member named as management) and right: Organizations' answer decides.
    for setting in [member.as_str(), world.management.as_str()] {
        let instances = adapter(&world, &[("MANAGEMENT_ACCOUNT_ID", setting)])?;
        let error = refused(
            instances
                .delete_instance(&world.management, HOME_REGION, &world.org_instance_arn)
                .await,
        )?;
        assert!(
            error.message.contains("management account"),
            "{setting}: {error}"
        );
    }
    assert_eq!(world.proxy().count("DeleteInstance"), 0, "refused unsent");
    assert!(
        world
            .exists(&world.management, HOME_REGION, &world.org_instance_arn)
            .await?
    );
    Ok(())
}

#[tokio::test]
async fn without_organizations_and_the_setting_nothing_is_deleted() -> Result<()> {
    let world = World::start().await?;
    let member = world.create_member("orphan").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    world
        .proxy()
        .inject(Rule::on("DescribeOrganization").fault(Fault::Status(500)));

    let instances = adapter(&world, &[])?;
    for (account, region, target) in [
        (
            world.management.as_str(),
            HOME_REGION,
            world.org_instance_arn.as_str(),
        ),
        (member.as_str(), OTHER_REGION, arn.as_str()),
    ] {
        let error = refused(instances.delete_instance(account, region, target).await)?;
        assert!(error.message.contains("could not be confirmed"), "{error}");
    }
    assert_eq!(world.proxy().count("DeleteInstance"), 0);
    assert!(world.proxy().count("DescribeOrganization") >= 1);
    assert!(world.exists(&member, OTHER_REGION, &arn).await?);
    assert!(
        world
            .exists(&world.management, HOME_REGION, &world.org_instance_arn)
            .await?
    );

    // Once Organizations answers, the same adapter deletes a member's account instance: the
    // refusals above came from not knowing the management account, not from a closed door.
    world.proxy().clear();
    let outcome = instances
        .delete_instance(&member, OTHER_REGION, &arn)
        .await?;
    assert_eq!(outcome, DeleteReply::Accepted);
    assert!(!world.exists(&member, OTHER_REGION, &arn).await?);
    Ok(())
}

/// The guard reads the answer the guardrail's own Organizations adapter already got in this
/// container: a deletion costs no second `DescribeOrganization`, and that answer still keeps
/// the organization instance out of reach.
#[tokio::test]
async fn the_guard_reads_the_answer_the_facts_already_got() -> Result<()> {
    use idc_core::ports::OrganizationPort;

    let world = World::start().await?;
    let member = world.create_member("shared-answer").await?;
    let arn = world.create_instance(&member, OTHER_REGION, &[]).await?;
    let organizations = idc_aws::organizations::Organizations::from_config(world.guardrail_sdk());
    let instances = idc_aws::clients::member_instances(
        world.guardrail_sdk(),
        &organizations,
        idc_core::settings::DEFAULT_MEMBER_ROLE_NAME,
        None,
    );
    let answer = organizations.describe_organization().await?;
    assert_eq!(
        answer.map(|o| o.management_account_id),
        Some(world.management.clone())
    );
    assert_eq!(world.proxy().count("DescribeOrganization"), 1);

    let error = refused(
        instances
            .delete_instance(&world.management, HOME_REGION, &world.org_instance_arn)
            .await,
    )?;
    assert!(error.message.contains("management account"), "{error}");
    let outcome = instances
        .delete_instance(&member, OTHER_REGION, &arn)
        .await?;
    assert_eq!(outcome, DeleteReply::Accepted);
    assert_eq!(
        world.proxy().count("DescribeOrganization"),
        1,
        "the guard asked nothing more"
    );
    assert_eq!(world.proxy().count("DeleteInstance"), 1);
    Ok(())
}
