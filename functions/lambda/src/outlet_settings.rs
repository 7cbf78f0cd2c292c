//! The outlets function's environment: the findings topic (whose account and Region are
//! Security Hub's), `SECURITY_HUB`, `CHAT_TOPIC_ARN`, `CHAT_MIN_SEVERITY` and `GUARDRAIL_NAME`.
//! Only this function reads them: the functions that delete know nothing of the outlets.

use idc_core::chat::DEFAULT_MIN_SEVERITY;
use idc_core::settings::ConfigError;
use idc_core::Severity;

use crate::env::{findings_topic, flag, guardrail_name, topic, trimmed};

/// Everything the outlets function is configured with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutletSettings {
    /// The findings topic (`TOPIC_ARN`): Security Hub is the one of its account and Region.
    pub topic_arn: String,
    /// Every finding also imported into Security Hub (`SECURITY_HUB`, default false).
    pub security_hub: bool,
    /// The chat topic (`CHAT_TOPIC_ARN`), if any, and its threshold (`CHAT_MIN_SEVERITY`).
    pub chat_topic_arn: Option<String>,
    pub chat_min_severity: Severity,
    /// The stack's name (`GUARDRAIL_NAME`): the metrics' dimension, the Security Hub product's
    /// company name.
    pub guardrail_name: String,
}

impl OutletSettings {
    /// Reads the settings through `lookup` (e.g. `|k| std::env::var(k).ok()`).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = trimmed(lookup);
        let topic_arn = findings_topic(&get)?;
        let chat_topic_arn = get("CHAT_TOPIC_ARN");
        if let Some(arn) = &chat_topic_arn {
            topic("CHAT_TOPIC_ARN", arn)?;
        }
        let chat_min_severity = match get("CHAT_MIN_SEVERITY").map(|v| v.to_ascii_uppercase()) {
            None => DEFAULT_MIN_SEVERITY,
            Some(v) => severity(&v).ok_or_else(|| ConfigError {
                variable: "CHAT_MIN_SEVERITY",
                reason: format!("`{v}` is not one of INFO, LOW, MEDIUM, HIGH, CRITICAL"),
            })?,
        };
        let security_hub = hub(flag("SECURITY_HUB", get("SECURITY_HUB"))?, &topic_arn)?;
        Ok(OutletSettings {
            guardrail_name: guardrail_name(&get)?,
            topic_arn,
            security_hub,
            chat_topic_arn,
            chat_min_severity,
        })
    }
}

/// Security Hub is the one of the findings topic's account and Region: its ARN must name them.
fn hub(on: bool, topic_arn: &str) -> Result<bool, ConfigError> {
    if on && idc_core::asff::Product::from_arn(topic_arn, "").is_none() {
        return Err(ConfigError {
            variable: "SECURITY_HUB",
            reason: format!("TOPIC_ARN `{topic_arn}` names no account and Region to import into"),
        });
    }
    Ok(on)
}

fn severity(value: &str) -> Option<Severity> {
    [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ]
    .into_iter()
    .find(|s| s.as_str() == value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const TOPIC: &str = "arn:aws:sns:us-east-1:111111111111:idc-guardrail-findings";

    fn settings(vars: &[(&str, &str)]) -> Result<OutletSettings, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        OutletSettings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_no_outlet() {
        let Ok(s) = settings(&[("TOPIC_ARN", TOPIC)]) else {
            panic!("a topic is enough");
        };
        assert!(!s.security_hub);
        assert_eq!(s.chat_topic_arn, None);
        assert_eq!(s.chat_min_severity, Severity::High);
        assert_eq!(s.guardrail_name, "idc-guardrail");
    }

    #[test]
    fn every_variable_is_read() {
        let chat = "arn:aws:sns:us-east-1:111111111111:idc-guardrail-chat";
        let Ok(s) = settings(&[
            ("TOPIC_ARN", TOPIC),
            ("SECURITY_HUB", "true"),
            ("CHAT_TOPIC_ARN", chat),
            ("CHAT_MIN_SEVERITY", "medium"),
            ("GUARDRAIL_NAME", "idc-guardrail-prod"),
        ]) else {
            panic!("valid settings")
        };
        assert!(s.security_hub);
        assert_eq!(s.chat_topic_arn.as_deref(), Some(chat));
        assert_eq!(s.chat_min_severity, Severity::Medium);
        assert_eq!(s.guardrail_name, "idc-guardrail-prod");
        let Ok(s) = settings(&[("TOPIC_ARN", TOPIC), ("CHAT_TOPIC_ARN", " ")]) else {
            panic!("an empty chat topic is no chat")
        };
        assert_eq!(s.chat_topic_arn, None);
    }

    #[test]
    fn invalid_values_name_their_variable() {
        let cases = [
            ("SECURITY_HUB", "on", "SECURITY_HUB"),
            ("CHAT_TOPIC_ARN", "chat", "CHAT_TOPIC_ARN"),
            ("CHAT_MIN_SEVERITY", "SEVERE", "CHAT_MIN_SEVERITY"),
            ("GUARDRAIL_NAME", "my guardrail", "GUARDRAIL_NAME"),
            ("TOPIC_ARN", "my-topic", "TOPIC_ARN"),
        ];
        for (variable, value, named) in cases {
            let mut vars = vec![("TOPIC_ARN", TOPIC)];
            vars.retain(|(k, _)| *k != variable);
            vars.push((variable, value));
            match settings(&vars) {
                Err(e) => assert_eq!(e.variable, named, "{variable}={value}"),
                Ok(s) => panic!("{variable}={value} accepted: {s:?}"),
            }
        }
    }
}
