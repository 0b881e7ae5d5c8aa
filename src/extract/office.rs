//! Word (DOCX) and OpenDocument (ODT) letters: ZIP archives whose text is in one XML part each.
//! Only the words are kept: a paragraph a line, tabs and breaks where the author put them.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

/// The most a document's XML may inflate to: far above any letter, far below a zip bomb.
const MAX_XML_BYTES: u64 = 64 * 1024 * 1024;

/// What an element means for the text, by its local name.
struct Vocabulary {
    /// Holds text to keep.
    text: &'static [&'static str],
    /// Ends a line when it ends.
    paragraph: &'static [&'static str],
    tab: &'static [&'static str],
    line_break: &'static [&'static str],
    /// One or more spaces (ODT's `text:s`, with a count in `text:c`).
    spaces: &'static [&'static str],
    /// A table's cells and rows: a row becomes a line, its cells apart by tabs.
    cell: &'static str,
    row: &'static str,
    /// Where tabs and breaks are the text's (Word's runs), rather than a paragraph's settings
    /// (its tab stops are `w:tab` too); `None` where they are always the text's.
    run: Option<&'static str>,
}

const WORD: Vocabulary = Vocabulary {
    text: &["t"],
    paragraph: &["p"],
    tab: &["tab"],
    line_break: &["br", "cr"],
    spaces: &[],
    cell: "tc",
    row: "tr",
    run: Some("r"),
};

const OPEN_DOCUMENT: Vocabulary = Vocabulary {
    // ODT keeps text directly in paragraphs, headings and spans.
    text: &["p", "h", "span", "a"],
    paragraph: &["p", "h"],
    tab: &["tab"],
    line_break: &["line-break"],
    spaces: &["s"],
    cell: "table-cell",
    row: "table-row",
    run: None,
};

pub(super) fn docx(data: &[u8]) -> Result<String, String> {
    let mut archive = open(data, "Word document")?;
    let mut text = words(&part(&mut archive, "word/document.xml")?, &WORD)?;
    // Footnotes and endnotes often hold the exemption a refusal cites.
    for extra in ["word/footnotes.xml", "word/endnotes.xml"] {
        if let Ok(xml) = part(&mut archive, extra) {
            text.push('\n');
            text.push_str(&words(&xml, &WORD)?);
        }
    }
    Ok(text)
}

pub(super) fn odt(data: &[u8]) -> Result<String, String> {
    let mut archive = open(data, "OpenDocument text")?;
    words(&part(&mut archive, "content.xml")?, &OPEN_DOCUMENT)
}

type Archive<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

fn open<'a>(data: &'a [u8], what: &str) -> Result<Archive<'a>, String> {
    zip::ZipArchive::new(Cursor::new(data))
        .map_err(|e| format!("the {what} is not a readable ZIP archive ({e})"))
}

fn part(archive: &mut Archive, name: &str) -> Result<String, String> {
    let entry = archive.by_name(name).map_err(|e| format!("it has no {name} ({e})"))?;
    if entry.size() > MAX_XML_BYTES {
        return Err(format!(
            "its {name} would inflate to {} MB, more than the {} MB allowed",
            entry.size() / 1_000_000,
            MAX_XML_BYTES / 1_000_000
        ));
    }
    let mut bytes = Vec::new();
    // The size in the archive's directory may lie; the limit holds whatever it says.
    entry
        .take(MAX_XML_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("its {name} could not be inflated ({e})"))?;
    if bytes.len() as u64 > MAX_XML_BYTES {
        return Err(format!("its {name} inflates to more than {} MB", MAX_XML_BYTES / 1_000_000));
    }
    Ok(super::utf8_or_1252(&bytes))
}

