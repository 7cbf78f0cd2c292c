use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use idc_core::asff::AsffFinding;
use idc_core::ports::{PortError, PortErrorKind, SecurityHubPort};

use crate::lock_err;

/// Security Hub in memory: findings upserted by `Id` as Security Hub does, every call
/// counted; `broken` fails every call (Security Hub not enabled, throttled past the SDK's
/// retries), `refuses` names the ids it answers in `FailedFindings`.
#[derive(Default)]
pub struct Hub {
    pub held: Mutex<BTreeMap<String, AsffFinding>>,
    pub imports: Mutex<Vec<Vec<String>>>,
    pub resolved: Mutex<Vec<String>>,
    pub broken: bool,
    pub refuses: BTreeSet<String>,
}

impl Hub {
    /// The findings as Security Hub holds them.
    pub fn findings(&self) -> BTreeMap<String, AsffFinding> {
        self.held.lock().map(|h| h.clone()).unwrap_or_default()
    }
    /// The ids of each `BatchImportFindings` request, in order.
    pub fn import_calls(&self) -> Vec<Vec<String>> {
        self.imports.lock().map(|i| i.clone()).unwrap_or_default()
    }
    fn check(&self, operation: &str) -> Result<(), PortError> {
        if self.broken {
            return Err(PortError::new(
                PortErrorKind::Throttled,
                operation,
                "TooManyRequestsException: rate exceeded",
            ));
        }
        Ok(())
    }
    fn refused<'a>(&self, ids: impl Iterator<Item = &'a String>) -> BTreeMap<String, String> {
        ids.filter(|id| self.refuses.contains(*id))
            .map(|id| (id.clone(), "InvalidInput: refused".to_owned()))
            .collect()
    }
}

impl SecurityHubPort for Hub {
    async fn import(
        &self,
        findings: &[AsffFinding],
    ) -> Result<BTreeMap<String, String>, PortError> {
        self.check("BatchImportFindings")?;
        self.imports
            .lock()
            .map_err(lock_err)?
            .push(findings.iter().map(|f| f.id.clone()).collect());
        let refused = self.refused(findings.iter().map(|f| &f.id));
        let mut held = self.held.lock().map_err(lock_err)?;
        for f in findings.iter().filter(|f| !refused.contains_key(&f.id)) {
            held.insert(f.id.clone(), f.clone());
        }
        Ok(refused)
    }
    async fn resolve(
        &self,
        findings: &[&AsffFinding],
    ) -> Result<BTreeMap<String, String>, PortError> {
        self.check("BatchUpdateFindings")?;
        self.resolved
            .lock()
            .map_err(lock_err)?
            .extend(findings.iter().map(|f| f.id.clone()));
        Ok(BTreeMap::new())
    }
    async fn updated_at(
        &self,
        _product_arn: &str,
        ids: &[&str],
    ) -> Result<BTreeMap<String, String>, PortError> {
        self.check("GetFindings")?;
        let held = self.held.lock().map_err(lock_err)?;
        Ok(ids
            .iter()
            .filter_map(|id| {
                held.get(*id)
                    .map(|f| ((*id).to_owned(), f.updated_at.clone()))
            })
            .collect())
    }
}
