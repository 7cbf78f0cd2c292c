//! Part 2's stage: the local AWS emulator with an organization of member accounts and a few
//! account instances planted in it, which both sides search.

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use idc_e2e::world::{World, HOME_REGION, OTHER_REGION};
use idc_testkit::TRIAL_TAG;

use crate::timed::Found;

/// Member accounts and Regions of the side-by-side runs on the emulator.
const EMULATOR_MEMBERS: usize = 50;
const THIRD_REGION: &str = "ap-southeast-2";

/// The emulator with its organization and planted account instances.
pub struct Planted {
    pub world: World,
    /// The Regions searched, comma-separated.
    pub regions: String,
    /// The account instances planted, as each side must find them.
    pub expected: BTreeSet<Found>,
    pub members: usize,
}

pub async fn plant() -> Result<Planted> {
    eprintln!("idc-bench: starting the emulator and creating {EMULATOR_MEMBERS} member accounts");
    let world = World::start().await.context("starting the emulator")?;
    let mut accounts = Vec::with_capacity(EMULATOR_MEMBERS);
    for i in 0..EMULATOR_MEMBERS {
        accounts.push(world.create_member(&format!("bench-{i:02}")).await?);
    }
    let member = |i: usize| accounts[i * EMULATOR_MEMBERS / 5 + 3].clone();
    let mut expected = BTreeSet::new();
    let mut plant_one = |account: String, region: &str, arn: String, apps: u32, tags: usize| {
        expected.insert((account, region.to_owned(), arn, Some(apps), Some(tags)));
    };
    // A plain account instance.
    let a = member(0);
    let arn = world.create_instance(&a, HOME_REGION, &[]).await?;
    plant_one(a, HOME_REGION, arn, 0, 0);
    // One with an application bound.
    let a = member(1);
    let arn = world.create_instance(&a, OTHER_REGION, &[]).await?;
    world.create_application(&a, OTHER_REGION, &arn).await?;
    plant_one(a, OTHER_REGION, arn, 1, 0);
    // One tagged as a trial.
    let a = member(2);
    let arn = world
        .create_instance(&a, THIRD_REGION, &[(TRIAL_TAG, "owner=data-team")])
        .await?;
    plant_one(a, THIRD_REGION, arn, 0, 1);
    // One in the delegated administrator, which also sees the organization instance.
    let a = member(3);
    let arn = world.create_instance(&a, HOME_REGION, &[]).await?;
    world.register_sso_admin(&a).await?;
    plant_one(a, HOME_REGION, arn, 0, 0);
    // And one more.
    let a = member(4);
    let arn = world.create_instance(&a, OTHER_REGION, &[]).await?;
    plant_one(a, OTHER_REGION, arn, 0, 0);
    Ok(Planted {
        world,
        regions: format!("{HOME_REGION},{OTHER_REGION},{THIRD_REGION}"),
        expected,
        members: accounts.len(),
    })
}
