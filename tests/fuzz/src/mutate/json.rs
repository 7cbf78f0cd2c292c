//! JSON-aware mutations of a document: random values, aimed paths, deleted and inserted
//! keys, swapped types, splices from a donor, twisted strings, and sentinels the writer
//! expands.

use serde_json::{Map, Number, Value};

use super::vocabulary::{
    ACCOUNTS, ARNS, BAD_TOKENS, KEYS, POINTERS, RAW_TOKENS, SENTINEL, STRINGS,
};
use crate::rng::Rng;

/// A random JSON value: mostly scalars, sometimes containers.
pub fn random_value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 2 { 9 } else { 12 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.chance(50)),
        2 => Value::Number(edge_number(rng)),
        3..=5 => Value::String((*rng.pick(STRINGS)).to_owned()),
        6 => Value::String((*rng.pick(ACCOUNTS)).to_owned()),
        7 => Value::String((*rng.pick(ARNS)).to_owned()),
        8 => raw_token(rng),
        9 => Value::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, depth + 1))
                .collect(),
        ),
        _ => {
            let mut map = Map::new();
            for _ in 0..rng.below(4) {
                map.insert((*rng.pick(KEYS)).to_owned(), random_value(rng, depth + 1));
            }
            Value::Object(map)
        }
    }
}

pub(super) fn edge_number(rng: &mut Rng) -> Number {
    match rng.below(10) {
        0 => Number::from(0u64),
        1 => Number::from(u64::MAX),
        2 => Number::from(i64::MIN),
        3 => Number::from(222_222_222_222u64),
        4 => Number::from(u64::from(u32::MAX) + 1),
        5 => Number::from(-1i64),
        6 => Number::from_f64(f64::MAX).unwrap_or_else(|| Number::from(0u64)),
        7 => Number::from_f64(f64::MIN_POSITIVE).unwrap_or_else(|| Number::from(0u64)),
        8 => Number::from_f64(1.5).unwrap_or_else(|| Number::from(0u64)),
        _ => Number::from(rng.next_u64()),
    }
}

/// Counts the nodes of a value.
pub(super) fn count_nodes(v: &Value) -> usize {
    let mut n = 0;
    let mut stack = vec![v];
    while let Some(node) = stack.pop() {
        n += 1;
        match node {
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(o) => stack.extend(o.values()),
            _ => {}
        }
    }
    n
}

/// The `n`-th node of a value in depth-first order.
pub(super) fn nth_node(v: &Value, n: usize) -> Option<&Value> {
    let mut stack = vec![v];
    let mut i = 0;
    while let Some(node) = stack.pop() {
        if i == n {
            return Some(node);
        }
        i += 1;
        match node {
            Value::Array(a) => stack.extend(a.iter().rev()),
            Value::Object(o) => stack.extend(o.values().rev()),
            _ => {}
        }
    }
    None
}

/// The `n`-th node of a value in depth-first order, to change.
pub(super) fn nth_node_mut(v: &mut Value, n: usize) -> Option<&mut Value> {
    let mut stack = vec![v];
    let mut i = 0;
    while let Some(node) = stack.pop() {
        if i == n {
            return Some(node);
        }
        i += 1;
        match node {
            Value::Array(a) => stack.extend(a.iter_mut().rev()),
            Value::Object(o) => stack.extend(o.values_mut().rev()),
            _ => {}
        }
    }
    None
}

/// A node to mutate: an aimed path half of the time (if present), else any node.
pub(super) fn target<'a>(v: &'a mut Value, rng: &mut Rng) -> Option<&'a mut Value> {
    if rng.chance(50) {
        let pointer = *rng.pick(POINTERS);
        if v.pointer(pointer).is_some() {
            return v.pointer_mut(pointer);
        }
    }
    let n = count_nodes(v);
    let k = rng.below(n);
    nth_node_mut(v, k)
}

/// A sentinel for a raw token: mostly one serde_json accepts, sometimes one it rejects.
pub(super) fn raw_token(rng: &mut Rng) -> Value {
    if rng.chance(15) {
        Value::String(format!("{SENTINEL}BAD{}", rng.below(BAD_TOKENS.len())))
    } else {
        Value::String(format!("{SENTINEL}RAW{}", rng.below(RAW_TOKENS.len())))
    }
}

