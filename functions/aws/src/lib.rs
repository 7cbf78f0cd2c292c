//! AWS adapters of idc-guardrail: the ports of `idc-core` implemented with the official Rust
//! SDK (sso-admin through an assumed member role, Organizations, SNS, SQS), and the one builder
//! of their clients. The Lambda wiring lives in `idc-lambda`.

pub mod applications;
pub mod clients;
pub mod clock;
pub mod errors;
pub mod guard;
pub mod https;
#[cfg(feature = "migration")]
pub mod migration;
pub mod organizations;
pub mod securityhub;
pub mod sessions;
pub mod sns;
pub mod sqs;
pub mod ssoadmin;
pub mod watch;
