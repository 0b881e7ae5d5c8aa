//! What ingesting reports, message by message and in sum: the shape of `foitrack ingest --json`
//! and of `POST /api/v1/inbound`, a contract documented in docs/api.md.

use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::inbound::{Extraction, MatchedBy, Outcome};
use crate::store::AnyConnection;
use crate::store::inbound::{self as store, InboundRow};

use super::super::ServiceResult;

/// One message taken in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IngestedMessage {
    /// Where it came from: `webhook`, a file, or `FILE#N` for the Nth message of an mbox.
    pub source: String,
    /// The stored message's id (for a duplicate, the one stored first).
    pub id: Option<i64>,
    /// With its angle brackets; `null` when the message has none.
    pub message_id: Option<String>,
    pub outcome: Outcome,
    /// The references of the requests it was matched to; empty for the holding pen.
    pub requests: Vec<String>,
    pub matched_by: MatchedBy,
    pub attachments: Vec<IngestedAttachment>,
    /// For bounces and delivery delays: the status the mail server gave, such as `5.1.1`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_status: Option<String>,
    /// Why it is not a response (the header or subject that showed it), or why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// For the holding pen: where it may belong, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<PenSuggestion>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IngestedAttachment {
    pub filename: Option<String>,
    /// As sniffed from the content, not only as the message labelled it.
    pub content_type: String,
    /// Characters of text extracted (0 when none).
    pub text_chars: usize,
    pub extraction: Extraction,
    /// Why no text could be read, when `extraction` is `failed`: a damaged or encrypted file,
    /// a scanned PDF with no text layer, a reader stopped at its time or memory limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extraction_error: Option<String>,
}

#[derive(Debug, Clone, serde::Deserialize, Serialize, ToSchema)]
pub struct PenSuggestion {
    pub request_id: i64,
    pub reference: String,
    pub reason: String,
}

/// Counts of an ingest run. Every message counts once: `matched` and `holding_pen` count
/// responses and acknowledgements; auto-replies and bounces count as such whether or not they
/// were matched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct IngestSummary {
    pub messages: u64,
    pub matched: u64,
    pub holding_pen: u64,
    pub duplicates: u64,
    pub auto_replies: u64,
    pub bounces: u64,
    pub rejected: u64,
}

impl IngestSummary {
    pub fn count(&mut self, m: &IngestedMessage) {
        self.messages += 1;
        let counter = match m.outcome {
            Outcome::Duplicate => &mut self.duplicates,
            Outcome::Rejected => &mut self.rejected,
            Outcome::AutoReply => &mut self.auto_replies,
            Outcome::Bounce => &mut self.bounces,
            Outcome::Response | Outcome::Acknowledgement if m.requests.is_empty() => &mut self.holding_pen,
            Outcome::Response | Outcome::Acknowledgement => &mut self.matched,
        };
        *counter += 1;
    }
}

impl From<store::AttachmentBrief> for IngestedAttachment {
    fn from(a: store::AttachmentBrief) -> Self {
        Self {
            filename: a.filename,
            content_type: a.content_type,
            text_chars: a.text_chars.unwrap_or(0).max(0) as usize,
            extraction: a.extraction,
            extraction_error: a.extraction_error,
        }
    }
}

impl IngestedMessage {
    /// Bytes refused as mail: stored as incoming message `id`, or not stored at all (`None`).
    pub fn rejected(source: &str, id: Option<i64>, why: &str) -> Self {
        Self {
            source: source.to_string(),
            id,
            message_id: None,
            outcome: Outcome::Rejected,
            requests: Vec::new(),
            matched_by: MatchedBy::None,
            attachments: Vec::new(),
            delivery_status: None,
            reason: Some(why.to_string()),
            suggestions: Vec::new(),
        }
    }
}

/// The report for a message stored before: what it was matched to then.
pub(super) fn duplicate(
    conn: &mut AnyConnection,
    source: &str,
    row: InboundRow,
) -> ServiceResult<IngestedMessage> {
    let requests = store::linked_references(conn, row.id)?;
    let attachments =
        store::attachments_of(conn, row.id)?.into_iter().map(IngestedAttachment::from).collect();
    Ok(IngestedMessage {
        source: source.to_string(),
        id: Some(row.id),
        message_id: row.message_id,
        outcome: Outcome::Duplicate,
        requests,
        matched_by: row.matched_by,
        attachments,
        delivery_status: row.delivery_status,
        reason: Some(format!("already stored as incoming message {} ({})", row.id, row.outcome)),
        suggestions: Vec::new(),
    })
}
