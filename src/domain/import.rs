//! Reading lists of public bodies: NHS Digital's headerless ODS `etr.csv`, or a headed CSV.
//!
//! Parsing is all-or-nothing per row: a broken row is rejected with its line number and a
//! reason, and every good row is kept. Only a problem with the whole file (a headed CSV without
//! a `name` column) fails the import.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::csv_rows::{self, Item};
use super::newtypes::{EmailAddress, OdsCode};
use super::region::nhs_region_name;
use crate::text_enum;

text_enum! {
    /// The layout of an import file.
    pub enum ImportFormat("import format") {
        /// NHS Digital ODS `etr.csv`: no header, 27 columns.
        OdsEtr => "ods-etr",
        /// A CSV with a header row: name, email, region, ods_code, tags.
        Csv => "csv",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    pub format: ImportFormat,
    /// Keep only bodies open on this date (ODS files only).
    pub as_of: Option<NaiveDate>,
    /// Drop bodies that have no English NHS region (or, in a CSV, no region at all).
    pub region_required: bool,
}

/// A public body as read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityRecord {
    pub name: String,
    pub email: Option<EmailAddress>,
    pub region: Option<String>,
    pub region_code: Option<String>,
    pub ods_code: Option<OdsCode>,
    pub tags: Vec<String>,
    pub postcode: Option<String>,
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
}

