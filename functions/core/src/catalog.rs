//! What each rule says: severity, title, the explanation a security engineer can act on,
//! and the AWS documentation it rests on. Text only; the logic is in `rules`.

use crate::finding::{RuleId, Severity};

pub const DOC_ACCOUNT_INSTANCES: &str =
    "https://docs.aws.amazon.com/singlesignon/latest/userguide/account-instances-identity-center.html";
pub const DOC_INSTANCE_TYPES: &str =
    "https://docs.aws.amazon.com/singlesignon/latest/userguide/identity-center-instances.html";
pub const DOC_DELEGATED_ADMIN: &str =
    "https://docs.aws.amazon.com/singlesignon/latest/userguide/delegated-admin.html";
pub const DOC_CONTROL_CREATION: &str =
    "https://docs.aws.amazon.com/singlesignon/latest/userguide/control-account-instance.html";
pub const DOC_CREATE_INSTANCE: &str =
    "https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreateInstance.html";
pub const DOC_DELETE_INSTANCE: &str =
    "https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_DeleteInstance.html";
pub const DOC_LIST_INSTANCES: &str =
    "https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_ListInstances.html";
pub const DOC_SCP: &str =
    "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html";

/// Why "just a trial" hurts later; every remediable finding says it.
const LOCK_IN: &str = "Account instances have no permission sets and no multi-account access, \
cannot be managed by a delegated administrator, and can never be converted into or merged with \
the organization instance. Applications bound to one stay bound: Amazon QuickSight cannot change \
the authentication method of an existing account, so a QuickSight bound to an account instance \
needs a migration with data moves and downtime to reach the organization instance, and Amazon Q \
Developer Pro in the console needs the organization instance's workforce users.";

pub struct RuleText {
    pub severity: Severity,
    pub title: &'static str,
    pub references: &'static [&'static str],
}

pub fn rule_text(rule: RuleId) -> RuleText {
    match rule {
        RuleId::IDC001 => RuleText {
            severity: Severity::High,
            title: "Account instance of IAM Identity Center in a member account",
            references: &[
                DOC_ACCOUNT_INSTANCES,
                DOC_INSTANCE_TYPES,
                DOC_CONTROL_CREATION,
                DOC_DELETE_INSTANCE,
            ],
        },
        RuleId::IDC002 => RuleText {
            severity: Severity::Critical,
            title: "Identity Center delegated administrator owns an account instance",
            references: &[
                DOC_DELEGATED_ADMIN,
                DOC_ACCOUNT_INSTANCES,
                DOC_LIST_INSTANCES,
                DOC_DELETE_INSTANCE,
            ],
        },
        RuleId::IDC003 => RuleText {
            severity: Severity::Medium,
            title: "Account instance of IAM Identity Center in a standalone account",
            references: &[DOC_ACCOUNT_INSTANCES, DOC_INSTANCE_TYPES],
        },
        RuleId::IDC004 => RuleText {
            severity: Severity::Info,
            title: "Attempt to create an account instance failed",
            references: &[DOC_CREATE_INSTANCE, DOC_CONTROL_CREATION, DOC_SCP],
        },
        RuleId::IDC005 => RuleText {
            severity: Severity::High,
            title: "Exempted trial account instance outlived its trial window",
            references: &[
                DOC_ACCOUNT_INSTANCES,
                DOC_CONTROL_CREATION,
                DOC_DELETE_INSTANCE,
            ],
        },
    }
}

/// The explanation of IDC001.
pub fn member_instance(account: &str, region: &str, instance: &str) -> String {
    format!(
        "Member account {account} has its own account instance of IAM Identity Center ({instance}) \
in {region}, beside the organization instance. {LOCK_IN} If this account is ever registered as the \
Identity Center delegated administrator it will see two instances in one Region and the console \
will silently operate the wrong one. Delete the account instance (sso-admin DeleteInstance, from \
account {account} in {region}) once nothing depends on it, and deny sso:CreateInstance with an SCP."
    )
}

/// The explanation of IDC002.
pub fn delegated_admin_instance(account: &str, region: &str, instance: &str) -> String {
    format!(
        "Account {account} is the IAM Identity Center delegated administrator and owns an account \
instance ({instance}) in {region}. In that Region it sees two instances: the console silently \
operates the account instance, and organization-only operations fail with \"The operation is not \
supported for this Identity Center instance\". ListInstances does not say which is which; only \
OwnerAccountId does (the organization instance is owned by the management account). {LOCK_IN} \
Delete the account instance from account {account} in {region}; the organization instance is \
never touched."
    )
}

/// The explanation of IDC003.
pub fn standalone_instance(account: &str, region: &str, instance: &str) -> String {
    format!(
        "Standalone account {account} (not in an organization) has an account instance of IAM \
Identity Center ({instance}) in {region}. {LOCK_IN} If the account later joins an organization, \
the instance stays an account instance. The guardrail only reports this: decide with the account \
owner whether to keep it."
    )
}

/// The explanation of IDC004.
pub fn failed_create(
    account: &str,
    region: &str,
    principal: Option<&str>,
    code: &str,
    message: Option<&str>,
) -> String {
    let who = principal.unwrap_or("an unknown principal");
    let message = message.map(|m| format!(" (\"{m}\")")).unwrap_or_default();
    format!(
        "{who} tried to create an account instance of IAM Identity Center in account {account}, \
{region}, and the call failed with {code}{message}. If an SCP denied it, the control works; the \
attempt still shows someone wants Identity Center in that account: offer them the organization \
instance instead. Nothing was created and nothing is deleted."
    )
}

/// The explanation of IDC005: the exemption that ran out, and when.
pub fn exemption_expired(
    account: &str,
    region: &str,
    instance: &str,
    exemption: Option<&crate::finding::ExemptionRef>,
) -> String {
    let (what, since) = exemption.map_or(("an exemption".to_owned(), "an unknown date"), |e| {
        let what = match e.source {
            crate::finding::ExemptionSource::Central => {
                format!("a central exemption ({}: {})", e.target, e.reason)
            }
            crate::finding::ExemptionSource::Tag => format!("the {}", e.reason),
        };
        (what, e.expires.as_deref().unwrap_or("an unknown date"))
    });
    format!(
        "The account instance {instance} of account {account} in {region} was exempted by \
{what}, which ended on {since}. {LOCK_IN} Delete it now, before applications bind to it, or \
ask the security team to renew the exemption (EXEMPTIONS) if the exception must go on."
    )
}

/// What a finding about an instance known only from its `CreateInstance` event adds.
pub const EVENT_ONLY_NOTE: &str = " The instance was known only from its CreateInstance event: \
its applications and tags were not verified.";

/// What a finding evaluated without any inventory adds.
pub const NO_INVENTORY_NOTE: &str = " Evaluated from the event alone: organization membership and \
delegated administrators were not verified.";
