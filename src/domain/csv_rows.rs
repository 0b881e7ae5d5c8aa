//! Splits an import file into CSV rows, each with the lines a person sees it on in an editor,
//! whether the file ends its lines with LF, CRLF (spreadsheet exports) or CR.
//!
//! A quote that is opened and never closed would otherwise swallow every row after it into one
//! field. So a row is taken apart again when it looks like that happened: when one of its fields
//! runs over lines although no other row of the file does, or holds more than one line break, or
//! holds a comma followed by an email address. It is then reported as broken on the line where it
//! starts, and reading goes on from the next line. Every non-empty line of the file belongs to
//! exactly one row or one broken row: nothing is left out unreported.
//!
//! The file is fed in pieces of any size, and memory stays bounded whatever it holds: a row is
//! given up as soon as a field shows its second line break, and no row may be longer than
//! [`MAX_ROW_BYTES`]. Whether other rows run over lines is a fact about the whole file, so it is
//! counted first, in a pass of its own ([`Census`]).

use std::collections::VecDeque;

use csv::ByteRecord;

/// The longest row read. No name, address or list of tags comes near it, and a longer "row" is
/// what a quote that is never closed, or a file that is not CSV, looks like.
pub const MAX_ROW_BYTES: usize = 64 * 1024;

/// One row of the file, or a row that had to be given up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Row { first_line: u64, last_line: u64, fields: ByteRecord },
    Broken { line: u64, reason: String },
}

/// Counts a line break: `\r\n`, `\n` or `\r`.
fn is_break(pair: (u8, Option<u8>)) -> bool {
    matches!(pair, (b'\n', _)) || matches!(pair, (b'\r', next) if next != Some(b'\n'))
}

/// Counts the line breaks in a field: `\r\n`, `\n` or `\r`.
fn line_breaks(field: &[u8]) -> usize {
    (0..field.len()).filter(|&i| is_break((field[i], field.get(i + 1).copied()))).count()
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

const SEVERAL_LINES: &str = "a field runs over several lines: probably a quote (\") that is not closed";

/// Why a whole row looks like an unclosed quote, if it does.
fn suspicion(fields: &ByteRecord, multi_line_rows: bool) -> Option<String> {
    if fields.iter().any(|f| line_breaks(f) > 1) {
        return Some(SEVERAL_LINES.into());
    }
    if fields.iter().any(comma_then_email) {
        return Some(
            "a field holds a comma followed by an email address: probably a quote (\") that is not closed"
                .into(),
        );
    }
    if !multi_line_rows && fields.iter().any(|f| line_breaks(f) > 0) {
        return Some(
            "a field runs over two lines, and no other row of the file does: probably a quote (\") that is not closed"
                .into(),
        );
    }
    None
}

fn csv_reader() -> csv_core::Reader {
    csv_core::Reader::new()
}

/// The first pass: how many rows run over more than one line when the file is read as it stands.
#[derive(Debug)]
pub struct Census {
    csv: csv_core::Reader,
    scratch: Vec<u8>,
    ends: Vec<usize>,
    row_has_break: bool,
    rows_over_lines: u64,
}

/// What the first pass found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Whether rows over several lines are ordinary in this file: true when two or more are.
    pub multi_line_rows: bool,
}

impl Default for Census {
    fn default() -> Self {
        Census {
            csv: csv_reader(),
            scratch: vec![0; 8192],
            ends: vec![0; 256],
            row_has_break: false,
            rows_over_lines: 0,
        }
    }
}

impl Census {
    pub fn feed(&mut self, input: &[u8]) {
        self.run(input, false);
    }

    pub fn finish(mut self) -> Shape {
        self.run(&[], true);
        Shape { multi_line_rows: self.rows_over_lines > 1 }
    }

    fn run(&mut self, mut input: &[u8], eof: bool) {
        // The CSV reader takes an empty input for the end of the file.
        while !input.is_empty() || eof {
            let (result, nin, nout, _) = self.csv.read_record(input, &mut self.scratch, &mut self.ends);
            input = &input[nin..];
            // Terminators are not copied out, so any line break in the output is inside a field.
            self.row_has_break |= self.scratch[..nout].iter().any(|&b| b == b'\n' || b == b'\r');
            match result {
                csv_core::ReadRecordResult::Record => {
                    self.rows_over_lines += u64::from(std::mem::take(&mut self.row_has_break));
                }
                csv_core::ReadRecordResult::InputEmpty | csv_core::ReadRecordResult::End => return,
                csv_core::ReadRecordResult::OutputFull | csv_core::ReadRecordResult::OutputEndsFull => {}
            }
        }
    }
}

