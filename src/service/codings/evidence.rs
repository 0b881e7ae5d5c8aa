//! The evidence for an answer: passages of the request's replies or of their attachments'
//! extracted text, by offsets in Unicode code points, with the text they quote.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::service::{FieldError, ServiceError, ServiceResult};
use crate::store::AnyConnection;
use crate::store::codings as store;

/// A passage to quote. Offsets count Unicode code points from the start of the message's whole
/// text (line ends counted as one `\n`; the timeline's `text` is its beginning, up to the fold)
/// or of an attachment's extracted text, `end` excluded.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceInput {
    /// The id of a message linked to the request (`incoming[].id` on its timeline).
    pub message: i64,
    /// An attachment of that message, by its position; without it, the message's own text.
    #[serde(default)]
    pub attachment: Option<u32>,
    pub start: u32,
    pub end: u32,
    /// The passage's text, if given, must be exactly the text at those offsets: a check that
    /// client and server count alike.
    #[serde(default)]
    pub quote: Option<String>,
}

/// A passage as stored and shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Evidence {
    pub message: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment: Option<u32>,
    pub start: u32,
    pub end: u32,
    pub quote: String,
}

/// A text as passages count it, and as a browser shows it: every line end (`\r\n`, or a `\r`
/// alone) one `\n`, and a NUL, which HTML drops, as U+FFFD. The stored text keeps the
/// sender's.
pub fn quotable(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n").replace('\0', "\u{fffd}")
}

/// The most passages one answer may quote, and the longest passage: evidence points at the
/// text, it is not a copy of it.
pub const MOST_PASSAGES: usize = 20;
pub const LONGEST_PASSAGE: u32 = 5_000;

/// Checks each passage against the request's texts and returns them with their quotes; every
/// bad passage is named.
pub(super) fn resolve(
    conn: &mut AnyConnection,
    request_id: i64,
    passages: &[EvidenceInput],
) -> ServiceResult<Vec<Evidence>> {
    if passages.len() > MOST_PASSAGES {
        return Err(ServiceError::invalid_fields(vec![FieldError::new(
            "evidence",
            format!("at most {MOST_PASSAGES} passages per answer"),
        )]));
    }
    let mut out = Vec::with_capacity(passages.len());
    let mut problems = Vec::new();
    for (i, p) in passages.iter().enumerate() {
        match passage(conn, request_id, p)? {
            Ok(e) => out.push(e),
            Err(message) => problems.push(FieldError::new(format!("evidence[{i}]"), message)),
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(ServiceError::invalid_fields(problems)) }
}

fn passage(
    conn: &mut AnyConnection,
    request_id: i64,
    p: &EvidenceInput,
) -> ServiceResult<Result<Evidence, String>> {
    if p.end <= p.start {
        return Ok(Err("end must be after start".into()));
    }
    if p.end - p.start > LONGEST_PASSAGE {
        return Ok(Err(format!("a passage is at most {LONGEST_PASSAGE} characters")));
    }
    let position = p.attachment.map(|a| i32::try_from(a).unwrap_or(i32::MAX));
    let Some(text) = store::source_text(conn, request_id, p.message, position)? else {
        let what = match p.attachment {
            Some(a) => format!("message {} has no attachment {a} with text", p.message),
            None => format!("message {} is not one of this request's replies", p.message),
        };
        return Ok(Err(what));
    };
    let text = quotable(&text);
    let quote: String = text.chars().skip(p.start as usize).take((p.end - p.start) as usize).collect();
    if quote.chars().count() != (p.end - p.start) as usize {
        return Ok(Err(format!("the text is shorter than {} characters", p.end)));
    }
    if let Some(given) = &p.quote
        && *given != quote
    {
        return Ok(Err(format!("the text at {}..{} is \"{quote}\", not the quote given", p.start, p.end)));
    }
    Ok(Ok(Evidence { message: p.message, attachment: p.attachment, start: p.start, end: p.end, quote }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_line_end_is_one_character_and_a_nul_a_replacement() {
        assert_eq!(super::quotable("a\r\nb\r\r\nc\rd\0e"), "a\nb\n\nc\nd\u{fffd}e");
    }
}
