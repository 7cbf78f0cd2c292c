//! Why an invocation fails: each reason says what was (or was not) done, so that Lambda's
//! retry and, in the end, a dead-letter queue are never a mystery.

use thiserror::Error;

use crate::error::EventError;
use crate::facts::OrgFactsError;
use crate::ports::PortError;
use crate::settings::ConfigError;
use crate::sweep::summary::SweepSummary;

#[derive(Debug, Error)]
pub enum HandleError {
    #[error("bad event, nothing evaluated or deleted: {0}")]
    BadEvent(#[from] EventError),
    #[error("{0}; nothing evaluated or deleted")]
    Config(ConfigError),
    #[error("{failed} of {total} message(s) could not be published (first: {first}); failing so the event is retried")]
    Publish {
        failed: usize,
        total: usize,
        first: PortError,
    },
    #[error("could not gather the facts ({0}); findings were published from the event alone and the event will be retried")]
    Gather(PortError),
    #[error("incomplete ({}); what was found was published, and the event will be retried", .0.join("; "))]
    Incomplete(Vec<String>),
    /// A sweep (or a worker's task) that was incomplete, with what it covered.
    #[error("incomplete ({}); what was found was published, and the sweep will be retried", .reasons.join("; "))]
    SweepIncomplete {
        summary: Box<SweepSummary>,
        reasons: Vec<String>,
    },
}

impl From<OrgFactsError> for HandleError {
    fn from(error: OrgFactsError) -> Self {
        match error {
            OrgFactsError::Port(e) => HandleError::Gather(e),
            OrgFactsError::Config(e) => HandleError::Config(e),
        }
    }
}

impl HandleError {
    /// The one message an invocation had to publish could not be.
    pub fn unpublished(first: PortError) -> Self {
        HandleError::Publish {
            failed: 1,
            total: 1,
            first,
        }
    }
}
