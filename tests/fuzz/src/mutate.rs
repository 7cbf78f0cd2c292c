//! JSON-aware mutations of EventBridge envelopes, a JSON writer that can say what
//! `serde_json::Value` cannot (duplicate keys, nesting past the parser's recursion limit,
//! huge strings, numbers out of range, lone surrogates), and byte-level damage (truncation,
//! invalid UTF-8, random bytes).

use serde_json::{Map, Number, Value};

use crate::rng::Rng;

/// Keys the parser and the rules look at, at any depth.
pub const KEYS: &[&str] = &[
    "source",
    "detail-type",
    "account",
    "detail",
    "id",
    "time",
    "region",
    "version",
    "resources",
    "eventSource",
    "eventName",
    "eventTime",
    "eventID",
    "awsRegion",
    "recipientAccountId",
    "errorCode",
    "errorMessage",
    "responseElements",
    "instanceArn",
    "requestParameters",
    "servicePrincipal",
    "accountId",
    "userIdentity",
    "type",
    "arn",
    "sessionContext",
    "sessionIssuer",
    "serviceEventDetails",
    "createAccountStatus",
    "state",
    "handshake",
    "action",
    "parties",
    "eventType",
];

/// Paths worth aiming at: what decides the trigger and who it is about.
pub const POINTERS: &[&str] = &[
    "/source",
    "/detail-type",
    "/account",
    "/region",
    "/time",
    "/id",
    "/detail",
    "/detail/eventSource",
    "/detail/eventName",
    "/detail/eventTime",
    "/detail/eventID",
    "/detail/awsRegion",
    "/detail/recipientAccountId",
    "/detail/errorCode",
    "/detail/responseElements",
    "/detail/responseElements/instanceArn",
    "/detail/requestParameters",
    "/detail/requestParameters/accountId",
    "/detail/requestParameters/servicePrincipal",
    "/detail/userIdentity",
    "/detail/userIdentity/accountId",
    "/detail/userIdentity/arn",
    "/detail/userIdentity/sessionContext/sessionIssuer",
    "/detail/serviceEventDetails/createAccountStatus/state",
    "/detail/serviceEventDetails/createAccountStatus/accountId",
    "/detail/serviceEventDetails/accountId",
    "/detail/responseElements/handshake/action",
    "/detail/responseElements/handshake/parties",
];

pub const MANAGEMENT: &str = "111111111111";
/// Accounts the events and the generated worlds share, so that they meet.
pub const ACCOUNTS: &[&str] = &[
    MANAGEMENT,
    "222222222222",
    "333333333333",
    "444444444444",
    "555555555555",
    "666666666666",
];
pub const REGIONS: &[&str] = &["eu-west-1", "us-east-1", "us-gov-west-1", "cn-north-1"];
pub const ARNS: &[&str] = &[
    "arn:aws:sso:::instance/ssoins-0000000000000001",
    "arn:aws:sso:::instance/ssoins-0000000000000002",
    "arn:aws-us-gov:sso:::instance/ssoins-0000000000000003",
    "arn:aws-cn:sso:::instance/ssoins-0000000000000004",
];

