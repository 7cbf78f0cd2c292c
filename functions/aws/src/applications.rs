//! The applications bound to an instance, as sso-admin lists them (`ListApplications`), and
//! what a migration plan needs of each: its provider's display name
//! (`DescribeApplicationProvider`) and who is assigned to it (`ListApplicationAssignments`).
//! Only the listing can fail the read; a detail that cannot be read stays `None` and is named.

use aws_sdk_ssoadmin::types::PrincipalType;
use idc_core::migration::BoundApp;
use idc_core::ports::PortError;

use crate::errors::port_error;

/// The identity store's name of a principal id.
pub type NameOf<'a> = &'a (dyn Fn(&str) -> Option<String> + Sync);

/// The bound applications, and what of them could not be read. `names`: the identity store's
/// name of a principal id, to name who is assigned (the plan's `--details`).
pub async fn bound_apps(
    client: &aws_sdk_ssoadmin::Client,
    instance_arn: &str,
    names: Option<NameOf<'_>>,
) -> Result<(Vec<BoundApp>, Vec<String>), PortError> {
    let listed: Result<Vec<_>, _> = client
        .list_applications()
        .instance_arn(instance_arn)
        .into_paginator()
        .items()
        .send()
        .collect()
        .await;
    let listed = listed.map_err(|e| port_error("ListApplications", e))?;
    let mut apps = Vec::with_capacity(listed.len());
    let mut unread = Vec::new();
    for app in listed {
        let application_arn = app.application_arn().unwrap_or_default().to_owned();
        let provider_arn = app
            .application_provider_arn()
            .unwrap_or_default()
            .to_owned();
        let provider_name = match client
            .describe_application_provider()
            .application_provider_arn(&provider_arn)
            .send()
            .await
        {
            Ok(provider) => provider
                .display_data()
                .and_then(|d| d.display_name())
                .map(str::to_owned),
            Err(e) => {
                let error = port_error("DescribeApplicationProvider", e);
                unread.push(format!("the provider {provider_arn} ({error})"));
                None
            }
        };
        let assigned: Result<Vec<_>, _> = client
            .list_application_assignments()
            .application_arn(&application_arn)
            .into_paginator()
            .items()
            .send()
            .collect()
            .await;
        let (users, groups, principals) = match assigned {
            Ok(assigned) => {
                let count =
                    |t: PrincipalType| assigned.iter().filter(|a| *a.principal_type() == t).count();
                let principals = match names {
                    Some(name_of) => assigned
                        .iter()
                        .map(|a| {
                            name_of(a.principal_id()).unwrap_or_else(|| a.principal_id().to_owned())
                        })
                        .collect(),
                    None => vec![],
                };
                (
                    Some(count(PrincipalType::User)),
                    Some(count(PrincipalType::Group)),
                    principals,
                )
            }
            Err(e) => {
                let error = port_error("ListApplicationAssignments", e);
                unread.push(format!("the assignments of {application_arn} ({error})"));
                (None, None, vec![])
            }
        };
        apps.push(BoundApp {
            name: app.name().unwrap_or_default().to_owned(),
            status: app
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            application_arn,
            provider_arn,
            provider_name,
            users,
            groups,
            principals,
        });
    }
    Ok((apps, unread))
}
