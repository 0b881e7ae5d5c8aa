//! Everything done to a message before it is stored: its hash, its parse, its attachments' types
//! and text. None of it holds a database lock, so that a batch's write transaction waits for no
//! PDF: the text is read first, by child processes, and the batch is then stored in one go.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use super::{Arrival, MAX_MESSAGE_ID};
use crate::domain::inbound::{Extraction, Mail, sniff};
use crate::extract::child::Extractor;
use crate::extract::{Extracted, Format};
use crate::mail::inbound::{self as reader, Attachment, NotAMessage, Parsed};
use crate::service::{ServiceError, ServiceResult};
use crate::store::AnyConnection;
use crate::store::inbound::{self as store, NewAttachment};
use crate::store::raw_files::RawFiles;

/// A message, read and ready to store.
pub(super) struct Read {
    pub sha: String,
    pub message_id: Option<String>,
    pub content: Result<Content, NotAMessage>,
}

pub(super) struct Content {
    pub mail: Mail,
    /// The HTML body, sanitised.
    pub html: Option<String>,
    pub files: Files,
}

/// Attachments, with their text read, unless the message is already stored: a second run over
/// the same mail files reads no PDF twice.
pub(super) enum Files {
    Read(Vec<Stored>),
    Unread(Vec<Attachment>),
}

impl Files {
    /// The attachments with their text, reading it now if that was put off (only when the copy
    /// seen stored before the lock is gone under it: rare enough to read under the lock).
    pub fn read(&self, extractor: &Extractor) -> Cow<'_, [Stored]> {
        match self {
            Files::Read(files) => Cow::Borrowed(files),
            Files::Unread(files) => Cow::Owned(read_all(files.clone(), extractor)),
        }
    }
}

/// What one message's attachments may cost together: a message of a thousand tiny documents,
/// each within its own limits, must not cost the service gigabytes or an hour.
const MAX_READ_FILES: usize = 50;
const MAX_MESSAGE_TEXT_BYTES: usize = 32 * 1024 * 1024;
const MAX_MESSAGE_SECONDS: u64 = 180;

fn read_all(files: Vec<Attachment>, extractor: &Extractor) -> Vec<Stored> {
    let started = std::time::Instant::now();
    let (mut read, mut text_bytes) = (0, 0);
    files
        .into_iter()
        .map(|file| {
            let spent = if read >= MAX_READ_FILES {
                Some(format!("not read: only the first {MAX_READ_FILES} attachments of a message are read"))
            } else if text_bytes >= MAX_MESSAGE_TEXT_BYTES {
                Some(format!(
                    "not read: the message's other attachments gave {} MB of text already",
                    MAX_MESSAGE_TEXT_BYTES / (1024 * 1024)
                ))
            } else if started.elapsed().as_secs() >= MAX_MESSAGE_SECONDS {
                Some(format!(
                    "not read: the message's other attachments took {MAX_MESSAGE_SECONDS} seconds already"
                ))
            } else {
                None
            };
            let stored = Stored::read(file, extractor, spent);
            if stored.needed_a_child {
                read += 1;
            }
            text_bytes += stored.text.as_ref().map_or(0, String::len);
            stored
        })
        .collect()
}

/// Reads `arrival`, looking through `conn` (outside any transaction) for a copy already stored.
/// Reads a message, and keeps its raw bytes in `raw_files` if set: before the database row that
/// will point to them.
pub(super) fn read(
    conn: &mut AnyConnection,
    extractor: &Extractor,
    raw_files: Option<&RawFiles>,
    arrival: Arrival,
) -> ServiceResult<Read> {
    let sha = hex::encode(Sha256::digest(arrival.raw));
    if let Some(files) = raw_files {
        // The path is for the log, not for whoever delivered the message.
        files.put(&sha, arrival.raw).map_err(|e| {
            ServiceError::unavailable(
                "The message could not be kept in the raw message directory, so nothing was stored; \
                 it can be delivered again once the directory can be written.",
                Some(e.into()),
            )
        })?;
    }
    let parsed = reader::parse(arrival.raw);
    let message_id = parsed
        .as_ref()
        .ok()
        .and_then(|p| p.mail.message_id.clone())
        .filter(|id| id.len() <= MAX_MESSAGE_ID && !id.contains('\0'));
    let content = match parsed {
        Err(why) => Err(why),
        Ok(Parsed { mail, html, attachments }) => {
            let needs_a_child = attachments.iter().any(|a| Format::of(&Stored::type_of(a)).is_some());
            let known = needs_a_child && store::existing(conn, &sha, message_id.as_deref())?.is_some();
            let files = if known {
                Files::Unread(attachments)
            } else {
                Files::Read(read_all(attachments, extractor))
            };
            Ok(Content { mail, html, files })
        }
    };
    Ok(Read { sha, message_id, content })
}

