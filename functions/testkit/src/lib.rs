//! In-memory implementations of the core's ports, one set for every test and the benchmark:
//! a small organization of three accounts with sample instances (the core tests), or a
//! synthetic one of any size ([`Fleet`], the benchmark). Nothing here waits: [`block_on`]
//! runs a guardrail over them without a runtime.

mod block_on;
mod clock;
mod fleet;
mod guardrail;
mod instances;
mod organization;
mod publisher;
mod queue;
mod sample;
mod security_hub;

pub use block_on::{block_on, give_way, interleave};
pub use clock::FakeClock;
pub use fleet::{fleet_account, Fleet, TRIAL_TAG};
pub use guardrail::{guardrail, Fake};
pub use instances::Instances;
pub use organization::Org;
pub use publisher::Publisher;
pub use queue::Queue;
pub use sample::{
    auto, create_event, envelope, instance, now, register_event, settings, world, ADMIN, ADMIN_ARN,
    MEMBER, MEMBER_ARN, MGMT, ORG_ARN,
};
pub use security_hub::Hub;

use idc_core::ports::{PortError, PortErrorKind};

/// The error a fake answers when one of its locks is poisoned (a test panicked holding it).
pub fn lock_err<T>(_: T) -> PortError {
    PortError::new(PortErrorKind::Other, "fake", "poisoned")
}
