//! idc-fuzz: a seeded, reproducible, in-process fuzz run of idc-guardrail's event parser
//! (`idc_core::parse_event_bytes`) and rules (`idc_core::evaluate_trigger`), on stable Rust.
//!
//! Input `i` of a run with seed `s` is a pure function of `(s, i)`: threads take disjoint,
//! interleaved indices, so the inputs (and the counts) do not depend on the thread count,
//! and any input replays alone (`--replay i`). Each input is built from the `events/`
//! corpus or generated from parts, mutated as JSON and as bytes, parsed, and — when it
//! gives a trigger — evaluated in generated worlds; every step runs under `catch_unwind`
//! and every result is checked by the oracles in [`oracle`].

pub mod gen;
pub mod mutate;
pub mod oracle;
pub mod rng;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use idc_core::event::CreateProof;
use idc_core::{evaluate_trigger, parse_event_bytes, EventError, Trigger};
use serde_json::Value;

use crate::gen::{now, Extremes};
use crate::oracle::Strict;
use crate::rng::Rng;

/// The seed documents: every JSON file of the corpus directory, as bytes and, when it is
/// an EventBridge envelope, as a value to mutate.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    pub envelopes: Vec<Value>,
    pub raw: Vec<Vec<u8>>,
}

impl Corpus {
    pub fn load(dir: &Path) -> Result<Corpus, String> {
        let entries =
            std::fs::read_dir(dir).map_err(|e| format!("{}: cannot read: {e}", dir.display()))?;
        let mut paths: Vec<_> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort(); // the corpus order is part of the input's definition
        let mut corpus = Corpus::default();
        for path in paths {
            let bytes = std::fs::read(&path)
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
            if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
                if v.get("detail-type").is_some() {
                    corpus.envelopes.push(v);
                }
            }
            corpus.raw.push(bytes);
        }
        if corpus.envelopes.is_empty() {
            return Err(format!(
                "{}: no EventBridge envelope in the corpus",
                dir.display()
            ));
        }
        Ok(corpus)
    }
}

/// What a run is asked to do.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub inputs: u64,
    pub threads: usize,
    /// Worlds (inventory + policy) each trigger is evaluated in, besides the event alone.
    pub worlds: usize,
    pub strict: Strict,
    pub extremes: Extremes,
}

/// Counters of a run (merged over threads).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub inputs: u64,
    pub bytes: u64,
    pub largest: u64,
    pub invalid_utf8: u64,
    pub panics: u64,
    pub violations: u64,
    /// Parse errors by kind, triggers by kind (`instance_created` split by outcome).
    pub outcomes: BTreeMap<&'static str, u64>,
    pub untrusted: u64,
    pub evaluations: u64,
    pub findings: u64,
    pub deletes_checked: u64,
}

impl Stats {
    pub fn merge(&mut self, other: &Stats) {
        self.inputs += other.inputs;
        self.bytes += other.bytes;
        self.largest = self.largest.max(other.largest);
        self.invalid_utf8 += other.invalid_utf8;
        self.panics += other.panics;
        self.violations += other.violations;
        for (k, v) in &other.outcomes {
            *self.outcomes.entry(k).or_default() += v;
        }
        self.untrusted += other.untrusted;
        self.evaluations += other.evaluations;
        self.findings += other.findings;
        self.deletes_checked += other.deletes_checked;
    }

    pub fn count(&self, key: &str) -> u64 {
        self.outcomes.get(key).copied().unwrap_or(0)
    }
}

/// A failed input: what failed, and how to replay it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub seed: u64,
    pub index: u64,
    pub panic: bool,
    pub message: String,
    pub input: Vec<u8>,
}

