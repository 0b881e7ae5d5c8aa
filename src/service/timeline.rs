//! Recording what happens to a request: the sending, then events. Each write replays the whole
//! timeline with the new event in place (domain::timeline) and stores the event and the derived
//! fields together, or nothing.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::access::Intent;
use super::convert;
use super::requests::not_found;
use super::text::{self, Shape};
use super::views::{BulkSentSummary, EventView, SkippedRequest};
use super::{Actor, FieldError, Service, ServiceError, ServiceResult, clean, now};
use crate::domain::event::{EventDetails, EventKind, TimelineEvent};
use crate::domain::london;
use crate::domain::newtypes::EmailAddress;
use crate::domain::regime::Regimes;
use crate::domain::status::State;
use crate::domain::timeline::{self, Derived, TimelineError};
use crate::domain::vocab::{Channel, Outcome, WorkspaceRole};
use crate::store::models::{DerivedFields, NewEvent};
use crate::store::{self, AnyConnection, events, requests};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogSentInput {
    /// When it was sent: an RFC 3339 time (`2021-12-06T09:30:00Z`), a London local time
    /// (`2021-12-06T09:30`), or a date alone (taken as midday London time).
    pub sent_at: String,
    /// `email` when not given.
    #[serde(default)]
    pub channel: Option<Channel>,
    /// The address used; for email, the body's FOI address when not given.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub address: Option<String>,
    /// The date of receipt, when it is not the date of sending (for post, by default the second
    /// working day after posting).
    #[schema(value_type = Option<crate::service::DateInput>)]
    #[serde(default, deserialize_with = "crate::service::optional_date")]
    pub received_on: Option<NaiveDate>,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkSentInput {
    pub sent_at: String,
    #[serde(default)]
    pub channel: Option<Channel>,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub note: Option<String>,
    /// The date of receipt, when it is not the date of sending.
    #[schema(value_type = Option<crate::service::DateInput>)]
    #[serde(default, deserialize_with = "crate::service::optional_date")]
    pub received_on: Option<NaiveDate>,
    /// Only these requests of the campaign; all unsent ones when not given.
    #[serde(default)]
    pub request_ids: Option<Vec<i64>>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    pub kind: EventKind,
    /// The day it happened; today (London) when not given.
    #[schema(value_type = Option<crate::service::DateInput>)]
    #[serde(default, deserialize_with = "crate::service::optional_date")]
    pub occurred_on: Option<NaiveDate>,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub note: Option<String>,
    /// The body's own reference for the request. One line: no control characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub body_reference: Option<String>,
    #[serde(default)]
    pub outcome: Option<Outcome>,
    #[serde(default)]
    pub exemptions: Vec<String>,
    #[schema(value_type = Option<crate::service::DateInput>)]
    #[serde(default, deserialize_with = "crate::service::optional_date")]
    pub new_due_on: Option<NaiveDate>,
    #[serde(default)]
    pub retracts: Option<i64>,
}

/// Reads the moment a request was sent, in the forms [`LogSentInput::sent_at`] accepts.
pub fn parse_sent_at(raw: &str) -> Result<DateTime<Utc>, String> {
    let s = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(local) = NaiveDateTime::parse_from_str(s, format) {
            return london::london_to_utc(local);
        }
    }
    if let Ok(date) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return london::london_to_utc(date.and_hms_opt(12, 0, 0).expect("midday exists"));
    }
    Err(format!(
        "\"{raw}\" is not a date or time: use 2021-12-06, 2021-12-06T09:30 (London time) or 2021-12-06T09:30:00Z"
    ))
}

fn checked_sent_at(raw: &str) -> ServiceResult<DateTime<Utc>> {
    let at =
        parse_sent_at(raw).map_err(|m| ServiceError::invalid_fields(vec![FieldError::new("sent_at", m)]))?;
    if !london::plausible(at.date_naive()) {
        return Err(ServiceError::invalid_fields(vec![FieldError::new(
            "sent_at",
            format!(
                "{at} is outside the years foitrack works with ({} to {})",
                london::FIRST_YEAR,
                london::LAST_YEAR
            ),
        )]));
    }
    if at > Utc::now() + Duration::minutes(5) {
        return Err(ServiceError::invalid_fields(vec![FieldError::new(
            "sent_at",
            format!("{at} is in the future"),
        )]));
    }
    Ok(at)
}

fn checked_note(note: Option<String>) -> ServiceResult<Option<String>> {
    let note = clean(note);
    text::check([("note", note.as_deref().unwrap_or(""), Shape::Block(text::NOTE))])?;
    Ok(note)
}

