use std::collections::BTreeMap;
use std::sync::Mutex;

use idc_core::asff::AsffFinding;
use idc_core::ports::{PortError, PortErrorKind, SecurityHubPort};

use crate::lock_err;

/// Security Hub in memory: every import recorded, upserted by `Id` as Security Hub does;
/// `broken` fails every import (as a `FailedFindings` entry would).
#[derive(Default)]
pub struct Hub {
    pub imports: Mutex<Vec<AsffFinding>>,
    pub broken: bool,
}

impl Hub {
    /// The findings as Security Hub holds them: the last import of each `Id`.
    pub fn findings(&self) -> BTreeMap<String, AsffFinding> {
        self.imports
            .lock()
            .map(|imports| imports.iter().map(|f| (f.id.clone(), f.clone())).collect())
            .unwrap_or_default()
    }
}

impl SecurityHubPort for Hub {
    async fn import(&self, findings: &[AsffFinding]) -> Result<(), PortError> {
        if self.broken {
            return Err(PortError::new(
                PortErrorKind::Other,
                "BatchImportFindings",
                "1 finding(s) failed: AccessDeniedException",
            ));
        }
        self.imports
            .lock()
            .map_err(lock_err)?
            .extend_from_slice(findings);
        Ok(())
    }
}
