//! Section 6: the bootstraps' sizes — each event function against its target, the outlets
//! function beside them (reported only).

use std::fmt::Write as _;

use anyhow::Result;

use super::format::thousands;
use crate::sizes::{Bootstrap, Role, MAX_EVENT_FUNCTION_MIB};

pub fn write(r: &mut String, sizes: &[Bootstrap]) -> Result<()> {
    writeln!(r, "## 6. The bootstraps\n")?;
    writeln!(
        r,
        "Each function's `bootstrap` as `cargo build --release` leaves it in target/release (the release profile: `lto`, `codegen-units = 1`, `panic = \"abort\"`, symbols stripped; dependencies compiled at `opt-level = \"s\"`, the project's libraries and serde_json at 3, and each function's own crate at \"s\", the level the whole program is optimised at after linking), read from the file itself: its size, whether it is stripped (no `.symtab`) and whether it is an x86_64 ELF, the architecture these figures are for. 1 MiB = 1,048,576 bytes. The event functions (on the delete path, cold-started by a burst of events) carry the target, ≤ {MAX_EVENT_FUNCTION_MIB} MiB each; the outlets function (Security Hub and chat, off the delete path) is reported beside them.\n"
    )?;
    writeln!(
        r,
        "| function | role | bytes | **MiB** | target | stripped | x86_64 |\n|---|---|---:|---:|---|---|---|"
    )?;
    let yes = |ok: bool| if ok { "yes" } else { "**no**" };
    for b in sizes {
        let (role, target) = match (b.role, b.within_target()) {
            (Role::Event, Some(true)) => ("event", format!("≤ {MAX_EVENT_FUNCTION_MIB} MiB: met")),
            (Role::Event, _) => (
                "event",
                format!("≤ {MAX_EVENT_FUNCTION_MIB} MiB: **missed**"),
            ),
            (Role::Outlets, _) => ("outlets", "report only".to_owned()),
        };
        writeln!(
            r,
            "| {} | {role} | {} | **{:.2}** | {target} | {} | {} |",
            b.name,
            thousands(b.bytes),
            b.mib(),
            yes(b.stripped),
            yes(b.x86_64)
        )?;
    }
    writeln!(r)?;
    Ok(())
}
