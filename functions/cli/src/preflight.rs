//! `idc-guard preflight`: may this account become the Identity Center delegated administrator?

use idc_core::PreflightVerdict;

use crate::cli::PreflightArgs;
use crate::exit::Failure;

pub async fn run(args: &PreflightArgs) -> Result<u8, Failure> {
    let guardrail = crate::live::guardrail(&args.live, idc_core::Policy::default(), None).await;
    let report = guardrail
        .preflight(&args.account)
        .await
        .map_err(|e| Failure::Failed(e.to_string()))?;
    let mut lines = vec![format!(
        "account {}: {} Region(s) checked, {} unreachable",
        report.account_id,
        report.regions.len() - report.unreachable.len(),
        report.unreachable.len()
    )];
    for i in &report.instances {
        lines.push(format!(
            "  account instance {} in {} ({}, {} application(s))",
            i.instance_arn,
            i.region,
            i.status.as_str(),
            i.application_count
                .map_or("unknown".into(), |n| n.to_string())
        ));
    }
    for u in &report.unreachable {
        lines.push(format!("  unreachable {}: {}", u.region, u.error));
    }
    lines.push(report.advice());
    crate::exit::print_lines(&lines)?;
    Ok(match report.verdict() {
        PreflightVerdict::Safe => 0,
        PreflightVerdict::Unsafe => 1,
        PreflightVerdict::ManagementAccount => 2,
        PreflightVerdict::Unknown => crate::scan::INCOMPLETE,
    })
}