/// Builds input `index` of the run seeded with `seed`. Deterministic.
pub fn make_input(corpus: &Corpus, seed: u64, index: u64) -> (Vec<u8>, Rng) {
    let mut rng = Rng::for_input(seed, index);
    let donor = rng.pick(&corpus.envelopes);
    let mode = rng.below(100);
    let mut value = if mode < 40 {
        gen::envelope(&mut rng)
    } else {
        rng.pick(&corpus.envelopes).clone()
    };
    let mutations = match mode {
        0..=39 => rng.below(3),
        _ => rng.range(1, 4),
    };
    for _ in 0..mutations {
        mutate::mutate_value(&mut value, donor, &mut rng);
    }
    let mut bytes = Vec::with_capacity(4096);
    if mode >= 97 {
        bytes = rng.pick(&corpus.raw).clone();
    } else {
        mutate::write_json(&value, &mut rng, &mut bytes);
    }
    if mode >= 85 {
        for _ in 0..rng.range(1, 3) {
            mutate::mutate_bytes(&mut bytes, &mut rng);
        }
    }
    (bytes, rng)
}

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Panics are caught and reported with their input: keep the default hook's message
/// (with its location) for the report instead of printing it for every input.
pub fn install_quiet_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(info.to_string()));
    }));
}

fn panic_message() -> String {
    LAST_PANIC
        .with(|p| p.borrow_mut().take())
        .unwrap_or_else(|| "panic (no message)".into())
}

fn outcome_key(result: &Result<Trigger, EventError>) -> &'static str {
    match result {
        Ok(Trigger::InstanceCreated(t)) => match t.proof() {
            CreateProof::Created => "instance_created (created)",
            CreateProof::Failed => "instance_created (failed)",
            CreateProof::Unclear => "instance_created (unclear)",
        },
        Ok(t) => t.kind(),
        Err(EventError::Empty) => "error: empty",
        Err(EventError::NotJson(_)) => "error: not JSON",
        Err(EventError::NotEnvelope(_)) => "error: not an envelope",
        Err(EventError::MissingField(_)) => "error: missing field",
        Err(EventError::InvalidField { .. }) => "error: invalid field",
    }
}

/// Runs input `index`: parse, check, evaluate in the worlds, check. `Err` on a failure.
pub fn run_one(
    corpus: &Corpus,
    config: &Config,
    index: u64,
    stats: &mut Stats,
) -> Result<(), Failure> {
    let failure = |panic: bool, message: String, input: &[u8]| Failure {
        seed: config.seed,
        index,
        panic,
        message,
        input: input.to_vec(),
    };
    let made = catch_unwind(AssertUnwindSafe(|| make_input(corpus, config.seed, index)));
    let (bytes, mut rng) = made.map_err(|_| {
        failure(
            true,
            format!("the fuzzer's own generator: {}", panic_message()),
            b"",
        )
    })?;
    stats.inputs += 1;
    stats.bytes += bytes.len() as u64;
    stats.largest = stats.largest.max(bytes.len() as u64);
    // Only byte damage can break UTF-8 (the writer and the corpus are valid UTF-8).
    if bytes.iter().any(|b| *b >= 0x80) && std::str::from_utf8(&bytes).is_err() {
        stats.invalid_utf8 += 1;
    }
    let checked = catch_unwind(AssertUnwindSafe(|| {
        let parsed = parse_event_bytes(&bytes);
        let mut local = Stats::default();
        *local.outcomes.entry(outcome_key(&parsed)).or_default() += 1;
        let Ok(trigger) = parsed else {
            return Ok(local);
        };
        oracle::check_trigger(&bytes, &trigger)?;
        if matches!(trigger, Trigger::Ignored(_)) {
            return Ok(local);
        }
        if trigger.untrusted_reason().is_some() {
            local.untrusted += 1;
        }
        // The finding's JSON is parsed back on one input in 16 (it costs as much as the rest).
        let full_checks = index % 16 == 0;
        let trigger_ref = &trigger;
        let mut evaluate = |inventory: Option<&idc_core::Inventory>, policy: &idc_core::Policy| {
            let evaluation = evaluate_trigger(trigger_ref, inventory, policy, now());
            local.evaluations += 1;
            local.findings += evaluation.judged.len() as u64;
            let deletes = oracle::check_evaluation(
                trigger_ref,
                inventory,
                policy,
                &evaluation,
                config.strict,
                full_checks,
            )
            .map_err(|e| format!("{e}\n  inventory: {inventory:?}\n  policy: {policy:?}"))?;
            local.deletes_checked += deletes as u64;
            Ok::<_, String>(evaluation)
        };
        for _ in 0..config.worlds {
            let (inventory, policy) = gen::world(&mut rng, &trigger, config.extremes);
            let first = evaluate(Some(&inventory), &policy)?;
            // Determinism, on a sample of inputs: the same facts give the same findings.
            if index % 64 == 0 && first != evaluate(Some(&inventory), &policy)? {
                return Err("the same trigger and world gave two evaluations".into());
            }
        }
        let (_, policy) = gen::world(&mut rng, &trigger, config.extremes);
        evaluate(None, &policy)?;
        Ok(local)
    }));
    match checked {
        Ok(Ok(local)) => {
            stats.merge(&Stats { inputs: 0, ..local });
            Ok(())
        }
        Ok(Err(message)) => {
            stats.violations += 1;
            Err(failure(false, message, &bytes))
        }
        Err(_) => {
            stats.panics += 1;
            Err(failure(true, panic_message(), &bytes))
        }
    }
}

