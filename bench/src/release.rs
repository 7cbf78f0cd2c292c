//! Where the release bootstraps are: target/release, as `make bench` builds them
//! (`cargo build --release`, one package per function).

use std::path::PathBuf;

use anyhow::{bail, Result};

/// The directory of the release bootstraps.
pub fn release_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| idc_e2e::repo_root().join("target"))
        .join("release")
}

/// A release bootstrap, which `make bench` builds before it runs the bench.
pub fn release_binary(name: &str) -> Result<PathBuf> {
    let path = release_dir().join(name);
    if !path.exists() {
        bail!(
            "{} not found: build the release bootstraps first (`make bench` does)",
            path.display()
        );
    }
    Ok(path)
}
