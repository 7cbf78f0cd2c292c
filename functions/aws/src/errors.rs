//! SDK errors, translated into the domain's kinds of failure.

use aws_sdk_ssoadmin::error::{ProvideErrorMetadata, SdkError};
use idc_core::ports::{PortError, PortErrorKind};

/// Maps any SDK error to a `PortError`, using the error code AWS returned.
pub fn port_error<E, R>(operation: &str, error: SdkError<E, R>) -> PortError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match &error {
        SdkError::ServiceError(service) => {
            let err = service.err();
            let code = err.code().unwrap_or("Unknown");
            let message = err.message().unwrap_or_default();
            PortError::new(kind_of(code), operation, format!("{code}: {message}"))
        }
        // Credentials (AssumeRole into the member) and connections fail before dispatch.
        SdkError::DispatchFailure(_)
        | SdkError::TimeoutError(_)
        | SdkError::ConstructionFailure(_) => {
            PortError::new(PortErrorKind::Unreachable, operation, full_message(&error))
        }
        _ => PortError::new(PortErrorKind::Other, operation, full_message(&error)),
    }
}

fn kind_of(code: &str) -> PortErrorKind {
    match code {
        "AccessDeniedException" | "AccessDenied" | "AccessDeniedForDependencyException" => {
            PortErrorKind::AccessDenied
        }
        "ResourceNotFoundException" | "NotFoundException" => PortErrorKind::NotFound,
        "ConflictException" => PortErrorKind::Conflict,
        "ThrottlingException" | "TooManyRequestsException" | "Throttling" => {
            PortErrorKind::Throttled
        }
        "UnrecognizedClientException" | "InvalidClientTokenId" | "ExpiredToken" | "AuthFailure" => {
            PortErrorKind::Unreachable
        }
        _ => PortErrorKind::Other,
    }
}

/// The error and its sources on one line (the SDK's Display alone is often just "dispatch failure").
fn full_message(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        message.push_str(": ");
        message.push_str(&inner.to_string());
        source = inner.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_kinds() {
        assert_eq!(kind_of("ConflictException"), PortErrorKind::Conflict);
        assert_eq!(kind_of("ThrottlingException"), PortErrorKind::Throttled);
        assert_eq!(
            kind_of("AccessDeniedException"),
            PortErrorKind::AccessDenied
        );
        assert_eq!(
            kind_of("ResourceNotFoundException"),
            PortErrorKind::NotFound
        );
        assert_eq!(kind_of("InvalidClientTokenId"), PortErrorKind::Unreachable);
        assert_eq!(kind_of("ValidationException"), PortErrorKind::Other);
    }
}
