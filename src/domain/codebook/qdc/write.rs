//! Writing a codebook as a `.qdc` document.

use std::fmt::Write as _;

use quick_xml::escape::escape;

use super::{NAMESPACE, guid};
use crate::domain::codebook::{Code, Codebook, QuestionKind, YES_NO_UNCLEAR};

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
