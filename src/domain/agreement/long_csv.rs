//! Codings in the long shape any spreadsheet or statistics package can write: a headed CSV with
//! one row per unit and coder, `unit,coder,value`, several codes in one value split by `;`.
//!
//! A file is read whole or refused whole, with every problem listed by line: statistics from
//! a file with some rows silently dropped would be wrong without anyone knowing.

use std::collections::{BTreeSet, HashMap};

use super::{Level, Matrix, SetMatrix};

/// One problem in the file, by the line a person sees it on in an editor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct LineError {
    pub line: u64,
    pub message: String,
}

fn at(line: u64, message: impl Into<String>) -> LineError {
    LineError { line, message: message.into() }
}

/// A file's codings, ready for the statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct LongCodings {
    pub coders: Vec<String>,
    /// Each category of [`Self::matrix`]: a code, a number, or several codes joined by `;`.
    pub categories: Vec<String>,
    pub matrix: Matrix,
    pub level: Level,
    /// When any value holds several codes: each code, and who gave which codes to each unit.
    pub multi: Option<(Vec<String>, SetMatrix)>,
}

/// The most problems listed; the rest are counted.
const MOST_ERRORS: usize = 50;

/// Reads the file. `interval`: the values are numbers, and a difference of 10 weighs more than
/// one of 1; otherwise they are codes.
pub fn parse(bytes: &[u8], interval: bool) -> Result<LongCodings, Vec<LineError>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let columns = header(&mut reader).map_err(|e| vec![e])?;
    let mut errors = Vec::new();
    let mut cells: Vec<(String, String, Vec<String>, u64)> = Vec::new();
    let mut seen: HashMap<(String, String), u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    let needed = columns.iter().max().map_or(0, |m| m + 1);
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line());
                let why = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => {
                        "is not UTF-8 text; save the file as CSV UTF-8".to_string()
                    }
                    _ => format!("cannot be read as CSV ({e})"),
                };
                errors.push(at(line, why));
                continue;
            }
        }
        let line = record.position().map_or(line, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        // The csv reader lets a quote that is never closed run on to the next quote, taking
        // the rows between into one field; no unit, coder or value has a line break.
        if record.iter().any(|f| f.contains(['\n', '\r'])) {
            errors
                .push(at(line, "a field runs over several lines: probably a quote (\") that is not closed"));
            continue;
        }
        if record.len() < needed {
            errors.push(at(
                line,
                format!("the row has {} field(s); the first line names {needed}", record.len()),
            ));
            continue;
        }
        let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
        let (unit, coder, value) = (field(columns[0]), field(columns[1]), field(columns[2]));
        if unit.is_empty() || coder.is_empty() {
            errors.push(at(line, "the unit and the coder must both be given"));
            continue;
        }
        if let Some(first) = seen.insert((unit.clone(), coder.clone()), line) {
            errors.push(at(line, format!("{coder} already coded {unit} on line {first}")));
            continue;
        }
        let codes: BTreeSet<String> =
            value.split(';').map(str::trim).filter(|c| !c.is_empty()).map(String::from).collect();
        if codes.is_empty() {
            continue;
        }
        // Numbers are kept in one spelling, so that 3 and 3.0 count as agreeing.
        let values = if interval {
            match number(&codes) {
                Ok(x) => vec![x.to_string()],
                Err(message) => {
                    errors.push(at(line, message));
                    continue;
                }
            }
        } else {
            codes.into_iter().collect()
        };
        cells.push((unit, coder, values, line));
    }
    if !errors.is_empty() {
        return Err(capped(errors));
    }
    Ok(assemble(cells, interval))
}

