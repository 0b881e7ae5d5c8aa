//! A researcher's word on what a reply is for one of its requests. The classification records
//! the timeline event the answer means (a response with its outcome, a request for
//! clarification, a fees notice, an extension) in the same transaction that marks the reply as
//! classified, so a reply is never classified without its event, nor twice.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::event::EventKind;
use crate::domain::inbound::suggest::Classification;
use crate::domain::london;
use crate::domain::vocab::{Outcome, WorkspaceRole};
use crate::service::access::Intent;
use crate::service::timeline::EventInput;
use crate::service::views::EventView;
use crate::service::{Actor, FieldError, Service, ServiceError, ServiceResult, convert, now};
use crate::store::inbound as store;
use crate::store::{self as db, AnyConnection, events};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassifyInput {
    pub classification: Classification,
    /// The day of the answer: by default the day the message was sent (London time), or the
    /// day it arrived when it gives no plausible date.
    #[schema(value_type = Option<crate::service::DateInput>)]
    #[serde(default, deserialize_with = "crate::service::optional_date")]
    pub occurred_on: Option<NaiveDate>,
    /// For `partial` and `refused` (and any response): the exemptions cited, such as `s.40(2)`.
    #[serde(default)]
    pub exemptions: Vec<String>,
    /// For `extension`: the new due date the body gave, if any.
    #[schema(value_type = Option<crate::service::DateInput>)]
    #[serde(default, deserialize_with = "crate::service::optional_date")]
    pub new_due_on: Option<NaiveDate>,
    /// Added to the event's note, after the line naming the message.
    #[serde(default)]
    #[schema(max_length = 19000)]
    pub note: Option<String>,
}

/// A reply as classified, with the event it recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClassifiedReply {
    pub message: i64,
    pub request_id: i64,
    pub classification: Classification,
    /// `null` for `not_a_response`, which records nothing on the timeline.
    pub event: Option<EventView>,
}

impl Classification {
    /// The timeline event this classification records, if any.
    fn event(self) -> Option<(EventKind, Option<Outcome>)> {
        use Classification as C;
        Some(match self {
            C::Full => (EventKind::ResponseReceived, Some(Outcome::Full)),
            C::Partial => (EventKind::ResponseReceived, Some(Outcome::Partial)),
            C::Refused => (EventKind::ResponseReceived, Some(Outcome::Refused)),
            C::NotHeld => (EventKind::ResponseReceived, Some(Outcome::NotHeld)),
            C::ClarificationRequested => (EventKind::ClarificationRequested, None),
            C::FeeNotice => (EventKind::FeeNoticeGiven, None),
            C::Extension => (EventKind::ExtensionClaimed, None),
            C::NotAResponse => return None,
        })
    }
}

impl Service {
    /// Classifies incoming message `inbound_id` for `request_id`, recording its event. `404`
    /// when the message is not one of the request's replies; `409` when it is classified
    /// already, until the event that classification recorded is retracted.
    pub fn classify_reply(
        &self,
        actor: &Actor,
        request_id: i64,
        inbound_id: i64,
        input: ClassifyInput,
    ) -> ServiceResult<ClassifiedReply> {
        let mut conn = self.db().conn()?;
        let can = Intent::Change(WorkspaceRole::can_record_events, "classify replies");
        let request = self.request_for(&mut conn, actor, request_id, can)?;
        let not_linked = || {
            ServiceError::NotFound(format!(
                "Incoming message {inbound_id} is not a reply to request {request_id}."
            ))
        };
        store::link_classification(&mut conn, inbound_id, request_id)?.ok_or_else(not_linked)?;
        let message = store::by_id(&mut conn, inbound_id)?.ok_or_else(not_linked)?;
        let draft = match input.classification.event() {
            Some((kind, outcome)) => {
                // No reply comes before its request: a Date header that says so is wrong, and
                // the day it arrived is the better guess (as ingest does for acknowledgements).
                let sent = message
                    .sent_at
                    .map(convert::utc)
                    .map(london::london_date)
                    .filter(|d| london::plausible(*d) && request.sent_on.is_none_or(|s| *d >= s));
                let arrived = london::london_date(convert::utc(message.received_at));
                let mut note = format!("Recorded from incoming message {inbound_id}.");
                if let Some(more) = input.note.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                    note.push('\n');
                    note.push_str(more);
                }
                Some(self.checked_draft(EventInput {
                    kind,
                    occurred_on: Some(input.occurred_on.or(sent).unwrap_or(arrived)),
                    note: Some(note),
                    body_reference: None,
                    outcome,
                    exemptions: input.exemptions,
                    new_due_on: input.new_due_on,
                    retracts: None,
                })?)
            }
            None => {
                let given = [
                    ("occurred_on", input.occurred_on.is_some()),
                    ("exemptions", !input.exemptions.is_empty()),
                    ("new_due_on", input.new_due_on.is_some()),
                    ("note", input.note.is_some()),
                ];
                let errors: Vec<FieldError> = given
                    .iter()
                    .filter(|(_, given)| *given)
                    .map(|(field, _)| {
                        FieldError::new(*field, "does not apply: not_a_response records no event")
                    })
                    .collect();
                if !errors.is_empty() {
                    return Err(ServiceError::invalid_fields(errors));
                }
                None
            }
        };
        let row = db::write_transaction(&mut conn, |conn| {
            // Lock the request first (SQLite's write lock holds already; PostgreSQL needs the
            // row), so that two classifications of one reply meet here one after the other.
            crate::store::requests::lock_quietly(conn, request_id)?;
            // Again under the lock: another researcher may have just classified it.
            let link = store::link_classification(conn, inbound_id, request_id)?.ok_or_else(not_linked)?;
            if let (Some(previous), Some(event)) = (link.classification, link.event_id)
                && !retracted(conn, request_id, event)?
            {
                return Err(ServiceError::Conflict(format!(
                    "Incoming message {inbound_id} is classified already, as {previous} (event {event}); \
                     retract event {event} to classify it again."
                )));
            }
            let row = draft.map(|d| self.append(conn, actor, request_id, d)).transpose()?;
            let event_id = row.as_ref().map(|r| r.id);
            store::classify_link(
                conn,
                inbound_id,
                request_id,
                input.classification,
                event_id,
                actor.user_id,
                now(),
            )?;
            Ok::<_, ServiceError>(row)
        })?;
        Ok(ClassifiedReply {
            message: inbound_id,
            request_id,
            classification: input.classification,
            event: row.map(|r| self.event_view(r, actor)).transpose()?,
        })
    }
}

/// Whether a later retraction cancels event `event_id`.
fn retracted(conn: &mut AnyConnection, request_id: i64, event_id: i64) -> ServiceResult<bool> {
    for row in events::of_request(conn, request_id)? {
        let event = convert::timeline_event(&row)?;
        if event.kind == EventKind::Retraction && event.details.retracts == Some(event_id) {
            return Ok(true);
        }
    }
    Ok(false)
}
