//! Plain-text tables and JSON for the terminal.
//!
//! Everything printed that was typed by someone else (a body's name from an imported file, a
//! subject, a note, a server's answer, a holiday feed) goes through [`safe`] or [`safe_text`], so
//! stored text can never drive the terminal: an escape sequence could recolour the screen, rename
//! the window, or hide the lines before it. Control characters are shown the way Rust writes
//! them, `\u{1b}`, so the reader sees that something was there and what it was.

use std::borrow::Cow;

use serde::Serialize;

/// Characters a terminal acts on instead of showing: the C0 and C1 controls and DEL, and the
/// bidirectional overrides and isolates, which reorder what is shown (Trojan Source, CVE-2021-42574).
fn acted_on(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape(text: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| acted_on(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if acted_on(c) && !keep(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One line of someone else's text, for a table cell or a line of output: every control
/// character, line breaks and tabs included, is shown escaped (`\u{1b}`, `\u{a}`).
pub fn safe(text: &str) -> Cow<'_, str> {
    escape(text, |_| false)
}

/// A block of someone else's text (a message body, an error): as [`safe`], but line breaks and
/// tabs are kept, so the text reads as written.
pub fn safe_text(text: &str) -> Cow<'_, str> {
    escape(text, |c| c == '\n' || c == '\t')
}

/// A table with a header row, columns padded to their widest cell.
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Self {
        Self { header: header.iter().map(|h| h.to_string()).collect(), rows: Vec::new() }
    }

    /// Adds a row; every cell is escaped with [`safe`], so no table can carry a raw control.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells.into_iter().map(|c| safe(&c).into_owned()).collect());
    }

    pub fn render(&self) -> String {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let padded: Vec<String> =
                cells.iter().enumerate().map(|(i, c)| format!("{c:<width$}", width = widths[i])).collect();
            padded.join("  ").trim_end().to_string()
        };
        let mut out = line(&self.header);
        out.push('\n');
        for row in &self.rows {
            out.push_str(&line(row));
            out.push('\n');
        }
        out
    }
}

/// Pretty JSON. serde_json escapes the C0 controls but writes DEL, the C1 controls and the
/// bidirectional controls as they are; they can only occur inside strings, where `\uXXXX` means
/// the same, so they are escaped too and the output stays the same JSON.
pub fn json<T: Serialize>(value: &T) -> String {
    let text = serde_json::to_string_pretty(value).expect("views serialise");
    // Raw line breaks are the pretty layout's; in strings serde_json has escaped them.
    let escaped = |c: char| acted_on(c) && c != '\n';
    if !text.chars().any(escaped) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if escaped(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

pub fn opt<T: ToString>(value: &Option<T>) -> String {
    value.as_ref().map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

/// Cuts long text to `max` characters for a table cell.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_columns_to_the_widest_cell() {
        let mut t = Table::new(&["id", "name"]);
        t.row(vec!["1".into(), "Barts".into()]);
        t.row(vec!["100".into(), "X".into()]);
        assert_eq!(t.render(), "id   name\n1    Barts\n100  X\n");
        assert_eq!(cut("abcdef", 4), "abc…");
    }

    const HOSTILE: &str = "Esc \x1b[31mRED\x1b[0m \x1b]0;pwned\x07 Trust";

    #[test]
    fn controls_are_shown_escaped() {
        assert_eq!(safe(HOSTILE), "Esc \\u{1b}[31mRED\\u{1b}[0m \\u{1b}]0;pwned\\u{7} Trust");
        assert_eq!(safe("a\r\nb\tc\u{7f}\u{9b}\u{202e}"), "a\\u{d}\\u{a}b\\u{9}c\\u{7f}\\u{9b}\\u{202e}");
        assert_eq!(safe_text("Dear X,\n\tthanks\r\n\x1b[2J"), "Dear X,\n\tthanks\\u{d}\n\\u{1b}[2J");
        assert!(matches!(safe("Barts Health – ok"), Cow::Borrowed(_)));
        let mut t = Table::new(&["name"]);
        t.row(vec![HOSTILE.into()]);
        assert!(!t.render().contains('\x1b'), "{}", t.render());
    }

    #[test]
    fn json_stays_json_without_raw_controls() {
        let value = serde_json::json!({ "name": format!("{HOSTILE}\u{9b}\u{7f}\u{202e}") });
        let text = json(&value);
        assert!(!text.chars().any(|c| acted_on(c) && c != '\n'), "{text}");
        assert!(text.contains("\\u009b") && text.contains("\\u007f") && text.contains("\\u202e"), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }
}