/// An attachment with what was worked out about it before storing.
#[derive(Clone)]
pub(super) struct Stored {
    file: Attachment,
    sha256: String,
    content_type: String,
    extraction: Extraction,
    error: Option<String>,
    text: Option<String>,
    /// Its text was read (or would have been) by a child process.
    needed_a_child: bool,
}

impl Stored {
    fn type_of(file: &Attachment) -> String {
        sniff::content_type(&file.data, &file.declared_type)
    }

    /// The file with its text read, unless the message's budget is `spent` (the reason).
    fn read(file: Attachment, extractor: &Extractor, spent: Option<String>) -> Self {
        let content_type = Self::type_of(&file);
        let format = Format::of(&content_type);
        let (extraction, text, error) =
            if content_type.starts_with("text/plain") || content_type == "text/csv" {
                // Plain text needs no parser that a hostile file could upset.
                let mut text = clean(&crate::extract::utf8_or_1252(&file.data));
                text.truncate(text.floor_char_boundary(crate::extract::MAX_TEXT_BYTES));
                (Extraction::Ok, Some(text), None)
            } else if let (Some(_), Some(why)) = (format, &spent) {
                (Extraction::Failed, None, Some(why.clone()))
            } else if let Some(format) = format {
                match extractor.extract(format, &file.data) {
                    Extracted::Text(text) => (Extraction::Ok, Some(clean(&text)), None),
                    Extracted::Failed(why) => (Extraction::Failed, None, Some(why)),
                }
            } else {
                (Extraction::Unsupported, None, None)
            };
        let sha256 = hex::encode(Sha256::digest(&file.data));
        Self { file, sha256, content_type, extraction, error, text, needed_a_child: format.is_some() }
    }

    pub fn row(&self, inbound_id: i64, position: i32) -> NewAttachment<'_> {
        NewAttachment {
            inbound_id,
            position,
            filename: self.file.filename.as_deref(),
            declared_type: &self.file.declared_type,
            content_type: &self.content_type,
            size: self.file.data.len() as i64,
            sha256: &self.sha256,
            data: &self.file.data,
            extraction: self.extraction,
            extraction_error: self.error.as_deref(),
            extracted_text: self.text.as_deref(),
        }
    }

    pub fn report(&self) -> super::IngestedAttachment {
        super::IngestedAttachment {
            filename: self.file.filename.clone(),
            content_type: self.content_type.clone(),
            text_chars: self.text.as_ref().map_or(0, |t| t.chars().count()),
            extraction: self.extraction,
            extraction_error: self.error.clone(),
        }
    }
}

/// An attachment's text as PostgreSQL can store it (no NUL characters) and search can show
/// it (none of the characters that mark a match in a snippet).
fn clean(text: &str) -> String {
    crate::domain::search::unmarked(&text.replace('\0', "")).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::child::Limits;

    #[test]
    fn a_message_reads_at_most_fifty_attachments() {
        // A program that does not exist: each read fails at once, which is all this needs.
        let extractor = Extractor::new("/nonexistent/foitrack".into(), Limits::default());
        let pdf = |n: usize| Attachment {
            filename: Some(format!("{n}.pdf")),
            declared_type: "application/pdf".into(),
            data: b"%PDF-1.4".to_vec(),
        };
        let mut files: Vec<Attachment> = (0..60).map(pdf).collect();
        files.push(Attachment {
            filename: None,
            declared_type: "text/plain".into(),
            data: b"still read".to_vec(),
        });
        let stored = read_all(files, &extractor);
        assert!(
            stored[..50].iter().all(|s| s.error.as_deref().is_some_and(|e| e.contains("could not be run")))
        );
        assert!(
            stored[50..60]
                .iter()
                .all(|s| s.error.as_deref().is_some_and(|e| e.contains("only the first 50")))
        );
        assert_eq!(stored[60].text.as_deref(), Some("still read"), "plain text costs no child");
    }
}