/// Where the lines start, for the bytes not yet passed: a line ends with `\n`, `\r\n` or a lone
/// `\r`, and the line after the last terminator starts at the end of the file.
#[derive(Debug, Default)]
struct Lines {
    /// Offsets of line starts still needed, in order.
    starts: VecDeque<u64>,
    /// Line starts already dropped from the front, the first line's (offset 0) among them.
    dropped: u64,
    seen: u64,
    pending_cr: bool,
}

impl Lines {
    fn new() -> Self {
        Lines { starts: VecDeque::from([0]), ..Default::default() }
    }

    fn see(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if std::mem::take(&mut self.pending_cr) && b != b'\n' {
                self.starts.push_back(self.seen);
            }
            self.seen += 1;
            match b {
                b'\n' => self.starts.push_back(self.seen),
                b'\r' => self.pending_cr = true,
                _ => {}
            }
        }
    }

    fn finish(&mut self) {
        if std::mem::take(&mut self.pending_cr) {
            self.starts.push_back(self.seen);
        }
    }

    /// The 1-based line that holds byte `at` (a line's terminator belongs to it). Only for bytes
    /// at or after the last offset given to [`Lines::forget_before`].
    fn line_of(&self, at: u64) -> u64 {
        self.dropped + self.starts.partition_point(|&start| start <= at) as u64
    }

    /// Where 1-based line `line` starts, if that is known yet.
    fn start_of(&self, line: u64) -> Option<u64> {
        self.starts.get(usize::try_from(line.checked_sub(self.dropped + 1)?).ok()?).copied()
    }

    /// Drops the line starts at or before `at`: nothing before it will be asked about again.
    fn forget_before(&mut self, at: u64) {
        while self.starts.len() > 1 && self.starts[1] <= at {
            self.starts.pop_front();
            self.dropped += 1;
        }
    }
}

/// The second pass: the rows of the file, fed in pieces, with broken rows in their place.
#[derive(Debug)]
pub struct Splitter {
    multi_line_rows: bool,
    csv: csv_core::Reader,
    lines: Lines,
    /// The bytes from `buf_at` on that are not yet part of a finished row.
    buf: Vec<u8>,
    buf_at: u64,
    /// How far into `buf` the current row has been read, and where it began (None: between rows).
    scan: usize,
    row_start: Option<usize>,
    out: Vec<u8>,
    ends: Vec<usize>,
    nout: usize,
    nend: usize,
    /// A row was given up before its end: reading goes on at the start of this line.
    resume_at: Option<u64>,
}

impl Splitter {
    /// `multi_line_rows` is what [`Census::finish`] said of the same file.
    pub fn new(Shape { multi_line_rows }: Shape) -> Self {
        Splitter {
            multi_line_rows,
            csv: csv_reader(),
            lines: Lines::new(),
            buf: Vec::new(),
            buf_at: 0,
            scan: 0,
            row_start: None,
            out: vec![0; 1024],
            ends: vec![0; 64],
            nout: 0,
            nend: 0,
            resume_at: None,
        }
    }

    /// Reads the next piece of the file, appending the rows it completes to `items`.
    pub fn feed(&mut self, bytes: &[u8], items: &mut Vec<Item>) {
        self.compact();
        self.lines.see(bytes);
        self.buf.extend_from_slice(bytes);
        self.run(false, items);
    }

    /// The end of the file: the last rows.
    pub fn finish(&mut self, items: &mut Vec<Item>) {
        self.lines.finish();
        self.run(true, items);
    }

