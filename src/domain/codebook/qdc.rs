//! REFI-QDA codebook exchange (`.qdc`, namespace `urn:QDA-XML:codebook:1.0`): how NVivo,
//! ATLAS.ti, MAXQDA and QualCoder users carry a codebook across.
//!
//! A `.qdc` is a tree of codes and nothing else: no questions, types, conditions or rules. So a
//! question is written as a top-level code with its codes beneath it (a choice question is not
//! itself codable; a number or text question is), and every code has a GUID made from the
//! codebook's, question's and code's keys. The same code has the same GUID in every export, and
//! an import into a codebook the workspace already has recognises its questions and codes by
//! those GUIDs: it keeps their keys, types, conditions and rules, and takes the file's names,
//! descriptions, colours and any codes added elsewhere.

use std::collections::HashMap;
use std::fmt::Write as _;

use quick_xml::Reader;
use quick_xml::escape::escape;
use quick_xml::events::{BytesStart, Event};
use sha2::{Digest, Sha256};

use super::{Code, Codebook, Problem, Question, QuestionKind, YES_NO_UNCLEAR};

/// The namespace written; any namespace is accepted on import, since tools write `1.0`, `1:0`
/// or `0:4`.
pub const NAMESPACE: &str = "urn:QDA-XML:codebook:1.0";

/// Deeper nesting than this is refused: no codebook is a hundred levels deep, and a hostile file
/// must not make the reader recurse without end.
const MAX_DEPTH: usize = 64;
/// The most codes a file may hold.
const MAX_CODES: usize = 10_000;

