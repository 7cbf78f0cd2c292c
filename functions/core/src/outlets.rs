//! The outlets: Security Hub and chat, fed from the findings topic through the outlets queue,
//! off the delete path. The functions that delete publish only to the findings topic (the
//! system of record); nothing they do waits on Security Hub or chat.
//!
//! A batch of deliveries (raw SNS messages: each body is a finding, the finding contract) is
//! handled as a whole and answers the deliveries that failed, so that SQS delivers only those
//! again (partial batch failures) and, in the end, the outlets' dead-letter queue keeps them:
//! - a body that is not a finding fails (nothing is lost; the DLQ shows what was wrong);
//! - `deleting` announcements are for the record only: neither imported nor sent to chat;
//! - per finding `id` only the latest word of the batch (highest `sequence`) goes out; the
//!   older ones are done (their word is superseded);
//! - a word older than what Security Hub already holds for its id (its `UpdatedAt`, which is
//!   the `sequence`'s time) is late: it changes nothing and is not sent to chat either, so a
//!   late delivery never moves a finding back. The same word again (a repeated delivery, or
//!   the retry of a batch whose chat notice failed) is not imported again but goes to chat:
//!   chat may hear a word twice, never not at all;
//! - the rest is imported in batches of at most 100 (`BatchImportFindings`' limit); a failed
//!   call fails its batch's deliveries, a finding Security Hub refuses fails its delivery; the
//!   imported findings whose instance is gone are then resolved (`BatchUpdateFindings`);
//! - chat gets one notification per latest word of at least the threshold's severity.

use std::collections::{BTreeMap, BTreeSet};

use chrono::DateTime;

use crate::asff::{to_asff, AsffFinding, Product};
use crate::chat::{reaches_chat, to_chat};
use crate::finding::{Finding, RemediationStatus, Severity};
use crate::message::Message;
use crate::ports::{FindingPublisher, PortError, SecurityHubPort};

/// `BatchImportFindings` takes at most 100 findings per request.
pub const IMPORT_BATCH: usize = 100;

/// Security Hub and where its findings are imported.
pub struct HubOutlet<H> {
    pub port: H,
    pub product: Product,
}

/// The chat topic and its threshold.
pub struct ChatOutlet<C> {
    pub topic: C,
    pub min_severity: Severity,
}

pub struct Outlets<H, C> {
    pub security_hub: Option<HubOutlet<H>>,
    pub chat: Option<ChatOutlet<C>>,
}

/// One SQS message (of the outlets queue, or any queue a function reads): its id and its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub message_id: String,
    pub body: String,
}

/// A finding's latest word in a batch, and the deliveries that carried its id.
struct Latest {
    finding: Finding,
    deliveries: Vec<String>,
}

/// The chat topic's message for a finding: the custom notification as the body, the finding's
/// subject and attributes (so the chat topic can be filtered like the findings topic).
pub fn chat_message(finding: &Finding) -> Message {
    Message {
        id: finding.id.clone(),
        subject: finding.sns_subject(),
        body: to_chat(finding).to_string(),
        attributes: finding.sns_attributes(),
    }
}

/// The latest word per finding id; the deliveries that are not findings go to `failed`.
fn latest_words(deliveries: &[Delivery], failed: &mut BTreeSet<String>) -> Vec<Latest> {
    let mut latest: BTreeMap<String, Latest> = BTreeMap::new();
    for delivery in deliveries {
        let finding: Finding = match serde_json::from_str(&delivery.body) {
            Ok(finding) => finding,
            Err(error) => {
                tracing::error!(message_id = %delivery.message_id, error = %error, "not a finding: kept for the dead-letter queue");
                failed.insert(delivery.message_id.clone());
                continue;
            }
        };
        match latest.get_mut(&finding.id) {
            Some(seen) => {
                seen.deliveries.push(delivery.message_id.clone());
                if finding.sequence > seen.finding.sequence {
                    seen.finding = finding;
                }
            }
            None => {
                latest.insert(
                    finding.id.clone(),
                    Latest {
                        finding,
                        deliveries: vec![delivery.message_id.clone()],
                    },
                );
            }
        }
    }
    latest
        .into_values()
        .filter(|l| l.finding.remediation.status != RemediationStatus::Deleting)
        .collect()
}