/// Applies one JSON-aware mutation; `donor` is another document to splice from.
pub fn mutate_value(v: &mut Value, donor: &Value, rng: &mut Rng) {
    // Deep nesting and huge strings are rare: they cost the most time per input.
    let roll = rng.below(1000);
    let choice = match roll {
        0..=9 => 8,   // deep nesting, 1%
        10..=14 => 9, // huge string, 0.5%
        _ => [0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15][roll % 14],
    };
    match choice {
        // Replace a node with a random value.
        0..=2 => {
            if let Some(node) = target(v, rng) {
                *node = random_value(rng, 0);
            }
        }
        // Set an aimed path to a meaningful string (creating it when its parent exists).
        3..=4 => {
            let pointer = *rng.pick(POINTERS);
            let value = Value::String((*rng.pick(STRINGS)).to_owned());
            set_pointer(v, pointer, value);
        }
        // Delete a key.
        5 => {
            if let Some(Value::Object(o)) = target_object(v, rng) {
                let keys: Vec<String> = o.keys().cloned().collect();
                if !keys.is_empty() {
                    let key = &keys[rng.below(keys.len())];
                    o.remove(key);
                }
            }
        }
        // Insert a known key with a random value.
        6 => {
            if let Some(Value::Object(o)) = target_object(v, rng) {
                o.insert((*rng.pick(KEYS)).to_owned(), random_value(rng, 1));
            }
        }
        // Swap the type of a node.
        7 => {
            if let Some(node) = target(v, rng) {
                *node = swap_type(node, rng);
            }
        }
        // Nest a node deeply, around or past serde_json's recursion limit (128).
        8 => {
            if let Some(node) = target(v, rng) {
                let depth = *rng.pick(&[2usize, 64, 126, 127, 128, 129, 200, 5_000, 20_000]);
                // (the record sits one or two levels down: 126-129 straddle the limit)
                let kind = rng.below(3);
                *node = Value::String(format!("{SENTINEL}DEEP{depth}:{kind}"));
            }
        }
        // A huge string.
        9 => {
            if let Some(node) = target(v, rng) {
                // up to EventBridge's 256 KB event limit, and once in a while past it
                let len = *rng.pick(&[4_096usize, 4_096, 4_096, 65_536, 65_536, 262_144, 1 << 20]);
                let unit = rng.below(4);
                *node = Value::String(format!("{SENTINEL}HUGE{len}:{unit}"));
            }
        }
        // Splice a subtree of the donor.
        10 => {
            let n = count_nodes(donor);
            let piece = nth_node(donor, rng.below(n)).cloned();
            if let (Some(node), Some(piece)) = (target(v, rng), piece) {
                *node = piece;
            }
        }
        // Duplicate, drop or reorder array elements.
        11 => {
            if let Some(Value::Array(a)) = target(v, rng) {
                if !a.is_empty() {
                    let i = rng.below(a.len());
                    match rng.below(3) {
                        0 => {
                            let copy = a[i].clone();
                            a.insert(i, copy);
                        }
                        1 => {
                            a.remove(i);
                        }
                        _ => a.reverse(),
                    }
                }
            }
        }
        // Twist a string: case, padding, a digit, a cut.
        12..=13 => {
            if let Some(Value::String(s)) = target(v, rng) {
                *s = twist(s, rng);
            }
        }
        // Make the envelope and the record disagree on the account, or agree again.
        14 => {
            let account = Value::String((*rng.pick(ACCOUNTS)).to_owned());
            let pointer = *rng.pick(&["/account", "/detail/recipientAccountId"]);
            set_pointer(v, pointer, account);
        }
        // A raw token where a value was.
        _ => {
            if let Some(node) = target(v, rng) {
                *node = raw_token(rng);
            }
        }
    }
}

pub(super) fn target_object<'a>(v: &'a mut Value, rng: &mut Rng) -> Option<&'a mut Value> {
    if rng.chance(60) {
        let pointer = *rng.pick(&[
            "",
            "/detail",
            "/detail/responseElements",
            "/detail/requestParameters",
            "/detail/userIdentity",
        ]);
        if v.pointer(pointer).is_some_and(Value::is_object) {
            return v.pointer_mut(pointer);
        }
    }
    target(v, rng).filter(|n| n.is_object())
}

/// Sets `pointer` to `value` when its parent object exists.
pub fn set_pointer(v: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = match pointer.rsplit_once('/') {
        Some(split) => split,
        None => return,
    };
    if let Some(Value::Object(o)) = v.pointer_mut(parent) {
        o.insert(key.to_owned(), value);
    }
}

pub(super) fn swap_type(node: &Value, rng: &mut Rng) -> Value {
    match node {
        Value::String(s) => match rng.below(3) {
            0 => s
                .parse::<u64>()
                .map(|n| Value::Number(n.into()))
                .unwrap_or(Value::Null),
            1 => Value::Array(vec![Value::String(s.clone())]),
            _ => Value::Object(Map::from_iter([(
                "value".to_owned(),
                Value::String(s.clone()),
            )])),
        },
        Value::Number(n) => Value::String(n.to_string()),
        Value::Object(o) => Value::Array(o.values().cloned().collect()),
        Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Null => Value::String("null".into()),
    }
}

pub(super) fn twist(s: &str, rng: &mut Rng) -> String {
    match rng.below(7) {
        0 => s.to_uppercase(),
        1 => format!(" {s}"),
        2 => format!("{s} "),
        3 => {
            // change one digit (account IDs), or append one
            let mut chars: Vec<char> = s.chars().collect();
            match chars.iter().position(char::is_ascii_digit) {
                Some(i) => chars[i] = char::from(b'0' + (rng.below(10) as u8)),
                None => chars.push('7'),
            }
            chars.into_iter().collect()
        }
        4 => s.chars().take(rng.below(s.chars().count() + 1)).collect(),
        5 => format!("{s}{}", rng.pick(STRINGS)),
        _ => s.chars().rev().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn value_mutations_change_the_document() {
        let base = json!({"source": "aws.sso", "detail": {"eventName": "CreateInstance"}});
        let changed = (0..100)
            .filter(|seed| {
                let mut v = base.clone();
                mutate_value(&mut v, &base, &mut Rng::new(*seed));
                v != base
            })
            .count();
        assert!(changed > 50, "{changed}");
    }
}
