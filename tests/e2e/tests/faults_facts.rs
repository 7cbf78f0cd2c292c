//! Facts a delete depends on that could not be learnt, or that no calendar can hold, through
//! the real Lambda binaries: an instance whose tags or applications are unknown is never
//! deleted (the decision stays `dry_run`, naming the fact, and the invocation fails so the
//! event is retried), and a creation date at the end of time does not abort the function.

use anyhow::Result;
use idc_e2e::faults::{detail, failed_with, set_created_epoch, show, statuses, Trap, AUTO};
use idc_e2e::proxy::{Fault, Rule};
use idc_e2e::runtime::{cold_start_failure, Invocation, LambdaFunction};
use idc_e2e::world::World;

const TAG: &str = "idc-trial";

/// A member's instance created with the exemption tag (within its trial, so exempt if its
/// tags can be read), and the `CreateInstance` event.
async fn tagged_trial(world: &World, name: &str) -> Result<Trap> {
    Trap::created_tagged(world, name, &[(TAG, "poc")]).await
}

/// Runs `trap`'s event with deletion enabled and `faulted` always failing with `fault`; the
/// instance must stay, the team must get one `dry_run` whose detail names `fact`, and the
/// invocation must fail as incomplete.
async fn unknown_fact_keeps_dry_run(
    world: &World,
    trap: &Trap,
    vars: &[(&str, &str)],
    faulted: &str,
    fault: Fault,
    fact: &str,
) -> Result<()> {
    let function = LambdaFunction::start(trap.function, &world.lambda_env(vars))?;
    world.proxy().inject(Rule::on(faulted).fault(fault));

    failed_with(function.invoke(&trap.event)?, "IdcGuardrail.Incomplete")?;
    assert!(trap.exists(world).await?);
    assert_eq!(world.proxy().count("DeleteInstance"), 0);
    let all = world.all_findings().await?;
    assert_eq!(statuses(&all), vec!["dry_run"], "{}", show(&all));
    assert!(detail(&all[0])?.contains(fact), "{}", show(&all));
    Ok(())
}

#[tokio::test]
async fn unknown_tags_keep_an_exemptible_instance() -> Result<()> {
    let world = World::start().await?;
    let trap = tagged_trial(&world, "tags-unknown").await?;
    let policy = world.protect_exempt_tag(TAG, true).await?;
    unknown_fact_keeps_dry_run(
        &world,
        &trap,
        &[AUTO, ("EXEMPT_TAG", TAG), ("EXEMPT_TAG_POLICY_ID", &policy)],
        "ListTagsForResource",
        Fault::Throttle,
        "tags",
    )
    .await
}

#[tokio::test]
async fn unknown_applications_keep_an_instance_that_may_be_in_use() -> Result<()> {
    let world = World::start().await?;
    let trap = Trap::created(&world, "apps-unknown").await?;
    unknown_fact_keeps_dry_run(
        &world,
        &trap,
        &[AUTO],
        "ListApplications",
        Fault::Status(500),
        "applications",
    )
    .await
}

#[tokio::test]
async fn trial_days_out_of_bounds_fail_the_cold_start() -> Result<()> {
    let world = World::start().await?;
    for days in ["4294967295", "3651", "0"] {
        let env = world.lambda_env(&[("TRIAL_DAYS", days)]);
        let (status, logs) = cold_start_failure("on-create-instance", &env)?;
        assert!(
            !status.success(),
            "TRIAL_DAYS={days} must fail the cold start"
        );
        assert!(
            logs.contains("TRIAL_DAYS") && logs.contains("invalid configuration"),
            "TRIAL_DAYS={days}: {logs}"
        );
    }
    Ok(())
}

/// Creation dates at the end of chrono's calendar (so that the trial's end overflows it) and
/// far beyond it (so that the date itself cannot be represented): the function answers and
/// its process lives on, and the tagged instance is not deleted.
#[tokio::test]
async fn a_creation_date_beyond_the_calendar_does_not_abort_the_function() -> Result<()> {
    let world = World::start().await?;
    let last_day = chrono::DateTime::<chrono::Utc>::MAX_UTC.timestamp() - 86_400;
    let policy = world.protect_exempt_tag(TAG, true).await?;
    for (name, epoch) in [
        ("end-of-time", last_day),
        ("beyond-time", 1_000_000_000_000_000),
    ] {
        let trap = tagged_trial(&world, name).await?;
        set_created_epoch(&world, &trap.instance_arn, epoch)?;
        let function = LambdaFunction::start(
            trap.function,
            &world.lambda_env(&[
                AUTO,
                ("EXEMPT_TAG", TAG),
                ("EXEMPT_TAG_POLICY_ID", &policy),
                ("TRIAL_DAYS", "3650"),
            ]),
        )?;

        let first = function.invoke(&trap.event)?;
        if let Invocation::Error(error) = &first {
            assert!(
                error.contains("IdcGuardrail."),
                "{name}: the function must answer, not crash: {error}\n{}",
                function.logs()
            );
        }
        // The same process answers a second time: nothing aborted it.
        let second = function.invoke(&trap.event)?;
        assert_eq!(
            matches!(first, Invocation::Ok(_)),
            matches!(second, Invocation::Ok(_)),
            "{name}: {first:?} then {second:?}"
        );
        assert!(!function.logs().contains("panicked"), "{}", function.logs());
        assert!(trap.exists(&world).await?, "{name}");
        assert_eq!(world.proxy().count("DeleteInstance"), 0, "{name}");
        let all = world.all_findings().await?;
        assert!(!all.is_empty(), "{name}: the finding reached the team");
        assert!(
            all.iter()
                .all(|f| ["skipped_exempt", "dry_run"].contains(&f.status())),
            "{name}:\n{}",
            show(&all)
        );
    }
    Ok(())
}
