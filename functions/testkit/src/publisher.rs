use std::sync::Mutex;

use idc_core::ports::{FindingPublisher, PortError, PortErrorKind};
use idc_core::{Finding, IncompleteNotice, Message, RemediationStatus, SweepSummary};

use crate::{give_way, lock_err};

/// Records every message; `broken` fails them all, `fail_statuses` only the findings with
/// one of these remediation statuses (e.g. `deleting`: the announcement before a delete).
#[derive(Default)]
pub struct Publisher {
    pub messages: Mutex<Vec<Message>>,
    pub broken: bool,
    pub fail_statuses: Vec<&'static str>,
    /// Every publish gives way first, so that [`crate::interleave`] can run two deliveries at
    /// once.
    pub gives_way: bool,
}

impl Publisher {
    fn of_type<T: serde::de::DeserializeOwned>(&self, kind: &str) -> Vec<T> {
        self.messages
            .lock()
            .map(|m| {
                m.iter()
                    .filter(|m| m.attributes.contains(&("message_type", kind.to_owned())))
                    .filter_map(|m| serde_json::from_str(&m.body).ok())
                    .collect()
            })
            .unwrap_or_default()
    }
    /// Every finding published, announcements (`deleting`) included, in order.
    pub fn all(&self) -> Vec<Finding> {
        self.of_type("finding")
    }
    /// The findings' last words: announcements (`deleting`) left out.
    pub fn sent(&self) -> Vec<Finding> {
        self.all()
            .into_iter()
            .filter(|f| f.remediation.status != RemediationStatus::Deleting)
            .collect()
    }
    pub fn summaries(&self) -> Vec<SweepSummary> {
        self.of_type("sweep_summary")
    }
    pub fn notices(&self) -> Vec<IncompleteNotice> {
        self.of_type("incomplete")
    }
    pub fn all_clears(&self) -> Vec<IncompleteNotice> {
        self.of_type("all_clear")
    }
}

impl FindingPublisher for Publisher {
    async fn publish(&self, message: &Message) -> Result<(), PortError> {
        if self.gives_way {
            give_way().await;
        }
        let status = message
            .attributes
            .iter()
            .find(|(k, _)| *k == "remediation_status")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        if self.broken || self.fail_statuses.contains(&status) {
            return Err(PortError::new(
                PortErrorKind::Other,
                "Publish",
                "topic does not exist",
            ));
        }
        self.messages
            .lock()
            .map_err(lock_err)?
            .push(message.clone());
        Ok(())
    }
}
