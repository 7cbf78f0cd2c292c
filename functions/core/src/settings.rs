//! What the guardrail's use cases are configured with, whoever configures them: the Lambda
//! environment (in `idc-lambda`) or the command line's flags (in `idc-guard`).

use thiserror::Error;

use crate::policy::Policy;

/// Role the functions assume in member accounts unless `MEMBER_ROLE_NAME` says otherwise.
pub const DEFAULT_MEMBER_ROLE_NAME: &str = "IdcGuardrailRemediation";

/// The rule the member stack creates on every member's default bus, in every Region, to forward
/// `CreateInstance` events (`infra/member-stackset.yaml`); the sweep checks that it is there.
pub const FORWARDING_RULE_NAME: &str = "idc-guardrail-forward-create-instance";

/// The Regions every AWS account has enabled by default (no opt-in needed). `REGIONS` replaces
/// this list: to cover opt-in Regions, list every Region to search.
pub const DEFAULT_REGIONS: [&str; 17] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "sa-east-1",
];

#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("invalid configuration: {variable}: {reason}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub reason: String,
}

/// How the guardrail judges, acts and searches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub policy: Policy,
    /// The management account, when Organizations cannot be asked (`MANAGEMENT_ACCOUNT_ID`).
    pub management_account_id: Option<String>,
    /// Regions searched for an account's instances (`REGIONS`).
    pub regions: Vec<String>,
    /// What a `CreateInstance` from a Region outside `regions` leads to (`OUTSIDE_REGIONS`).
    pub outside_regions: OutsideRegions,
    /// How many AWS calls a sweep keeps in flight at once (`SWEEP_CONCURRENCY`).
    pub sweep_concurrency: usize,
    /// Above this many accounts the sweep fans out to the worker queue, if there is one
    /// (`FANOUT_THRESHOLD`).
    pub fanout_threshold: usize,
    /// The guardrail's own account (the findings topic's). Only accounts of the organization
    /// may put events on the central bus, so an event of another account proves there is one.
    pub own_account_id: Option<String>,
}

impl Default for Settings {
    /// Report only, the default Regions, the default concurrency.
    fn default() -> Self {
        Settings {
            policy: Policy::default(),
            management_account_id: None,
            regions: DEFAULT_REGIONS.iter().map(|r| (*r).to_owned()).collect(),
            outside_regions: OutsideRegions::default(),
            sweep_concurrency: DEFAULT_SWEEP_CONCURRENCY,
            fanout_threshold: DEFAULT_FANOUT_THRESHOLD,
            own_account_id: None,
        }
    }
}

/// A `CreateInstance` event proves an instance in its own Region, listed or not in `REGIONS`
/// (which bounds the searches of the sweep and of Organizations events).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutsideRegions {
    /// Judge it like any other (the default): the event's Region is looked at and remediated.
    #[default]
    Evaluate,
    /// Judge and report it, never delete there.
    Report,
}

/// Default calls in flight during a sweep: sized for a 512 MB Lambda, well under the
/// sso-admin and STS request rates of one account.
pub const DEFAULT_SWEEP_CONCURRENCY: usize = 32;
/// Default number of accounts above which the sweep fans out.
pub const DEFAULT_FANOUT_THRESHOLD: usize = 100;

/// True for names shaped like an AWS Region (`eu-west-1`, `us-gov-west-1`, `cn-north-1`).
pub fn is_region_name(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}
