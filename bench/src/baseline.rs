//! The boto3 side of part 2: `bench/baseline_loop.py`, the sequential loop people write today.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{anyhow, bail, Context, Result};
use idc_core::settings::DEFAULT_MEMBER_ROLE_NAME;
use idc_e2e::world::HOME_REGION;
use serde_json::Value;

use crate::planted::Planted;
use crate::timed::Timed;

/// The static credentials the harness gives the management account.
const ACCESS_KEY: &str = "AKIAIDCGUARDRAILTEST";
const SECRET_KEY: &str = "testing";

/// The script, beside this crate's manifest.
fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("baseline_loop.py")
}

pub async fn baseline_run(p: &Planted) -> Result<Timed> {
    let python = idc_e2e::venv_bin().join("python");
    let script = script();
    let start = Instant::now();
    let out = tokio::process::Command::new(&python)
        .arg(&script)
        .args(["--endpoint-url", &p.world.emulator.url])
        .args(["--regions", &p.regions])
        .args(["--role-name", DEFAULT_MEMBER_ROLE_NAME])
        .args(["--region", HOME_REGION])
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_DEFAULT_REGION", HOME_REGION)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("no_proxy", "127.0.0.1,localhost")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_ENDPOINT_URL")
        .output()
        .await
        .with_context(|| format!("cannot run {} {}", python.display(), script.display()))?;
    let process_seconds = start.elapsed().as_secs_f64();
    if !out.status.success() {
        bail!(
            "{} failed: {}",
            script.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let v: Value = serde_json::from_slice(&out.stdout)
        .with_context(|| format!("{} did not print JSON", script.display()))?;
    let seconds = |k: &str| {
        v[k].as_f64()
            .ok_or_else(|| anyhow!("baseline: no `{k}` in its output"))
    };
    let calls: BTreeMap<String, u64> =
        serde_json::from_value(v["calls"].clone()).context("baseline: calls")?;
    let found = v["instances"]
        .as_array()
        .ok_or_else(|| anyhow!("baseline: no instances in its output"))?
        .iter()
        .map(|i| {
            let text = |k: &str| i[k].as_str().unwrap_or_default().to_owned();
            (
                text("account_id"),
                text("region"),
                text("instance_arn"),
                i["application_count"]
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok()),
                i["tag_count"]
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok()),
            )
        })
        .collect();
    Ok(Timed {
        seconds: seconds("seconds")?,
        import_seconds: seconds("import_seconds")?,
        client_setup_seconds: seconds("client_setup_seconds")?,
        process_seconds,
        calls,
        found,
    })
}
