//! JSON logs, one object per line, as CloudWatch Logs Insights reads them.
//!
//! The level: `RUST_LOG` (`info`, or per target as in `warn,idc_core=debug`), else the
//! application log level Lambda's logging configuration sets (`AWS_LAMBDA_LOG_LEVEL`), else
//! `info`. A value that cannot be read leaves `info` and says so in the first log line.
//! Targets and levels only (`tracing_subscriber::filter::Targets`): `EnvFilter`'s span and
//! field matching would link a regular-expression engine into every function for nothing.

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

pub fn init_logging() {
    let rust_log = std::env::var("RUST_LOG").ok();
    let lambda_level = std::env::var("AWS_LAMBDA_LOG_LEVEL").ok();
    let (filter, unread) = level_filter(rust_log.as_deref(), lambda_level.as_deref());
    let format = tracing_subscriber::fmt::layer()
        .json()
        .flatten_event(true)
        .with_current_span(false)
        .with_span_list(false)
        .with_target(false)
        .with_ansi(false);
    let _ = tracing_subscriber::registry()
        .with(format)
        .with(filter)
        .try_init();
    if let Some((variable, value)) = unread {
        tracing::warn!(variable, value, "log level not understood; logging at info");
    }
}

/// The filter, and the variable and value that could not be read, if one could not.
fn level_filter<'a>(
    rust_log: Option<&'a str>,
    lambda_level: Option<&'a str>,
) -> (Targets, Option<(&'static str, &'a str)>) {
    let info = Targets::new().with_default(LevelFilter::INFO);
    if let Some(text) = rust_log.filter(|t| !t.trim().is_empty()) {
        return match text.parse::<Targets>() {
            Ok(targets) => (targets, None),
            Err(_) => (info, Some(("RUST_LOG", text))),
        };
    }
    if let Some(text) = lambda_level.filter(|t| !t.trim().is_empty()) {
        // Lambda's levels are TRACE … ERROR and FATAL; FATAL is tracing's ERROR.
        let level = match text.trim().to_ascii_lowercase().as_str() {
            "fatal" => Some(LevelFilter::ERROR),
            other => other.parse::<LevelFilter>().ok(),
        };
        return match level {
            Some(level) => (Targets::new().with_default(level), None),
            None => (info, Some(("AWS_LAMBDA_LOG_LEVEL", text))),
        };
    }
    (info, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    fn allows(targets: &Targets, target: &str, level: Level) -> bool {
        targets.would_enable(target, &level)
    }

    #[test]
    fn rust_log_first_then_lambdas_level_then_info() {
        let (t, unread) = level_filter(Some("warn,idc_core=debug"), Some("ERROR"));
        assert!(unread.is_none());
        assert!(allows(&t, "idc_core::rules", Level::DEBUG));
        assert!(!allows(&t, "idc_aws", Level::INFO));
        assert!(allows(&t, "idc_aws", Level::WARN));

        let (t, unread) = level_filter(None, Some("DEBUG"));
        assert!(unread.is_none());
        assert!(allows(&t, "idc_aws", Level::DEBUG));
        assert!(!allows(&t, "idc_aws", Level::TRACE));

        let (t, _) = level_filter(None, Some("FATAL"));
        assert!(!allows(&t, "idc_aws", Level::WARN));
        assert!(allows(&t, "idc_aws", Level::ERROR));

        let (t, unread) = level_filter(Some(" "), None);
        assert!(unread.is_none());
        assert!(allows(&t, "idc_aws", Level::INFO));
        assert!(!allows(&t, "idc_aws", Level::DEBUG));
    }

    #[test]
    fn an_unreadable_level_logs_at_info_and_names_the_variable() {
        let (t, unread) = level_filter(Some("idc_core=loud"), None);
        assert_eq!(unread, Some(("RUST_LOG", "idc_core=loud")));
        assert!(allows(&t, "idc_core", Level::INFO));
        assert!(!allows(&t, "idc_core", Level::DEBUG));

        let (_, unread) = level_filter(None, Some("chatty"));
        assert_eq!(unread, Some(("AWS_LAMBDA_LOG_LEVEL", "chatty")));
    }
}
