//! A request's incoming messages, as its timeline shows them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::report::IngestedAttachment;
use crate::domain::inbound::fold::{Fold, fold, unquoted};
use crate::domain::inbound::suggest::{Classification, Suggestion, suggest};
use crate::domain::inbound::{MatchedBy, Outcome};
use crate::service::ServiceResult;
use crate::service::convert::utc;
use crate::store::AnyConnection;
use crate::store::inbound as store;

/// A message that came back for a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncomingView {
    pub id: i64,
    pub received_at: DateTime<Utc>,
    /// The message's own Date, when it has one.
    pub sent_at: Option<DateTime<Utc>>,
    pub from: Option<String>,
    pub subject: String,
    pub outcome: Outcome,
    /// How it was matched to this request.
    pub matched_by: MatchedBy,
    /// It came from another domain than the body's address: worth a look.
    pub sender_mismatch: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_status: Option<String>,
    /// The message's own words: its text up to the quoted earlier messages, the signature or
    /// the disclaimer, which are folded away (the stored message keeps them).
    pub text: String,
    /// What was folded away after `text`, if anything.
    pub folded: Option<Fold>,
    /// The message's HTML body, sanitised: no scripts, styles, forms, frames or images, and
    /// only absolute `http`, `https` and `mailto` links. Absent for plain text mail, and for mail stored before
    /// foitrack kept HTML. Nothing is folded away in it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    pub attachments: Vec<IngestedAttachment>,
    /// For a response: what it seems to be, and the words that suggest it. A researcher
    /// decides; this is only a hint.
    pub suggestion: Option<SuggestionView>,
    /// What a researcher said it is, for this request; `null` until then.
    pub classification: Option<Classification>,
    /// The timeline event that classification recorded (none for `not_a_response`).
    pub classified_event: Option<i64>,
}

/// A suggested classification, with where its words were found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SuggestionView {
    #[serde(flatten)]
    pub suggestion: Suggestion,
    /// `null` for the message's own words, else the attachment's position in `attachments`.
    pub attachment: Option<usize>,
}

pub(crate) fn of_request(conn: &mut AnyConnection, request_id: i64) -> ServiceResult<Vec<IncomingView>> {
    let linked = store::linked_to(conn, request_id)?;
    if linked.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = linked.iter().map(|(m, _)| m.id).collect();
    let mut files = store::attachments_of_many(conn, &ids)?;
    Ok(linked
        .into_iter()
        .map(|(m, link)| {
            let (mine, rest): (Vec<_>, Vec<_>) = files.drain(..).partition(|(id, _)| *id == m.id);
            files = rest;
            let folded = fold(&m.body_text);
            let suggestion = (m.outcome == Outcome::Response).then(|| {
                let own = unquoted(folded.own);
                let texts = std::iter::once(own.as_str())
                    .chain(mine.iter().map(|(_, a)| a.text_head.as_deref().unwrap_or("")))
                    .map(head);
                let texts: Vec<&str> = texts.collect();
                suggest(texts.iter().copied())
                    .map(|(i, suggestion)| SuggestionView { suggestion, attachment: i.checked_sub(1) })
            });
            let (text, fold) = (crate::service::codings::quotable(folded.own), folded.fold);
            IncomingView {
                id: m.id,
                received_at: utc(m.received_at),
                sent_at: m.sent_at.map(utc),
                from: m.from_address,
                subject: m.subject,
                outcome: m.outcome,
                matched_by: link.matched_by,
                sender_mismatch: link.sender_mismatch,
                classification: link.classification,
                classified_event: link.event_id,
                delivery_status: m.delivery_status,
                text,
                folded: fold,
                html: m.body_html,
                attachments: mine.into_iter().map(|(_, a)| IngestedAttachment::from(a)).collect(),
                suggestion: suggestion.flatten(),
            }
        })
        .collect())
}

/// How much of each text a suggestion reads: a letter's answer is in its first pages, and a
/// request's page must not cost more for a reply of a thousand.
const SUGGESTION_BYTES: usize = 256 * 1024;

fn head(text: &str) -> &str {
    &text[..text.floor_char_boundary(SUGGESTION_BYTES)]
}

pub use crate::store::inbound::AttachmentFile;

impl crate::service::Service {
    /// The file attached at `position` to a message of a request, for anyone in its workspace.
    pub fn attachment_file(
        &self,
        actor: &crate::service::Actor,
        request_id: i64,
        message_id: i64,
        position: u32,
    ) -> ServiceResult<AttachmentFile> {
        let mut conn = self.db().conn()?;
        let request = self.request_for(&mut conn, actor, request_id, crate::service::access::Intent::Read)?;
        let position = i32::try_from(position).unwrap_or(i32::MAX);
        store::attachment_file(&mut conn, request.id, message_id, position)?.ok_or_else(|| {
            crate::service::ServiceError::NotFound(format!(
                "{} has no reply {message_id} with an attachment {position}.",
                request.reference
            ))
        })
    }
}
