//! Plain aligned tables for terminals and logs.

/// Widest a cell may be before it is cut.
const MAX_CELL: usize = 72;

/// The rows as aligned lines (first row is the header).
pub fn render<const N: usize>(rows: &[[String; N]]) -> Vec<String> {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count().min(MAX_CELL));
        }
    }
    rows.iter()
        .map(|row| {
            row.iter()
                .zip(widths)
                .map(|(cell, w)| {
                    let cell: String = cell.chars().take(MAX_CELL).collect();
                    format!("{cell:<w$}")
                })
                .collect::<Vec<_>>()
                .join("  ")
                .trim_end()
                .to_owned()
        })
        .collect()
}

/// Prints the table on stdout.
pub fn print<const N: usize>(rows: &[[String; N]]) {
    let _ = crate::exit::print_lines(&render(rows));
}

#[cfg(test)]
mod tests {
    #[test]
    fn columns_align() {
        let rows = [
            ["A".to_owned(), "B".to_owned()],
            ["long cell".to_owned(), "x".to_owned()],
        ];
        assert_eq!(super::render(&rows), vec!["A          B", "long cell  x"]);
    }
}
