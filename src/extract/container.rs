//! Files that hold other files: ZIP archives and forwarded messages (`message/rfc822`). Their
//! text is the text of what they hold, each part under its name, read by the same readers, in
//! the same child process, within limits on depth, count and size that stop a zip bomb.

use std::io::{Cursor, Read};

use super::{Extracted, Format};
use crate::domain::inbound::sniff;

/// How deep archives and messages may nest: a forwarded reply with a ZIP of letters is 2.
pub(super) const MAX_DEPTH: usize = 3;
/// The most members of one archive that are read.
const MAX_MEMBERS: usize = 200;
/// The most one archive may inflate to, all members together.
const MAX_INFLATED: u64 = 256 * 1024 * 1024;

/// The text of a ZIP archive's members.
pub(super) fn zip(data: &[u8], depth: usize) -> Result<String, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(data))
        .map_err(|e| format!("the ZIP archive cannot be read ({e})"))?;
    let mut out = String::new();
    let mut inflated = 0u64;
    let total = archive.len();
    for i in 0..total.min(MAX_MEMBERS) {
        let mut entry = archive.by_index(i).map_err(|e| format!("member {} cannot be read ({e})", i + 1))?;
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().map(|n| n.to_string()).unwrap_or_else(|_| format!("member {}", i + 1));
        let room = MAX_INFLATED - inflated;
        if entry.size() > room {
            return Err(format!("the archive would inflate to more than {} MB", MAX_INFLATED / 1_000_000));
        }
        let mut bytes = Vec::new();
        // The size the archive declares may lie; the limit holds whatever it says.
        (&mut entry)
            .take(room + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("{name} cannot be inflated ({e})"))?;
        inflated += bytes.len() as u64;
        if inflated > MAX_INFLATED {
            return Err(format!("the archive inflates to more than {} MB", MAX_INFLATED / 1_000_000));
        }
        part(&mut out, &name, "application/octet-stream", &bytes, depth);
        if out.len() > super::MAX_TEXT_BYTES {
            break;
        }
    }
    if total > MAX_MEMBERS {
        out.push_str(&format!("== {} more members not read ==\n", total - MAX_MEMBERS));
    }
    Ok(out)
}

/// The text of a forwarded message: its headers that matter, its text, then its attachments.
pub(super) fn message(data: &[u8], depth: usize) -> Result<String, String> {
    let parsed = crate::mail::inbound::parse(data)
        .map_err(|e| format!("the attached message cannot be read ({e})"))?;
    let mail = &parsed.mail;
    let mut out = String::new();
    if let Some(from) = &mail.from {
        out.push_str(&format!("From: {from}\n"));
    }
    if let Some(sent) = mail.sent_at {
        out.push_str(&format!("Date: {}\n", sent.format("%Y-%m-%d %H:%M UTC")));
    }
    out.push_str(&format!("Subject: {}\n\n{}\n", mail.subject, mail.text));
    for file in &parsed.attachments {
        let name = file.filename.as_deref().unwrap_or("attachment");
        part(&mut out, name, &file.declared_type, &file.data, depth);
    }
    Ok(out)
}

/// One held file's text, under its name.
fn part(out: &mut String, name: &str, declared: &str, data: &[u8], depth: usize) {
    let content_type = sniff::content_type(data, declared);
    let read = if content_type.starts_with("text/plain") || content_type == "text/csv" {
        Some(Extracted::Text(super::utf8_or_1252(data)))
    } else {
        Format::of(&content_type).map(|format| super::read_at(format, data, depth + 1))
    };
    let name = name.replace(['\n', '\r'], " ");
    match read {
        Some(Extracted::Text(text)) => out.push_str(&format!("\n== {name} ==\n{text}\n")),
        Some(Extracted::Failed(why)) => out.push_str(&format!("\n== {name} (no text: {why}) ==\n")),
        None => out.push_str(&format!("\n== {name} ({content_type}, no text) ==\n")),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zipped(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in files {
            out.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            out.write_all(data).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn an_archive_gives_the_text_of_each_member_under_its_name() {
        let inner = zipped(&[("deep.txt", b"third level")]);
        let data = zipped(&[
            ("letter.txt", b"We do not hold it."),
            ("logo.png", b"\x89PNG\r\n\x1a\n"),
            ("inner.zip", &inner),
        ]);
        let text = zip(&data, 0).unwrap();
        assert!(text.contains("== letter.txt ==\nWe do not hold it."), "{text}");
        assert!(text.contains("== logo.png (image/png, no text) =="), "{text}");
        assert!(text.contains("== deep.txt ==\nthird level"), "{text}");
    }

    #[test]
    fn nesting_stops_at_the_depth_limit() {
        let mut data = zipped(&[("core.txt", b"core")]);
        for level in 0..MAX_DEPTH + 1 {
            data = zipped(&[(&format!("level{level}.zip"), &data)]);
        }
        let text = super::super::read_at(Format::Zip, &data, 0);
        let Extracted::Text(text) = text else { panic!("{text:?}") };
        assert!(!text.contains("core"), "{text}");
        assert!(text.contains("nested more than"), "{text}");
    }

    #[test]
    fn a_forwarded_message_gives_its_headers_text_and_attachments() {
        let raw = b"From: foi@gamma.nhs.uk\r\nSubject: Our response\r\nDate: Tue, 4 Jan 2022 10:00:00 +0000\r\n\
            MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n\
            The answer is attached.\r\n--b\r\nContent-Type: text/plain; name=answer.txt\r\n\
            Content-Disposition: attachment; filename=answer.txt\r\n\r\nNot held.\r\n--b--\r\n";
        let text = message(raw, 0).unwrap();
        assert!(
            text.starts_with("From: foi@gamma.nhs.uk\nDate: 2022-01-04 10:00 UTC\nSubject: Our response\n"),
            "{text}"
        );
        assert!(text.contains("The answer is attached."), "{text}");
        assert!(text.contains("== answer.txt ==\nNot held."), "{text}");
        assert!(message(b"\x00\x01 not mail", 0).is_err());
    }
}
