//! Reading lists of public bodies: NHS Digital's headerless ODS `etr.csv`, or a headed CSV.
//!
//! Parsing is all-or-nothing per row: a broken row is rejected with its line number and a
//! reason, and every good row is kept. Only a problem with the whole file (a headed CSV without
//! a `name` column) fails the import.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

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

#[derive(Debug, Default)]
pub struct ParsedFile {
    /// Good rows with their line numbers.
    pub records: Vec<(u64, AuthorityRecord)>,
    pub rejected: Vec<RejectedRow>,
    /// Rows left out on purpose: not open on the date, or without a region when one is required.
    pub filtered_out: u64,
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
}

/// Windows-1252's characters for the bytes 0x80–0x9F, where it differs from Latin-1 (curly
/// quotes, dashes, the euro sign …); the five undefined bytes keep their Latin-1 meaning.
const CP1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž', '\u{8f}', '\u{90}',
    '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}', 'ž', 'Ÿ',
];

/// Decodes one field: UTF-8 where it is, otherwise Windows-1252, which is what spreadsheet
/// exports of UK data usually are.
fn text(field: &[u8]) -> String {
    let decoded = match std::str::from_utf8(field) {
        Ok(s) => s.to_string(),
        Err(_) => field
            .iter()
            .map(|&b| match b {
                0x80..=0x9f => CP1252_HIGH[usize::from(b - 0x80)],
                _ => char::from(b),
            })
            .collect(),
    };
    // A NUL byte is never meant in a list of bodies, and PostgreSQL cannot store one.
    decoded.replace('\0', "").trim().to_string()
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

pub fn parse(bytes: &[u8], options: ImportOptions) -> Result<ParsedFile, ImportError> {
    let mut parsed = match options.format {
        ImportFormat::OdsEtr => parse_ods_etr(bytes, options)?,
        ImportFormat::Csv => parse_csv(bytes, options)?,
    };
    reject_duplicates(&mut parsed);
    Ok(parsed)
}

fn reader(bytes: &[u8], has_headers: bool) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(has_headers).flexible(true).from_reader(bytes)
}

fn line_of(record: &csv::ByteRecord, fallback: u64) -> u64 {
    record.position().map(|p| p.line()).unwrap_or(fallback)
}

fn parse_ods_etr(bytes: &[u8], options: ImportOptions) -> Result<ParsedFile, ImportError> {
    let mut out = ParsedFile::default();
    for (i, row) in reader(bytes, false).byte_records().enumerate() {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(i as u64 + 1);
                out.rejected.push(RejectedRow { line, reason: format!("not a readable CSV row: {e}") });
                continue;
            }
        };
        let line = line_of(&row, i as u64 + 1);
        if row.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        match ods_row(&row, options) {
            Ok(Some(record)) => out.records.push((line, record)),
            Ok(None) => out.filtered_out += 1,
            Err(reason) => out.rejected.push(RejectedRow { line, reason }),
        }
    }
    Ok(out)
}

fn ods_row(row: &csv::ByteRecord, options: ImportOptions) -> Result<Option<AuthorityRecord>, String> {
    if row.len() < 12 {
        return Err(format!("has {} columns; an ODS etr.csv row has 27 (at least 12 are needed)", row.len()));
    }
    let field = |i: usize| text(&row[i]);
    let ods_code = OdsCode::parse(&field(0)).map_err(|e| e.to_string())?;
    let name = field(1);
    if name.is_empty() {
        return Err("the name (column 2) is empty".into());
    }
    let region_code = non_empty(field(2));
    let region = region_code.as_deref().and_then(nhs_region_name).map(str::to_string);
    let opened_on = ods_date(&field(10), "open")?;
    let closed_on = ods_date(&field(11), "close")?;
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
        postcode: non_empty(field(9)),
        opened_on,
        closed_on,
    }))
}

const CSV_COLUMNS: &[&str] = &["name", "email", "region", "ods_code", "tags"];

fn parse_csv(bytes: &[u8], options: ImportOptions) -> Result<ParsedFile, ImportError> {
    let mut rdr = reader(bytes, true);
    let headers = rdr.byte_headers().map_err(|e| ImportError::Unreadable(e.to_string()))?.clone();
    if headers.is_empty() || headers.iter().all(|h| h.is_empty()) {
        return Err(ImportError::Empty);
    }
    let mut columns: HashMap<String, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let name = text(h).trim_start_matches('\u{feff}').to_lowercase().replace([' ', '-'], "_");
        if CSV_COLUMNS.contains(&name.as_str()) && columns.insert(name.clone(), i).is_some() {
            return Err(ImportError::DuplicateColumn(name));
        }
    }
    if !columns.contains_key("name") {
        let found = headers.iter().map(text).collect::<Vec<_>>().join(", ");
        return Err(ImportError::MissingColumn("name", found));
    }
    let mut out = ParsedFile::default();
    for (i, row) in rdr.byte_records().enumerate() {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(i as u64 + 2);
                out.rejected.push(RejectedRow { line, reason: format!("not a readable CSV row: {e}") });
                continue;
            }
        };
        let line = line_of(&row, i as u64 + 2);
        if row.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        let get = |col: &str| columns.get(col).and_then(|&i| row.get(i)).map(text).unwrap_or_default();
        match csv_row(get, options) {
            Ok(Some(record)) => out.records.push((line, record)),
            Ok(None) => out.filtered_out += 1,
            Err(reason) => out.rejected.push(RejectedRow { line, reason }),
        }
    }
    Ok(out)
}

fn csv_row(get: impl Fn(&str) -> String, options: ImportOptions) -> Result<Option<AuthorityRecord>, String> {
    let name = get("name");
    if name.is_empty() {
        return Err("the name is empty".into());
    }
    let email =
        non_empty(get("email")).map(|e| EmailAddress::parse(&e)).transpose().map_err(|e| e.to_string())?;
    let ods_code =
        non_empty(get("ods_code")).map(|c| OdsCode::parse(&c)).transpose().map_err(|e| e.to_string())?;
    let raw_region = non_empty(get("region"));
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
    let mut tags: Vec<String> = get("tags")
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

/// Two rows for the same body in one file: the first wins, later ones are rejected by line.
fn reject_duplicates(parsed: &mut ParsedFile) {
    let mut codes: HashMap<String, u64> = HashMap::new();
    let mut names: HashMap<String, u64> = HashMap::new();
    let mut dropped = HashSet::new();
    for (line, record) in &parsed.records {
        let name = format!("name:{}", record.name.to_lowercase());
        // A row without a code repeats any earlier row of the same name, coded or not; a coded
        // row repeats only an earlier row with the same code.
        let first = match &record.ods_code {
            Some(_) => codes.get(&record.key()),
            None => names.get(&name),
        };
        if let Some(first) = first {
            let what = record.ods_code.as_ref().map(|c| c.to_string()).unwrap_or_else(|| record.name.clone());
            parsed.rejected.push(RejectedRow {
                line: *line,
                reason: format!("repeats the body on line {first} ({what})"),
            });
            dropped.insert(*line);
            continue;
        }
        if record.ods_code.is_some() {
            codes.insert(record.key(), *line);
        }
        names.entry(name).or_insert(*line);
    }
    parsed.records.retain(|(line, _)| !dropped.contains(line));
    parsed.rejected.sort_by_key(|r| r.line);
}

#[cfg(test)]
#[path = "import_tests.rs"]
mod tests;
