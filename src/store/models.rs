//! Rows as stored. Enum columns are stored as their text spelling and read back as the domain's
//! enums (`text_enum!` implements diesel's `ToSql`/`FromSql` for text); a word no variant spells
//! is a read error, and the CHECK constraints of migration 000007 refuse it on write.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::*;
use crate::domain::event::EventKind;
use crate::domain::status::State;
use crate::domain::vocab::{Channel, Outcome, Role, WorkspaceRole};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: Role,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub token_hash: String,
    pub label: String,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::store::dates::MaybeStamp)]
    pub last_used_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::store::dates::MaybeStamp)]
    pub revoked_at: Option<NaiveDateTime>,
    /// Good only for delivering incoming mail.
    pub ingest_only: bool,
    /// An ingest token's workspace: its unmatched mail waits in that workspace's holding pen.
    pub workspace_id: Option<i64>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewToken<'a> {
    pub user_id: i64,
    pub token_hash: &'a str,
    pub label: &'a str,
    pub created_at: NaiveDateTime,
    pub ingest_only: bool,
    pub workspace_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = authorities)]
pub struct AuthorityRow {
    pub id: i64,
    pub name: String,
    pub name_key: String,
    pub email: Option<String>,
    pub region: Option<String>,
    pub region_code: Option<String>,
    pub ods_code: Option<String>,
    pub tags: String,
    pub postcode: Option<String>,
    #[diesel(deserialize_as = crate::store::dates::MaybeDay)]
    pub opened_on: Option<NaiveDate>,
    #[diesel(deserialize_as = crate::store::dates::MaybeDay)]
    pub closed_on: Option<NaiveDate>,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub updated_at: NaiveDateTime,
    /// When the body's mail server last refused our message for good, and what it said.
    #[diesel(deserialize_as = crate::store::dates::MaybeStamp)]
    pub email_failed_at: Option<NaiveDateTime>,
    pub email_failure: Option<String>,
}

/// What a request shows of its body.
#[derive(Debug, Clone, Default, PartialEq, Queryable, Selectable)]
#[diesel(table_name = authorities)]
pub struct BodyBrief {
    pub id: i64,
    pub name: String,
    pub region: Option<String>,
    #[diesel(deserialize_as = crate::store::dates::MaybeStamp)]
    pub email_failed_at: Option<NaiveDateTime>,
    pub email_failure: Option<String>,
}

impl From<AuthorityRow> for BodyBrief {
    fn from(row: AuthorityRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            region: row.region,
            email_failed_at: row.email_failed_at,
            email_failure: row.email_failure,
        }
    }
}

/// The imported fields of a body, for inserts and for updates (where `None` clears a value).
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = authorities, treat_none_as_null = true)]
pub struct AuthorityFields {
    pub name: String,
    pub name_key: String,
    pub email: Option<String>,
    pub region: Option<String>,
    pub region_code: Option<String>,
    pub ods_code: Option<String>,
    pub tags: String,
    pub postcode: Option<String>,
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    pub updated_at: NaiveDateTime,
}

impl AuthorityFields {
    /// Whether applying these fields would change the stored row (timestamps aside).
    pub fn differs_from(&self, row: &AuthorityRow) -> bool {
        self.name != row.name
            || self.email != row.email
            || self.region != row.region
            || self.region_code != row.region_code
            || self.ods_code != row.ods_code
            || self.tags != row.tags
            || self.postcode != row.postcode
            || self.opened_on != row.opened_on
            || self.closed_on != row.closed_on
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = authorities)]
pub struct NewAuthority {
    #[diesel(embed)]
    pub fields: AuthorityFields,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = campaigns)]
pub struct CampaignRow {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub reference_prefix: String,
    pub subject_template: String,
    pub body_template: String,
    pub regime: String,
    pub created_by: i64,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub created_at: NaiveDateTime,
    pub chasers_enabled: bool,
    pub chase_after_working_days: i32,
    pub workspace_id: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = campaigns)]
