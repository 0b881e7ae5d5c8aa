//! Spreadsheets (XLSX, XLS, ODS), by calamine: each sheet under its name, a row a line, cells
//! apart by tabs, as a researcher would paste it.

use std::fmt::Write as _;
use std::io::Cursor;

use calamine::{Data, DataType, Reader, open_workbook_auto_from_rs};

pub(super) fn text(data: &[u8]) -> Result<String, String> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(data))
        .map_err(|e| format!("the spreadsheet could not be read ({e})"))?;
    let mut out = String::new();
    for name in book.sheet_names() {
        let range =
            book.worksheet_range(&name).map_err(|e| format!("the sheet {name:?} could not be read ({e})"))?;
        let _ = writeln!(out, "## {name}\n");
        for row in range.rows() {
            let filled = row.iter().rposition(|c| !matches!(c, Data::Empty)).map_or(0, |i| i + 1);
            for (i, cell) in row[..filled].iter().enumerate() {
                if i > 0 {
                    out.push('\t');
                }
                push_cell(&mut out, cell);
            }
            out.push('\n');
        }
        out.push('\n');
        if out.len() > super::MAX_TEXT_BYTES {
            break;
        }
    }
    Ok(out)
}

fn push_cell(out: &mut String, cell: &Data) {
    match cell {
        Data::DateTime(_) => match cell.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => {
                let _ = write!(out, "{}", t.date());
            }
            Some(t) => {
                let _ = write!(out, "{t}");
            }
            None => {
                let _ = write!(out, "{cell}");
            }
        },
        // A cell's own line breaks and tabs would split its row.
        Data::String(s) => out.push_str(&s.replace(['\t', '\n', '\r'], " ")),
        other => {
            let _ = write!(out, "{other}");
        }
    }
}
