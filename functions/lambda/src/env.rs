//! The Lambda environment of the functions that judge and act, read into the guardrail's
//! settings and the wiring's own (`TOPIC_ARN`, `MEMBER_ROLE_NAME`, `WORKER_QUEUE_URL`, and
//! `GUARDRAIL_NAME`, the metrics' dimension; the outlets function reads its own, in
//! [`crate::outlet_settings`]). Parsing is pure (it takes a lookup
//! function), so every branch is unit-tested; an invalid value is an error that names the
//! variable, and the cold start fails with it.

use std::collections::BTreeSet;

use idc_core::exemption::parse_exemptions;
use idc_core::ids::is_account_id;
use idc_core::policy::{Policy, DEFAULT_TRIAL_DAYS, MAX_TRIAL_DAYS};
use idc_core::settings::{
    is_region_name, ConfigError, OutsideRegions, Settings, DEFAULT_FANOUT_THRESHOLD,
    DEFAULT_MEMBER_ROLE_NAME, DEFAULT_REGIONS, DEFAULT_SWEEP_CONCURRENCY,
};

/// Everything a function is configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LambdaSettings {
    /// How the guardrail judges, acts and searches.
    pub guardrail: Settings,
    /// SNS topic the findings go to (`TOPIC_ARN`).
    pub topic_arn: String,
    /// Role assumed in the account that owns an instance (`MEMBER_ROLE_NAME`).
    pub member_role_name: String,
    /// The worker queue of the fan-out (`WORKER_QUEUE_URL`), for the sweep function.
    pub worker_queue_url: Option<String>,
    /// The stack's name (`GUARDRAIL_NAME`): the `Guardrail` dimension of every metric.
    pub guardrail_name: String,
}

/// `GUARDRAIL_NAME` when unset.
pub const DEFAULT_GUARDRAIL_NAME: &str = "idc-guardrail";

