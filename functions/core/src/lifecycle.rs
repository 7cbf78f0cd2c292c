//! The lifecycle of a deletion, as one typed state machine shared by every function (the event
//! functions, the sweep, the worker and its confirmations):
//!
//! ```text
//! Planned ──announce──▶ Announced ──DeleteInstance + listing──▶ Deleted | AlreadyDeleted | Failed
//!    └──────────────────────┴──(no time, announcement or confirmation not sent)──▶ NotAttempted
//! Announced ──confirmation (the worker, later)──▶ Deleted | (still there: no word, retried)
//! Failed ──settling (the worker, later)──▶ AlreadyDeleted | Deleted | (still there: it stands)
//! ```
//!
//! Each AWS answer is a typed input ([`DeleteAnswer`], [`Listed`]); each transition is one
//! function; the published status and detail come from the state, here and nowhere else.
//! The same listing reads the same whichever path sees it.

use crate::finding::RemediationStatus;
use crate::inventory::InstanceStatus;
use crate::ports::{DeleteReply, PortError};

/// Where one deletion stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// The policy decided to delete; nothing is done yet.
    Planned,
    /// `deleting` is published and the confirmation queued: the delete may now be sent.
    Announced,
    /// Gone, or being deleted, after the guardrail's delete (how it is known).
    Deleted(String),
    /// Gone before the guardrail's delete took effect (how it is known).
    AlreadyDeleted(String),
    /// The delete did not happen or cannot be confirmed (why): the invocation fails.
    Failed(String),
    /// Nothing was sent to AWS (why): the invocation fails and is retried.
    NotAttempted(String),
}

/// What `DeleteInstance` answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteAnswer {
    Accepted,
    /// The adapter's "nothing to delete".
    NotFound,
    /// An error: AccessDenied for an instance already gone, a conflict with a deletion under
    /// way, a lost answer the SDK resent, a refusal, a timeout.
    Error(PortError),
}

impl From<Result<DeleteReply, PortError>> for DeleteAnswer {
    fn from(answer: Result<DeleteReply, PortError>) -> Self {
        match answer {
            Ok(DeleteReply::Accepted) => DeleteAnswer::Accepted,
            Ok(DeleteReply::NotFound) => DeleteAnswer::NotFound,
            Err(error) => DeleteAnswer::Error(error),
        }
    }
}

/// What a listing of the instance's account and Region showed of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listed {
    Gone,
    DeleteInProgress,
    Still(InstanceStatus),
    Unknown(PortError),
}

impl From<Result<Option<InstanceStatus>, PortError>> for Listed {
    fn from(listing: Result<Option<InstanceStatus>, PortError>) -> Self {
        match listing {
            Ok(None) => Listed::Gone,
            Ok(Some(InstanceStatus::DeleteInProgress)) => Listed::DeleteInProgress,
            Ok(Some(status)) => Listed::Still(status),
            Err(error) => Listed::Unknown(error),
        }
    }
}

impl Stage {
    /// Planned → NotAttempted: nothing is sent to AWS.
    pub fn not_attempted(why: String) -> Stage {
        Stage::NotAttempted(why)
    }

