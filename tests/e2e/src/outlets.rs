//! What the outlets beside the findings topic received, read back as a security team would:
//! Security Hub's findings (`GetFindings`, straight at the emulator), the chat topic's messages
//! (an SQS queue subscribed to it), and the EMF metric lines a Lambda printed.

use anyhow::{anyhow, Context, Result};
use serde_json::Value;

use crate::world::{topic_to_queue, World};

/// A Security Hub finding, the fields the guardrail sets.
#[derive(Debug, Clone, Default)]
pub struct HubFinding {
    pub id: String,
    pub product_arn: String,
    pub generator_id: String,
    pub aws_account_id: String,
    pub types: Vec<String>,
    pub severity: String,
    pub title: String,
    pub source_url: String,
    pub recommendation: String,
    pub workflow: String,
    pub compliance: String,
    pub record_state: String,
    /// When the word it holds was published (the finding's `sequence`, as RFC 3339).
    pub updated_at: String,
    pub resource_type: String,
    pub resource_id: String,
    pub resource_region: String,
    pub resource_partition: String,
    pub details: std::collections::BTreeMap<String, String>,
    pub product_fields: std::collections::BTreeMap<String, String>,
}

/// Every finding in the management account's Security Hub (`GetFindings`, all pages).
///
/// Read on a thread of its own with a large stack: the SDK's deserializer of the (very large)
/// ASFF shape overflows a default stack in debug builds.
pub async fn security_hub_findings(world: &World) -> Result<Vec<HubFinding>> {
    let sdk = world.sdk.clone();
    let reader = std::thread::Builder::new()
        .name("get-findings".into())
        .stack_size(256 * 1024 * 1024)
        .spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("a runtime for GetFindings")?
                .block_on(get_findings(&sdk))
        })
        .context("cannot start the GetFindings thread")?;
    tokio::task::spawn_blocking(move || reader.join())
        .await
        .context("GetFindings thread")?
        .map_err(|_| anyhow!("GetFindings panicked"))?
}

async fn get_findings(sdk: &aws_config::SdkConfig) -> Result<Vec<HubFinding>> {
    let hub = aws_sdk_securityhub::Client::new(sdk);
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = hub
            .get_findings()
            .set_next_token(token)
            .send()
            .await
            .context("GetFindings")?;
        for f in page.findings() {
            let resource = f.resources().first();
            out.push(HubFinding {
                id: f.id().unwrap_or_default().to_owned(),
                product_arn: f.product_arn().unwrap_or_default().to_owned(),
                generator_id: f.generator_id().unwrap_or_default().to_owned(),
                aws_account_id: f.aws_account_id().unwrap_or_default().to_owned(),
                types: f.types().to_vec(),
                severity: f
                    .severity()
                    .and_then(|s| s.label())
                    .map(|l| l.as_str().to_owned())
                    .unwrap_or_default(),
                title: f.title().unwrap_or_default().to_owned(),
                source_url: f.source_url().unwrap_or_default().to_owned(),
                recommendation: f
                    .remediation()
                    .and_then(|r| r.recommendation())
                    .and_then(|r| r.text())
                    .unwrap_or_default()
                    .to_owned(),
                workflow: f
                    .workflow()
                    .and_then(|w| w.status())
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                compliance: f
                    .compliance()
                    .and_then(|c| c.status())
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                record_state: f
                    .record_state()
                    .map(|s| s.as_str().to_owned())
                    .unwrap_or_default(),
                updated_at: f.updated_at().unwrap_or_default().to_owned(),
                resource_type: resource
                    .and_then(|r| r.r#type())
                    .unwrap_or_default()
                    .to_owned(),
                resource_id: resource.and_then(|r| r.id()).unwrap_or_default().to_owned(),
                resource_region: resource
                    .and_then(|r| r.region())
                    .unwrap_or_default()
                    .to_owned(),
                resource_partition: resource
                    .and_then(|r| r.partition())
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default(),
                details: resource
                    .and_then(|r| r.details())
                    .and_then(|d| d.other())
                    .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
                product_fields: f
                    .product_fields()
                    .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
            });
        }
        match page.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => return Ok(out),
        }
    }
}

/// The chat topic and the queue that reads it.
pub struct ChatChannel {
    pub topic_arn: String,
    queue_url: String,
}

impl ChatChannel {
    /// A chat topic in the management account, with a queue subscribed (raw delivery: the body
    /// is the custom notification, as the chat service reads it).
    pub async fn create(world: &World) -> Result<ChatChannel> {
        let (topic_arn, queue_url) =
            topic_to_queue(&world.sdk, "idc-guardrail-chat", "chat-channel", true).await?;
        Ok(ChatChannel {
            topic_arn,
            queue_url,
        })
    }

    /// The queue subscribed to the chat topic.
    pub fn queue_url(&self) -> &str {
        &self.queue_url
    }

    /// Drains the queue: every custom notification sent to the chat topic since the last call.
    pub async fn messages(&self, world: &World) -> Result<Vec<Value>> {
        world
            .take_messages(&self.queue_url)
            .await?
            .into_iter()
            .map(|(_, body)| serde_json::from_str(&body).context("chat message is not JSON"))
            .collect()
    }
}

/// The EMF documents among a function's log lines (stdout lines with an `_aws` key at the top).
pub fn emf_documents(logs: &str) -> Vec<Value> {
    logs.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|doc| doc.get("_aws").is_some())
        .collect()
}

/// The invocation-level EMF documents (dimension set `[Guardrail]`), in order.
pub fn invocation_metrics(logs: &str) -> Vec<Value> {
    emf_documents(logs)
        .into_iter()
        .filter(|doc| {
            doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == serde_json::json!([["Guardrail"]])
        })
        .collect()
}
