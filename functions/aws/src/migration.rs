//! What the migration plan reads of one member account, through the member role, read only:
//! its account instances (sso-admin `ListInstances`), their applications (`ListApplications`,
//! `DescribeApplicationProvider`, `ListApplicationAssignments`), the size of each identity
//! store (identitystore `ListUsers`, `ListGroups`) and QuickSight's subscription
//! (`DescribeAccountSubscription`). A Region that cannot be listed is named, never read as
//! "nothing there"; a detail that cannot be read is named in the instance's `unread`.

use std::collections::BTreeMap;

use idc_core::migration::{AccountFacts, InstanceFacts, QuickSightSubscription, StoreSize};
use idc_core::ports::PortError;

use crate::applications::bound_apps;
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
    let lookup = |id: &str| names.as_ref().and_then(|n| n.get(id).cloned());
    let apps = match bound_apps(&client, &instance_arn, details.then_some(&lookup)).await {
        Ok((apps, not_read)) => {
            unread.extend(not_read);
            apps
        }
        Err(error) => {
            unread.push(format!("the applications ({error})"));
            vec![]
        }
    };
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
