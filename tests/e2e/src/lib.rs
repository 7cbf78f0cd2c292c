//! End-to-end harness: the local AWS emulator (moto server with the project's extension), a
//! real multi-account organization inside it, the guardrail's adapters pointed at it, and the
//! Lambda binaries under cargo-lambda's runtime emulator. Used by the tests and the demo.
//!
//! Nothing here fakes AWS over HTTP: every call goes through the official Rust SDK to the
//! emulator. The only non-AWS calls are the emulator's test-only endpoints, which do what AWS
//! has no API for (seeding the organization instance).

pub mod emulator;
pub mod events;
pub mod faults;
pub mod in_use;
pub mod member_stack;
pub mod outlets;
pub mod proxy;
pub mod runtime;
pub mod world;

use std::path::PathBuf;

/// The repository root (this crate lives in tests/e2e).
pub fn repo_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .and_then(|p| p.parent())
        .map(PathBuf::from)
        .unwrap_or(manifest)
}

/// The project virtualenv's `bin` (moto, cargo-lambda), created by `make venv`.
pub fn venv_bin() -> PathBuf {
    std::env::var_os("IDC_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv"))
        .join("bin")
}
