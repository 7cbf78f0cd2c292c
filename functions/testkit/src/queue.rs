use std::sync::Mutex;

use std::time::Duration;

use idc_core::confirm::ConfirmTask;
use idc_core::ports::{PortError, PortErrorKind, TaskQueue};

use crate::lock_err;

/// Records the tasks a fanned-out sweep sends: (sweep id, account), and the confirmations of
/// announced deletes.
#[derive(Default)]
pub struct Queue {
    pub tasks: Mutex<Vec<(String, String)>>,
    pub confirmations: Mutex<Vec<ConfirmTask>>,
    /// Sending a confirmation fails.
    pub broken: bool,
}

impl Queue {
    pub fn confirmations(&self) -> Vec<ConfirmTask> {
        self.confirmations
            .lock()
            .map(|c| c.clone())
            .unwrap_or_default()
    }
}

impl TaskQueue for Queue {
    async fn enqueue(&self, sweep_id: &str, accounts: &[String]) -> Result<(), PortError> {
        let mut tasks = self.tasks.lock().map_err(lock_err)?;
        tasks.extend(accounts.iter().map(|a| (sweep_id.to_owned(), a.clone())));
        Ok(())
    }
    async fn confirm_later(&self, task: &ConfirmTask, _delay: Duration) -> Result<(), PortError> {
        if self.broken {
            return Err(PortError::new(
                PortErrorKind::Other,
                "SendMessage",
                "injected",
            ));
        }
        self.confirmations
            .lock()
            .map_err(lock_err)?
            .push(task.clone());
        Ok(())
    }
}
