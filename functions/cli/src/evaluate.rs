//! `idc-guard evaluate`: one event, offline, findings as JSON lines.

use std::path::Path;

use idc_core::{evaluate_trigger, parse_event_bytes, Evaluation, Inventory, Trigger};

use crate::cli::EvaluateArgs;
use crate::exit::Failure;

/// Reads, parses and evaluates; returns the evaluation or a bad-input failure naming the file.
pub fn evaluate(args: &EvaluateArgs) -> Result<Evaluation, Failure> {
    let trigger = load_event(&args.event)?;
    let inventory = args.inventory.as_deref().map(load_inventory).transpose()?;
    let policy = args.policy.to_policy();
    Ok(evaluate_trigger(
        &trigger,
        inventory.as_ref(),
        &policy,
        args.clock.now(),
    ))
}

pub fn run(args: &EvaluateArgs) -> Result<(), Failure> {
    let evaluation = evaluate(args)?;
    // Build all output first so that nothing reaches stdout unless evaluation succeeded.
    let lines: Vec<String> = evaluation.findings().map(|f| f.to_json()).collect();
    for note in &evaluation.notes {
        eprintln!("note: {note}");
    }
    crate::exit::print_lines(&lines)
}

pub fn load_event(path: &Path) -> Result<Trigger, Failure> {
    let bytes = read(path)?;
    parse_event_bytes(&bytes).map_err(|e| Failure::bad_input(path, e))
}

pub fn load_inventory(path: &Path) -> Result<Inventory, Failure> {
    let bytes = read(path)?;
    Inventory::from_json_bytes(&bytes).map_err(|e| Failure::bad_input(path, e))
}

fn read(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::bad_input(path, format!("cannot read: {e}")))
}
