use std::sync::Mutex;

use idc_core::ports::{PortError, TaskQueue};

use crate::lock_err;

/// Records the tasks a fanned-out sweep sends: (sweep id, account).
#[derive(Default)]
pub struct Queue {
    pub tasks: Mutex<Vec<(String, String)>>,
}

impl TaskQueue for Queue {
    async fn enqueue(&self, sweep_id: &str, accounts: &[String]) -> Result<(), PortError> {
        let mut tasks = self.tasks.lock().map_err(lock_err)?;
        tasks.extend(accounts.iter().map(|a| (sweep_id.to_owned(), a.clone())));
        Ok(())
    }
}
