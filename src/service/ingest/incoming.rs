//! A request's incoming messages, as its timeline shows them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::report::IngestedAttachment;
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
    pub attachments: Vec<IngestedAttachment>,
}

pub(crate) fn of_request(conn: &mut AnyConnection, request_id: i64) -> ServiceResult<Vec<IncomingView>> {
    let linked = store::linked_to(conn, request_id)?;
    if linked.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = linked.iter().map(|(m, _, _)| m.id).collect();
    let mut files = store::attachments_of_many(conn, &ids)?;
    Ok(linked
        .into_iter()
        .map(|(m, matched_by, sender_mismatch)| {
            let (mine, rest): (Vec<_>, Vec<_>) = files.drain(..).partition(|(id, _)| *id == m.id);
            files = rest;
            IncomingView {
                id: m.id,
                received_at: utc(m.received_at),
                sent_at: m.sent_at.map(utc),
                from: m.from_address,
                subject: m.subject,
                outcome: m.outcome,
                matched_by,
                sender_mismatch,
                delivery_status: m.delivery_status,
                attachments: mine.into_iter().map(|(_, a)| IngestedAttachment::from(a)).collect(),
            }
        })
        .collect())
}