    /// Announced → the outcome of `DeleteInstance` and the listing that follows it (none is
    /// asked after a "nothing to delete").
    pub fn after_delete(
        arn: &str,
        region: &str,
        answer: &DeleteAnswer,
        listed: Option<Listed>,
    ) -> Stage {
        match (answer, listed) {
            (DeleteAnswer::NotFound, _) => Stage::AlreadyDeleted(format!(
                "{arn} was already gone when the guardrail tried to delete it"
            )),
            (DeleteAnswer::Accepted, Some(Listed::Gone)) => {
                Stage::Deleted(format!("deleted {arn} in {region}; confirmed by listing"))
            }
            (DeleteAnswer::Accepted, Some(Listed::DeleteInProgress)) => Stage::Deleted(format!(
                "deletion of {arn} accepted; listing shows DELETE_IN_PROGRESS"
            )),
            (DeleteAnswer::Accepted, Some(Listed::Still(status))) => Stage::Failed(format!(
                "DeleteInstance was accepted but {arn} is still listed as {}",
                status.as_str()
            )),
            (DeleteAnswer::Accepted, Some(Listed::Unknown(error))) => Stage::Failed(format!(
                "DeleteInstance was accepted but the deletion could not be confirmed: {error}"
            )),
            (DeleteAnswer::Accepted, None) => Stage::Failed(
                "DeleteInstance was accepted but the deletion was not confirmed".to_owned(),
            ),
            // AWS answers AccessDenied for an instance already gone (and a delete whose answer
            // was lost is resent into that): only listings tell it from a refusal.
            (DeleteAnswer::Error(error), Some(Listed::Gone)) => Stage::AlreadyDeleted(format!(
                "{arn} is gone (DeleteInstance answered: {error})"
            )),
            // AWS deletes asynchronously: a second DeleteInstance (a racing delivery, a resent
            // request) meets the first one's DELETE_IN_PROGRESS, read as the success path reads it.
            (DeleteAnswer::Error(error), Some(Listed::DeleteInProgress)) => {
                Stage::Deleted(format!(
                    "deletion of {arn} in progress: the listing shows DELETE_IN_PROGRESS (DeleteInstance answered: {error})"
                ))
            }
            (DeleteAnswer::Error(error), _) => {
                Stage::Failed(format!("DeleteInstance failed: {error}"))
            }
        }
    }

    /// Announced → the worker's confirmation, once the invocation that announced is over: gone
    /// or being deleted is `Deleted`; anything else is no word at all (`None`), so the
    /// confirmation fails and is retried, then kept by the dead-letter queue.
    pub fn confirmed(arn: &str, region: &str, listed: &Listed) -> Option<Stage> {
        match listed {
            Listed::Gone => Some(Stage::Deleted(format!(
                "deleted {arn} in {region}; confirmed by listing after the announcement"
            ))),
            Listed::DeleteInProgress => Some(Stage::Deleted(format!(
                "deletion of {arn} accepted; listing shows DELETE_IN_PROGRESS after the announcement"
            ))),
            Listed::Still(_) | Listed::Unknown(_) => None,
        }
    }

    /// Failed → the worker's settling, once the invocation that said `failed` is over: gone is
    /// `AlreadyDeleted`, being deleted is `Deleted`; still there, the `failed` word stands
    /// (`None`: nothing to publish, and nothing to retry).
    pub fn settled(arn: &str, region: &str, listed: &Listed) -> Option<Stage> {
        match listed {
            Listed::Gone => Some(Stage::AlreadyDeleted(format!(
                "{arn} in {region} is gone: confirmed by listing after the guardrail's attempt failed"
            ))),
            Listed::DeleteInProgress => Some(Stage::Deleted(format!(
                "deletion of {arn} under way: listing shows DELETE_IN_PROGRESS after the guardrail's attempt failed"
            ))),
            Listed::Still(_) | Listed::Unknown(_) => None,
        }
    }

    /// The status the finding is published with.
    pub fn status(&self) -> RemediationStatus {
        match self {
            Stage::Planned => RemediationStatus::DryRun,
            Stage::Announced => RemediationStatus::Deleting,
            Stage::Deleted(_) => RemediationStatus::Deleted,
            Stage::AlreadyDeleted(_) => RemediationStatus::AlreadyDeleted,
            Stage::Failed(_) | Stage::NotAttempted(_) => RemediationStatus::Failed,
        }
    }

    /// The finding's `remediation.detail` in this state.
    pub fn detail(&self, arn: &str, region: &str) -> String {
        match self {
            Stage::Planned => format!("would delete {arn}"),
            Stage::Announced => {
                format!("deleting {arn} in {region}; the outcome follows under this id")
            }
            Stage::Deleted(how) | Stage::AlreadyDeleted(how) | Stage::Failed(how) => how.clone(),
            Stage::NotAttempted(why) => format!("not deleted: {why}; the event will be retried"),
        }
    }

    /// Whether the invocation must fail (so Lambda retries and, in the end, a DLQ keeps it):
    /// not "all clear", the delete may yet take effect or need another attempt.
    pub fn fails_invocation(&self) -> bool {
        matches!(self, Stage::Failed(_) | Stage::NotAttempted(_))
    }
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