impl Service {
    pub fn log_sent(&self, actor: &Actor, request_id: i64, input: LogSentInput) -> ServiceResult<EventView> {
        self.request_for(
            &mut *self.db().conn()?,
            actor,
            request_id,
            Intent::Change(WorkspaceRole::can_record_events, "log requests as sent"),
        )?;
        text::check([
            ("address", input.address.as_deref().unwrap_or(""), Shape::Line(text::ADDRESS)),
            ("note", input.note.as_deref().unwrap_or(""), Shape::Block(text::NOTE)),
        ])?;
        let sent_at = checked_sent_at(&input.sent_at)?;
        let channel = input.channel.unwrap_or(Channel::Email);
        let mut address = clean(input.address);
        if let (Channel::Email, Some(a)) = (channel, &address) {
            let email = EmailAddress::parse(a)
                .map_err(|e| ServiceError::invalid_fields(vec![FieldError::new("address", e.to_string())]))?;
            address = Some(email.to_string());
        }
        let note = checked_note(input.note)?;
        let mut conn = self.db().conn()?;
        let row = store::write_transaction(&mut conn, |conn| {
            let address = match address {
                Some(a) => Some(a),
                None => default_address(conn, request_id, channel)?,
            };
            let details = EventDetails {
                sent_at: Some(sent_at),
                channel: Some(channel),
                address,
                received_on: input.received_on,
                ..Default::default()
            };
            let draft =
                Draft { kind: EventKind::Sent, occurred_on: london::london_date(sent_at), details, note };
            self.append(conn, actor, request_id, draft)
        })?;
        self.event_view(row, actor)
    }

    /// Logs every unsent request of a campaign (or the listed ones) as sent, all or nothing.
    /// Requests already sent are skipped and listed, not failed.
    pub fn log_campaign_sent(
        &self,
        actor: &Actor,
        campaign_id: i64,
        input: BulkSentInput,
    ) -> ServiceResult<BulkSentSummary> {
        self.campaign_for(
            &mut *self.db().conn()?,
            actor,
            campaign_id,
            Intent::Change(WorkspaceRole::can_record_events, "log requests as sent"),
        )?;
        text::check([("note", input.note.as_deref().unwrap_or(""), Shape::Block(text::NOTE))])?;
        let sent_at = checked_sent_at(&input.sent_at)?;
        let channel = input.channel.unwrap_or(Channel::Email);
        let note = checked_note(input.note)?;
        let mut conn = self.db().conn()?;
        store::write_transaction(&mut conn, |conn| {
            if store::campaigns::by_id(conn, campaign_id)?.is_none() {
                return Err(ServiceError::NotFound(format!("No campaign has the id {campaign_id}.")));
            }
            let chosen = campaign_requests(conn, campaign_id, input.request_ids.as_deref(), "request_ids")?;
            let mut summary = BulkSentSummary { logged: Vec::new(), skipped: Vec::new() };
            for id in chosen {
                let row = requests::by_id(conn, id)?.ok_or_else(|| not_found(id))?;
                let reason = match (row.sent_on, row.state) {
                    (Some(on), _) => Some(format!("already sent on {on}")),
                    (None, State::Withdrawn) => Some("withdrawn before it was sent".to_string()),
                    _ => None,
                };
                if let Some(reason) = reason {
                    summary.skipped.push(SkippedRequest { id, reference: row.reference, reason });
                    continue;
                }
                let address = default_address(conn, id, channel)?;
                let details = EventDetails {
                    sent_at: Some(sent_at),
                    channel: Some(channel),
                    address,
                    received_on: input.received_on,
                    ..Default::default()
                };
                let draft = Draft {
                    kind: EventKind::Sent,
                    occurred_on: london::london_date(sent_at),
                    details,
                    note: note.clone(),
                };
                self.append(conn, actor, id, draft)?;
                summary.logged.push(row.reference);
            }
            Ok(summary)
        })
    }

    pub fn record_event(
        &self,
        actor: &Actor,
        request_id: i64,
        input: EventInput,
    ) -> ServiceResult<EventView> {
        self.request_for(
            &mut *self.db().conn()?,
            actor,
            request_id,
            Intent::Change(WorkspaceRole::can_record_events, "record events"),
        )?;
        let draft = self.checked_draft(input)?;
        let mut conn = self.db().conn()?;
        let row = store::write_transaction(&mut conn, |conn| self.append(conn, actor, request_id, draft))?;
        self.event_view(row, actor)
    }

