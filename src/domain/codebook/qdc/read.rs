//! Reading a `.qdc` document's tree of codes, refusing what a codebook has no use for.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{MAX_CODES, MAX_DEPTH};
use crate::domain::codebook::Problem;

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

/// What an open element is to the reader.
#[derive(PartialEq)]
enum Frame {
    /// `CodeBook/Codes`, whose `Code` children are the top-level codes.
    Codes,
    /// A code being read (the innermost of `open`).
    Code,
    /// The description of the code it is in.
    Description,
    /// Anything else: read past, with whatever it holds.
    Other,
}

/// Reads a `.qdc` document's tree of codes. Any namespace (or none) is accepted; the document
/// must have a `CodeBook` root with a `Codes` element, and every code a name. Elements the
/// standard does not put where they are are read past, codes inside them too.
pub fn read_qdc(xml: &str) -> Result<QdcFile, Problem> {
    let broken = |at: u64, e: &dyn std::fmt::Display| {
        Problem::new("", format!("is not a REFI-QDA codebook: its XML is broken at byte {at} ({e})"))
    };
    let mut reader = Reader::from_str(xml);
    let mut file = QdcFile::default();
    // The open elements, outermost first, and the codes being read, innermost last.
    let mut frames: Vec<Frame> = Vec::new();
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
                if frames.is_empty() {
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
                if frames.len() >= MAX_DEPTH {
                    return Err(Problem::new("", format!("nests codes more than {MAX_DEPTH} deep")));
                }
                let frame = match (frames.last(), name.as_str()) {
                    (Some(Frame::Codes | Frame::Code), "Code") => {
                        count += 1;
                        if count > MAX_CODES {
                            return Err(Problem::new("", format!("holds more than {MAX_CODES} codes")));
                        }
                        let code = code_of(e, count)?;
                        if empty {
                            attach(&mut file, &mut open, code);
                        } else {
                            open.push(code);
                        }
                        Frame::Code
                    }
                    (Some(Frame::Code), "Description") if description.is_none() => {
                        description = Some(String::new());
                        Frame::Description
                    }
                    (Some(Frame::Other), "Codes") if frames.len() == 1 => Frame::Codes,
                    (Some(Frame::Other), "Set") if frames.len() == 2 => {
                        file.sets += 1;
                        Frame::Other
                    }
                    _ => Frame::Other,
                };
                if empty {
                    if frame == Frame::Description {
                        description = None;
                    }
                } else {
                    frames.push(frame);
                }
            }
            Event::End(_) => match frames.pop() {
                Some(Frame::Description) => {
                    if let (Some(text), Some(code)) = (description.take(), open.last_mut()) {
                        code.description = text;
                    }
                }
                Some(Frame::Code) => {
                    if let Some(code) = open.pop() {
                        attach(&mut file, &mut open, code);
                    }
                }
                _ => {}
            },
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
    if !frames.is_empty() {
        return Err(Problem::new("", "is not a REFI-QDA codebook: it ends before its elements are closed"));
    }
    if file.codes.is_empty() {
        return Err(Problem::new("", "holds no codes"));
    }
    Ok(file)
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
