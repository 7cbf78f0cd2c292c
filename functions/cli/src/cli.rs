//! Command-line interface definition (clap derive). Help texts teach the product.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};
use idc_core::exemption::{parse_exemptions, Exemption};
use idc_core::policy::{DEFAULT_TRIAL_DAYS, MAX_TRIAL_DAYS};
use idc_core::Policy;

/// Guardrail for IAM Identity Center account instances.
///
/// Account instances are Identity Center instances a member (or standalone) account creates for
/// itself. They never merge with the organization instance, and when their account becomes the
/// Identity Center delegated administrator the console silently operates the wrong instance.
/// idc-guard evaluates the CloudTrail events that create them, and reports (or removes) them.
#[derive(Debug, Parser)]
#[command(name = "idc-guard", version, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 done (with findings or not), 1 failure (or, for preflight, not safe),\n\
        2 bad input or usage, 3 incomplete: some accounts or Regions could not be reached.\n\
        Each command's --help says more."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Evaluate one EventBridge event offline: no AWS call is made, nothing is deleted.
    ///
    /// Prints one finding per line as JSON (schema idc-guardrail/finding/v1) on stdout.
    /// remediation.status is the policy's decision: dry_run where a live run would delete,
    /// otherwise the skipped_* reason or none. Notes (what was ignored, what the event alone
    /// cannot prove) go to stderr.
    #[command(after_help = "Examples:\n  \
        idc-guard evaluate --event events/create-instance-member.json\n  \
        idc-guard evaluate --event events/register-delegated-admin-sso.json \\\n      \
        --inventory events/inventory-organization.json --auto-remediate\n\n\
        Exit codes: 0 evaluated (even with no finding), 2 bad input (one line on stderr, nothing on stdout).")]
    Evaluate(EvaluateArgs),

    /// Evaluate every scenario of a sample manifest and print a summary table.
    ///
    /// The manifest (events/manifest.json) lists events, their inventories and policy flags.
    /// With --check, each scenario's findings are compared with expected/<scenario>.json next
    /// to the manifest and any difference fails the command (exit 1).
    Samples(SamplesArgs),

    /// Sweep the organization now: every account, every Region, report-only by default.
    ///
    /// Uses the credentials of the environment (the management account, or an account that may
    /// read Organizations and assume the member role everywhere). AWS_ENDPOINT_URL points it at
    /// a local emulator. Findings are the same JSON as everywhere else; a summary of what was
    /// covered and what could not be reached goes to stderr. Nothing is published unless
    /// --publish-to is given, and nothing is deleted unless --auto-remediate is.
    #[command(after_help = "Examples:\n  \
        idc-guard scan\n  \
        idc-guard scan --regions us-east-1,eu-west-1 --format json > findings.jsonl\n  \
        idc-guard scan --auto-remediate --dry-run\n\n\
        Exit codes: 0 every account and Region scanned (findings or not), 1 failure,\n\
        2 bad usage, 3 incomplete: some accounts or Regions could not be reached, or (deleting)\n\
        an unknown fact held a decision back (see the summary on stderr, which also names\n\
        the coverage gaps: member roles or forwarding rules that are gone or switched off).")]
    Scan(ScanArgs),

    /// Before registering an Identity Center delegated administrator: is it safe?
    ///
    /// Lists the account's own instances in every Region (assuming the member role). An
    /// account that owns an account instance would see two instances once registered.
    #[command(
        after_help = "Example:\n  idc-guard preflight --account 222222222222\n\n\
        Exit codes: 0 safe, 1 not safe (the account owns an account instance), 2 bad usage or\n\
        the management account, 3 some Regions could not be checked."
    )]
    Preflight(PreflightArgs),

    /// Leaving an account instance: a migration plan for every application bound to the
    /// account instances of one account.
    ///
    /// Reads, through the member role and never writing: the account's own instances, each
    /// bound application (its provider's display name, status and Region), who is assigned to
    /// it, the size of the identity store, and QuickSight's subscription. Then, application by
    /// application: the ordered steps on the organization instance, what is lost or down and for
    /// how long, which applications must move together, and the page each step rests on. An
    /// application the catalog does not know gets the generic plan and is named as unknown.
    #[command(after_help = "Examples:\n  \
        idc-guard plan --account 222222222222\n  \
        idc-guard plan --account 222222222222 --regions eu-west-1 --details --markdown > ticket.md\n  \
        idc-guard plan --account 222222222222 --json | jq '.instances[].apps[].kind'\n\n\
        Exit codes: 0 the plan is complete, 1 failure, 2 bad usage or the management account,\n\
        3 incomplete: a Region could not be listed or a detail could not be read (each named).")]
    Plan(PlanArgs),
}

