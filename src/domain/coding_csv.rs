//! The coded spreadsheet: a headed CSV with one row per body, a key column (`reference` or
//! `ods_code`) and one column per question key holding code keys (`;` between several), a
//! number or text; an empty cell is "not coded". Foitrack writes the same shape it reads.

use super::codebook::{Answer, Codebook, QuestionKind};
use super::csv_rows::{self, Item};

/// Which column says whose row it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyColumn {
    Reference,
    OdsCode,
}

impl KeyColumn {
    pub fn name(self) -> &'static str {
        match self {
            KeyColumn::Reference => "reference",
            KeyColumn::OdsCode => "ods_code",
        }
    }
}

/// One row: its line, its key, and each coded cell as (question key, answer or the problem).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: u64,
    pub key: String,
    pub cells: Vec<(String, Result<Answer, String>)>,
}

/// A file read: its rows, the columns that are not question keys, and the lines that could not
/// be read as rows at all.
#[derive(Debug, Clone, PartialEq)]
pub struct WideFile {
    pub key: KeyColumn,
    pub ignored_columns: Vec<String>,
    pub rows: Vec<Row>,
    pub broken: Vec<(u64, String)>,
}

/// Reads the file; `Err` when its first line cannot serve (no key column, no question column).
pub fn parse(bytes: &[u8], book: &Codebook) -> Result<WideFile, String> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut items = csv_rows::rows(bytes).into_iter();
    let header = loop {
        match items.next() {
            None => return Err("the file is empty; its first line must name the columns".into()),
            Some(Item::Broken { reason, .. }) => {
                return Err(format!("its first line cannot be read: {reason}"));
            }
            Some(Item::Row { fields, .. }) if fields.iter().all(|f| f.trim_ascii().is_empty()) => continue,
            Some(Item::Row { fields, .. }) => break fields,
        }
    };
    let names: Vec<String> = header.iter().map(|f| String::from_utf8_lossy(f).trim().to_string()).collect();
    let position = |name: &str| names.iter().position(|n| n == name);
    let (key, key_at) = match (position("reference"), position("ods_code")) {
        (Some(at), _) => (KeyColumn::Reference, at),
        (None, Some(at)) => (KeyColumn::OdsCode, at),
        (None, None) => {
            return Err(
                "the first line must name a column reference or ods_code, to say whose row each is".into()
            );
        }
    };
    let mut questions = Vec::new();
    let mut ignored_columns = Vec::new();
    for (at, name) in names.iter().enumerate() {
        match book.question(name) {
            Some(q) if at != key_at => questions.push((at, q)),
            _ if at == key_at || (name == "ods_code" || name == "reference") => {}
            _ => ignored_columns.push(name.clone()),
        }
    }
    if questions.is_empty() {
        return Err(format!(
            "no column is a question of {}; its questions are {}",
            book.key,
            book.questions.iter().map(|q| q.key.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    let mut rows = Vec::new();
    let mut broken = Vec::new();
    for item in items {
        let (line, fields) = match item {
            Item::Broken { line, reason } => {
                broken.push((line, reason));
                continue;
            }
            Item::Row { first_line, fields, .. } => (first_line, fields),
        };
        if fields.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        let text: Result<Vec<&str>, _> = fields.iter().map(std::str::from_utf8).collect();
        let Ok(text) = text else {
            broken.push((line, "is not UTF-8 text; save the file as CSV UTF-8".into()));
            continue;
        };
        let key_value = text.get(key_at).map_or("", |k| k.trim());
        if key_value.is_empty() {
            broken.push((line, format!("the {} column is empty", key.name())));
            continue;
        }
        let cells = questions
            .iter()
            .filter_map(|(at, q)| {
                let cell = text.get(*at).map_or("", |c| c.trim());
                (!cell.is_empty()).then(|| (q.key.clone(), cell_answer(q.kind, cell)))
            })
            .collect();
        rows.push(Row { line, key: key_value.to_string(), cells });
    }
    Ok(WideFile { key, ignored_columns, rows, broken })
}

/// A cell's answer as the question's kind reads it.
fn cell_answer(kind: QuestionKind, cell: &str) -> Result<Answer, String> {
    match kind {
        QuestionKind::Number => match cell.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Answer::Number(x)),
            _ => Err(format!("\"{cell}\" is not a number")),
        },
        QuestionKind::Text => Ok(Answer::Text(cell.to_string())),
        _ => Ok(Answer::Codes(
            cell.split(';').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect(),
        )),
    }
}

/// A cell as written: codes joined by `;`, a number, or text.
pub fn cell(answer: &Answer) -> String {
    match answer {
        Answer::Codes(c) => c.join(";"),
        Answer::Number(n) => n.to_string(),
        Answer::Text(t) => t.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::codebook::ABT_CODEBOOK;

    fn book() -> Codebook {
        Codebook::from_toml(ABT_CODEBOOK).unwrap()
    }

    #[test]
    fn reads_keys_questions_and_cells_and_sets_aside_the_rest() {
        let csv = "\u{feff}ods_code,name,offers_abt,provider,staff_completed\r\n\
                   RAJ,Southend,yes,external ; in_house,120\r\n\
                   ,Nobody,no,,\r\n\
                   \r\n\
                   RBK,Walsall,no,,lots\r\n";
        let f = parse(csv.as_bytes(), &book()).unwrap();
        assert_eq!(f.key, KeyColumn::OdsCode);
        assert_eq!(f.ignored_columns, vec!["name"]);
        assert_eq!(f.broken, vec![(3, "the ods_code column is empty".to_string())]);
        assert_eq!(f.rows.len(), 2);
        assert_eq!(f.rows[0].line, 2);
        assert_eq!(
            f.rows[0].cells,
            vec![
                ("offers_abt".into(), Ok(Answer::Codes(vec!["yes".into()]))),
                ("provider".into(), Ok(Answer::Codes(vec!["external".into(), "in_house".into()]))),
                ("staff_completed".into(), Ok(Answer::Number(120.0))),
            ]
        );
        assert_eq!(f.rows[1].line, 5);
        assert_eq!(f.rows[1].cells[1], ("staff_completed".into(), Err("\"lots\" is not a number".into())));
    }

    #[test]
    fn the_reference_wins_when_both_keys_are_there() {
        let f = parse(b"reference,ods_code,offers_abt\nABT-1,RAJ,yes\n", &book()).unwrap();
        assert_eq!(f.key, KeyColumn::Reference);
        assert_eq!(f.rows[0].key, "ABT-1");
        assert!(f.ignored_columns.is_empty());
    }

    #[test]
    fn a_first_line_that_cannot_serve_is_refused() {
        assert!(parse(b"", &book()).unwrap_err().contains("empty"));
        assert!(parse(b"name,offers_abt\n", &book()).unwrap_err().contains("reference or ods_code"));
        assert!(parse(b"ods_code,name\n", &book()).unwrap_err().contains("its questions are offers_abt"));
    }

    #[test]
    fn cells_round_trip() {
        for a in [Answer::Codes(vec!["a".into(), "b".into()]), Answer::Number(12.5), Answer::Text("x".into())]
        {
            let kind = match a {
                Answer::Codes(_) => QuestionKind::Multiple,
                Answer::Number(_) => QuestionKind::Number,
                Answer::Text(_) => QuestionKind::Text,
            };
            assert_eq!(cell_answer(kind, &cell(&a)), Ok(a));
        }
    }
}
