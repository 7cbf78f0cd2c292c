//! Every place a message goes, behind the one `FindingPublisher` the live path knows: the
//! findings topic always; for findings, Security Hub (`SECURITY_HUB=true`) and the chat topic
//! (`CHAT_TOPIC_ARN`) when configured. Any failure is the publish's failure, so the existing
//! accounting fails the invocation and Lambda retries the event (the DLQ keeps it in the end):
//! no outlet loses a finding silently.
//!
//! The findings topic goes first: if it fails nothing else is tried, and the retry sends all.
//! The `deleting` announcement goes to the findings topic alone: it is the system of record's
//! promise before `DeleteInstance`, and only what is published there decides whether the
//! delete happens — a failing Security Hub or chat must never leave `deleting` announced for a
//! delete that is then not attempted. Their copy follows with the outcome, seconds later.
//! Security Hub and chat then go out together. A retry after one of them failed sends the
//! message to the topic again, which the finding contract allows (same `id` and a higher
//! `sequence`); Security Hub upserts by `Id`, so its copy is simply refreshed.
//!
//! The finding is read back from the message body (the finding contract), not carried beside
//! it: every message is built in one place per kind, and the body is exactly what subscribers
//! get, so Security Hub and chat can never say something the topic did not.

use crate::asff::{to_asff, Product};
use crate::chat::{reaches_chat, to_chat};
use crate::finding::{Finding, Severity};
use crate::message::Message;
use crate::ports::{FindingPublisher, PortError, PortErrorKind, SecurityHubPort};

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

pub struct Outlets<P, H, C> {
    pub findings: P,
    pub security_hub: Option<HubOutlet<H>>,
    pub chat: Option<ChatOutlet<C>>,
}

/// The finding a message carries, when it is one.
pub fn finding_of(message: &Message) -> Result<Option<Finding>, PortError> {
    let is_finding = message
        .attributes
        .iter()
        .any(|(name, value)| *name == "message_type" && value == "finding");
    if !is_finding {
        return Ok(None);
    }
    serde_json::from_str(&message.body).map(Some).map_err(|e| {
        PortError::new(
            PortErrorKind::Other,
            "Publish",
            format!("finding {} is not a finding: {e}", message.id),
        )
    })
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

impl<P, H, C> FindingPublisher for Outlets<P, H, C>
where
    P: FindingPublisher,
    H: SecurityHubPort,
    C: FindingPublisher,
{
    async fn publish(&self, message: &Message) -> Result<(), PortError> {
        self.findings.publish(message).await?;
        let Some(finding) = finding_of(message)? else {
            return Ok(());
        };
        if finding.remediation.status == crate::finding::RemediationStatus::Deleting {
            return Ok(());
        }
        let hub = async {
            match &self.security_hub {
                Some(hub) => {
                    let imported = hub.port.import(&[to_asff(&finding, &hub.product)]).await;
                    if let Err(error) = &imported {
                        tracing::error!(finding_id = %finding.id, error = %error, "not imported into Security Hub");
                    }
                    imported
                }
                None => Ok(()),
            }
        };
        let chat = async {
            match &self.chat {
                Some(chat) if reaches_chat(&finding, chat.min_severity) => {
                    let sent = chat.topic.publish(&chat_message(&finding)).await;
                    if let Err(error) = &sent {
                        tracing::error!(finding_id = %finding.id, error = %error, "not sent to the chat topic");
                    }
                    sent
                }
                _ => Ok(()),
            }
        };
        let (hub, chat) = futures_util::future::join(hub, chat).await;
        hub.and(chat)
    }
}