    /// An event as a researcher gave it, checked: its text, the fields its kind needs and
    /// refuses, its dates. Shared by every use case that records a researcher's event.
    pub(crate) fn checked_draft(&self, input: EventInput) -> ServiceResult<Draft> {
        text::check(
            [
                ("note", input.note.as_deref().unwrap_or(""), Shape::Block(text::NOTE)),
                (
                    "body_reference",
                    input.body_reference.as_deref().map(str::trim).unwrap_or(""),
                    Shape::Line(text::REFERENCE),
                ),
            ]
            .into_iter()
            .chain(input.exemptions.iter().map(|e| ("exemptions", e.as_str(), Shape::Line(text::REFERENCE)))),
        )?;
        if input.kind == EventKind::DeadlineRecalculated {
            return Err(ServiceError::invalid_fields(vec![FieldError::new(
                "kind",
                "deadline_recalculated is recorded by foitrack itself when bank holidays change",
            )]));
        }
        if input.kind == EventKind::Sent {
            return Err(ServiceError::invalid_fields(vec![FieldError::new(
                "kind",
                "log a sending with POST /api/v1/requests/{id}/sent or `foitrack requests log-sent`, which also record how and where",
            )]));
        }
        let body_reference = clean(input.body_reference);
        let details = EventDetails {
            body_reference,
            outcome: input.outcome,
            exemptions: input
                .exemptions
                .iter()
                .map(|e| e.trim().to_string())
                .filter(|e| !e.is_empty())
                .collect(),
            new_due_on: input.new_due_on,
            retracts: input.retracts,
            ..Default::default()
        };
        let note = checked_note(input.note)?;
        let mut errors: Vec<FieldError> = details
            .missing_fields(input.kind)
            .into_iter()
            .map(|(field, msg)| FieldError::new(field, msg))
            .collect();
        errors.extend(
            details
                .unexpected_fields(input.kind)
                .into_iter()
                .map(|field| FieldError::new(field, format!("does not apply to {}", input.kind.phrase()))),
        );
        if input.kind == EventKind::Note && note.is_none() {
            errors.push(FieldError::new("note", "a note needs its text"));
        }
        if !errors.is_empty() {
            return Err(ServiceError::invalid_fields(errors));
        }
        let occurred_on = input.occurred_on.unwrap_or_else(london::today);
        for (field, date) in [("occurred_on", Some(occurred_on)), ("new_due_on", input.new_due_on)] {
            if let Some(date) = date.filter(|d| !london::plausible(*d)) {
                return Err(ServiceError::invalid_fields(vec![FieldError::new(
                    field,
                    format!("{date} is outside the years foitrack works with"),
                )]));
            }
        }
        Ok(Draft { kind: input.kind, occurred_on, details, note })
    }

    /// Appends one event inside the caller's transaction: lock the request, replay its timeline
    /// with the event in place under the request's regime, then store the event and what follows
    /// from it.
    pub(crate) fn append(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        request_id: i64,
        event: Draft,
    ) -> ServiceResult<crate::store::models::EventRow> {
        let stamp = now();
        if !requests::lock(conn, request_id, stamp)? {
            return Err(not_found(request_id));
        }
        // The rules are read only now, under the lock, so a bank holiday import that committed
        // while we waited is not undone by dates worked out on the old holidays.
        let regimes = self.regimes_on(conn)?;
        let Draft { kind, occurred_on, details, note } = event;
        let proposed = TimelineEvent { id: i64::MAX, kind, occurred_on, details: details.clone() };
        let derived = StoredTimeline::load(conn, request_id)?.replay(&regimes, Some(proposed))?;
        let details_json = serde_json::to_string(&details)
            .map_err(|e| ServiceError::internal_from("The event details could not be written", e))?;
        let row = events::insert(
            conn,
            &NewEvent {
                request_id,
                kind,
                occurred_on,
                details: details_json,
                note,
                recorded_by: actor.user_id,
                recorded_at: stamp,
            },
        )?;
        requests::update_derived(conn, request_id, &derived_fields(derived, stamp))?;
        Ok(row)
    }

    pub(crate) fn event_view(
        &self,
        row: crate::store::models::EventRow,
        actor: &Actor,
    ) -> ServiceResult<EventView> {
        let event = convert::timeline_event(&row)?;
        Ok(EventView {
            id: row.id,
            kind: event.kind,
            occurred_on: row.occurred_on,
            note: row.note,
            details: event.details,
            recorded_by: actor.email.clone(),
            recorded_at: convert::utc(row.recorded_at),
            retracted_by: None,
        })
    }
}

/// An event about to be recorded.
pub(crate) struct Draft {
    pub kind: EventKind,
    pub occurred_on: NaiveDate,
    pub details: EventDetails,
    pub note: Option<String>,
}

/// A request and its stored timeline, read once so that it can be replayed under more than one
/// set of rules (a bank holiday import compares the old and the new).
pub(crate) struct StoredTimeline {
    pub request: crate::store::models::RequestRow,
    events: Vec<TimelineEvent>,
}

