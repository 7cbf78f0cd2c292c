//! The real Lambda runtime path: cargo-lambda's Lambda runtime API emulator
//! (`cargo lambda watch --only-lambda-apis`) with the function's binary polling it, and
//! `cargo lambda invoke` sending events — so `lambda_runtime`, the cold start and the
//! environment configuration run exactly as they do in Lambda.

use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::Value;

/// A Lambda function binary (built by `cargo build`), served by cargo-lambda on 127.0.0.1.
pub struct LambdaFunction {
    name: String,
    port: u16,
    watch: Child,
    function: Child,
    log_path: PathBuf,
    _dir: TempDir,
}

/// What an invocation answered.
#[derive(Debug)]
pub enum Invocation {
    Ok(Value),
    Error(String),
}

impl Invocation {
    /// Whether it failed: an error, or (a queue-fed function) a record reported failed.
    pub fn failed(&self) -> bool {
        match self {
            Invocation::Error(_) => true,
            Invocation::Ok(response) => response["batchItemFailures"]
                .as_array()
                .is_some_and(|f| !f.is_empty()),
        }
    }
}

/// The function binaries the tests run: `target/debug/<name>` unless IDC_LAMBDA_BIN_DIR says.
pub fn binary(name: &str) -> Result<PathBuf> {
    let dir = std::env::var_os("IDC_LAMBDA_BIN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::repo_root().join("target/debug"));
    let path = dir.join(name);
    if !path.exists() {
        bail!(
            "{} not found: build the functions first (`cargo build --bins`)",
            path.display()
        );
    }
    Ok(path)
}

fn cargo_lambda() -> Result<PathBuf> {
    let path = crate::venv_bin().join("cargo-lambda");
    if !path.exists() {
        bail!("{} not found: run `make venv` first", path.display());
    }
    Ok(path)
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn wait_for_port(port: u16, within: Duration) -> Result<()> {
    let start = Instant::now();
    while start.elapsed() < within {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    bail!("nothing listens on 127.0.0.1:{port} after {within:?}")
}

/// The environment Lambda gives a function, plus the function's own variables. Nothing is
/// inherited from the test's environment.
fn function_command(name: &str, runtime_api: &str, env: &[(String, String)]) -> Result<Command> {
    let mut command = Command::new(binary(name)?);
    command
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", runtime_api)
        .env("AWS_LAMBDA_FUNCTION_NAME", "_")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null());
    Ok(command)
}

impl LambdaFunction {
    /// Starts the runtime API emulator and the function (its cold start happens now).
    pub fn start(name: &str, env: &[(String, String)]) -> Result<Self> {
        let dir = TempDir::new(name)?;
        let port = free_port()?;
        let watch = Command::new(cargo_lambda()?)
            .args([
                "lambda",
                "watch",
                "--only-lambda-apis",
                "--invoke-address",
                "127.0.0.1",
            ])
            .args(["--invoke-port", &port.to_string()])
            .current_dir(crate::repo_root())
            .stdin(Stdio::null())
            .stdout(File::create(dir.path.join("watch.log"))?)
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start cargo lambda watch")?;
        let mut guard = ChildGuard(Some(watch));
        wait_for_port(port, Duration::from_secs(60))?;
        let log_path = dir.path.join("function.log");
        let log = File::create(&log_path)?;
        let function = function_command(name, &format!("http://127.0.0.1:{port}/.rt"), env)?
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {name}"))?;
        Ok(LambdaFunction {
            name: name.to_owned(),
            port,
            watch: guard.take()?,
            function,
            log_path,
            _dir: dir,
        })
    }

    /// Sends one event through `cargo lambda invoke`, as Lambda would deliver it.
    pub fn invoke(&self, event: &Value) -> Result<Invocation> {
        let file = self._dir.path.join("event.json");
        std::fs::write(&file, event.to_string())?;
        let out = Command::new(cargo_lambda()?)
            .args(["lambda", "invoke", "--invoke-address", "127.0.0.1"])
            .args([
                "--invoke-port",
                &self.port.to_string(),
                "--output-format",
                "json",
                "--data-file",
            ])
            .arg(&file)
            .current_dir(crate::repo_root())
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("cannot invoke {}", self.name))?;
        if out.status.success() {
            let text = String::from_utf8_lossy(&out.stdout);
            Ok(Invocation::Ok(
                serde_json::from_str(text.trim())
                    .with_context(|| format!("response is not JSON: {text}"))?,
            ))
        } else {
            Ok(Invocation::Error(format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )))
        }
    }

    /// Everything the function logged so far.
    pub fn logs(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }
}

impl Drop for LambdaFunction {
    fn drop(&mut self) {
        for child in [&mut self.function, &mut self.watch] {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs a function's cold start with `env` and waits for it to exit (it must, when its
/// configuration is invalid). Returns the exit status and what it logged.
pub fn cold_start_failure(name: &str, env: &[(String, String)]) -> Result<(ExitStatus, String)> {
    // Nothing listens there: a function that got past its configuration would fail later.
    let runtime_api = format!("http://127.0.0.1:{}/.rt", free_port()?);
    let out = function_command(name, &runtime_api, env)?
        .output()
        .with_context(|| format!("cannot start {name}"))?;
    let logs = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Ok((out.status, logs))
}

/// Kills a child unless it was taken out (used while a start can still fail).
struct ChildGuard(Option<Child>);
impl ChildGuard {
    fn take(&mut self) -> Result<Child> {
        self.0.take().context("child already taken")
    }
}
impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A scratch directory removed on drop.
struct TempDir {
    path: PathBuf,
}
impl TempDir {
    fn new(prefix: &str) -> Result<Self> {
        let path = std::env::temp_dir().join(format!(
            "idc-e2e-{prefix}-{}-{}",
            std::process::id(),
            free_port()?
        ));
        std::fs::create_dir_all(&path)?;
        Ok(TempDir { path })
    }
}
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