/// How to reach the organization; mirrors the Lambda environment.
#[derive(Debug, Args, Clone)]
pub struct LiveArgs {
    /// Regions to search, comma-separated (REGIONS). Default: the 17 Regions every account has enabled.
    #[arg(long, value_name = "REGION,REGION", value_delimiter = ',', value_parser = region)]
    pub regions: Vec<String>,

    /// Role assumed in each member account (MEMBER_ROLE_NAME).
    #[arg(long, value_name = "NAME", default_value = idc_core::settings::DEFAULT_MEMBER_ROLE_NAME)]
    pub member_role: String,

    /// The management account, when Organizations cannot be asked (MANAGEMENT_ACCOUNT_ID).
    #[arg(long, value_name = "ID", value_parser = account_id)]
    pub management_account_id: Option<String>,

    /// AWS calls in flight at once (SWEEP_CONCURRENCY).
    #[arg(long, value_name = "N", default_value_t = idc_core::settings::DEFAULT_SWEEP_CONCURRENCY,
          value_parser = concurrency)]
    pub concurrency: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    #[command(flatten)]
    pub live: LiveArgs,

    #[command(flatten)]
    pub policy: PolicyArgs,

    /// Output: a table for people, or one JSON finding per line.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Also publish every finding and the summary to this SNS topic.
    #[arg(long, value_name = "TOPIC_ARN")]
    pub publish_to: Option<String>,
}

#[derive(Debug, Args)]
pub struct PreflightArgs {
    /// The account you intend to register as the Identity Center delegated administrator.
    #[arg(long, value_name = "ID", value_parser = account_id)]
    pub account: String,

    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The member account whose account instances you want to leave.
    #[arg(long, value_name = "ID", value_parser = account_id)]
    pub account: String,

    /// The organization instance's home Region (an account instance serves only its own
    /// Region; the plan says when the two differ).
    #[arg(long, value_name = "REGION", value_parser = region)]
    pub home_region: Option<String>,

    /// Also name the users and groups assigned to each application.
    #[arg(long)]
    pub details: bool,

    /// Print the plan as JSON (schema idc-guardrail/migration-plan/v1).
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,

    /// Print the plan as Markdown, to paste into a ticket.
    #[arg(long)]
    pub markdown: bool,

    #[command(flatten)]
    pub live: LiveArgs,
}

#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// EventBridge envelope of a CloudTrail record (JSON file).
    #[arg(long, value_name = "FILE")]
    pub event: PathBuf,

    /// Offline facts: organization, accounts, delegated admins, instances (JSON file).
    /// Without it, only what the event itself proves is evaluated.
    #[arg(long, value_name = "FILE")]
    pub inventory: Option<PathBuf>,

    #[command(flatten)]
    pub policy: PolicyArgs,

    #[command(flatten)]
    pub clock: ClockArgs,
}

#[derive(Debug, Args)]
pub struct SamplesArgs {
    /// The sample manifest.
    #[arg(long, value_name = "FILE", default_value = "events/manifest.json")]
    pub manifest: PathBuf,

    /// Compare findings with the expected files and fail on any difference.
    #[arg(long)]
    pub check: bool,

    /// Write the expected files from the current findings (review the diff before committing).
    #[arg(long, conflicts_with = "check")]
    pub update: bool,
}

