//! JSON-aware mutations of EventBridge envelopes, a JSON writer that can say what
//! `serde_json::Value` cannot (duplicate keys, nesting past the parser's recursion limit,
//! huge strings, numbers out of range, lone surrogates), and byte-level damage (truncation,
//! invalid UTF-8, random bytes).

mod bytes;
mod json;
mod vocabulary;
mod write;

pub use bytes::mutate_bytes;
pub use json::{mutate_value, random_value, set_pointer};
pub use vocabulary::{ACCOUNTS, ARNS, KEYS, MANAGEMENT, POINTERS, REGIONS};
pub use write::write_json;