/// Strings that mean something to the parser, and strings that are just hard.
const STRINGS: &[&str] = &[
    "aws.sso",
    "aws.organizations",
    "my.app",
    "aws.events",
    "aws.SSO",
    " aws.sso",
    "aws.sso\u{0}",
    "aws.",
    "sso.amazonaws.com",
    "organizations.amazonaws.com",
    "sso-directory.amazonaws.com",
    "securityhub.amazonaws.com",
    "AWS API Call via CloudTrail",
    "AWS Service Event via CloudTrail",
    "AWS Insight via CloudTrail",
    "AWS Console Sign In via CloudTrail",
    "Scheduled Event",
    "CreateInstance",
    "DeleteInstance",
    "RegisterDelegatedAdministrator",
    "AcceptHandshake",
    "CreateAccountResult",
    "AccountJoinedOrganization",
    "AccessDenied",
    "INVITE",
    "ENABLE_ALL_FEATURES",
    "SUCCEEDED",
    "FAILED",
    "ACCOUNT",
    "2026-11-20T10:00:00Z",
    "2026-11-20T10:00:00+14:00",
    "9999-12-31T23:59:59Z",
    "0000-01-01T00:00:00Z",
    "1970-01-01T00:00:00Z",
    "2026-02-30T00:00:00Z",
    "2026-11-20T10:00:60Z",
    "2026-11-20",
    "ssoins-0000000000000001",
    "arn:aws:sso:::instance/",
    "arn:aws:sso:::application/ssoins-1/apl-1",
    "arn:aws:iam::222222222222:root",
    "",
    " ",
    "null",
    "0",
    "22222222222",
    "2222222222222",
    "22222222222a",
    "٢٢٢٢٢٢٢٢٢٢٢٢",
    "222222222222\n",
    "\u{202e}moc.nozama.oss",
    "\u{feff}aws.sso",
    "e\u{301}\u{301}\u{301}",
    "😀😀😀",
    "\u{10ffff}",
];

/// JSON text `Value` cannot hold, that serde_json still accepts: numbers past `u64`/`i64`,
/// negative zero, tiny floats, escapes of every kind (surrogate pairs, NUL, `\/`).
const RAW_TOKENS: &[&str] = &[
    "18446744073709551616",
    "-9223372036854775809",
    "-0",
    "0.000000000000000000000000000000000000000000000000001",
    "1.7976931348623157e308",
    "\"\\ud83d\\ude00\"",
    "\"\\u0000\"",
    "\"aws\\u002esso\"",
    "\"\\/\\b\\f\\n\\r\\t\"",
];

/// JSON text serde_json must reject without harm: numbers out of range, lone surrogates,
/// bad escapes, JavaScript literals, trailing commas.
const BAD_TOKENS: &[&str] = &[
    "1e999",
    "-1e999",
    "1E400",
    "\"\\ud800\"",
    "\"\\udc00\\ud800\"",
    "\"\\x41\"",
    "NaN",
    "Infinity",
    "tru",
    "[1,]",
    "{\"a\":1,}",
];

/// Invalid UTF-8: lone continuation, overlong, surrogate, truncated, out of range.
const BAD_UTF8: &[&[u8]] = &[
    b"\xff",
    b"\xfe\xff",
    b"\x80",
    b"\xc0\x80",
    b"\xc1\xbf",
    b"\xe0\x80\x80",
    b"\xed\xa0\x80",
    b"\xed\xbf\xbf",
    b"\xf4\x90\x80\x80",
    b"\xf8\x88\x80\x80\x80",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
];

/// Prefix of the string sentinels the writer expands (never produced by real input).
const SENTINEL: char = '\u{1}';

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