/// The positions of the unit, coder and value columns.
fn header(reader: &mut csv::Reader<&[u8]>) -> Result<[usize; 3], LineError> {
    let names = reader.headers().map_err(|e| match e.kind() {
        csv::ErrorKind::Utf8 { .. } => at(1, "is not UTF-8 text; save the file as CSV UTF-8"),
        _ => at(1, format!("the first line cannot be read as CSV ({e})")),
    })?;
    if names.iter().all(|n| n.trim().is_empty()) {
        return Err(at(1, "the file is empty: its first line must name the columns unit, coder and value"));
    }
    let find = |wanted: &str| {
        let mut named = names.iter().enumerate().filter(|(_, n)| n.trim().eq_ignore_ascii_case(wanted));
        match (named.next(), named.next()) {
            (Some((i, _)), None) => Ok(Some(i)),
            (Some(_), Some(_)) => Err(at(1, format!("two columns are named {wanted}"))),
            _ => Ok(None),
        }
    };
    match (find("unit")?, find("coder")?, find("value")?) {
        (Some(u), Some(c), Some(v)) => Ok([u, c, v]),
        _ => Err(at(
            1,
            format!(
                "the first line must name the columns unit, coder and value; it names: {}",
                names.iter().map(|n| format!("\"{}\"", n.trim())).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

fn number(codes: &BTreeSet<String>) -> Result<f64, String> {
    let [only] = &codes.iter().collect::<Vec<_>>()[..] else {
        return Err("a number was expected, and this value holds several".into());
    };
    match only.parse::<f64>() {
        // -0 is 0: one spelling for one number.
        Ok(x) if x.is_finite() => Ok(if x == 0.0 { 0.0 } else { x }),
        Ok(x) if x.is_infinite() => Err(format!("\"{only}\" is too large a number")),
        _ => Err(format!("\"{only}\" is not a number (for codes, leave out --level interval)")),
    }
}

fn capped(mut errors: Vec<LineError>) -> Vec<LineError> {
    if errors.len() > MOST_ERRORS {
        let more = errors.len() - MOST_ERRORS;
        let last = errors[MOST_ERRORS].line;
        errors.truncate(MOST_ERRORS);
        errors.push(at(last, format!("and {more} more problem(s) from here on")));
    }
    errors
}

/// Codings from elsewhere (a campaign's answers), assembled as a file's are: a unit's codes are
/// sorted, so the same set of codes is one category, and numbers are written in one spelling.
pub fn from_values(
    cells: impl IntoIterator<Item = (String, String, Vec<String>)>,
    interval: bool,
) -> LongCodings {
    let cells = cells
        .into_iter()
        .map(|(unit, coder, mut values)| {
            values.sort();
            values.dedup();
            (unit, coder, values, 0)
        })
        .collect();
    assemble(cells, interval)
}

/// Numbers each unit, coder, code and category in order of first appearance.
fn assemble(cells: Vec<(String, String, Vec<String>, u64)>, interval: bool) -> LongCodings {
    let mut units = Index::default();
    let mut coders = Index::default();
    let mut codes = Index::default();
    let mut categories = Index::default();
    let mut placed = Vec::with_capacity(cells.len());
    for (unit, coder, values, _) in &cells {
        let set: Vec<usize> = values.iter().map(|v| codes.id(v)).collect();
        placed.push((units.id(unit), coders.id(coder), categories.id(&values.join(";")), set));
    }
    let mut matrix = Matrix::new(coders.names.len(), categories.names.len());
    let mut rows = vec![vec![None; coders.names.len()]; units.names.len()];
    let mut sets = vec![vec![None; coders.names.len()]; units.names.len()];
    for (unit, coder, category, set) in placed {
        rows[unit][coder] = Some(category);
        sets[unit][coder] = Some(set);
    }
    for row in rows {
        matrix.push(row);
    }
    let level = if interval {
        Level::Interval(categories.names.iter().map(|c| c.parse().unwrap_or(0.0)).collect())
    } else {
        Level::Nominal
    };
    let several = cells.iter().any(|(_, _, values, _)| values.len() > 1);
    let multi = several.then(|| (codes.names.clone(), SetMatrix { rows: sets, codes: codes.names.len() }));
    LongCodings { coders: coders.names, categories: categories.names, matrix, level, multi }
}

#[derive(Default)]
struct Index {
    ids: HashMap<String, usize>,
    names: Vec<String>,
}

impl Index {
    fn id(&mut self, name: &str) -> usize {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), self.names.len() - 1);
        self.names.len() - 1
    }
}
