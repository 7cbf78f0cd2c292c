use super::*;
use crate::ports::PortErrorKind;

const ARN: &str = "arn:aws:sso:::instance/ssoins-1";

fn error(kind: PortErrorKind, code: &str) -> PortError {
    PortError::new(kind, "DeleteInstance", code)
}

/// Every answer of DeleteInstance against every listing that can follow it.
#[test]
fn every_delete_answer_and_listing_has_one_outcome() {
    let answers = [
        DeleteAnswer::Accepted,
        DeleteAnswer::NotFound,
        DeleteAnswer::Error(error(PortErrorKind::AccessDenied, "AccessDeniedException")),
        DeleteAnswer::Error(error(PortErrorKind::Conflict, "ConflictException")),
        DeleteAnswer::Error(error(PortErrorKind::Unreachable, "connection reset")),
    ];
    let listings = [
        Some(Listed::Gone),
        Some(Listed::DeleteInProgress),
        Some(Listed::Still(InstanceStatus::Active)),
        Some(Listed::Unknown(error(
            PortErrorKind::Throttled,
            "ThrottlingException",
        ))),
        None,
    ];
    for answer in &answers {
        for listed in &listings {
            let stage = Stage::after_delete(ARN, "eu-west-1", answer, listed.clone());
            let expected = match (answer, listed) {
                (DeleteAnswer::NotFound, _) => RemediationStatus::AlreadyDeleted,
                (DeleteAnswer::Accepted, Some(Listed::Gone | Listed::DeleteInProgress)) => {
                    RemediationStatus::Deleted
                }
                (DeleteAnswer::Error(_), Some(Listed::Gone)) => RemediationStatus::AlreadyDeleted,
                (DeleteAnswer::Error(_), Some(Listed::DeleteInProgress)) => {
                    RemediationStatus::Deleted
                }
                _ => RemediationStatus::Failed,
            };
            assert_eq!(stage.status(), expected, "{answer:?} then {listed:?}");
            // Gone is never a failure, and a failure always fails the invocation.
            assert_eq!(
                stage.fails_invocation(),
                expected == RemediationStatus::Failed
            );
        }
    }
}

#[test]
fn the_same_listing_reads_the_same_on_either_branch() {
    let accepted = Stage::after_delete(
        ARN,
        "r",
        &DeleteAnswer::Accepted,
        Some(Listed::DeleteInProgress),
    );
    let conflict = Stage::after_delete(
        ARN,
        "r",
        &DeleteAnswer::Error(error(PortErrorKind::Conflict, "ConflictException")),
        Some(Listed::DeleteInProgress),
    );
    assert_eq!(accepted.status(), conflict.status());
}

#[test]
fn a_confirmation_says_deleted_or_nothing() {
    for (listed, word) in [
        (Listed::Gone, Some(RemediationStatus::Deleted)),
        (Listed::DeleteInProgress, Some(RemediationStatus::Deleted)),
        (Listed::Still(InstanceStatus::Active), None),
        (Listed::Unknown(error(PortErrorKind::Other, "x")), None),
    ] {
        assert_eq!(
            Stage::confirmed(ARN, "r", &listed).map(|s| s.status()),
            word,
            "{listed:?}"
        );
    }
}

#[test]
fn states_name_their_status_and_detail_in_one_place() {
    assert_eq!(Stage::Announced.status(), RemediationStatus::Deleting);
    assert!(Stage::Announced
        .detail(ARN, "r")
        .contains("outcome follows"));
    let not = Stage::not_attempted("no time".into());
    assert_eq!(not.status(), RemediationStatus::Failed);
    assert!(not.detail(ARN, "r").starts_with("not deleted: no time"));
    assert!(not.fails_invocation());
    assert!(!Stage::Deleted("x".into()).fails_invocation());
}
