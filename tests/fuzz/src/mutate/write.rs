//! A JSON writer that can say what `serde_json::Value` cannot: duplicate keys, nesting past
//! the parser's recursion limit, huge strings, raw and bad tokens.

use serde_json::Value;

use super::json::random_value;
use super::vocabulary::{BAD_TOKENS, RAW_TOKENS, SENTINEL};
use crate::rng::Rng;

/// Writes JSON text for `v`, expanding the sentinels and sometimes repeating a key.
pub fn write_json(v: &Value, rng: &mut Rng, out: &mut Vec<u8>) {
    let dup_keys = rng.chance(10);
    let spaced = rng.chance(20);
    let escape_all = rng.chance(5);
    write_node(v, rng, out, dup_keys, spaced, escape_all);
}

pub(super) fn write_node(
    v: &Value,
    rng: &mut Rng,
    out: &mut Vec<u8>,
    dup_keys: bool,
    spaced: bool,
    escape_all: bool,
) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) if s.starts_with(SENTINEL) => expand(s, out),
        Value::String(s) => write_string(s, out, escape_all),
        Value::Array(a) => {
            out.push(b'[');
            for (i, item) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_node(item, rng, out, dup_keys, spaced, escape_all);
            }
            out.push(b']');
        }
        Value::Object(o) => {
            out.push(b'{');
            let mut first = true;
            for (k, item) in o {
                // A duplicate before the real key: serde_json keeps the last one.
                if dup_keys && rng.chance(15) {
                    sep(out, &mut first, spaced);
                    write_string(k, out, escape_all);
                    out.push(b':');
                    let other = random_value(rng, 2);
                    write_node(&other, rng, out, false, spaced, escape_all);
                }
                sep(out, &mut first, spaced);
                write_string(k, out, escape_all);
                out.push(b':');
                if spaced {
                    out.push(b' ');
                }
                write_node(item, rng, out, dup_keys, spaced, escape_all);
                // ... or after it, overriding it.
                if dup_keys && rng.chance(5) {
                    sep(out, &mut first, spaced);
                    write_string(k, out, escape_all);
                    out.push(b':');
                    let other = random_value(rng, 2);
                    write_node(&other, rng, out, false, spaced, escape_all);
                }
            }
            out.push(b'}');
        }
    }
}

pub(super) fn sep(out: &mut Vec<u8>, first: &mut bool, spaced: bool) {
    if !*first {
        out.push(b',');
    }
    if spaced {
        out.extend_from_slice(b"\n  ");
    }
    *first = false;
}

pub(super) fn write_string(s: &str, out: &mut Vec<u8>, escape_all: bool) {
    out.push(b'"');
    if escape_all && !s.is_ascii() {
        for c in s.chars() {
            if c.is_ascii() {
                write_ascii_escaped(c as u8, out);
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write_unit(*unit, out);
                }
            }
        }
    } else {
        // Copy runs that need no escape in one go (multi-byte UTF-8 never does).
        let bytes = s.as_bytes();
        let mut run = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'"' || b == b'\\' || b < 0x20 {
                out.extend_from_slice(&bytes[run..i]);
                write_ascii_escaped(b, out);
                run = i + 1;
            }
        }
        out.extend_from_slice(&bytes[run..]);
    }
    out.push(b'"');
}

pub(super) fn write_ascii_escaped(b: u8, out: &mut Vec<u8>) {
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        0..=0x1f => write_unit(u16::from(b), out),
        _ => out.push(b),
    }
}

pub(super) fn write_unit(unit: u16, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[usize::from((unit >> shift) & 0xf)]);
    }
}

/// Expands `DEEP<n>:<kind>`, `HUGE<n>:<unit>` and `RAW<i>` sentinels, iteratively.
pub(super) fn expand(s: &str, out: &mut Vec<u8>) {
    let body = s.trim_start_matches(SENTINEL);
    let parse2 = |rest: &str| -> (usize, usize) {
        let (a, b) = rest.split_once(':').unwrap_or((rest, "0"));
        (a.parse().unwrap_or(0), b.parse().unwrap_or(0))
    };
    // A twisted sentinel (a digit changed) must not grow without bound.
    if let Some(rest) = body.strip_prefix("DEEP") {
        let (depth, kind) = parse2(rest);
        let depth = depth.min(20_000);
        let (open, close): (&[u8], &[u8]) = match kind {
            0 => (b"[", b"]"),
            1 => (b"{\"detail\":", b"}"),
            _ => (b"{\"a\":[", b"]}"),
        };
        for _ in 0..depth {
            out.extend_from_slice(open);
        }
        out.extend_from_slice(b"\"aws.sso\"");
        for _ in 0..depth {
            out.extend_from_slice(close);
        }
    } else if let Some(rest) = body.strip_prefix("HUGE") {
        let (len, unit) = parse2(rest);
        let len = len.min(1 << 20);
        let unit: &[u8] = match unit {
            0 => b"a",
            1 => "é".as_bytes(),
            2 => b"\\u00e9",
            _ => "😀".as_bytes(),
        };
        out.push(b'"');
        for _ in 0..len {
            out.extend_from_slice(unit);
        }
        out.push(b'"');
    } else if let Some(rest) = body.strip_prefix("RAW") {
        let i: usize = rest.parse().unwrap_or(0);
        out.extend_from_slice(RAW_TOKENS[i % RAW_TOKENS.len()].as_bytes());
    } else if let Some(rest) = body.strip_prefix("BAD") {
        let i: usize = rest.parse().unwrap_or(0);
        out.extend_from_slice(BAD_TOKENS[i % BAD_TOKENS.len()].as_bytes());
    } else {
        out.extend_from_slice(b"null");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_writer_round_trips_plain_values() {
        let v = json!({"source": "aws.sso", "n": [1, -2, 1.5, null, true], "s": "é\"\\\n😀"});
        for seed in 0..50 {
            let mut out = Vec::new();
            let mut rng = Rng::new(seed);
            write_json(&v, &mut rng, &mut out);
            let back: Value = serde_json::from_slice(&out).unwrap_or(Value::Null);
            // duplicate keys may override a value; everything else round-trips
            if !out.windows(8).any(|w| w == b"\"source\"") || back.get("n").is_some() {
                assert_eq!(
                    back.get("s"),
                    v.get("s"),
                    "{}",
                    String::from_utf8_lossy(&out)
                );
            }
        }
    }

    #[test]
    fn deep_sentinels_go_past_the_recursion_limit() {
        let v = Value::String(format!("{SENTINEL}DEEP200:0"));
        let mut out = Vec::new();
        write_json(&v, &mut Rng::new(1), &mut out);
        assert_eq!(out.iter().filter(|b| **b == b'[').count(), 200);
        let err = serde_json::from_slice::<Value>(&out)
            .err()
            .map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("recursion limit")));
    }

    #[test]
    fn huge_sentinels_are_huge() {
        let v = Value::String(format!("{SENTINEL}HUGE65536:0"));
        let mut out = Vec::new();
        write_json(&v, &mut Rng::new(1), &mut out);
        assert_eq!(out.len(), 65_538);
    }
}
