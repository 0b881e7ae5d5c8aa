//! Incoming mail: messages stored once, their links to requests, their attachments, and the
//! lookups that matching needs.

use chrono::NaiveDateTime;
use diesel::expression::SqlLiteral;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::schema::{
    authorities, inbound_attachments, inbound_links, inbound_messages, inbound_scopes, outbox, requests,
};
use super::{AnyConnection, StoreResult, lower};
use crate::domain::inbound::suggest::Classification;
use crate::domain::inbound::{Extraction, MatchedBy, Outcome};
use crate::domain::status::State;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inbound_messages)]
pub struct InboundRow {
    pub id: i64,
    pub sha256: String,
    pub message_id: Option<String>,
    pub workspace_id: Option<i64>,
    pub source: String,
    pub outcome: Outcome,
    pub matched_by: MatchedBy,
    pub reason: Option<String>,
    pub delivery_status: Option<String>,
    pub from_address: Option<String>,
    pub subject: String,
    #[diesel(deserialize_as = crate::store::dates::MaybeStamp)]
    pub sent_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub received_at: NaiveDateTime,
    pub suggestions: String,
    pub size: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = inbound_messages)]
pub struct NewInbound<'a> {
    pub sha256: &'a str,
    pub message_id: Option<&'a str>,
    pub workspace_id: Option<i64>,
    pub source: &'a str,
    pub outcome: Outcome,
    pub matched_by: MatchedBy,
    pub reason: Option<&'a str>,
    pub delivery_status: Option<&'a str>,
    pub from_address: Option<&'a str>,
    pub subject: &'a str,
    pub sent_at: Option<NaiveDateTime>,
    pub received_at: NaiveDateTime,
    pub body_text: &'a str,
    pub body_html: Option<&'a str>,
    pub suggestions: &'a str,
    pub size: i64,
    /// Empty when the message is kept in the raw directory.
    pub raw: &'a [u8],
    pub raw_in_directory: bool,
    pub received_by: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = inbound_links)]
pub struct NewLink {
    pub inbound_id: i64,
    pub request_id: i64,
    pub matched_by: MatchedBy,
    pub sender_mismatch: bool,
    pub linked_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = inbound_attachments)]
pub struct NewAttachment<'a> {
    pub inbound_id: i64,
    pub position: i32,
    pub filename: Option<&'a str>,
    pub declared_type: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub data: &'a [u8],
    pub extraction: Extraction,
    pub extraction_error: Option<&'a str>,
    pub extracted_text: Option<&'a str>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inbound_attachments)]
pub struct AttachmentBrief {
    pub position: i32,
    pub filename: Option<String>,
    pub content_type: String,
    pub extraction: Extraction,
    pub extraction_error: Option<String>,
    /// The first 262,144 characters of the extracted text: enough to show and suggest from,
    /// without reading a whole report for a request's page.
    #[diesel(select_expression = text_head(), select_expression_type = SqlLiteral<Nullable<Text>>)]
    pub text_head: Option<String>,
    /// The extracted text's length in characters.
    #[diesel(select_expression = text_chars(), select_expression_type = SqlLiteral<Nullable<BigInt>>)]
    pub text_chars: Option<i64>,
}

// Both databases count `substr` and `length` of text in characters.
fn text_head() -> SqlLiteral<Nullable<Text>> {
    diesel::dsl::sql("substr(inbound_attachments.extracted_text, 1, 262144)")
}

fn text_chars() -> SqlLiteral<Nullable<BigInt>> {
    diesel::dsl::sql("CAST(length(inbound_attachments.extracted_text) AS BIGINT)")
}

pub fn insert(conn: &mut AnyConnection, row: &NewInbound) -> StoreResult<i64> {
    Ok(diesel::insert_into(inbound_messages::table)
        .values(row)
        .returning(inbound_messages::id)
        .get_result(conn)?)
}

pub fn link(conn: &mut AnyConnection, row: &NewLink) -> StoreResult<()> {
    diesel::insert_into(inbound_links::table).values(row).execute(conn)?;
    Ok(())
}