fn words(xml: &str, vocabulary: &Vocabulary) -> Result<String, String> {
    let mut reader = Reader::from_str(xml);
    let mut out = String::new();
    // How deep inside text-holding elements we are; text elsewhere (field codes, styles) is not
    // the letter's.
    let mut inside = 0usize;
    let mut in_run = 0usize;
    let is = |list: &[&str], name: &str| list.contains(&name);
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("its XML is broken at byte {} ({e})", reader.buffer_position()))?;
        match event {
            Event::Start(e) => {
                let name = e.local_name();
                if is(vocabulary.text, name.as_ref()) {
                    inside += 1;
                }
                if vocabulary.run == Some(name.as_ref()) {
                    in_run += 1;
                }
                if vocabulary.run.is_none() || in_run > 0 {
                    blank(&mut out, vocabulary, name.as_ref(), &e);
                }
            }
            Event::Empty(e) if vocabulary.run.is_none() || in_run > 0 => {
                blank(&mut out, vocabulary, e.local_name().as_ref(), &e)
            }
            Event::End(e) => {
                let name = e.local_name();
                if is(vocabulary.text, name.as_ref()) {
                    inside = inside.saturating_sub(1);
                }
                if vocabulary.run == Some(name.as_ref()) {
                    in_run = in_run.saturating_sub(1);
                }
                if is(vocabulary.paragraph, name.as_ref()) {
                    out.push('\n');
                } else if name.as_ref() == vocabulary.cell {
                    if out.ends_with('\n') {
                        out.pop();
                    }
                    out.push('\t');
                } else if name.as_ref() == vocabulary.row {
                    if out.ends_with('\t') {
                        out.pop();
                    }
                    out.push('\n');
                }
            }
            Event::Text(t) if inside > 0 => out.push_str(&t.xml10_content()),
            Event::CData(t) if inside > 0 => out.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if inside > 0 => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    out.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r.xml10_content()) {
                    out.push_str(s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        if out.len() > super::MAX_TEXT_BYTES {
            break;
        }
    }
    Ok(out)
}

/// Tabs, line breaks and runs of spaces, which are elements rather than text.
fn blank(out: &mut String, vocabulary: &Vocabulary, name: &str, e: &quick_xml::events::BytesStart) {
    let is = |list: &[&str]| list.contains(&name);
    if is(vocabulary.tab) {
        out.push('\t');
    } else if is(vocabulary.line_break) {
        out.push('\n');
    } else if is(vocabulary.spaces) {
        let count = e
            .attributes()
            .flatten()
            .find(|a| a.key.local_name().as_ref() == "c")
            .and_then(|a| a.value.trim().parse::<usize>().ok())
            .unwrap_or(1);
        out.extend(std::iter::repeat_n(' ', count.min(1_000)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_text_keeps_paragraphs_tabs_and_entities() {
        let xml = r#"<w:document xmlns:w="x"><w:body>
            <w:p><w:r><w:t>We do not hold</w:t></w:r><w:r><w:t xml:space="preserve"> this &amp; that</w:t></w:r></w:p>
            <w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:instrText>PAGE</w:instrText><w:t>Section</w:t><w:tab/><w:t>12&#x2019;s</w:t><w:br/><w:t>end</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>Year</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Staff</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:p><w:r><w:t>2021</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>412</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            </w:body></w:document>"#;
        assert_eq!(
            words(xml, &WORD).unwrap(),
            "We do not hold this & that\nSection\t12\u{2019}s\nend\nYear\tStaff\n2021\t412\n"
        );
    }

    #[test]
    fn open_document_text_counts_its_spaces() {
        let xml = r#"<office:document-content xmlns:office="o" xmlns:text="t"><office:body><office:text>
            <text:h>Our ref</text:h><text:p>FOI<text:s text:c="3"/>056<text:span> (2022)</text:span></text:p>
            </office:text></office:body></office:document-content>"#;
        assert_eq!(words(xml, &OPEN_DOCUMENT).unwrap(), "Our ref\nFOI   056 (2022)\n");
    }

    #[test]
    fn broken_xml_and_archives_are_reasons_not_panics() {
        assert!(words("<w:p><w:t>a</w:p>", &WORD).unwrap_err().contains("XML is broken"));
        assert!(docx(b"PK\x03\x04 not really").unwrap_err().contains("not a readable ZIP archive"));
    }
}