impl LambdaSettings {
    /// Reads the settings through `lookup` (e.g. `|k| std::env::var(k).ok()`).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = trimmed(lookup);
        let topic_arn = findings_topic(&get)?;
        let guardrail_name = guardrail_name(&get)?;
        let policy = Policy {
            auto_remediate: flag("AUTO_REMEDIATE", get("AUTO_REMEDIATE"))?,
            dry_run: flag("DRY_RUN", get("DRY_RUN"))?,
            exempt_accounts: accounts("EXEMPT_ACCOUNTS", get("EXEMPT_ACCOUNTS"))?,
            exempt_tag: get("EXEMPT_TAG"),
            trial_days: u32::try_from(number(
                "TRIAL_DAYS",
                get("TRIAL_DAYS"),
                DEFAULT_TRIAL_DAYS as usize,
                1..=MAX_TRIAL_DAYS as usize,
            )?)
            .unwrap_or(DEFAULT_TRIAL_DAYS),
            force_delete_in_use: flag("FORCE_DELETE_IN_USE", get("FORCE_DELETE_IN_USE"))?,
            exemptions: parse_exemptions(&get("EXEMPTIONS").unwrap_or_default()).map_err(
                |reason| ConfigError {
                    variable: "EXEMPTIONS",
                    reason,
                },
            )?,
            exempt_tag_policy_id: tag_policy_id(get("EXEMPT_TAG_POLICY_ID"), get("EXEMPT_TAG"))?,
        };
        let member_role_name =
            get("MEMBER_ROLE_NAME").unwrap_or_else(|| DEFAULT_MEMBER_ROLE_NAME.to_owned());
        if !member_role_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
            || member_role_name.len() > 64
        {
            return Err(ConfigError {
                variable: "MEMBER_ROLE_NAME",
                reason: format!("`{member_role_name}` is not an IAM role name"),
            });
        }
        let management_account_id = match get("MANAGEMENT_ACCOUNT_ID") {
            None => None,
            Some(id) if is_account_id(&id) => Some(id),
            Some(id) => {
                return Err(ConfigError {
                    variable: "MANAGEMENT_ACCOUNT_ID",
                    reason: format!("`{id}` is not a 12-digit AWS account ID"),
                })
            }
        };
        let regions = match get("REGIONS") {
            None => DEFAULT_REGIONS.iter().map(|r| (*r).to_owned()).collect(),
            Some(list) => {
                let regions: Vec<String> = list
                    .split(',')
                    .map(str::trim)
                    .filter(|r| !r.is_empty())
                    .map(str::to_owned)
                    .collect();
                if let Some(bad) = regions.iter().find(|r| !is_region_name(r)) {
                    return Err(ConfigError {
                        variable: "REGIONS",
                        reason: format!("`{bad}` is not a Region name (like eu-west-1)"),
                    });
                }
                regions
            }
        };
        let outside_regions = match get("OUTSIDE_REGIONS")
            .map(|v| v.to_ascii_lowercase())
            .as_deref()
        {
            None | Some("evaluate") => OutsideRegions::Evaluate,
            Some("report") => OutsideRegions::Report,
            Some(other) => {
                return Err(ConfigError {
                    variable: "OUTSIDE_REGIONS",
                    reason: format!("`{other}` is not `evaluate` or `report`"),
                })
            }
        };
        let sweep_concurrency = number(
            "SWEEP_CONCURRENCY",
            get("SWEEP_CONCURRENCY"),
            DEFAULT_SWEEP_CONCURRENCY,
            1..=512,
        )?;
        let fanout_threshold = number(
            "FANOUT_THRESHOLD",
            get("FANOUT_THRESHOLD"),
            DEFAULT_FANOUT_THRESHOLD,
            1..=1_000_000,
        )?;
        let worker_queue_url = get("WORKER_QUEUE_URL");
        if let Some(url) = &worker_queue_url {
            if !url.starts_with("https://") && !url.starts_with("http://") {
                return Err(ConfigError {
                    variable: "WORKER_QUEUE_URL",
                    reason: format!("`{url}` is not an SQS queue URL"),
                });
            }
        }
        Ok(LambdaSettings {
            guardrail: Settings {
                policy,
                management_account_id,
                regions,
                outside_regions,
                sweep_concurrency,
                fanout_threshold,
                own_account_id: topic_arn.split(':').nth(4).map(str::to_owned),
            },
            topic_arn,
            member_role_name,
            worker_queue_url,
            guardrail_name,
        })
    }
}

/// A lookup whose values are trimmed, and empty ones unset.
pub(crate) fn trimmed(lookup: impl Fn(&str) -> Option<String>) -> impl Fn(&str) -> Option<String> {
    move |name: &str| {
        lookup(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }
}

/// `TOPIC_ARN`, the findings topic: every function has it.
pub(crate) fn findings_topic(get: &impl Fn(&str) -> Option<String>) -> Result<String, ConfigError> {
    let topic_arn = get("TOPIC_ARN").ok_or(ConfigError {
        variable: "TOPIC_ARN",
        reason: "is required: the ARN of the SNS topic findings are published to".into(),
    })?;
    topic("TOPIC_ARN", &topic_arn)?;
    Ok(topic_arn)
}

/// `GUARDRAIL_NAME`, a CloudFormation stack name: it becomes a metric dimension value as it is.
pub(crate) fn guardrail_name(get: &impl Fn(&str) -> Option<String>) -> Result<String, ConfigError> {
    let guardrail_name = get("GUARDRAIL_NAME").unwrap_or_else(|| DEFAULT_GUARDRAIL_NAME.to_owned());
    if guardrail_name.len() > 128
        || !guardrail_name.starts_with(|c: char| c.is_ascii_alphabetic())
        || !guardrail_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(ConfigError {
            variable: "GUARDRAIL_NAME",
            reason: format!("`{guardrail_name}` is not a stack name (letters, digits, hyphens)"),
        });
    }
    Ok(guardrail_name)
}

