//! Turning stored rows into views. Stored text that no longer parses is our fault, not the
//! user's, so it becomes an internal error naming the row.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::views::{AuthoritySummary, AuthorityView, EmailFailure, RequestView, TokenView, UserView};
use super::{ServiceError, ServiceResult};
use crate::domain::event::{EventDetails, TimelineEvent};
use crate::domain::status::status_on;
use crate::store::models::{AuthorityRow, BodyBrief, EventRow, RequestRow, TokenRow, UserRow};

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

pub fn parse_stored<T: FromStr>(text: &str, what: &str, id: i64) -> ServiceResult<T>
where
    T::Err: std::fmt::Display,
{
    text.parse::<T>()
        .map_err(|e| ServiceError::internal(format!("stored {what} of row {id} is unreadable: {e}")))
}

pub fn user(row: UserRow) -> ServiceResult<UserView> {
    Ok(UserView {
        id: row.id,
        role: row.role,
        email: row.email,
        name: row.name,
        created_at: utc(row.created_at),
    })
}

pub fn token(row: TokenRow, user_email: String) -> TokenView {
    TokenView {
        id: row.id,
        user_email,
        label: row.label,
        created_at: utc(row.created_at),
        last_used_at: row.last_used_at.map(utc),
        revoked_at: row.revoked_at.map(utc),
    }
}

/// Tags are stored as `,a,b,` so that one `LIKE '%,a,%'` finds a tag.
pub fn tags_to_text(tags: &[String]) -> String {
    if tags.is_empty() { String::new() } else { format!(",{},", tags.join(",")) }
}

pub fn tags_from_text(text: &str) -> Vec<String> {
    text.split(',').filter(|t| !t.is_empty()).map(str::to_string).collect()
}

/// A refusal is shown only with its time and the server's answer both stored.
fn email_failure(at: Option<NaiveDateTime>, reason: Option<String>) -> Option<EmailFailure> {
    Some(EmailFailure { at: utc(at?), reason: reason? })
}

pub fn authority(row: AuthorityRow) -> AuthorityView {
    AuthorityView {
        email_failing: email_failure(row.email_failed_at, row.email_failure),
        id: row.id,
        tags: tags_from_text(&row.tags),
        name: row.name,
        email: row.email,
        region: row.region,
        region_code: row.region_code,
        ods_code: row.ods_code,
        postcode: row.postcode,
        opened_on: row.opened_on,
        closed_on: row.closed_on,
    }
}

pub fn request(row: RequestRow, body: BodyBrief, today: NaiveDate) -> ServiceResult<RequestView> {
    let id = row.id;
    let state = row.state;
    Ok(RequestView {
        id,
        status: status_on(state, row.due_on, row.very_overdue_on, today),
        state,
        reference: row.reference,
        campaign_id: row.campaign_id,
        authority: AuthoritySummary {
            id: row.authority_id,
            email_failing: email_failure(body.email_failed_at, body.email_failure),
            name: body.name,
            region: body.region,
        },
        subject: row.subject,
        regime: row.regime,
        sent_at: row.sent_at.map(utc),
        sent_on: row.sent_on,
        channel: row.channel,
        sent_to: row.sent_to,
        received_on: row.received_on,
        clock_started_on: row.clock_started_on,
        due_on: row.due_on,
        original_due_on: row.original_due_on,
        very_overdue_on: row.very_overdue_on,
        review_due_on: row.review_due_on,
        body_reference: row.body_reference,
        outcome: row.outcome,
        responded_on: row.responded_on,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

pub fn event_details(row: &EventRow) -> ServiceResult<EventDetails> {
    serde_json::from_str(&row.details).map_err(|e| {
        ServiceError::internal_from(format!("The stored details of event {} are unreadable", row.id), e)
    })
}

pub fn timeline_event(row: &EventRow) -> ServiceResult<TimelineEvent> {
    Ok(TimelineEvent {
        id: row.id,
        kind: row.kind,
        occurred_on: row.occurred_on,
        details: event_details(row)?,
    })
}