    fn run(&mut self, eof: bool, items: &mut Vec<Item>) {
        loop {
            if let Some(line) = self.resume_at {
                match self.lines.start_of(line) {
                    Some(at) => self.restart(at),
                    None => {
                        // The line has not begun yet: nothing before it is needed.
                        self.scan = self.buf.len();
                        return;
                    }
                }
            }
            if self.row_start.is_none() {
                // Blank lines between rows belong to no row.
                let blank = self.buf[self.scan..].iter().take_while(|&&b| b == b'\r' || b == b'\n').count();
                self.scan += blank;
                if self.scan == self.buf.len() && !eof {
                    return;
                }
                self.row_start = Some(self.scan);
            }
            // The CSV reader takes an empty input for the end of the file.
            if self.scan == self.buf.len() && !eof {
                return;
            }
            let input = &self.buf[self.scan..];
            let (result, nin, nout, nend) =
                self.csv.read_record(input, &mut self.out[self.nout..], &mut self.ends[self.nend..]);
            self.scan += nin;
            self.nout += nout;
            self.nend += nend;
            if let Some(reason) = self.too_much() {
                self.give_up(reason, items);
                continue;
            }
            match result {
                // At the end of the file, the next round gives the reader the empty input that
                // ends the last row.
                csv_core::ReadRecordResult::InputEmpty if !eof => return,
                csv_core::ReadRecordResult::InputEmpty => {}
                csv_core::ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                csv_core::ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                csv_core::ReadRecordResult::Record => self.row_done(items),
                csv_core::ReadRecordResult::End => return,
            }
        }
    }

    /// Why the row being read must be given up before its end, if it must: a field already shows
    /// two line breaks, or the row is too long to be one.
    fn too_much(&self) -> Option<String> {
        let start = self.row_start?;
        if self.scan - start > MAX_ROW_BYTES {
            return Some(format!(
                "the row is longer than {} KiB: probably a quote (\") that is not closed, or not a CSV file",
                MAX_ROW_BYTES / 1024
            ));
        }
        let open_field = self.nend.checked_sub(1).map_or(0, |last| self.ends[last]);
        (line_breaks(&self.out[open_field..self.nout]) > 1).then(|| SEVERAL_LINES.to_string())
    }

    fn row_done(&mut self, items: &mut Vec<Item>) {
        let start = self.row_start.expect("a row was being read");
        let mut fields = ByteRecord::with_capacity(self.nout, self.nend);
        let mut from = 0;
        for &end in &self.ends[..self.nend] {
            fields.push_field(&self.out[from..end]);
            from = end;
        }
        let first_line = self.lines.line_of(self.buf_at + start as u64);
        let last_line = self.lines.line_of(self.buf_at + (self.scan.max(start + 1) - 1) as u64);
        if let Some(reason) = suspicion(&fields, self.multi_line_rows) {
            if last_line > first_line {
                self.give_up(reason, items);
                return;
            }
            items.push(Item::Broken { line: first_line, reason });
        } else {
            items.push(Item::Row { first_line, last_line, fields });
        }
        self.row_start = None;
        self.nout = 0;
        self.nend = 0;
    }

    /// Reports the row being read as broken on its first line and reads on from the next line,
    /// as if the quote had been closed there.
    fn give_up(&mut self, reason: String, items: &mut Vec<Item>) {
        let start = self.row_start.expect("a row was being read");
        let line = self.lines.line_of(self.buf_at + start as u64);
        items.push(Item::Broken { line, reason });
        self.resume_at = Some(line + 1);
        self.row_start = None;
        self.nout = 0;
        self.nend = 0;
    }

    /// Reads on from byte `at` of the file, which the buffer still holds, with a new reader.
    fn restart(&mut self, at: u64) {
        self.resume_at = None;
        self.csv = csv_reader();
        self.scan = usize::try_from(at - self.buf_at).expect("the buffer holds the current row");
    }

    /// Forgets the bytes before the current row (or before the reading position, between rows).
    /// Done once per piece fed rather than per row, which would move the buffer every time.
    fn compact(&mut self) {
        let keep = self.row_start.unwrap_or(self.scan);
        self.buf.drain(..keep);
        self.buf_at += keep as u64;
        self.scan -= keep;
        self.row_start = self.row_start.map(|s| s - keep);
        self.lines.forget_before(self.buf_at);
    }
}

/// Every row of a file held in memory, in order, with broken rows in their place.
pub fn rows(bytes: &[u8]) -> Vec<Item> {
    let mut census = Census::default();
    census.feed(bytes);
    let mut splitter = Splitter::new(census.finish());
    let mut items = Vec::new();
    splitter.feed(bytes, &mut items);
    splitter.finish(&mut items);
    items
}

#[cfg(test)]
#[path = "csv_rows_tests.rs"]
mod tests;