/// How what Security Hub holds for an id compares with this word's `UpdatedAt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Held {
    /// Nothing, or an older word: import this one.
    Older,
    /// This very word: nothing to import.
    Same,
    /// A later word: this one is late and done.
    Newer,
}

fn held(ours: &str, held: Option<&String>) -> Held {
    let parse = |t: &str| DateTime::parse_from_rfc3339(t).ok();
    match (parse(ours), held.and_then(|h| parse(h))) {
        (Some(ours), Some(held)) if held > ours => Held::Newer,
        (Some(ours), Some(held)) if held == ours => Held::Same,
        _ => Held::Older,
    }
}

impl<H: SecurityHubPort, C: FindingPublisher> Outlets<H, C> {
    /// Handles one batch; answers the message ids of the deliveries that failed.
    pub async fn deliver(&self, deliveries: &[Delivery]) -> BTreeSet<String> {
        let mut failed = BTreeSet::new();
        let mut words = latest_words(deliveries, &mut failed);
        if let Some(hub) = &self.security_hub {
            words = self.import(hub, words, &mut failed).await;
        }
        if let Some(chat) = &self.chat {
            for word in words
                .iter()
                .filter(|w| reaches_chat(&w.finding, chat.min_severity))
            {
                if let Err(error) = chat.topic.publish(&chat_message(&word.finding)).await {
                    tracing::error!(finding_id = %word.finding.id, error = %error, "not sent to the chat topic");
                    failed.extend(word.deliveries.iter().cloned());
                }
            }
        }
        failed
    }

    /// Imports the words Security Hub does not hold yet and resolves the ones whose instance
    /// is gone; answers the words that are in Security Hub now, for chat. Late words are done
    /// and dropped here.
    async fn import(
        &self,
        hub: &HubOutlet<H>,
        words: Vec<Latest>,
        failed: &mut BTreeSet<String>,
    ) -> Vec<Latest> {
        let mut fresh = Vec::new();
        let mut words = words.into_iter().peekable();
        while words.peek().is_some() {
            let chunk: Vec<Latest> = words.by_ref().take(IMPORT_BATCH).collect();
            let asff: Vec<AsffFinding> = chunk
                .iter()
                .map(|w| to_asff(&w.finding, &hub.product))
                .collect();
            match self.import_chunk(hub, &asff).await {
                Ok(outcome) => {
                    for word in chunk {
                        let id = &word.finding.id;
                        if let Some(reason) = outcome.refused.get(id) {
                            tracing::error!(finding_id = %id, reason = %reason, "refused by Security Hub");
                            failed.extend(word.deliveries);
                        } else if !outcome.late.contains(id) {
                            fresh.push(word);
                        }
                    }
                }
                Err(error) => {
                    tracing::error!(findings = asff.len(), error = %error, "not imported into Security Hub");
                    failed.extend(chunk.into_iter().flat_map(|w| w.deliveries));
                }
            }
        }
        fresh
    }

    async fn import_chunk(
        &self,
        hub: &HubOutlet<H>,
        asff: &[AsffFinding],
    ) -> Result<ChunkImport, PortError> {
        let ids: Vec<&str> = asff.iter().map(|f| f.id.as_str()).collect();
        let holds = hub.port.updated_at(&hub.product.arn(), &ids).await?;
        let mut late = BTreeSet::new();
        let mut new = Vec::new();
        for f in asff {
            match held(&f.updated_at, holds.get(&f.id)) {
                Held::Newer => {
                    late.insert(f.id.clone());
                }
                Held::Same => {}
                Held::Older => new.push(f.clone()),
            }
        }
        if new.is_empty() {
            return Ok(ChunkImport {
                late,
                refused: BTreeMap::new(),
            });
        }
        let mut refused = hub.port.import(&new).await?;
        let resolved: Vec<&AsffFinding> = new
            .iter()
            .filter(|f| f.workflow.status == "RESOLVED" && !refused.contains_key(&f.id))
            .collect();
        if !resolved.is_empty() {
            refused.extend(hub.port.resolve(&resolved).await?);
        }
        Ok(ChunkImport { late, refused })
    }
}

/// What became of one import batch: the ids Security Hub already held newer (done), and the
/// ones it refused (why).
struct ChunkImport {
    late: BTreeSet<String>,
    refused: BTreeMap<String, String>,
}
