//! What the service returns: plain serialisable records, the same for JSON and the CLI.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::event::{EventDetails, EventKind};
use crate::domain::import::RejectedRow;
use crate::domain::status::{State, Status};
use crate::domain::vocab::{Channel, Outcome, Role};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserView {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub user_email: String,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A newly created token. The secret is shown once and never stored in clear.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewTokenView {
    pub id: i64,
    pub user_email: String,
    pub label: String,
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NewUserView {
    pub user: UserView,
    pub token: NewTokenView,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorityView {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub region: Option<String>,
    pub region_code: Option<String>,
    pub ods_code: Option<String>,
    pub tags: Vec<String>,
    pub postcode: Option<String>,
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    /// Set when the body's mail server refused our email to `email` for good; cleared when an
    /// import gives the body another address.
    pub email_failing: Option<EmailFailure>,
}

/// A permanent refusal of a body's address by its mail server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EmailFailure {
    pub at: DateTime<Utc>,
    /// The server's answer, with its code: `permanent error (550): 5.1.1 No such user`.
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportSummary {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Rows left out on purpose (not open on the date, no region when one is required).
    pub filtered_out: u64,
    pub rejected: Vec<RejectedRow>,
    /// The rows read from the file, not counting a header or blank lines: always `inserted`,
    /// `updated`, `unchanged`, `filtered_out` and the `rejected` rows together.
    pub rows: u64,
    /// Nothing was written: the file was only checked.
    pub dry_run: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignView {
    pub id: i64,
    /// The slug of the workspace it belongs to.
    pub workspace: String,
    pub title: String,
    pub description: String,
    pub reference_prefix: String,
    pub subject_template: String,
    pub body_template: String,
    pub regime: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub request_count: i64,
    /// Whether late bodies get chasers (off by default).
    pub chasers_enabled: bool,
    /// Working days overdue before the chaser goes.
    pub chase_after_working_days: i32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignProgress {
    #[serde(flatten)]
    pub campaign: CampaignView,
    /// The day the statuses were judged on.
    pub as_of: NaiveDate,
    /// Requests by status; every status is listed, with zero where none.
    #[schema(value_type = BTreeMap<String, i64>)]
    pub by_status: BTreeMap<Status, i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthoritySummary {
    pub id: i64,
    pub name: String,
    pub region: Option<String>,
    /// Set when the body's mail server refused our email for good (see `AuthorityView`).
    pub email_failing: Option<EmailFailure>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestView {
    pub id: i64,
    pub reference: String,
    pub campaign_id: Option<i64>,
    pub authority: AuthoritySummary,
    pub subject: String,
    pub regime: String,
    /// The status on `as_of`: the stored state, with overdue and very overdue worked out.
    pub status: Status,
    pub state: State,
    pub sent_at: Option<DateTime<Utc>>,
    /// The London date of `sent_at`.
    pub sent_on: Option<NaiveDate>,
    pub channel: Option<Channel>,
    pub sent_to: Option<String>,
    /// The date of receipt: day zero of the first period.
    pub received_on: Option<NaiveDate>,
    /// Day zero of the period now running (receipt, or the date a clarification was sent).
    pub clock_started_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    /// The due date before an extension moved it.
    pub original_due_on: Option<NaiveDate>,
    pub very_overdue_on: Option<NaiveDate>,
    pub review_due_on: Option<NaiveDate>,
    /// The body's own reference number.
    pub body_reference: Option<String>,
    pub outcome: Option<Outcome>,
    pub responded_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub id: i64,
    pub kind: EventKind,
    pub occurred_on: NaiveDate,
    pub note: Option<String>,
    pub details: EventDetails,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    /// The id of the retraction that cancelled this event, if any.
    pub retracted_by: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestDetail {
    #[serde(flatten)]
    pub request: RequestView,
    pub body: String,
    pub events: Vec<EventView>,
    /// The mail foitrack sent or queued for it (the request, chasers, review requests), oldest
    /// first; none for a request sent by hand.
    pub outgoing: Vec<super::outbox::OutboxView>,
    /// The replies, auto-replies and bounces matched to it, in the order they arrived.
    pub incoming: Vec<super::ingest::incoming::IncomingView>,
    pub as_of: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkippedRequest {
    pub id: i64,
    pub reference: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BulkSentSummary {
    pub logged: Vec<String>,
    pub skipped: Vec<SkippedRequest>,
}