pub(crate) fn topic(variable: &'static str, arn: &str) -> Result<(), ConfigError> {
    if arn.starts_with("arn:") && arn.split(':').count() == 6 {
        Ok(())
    } else {
        Err(ConfigError {
            variable,
            reason: format!("`{arn}` is not an SNS topic ARN"),
        })
    }
}

fn number(
    variable: &'static str,
    value: Option<String>,
    default: usize,
    range: std::ops::RangeInclusive<usize>,
) -> Result<usize, ConfigError> {
    let Some(text) = value else {
        return Ok(default);
    };
    match text.parse::<usize>() {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(ConfigError {
            variable,
            reason: format!(
                "`{text}` is not a whole number from {} to {}",
                range.start(),
                range.end()
            ),
        }),
    }
}

pub(crate) fn flag(variable: &'static str, value: Option<String>) -> Result<bool, ConfigError> {
    match value.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("false") | Some("0") | Some("no") => Ok(false),
        Some("true") | Some("1") | Some("yes") => Ok(true),
        Some(other) => Err(ConfigError {
            variable,
            reason: format!("`{other}` is not true or false"),
        }),
    }
}

/// The id of the service control policy that protects the exemption tag (`p-` and 8 to 128
/// lowercase letters or digits, as Organizations writes them); meaningless without a tag.
fn tag_policy_id(id: Option<String>, tag: Option<String>) -> Result<Option<String>, ConfigError> {
    let error = |reason: String| ConfigError {
        variable: "EXEMPT_TAG_POLICY_ID",
        reason,
    };
    match (id, tag) {
        (None, _) => Ok(None),
        (Some(_), None) => Err(error(
            "is set, but EXEMPT_TAG is not: it names the policy that protects that tag".into(),
        )),
        (Some(id), Some(_)) => {
            let body = id.strip_prefix("p-").unwrap_or_default();
            if (8..=128).contains(&body.len())
                && body
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                Ok(Some(id))
            } else {
                Err(error(format!("`{id}` is not a policy id (p-xxxxxxxx)")))
            }
        }
    }
}

