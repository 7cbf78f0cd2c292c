//! AWS adapters of idc-guardrail: the ports of `idc-core` implemented with the official Rust
//! SDK (sso-admin through an assumed member role, Organizations, SNS), and the Lambda entry.

pub mod clock;
pub mod errors;
pub mod guard;
pub mod lambda;
pub mod organizations;
pub mod sessions;
pub mod sns;
pub mod sqs;
pub mod ssoadmin;
pub mod sweep;