fn edge_number(rng: &mut Rng) -> Number {
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
fn count_nodes(v: &Value) -> usize {
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
fn nth_node(v: &Value, n: usize) -> Option<&Value> {
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
fn nth_node_mut(v: &mut Value, n: usize) -> Option<&mut Value> {
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
fn target<'a>(v: &'a mut Value, rng: &mut Rng) -> Option<&'a mut Value> {
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
fn raw_token(rng: &mut Rng) -> Value {
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

fn target_object<'a>(v: &'a mut Value, rng: &mut Rng) -> Option<&'a mut Value> {
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

fn swap_type(node: &Value, rng: &mut Rng) -> Value {
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

fn twist(s: &str, rng: &mut Rng) -> String {
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

/// Writes JSON text for `v`, expanding the sentinels and sometimes repeating a key.
pub fn write_json(v: &Value, rng: &mut Rng, out: &mut Vec<u8>) {
    let dup_keys = rng.chance(10);
    let spaced = rng.chance(20);
    let escape_all = rng.chance(5);
    write_node(v, rng, out, dup_keys, spaced, escape_all);
}

fn write_node(
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

fn sep(out: &mut Vec<u8>, first: &mut bool, spaced: bool) {
    if !*first {
        out.push(b',');
    }
    if spaced {
        out.extend_from_slice(b"\n  ");
    }
    *first = false;
}

fn write_string(s: &str, out: &mut Vec<u8>, escape_all: bool) {
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

fn write_ascii_escaped(b: u8, out: &mut Vec<u8>) {
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        0..=0x1f => write_unit(u16::from(b), out),
        _ => out.push(b),
    }
}

fn write_unit(unit: u16, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[usize::from((unit >> shift) & 0xf)]);
    }
}

/// Expands `DEEP<n>:<kind>`, `HUGE<n>:<unit>` and `RAW<i>` sentinels, iteratively.
fn expand(s: &str, out: &mut Vec<u8>) {
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

/// Damages the bytes of a document.
pub fn mutate_bytes(bytes: &mut Vec<u8>, rng: &mut Rng) {
    let len = bytes.len();
    match rng.below(9) {
        // Truncate.
        0 => bytes.truncate(rng.below(len + 1)),
        // Invalid UTF-8 inside a string (after a quote) or anywhere.
        1..=2 => {
            let seq = *rng.pick(BAD_UTF8);
            let at = quote_position(bytes, rng).unwrap_or_else(|| rng.below(len + 1));
            bytes.splice(at..at, seq.iter().copied());
        }
        // Flip bytes.
        3 => {
            for _ in 0..rng.range(1, 4) {
                if !bytes.is_empty() {
                    let i = rng.below(bytes.len());
                    bytes[i] ^= 1 << rng.below(8);
                }
            }
        }
        // Overwrite a span with random bytes.
        4 => {
            if len > 0 {
                let at = rng.below(len);
                let n = rng.range(1, 16).min(len - at);
                for b in &mut bytes[at..at + n] {
                    *b = rng.byte();
                }
            }
        }
        // Duplicate a span.
        5 => {
            if len > 0 {
                let at = rng.below(len);
                let n = rng.range(1, 64).min(len - at);
                let span: Vec<u8> = bytes[at..at + n].to_vec();
                let to = rng.below(len + 1);
                bytes.splice(to..to, span);
            }
        }
        // Insert a meaningful token.
        6 => {
            let token = format!(
                "\"{}\":\"{}\",",
                rng.pick(KEYS),
                rng.pick(STRINGS).escape_default()
            );
            let at = rng.below(len + 1);
            bytes.splice(at..at, token.into_bytes());
        }
        // A byte-order mark, leading garbage or trailing garbage.
        7 => match rng.below(3) {
            0 => {
                bytes.splice(0..0, [0xEF, 0xBB, 0xBF]);
            }
            1 => bytes.extend_from_slice(b" {}"),
            _ => {
                bytes.splice(0..0, *b"\0");
            }
        },
        // Random bytes altogether.
        _ => {
            let n = rng.below(64);
            *bytes = (0..n).map(|_| rng.byte()).collect();
        }
    }
}

/// The position just after a random `"` of the document, if it has any.
fn quote_position(bytes: &[u8], rng: &mut Rng) -> Option<usize> {
    if bytes.is_empty() {
        return None;
    }
    let start = rng.below(bytes.len());
    bytes[start..]
        .iter()
        .position(|b| *b == b'"')
        .map(|i| start + i + 1)
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

    #[test]
    fn byte_mutations_reach_invalid_utf8() {
        let mut invalid = 0;
        for seed in 0..200 {
            let mut bytes = br#"{"source":"aws.sso"}"#.to_vec();
            mutate_bytes(&mut bytes, &mut Rng::new(seed));
            if std::str::from_utf8(&bytes).is_err() {
                invalid += 1;
            }
        }
        assert!(invalid > 10, "{invalid}");
    }

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
