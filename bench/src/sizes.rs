//! The size of each release bootstrap, as `cargo build --release` leaves it: the event
//! functions, which carry a size target (a smaller bootstrap is less to fetch on a cold start),
//! and the outlets function beside them, reported only. The release profile strips symbols;
//! that, and the architecture the figures are for, are checked here from the ELF itself.

use anyhow::{Context, Result};

use crate::release::release_binary;

/// 1 MiB.
pub const MIB: f64 = 1_048_576.0;
/// The target of every event function's bootstrap.
pub const MAX_EVENT_FUNCTION_MIB: f64 = 7.5;

/// What a function is there for: an event function (on the delete path) or the outlets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Event,
    Outlets,
}

pub const BOOTSTRAPS: [(&str, Role); 5] = [
    ("on-create-instance", Role::Event),
    ("on-org-event", Role::Event),
    ("sweep", Role::Event),
    ("sweep-worker", Role::Event),
    ("outlets", Role::Outlets),
];

pub struct Bootstrap {
    pub name: &'static str,
    pub role: Role,
    pub bytes: u64,
    pub stripped: bool,
    /// The ELF's machine is x86_64 (EM_X86_64).
    pub x86_64: bool,
}

impl Bootstrap {
    pub fn mib(&self) -> f64 {
        self.bytes as f64 / MIB
    }

    /// Whether it meets its target; `None` for a bootstrap reported only.
    pub fn within_target(&self) -> Option<bool> {
        (self.role == Role::Event).then(|| self.mib() <= MAX_EVENT_FUNCTION_MIB)
    }
}

/// `e_machine` of a 64-bit little-endian ELF: two bytes at offset 18.
fn is_x86_64(elf: &[u8]) -> bool {
    const EM_X86_64: u16 = 62;
    elf.starts_with(b"\x7fELF") && elf.get(18..20) == Some(EM_X86_64.to_le_bytes().as_slice())
}

pub fn measure() -> Result<Vec<Bootstrap>> {
    BOOTSTRAPS
        .iter()
        .map(|&(name, role)| {
            let path = release_binary(name)?;
            let bytes =
                std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            Ok(Bootstrap {
                name,
                role,
                bytes: bytes.len() as u64,
                // A symbol table's section name is in the section-name table of an unstripped ELF.
                stripped: !bytes.windows(8).any(|w| w == b".symtab\0"),
                x86_64: is_x86_64(&bytes),
            })
        })
        .collect()
}

/// The largest event function's bootstrap.
pub fn largest_event_function(sizes: &[Bootstrap]) -> Option<&Bootstrap> {
    sizes
        .iter()
        .filter(|b| b.role == Role::Event)
        .max_by_key(|b| b.bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_elf_machine() {
        let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0".to_vec();
        assert!(!is_x86_64(&elf), "too short");
        elf.extend_from_slice(&62u16.to_le_bytes());
        assert!(is_x86_64(&elf));
        let mut arm = elf.clone();
        arm[18..20].copy_from_slice(&183u16.to_le_bytes());
        assert!(!is_x86_64(&arm), "aarch64");
    }

    #[test]
    fn only_event_functions_carry_the_target() {
        let b = |role, bytes| Bootstrap {
            name: "x",
            role,
            bytes,
            stripped: true,
            x86_64: true,
        };
        let limit = (MAX_EVENT_FUNCTION_MIB * MIB) as u64;
        assert_eq!(b(Role::Event, limit).within_target(), Some(true));
        assert_eq!(b(Role::Event, limit + 1).within_target(), Some(false));
        assert_eq!(b(Role::Outlets, limit * 2).within_target(), None);
    }
}
