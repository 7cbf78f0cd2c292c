//! The size of each release bootstrap, as `cargo build --release` leaves it (the release
//! profile strips symbols; checked here, since an unstripped binary would flatter nothing).

use anyhow::{Context, Result};

use super::sides::release_binary;

pub const BOOTSTRAPS: [&str; 4] = [
    "on-create-instance",
    "on-org-event",
    "sweep",
    "sweep-worker",
];

pub struct Bootstrap {
    pub name: &'static str,
    pub bytes: u64,
    pub stripped: bool,
}

pub fn measure() -> Result<Vec<Bootstrap>> {
    BOOTSTRAPS
        .iter()
        .map(|&name| {
            let path = release_binary(name)?;
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            Ok(Bootstrap {
                name,
                bytes: bytes.len() as u64,
                // A symbol table's section name is in the section-name table of an unstripped ELF.
                stripped: !bytes.windows(8).any(|w| w == b".symtab\0"),
            })
        })
        .collect()
}
