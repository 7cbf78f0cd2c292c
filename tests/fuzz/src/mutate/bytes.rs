//! Byte-level damage to a written document: truncation, invalid UTF-8, flipped and random
//! bytes, duplicated spans, stray tokens.

use super::vocabulary::{BAD_UTF8, KEYS, STRINGS};
use crate::rng::Rng;

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
pub(super) fn quote_position(bytes: &[u8], rng: &mut Rng) -> Option<usize> {
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
}