pub struct NewCampaign<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub reference_prefix: &'a str,
    pub subject_template: &'a str,
    pub body_template: &'a str,
    pub regime: &'a str,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub workspace_id: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = requests)]
pub struct RequestRow {
    pub id: i64,
    pub campaign_id: Option<i64>,
    pub authority_id: i64,
    pub reference: String,
    pub subject: String,
    pub body: String,
    pub regime: String,
    pub state: State,
    #[diesel(deserialize_as = crate::store::dates::MaybeStamp)]
    pub sent_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::store::dates::MaybeDay)]
    pub sent_on: Option<NaiveDate>,
    pub channel: Option<Channel>,
    pub sent_to: Option<String>,
    #[diesel(deserialize_as = crate::store::dates::MaybeDay)]
    pub clock_started_on: Option<NaiveDate>,
    #[diesel(deserialize_as = crate::store::dates::MaybeDay)]
    pub due_on: Option<NaiveDate>,
    #[diesel(deserialize_as = crate::store::dates::MaybeDay)]
    pub very_overdue_on: Option<NaiveDate>,
    #[diesel(deserialize_as = crate::store::dates::MaybeDay)]
    pub review_due_on: Option<NaiveDate>,
    pub body_reference: Option<String>,
    pub outcome: Option<Outcome>,
    #[diesel(deserialize_as = crate::store::dates::MaybeDay)]
    pub responded_on: Option<NaiveDate>,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub updated_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::store::dates::MaybeDay)]
    pub received_on: Option<NaiveDate>,
    #[diesel(deserialize_as = crate::store::dates::MaybeDay)]
    pub original_due_on: Option<NaiveDate>,
    pub workspace_id: i64,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = requests)]
pub struct NewRequest {
    pub campaign_id: Option<i64>,
    pub authority_id: i64,
    pub reference: String,
    pub subject: String,
    pub body: String,
    pub regime: String,
    pub state: State,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub workspace_id: i64,
}

/// Everything on a request that follows from its timeline, rewritten after each event.
#[derive(Debug, Clone, AsChangeset)]
#[diesel(table_name = requests, treat_none_as_null = true)]
pub struct DerivedFields {
    pub state: State,
    pub sent_at: Option<NaiveDateTime>,
    pub sent_on: Option<NaiveDate>,
    pub channel: Option<Channel>,
    pub sent_to: Option<String>,
    pub clock_started_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub very_overdue_on: Option<NaiveDate>,
    pub review_due_on: Option<NaiveDate>,
    pub body_reference: Option<String>,
    pub outcome: Option<Outcome>,
    pub responded_on: Option<NaiveDate>,
    pub received_on: Option<NaiveDate>,
    pub original_due_on: Option<NaiveDate>,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub id: i64,
    pub request_id: i64,
    pub kind: EventKind,
    #[diesel(deserialize_as = crate::store::dates::Day)]
    pub occurred_on: NaiveDate,
    pub details: String,
    pub note: Option<String>,
    pub recorded_by: i64,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = events)]
pub struct NewEvent {
    pub request_id: i64,
    pub kind: EventKind,
    pub occurred_on: NaiveDate,
    pub details: String,
    pub note: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = holiday_files)]
pub struct HolidayFileRow {
    pub id: i64,
    pub content: String,
    pub imported_by: i64,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub imported_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = holiday_files)]
pub struct NewHolidayFile<'a> {
    pub content: &'a str,
    pub imported_by: i64,
    pub imported_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = workspaces)]
pub struct WorkspaceRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub created_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::store::dates::MaybeStamp)]
    pub archived_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = memberships)]
pub struct MembershipRow {
    pub workspace_id: i64,
    pub user_id: i64,
    pub role: WorkspaceRole,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub added_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = workspace_contacts, treat_none_as_null = true)]
pub struct ContactRow {
    pub workspace_id: i64,
    pub authority_id: i64,
    pub contact_name: Option<String>,
    pub email: Option<String>,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub updated_at: NaiveDateTime,
}