impl AuthorityRecord {
    /// The key an import matches existing bodies on: the ODS code, else the name.
    pub fn key(&self) -> String {
        match &self.ods_code {
            Some(code) => format!("ods:{code}"),
            None => format!("name:{}", self.name.to_lowercase()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct RejectedRow {
    /// 1-based line number in the file.
    pub line: u64,
    pub reason: String,
}

/// A whole file read at once: what [`parse`] gives.
#[derive(Debug, Default)]
pub struct ParsedFile {
    /// Good rows with their line numbers.
    pub records: Vec<(u64, AuthorityRecord)>,
    pub rejected: Vec<RejectedRow>,
    /// Rows left out on purpose: not open on the date, or without a region when one is required.
    pub filtered_out: u64,
    /// The rows read, not counting a header or blank rows: always the stored, rejected and
    /// filtered rows together.
    pub rows: u64,
}

/// What became of the rows of a file that were not handed on as records.
#[derive(Debug, Default)]
pub struct Tally {
    /// In line order.
    pub rejected: Vec<RejectedRow>,
    pub filtered_out: u64,
    /// The rows read, not counting a header or blank rows.
    pub rows: u64,
    /// The rows handed on as records.
    pub kept: u64,
    /// For an ODS file, how many rows were rejected as too short, by their number of columns:
    /// what a file that is not an `etr.csv` looks like.
    short_rows: HashMap<usize, u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("the file has no header row; a CSV import needs at least a \"name\" column")]
    Empty,
    #[error("the CSV header has no \"{0}\" column (found: {1})")]
    MissingColumn(&'static str, String),
    #[error("the CSV header names the column \"{0}\" twice")]
    DuplicateColumn(String),
    #[error("the file cannot be read as CSV: {0}")]
    Unreadable(String),
    /// No row of the file can be used; the text says what the file looks like instead.
    #[error("{0}")]
    Hopeless(String),
}

/// Windows-1252's characters for the bytes 0x80–0x9F, where it differs from Latin-1 (curly
/// quotes, dashes, the euro sign …); `None` for the five bytes it leaves undefined.
#[rustfmt::skip]
const CP1252_HIGH: [Option<char>; 32] = [
    Some('€'), None, Some('‚'), Some('ƒ'), Some('„'), Some('…'), Some('†'), Some('‡'),
    Some('ˆ'), Some('‰'), Some('Š'), Some('‹'), Some('Œ'), None, Some('Ž'), None,
    None, Some('‘'), Some('’'), Some('“'), Some('”'), Some('•'), Some('–'), Some('—'),
    Some('˜'), Some('™'), Some('š'), Some('›'), Some('œ'), None, Some('ž'), Some('Ÿ'),
];

/// Decodes one field: UTF-8 where it is, otherwise Windows-1252, which is what spreadsheet
/// exports of UK data usually are. Control characters (C1 ones among them, which is what the
/// bytes Windows-1252 leaves undefined would become) are refused rather than stored.
fn text(field: &[u8]) -> Result<String, String> {
    let decoded = match std::str::from_utf8(field) {
        Ok(s) => s.to_string(),
        Err(_) => field
            .iter()
            .map(|&b| match b {
                0x80..=0x9f => CP1252_HIGH[usize::from(b - 0x80)].ok_or_else(|| {
                    format!("the byte 0x{b:02X} is neither UTF-8 nor a character in Windows-1252; save the file as UTF-8")
                }),
                _ => Ok(char::from(b)),
            })
            .collect::<Result<String, String>>()?,
    };
    // A NUL byte is never meant in a list of bodies, and PostgreSQL cannot store one.
    let decoded = decoded.replace('\0', "");
    if let Some(c) = decoded.chars().find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return Err(format!(
            "holds the control character U+{:04X}, which no name or address has",
            u32::from(c)
        ));
    }
    Ok(decoded.trim().to_string())
}

/// As [`text`], for a header cell: a cell that cannot be read names no column foitrack knows.
fn header_text(field: &[u8]) -> String {
    text(field).unwrap_or_else(|_| String::from_utf8_lossy(field).into_owned())
}

/// Longest name and region kept: they are indexed, and PostgreSQL limits an index entry's size.
pub const MAX_NAME: usize = 300;
pub const MAX_REGION: usize = 100;

fn check_lengths(name: &str, region: Option<&str>) -> Result<(), String> {
    if name.chars().count() > MAX_NAME {
        return Err(format!("the name is longer than {MAX_NAME} characters"));
    }
    if region.is_some_and(|r| r.chars().count() > MAX_REGION) {
        return Err(format!("the region is longer than {MAX_REGION} characters"));
    }
    Ok(())
}

fn non_empty(s: String) -> Option<String> {
    if s.is_empty() { None } else { Some(s) }
}

fn ods_date(raw: &str, what: &str) -> Result<Option<NaiveDate>, String> {
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y%m%d")
        .map(Some)
        .map_err(|_| format!("the {what} date \"{raw}\" is not a date in the form YYYYMMDD"))
}

/// Reads a whole file held in memory.
pub fn parse(bytes: &[u8], options: ImportOptions) -> Result<ParsedFile, ImportError> {
    let mut census = csv_rows::Census::default();
    census.feed(bytes);
    let mut reader = FileReader::new(options, census.finish());
    let mut records = Vec::new();
    reader.feed(bytes, &mut records)?;
    let tally = reader.finish(&mut records)?;
    Ok(ParsedFile { records, rejected: tally.rejected, filtered_out: tally.filtered_out, rows: tally.rows })
}

/// Reads a file fed in pieces, handing on each good row as soon as it is complete, so that a file
/// of any size is read in bounded memory (but for the keys of its rows, which find repeats).
pub struct FileReader {
    options: ImportOptions,
    splitter: csv_rows::Splitter,
    items: Vec<Item>,
    layout: Layout,
    seen: Seen,
    tally: Tally,
}

enum Layout {
    Ods,
    /// A headed CSV whose header has not been read yet.
    CsvHeader,
    /// A headed CSV: where each known column is.
    Csv(HashMap<String, usize>),
}

impl FileReader {
    /// `shape` is what [`csv_rows::Census`] found in the same file.
    pub fn new(options: ImportOptions, shape: csv_rows::Shape) -> Self {
        FileReader {
            options,
            splitter: csv_rows::Splitter::new(shape),
            items: Vec::new(),
            layout: match options.format {
                ImportFormat::OdsEtr => Layout::Ods,
                ImportFormat::Csv => Layout::CsvHeader,
            },
            seen: Seen::default(),
            tally: Tally::default(),
        }
    }

    /// Reads the next piece of the file, appending the good rows it completes to `records`.
    /// A file that cannot be imported at all (a CSV header without a name column) fails here.
    pub fn feed(
        &mut self,
        bytes: &[u8],
        records: &mut Vec<(u64, AuthorityRecord)>,
    ) -> Result<(), ImportError> {
        self.splitter.feed(bytes, &mut self.items);
        self.take_items(records)
    }

    /// The end of the file: the last rows, and what became of the others. A file none of whose
    /// rows can be used fails here, in one sentence.
    pub fn finish(mut self, records: &mut Vec<(u64, AuthorityRecord)>) -> Result<Tally, ImportError> {
        self.splitter.finish(&mut self.items);
        self.take_items(records)?;
        if matches!(self.layout, Layout::CsvHeader) {
            return Err(ImportError::Empty);
        }
        if self.tally.kept == 0 && self.tally.filtered_out == 0 {
            return Err(ImportError::Hopeless(hopeless(&self.tally, self.options.format)));
        }
        debug_assert_eq!(
            self.tally.kept + self.tally.rejected.len() as u64 + self.tally.filtered_out,
            self.tally.rows
        );
        Ok(self.tally)
    }

    fn take_items(&mut self, records: &mut Vec<(u64, AuthorityRecord)>) -> Result<(), ImportError> {
        for item in std::mem::take(&mut self.items) {
            if let Layout::CsvHeader = self.layout {
                self.layout = Layout::Csv(csv_header(item)?);
                continue;
            }
            let Some((line, row)) = self.tally.take(item) else { continue };
            let outcome = match &self.layout {
                Layout::Ods => {
                    if row.len() < ODS_MIN_COLUMNS {
                        *self.tally.short_rows.entry(row.len()).or_default() += 1;
                    }
                    ods_row(&row, self.options)
                }
                Layout::Csv(columns) => {
                    let get = |col: &str| {
                        columns
                            .get(col)
                            .and_then(|&i| row.get(i))
                            .map(text)
                            .transpose()
                            .map(Option::unwrap_or_default)
                    };
                    csv_row(get, self.options)
                }
                Layout::CsvHeader => unreachable!("the header was read above"),
            };
            match outcome.and_then(|record| record.map(|r| self.seen.check(line, r)).transpose()) {
                Ok(Some(record)) => {
                    self.tally.kept += 1;
                    records.push((line, record));
                }
                Ok(None) => self.tally.filtered_out += 1,
                Err(reason) => self.tally.rejected.push(RejectedRow { line, reason }),
            }
        }
        Ok(())
    }
}

/// One sentence on a file none of whose rows can be used.
fn hopeless(tally: &Tally, format: ImportFormat) -> String {
    let Some(first) = tally.rejected.first() else {
        return "the file holds no rows".into();
    };
    // The column count most of the short rows have (the smaller one on a tie).
    let short = tally.short_rows.iter().max_by_key(|&(columns, rows)| (*rows, std::cmp::Reverse(*columns)));
    if let (ImportFormat::OdsEtr, Some((columns, _))) = (format, short) {
        return format!("this does not look like an ODS etr.csv: rows have {columns} columns, 27 expected");
    }
    format!(
        "none of its {} rows can be used; the first, on line {}: {}",
        tally.rejected.len(),
        first.line,
        first.reason
    )
}

/// The columns of an ODS row foitrack reads: up to the close date, the 12th.
const ODS_MIN_COLUMNS: usize = 12;

fn ods_row(row: &csv::ByteRecord, options: ImportOptions) -> Result<Option<AuthorityRecord>, String> {
    if row.len() < ODS_MIN_COLUMNS {
        return Err(format!(
            "has {} columns; an ODS etr.csv row has 27 (at least {ODS_MIN_COLUMNS} are needed)",
            row.len()
        ));
    }
    let field = |i: usize| text(&row[i]).map_err(|e| format!("column {}: {e}", i + 1));
    let ods_code = OdsCode::parse(&field(0)?).map_err(|e| e.to_string())?;
    let name = field(1)?;
    if name.is_empty() {
        return Err("the name (column 2) is empty".into());
    }
    let region_code = non_empty(field(2)?);
    let region = region_code.as_deref().and_then(nhs_region_name).map(str::to_string);
    let opened_on = ods_date(&field(10)?, "open")?;
    let closed_on = ods_date(&field(11)?, "close")?;
    if let Some(as_of) = options.as_of {
        let open = opened_on.is_some_and(|o| o <= as_of) && closed_on.is_none_or(|c| c > as_of);
        if !open {
            return Ok(None);
        }
    }
    check_lengths(&name, region.as_deref())?;
    if options.region_required && region.is_none() {
        return Ok(None);
    }
    Ok(Some(AuthorityRecord {
        name,
        email: None,
        region,
        region_code,
        ods_code: Some(ods_code),
        tags: Vec::new(),
        postcode: non_empty(field(9)?),
        opened_on,
        closed_on,
    }))
}

const CSV_COLUMNS: &[&str] = &["name", "email", "region", "ods_code", "tags"];

/// Where the known columns of a headed CSV are, from its first row.
fn csv_header(item: Item) -> Result<HashMap<String, usize>, ImportError> {
    let headers = match item {
        Item::Broken { line, reason } => {
            return Err(ImportError::Unreadable(format!("the header on line {line}: {reason}")));
        }
        Item::Row { fields, .. } => fields,
    };
    if headers.is_empty() || headers.iter().all(|h| h.is_empty()) {
        return Err(ImportError::Empty);
    }
    let mut columns: HashMap<String, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let name = header_text(h).trim_start_matches('\u{feff}').to_lowercase().replace([' ', '-'], "_");
        if CSV_COLUMNS.contains(&name.as_str()) && columns.insert(name.clone(), i).is_some() {
            return Err(ImportError::DuplicateColumn(name));
        }
    }
    if !columns.contains_key("name") {
        let found = headers.iter().map(header_text).collect::<Vec<_>>().join(", ");
        return Err(ImportError::MissingColumn("name", found));
    }
    Ok(columns)
}

fn csv_row(
    get: impl Fn(&str) -> Result<String, String>,
    options: ImportOptions,
) -> Result<Option<AuthorityRecord>, String> {
    let get = |col: &str| get(col).map_err(|e| format!("{col}: {e}"));
    let name = get("name")?;
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    let email =
        non_empty(get("email")?).map(|e| EmailAddress::parse(&e)).transpose().map_err(|e| e.to_string())?;
    let ods_code =
        non_empty(get("ods_code")?).map(|c| OdsCode::parse(&c)).transpose().map_err(|e| e.to_string())?;
    let raw_region = non_empty(get("region")?);
    // A region may be given as an NHS region code (Y56) or as a name.
    let (region, region_code) =
        match raw_region.as_deref().map(|r| (r, nhs_region_name(&r.to_ascii_uppercase()))) {
            Some((code, Some(name))) => (Some(name.to_string()), Some(code.to_ascii_uppercase())),
            Some((name, None)) => (Some(name.to_string()), None),
            None => (None, None),
        };
    check_lengths(&name, region.as_deref())?;
    if options.region_required && region.is_none() {
        return Ok(None);
    }
    let mut tags: Vec<String> = get("tags")?
        .split([';', ',', '|'])
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    tags.sort();
    tags.dedup();
    Ok(Some(AuthorityRecord {
        name,
        email,
        region,
        region_code,
        ods_code,
        tags,
        postcode: None,
        opened_on: None,
        closed_on: None,
    }))
}

impl Tally {
    /// Counts a row of the file and hands it on, or records it as rejected; blank rows are
    /// passed over.
    fn take(&mut self, item: Item) -> Option<(u64, csv::ByteRecord)> {
        match item {
            Item::Broken { line, reason } => {
                self.rows += 1;
                self.rejected.push(RejectedRow { line, reason });
                None
            }
            Item::Row { fields, .. } if fields.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) => None,
            Item::Row { first_line, fields, .. } => {
                self.rows += 1;
                Some((first_line, fields))
            }
        }
    }
}

/// The keys of the rows kept so far, to find two rows of one file that describe the same body:
/// the same ODS code, or the same name where either row has no code. The first wins; later ones
/// are rejected with its line.
///
/// This is the one part of an import that grows with the file, so a key takes no allocation of
/// its own: a code (3 to 6 letters and digits) is packed into a number, and a name is kept as
/// the first 128 bits of its SHA-256, where two names would collide by chance about once in
/// 10^38 pairs.
#[derive(Debug, Default)]
struct Seen {
    codes: HashMap<u64, u64>,
    /// By lower-case name: the first row's line, and whether it had a code.
    names: HashMap<u128, (u64, bool)>,
}

fn code_key(code: &OdsCode) -> u64 {
    let mut packed = [0u8; 8];
    packed[..code.as_str().len()].copy_from_slice(code.as_str().as_bytes());
    u64::from_be_bytes(packed)
}

fn name_key(lower_case_name: &str) -> u128 {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(lower_case_name.as_bytes());
    u128::from_be_bytes(digest[..16].try_into().expect("SHA-256 is 32 bytes"))
}

impl Seen {
    fn check(&mut self, line: u64, record: AuthorityRecord) -> Result<AuthorityRecord, String> {
        let name = name_key(&record.name.to_lowercase());
        let by_name = self.names.get(&name).copied();
        let code = record.ods_code.as_ref().map(code_key);
        if let (Some(first), Some(ods)) = (code.and_then(|c| self.codes.get(&c).copied()), &record.ods_code) {
            return Err(format!("repeats the body on line {first} ({ods})"));
        }
        let same_name = match code {
            Some(_) => by_name.filter(|&(_, coded)| !coded),
            None => by_name,
        };
        if let Some((first, _)) = same_name {
            return Err(format!("repeats the body on line {first} ({})", record.name));
        }
        if let Some(code) = code {
            self.codes.insert(code, line);
        }
        self.names.entry(name).or_insert((line, code.is_some()));
        Ok(record)
    }
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
