//! Section 5: the burst — how long until every instance is deleted and every finding is in
//! Security Hub, what was throttled and retried, what ended in a dead-letter queue, and what was
//! checked.

use std::fmt::Write as _;
use std::time::Duration;

use anyhow::Result;

use super::format::{calls_text, thousands};
use crate::burst::deliveries::{MAX_RETRIES, RETRY_DELAYS};
use crate::burst::limits::LIMITS;
use crate::burst::outlets::{BATCH, POLLERS, RETRY_DELAY, WINDOW};
use crate::burst::stage::{OUTLETS_MAX_RECEIVES, REGIONS, SETUP_PARALLELISM};
use crate::burst::{Burst, BurstRun};
use crate::stats::stats;

fn s(d: Duration) -> f64 {
    d.as_secs_f64()
}

pub fn write(r: &mut String, b: &Burst) -> Result<()> {
    writeln!(
        r,
        "## 5. The burst: {} `CreateInstance` events at once\n",
        thousands(b.accounts)
    )?;
    writeln!(
        r,
        "Each of {} member accounts creates an account instance (spread over {}) and its `CreateInstance` event reaches the guardrail at once, deletion on (`AUTO_REMEDIATE=true`, the worker queue set as deployed). Lambda's asynchronous invocation is played by the bench (`bench/src/burst/`): every event queued at the start, *N* sandboxes of the release `on-create-instance` bootstrap each taking one event after another (started cold on its first, under the bench's Runtime API, then reused), a failed invocation delivered again after {:.0} s, then {:.0} s (Lambda: about 1, then 2 minutes), at most {MAX_RETRIES} retries, then counted as a dead-letter message. Meanwhile the release `outlets` bootstrap reads its queue as its event source mapping in the templates does: batches of up to {BATCH} records gathered for at most {:.0} s, {POLLERS} invocations at a time, `SECURITY_HUB=true` and a chat topic; a received record stays invisible for the queue's visibility timeout (360 s), one it reports failed comes back after {:.0} s instead and after {OUTLETS_MAX_RECEIVES} receives the queue's redrive policy (the emulator's SQS) moves it to the outlets' dead-letter queue. The security team's queue and the chat topic's queue are read as the burst goes, as their subscribers would (the emulator's SQS pays for every message a queue holds on each send and receive; AWS does not).\n",
        thousands(b.accounts),
        REGIONS.join(", "),
        s(RETRY_DELAYS[0]),
        s(RETRY_DELAYS[1]),
        s(WINDOW),
        s(RETRY_DELAY),
    )?;
    write_limits(r)?;
    writeln!(
        r,
        "*All deleted*: from the start of the burst to the last event's answer (an invocation answers once its instance is deleted, the deletion confirmed by a listing and the outcome published). *All in Security Hub*: to the end of the last outlets batch, after which every event was settled and the outlets queue empty. The outlets' *records* are those handed to the function, *messages* the distinct ones among them: SQS delivers at least once, so a message may come twice (its word is then not imported again; chat may hear it twice). Each *N* ran on a fresh emulator and organization; the setup is timed apart ({SETUP_PARALLELISM} setup requests in flight: the emulator answers one at a time, the clients' own work overlaps).\n"
    )?;
    writeln!(
        r,
        "| sandboxes | setup: emulator, accounts, instances | **all deleted** | events/s | **all in Security Hub** | invocations (cold starts) | failed | retried | event DLQ | outlets batches (records; messages) | records failed, received again | outlets DLQ |\n|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    )?;
    for run in &b.runs {
        let e = &run.events;
        let o = &run.outlets;
        writeln!(
            r,
            "| {} | {:.0} s, {:.0} s, {:.0} s | **{:.1} s** | {:.0} | **{:.1} s** | {} ({}) | {} | {} | {} | {} ({}; {} messages) | {} | {} |",
            run.sandboxes,
            s(run.setup.emulator),
            s(run.setup.accounts),
            s(run.setup.instances),
            s(run.all_deleted),
            b.accounts as f64 / s(run.all_deleted),
            s(run.all_in_hub),
            thousands(e.invocations),
            e.sandbox_starts,
            e.failed_invocations,
            e.retries(),
            e.dead_letters(),
            o.invocations,
            thousands(o.records),
            thousands(o.messages.len()),
            o.failed_records,
            o.dead_letters
        )?;
    }
    writeln!(r)?;
    write_throttled(r, b)?;
    write_checked(r, b)?;
    write_reading(r, b)
}

fn write_limits(r: &mut String) -> Result<()> {
    writeln!(
        r,
        "The emulator throttles nothing; the fault proxy in front of it answers beyond AWS's published rates (a token bucket per caller — the access key that signed the request — and Region: Security Hub is called by the management account, sso-admin by one member-role session per member account), and the SDK retries those answers as throttling:\n"
    )?;
    writeln!(
        r,
        "| operation | rate | burst | answer beyond it | source |\n|---|---:|---:|---|---|"
    )?;
    for l in &LIMITS {
        writeln!(
            r,
            "| {} {} | {}/s | {} | HTTP {} `{}` | {} |",
            l.service,
            l.operation.unwrap_or("(every operation)"),
            l.rate.per_second,
            l.rate.burst,
            l.status,
            l.code,
            l.source
        )?;
    }
    writeln!(
        r,
        "\nOrganizations, STS, SNS and SQS are not throttled here (Organizations publishes no rate; the others' quotas are far above this burst).\n"
    )?;
    Ok(())
}

/// The operations that are throttled, and how often they were.
fn write_throttled(r: &mut String, b: &Burst) -> Result<()> {
    write!(r, "| operation |")?;
    for run in &b.runs {
        write!(r, " {} sandboxes: requests | throttled |", run.sandboxes)?;
    }
    writeln!(r, "\n|---|{}", "---:|---:|".repeat(b.runs.len()))?;
    for op in HUB_OPERATIONS.iter().chain(&SSO_OPERATIONS) {
        write!(r, "| {op} |")?;
        for run in &b.runs {
            write!(
                r,
                " {} | {} |",
                thousands(count(&run.requests, op)),
                count(&run.throttled, op)
            )?;
        }
        writeln!(r)?;
    }
    writeln!(
        r,
        "\nRequests as the proxy received them, each SDK attempt counted. Every throttled answer is retried by the SDK (standard mode: up to 3 attempts per call, backing off from 1 s with jitter after a throttle) unless the call is out of attempts; a call that gave up shows above as a failed record or a failed invocation."
    )?;
    for run in &b.runs {
        let (median, _, max) = stats(run.events.durations.iter().map(|d| d.as_secs_f64() * 1e3));
        writeln!(
            r,
            "\n{} sandboxes — every AWS request of the functions: {}. An event's invocation took {median:.0} ms at the median, {max:.0} ms at most.",
            run.sandboxes,
            calls_text(&run.requests)
        )?;
        let errors: Vec<&str> = run
            .events
            .outcomes
            .iter()
            .filter_map(|o| o.last_error.as_deref())
            .take(3)
            .collect();
        if !errors.is_empty() {
            writeln!(r, "Failed invocations, e.g.: `{}`.", errors.join("`; `"))?;
        }
    }
    writeln!(r)?;
    Ok(())
}

fn write_checked(r: &mut String, b: &Burst) -> Result<()> {
    for run in &b.runs {
        let c = &run.checked;
        writeln!(
            r,
            "- **Checked, {} sandboxes** (the bench fails otherwise): all {} planted instances are gone from the emulator, the organization instance is not; the security team's queue received {} messages for {} finding ids, one per instance, each one's latest word (highest `sequence`) `deleted` or `already_deleted`; Security Hub holds exactly those {} findings, each with that word's status, RESOLVED and ARCHIVED, its `UpdatedAt` the word's `sequence`; chat received {} notifications, every finding among them. {} delete confirmations wait on the worker queue (delayed past each invocation's deadline; the sweep worker that settles them is not run here).",
            run.sandboxes,
            thousands(c.instances),
            thousands(c.messages),
            thousands(c.finding_ids),
            thousands(c.hub_findings),
            thousands(c.chat_messages),
            thousands(c.confirmations)
        )?;
    }
    writeln!(r)?;
    Ok(())
}

/// What the figures say, from this run's own numbers.
fn write_reading(r: &mut String, b: &Burst) -> Result<()> {
    for run in &b.runs {
        let settled = s(run.all_in_hub.max(run.all_deleted));
        let total = run.requests.values().sum::<u64>();
        writeln!(
            r,
            "- **{} sandboxes.** The functions made {} AWS requests in the {settled:.1} s until the last finding was in Security Hub, {:.0} per second, all answered by one emulator process, one at a time, on the same 2 cores as the sandboxes; Security Hub answered {} of them with a throttle, sso-admin {}.",
            run.sandboxes,
            thousands(total),
            total as f64 / settled,
            throttled(run, &HUB_OPERATIONS),
            throttled(run, &SSO_OPERATIONS)
        )?;
    }
    if let [first, .., last] = b.runs.as_slice() {
        let (a, z) = (s(first.all_deleted), s(last.all_deleted));
        let how = if z > a * 1.1 {
            "longer: more requests wait at the one emulator process at once, and more processes share the 2 cores"
        } else if z < a / 1.1 {
            "less: the sandboxes' own work overlapped more"
        } else {
            "about as long: the emulator's pace, not the sandboxes, sets it"
        };
        writeln!(
            r,
            "- **More sandboxes.** With {} sandboxes the deletions took {a:.1} s, with {} sandboxes {z:.1} s — {how}. Against AWS every sandbox's calls are answered in parallel; here the emulator's cost per request also grows with the organization (it looks each request's access key up in every account, and its SQS pays for each of the {} delete confirmations waiting on the worker queue).",
            first.sandboxes,
            last.sandboxes,
            thousands(last.checked.confirmations)
        )?;
    }
    for run in &b.runs {
        write_hub_reading(r, run)?;
    }
    let sso: u64 = b
        .runs
        .first()
        .map(|run| {
            SSO_OPERATIONS
                .iter()
                .map(|op| count(&run.requests, op))
                .sum()
        })
        .unwrap_or(0);
    writeln!(
        r,
        "- **sso-admin** counts its quota per account (here: per member-role session, one per account): the burst made {} sso-admin requests, {:.0} per member account (its listing, the instance's applications and tags, the delete, the confirming listing), fewer than the 20 the bucket of any one account holds. Many events of one account at once would meet it.\n",
        thousands(sso),
        sso as f64 / b.accounts as f64
    )?;
    Ok(())
}

const HUB_OPERATIONS: [&str; 3] = ["BatchImportFindings", "BatchUpdateFindings", "GetFindings"];
const SSO_OPERATIONS: [&str; 4] = [
    "ListInstances",
    "ListApplications",
    "ListTagsForResource",
    "DeleteInstance",
];

fn count(m: &std::collections::BTreeMap<String, u64>, op: &str) -> u64 {
    m.get(op).copied().unwrap_or(0)
}

fn throttled(run: &BurstRun, operations: &[&str]) -> u64 {
    operations.iter().map(|op| count(&run.throttled, op)).sum()
}

/// Security Hub's calls against its published rates: the least time those rates alone allow
/// them, beside the time they took.
fn write_hub_reading(r: &mut String, run: &BurstRun) -> Result<()> {
    let floors = LIMITS
        .iter()
        .filter(|l| l.service == "securityhub")
        .map(|l| {
            let op = l.operation.unwrap_or_default();
            let n = count(&run.requests, op);
            let seconds =
                n.saturating_sub(u64::from(l.rate.burst)) as f64 / f64::from(l.rate.per_second);
            (seconds, op, n, l)
        });
    let Some((floor, op, n, limit)) = floors.max_by(|a, b| a.0.total_cmp(&b.0)) else {
        return Ok(());
    };
    let calls: u64 = HUB_OPERATIONS
        .iter()
        .map(|op| count(&run.requests, op))
        .sum();
    let hub_throttled = throttled(run, &HUB_OPERATIONS);
    let allowed = if floor > 0.0 {
        format!(
            "its published rates alone would let them through in no less than {floor:.1} s ({op}: {n} calls at {}/s after a burst of {})",
            limit.rate.per_second, limit.rate.burst
        )
    } else {
        "its published bursts alone would let them all through at once".to_owned()
    };
    let verdict = if hub_throttled == 0 {
        "It never throttled: the emulator, answering every request of the burst one at a time, set a slower pace than Security Hub's rates."
    } else {
        "The SDK retried each throttle; the outlets' retries of whole records are in the table above."
    };
    writeln!(
        r,
        "- **Security Hub, {} sandboxes.** The outlets made {calls} calls to it in {:.1} s; {allowed}. {verdict} Every import goes to the guardrail's own account, and `GetFindings` (one per 20 finding ids a batch looks up) has the tightest rate; the outlets are off the delete path: a throttle there delays a finding's arrival in Security Hub, never a deletion.",
        run.sandboxes,
        s(run.all_in_hub),
    )?;
    Ok(())
}
