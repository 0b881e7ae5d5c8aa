//! Splits an import file into CSV rows, each with the lines a person sees it on in an editor,
//! whether the file ends its lines with LF, CRLF (spreadsheet exports) or CR.
//!
//! A quote that is opened and never closed would otherwise swallow every row after it into one
//! field. So a row is taken apart again when it looks like that happened: when one of its fields
//! runs over lines although no other row of the file does, or holds more than one line break, or
//! holds a comma followed by an email address. It is then reported as broken on the line where it
//! starts, and reading goes on from the next line. Every non-empty line of the file belongs to
//! exactly one row or one broken row: nothing is left out unreported.

use csv::ByteRecord;

/// One row of the file, or a row that had to be given up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Row { first_line: u64, last_line: u64, fields: ByteRecord },
    Broken { line: u64, reason: String },
}

/// Where each line starts, in bytes: a line ends with `\n`, `\r\n` or a `\r` on its own.
struct Lines(Vec<usize>);

impl Lines {
    fn of(bytes: &[u8]) -> Self {
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => i += 1,
                b'\r' | b'\n' => {}
                _ => {
                    i += 1;
                    continue;
                }
            }
            i += 1;
            starts.push(i);
        }
        Lines(starts)
    }

    /// The 1-based line that holds byte `at` (a line's terminator belongs to it).
    fn line_of(&self, at: usize) -> u64 {
        self.0.partition_point(|&start| start <= at) as u64
    }

    /// The byte where 1-based line `line` starts, or `None` past the end.
    fn start_of(&self, line: u64) -> Option<usize> {
        self.0.get(usize::try_from(line).ok()?.checked_sub(1)?).copied()
    }
}

fn reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes)
}

/// Counts the line breaks in a field: `\r\n`, `\n` or `\r`.
fn line_breaks(field: &[u8]) -> usize {
    let lone_cr = field.windows(2).filter(|w| w[0] == b'\r' && w[1] != b'\n').count();
    let last_cr = usize::from(field.last() == Some(&b'\r'));
    field.iter().filter(|&&b| b == b'\n').count() + lone_cr + last_cr
}

/// A comma followed, after optional spaces, by something shaped like an email address: the sign
/// of two fields run together because the quote between them was not closed.
fn comma_then_email(field: &[u8]) -> bool {
    field.split(|&b| b == b',').skip(1).any(|after| {
        let word = after.trim_ascii_start().split(|b| b.is_ascii_whitespace()).next().unwrap_or_default();
        match word.iter().position(|&b| b == b'@') {
            Some(at) => at > 0 && word[at + 1..].contains(&b'.') && !word.ends_with(b"."),
            None => false,
        }
    })
}

/// Why a row looks like an unclosed quote, if it does.
fn suspicion(fields: &ByteRecord, spans_lines: bool, rows_over_lines: usize) -> Option<String> {
    if fields.iter().any(|f| line_breaks(f) > 1) {
        return Some("a field runs over several lines: probably a quote (\") that is not closed".into());
    }
    if fields.iter().any(comma_then_email) {
        return Some(
            "a field holds a comma followed by an email address: probably a quote (\") that is not closed"
                .into(),
        );
    }
    if spans_lines && rows_over_lines <= 1 {
        return Some(
            "a field runs over two lines, and no other row of the file does: probably a quote (\") that is not closed"
                .into(),
        );
    }
    None
}

/// Every row of the file, in order, with broken rows in their place.
pub fn rows(bytes: &[u8]) -> Vec<Item> {
    let lines = Lines::of(bytes);
    let rows_over_lines = count_rows_over_lines(bytes);
    let mut items = Vec::new();
    let mut from = 0;
    'restart: while from < bytes.len() {
        let mut rdr = reader(&bytes[from..]);
        let mut fields = ByteRecord::new();
        loop {
            match rdr.read_byte_record(&mut fields) {
                Ok(false) => break 'restart,
                Ok(true) => {
                    // The reader reports where it began to look for the row, before any empty
                    // lines it skipped; the row starts at its first byte that ends no line.
                    let mut start = from + fields.position().map_or(0, |p| p.byte() as usize);
                    while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
                        start += 1;
                    }
                    let end = from + rdr.position().byte() as usize;
                    let first_line = lines.line_of(start);
                    let last_line = lines.line_of(end.saturating_sub(1).max(start));
                    let spans_lines = fields.iter().any(|f| line_breaks(f) > 0);
                    if let Some(reason) = suspicion(&fields, spans_lines, rows_over_lines) {
                        items.push(Item::Broken { line: first_line, reason });
                        if last_line > first_line {
                            // Read again from the next line, as if the quote had been closed.
                            match lines.start_of(first_line + 1) {
                                Some(next) => {
                                    from = next;
                                    continue 'restart;
                                }
                                None => break 'restart,
                            }
                        }
                        continue;
                    }
                    items.push(Item::Row { first_line, last_line, fields: fields.clone() });
                }
                Err(e) => {
                    // Byte records with flexible rows leave only reading errors, which a slice
                    // cannot give; should one come, the rest of the file is reported, not lost.
                    let line = lines.line_of(from + e.position().map_or(0, |p| p.byte() as usize));
                    items.push(Item::Broken { line, reason: format!("not a readable CSV row: {e}") });
                    match lines.start_of(line + 1) {
                        Some(next) if next > from => {
                            from = next;
                            continue 'restart;
                        }
                        _ => break 'restart,
                    }
                }
            }
        }
    }
    items
}

/// How many rows run over more than one line when the file is read as it stands.
fn count_rows_over_lines(bytes: &[u8]) -> usize {
    let mut rdr = reader(bytes);
    let mut fields = ByteRecord::new();
    let mut count = 0;
    while let Ok(true) = rdr.read_byte_record(&mut fields) {
        if fields.iter().any(|f| line_breaks(f) > 0) {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
#[path = "csv_rows_tests.rs"]
mod tests;