impl StoredTimeline {
    pub(crate) fn load(conn: &mut AnyConnection, request_id: i64) -> ServiceResult<Self> {
        let request = requests::by_id(conn, request_id)?.ok_or_else(|| not_found(request_id))?;
        let events = events::of_request(conn, request_id)?
            .iter()
            .map(convert::timeline_event)
            .collect::<ServiceResult<_>>()?;
        Ok(Self { request, events })
    }

    /// The request's regime in `regimes`, or a conflict naming the request if the settings no
    /// longer have it.
    pub(crate) fn regime(
        &self,
        regimes: &Regimes,
    ) -> ServiceResult<std::sync::Arc<crate::domain::regime::Regime>> {
        regimes.get(&self.request.regime).map_err(|_| {
            ServiceError::Conflict(format!(
                "{} is under the regime \"{}\", which is no longer in the settings; add it back under [regimes.{}].",
                self.request.reference, self.request.regime, self.request.regime
            ))
        })
    }

    /// Replays the timeline (plus `proposed`, if any, placed after every stored event of its day)
    /// under the request's regime. A replay that fails is a conflict for the caller to report.
    pub(crate) fn replay(
        &self,
        regimes: &Regimes,
        proposed: Option<TimelineEvent>,
    ) -> ServiceResult<Derived> {
        let regime = self.regime(regimes)?;
        let mut timeline = self.events.clone();
        timeline.extend(proposed);
        timeline::replay(&timeline, &regime, london::today()).map_err(|e| match e {
            TimelineError::Conflict(msg) => ServiceError::Conflict(msg),
        })
    }
}

/// The stored form of what a replay derived.
pub(crate) fn derived_fields(derived: Derived, stamp: chrono::NaiveDateTime) -> DerivedFields {
    let sending = derived.sending.clone().unwrap_or_default();
    DerivedFields {
        state: derived.state,
        sent_at: sending.sent_at.map(|t| t.naive_utc()),
        sent_on: derived.sent_on,
        channel: sending.channel,
        sent_to: sending.address,
        clock_started_on: derived.clock_started_on,
        due_on: derived.due_on,
        very_overdue_on: derived.very_overdue_on,
        review_due_on: derived.review_due_on,
        body_reference: derived.body_reference,
        outcome: derived.outcome,
        responded_on: derived.responded_on,
        received_on: derived.received_on,
        original_due_on: derived.original_due_on,
        updated_at: stamp,
    }
}

/// A campaign's request ids in reference order, or only those in `only`, which must all belong
/// to the campaign (else a field error on `field`).
pub(crate) fn campaign_requests(
    conn: &mut AnyConnection,
    campaign_id: i64,
    only: Option<&[i64]>,
    field: &str,
) -> ServiceResult<Vec<i64>> {
    let in_campaign = requests::ids_in_campaign(conn, campaign_id)?;
    let Some(only) = only else { return Ok(in_campaign) };
    let outside: Vec<String> =
        only.iter().filter(|id| !in_campaign.contains(id)).map(|id| id.to_string()).collect();
    if !outside.is_empty() {
        return Err(ServiceError::invalid_fields(vec![FieldError::new(
            field,
            format!("not requests of campaign {campaign_id}: {}", outside.join(", ")),
        )]));
    }
    Ok(in_campaign.into_iter().filter(|id| only.contains(id)).collect())
}

/// For email, the body's FOI address (the workspace's own contact for it, if it keeps one);
/// otherwise nothing unless given.
fn default_address(
    conn: &mut AnyConnection,
    request_id: i64,
    channel: Channel,
) -> ServiceResult<Option<String>> {
    if channel != Channel::Email {
        return Ok(None);
    }
    let Some(request) = requests::by_id(conn, request_id)? else {
        return Err(not_found(request_id));
    };
    super::contacts::address(conn, request.workspace_id, request.authority_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_accepted_forms_of_sent_at() {
        assert_eq!(parse_sent_at("2021-12-06T09:30:00Z").unwrap().to_rfc3339(), "2021-12-06T09:30:00+00:00");
        assert_eq!(parse_sent_at("2021-07-06T09:30").unwrap().to_rfc3339(), "2021-07-06T08:30:00+00:00");
        assert_eq!(parse_sent_at("2021-07-06").unwrap().to_rfc3339(), "2021-07-06T11:00:00+00:00");
        let err = parse_sent_at("06/12/2021").unwrap_err();
        assert!(err.contains("is not a date or time"), "{err}");
        assert!(parse_sent_at("2021-02-30").is_err());
    }
}