/// The stable GUID of a question (`code` empty) or of one of its codes: a name-based UUID
/// (version 8, SHA-256) of the keys, written in capitals as the REFI-QDA examples are.
pub fn guid(codebook: &str, question: &str, code: &str) -> String {
    let digest = Sha256::digest(format!("foitrack qdc\0{codebook}\0{question}\0{code}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode_upper(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// The codebook as a `.qdc` document; `origin` names the program that wrote it.
pub fn to_qdc(book: &Codebook, origin: &str) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    let _ = writeln!(out, "<CodeBook xmlns=\"{NAMESPACE}\" origin=\"{}\">", escape(origin));
    out.push_str("  <Codes>\n");
    for q in &book.questions {
        let codes: Vec<Code> = if q.kind == QuestionKind::YesNoUnclear {
            YES_NO_UNCLEAR
                .iter()
                .map(|k| Code {
                    key: k.to_string(),
                    label: capitalised(k),
                    description: String::new(),
                    colour: None,
                    parent: None,
                    replaces: Vec::new(),
                })
                .collect()
        } else {
            q.codes.clone()
        };
        let codable = !q.kind.has_codes();
        open_code(&mut out, 2, &guid(&book.key, &q.key, ""), &q.label, codable, None, &q.description);
        write_children(&mut out, 3, &book.key, &q.key, &codes, None);
        let _ = writeln!(out, "{}</Code>", indent(2));
    }
    out.push_str("  </Codes>\n</CodeBook>\n");
    out
}

fn write_children(
    out: &mut String,
    depth: usize,
    book: &str,
    question: &str,
    codes: &[Code],
    parent: Option<&str>,
) {
    for c in codes.iter().filter(|c| c.parent.as_deref() == parent) {
        open_code(
            out,
            depth,
            &guid(book, question, &c.key),
            &c.label,
            true,
            c.colour.as_deref(),
            &c.description,
        );
        write_children(out, depth + 1, book, question, codes, Some(&c.key));
        let _ = writeln!(out, "{}</Code>", indent(depth));
    }
}

fn open_code(
    out: &mut String,
    depth: usize,
    guid: &str,
    name: &str,
    codable: bool,
    colour: Option<&str>,
    description: &str,
) {
    let _ =
        write!(out, "{}<Code guid=\"{guid}\" name=\"{}\" isCodable=\"{codable}\"", indent(depth), attr(name));
    if let Some(c) = colour {
        let _ = write!(out, " color=\"{}\"", escape(c));
    }
    out.push_str(">\n");
    if !description.is_empty() {
        let _ = writeln!(out, "{}<Description>{}</Description>", indent(depth + 1), escape(description));
    }
}

/// An attribute value whose line breaks and tabs survive a reader's normalisation.
fn attr(text: &str) -> String {
    escape(text).replace('\n', "&#10;").replace('\r', "&#13;").replace('\t', "&#9;")
}

fn indent(depth: usize) -> String {
    "  ".repeat(depth)
}

fn capitalised(word: &str) -> String {
    let mut c = word.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// One code as read from a file, with the codes beneath it.
#[derive(Debug, Clone, PartialEq)]
pub struct QdcCode {
    pub guid: String,
    pub name: String,
    pub codable: bool,
    pub colour: Option<String>,
    pub description: String,
    pub children: Vec<QdcCode>,
}

/// A file's codes, and how many code sets it had (foitrack has none, so they are left out).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QdcFile {
    pub codes: Vec<QdcCode>,
    pub sets: usize,
}

/// Reads a `.qdc` document's tree of codes. Any namespace (or none) is accepted; the document
/// must have a `CodeBook` root with a `Codes` element, and every code a name.
pub fn read_qdc(xml: &str) -> Result<QdcFile, Problem> {
    let broken = |at: u64, e: &dyn std::fmt::Display| {
        Problem::new("", format!("is not a REFI-QDA codebook: its XML is broken at byte {at} ({e})"))
    };
    let mut reader = Reader::from_str(xml);
    let mut file = QdcFile::default();
    // Open elements by local name, and the codes being read, innermost last.
    let mut path: Vec<String> = Vec::new();
    let mut open: Vec<QdcCode> = Vec::new();
    let mut description: Option<String> = None;
    let mut count = 0usize;
    let mut saw_root = false;
    loop {
        let event = reader.read_event().map_err(|e| broken(reader.buffer_position(), &e))?;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = e.local_name().into_inner().to_string();
                if path.is_empty() {
                    if saw_root {
                        return Err(Problem::new(
                            "",
                            "is not a REFI-QDA codebook: it has more than one root element",
                        ));
                    }
                    if name != "CodeBook" {
                        return Err(Problem::new(
                            "",
                            format!("is not a REFI-QDA codebook: its root element is {name}, not CodeBook"),
                        ));
                    }
                    saw_root = true;
                }
                if path.len() >= MAX_DEPTH {
                    return Err(Problem::new("", format!("nests codes more than {MAX_DEPTH} deep")));
                }
                let parent = path.last().map(String::as_str);
                match (parent, name.as_str()) {
                    (Some("Codes" | "Code"), "Code") if in_codes(&path) => {
                        count += 1;
                        if count > MAX_CODES {
                            return Err(Problem::new("", format!("holds more than {MAX_CODES} codes")));
                        }
                        let code = code_of(e, count)?;
                        if empty { attach(&mut file, &mut open, code) } else { open.push(code) }
                    }
                    (Some("Sets"), "Set") => file.sets += 1,
                    (Some("Code"), "Description") if in_codes(&path) && !empty => {
                        description = Some(String::new())
                    }
                    _ => {}
                }
                if !empty {
                    path.push(name);
                }
            }
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                if name == "Description" {
                    if let (Some(text), Some(code)) = (description.take(), open.last_mut()) {
                        code.description = text.trim().to_string();
                    }
                } else if name == "Code"
                    && in_codes(&path)
                    && let Some(code) = open.pop()
                {
                    attach(&mut file, &mut open, code);
                }
            }
            Event::Text(t) => {
                if let Some(d) = description.as_mut() {
                    d.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(d) = description.as_mut() {
                    d.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let Some(d) = description.as_mut() else { continue };
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    d.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r.xml10_content()) {
                    d.push_str(s);
                } else {
                    // Entities a DTD would declare are not expanded: a codebook needs none, and
                    // expanding them is how a hostile file grows without end.
                    return Err(Problem::new(
                        "",
                        format!("uses the entity &{}; which a codebook has no use for", r.xml10_content()),
                    ));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(Problem::new("", "is not a REFI-QDA codebook: it holds no XML elements"));
    }
    if !path.is_empty() {
        return Err(Problem::new("", "is not a REFI-QDA codebook: it ends before its elements are closed"));
    }
    if file.codes.is_empty() {
        return Err(Problem::new("", "holds no codes"));
    }
    Ok(file)
}

/// Whether the element path is inside `CodeBook/Codes`.
fn in_codes(path: &[String]) -> bool {
    path.len() >= 2 && path[0] == "CodeBook" && path[1] == "Codes"
}

fn attach(file: &mut QdcFile, open: &mut [QdcCode], code: QdcCode) {
    match open.last_mut() {
        Some(parent) => parent.children.push(code),
        None => file.codes.push(code),
    }
}

fn code_of(e: &BytesStart, number: usize) -> Result<QdcCode, Problem> {
    let at = format!("code {number}");
    let mut code = QdcCode {
        guid: String::new(),
        name: String::new(),
        codable: true,
        colour: None,
        description: String::new(),
        children: Vec::new(),
    };
    for a in e.attributes() {
        let a = a.map_err(|err| Problem::new(at.clone(), format!("has a broken attribute ({err})")))?;
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| Problem::new(at.clone(), format!("has an attribute that cannot be read ({err})")))?
            .into_owned();
        match a.key.local_name().into_inner() {
            "guid" => code.guid = value.trim().trim_matches(['{', '}']).to_ascii_uppercase(),
            "name" => code.name = value.trim().to_string(),
            "isCodable" => code.codable = !matches!(value.trim(), "false" | "0"),
            "color" => code.colour = colour(&value),
            _ => {}
        }
    }
    if code.name.is_empty() {
        return Err(Problem::new(at, "has no name"));
    }
    Ok(code)
}

/// `#rgb` or `#rrggbb` as `#rrggbb`; anything else is dropped (a colour is only a highlight).
fn colour(value: &str) -> Option<String> {
    let hex = value.trim().strip_prefix('#')?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    match hex.len() {
        6 => Some(format!("#{}", hex.to_ascii_lowercase())),
        3 => Some(format!("#{}", hex.chars().flat_map(|c| [c, c]).collect::<String>().to_ascii_lowercase())),
        _ => None,
    }
}

/// What an import did besides reading codes, for the researcher to check.
pub type Notes = Vec<String>;

/// Turns a file's codes into a codebook called `key`, titled `title`. With `earlier` (the
/// workspace's newest version of `key`), questions and codes whose GUIDs it gave keep their keys,
/// types, conditions and rules. Other top-level codes with codes beneath them become new
/// multiple-choice questions; top-level codes with nothing beneath become the codes of one
/// multiple-choice question, `codes` (or, when there is only one, a yes / no / unclear question).
/// The result is then checked like any codebook.
pub fn codebook_from_qdc(
    file: &QdcFile,
    key: &str,
    title: &str,
    earlier: Option<&Codebook>,
) -> Result<(Codebook, Notes), Vec<Problem>> {
    let mut notes = Notes::new();
    if file.sets > 0 {
        notes.push(format!("{} code set(s) left out: foitrack codebooks have no sets", file.sets));
    }
    let known = earlier.map(Known::of).unwrap_or_default();
    let mut questions: Vec<Question> = Vec::new();
    let mut loose: Vec<&QdcCode> = Vec::new();
    for top in &file.codes {
        if let Some(q) = known.questions.get(&top.guid).and_then(|k| earlier?.question(k)) {
            questions.push(matched_question(q, top, &known, &mut notes));
        } else if top.children.is_empty() {
            loose.push(top);
        } else {
            let taken: Vec<&str> = questions.iter().map(|q| q.key.as_str()).collect();
            let key = unique(key_from_name(&top.name), &taken);
            let mut codes = Vec::new();
            flatten(&top.children, None, &HashMap::new(), &mut codes);
            notes.push(format!("\"{}\" became the multiple-choice question {key}", top.name));
            questions.push(Question {
                key,
                label: top.name.clone(),
                description: top.description.clone(),
                kind: QuestionKind::Multiple,
                codes,
                applies_when: None,
                rules: Vec::new(),
            });
        }
    }
    if let [only] = loose.as_slice() {
        // One code alone is a question of whether it applies.
        let taken: Vec<&str> = questions.iter().map(|q| q.key.as_str()).collect();
        let key = unique(key_from_name(&only.name), &taken);
        notes.push(format!("\"{}\" became the yes / no / unclear question {key}", only.name));
        questions.push(Question {
            key,
            label: only.name.clone(),
            description: only.description.clone(),
            kind: QuestionKind::YesNoUnclear,
            codes: Vec::new(),
            applies_when: None,
            rules: Vec::new(),
        });
    } else if !loose.is_empty() {
        let taken: Vec<&str> = questions.iter().map(|q| q.key.as_str()).collect();
        let key = unique("codes".into(), &taken);
        let mut codes = Vec::new();
        let owned: Vec<QdcCode> = loose.into_iter().cloned().collect();
        flatten(&owned, None, &HashMap::new(), &mut codes);
        notes.push(format!(
            "{} top-level code(s) became the codes of the multiple-choice question {key}",
            codes.len()
        ));
        questions.push(Question {
            key,
            label: "Codes".into(),
            description: String::new(),
            kind: QuestionKind::Multiple,
            codes,
            applies_when: None,
            rules: Vec::new(),
        });
    }
    if let Some(book) = earlier {
        for q in book.questions.iter().filter(|q| !questions.iter().any(|n| n.key == q.key)) {
            notes.push(format!("question {} is not in the file, so it is left out", q.key));
        }
    }
    let book = Codebook {
        key: key.to_string(),
        title: title.to_string(),
        description: earlier.map(|b| b.description.clone()).unwrap_or_default(),
        questions,
    };
    book.check()?;
    Ok((book, notes))
}

/// The questions and codes of an earlier version, by GUID.
#[derive(Default)]
struct Known {
    questions: HashMap<String, String>,
    /// Question key → (GUID → code).
    codes: HashMap<String, HashMap<String, Code>>,
}

impl Known {
    fn of(book: &Codebook) -> Self {
        let mut known = Known::default();
        for q in &book.questions {
            known.questions.insert(guid(&book.key, &q.key, ""), q.key.clone());
            let codes = known.codes.entry(q.key.clone()).or_default();
            for c in &q.codes {
                codes.insert(guid(&book.key, &q.key, &c.key), c.clone());
            }
        }
        known
    }
}

fn matched_question(q: &Question, top: &QdcCode, known: &Known, notes: &mut Notes) -> Question {
    let mut question = q.clone();
    question.label = top.name.clone();
    question.description = top.description.clone();
    match q.kind {
        QuestionKind::Single | QuestionKind::Multiple => {
            let empty = HashMap::new();
            let mut codes = Vec::new();
            flatten(&top.children, None, known.codes.get(&q.key).unwrap_or(&empty), &mut codes);
            for gone in q.codes.iter().filter(|c| !codes.iter().any(|n| n.key == c.key)) {
                notes.push(format!("code {}.{} is not in the file, so it is left out", q.key, gone.key));
            }
            for added in codes.iter().filter(|c| !q.codes.iter().any(|o| o.key == c.key)) {
                notes.push(format!("code {}.{} is new", q.key, added.key));
            }
            question.codes = codes;
        }
        _ if !top.children.is_empty() => notes.push(format!(
            "the codes beneath {} are left out: its answers are {}",
            q.key,
            match q.kind {
                QuestionKind::Number => "numbers",
                QuestionKind::Text => "text",
                _ => "yes, no or unclear",
            }
        )),
        _ => {}
    }
    question
}

/// Codes in the order read, each after its parent. A code whose GUID `known` gives keeps its key
/// and what it replaces.
fn flatten(codes: &[QdcCode], parent: Option<&str>, known: &HashMap<String, Code>, out: &mut Vec<Code>) {
    for c in codes {
        let taken: Vec<&str> = out.iter().map(|o| o.key.as_str()).collect();
        let earlier = known.get(&c.guid).filter(|k| !taken.contains(&k.key.as_str()));
        let key = earlier.map_or_else(|| unique(key_from_name(&c.name), &taken), |k| k.key.clone());
        out.push(Code {
            key: key.clone(),
            label: c.name.clone(),
            description: c.description.clone(),
            colour: c.colour.clone(),
            parent: parent.map(String::from),
            replaces: earlier.map(|k| k.replaces.clone()).unwrap_or_default(),
        });
        flatten(&c.children, Some(&key), known, out);
    }
}

/// A key made from a name (a code's, or a file's): lower-case ASCII letters and digits joined by `_`, starting with a letter,
/// at most 32 characters, and not a word R, Stata or SPSS reserve.
pub fn key_from_name(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.ends_with('_') && !s.is_empty() {
            s.push('_');
        }
    }
    let mut s = s.trim_end_matches('_').to_string();
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        s.insert_str(0, "c_");
    }
    s.truncate(28);
    let s = s.trim_end_matches('_').to_string();
    if super::check::RESERVED.contains(&s.as_str()) { format!("{s}_c") } else { s }
}

/// `key`, or `key_2`, `key_3`… when it is taken.
fn unique(key: String, taken: &[&str]) -> String {
    if !taken.contains(&key.as_str()) {
        return key;
    }
    (2..).map(|n| format!("{key}_{n}")).find(|k| !taken.contains(&k.as_str())).unwrap_or(key)
}

#[cfg(test)]
#[path = "qdc_tests.rs"]
mod tests;
