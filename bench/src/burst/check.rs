//! Whether the burst's answers are right, once it is over: every planted instance is gone from
//! the emulator (and the organization instance is not); every finding's latest word on the
//! findings topic (highest `sequence` per id, as the security team's queue received them) says
//! its instance was deleted; Security Hub holds exactly those findings, each with that word (its
//! status, its time); and chat heard each of them. Anything else fails the bench, naming what
//! is wrong.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{bail, Context, Result};
use chrono::DateTime;
use idc_e2e::outlets::{security_hub_findings, HubFinding};
use idc_e2e::world::{latest_words, Received};
use serde_json::{json, Value};

use super::stage::{queue_depth, Stage};

/// What was checked, for the report.
#[derive(Debug, Clone, Copy, Default)]
pub struct Checked {
    pub instances: usize,
    /// Messages the security team's queue received (announcements and outcomes).
    pub messages: usize,
    pub finding_ids: usize,
    pub hub_findings: usize,
    pub chat_messages: usize,
    /// Delete confirmations queued for the sweep worker (delayed past the deadline).
    pub confirmations: u64,
}

/// What the subscribers read during the burst: the security team's queue (SNS envelopes) and
/// the chat topic's queue (custom notifications).
pub struct Read {
    pub findings: Vec<String>,
    pub chat: Vec<String>,
}

/// The statuses that say an instance is gone.
const GONE: [&str; 2] = ["deleted", "already_deleted"];

pub async fn check(stage: &Stage, read: &Read) -> Result<Checked> {
    let world = &stage.world;
    let mut problems = Vec::new();
    let state = world.emulator.post("/idc-guardrail/state", &json!({}))?;
    let left: BTreeSet<&str> = state["instances"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["InstanceArn"].as_str())
        .collect();
    for p in stage
        .planted
        .iter()
        .filter(|p| left.contains(p.instance_arn.as_str()))
    {
        problems.push(format!(
            "{} of {} in {}: still there",
            p.instance_arn, p.account, p.region
        ));
    }
    if !left.contains(world.org_instance_arn.as_str()) {
        problems.push("the organization instance is gone".to_owned());
    }
    let mut messages = read
        .findings
        .iter()
        .map(|body| Received::from_envelope(body))
        .filter(|m| m.as_ref().map_or(true, |m| m.message_type() == "finding"))
        .collect::<Result<Vec<_>>>()?;
    messages.sort_by_key(Received::sequence);
    let message_count = messages.len();
    let latest = latest_words(messages);
    let by_instance: BTreeMap<&str, Vec<&Received>> =
        latest.iter().fold(BTreeMap::new(), |mut m, w| {
            let arn = w.finding["instance_arn"].as_str().unwrap_or_default();
            m.entry(arn).or_default().push(w);
            m
        });
    for p in &stage.planted {
        match by_instance.get(p.instance_arn.as_str()).map(Vec::as_slice) {
            Some([word]) if !GONE.contains(&word.status()) => problems.push(format!(
                "{}: the latest word is `{}`",
                p.instance_arn,
                word.status()
            )),
            Some([word]) if word.finding["trigger"]["event_id"] != p.event_id.as_str() => {
                problems.push(format!("{}: a finding of another event", p.instance_arn))
            }
            Some([_]) => {}
            Some(words) => problems.push(format!(
                "{}: {} finding ids, one expected",
                p.instance_arn,
                words.len()
            )),
            None => problems.push(format!("{}: no finding", p.instance_arn)),
        }
    }
    let hub = security_hub_findings(world).await?;
    let held: BTreeMap<&str, &HubFinding> = hub.iter().map(|f| (f.id.as_str(), f)).collect();
    for word in &latest {
        match held.get(word.id()) {
            None => problems.push(format!("{}: not in Security Hub", word.id())),
            Some(f) => problems.extend(hub_problem(f, word)),
        }
    }
    let ids: BTreeSet<&str> = latest.iter().map(Received::id).collect();
    for extra in held.keys().filter(|id| !ids.contains(*id)) {
        problems.push(format!("{extra}: in Security Hub, never published"));
    }
    let chat = read
        .chat
        .iter()
        .map(|body| serde_json::from_str::<Value>(body).context("a chat message is not JSON"))
        .collect::<Result<Vec<_>>>()?;
    let heard: BTreeSet<&str> = chat.iter().filter_map(|m| m["id"].as_str()).collect();
    for id in ids.iter().filter(|id| !heard.contains(*id)) {
        problems.push(format!("{id}: chat never heard it"));
    }
    if !problems.is_empty() {
        bail!(
            "the burst's answers are wrong ({} problems), e.g.:\n  {}",
            problems.len(),
            problems
                .iter()
                .take(12)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n  ")
        );
    }
    let sqs = aws_sdk_sqs::Client::new(&world.sdk);
    Ok(Checked {
        instances: stage.planted.len(),
        messages: message_count,
        finding_ids: latest.len(),
        hub_findings: hub.len(),
        chat_messages: chat.len(),
        confirmations: queue_depth(&sqs, &stage.worker_queue_url).await?,
    })
}

/// What is wrong with the finding Security Hub holds for the latest `word`, if anything: its
/// status, its state (resolved and archived: the instance is gone) and its time (the word's
/// `sequence`, in microseconds since the epoch).
fn hub_problem(f: &HubFinding, word: &Received) -> Option<String> {
    let status = f
        .product_fields
        .get("idc-guardrail/remediation_status")
        .map(String::as_str);
    let micros = DateTime::parse_from_rfc3339(&f.updated_at)
        .ok()
        .and_then(|t| u64::try_from(t.timestamp_micros()).ok());
    if status != Some(word.status()) {
        Some(format!(
            "{}: Security Hub holds `{}`, the latest word is `{}`",
            f.id,
            status.unwrap_or("nothing"),
            word.status()
        ))
    } else if (f.workflow.as_str(), f.record_state.as_str()) != ("RESOLVED", "ARCHIVED") {
        Some(format!(
            "{}: {} and {}, not RESOLVED and ARCHIVED",
            f.id, f.workflow, f.record_state
        ))
    } else if micros != Some(word.sequence()) {
        Some(format!(
            "{}: UpdatedAt {} is not the latest word's time ({} µs)",
            f.id,
            f.updated_at,
            word.sequence()
        ))
    } else {
        None
    }
}