fn accounts(
    variable: &'static str,
    value: Option<String>,
) -> Result<BTreeSet<String>, ConfigError> {
    let mut out = BTreeSet::new();
    for id in value.iter().flat_map(|v| v.split(',')).map(str::trim) {
        if id.is_empty() {
            continue;
        }
        if !is_account_id(id) {
            return Err(ConfigError {
                variable,
                reason: format!("`{id}` is not a 12-digit AWS account ID"),
            });
        }
        out.insert(id.to_owned());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const TOPIC: &str = "arn:aws:sns:us-east-1:111111111111:idc-guardrail-findings";

    fn settings(vars: &[(&str, &str)]) -> Result<LambdaSettings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        LambdaSettings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_report_only() {
        let Ok(s) = settings(&[("TOPIC_ARN", TOPIC)]) else {
            panic!("a topic is enough");
        };
        assert_eq!(s.guardrail.policy, Policy::default());
        assert_eq!(s.member_role_name, DEFAULT_MEMBER_ROLE_NAME);
        assert_eq!(s.guardrail.regions.len(), 17);
        assert_eq!(s.guardrail.management_account_id, None);
        assert_eq!(s.guardrail_name, "idc-guardrail");
    }

    #[test]
    fn the_name_is_read_and_the_outlets_variables_are_not_this_functions() {
        let Ok(s) = settings(&[
            ("TOPIC_ARN", TOPIC),
            ("SECURITY_HUB", "on"),
            ("CHAT_TOPIC_ARN", "chat"),
            ("GUARDRAIL_NAME", "idc-guardrail-prod"),
        ]) else {
            panic!("a function that deletes does not read the outlets' variables")
        };
        assert_eq!(s.guardrail_name, "idc-guardrail-prod");
    }

    #[test]
    fn every_variable_is_read() {
        let s = settings(&[
            ("TOPIC_ARN", TOPIC),
            ("AUTO_REMEDIATE", "true"),
            ("DRY_RUN", "TRUE"),
            ("EXEMPT_ACCOUNTS", " 222222222222, 333333333333 ,"),
            ("EXEMPT_TAG", "idc-trial"),
            ("EXEMPT_TAG_POLICY_ID", "p-abcd1234"),
            (
                "EXEMPTIONS",
                r#"[{"account":"222222222222","expires":"2027-01-31","reason":"trial"}]"#,
            ),
            ("TRIAL_DAYS", "14"),
            ("FORCE_DELETE_IN_USE", "1"),
            ("MEMBER_ROLE_NAME", "GuardRole"),
            ("MANAGEMENT_ACCOUNT_ID", "111111111111"),
            ("REGIONS", "eu-west-1,us-gov-west-1,cn-north-1"),
            ("OUTSIDE_REGIONS", "Report"),
        ]);
        let Ok(s) = s else { panic!("valid settings") };
        assert!(
            s.guardrail.policy.auto_remediate
                && s.guardrail.policy.dry_run
                && s.guardrail.policy.force_delete_in_use
        );
        assert_eq!(s.guardrail.policy.exempt_accounts.len(), 2);
        assert_eq!(s.guardrail.policy.exempt_tag.as_deref(), Some("idc-trial"));
        assert_eq!(
            s.guardrail.policy.exempt_tag_policy_id.as_deref(),
            Some("p-abcd1234")
        );
        assert_eq!(s.guardrail.policy.exemptions.len(), 1);
        assert_eq!(s.guardrail.policy.trial_days, 14);
        assert_eq!(s.member_role_name, "GuardRole");
        assert_eq!(
            s.guardrail.regions,
            vec!["eu-west-1", "us-gov-west-1", "cn-north-1"]
        );
        assert_eq!(s.guardrail.outside_regions, OutsideRegions::Report);
    }

    #[test]
    fn invalid_values_name_their_variable() {
        let cases: [(&str, &str, &str); 18] = [
            ("GUARDRAIL_NAME", "my guardrail", "GUARDRAIL_NAME"),
            ("GUARDRAIL_NAME", "-idc", "GUARDRAIL_NAME"),
            ("SWEEP_CONCURRENCY", "0", "SWEEP_CONCURRENCY"),
            ("FANOUT_THRESHOLD", "many", "FANOUT_THRESHOLD"),
            ("WORKER_QUEUE_URL", "my-queue", "WORKER_QUEUE_URL"),
            ("TOPIC_ARN", "", "TOPIC_ARN"),
            ("TOPIC_ARN", "my-topic", "TOPIC_ARN"),
            ("AUTO_REMEDIATE", "maybe", "AUTO_REMEDIATE"),
            ("EXEMPT_ACCOUNTS", "1234", "EXEMPT_ACCOUNTS"),
            ("TRIAL_DAYS", "-3", "TRIAL_DAYS"),
            ("TRIAL_DAYS", "4294967295", "TRIAL_DAYS"),
            ("TRIAL_DAYS", "0", "TRIAL_DAYS"),
            ("EXEMPTIONS", "[{\"account\":\"1\"}]", "EXEMPTIONS"),
            ("EXEMPT_TAG_POLICY_ID", "p-12345678", "EXEMPT_TAG_POLICY_ID"),
            ("MEMBER_ROLE_NAME", "no spaces", "MEMBER_ROLE_NAME"),
            ("MANAGEMENT_ACCOUNT_ID", "abc", "MANAGEMENT_ACCOUNT_ID"),
            ("REGIONS", "eu-west-1,Ireland", "REGIONS"),
            ("OUTSIDE_REGIONS", "delete", "OUTSIDE_REGIONS"),
        ];
        for (var, value, named) in cases {
            let mut vars = vec![("TOPIC_ARN", TOPIC)];
            vars.retain(|(k, _)| *k != var);
            vars.push((var, value));
            let err = settings(&vars).err();
            assert_eq!(
                err.as_ref().map(|e| e.variable),
                Some(named),
                "{var}={value}"
            );
            assert!(err.is_some_and(|e| e.to_string().contains(named)));
        }
    }
}
