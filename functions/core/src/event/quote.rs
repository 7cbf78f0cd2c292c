//! Input quoted into errors and reasons, cut and escaped so that a message stays one short
//! line whatever the event holds.

/// A parser's message, cut so that an error stays one short line (serde quotes the
/// offending value whole: a megabyte string would become a megabyte message).
pub(super) fn brief(message: &impl std::fmt::Display) -> String {
    const MAX: usize = 240;
    let text = message.to_string();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// A value from the input, cut and escaped so that a reason stays one short line.
pub(super) fn printable(text: &str) -> String {
    const MAX: usize = 80;
    let mut out: String = text
        .chars()
        .take(MAX)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out
}
