//! One timed run of either side of part 2 (the guardrail's sweep, the boto3 loop), and the
//! account instances it found.

use std::collections::{BTreeMap, BTreeSet};

/// One account instance as a side saw it: account, Region, ARN, applications, tags.
pub type Found = (String, String, String, Option<u32>, Option<usize>);

/// One timed run of one side.
pub struct Timed {
    pub seconds: f64,
    pub calls: BTreeMap<String, u64>,
    pub found: BTreeSet<Found>,
    /// Baseline only: interpreter start-up and `import boto3`, and boto3 client creation.
    pub import_seconds: f64,
    pub client_setup_seconds: f64,
    pub process_seconds: f64,
}

impl Timed {
    pub fn total_calls(&self) -> u64 {
        self.calls.values().sum()
    }
    pub fn calls_per_second(&self) -> f64 {
        self.total_calls() as f64 / self.seconds
    }
}