/// Runs the inputs `first, first + step, …` below `config.inputs`, keeping the first
/// `keep` failures.
pub fn run_slice(
    corpus: &Corpus,
    config: &Config,
    first: u64,
    step: u64,
    keep: usize,
    mut progress: impl FnMut(&Stats),
) -> (Stats, Vec<Failure>) {
    let mut stats = Stats::default();
    let mut failures = Vec::new();
    let mut index = first;
    while index < config.inputs {
        if let Err(f) = run_one(corpus, config, index, &mut stats) {
            if failures.len() < keep {
                failures.push(f);
            }
        }
        if stats.inputs % 4096 == 0 {
            progress(&stats);
        }
        index += step;
    }
    (stats, failures)
}

/// The input, printable: as text when it is UTF-8, else as hex.
pub fn show(input: &[u8]) -> (String, &'static str) {
    match std::str::from_utf8(input) {
        Ok(text) => (text.to_owned(), "utf-8"),
        Err(_) => (
            input.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "hex",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus() -> Corpus {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../events");
        Corpus::load(&dir).unwrap_or_else(|e| panic!("{e}"))
    }

    fn config(inputs: u64) -> Config {
        Config {
            seed: 11,
            inputs,
            threads: 1,
            worlds: 2,
            strict: Strict::default(),
            extremes: Extremes::default(),
        }
    }

    #[test]
    fn inputs_replay_exactly() {
        let c = corpus();
        for i in [0, 1, 99, 12_345] {
            assert_eq!(make_input(&c, 5, i).0, make_input(&c, 5, i).0);
        }
        assert_ne!(make_input(&c, 5, 1).0, make_input(&c, 6, 1).0);
    }

    #[test]
    fn a_short_run_reaches_the_rules_and_holds_every_oracle() {
        install_quiet_panic_hook();
        let c = corpus();
        let (stats, failures) = run_slice(&c, &config(5_000), 0, 1, 5, |_| {});
        assert_eq!(failures, vec![], "{failures:?}");
        assert_eq!(stats.inputs, 5_000);
        for kind in [
            "ignored",
            "instance_created (created)",
            "instance_created (failed)",
            "instance_created (unclear)",
            "delegated_admin_registered",
            "account_joined",
            "error: not JSON",
            "error: not an envelope",
        ] {
            assert!(stats.count(kind) > 0, "no input gave {kind}: {stats:?}");
        }
        assert!(stats.deletes_checked > 0, "no delete decision was checked");
        assert!(stats.untrusted > 0 && stats.invalid_utf8 > 0);
    }

    #[test]
    fn counts_do_not_depend_on_the_split_into_threads() {
        let c = corpus();
        let cfg = config(600);
        let (whole, _) = run_slice(&c, &cfg, 0, 1, 0, |_| {});
        let mut split = Stats::default();
        for t in 0..3 {
            split.merge(&run_slice(&c, &cfg, t, 3, 0, |_| {}).0);
        }
        assert_eq!(whole, split);
    }
}
