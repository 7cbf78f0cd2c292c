//! `idc-guard plan`: how to leave the account instances of one account, application by
//! application. Read only.

use idc_aws::clients::sdk_config;
use idc_aws::migration::read_account;
use idc_aws::organizations::Organizations;
use idc_aws::sessions::MemberSessions;
use idc_core::migration::render::{markdown, table};
use idc_core::migration::{plan, Catalog};
use idc_core::ports::OrganizationPort;
use idc_core::settings::DEFAULT_REGIONS;

use crate::cli::PlanArgs;
use crate::exit::Failure;
use crate::scan::INCOMPLETE;

pub async fn run(args: &PlanArgs) -> Result<u8, Failure> {
    let catalog = Catalog::builtin().map_err(|e| Failure::Failed(e.to_string()))?;
    let base = sdk_config().await;
    // The management account's instance is the organization instance: nothing to leave.
    match Organizations::from_config(&base)
        .describe_organization()
        .await
    {
        Ok(Some(org)) if org.management_account_id == args.account => {
            return Err(Failure::BadInput(format!(
                "{} is the management account: its instance is the organization instance, the \
                 one to move to",
                args.account
            )));
        }
        Ok(_) => {}
        Err(error) => eprintln!(
            "idc-guard: warning: Organizations could not be asked ({error}); {} is taken for a \
             member account",
            args.account
        ),
    }
    let regions: Vec<String> = if args.live.regions.is_empty() {
        DEFAULT_REGIONS.iter().map(|r| (*r).to_owned()).collect()
    } else {
        args.live.regions.clone()
    };
    let sessions = MemberSessions::new(base, args.live.member_role.clone());
    let read = read_account(
        &sessions,
        &args.account,
        &regions,
        args.home_region.clone(),
        args.details,
    )
    .await;
    let plan = plan(&read.facts, &catalog);
    let text = if args.json {
        serde_json::to_string_pretty(&plan).map_err(|e| Failure::Failed(e.to_string()))?
    } else if args.markdown {
        markdown(&plan)
    } else {
        table(&plan)
    };
    crate::exit::print_lines(&[text])?;
    for (region, error) in &read.unlisted {
        eprintln!("idc-guard: {region} could not be listed: {error}");
    }
    let unread: usize = plan.instances.iter().map(|i| i.unread.len()).sum();
    if read.unlisted.is_empty() && unread == 0 {
        Ok(0)
    } else {
        eprintln!(
            "idc-guard: the plan is incomplete: {} Region(s) not listed, {unread} detail(s) not read",
            read.unlisted.len()
        );
        Ok(INCOMPLETE)
    }
}
