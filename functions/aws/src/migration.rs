//! What the migration plan reads of one member account, through the member role, read only:
//! its account instances (sso-admin `ListInstances`), their applications (`ListApplications`,
//! `DescribeApplicationProvider`, `ListApplicationAssignments`), the size of each identity
//! store (identitystore `ListUsers`, `ListGroups`) and QuickSight's subscription
//! (`DescribeAccountSubscription`). A Region that cannot be listed is named, never read as
//! "nothing there"; a detail that cannot be read is named in the instance's `unread`.

use std::collections::BTreeMap;

use aws_sdk_ssoadmin::types::PrincipalType;
use idc_core::migration::{
    AccountFacts, BoundApp, InstanceFacts, QuickSightSubscription, StoreSize,
};
use idc_core::ports::PortError;

use crate::errors::port_error;
use crate::sessions::MemberSessions;

/// The account's facts, and the Regions that could not be listed (with why).
pub struct Read {
    pub facts: AccountFacts,
    pub unlisted: Vec<(String, PortError)>,
}

/// Reads `account_id` in `regions`. `details`: who is assigned, by name.
pub async fn read_account(
    sessions: &MemberSessions,
    account_id: &str,
    regions: &[String],
    home_region: Option<String>,
    details: bool,
) -> Read {
    let mut instances = Vec::new();
    let mut unlisted = Vec::new();
    for region in regions {
        match account_instances(sessions, account_id, region).await {
            Ok(found) => {
                for (instance_arn, store_id) in found {
                    instances.push(
                        read_instance(
                            sessions,
                            account_id,
                            region,
                            instance_arn,
                            store_id,
                            details,
                        )
                        .await,
                    );
                }
            }
            Err(error) => unlisted.push((region.clone(), error)),
        }
    }
    Read {
        facts: AccountFacts {
            account_id: account_id.to_owned(),
            home_region,
            instances,
        },
        unlisted,
    }
}

/// The account's own instances in `region` (the organization instance, owned by the
/// management account, is never one), with their identity store ids.
async fn account_instances(
    sessions: &MemberSessions,
    account_id: &str,
    region: &str,
) -> Result<Vec<(String, Option<String>)>, PortError> {
    let client = sessions.ssoadmin(account_id, region).await;
    let listed: Result<Vec<_>, _> = client
        .list_instances()
        .into_paginator()
        .items()
        .send()
        .collect()
        .await;
    Ok(listed
        .map_err(|e| port_error("ListInstances", e))?
        .into_iter()
        .filter(|i| i.owner_account_id() == Some(account_id))
        .filter_map(|i| {
            let arn = i.instance_arn()?.to_owned();
            Some((arn, i.identity_store_id().map(str::to_owned)))
        })
        .collect())
}

async fn read_instance(
    sessions: &MemberSessions,
    account_id: &str,
    region: &str,
    instance_arn: String,
    store_id: Option<String>,
    details: bool,
) -> InstanceFacts {
    let client = sessions.ssoadmin(account_id, region).await;
    let config = sessions.config(account_id, region).await;
    let mut unread = Vec::new();
    let names = match &store_id {
        Some(id) => match store_names(&aws_sdk_identitystore::Client::new(&config), id).await {
            Ok(names) => Some(names),
            Err(error) => {
                unread.push(format!("the identity store {id} ({error})"));
                None
            }
        },
        None => {
            unread.push("the identity store (the instance names none)".to_owned());
            None
        }
    };
    let listed: Result<Vec<_>, _> = client
        .list_applications()
        .instance_arn(&instance_arn)
        .into_paginator()
        .items()
        .send()
        .collect()
        .await;
    let mut apps = Vec::new();
    match listed {
        Ok(listed) => {
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
                        let is = |t: PrincipalType| {
                            assigned.iter().filter(move |a| *a.principal_type() == t)
                        };
                        let principals = if details {
                            assigned
                                .iter()
                                .map(|a| {
                                    let id = a.principal_id();
                                    names
                                        .as_ref()
                                        .and_then(|n| n.get(id).cloned())
                                        .unwrap_or_else(|| id.to_owned())
                                })
                                .collect()
                        } else {
                            vec![]
                        };
                        (
                            Some(is(PrincipalType::User).count()),
                            Some(is(PrincipalType::Group).count()),
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
        }
        Err(e) => {
            let error = port_error("ListApplications", e);
            unread.push(format!("the applications ({error})"));
        }
    }
    let quicksight = match quicksight(&aws_sdk_quicksight::Client::new(&config), account_id).await {
        Ok(subscription) => subscription,
        Err(error) => {
            unread.push(format!("QuickSight's subscription ({error})"));
            None
        }
    };
    InstanceFacts {
        instance_arn,
        region: region.to_owned(),
        store: names.as_ref().map(|n| StoreSize {
            users: n.users,
            groups: n.groups,
        }),
        apps,
        quicksight,
        unread,
    }
}

/// The identity store's users and groups: how many, and each id's name.
struct Names {
    users: usize,
    groups: usize,
    by_id: BTreeMap<String, String>,
}

impl Names {
    fn get(&self, id: &str) -> Option<&String> {
        self.by_id.get(id)
    }
}

async fn store_names(
    client: &aws_sdk_identitystore::Client,
    store_id: &str,
) -> Result<Names, PortError> {
    let users: Result<Vec<_>, _> = client
        .list_users()
        .identity_store_id(store_id)
        .into_paginator()
        .items()
        .send()
        .collect()
        .await;
    let users = users.map_err(|e| port_error("ListUsers", e))?;
    let groups: Result<Vec<_>, _> = client
        .list_groups()
        .identity_store_id(store_id)
        .into_paginator()
        .items()
        .send()
        .collect()
        .await;
    let groups = groups.map_err(|e| port_error("ListGroups", e))?;
    let mut by_id = BTreeMap::new();
    for user in &users {
        let name = user.user_name().unwrap_or(user.user_id());
        by_id.insert(user.user_id().to_owned(), format!("user {name}"));
    }
    for group in &groups {
        let name = group.display_name().unwrap_or(group.group_id());
        by_id.insert(group.group_id().to_owned(), format!("group {name}"));
    }
    Ok(Names {
        users: users.len(),
        groups: groups.len(),
        by_id,
    })
}

/// QuickSight's subscription, `None` when the account has none.
async fn quicksight(
    client: &aws_sdk_quicksight::Client,
    account_id: &str,
) -> Result<Option<QuickSightSubscription>, PortError> {
    match client
        .describe_account_subscription()
        .aws_account_id(account_id)
        .send()
        .await
    {
        Ok(answer) => Ok(answer.account_info().map(|info| QuickSightSubscription {
            authentication_type: info.authentication_type().map(str::to_owned),
            instance_arn: info.iam_identity_center_instance_arn().map(str::to_owned),
        })),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(port_error("DescribeAccountSubscription", e)),
    }
}