/// The remediation policy; mirrors the Lambda environment variables. Report-only by default.
#[derive(Debug, Args, Clone, Default)]
pub struct PolicyArgs {
    /// Delete offending account instances (AUTO_REMEDIATE). `evaluate` only reports the decision.
    #[arg(long)]
    pub auto_remediate: bool,

    /// Report what would be deleted, never delete (DRY_RUN).
    #[arg(long)]
    pub dry_run: bool,

    /// Accounts never remediated, comma-separated (EXEMPT_ACCOUNTS).
    #[arg(long, value_name = "ID,ID", value_delimiter = ',', value_parser = account_id)]
    pub exempt_accounts: Vec<String>,

    /// Tag key that exempts an instance during its trial window (EXEMPT_TAG).
    #[arg(long, value_name = "KEY")]
    pub exempt_tag: Option<String>,

    /// Length of the trial window in days for tagged instances, 1 to 3650 (TRIAL_DAYS).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_TRIAL_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_TRIAL_DAYS)))]
    pub trial_days: u32,

    /// Delete even instances with applications bound to them (FORCE_DELETE_IN_USE).
    #[arg(long)]
    pub force_delete_in_use: bool,

    /// Central exemptions, a JSON list of {"account" or "instance_arn", "expires", "reason"}
    /// (EXEMPTIONS); past its expiry an exempted instance is IDC005.
    #[arg(long, value_name = "JSON", value_parser = exemptions)]
    pub exemptions: Option<Exemptions>,

    /// Id of the service control policy that keeps --exempt-tag from the members
    /// (EXEMPT_TAG_POLICY_ID); offline, the inventory's `tag_protection` says what is protected.
    #[arg(long, value_name = "p-ID", requires = "exempt_tag")]
    pub exempt_tag_policy_id: Option<String>,
}

/// The parsed `--exemptions` (a newtype: clap treats a bare `Vec` as a list of values).
#[derive(Debug, Clone)]
pub struct Exemptions(pub Vec<Exemption>);

fn exemptions(text: &str) -> Result<Exemptions, String> {
    parse_exemptions(text).map(Exemptions)
}

impl PolicyArgs {
    pub fn to_policy(&self) -> Policy {
        Policy {
            auto_remediate: self.auto_remediate,
            dry_run: self.dry_run,
            exempt_accounts: self.exempt_accounts.iter().cloned().collect(),
            exempt_tag: self.exempt_tag.clone().filter(|t| !t.is_empty()),
            trial_days: self.trial_days,
            force_delete_in_use: self.force_delete_in_use,
            exemptions: self
                .exemptions
                .as_ref()
                .map(|e| e.0.clone())
                .unwrap_or_default(),
            exempt_tag_policy_id: self.exempt_tag_policy_id.clone(),
        }
    }
}

#[derive(Debug, Args, Clone, Default)]
pub struct ClockArgs {
    /// Evaluate as of this time (RFC 3339), e.g. to replay an old event. Default: now.
    #[arg(long, value_name = "TIME", value_parser = rfc3339)]
    pub now: Option<DateTime<Utc>>,
}

impl ClockArgs {
    pub fn now(&self) -> DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now)
    }
}

fn account_id(value: &str) -> Result<String, String> {
    let value = value.trim();
    if idc_core::ids::is_account_id(value) {
        Ok(value.to_owned())
    } else {
        Err(format!("`{value}` is not a 12-digit AWS account ID"))
    }
}

fn concurrency(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if (1..=512).contains(&n) => Ok(n),
        _ => Err(format!("`{value}` is not a whole number from 1 to 512")),
    }
}

fn region(value: &str) -> Result<String, String> {
    let value = value.trim();
    if idc_core::settings::is_region_name(value) {
        Ok(value.to_owned())
    } else {
        Err(format!("`{value}` is not a Region name (like eu-west-1)"))
    }
}

fn rfc3339(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("`{value}` is not an RFC 3339 time: {e}"))
}
