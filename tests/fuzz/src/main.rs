//! `idc-fuzz`: fuzz the event parser and the rules in process, on every core.
//!
//! ```text
//! idc-fuzz [--inputs N] [--seed S] [--threads T] [--worlds W] [--corpus DIR] [--out DIR]
//!          [--strict-untrusted] [--strict-unknown-tags] [--type-limits] [--replay INDEX]
//! ```
//! Exit 0 when every input held every oracle; 1 on a panic or a violation (each printed
//! with its seed, index and input, and written to `--out`); 2 on bad usage.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use idc_fuzz::gen::{now, Extremes};
use idc_fuzz::oracle::Strict;
use idc_fuzz::{
    install_quiet_panic_hook, make_input, run_one, run_slice, show, Config, Corpus, Failure, Stats,
};

struct Args {
    config: Config,
    corpus: PathBuf,
    out: PathBuf,
    replay: Option<u64>,
}

const USAGE: &str = "usage: idc-fuzz [--inputs N] [--seed S] [--threads T] [--worlds W] \
[--corpus DIR] [--out DIR] [--strict-untrusted] [--strict-unknown-tags] [--type-limits] [--replay INDEX]";

fn parse_args() -> Result<Args, String> {
    let mut config = Config {
        seed: 1,
        inputs: 200_000,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        worlds: 2,
        strict: Strict::default(),
        extremes: Extremes::default(),
    };
    let mut corpus = PathBuf::from("events");
    if !corpus.is_dir() {
        corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events");
    }
    let mut out = PathBuf::from("target/fuzz");
    let mut replay = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        let number = |name: &str, v: String| {
            v.replace('_', "")
                .parse::<u64>()
                .map_err(|_| format!("{name}: `{v}` is not a whole number"))
        };
        match arg.as_str() {
            "--inputs" => config.inputs = number("--inputs", value("--inputs")?)?,
            "--seed" => config.seed = number("--seed", value("--seed")?)?,
            "--threads" => {
                config.threads = number("--threads", value("--threads")?)?.max(1) as usize
            }
            "--worlds" => config.worlds = number("--worlds", value("--worlds")?)? as usize,
            "--corpus" => corpus = PathBuf::from(value("--corpus")?),
            "--out" => out = PathBuf::from(value("--out")?),
            "--replay" => replay = Some(number("--replay", value("--replay")?)?),
            "--strict-untrusted" => config.strict.untrusted = true,
            "--strict-unknown-tags" => config.strict.unknown_tags = true,
            "--type-limits" => config.extremes.type_limits = true,
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(Args {
        config,
        corpus,
        out,
        replay,
    })
}

/// Prints a failure and writes its input (and what failed) under `out`.
fn report(failure: &Failure, out: &Path, config: &Config) {
    let mut flags = String::new();
    for (on, flag) in [
        (config.strict.untrusted, " --strict-untrusted"),
        (config.strict.unknown_tags, " --strict-unknown-tags"),
        (config.extremes.type_limits, " --type-limits"),
    ] {
        if on {
            flags.push_str(flag);
        }
    }
    if config.worlds != 2 {
        flags.push_str(&format!(" --worlds {}", config.worlds));
    }
    let kind = if failure.panic {
        "PANIC"
    } else {
        "ORACLE VIOLATION"
    };
    let (text, encoding) = show(&failure.input);
    let shown: String = text.chars().take(4000).collect();
    eprintln!(
        "\n{kind} seed={} input={}: {}\n  replay: idc-fuzz --seed {} --replay {}{flags}\n  input ({encoding}, {} bytes{}): {shown}",
        failure.seed,
        failure.index,
        failure.message,
        failure.seed,
        failure.index,
        failure.input.len(),
        if shown.len() < text.len() { ", cut" } else { "" },
    );
    let stem = format!(
        "{}-seed{}-input{}",
        if failure.panic { "panic" } else { "violation" },
        failure.seed,
        failure.index
    );
    let written = std::fs::create_dir_all(out)
        .and_then(|()| std::fs::write(out.join(format!("{stem}.input")), &failure.input))
        .and_then(|()| {
            std::fs::write(
                out.join(format!("{stem}.txt")),
                format!(
                    "{kind}\nseed {}\ninput {}\n{}\n",
                    failure.seed, failure.index, failure.message
                ),
            )
        });
    match written {
        Ok(()) => eprintln!(
            "  written to {}",
            out.join(format!("{stem}.input")).display()
        ),
        Err(e) => eprintln!("  cannot write to {}: {e}", out.display()),
    }
}

fn replay(corpus: &Corpus, config: &Config, index: u64, out: &Path) -> ExitCode {
    let (bytes, _) = make_input(corpus, config.seed, index);
    let (text, encoding) = show(&bytes);
    println!(
        "input {index} of seed {} ({encoding}, {} bytes):\n{text}\n",
        config.seed,
        bytes.len()
    );
    match idc_core::parse_event_bytes(&bytes) {
        Ok(t) => println!("trigger: {t:?}"),
        Err(e) => println!("error: {e}"),
    }
    let mut stats = Stats::default();
    match run_one(corpus, config, index, &mut stats) {
        Ok(()) => {
            println!(
                "every oracle holds ({} evaluations, {} findings)",
                stats.evaluations, stats.findings
            );
            ExitCode::SUCCESS
        }
        Err(f) => {
            report(&f, out, config);
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("idc-fuzz: {e}");
            return ExitCode::from(2);
        }
    };
    let corpus = match Corpus::load(&args.corpus) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("idc-fuzz: {e}");
            return ExitCode::from(2);
        }
    };
    install_quiet_panic_hook();
    let config = args.config;
    if let Some(index) = args.replay {
        return replay(&corpus, &config, index, &args.out);
    }
    let threads = config.threads.min(config.inputs.max(1) as usize).max(1);
    eprintln!(
        "idc-fuzz: seed {}, {} inputs on {threads} thread(s), {} world(s) per trigger, {} corpus documents ({} envelopes), now = {}",
        config.seed,
        config.inputs,
        config.worlds,
        corpus.raw.len(),
        corpus.envelopes.len(),
        now()
    );
    let started = Instant::now();
    let results: Vec<(Stats, Vec<Failure>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (corpus, config) = (&corpus, &config);
                std::thread::Builder::new()
                    .name(format!("fuzz-{t}"))
                    .stack_size(64 << 20)
                    .spawn_scoped(scope, move || {
                        let mut last = Instant::now();
                        run_slice(corpus, config, t as u64, threads as u64, 10, |s| {
                            if t == 0 && last.elapsed() >= Duration::from_secs(15) {
                                last = Instant::now();
                                let done = s.inputs * threads as u64;
                                let rate = done as f64 / started.elapsed().as_secs_f64();
                                eprintln!("  … ~{done} inputs, {rate:.0} inputs/s");
                            }
                        })
                    })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| match h.map(|h| h.join()) {
                Ok(Ok(result)) => result,
                _ => (
                    Stats {
                        panics: 1,
                        ..Stats::default()
                    },
                    vec![],
                ),
            })
            .collect()
    });
    let elapsed = started.elapsed().as_secs_f64();
    let mut stats = Stats::default();
    let mut failures = Vec::new();
    for (s, f) in results {
        stats.merge(&s);
        failures.extend(f);
    }
    failures.sort_by_key(|f| f.index);
    for f in failures.iter().take(10) {
        report(f, &args.out, &config);
    }
    print_summary(&config, threads, elapsed, &stats);
    if stats.panics == 0 && stats.violations == 0 && stats.inputs == config.inputs {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn print_summary(config: &Config, threads: usize, elapsed: f64, s: &Stats) {
    let rate = s.inputs as f64 / elapsed.max(1e-9);
    println!(
        "idc-fuzz: seed {}: {} inputs on {threads} thread(s) in {elapsed:.1} s ({rate:.0} inputs/s)",
        config.seed, s.inputs
    );
    println!("  panics: {}", s.panics);
    println!("  oracle violations: {}", s.violations);
    println!(
        "  inputs: {:.1}% not UTF-8, mean {:.1} KB, largest {:.1} MB",
        100.0 * s.invalid_utf8 as f64 / s.inputs.max(1) as f64,
        s.bytes as f64 / s.inputs.max(1) as f64 / 1024.0,
        s.largest as f64 / (1 << 20) as f64
    );
    println!("  parsed to:");
    for (kind, n) in &s.outcomes {
        println!(
            "    {kind:<30} {n:>10}  ({:.1}%)",
            100.0 * *n as f64 / s.inputs.max(1) as f64
        );
    }
    println!("  untrusted triggers (account conflict): {}", s.untrusted);
    println!(
        "  evaluations: {}, findings: {}, delete decisions checked: {}",
        s.evaluations, s.findings, s.deletes_checked
    );
    let strict: Vec<&str> = [
        (config.strict.untrusted, "untrusted"),
        (config.strict.unknown_tags, "unknown-tags"),
        (config.extremes.type_limits, "type-limits"),
    ]
    .iter()
    .filter(|(on, _)| *on)
    .map(|(_, name)| *name)
    .collect();
    if !strict.is_empty() {
        println!("  strict: {}", strict.join(", "));
    }
}