/// Adds `workspaces` to those a reply belongs to, besides its own, each pair once. A plain
/// insert, never OR IGNORE: SQLite's search index takes the reply out before the key is
/// checked and puts it back after the row is in (see migration 000016).
pub fn add_scopes(conn: &mut AnyConnection, inbound_id: i64, workspaces: &[i64]) -> StoreResult<()> {
    for &workspace_id in workspaces {
        diesel::insert_into(inbound_scopes::table)
            .values((
                inbound_scopes::inbound_id.eq(inbound_id),
                inbound_scopes::workspace_id.eq(workspace_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert_attachment(conn: &mut AnyConnection, row: &NewAttachment) -> StoreResult<()> {
    diesel::insert_into(inbound_attachments::table).values(row).execute(conn)?;
    Ok(())
}

/// The stored message with these bytes, or else with this Message-ID.
pub fn existing(
    conn: &mut AnyConnection,
    sha256: &str,
    message_id: Option<&str>,
) -> StoreResult<Option<InboundRow>> {
    // One statement: both columns are indexed, and each arrival asks.
    let q = inbound_messages::table.select(InboundRow::as_select()).order(inbound_messages::id);
    Ok(match message_id {
        Some(id) => q
            .filter(inbound_messages::sha256.eq(sha256).or(inbound_messages::message_id.eq(id)))
            .first(conn)
            .optional()?,
        None => q.filter(inbound_messages::sha256.eq(sha256)).first(conn).optional()?,
    })
}

/// The references of the requests a message is linked to, in reference order.
pub fn linked_references(conn: &mut AnyConnection, inbound_id: i64) -> StoreResult<Vec<String>> {
    Ok(inbound_links::table
        .inner_join(requests::table)
        .filter(inbound_links::inbound_id.eq(inbound_id))
        .order(requests::reference)
        .select(requests::reference)
        .load(conn)?)
}

pub fn attachments_of(conn: &mut AnyConnection, inbound_id: i64) -> StoreResult<Vec<AttachmentBrief>> {
    Ok(inbound_attachments::table
        .filter(inbound_attachments::inbound_id.eq(inbound_id))
        .order(inbound_attachments::position)
        .select(AttachmentBrief::as_select())
        .load(conn)?)
}

/// A request as matching sees it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = requests)]
pub struct Candidate {
    pub id: i64,
    pub reference: String,
    pub workspace_id: i64,
    pub authority_id: i64,
    #[diesel(deserialize_as = crate::store::dates::MaybeDay)]
    pub sent_on: Option<chrono::NaiveDate>,
}

/// Those of `ids` that are requests.
pub fn requests_by_id(conn: &mut AnyConnection, ids: &[i64]) -> StoreResult<Vec<Candidate>> {
    Ok(requests::table.filter(requests::id.eq_any(ids)).select(Candidate::as_select()).load(conn)?)
}

pub fn requests_by_reference(conn: &mut AnyConnection, references: &[String]) -> StoreResult<Vec<Candidate>> {
    Ok(requests::table
        .filter(requests::reference.eq_any(references))
        .select(Candidate::as_select())
        .load(conn)?)
}

/// Requests whose recorded body reference is one of `references` (compared upper-cased).
pub fn requests_by_body_reference(
    conn: &mut AnyConnection,
    references: &[String],
) -> StoreResult<Vec<(Candidate, String)>> {
    let rows: Vec<(Candidate, Option<String>)> = requests::table
        .filter(requests::body_reference.is_not_null())
        .filter(
            lower(requests::body_reference.assume_not_null())
                .eq_any(references.iter().map(|r| r.to_lowercase())),
        )
        .select((Candidate::as_select(), requests::body_reference))
        .load(conn)?;
    Ok(rows.into_iter().map(|(c, r)| (c, r.unwrap_or_default())).collect())
}

/// Requests whose outgoing mail (request, chaser, review request) has one of these Message-IDs.
pub fn requests_by_outgoing_id(
    conn: &mut AnyConnection,
    message_ids: &[String],
) -> StoreResult<Vec<Candidate>> {
    let ids: Vec<Option<i64>> =
        outbox::table.filter(outbox::message_id.eq_any(message_ids)).select(outbox::request_id).load(conn)?;
    let ids: Vec<i64> = ids.into_iter().flatten().collect();
    requests_by_id(conn, &ids)
}

/// Requests awaiting an answer from the one body whose address is at `domain` (lower case);
/// none when no body or several are. Only in `workspace` when it is set.
pub fn open_requests_at_domain(
    conn: &mut AnyConnection,
    domain: &str,
    workspace: Option<i64>,
) -> StoreResult<Vec<Candidate>> {
    let pattern = format!("%@{}", super::escape_like(domain));
    // The bodies first (a few hundred rows), then their requests by the authority index: the
    // other way round reads every open request.
    let bodies: Vec<i64> = authorities::table
        .filter(lower(authorities::email.assume_not_null()).like(pattern).escape('\\'))
        .select(authorities::id)
        .limit(2)
        .load(conn)?;
    // A domain several bodies share (nhs.net) says nothing about which one wrote.
    if bodies.len() != 1 {
        return Ok(Vec::new());
    }
    let mut q = requests::table
        .filter(requests::authority_id.eq_any(bodies))
        .filter(requests::state.eq_any(State::OPEN))
        .select(Candidate::as_select())
        .into_boxed();
    if let Some(ws) = workspace {
        q = q.filter(requests::workspace_id.eq(ws));
    }
    Ok(q.limit(20).load(conn)?)
}

/// The ids and subjects of the latest `limit` requests that were sent, in `workspace` when it
/// is set.
pub fn sent_subjects(
    conn: &mut AnyConnection,
    workspace: Option<i64>,
    limit: i64,
) -> StoreResult<Vec<(i64, String)>> {
    let mut q = requests::table
        .filter(requests::sent_on.is_not_null())
        .select((requests::id, requests::subject))
        .order(requests::id.desc())
        .into_boxed();
    if let Some(ws) = workspace {
        q = q.filter(requests::workspace_id.eq(ws));
    }
    Ok(q.limit(limit).load(conn)?)
}

pub fn by_id(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<InboundRow>> {
    Ok(inbound_messages::table.find(id).select(InboundRow::as_select()).first(conn).optional()?)
}

type Boxed<'a> = inbound_messages::BoxedQuery<'a, super::multi_connection_impl::MultiBackend>;

/// The holding pens of `workspaces`, and with `site` the site-wide one: responses and
/// acknowledgements matched to no request and not discarded.
fn pen_query(workspaces: &[i64], site: bool) -> Boxed<'_> {
    use diesel::dsl::{exists, not};
    let linked = inbound_links::table.filter(inbound_links::inbound_id.eq(inbound_messages::id));
    let q = inbound_messages::table
        .into_boxed()
        .filter(inbound_messages::outcome.eq_any([Outcome::Response, Outcome::Acknowledgement]))
        .filter(inbound_messages::discarded_at.is_null())
        .filter(not(exists(linked)));
    if site {
        q.filter(
            inbound_messages::workspace_id.eq_any(workspaces).or(inbound_messages::workspace_id.is_null()),
        )
    } else {
        q.filter(inbound_messages::workspace_id.eq_any(workspaces))
    }
}

/// One page of the pens, newest first, each message with its text, and how many wait in them.
pub fn pen(
    conn: &mut AnyConnection,
    workspaces: &[i64],
    site: bool,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<(InboundRow, String)>, i64)> {
    let rows = pen_query(workspaces, site)
        .order(inbound_messages::id.desc())
        .limit(limit)
        .offset(offset)
        .select((InboundRow::as_select(), inbound_messages::body_text))
        .load(conn)?;
    let total = pen_query(workspaces, site).count().get_result(conn)?;
    Ok((rows, total))
}

/// A message of these pens, by id.
pub fn in_pen(
    conn: &mut AnyConnection,
    workspaces: &[i64],
    site: bool,
    id: i64,
) -> StoreResult<Option<InboundRow>> {
    Ok(pen_query(workspaces, site)
        .filter(inbound_messages::id.eq(id))
        .select(InboundRow::as_select())
        .first(conn)
        .optional()?)
}

/// Records that a researcher assigned a message to a request in `workspace_id`.
pub fn assigned(conn: &mut AnyConnection, id: i64, workspace_id: i64) -> StoreResult<()> {
    diesel::update(inbound_messages::table.find(id))
        .set((
            inbound_messages::workspace_id.eq(workspace_id),
            inbound_messages::matched_by.eq(MatchedBy::Researcher),
        ))
        .execute(conn)?;
    Ok(())
}

/// Takes a message out of its pen for good; false if it was already discarded.
pub fn discard(
    conn: &mut AnyConnection,
    id: i64,
    by: i64,
    at: NaiveDateTime,
    reason: &str,
) -> StoreResult<bool> {
    let n = diesel::update(inbound_messages::table.find(id).filter(inbound_messages::discarded_at.is_null()))
        .set((
            inbound_messages::discarded_at.eq(at),
            inbound_messages::discarded_by.eq(by),
            inbound_messages::discard_reason.eq(reason),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Whether a message still waits, inside a write transaction: matched to no request, not
/// discarded.
pub fn still_waiting(conn: &mut AnyConnection, id: i64) -> StoreResult<bool> {
    // PostgreSQL locks the row, so two researchers assigning it at once go one after the
    // other; SQLite's write transaction already excludes other writers.
    let q = inbound_messages::table.find(id).select(inbound_messages::discarded_at);
    let discarded: Option<Option<NaiveDateTime>> = match conn {
        AnyConnection::Postgres(c) => q.for_update().first(c).optional()?,
        AnyConnection::Sqlite(c) => q.first(c).optional()?,
    };
    let links: i64 =
        inbound_links::table.filter(inbound_links::inbound_id.eq(id)).count().get_result(conn)?;
    Ok(matches!(discarded, Some(None)) && links == 0)
}

/// Where a message's raw bytes are: here, or in the raw directory under its SHA-256.
pub enum Raw {
    Here(Vec<u8>),
    InDirectory { sha256: String },
}

pub fn raw(conn: &mut AnyConnection, id: i64) -> StoreResult<Raw> {
    let (raw, in_directory, sha256): (Vec<u8>, bool, String) = inbound_messages::table
        .find(id)
        .select((inbound_messages::raw, inbound_messages::raw_in_directory, inbound_messages::sha256))
        .first(conn)?;
    Ok(if in_directory { Raw::InDirectory { sha256 } } else { Raw::Here(raw) })
}

/// A message as a request's timeline lists it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inbound_messages)]
pub struct IncomingBrief {
    pub id: i64,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub received_at: NaiveDateTime,
    #[diesel(deserialize_as = crate::store::dates::MaybeStamp)]
    pub sent_at: Option<NaiveDateTime>,
    pub from_address: Option<String>,
    pub subject: String,
    pub outcome: Outcome,
    pub delivery_status: Option<String>,
    pub body_text: String,
    pub body_html: Option<String>,
}

/// The messages linked to a request, in the order they arrived, with how each was matched and
/// whether its sender was flagged.
pub fn linked_to(conn: &mut AnyConnection, request_id: i64) -> StoreResult<Vec<(IncomingBrief, LinkBrief)>> {
    Ok(super::native!(conn, |c| inbound_links::table
        .inner_join(inbound_messages::table)
        .filter(inbound_links::request_id.eq(request_id))
        .order(inbound_messages::id)
        .select((IncomingBrief::as_select(), LinkBrief::as_select()))
        .load(c))?)
}

/// How a message came to a request, and what a researcher said it is.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inbound_links)]
pub struct LinkBrief {
    pub matched_by: MatchedBy,
    pub sender_mismatch: bool,
    pub classification: Option<Classification>,
    #[diesel(column_name = classified_event_id)]
    pub event_id: Option<i64>,
}

/// The attachments of these messages, by message, in order.
pub fn attachments_of_many(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> StoreResult<Vec<(i64, AttachmentBrief)>> {
    Ok(inbound_attachments::table
        .filter(inbound_attachments::inbound_id.eq_any(ids))
        .order((inbound_attachments::inbound_id, inbound_attachments::position))
        .select((inbound_attachments::inbound_id, AttachmentBrief::as_select()))
        .load(conn)?)
}

/// What a researcher said a message is for one of its requests.
#[derive(Debug, Clone, Queryable)]
pub struct LinkClassification {
    pub classification: Option<Classification>,
    pub event_id: Option<i64>,
}

/// The classification of the link between a message and a request; `None` when they are not
/// linked.
pub fn link_classification(
    conn: &mut AnyConnection,
    inbound_id: i64,
    request_id: i64,
) -> StoreResult<Option<LinkClassification>> {
    Ok(inbound_links::table
        .find((inbound_id, request_id))
        .select((inbound_links::classification, inbound_links::classified_event_id))
        .first::<LinkClassification>(conn)
        .optional()?)
}

/// Records a researcher's classification on the link, with the event it recorded.
pub fn classify_link(
    conn: &mut AnyConnection,
    inbound_id: i64,
    request_id: i64,
    classification: Classification,
    event_id: Option<i64>,
    by: i64,
    at: NaiveDateTime,
) -> StoreResult<()> {
    diesel::update(inbound_links::table.find((inbound_id, request_id)))
        .set((
            inbound_links::classification.eq(Some(classification)),
            inbound_links::classified_event_id.eq(event_id),
            inbound_links::classified_by.eq(Some(by)),
            inbound_links::classified_at.eq(Some(at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A reply's attached file, as it came.
#[derive(Debug, Clone, Queryable)]
pub struct AttachmentFile {
    pub filename: Option<String>,
    /// As sniffed from the content when it was stored.
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// An attachment's file of a message linked to a request.
pub fn attachment_file(
    conn: &mut AnyConnection,
    request_id: i64,
    message_id: i64,
    position: i32,
) -> StoreResult<Option<AttachmentFile>> {
    let linked = inbound_links::table
        .filter(inbound_links::request_id.eq(request_id))
        .filter(inbound_links::inbound_id.eq(message_id))
        .select(inbound_links::inbound_id);
    Ok(inbound_attachments::table
        .filter(inbound_attachments::inbound_id.eq_any(linked))
        .filter(inbound_attachments::position.eq(position))
        .select((inbound_attachments::filename, inbound_attachments::content_type, inbound_attachments::data))
        .first(conn)
        .optional()?)
}

/// A response on a request that no researcher has classified yet.
#[derive(Debug, Clone, Queryable)]
pub struct Unclassified {
    pub request_id: i64,
    pub reference: String,
    pub from_address: Option<String>,
    pub subject: String,
    pub received_at: NaiveDateTime,
}

/// The responses of these workspaces' requests waiting to be classified, newest first, and how
/// many there are.
pub fn unclassified(
    conn: &mut AnyConnection,
    workspaces: &[i64],
    limit: i64,
) -> StoreResult<(Vec<Unclassified>, i64)> {
    // SQLite, without statistics, would read every request of the workspaces for its links;
    // `+workspace_id` sends it to the few unclassified links (`inbound_links_unclassified`).
    let sqlite = matches!(conn, AnyConnection::Sqlite(_));
    let waiting = || {
        let q = inbound_links::table
            .inner_join(inbound_messages::table)
            .inner_join(requests::table)
            .filter(inbound_links::classification.is_null())
            .filter(inbound_messages::outcome.eq(Outcome::Response))
            .into_boxed();
        if sqlite {
            q.filter(diesel::dsl::sql::<BigInt>("+requests.workspace_id").eq_any(workspaces))
        } else {
            q.filter(requests::workspace_id.eq_any(workspaces))
        }
    };
    let total = waiting().count().get_result(conn)?;
    let rows = waiting()
        .order((inbound_messages::received_at.desc(), inbound_messages::id.desc()))
        .select((
            requests::id,
            requests::reference,
            inbound_messages::from_address,
            inbound_messages::subject,
            inbound_messages::received_at,
        ))
        .limit(limit)
        .load(conn)?;
    Ok((rows, total))
}
