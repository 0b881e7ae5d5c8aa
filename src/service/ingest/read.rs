//! Everything done to a message before it is stored: its hash, its parse, its attachments' types
//! and text. None of it holds a database lock, so that a batch's write transaction waits for no
//! PDF: the text is read first, by child processes, and the batch is then stored in one go.

use sha2::{Digest, Sha256};

use super::{Arrival, MAX_MESSAGE_ID};
use crate::domain::inbound::{Extraction, Mail, sniff};
use crate::extract::child::Extractor;
use crate::extract::{Extracted, Format};
use crate::mail::inbound::{self as reader, Attachment, NotAMessage, Parsed};
use crate::service::ServiceResult;
use crate::store::AnyConnection;
use crate::store::inbound::{self as store, NewAttachment};

/// A message, read and ready to store.
pub(super) struct Read {
    pub sha: String,
    pub message_id: Option<String>,
    pub content: Result<Content, NotAMessage>,
}

pub(super) struct Content {
    pub mail: Mail,
    pub files: Files,
}

/// Attachments, with their text read, unless the message is already stored: a second run over
/// the same mail files reads no PDF twice.
pub(super) enum Files {
    Read(Vec<Stored>),
    Unread(Vec<Attachment>),
}

impl Files {
    /// The attachments with their text, reading it now if that was put off.
    pub fn into_read(self, extractor: &Extractor) -> Vec<Stored> {
        match self {
            Files::Read(files) => files,
            Files::Unread(files) => files.into_iter().map(|f| Stored::read(f, extractor)).collect(),
        }
    }
}

/// Reads `arrival`, looking through `conn` (outside any transaction) for a copy already stored.
pub(super) fn read(conn: &mut AnyConnection, extractor: &Extractor, arrival: Arrival) -> ServiceResult<Read> {
    let sha = hex::encode(Sha256::digest(arrival.raw));
    let parsed = reader::parse(arrival.raw);
    let message_id = parsed
        .as_ref()
        .ok()
        .and_then(|p| p.mail.message_id.clone())
        .filter(|id| id.len() <= MAX_MESSAGE_ID && !id.contains('\0'));
    let content = match parsed {
        Err(why) => Err(why),
        Ok(Parsed { mail, attachments }) => {
            let needs_a_child = attachments.iter().any(|a| Format::of(&Stored::type_of(a)).is_some());
            let known = needs_a_child && store::existing(conn, &sha, message_id.as_deref())?.is_some();
            let files = if known {
                Files::Unread(attachments)
            } else {
                Files::Read(attachments.into_iter().map(|f| Stored::read(f, extractor)).collect())
            };
            Ok(Content { mail, files })
        }
    };
    Ok(Read { sha, message_id, content })
}

/// An attachment with what was worked out about it before storing.
pub(super) struct Stored {
    file: Attachment,
    sha256: String,
    content_type: String,
    extraction: Extraction,
    error: Option<String>,
    text: Option<String>,
}

impl Stored {
    fn type_of(file: &Attachment) -> String {
        sniff::content_type(&file.data, &file.declared_type)
    }

    fn read(file: Attachment, extractor: &Extractor) -> Self {
        let content_type = Self::type_of(&file);
        let (extraction, text, error) =
            if content_type.starts_with("text/plain") || content_type == "text/csv" {
                // Plain text needs no parser that a hostile file could upset.
                (Extraction::Ok, Some(clean(&decode_text(&file.data))), None)
            } else if let Some(format) = Format::of(&content_type) {
                match extractor.extract(format, &file.data) {
                    Extracted::Text(text) => (Extraction::Ok, Some(clean(&text)), None),
                    Extracted::Failed(why) => (Extraction::Failed, None, Some(why)),
                }
            } else {
                (Extraction::Unsupported, None, None)
            };
        let sha256 = hex::encode(Sha256::digest(&file.data));
        Self { file, sha256, content_type, extraction, error, text }
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

/// A text file's contents: UTF-8 if it is, else Windows-1252, the usual other choice of
/// British offices (a superset of ISO-8859-1 in the characters it prints).
fn decode_text(data: &[u8]) -> String {
    match std::str::from_utf8(data) {
        Ok(text) => text.to_string(),
        Err(_) => reader::fix_c1(&data.iter().map(|&b| b as char).collect::<String>()),
    }
}

/// An attachment's text as PostgreSQL can store it (no NUL characters) and search can show
/// it (none of the characters that mark a match in a snippet).
fn clean(text: &str) -> String {
    crate::domain::search::unmarked(&text.replace('\0', "")).into_owned()
}
