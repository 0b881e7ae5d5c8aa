//! Coding plans, codings, adjudications and the final answers kept from them. Every query here
//! runs within one campaign, found through the caller's scope first (see [`super::workspaces::Scope`]).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::RequestRow;
use super::schema::{
    adjudications, authorities, coding_coders, coding_plans, codings, final_codes, inbound_attachments,
    inbound_links, inbound_messages, requests, users,
};
use super::{AnyConnection, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = coding_plans)]
pub struct PlanRow {
    pub campaign_id: i64,
    pub codebook_id: i64,
    pub double_percent: i32,
    pub seed: i64,
    pub updated_by: i64,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub updated_at: NaiveDateTime,
}

/// A campaign's plan and its coders, in the order they were named.
pub fn plan(conn: &mut AnyConnection, campaign_id: i64) -> StoreResult<Option<(PlanRow, Vec<i64>)>> {
    let Some(plan) =
        coding_plans::table.find(campaign_id).select(PlanRow::as_select()).first(conn).optional()?
    else {
        return Ok(None);
    };
    let coders = coding_coders::table
        .filter(coding_coders::campaign_id.eq(campaign_id))
        .order(coding_coders::position.asc())
        .select(coding_coders::user_id)
        .load(conn)?;
    Ok(Some((plan, coders)))
}

/// Writes a campaign's plan and its coders, replacing any earlier one.
pub fn put_plan(conn: &mut AnyConnection, plan: &PlanRow, coders: &[i64]) -> StoreResult<()> {
    diesel::delete(coding_coders::table.filter(coding_coders::campaign_id.eq(plan.campaign_id)))
        .execute(conn)?;
    diesel::delete(coding_plans::table.find(plan.campaign_id)).execute(conn)?;
    diesel::insert_into(coding_plans::table).values(plan).execute(conn)?;
    // A few coders: one statement each (multi-row inserts are not available through the
    // multi-backend connection).
    for (&user_id, position) in coders.iter().zip(0..) {
        diesel::insert_into(coding_coders::table)
            .values((
                coding_coders::campaign_id.eq(plan.campaign_id),
                coding_coders::user_id.eq(user_id),
                coding_coders::position.eq::<i32>(position),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// One answer as stored: exactly one of `codes` (keys joined by `;`), `number` and `text`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = codings)]
pub struct CodingRow {
    pub id: i64,
    pub workspace_id: i64,
    pub campaign_id: i64,
    pub request_id: i64,
    pub codebook_id: i64,
    pub question: String,
    pub coder_id: i64,
    pub codes: Option<String>,
    pub number: Option<f64>,
    pub text: Option<String>,
    /// The passages quoted as evidence, as JSON.
    pub evidence: String,
    pub memo: String,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = codings)]
pub struct NewCoding<'a> {
    pub workspace_id: i64,
    pub campaign_id: i64,
    pub request_id: i64,
    pub codebook_id: i64,
    pub question: &'a str,
    pub coder_id: i64,
    pub codes: Option<String>,
    pub number: Option<f64>,
    pub text: Option<&'a str>,
    pub evidence: String,
    pub memo: &'a str,
    pub created_at: NaiveDateTime,
}

/// Stores one answer; a second answer by the same coder to the same question about the same
/// request fails as a duplicate.
pub fn insert(conn: &mut AnyConnection, new: &NewCoding) -> StoreResult<CodingRow> {
    Ok(diesel::insert_into(codings::table).values(new).get_result::<CodingRow>(conn)?)
}

/// Every answer about one request, oldest first.
pub fn of_request(conn: &mut AnyConnection, request_id: i64) -> StoreResult<Vec<CodingRow>> {
    Ok(codings::table
        .filter(codings::request_id.eq(request_id))
        .order(codings::id.asc())
        .select(CodingRow::as_select())
        .load(conn)?)
}

/// Every answer about these requests.
pub fn of_requests(conn: &mut AnyConnection, ids: &[i64]) -> StoreResult<Vec<CodingRow>> {
    let mut out = Vec::new();
    // Bounded lists keep under SQLite's limit on bound parameters.
    for chunk in ids.chunks(10_000) {
        out.extend(
            codings::table
                .filter(codings::request_id.eq_any(chunk))
                .order(codings::id.asc())
                .select(CodingRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// The questions on which coders disagree with no decision: request id, reference, question.
pub fn undecided(conn: &mut AnyConnection, campaign_id: i64) -> StoreResult<Vec<(i64, String, String)>> {
    Ok(final_codes::table
        .inner_join(requests::table)
        .filter(final_codes::campaign_id.eq(campaign_id))
        .filter(final_codes::undecided.eq(true))
        .filter(final_codes::applies.eq(true))
        .order((requests::reference.asc(), final_codes::question.asc()))
        .select((final_codes::request_id, requests::reference, final_codes::question))
        .load(conn)?)
}

/// Every answer to one question about one request.
pub fn of_question(conn: &mut AnyConnection, request_id: i64, question: &str) -> StoreResult<Vec<CodingRow>> {
    Ok(codings::table
        .filter(codings::request_id.eq(request_id))
        .filter(codings::question.eq(question))
        .order(codings::id.asc())
        .select(CodingRow::as_select())
        .load(conn)?)
}

/// Every answer in a campaign, by request then oldest first, with its coder's email.
pub fn of_campaign(conn: &mut AnyConnection, campaign_id: i64) -> StoreResult<Vec<(CodingRow, String)>> {
    Ok(codings::table
        .inner_join(users::table)
        .filter(codings::campaign_id.eq(campaign_id))
        .order((codings::request_id.asc(), codings::id.asc()))
        .select((CodingRow::as_select(), users::email))
        .load(conn)?)
}

/// The emails of these users.
pub fn emails(conn: &mut AnyConnection, ids: &[i64]) -> StoreResult<Vec<(i64, String)>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(10_000) {
        out.extend(
            users::table.filter(users::id.eq_any(chunk)).select((users::id, users::email)).load(conn)?,
        );
    }
    Ok(out)
}

/// Whether a user has answered anything in a campaign.
pub fn codes_campaign(conn: &mut AnyConnection, campaign_id: i64, user_id: i64) -> StoreResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        codings::table.filter(codings::campaign_id.eq(campaign_id)).filter(codings::coder_id.eq(user_id)),
    ))
    .get_result(conn)?)
}

/// Whether anyone has answered anything in a campaign.
pub fn codes_campaign_at_all(conn: &mut AnyConnection, campaign_id: i64) -> StoreResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(codings::table.filter(codings::campaign_id.eq(campaign_id))))
        .get_result(conn)?)
}

/// The text a passage of evidence quotes: the body of a message linked to the request, or an
/// attachment's extracted text (by its position in the message). `None` when the message is not
/// linked to the request, or has no such attachment, or it has no text.
pub fn source_text(
    conn: &mut AnyConnection,
    request_id: i64,
    message_id: i64,
    attachment: Option<i32>,
) -> StoreResult<Option<String>> {
    let linked = diesel::select(diesel::dsl::exists(
        inbound_links::table
            .filter(inbound_links::request_id.eq(request_id))
            .filter(inbound_links::inbound_id.eq(message_id)),
    ))
    .get_result::<bool>(conn)?;
    if !linked {
        return Ok(None);
    }
    Ok(match attachment {
        None => inbound_messages::table
            .find(message_id)
            .select(inbound_messages::body_text)
            .first(conn)
            .optional()?,
        Some(position) => inbound_attachments::table
            .filter(inbound_attachments::inbound_id.eq(message_id))
            .filter(inbound_attachments::position.eq(position))
            .select(inbound_attachments::extracted_text)
            .first::<Option<String>>(conn)
            .optional()?
            .flatten(),
    })
}

/// A campaign's requests by reference, each with its body's ODS code and name.
pub fn campaign_requests(
    conn: &mut AnyConnection,
    campaign_id: i64,
) -> StoreResult<Vec<(RequestRow, Option<String>, String)>> {
    Ok(requests::table
        .inner_join(authorities::table)
        .filter(requests::campaign_id.eq(campaign_id))
        .order(requests::reference.asc())
        .select((RequestRow::as_select(), authorities::ods_code, authorities::name))
        .load(conn)?)
}

/// The decided final answers of a campaign where their question applies.
pub fn finals_of_campaign(conn: &mut AnyConnection, campaign_id: i64) -> StoreResult<Vec<FinalRow>> {
    Ok(final_codes::table
        .filter(final_codes::campaign_id.eq(campaign_id))
        .filter(final_codes::applies.eq(true))
        .filter(final_codes::undecided.eq(false))
        .order(final_codes::id.asc())
        .select(FinalRow::as_select())
        .load(conn)?)
}

/// The text of each reply to a campaign's requests, and of their attachments: request id, the
/// message's text, and each attachment's extracted text.
pub fn reply_texts(
    conn: &mut AnyConnection,
    campaign_id: i64,
) -> StoreResult<Vec<(i64, String, Vec<String>)>> {
    let messages: Vec<(i64, i64, String)> = inbound_links::table
        .inner_join(inbound_messages::table)
        .inner_join(requests::table)
        .filter(requests::campaign_id.eq(campaign_id))
        .order((inbound_links::request_id.asc(), inbound_messages::id.asc()))
        .select((inbound_links::request_id, inbound_messages::id, inbound_messages::body_text))
        .load(conn)?;
    let mut out = Vec::with_capacity(messages.len());
    for (request_id, message_id, text) in messages {
        let attachments: Vec<Option<String>> = inbound_attachments::table
            .filter(inbound_attachments::inbound_id.eq(message_id))
            .order(inbound_attachments::position.asc())
            .select(inbound_attachments::extracted_text)
            .load(conn)?;
        out.push((request_id, text, attachments.into_iter().flatten().collect()));
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = final_codes)]
pub struct FinalRow {
    pub request_id: i64,
    pub question: String,
    pub code: Option<String>,
    pub number: Option<f64>,
    pub undecided: bool,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = adjudications)]
pub struct AdjudicationRow {
    pub id: i64,
    pub workspace_id: i64,
    pub campaign_id: i64,
    pub request_id: i64,
    pub question: String,
    pub codes: Option<String>,
    pub number: Option<f64>,
    pub text: Option<String>,
    pub rationale: String,
    pub adjudicator_id: i64,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub decided_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = adjudications)]
pub struct NewAdjudication<'a> {
    pub workspace_id: i64,
    pub campaign_id: i64,
    pub request_id: i64,
    pub question: &'a str,
    pub codes: Option<String>,
    pub number: Option<f64>,
    pub text: Option<&'a str>,
    pub rationale: &'a str,
    pub adjudicator_id: i64,
    pub decided_at: NaiveDateTime,
}

/// Records a decision, replacing an earlier one on the same question.
pub fn put_adjudication(conn: &mut AnyConnection, new: &NewAdjudication) -> StoreResult<AdjudicationRow> {
    diesel::delete(
        adjudications::table
            .filter(adjudications::request_id.eq(new.request_id))
            .filter(adjudications::question.eq(new.question)),
    )
    .execute(conn)?;
    Ok(diesel::insert_into(adjudications::table).values(new).get_result(conn)?)
}

pub fn adjudication(
    conn: &mut AnyConnection,
    request_id: i64,
    question: &str,
) -> StoreResult<Option<AdjudicationRow>> {
    Ok(adjudications::table
        .filter(adjudications::request_id.eq(request_id))
        .filter(adjudications::question.eq(question))
        .select(AdjudicationRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn adjudications_of_request(
    conn: &mut AnyConnection,
    request_id: i64,
) -> StoreResult<Vec<AdjudicationRow>> {
    Ok(adjudications::table
        .filter(adjudications::request_id.eq(request_id))
        .select(AdjudicationRow::as_select())
        .load(conn)?)
}

pub fn adjudications_of_campaign(
    conn: &mut AnyConnection,
    campaign_id: i64,
) -> StoreResult<Vec<AdjudicationRow>> {
    Ok(adjudications::table
        .filter(adjudications::campaign_id.eq(campaign_id))
        .order((adjudications::request_id.asc(), adjudications::question.asc()))
        .select(AdjudicationRow::as_select())
        .load(conn)?)
}

/// One row of a final answer (see the migration for the shapes).
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = final_codes)]
pub struct NewFinal {
    pub campaign_id: i64,
    pub request_id: i64,
    pub question: String,
    pub code: Option<String>,
    pub number: Option<f64>,
    pub undecided: bool,
    /// Whether the question applies, given the final answer its condition names.
    pub applies: bool,
    /// The body's region.
    pub region: Option<String>,
}

/// Whether a request's final answer to `question` applies, is decided, and has one of `codes`.
pub fn final_has(
    conn: &mut AnyConnection,
    request_id: i64,
    question: &str,
    codes: &[String],
) -> StoreResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        final_codes::table
            .filter(final_codes::request_id.eq(request_id))
            .filter(final_codes::question.eq(question))
            .filter(final_codes::applies.eq(true))
            .filter(final_codes::undecided.eq(false))
            .filter(final_codes::code.eq_any(codes)),
    ))
    .get_result(conn)?)
}

/// Sets whether a request's final answer to `question` applies.
pub fn set_applies(
    conn: &mut AnyConnection,
    request_id: i64,
    question: &str,
    applies: bool,
) -> StoreResult<()> {
    diesel::update(
        final_codes::table
            .filter(final_codes::request_id.eq(request_id))
            .filter(final_codes::question.eq(question)),
    )
    .set(final_codes::applies.eq(applies))
    .execute(conn)?;
    Ok(())
}

/// The requests of a campaign that have answers, each once.
pub fn coded_requests(conn: &mut AnyConnection, campaign_id: i64) -> StoreResult<Vec<i64>> {
    Ok(codings::table
        .filter(codings::campaign_id.eq(campaign_id))
        .select(codings::request_id)
        .distinct()
        .order(codings::request_id.asc())
        .load(conn)?)
}

/// Forgets a campaign's final answers, before they are decided again under another codebook.
pub fn delete_finals(conn: &mut AnyConnection, campaign_id: i64) -> StoreResult<()> {
    diesel::delete(final_codes::table.filter(final_codes::campaign_id.eq(campaign_id))).execute(conn)?;
    Ok(())
}

/// The region of a request's body.
pub fn region_of(conn: &mut AnyConnection, request_id: i64) -> StoreResult<Option<String>> {
    Ok(requests::table
        .inner_join(authorities::table)
        .filter(requests::id.eq(request_id))
        .select(authorities::region)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// Replaces the final answer of one question about one request with `rows` (none when no one
/// has answered it).
pub fn replace_finals(
    conn: &mut AnyConnection,
    request_id: i64,
    question: &str,
    rows: &[NewFinal],
) -> StoreResult<()> {
    diesel::delete(
        final_codes::table
            .filter(final_codes::request_id.eq(request_id))
            .filter(final_codes::question.eq(question)),
    )
    .execute(conn)?;
    for row in rows {
        diesel::insert_into(final_codes::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// A text a coder may quote from: a message's own text (no `position`) or an attachment's
/// extracted text.
#[derive(Debug, Clone)]
pub struct QuotableText {
    pub message_id: i64,
    pub position: Option<i32>,
    /// The message's subject, or the attachment's file name.
    pub name: Option<String>,
    pub text: String,
}

/// The texts of a request's replies (responses and acknowledgements), message by message, each
/// message's own text before its attachments'.
pub fn quotable_texts(conn: &mut AnyConnection, request_id: i64) -> StoreResult<Vec<QuotableText>> {
    use crate::domain::inbound::Outcome;
    let messages: Vec<(i64, String, String)> = inbound_links::table
        .inner_join(inbound_messages::table)
        .filter(inbound_links::request_id.eq(request_id))
        .filter(inbound_messages::outcome.eq_any([Outcome::Response, Outcome::Acknowledgement]))
        .order(inbound_messages::id.asc())
        .select((inbound_messages::id, inbound_messages::subject, inbound_messages::body_text))
        .load(conn)?;
    let ids: Vec<i64> = messages.iter().map(|m| m.0).collect();
    let mut files: Vec<(i64, i32, Option<String>, Option<String>)> = inbound_attachments::table
        .filter(inbound_attachments::inbound_id.eq_any(&ids))
        .filter(inbound_attachments::extracted_text.is_not_null())
        .order((inbound_attachments::inbound_id.asc(), inbound_attachments::position.asc()))
        .select((
            inbound_attachments::inbound_id,
            inbound_attachments::position,
            inbound_attachments::filename,
            inbound_attachments::extracted_text,
        ))
        .load(conn)?;
    let mut out = Vec::with_capacity(messages.len() + files.len());
    for (message_id, subject, text) in messages {
        out.push(QuotableText { message_id, position: None, name: Some(subject), text });
        let (mine, rest): (Vec<_>, Vec<_>) = files.into_iter().partition(|f| f.0 == message_id);
        files = rest;
        out.extend(mine.into_iter().map(|(message_id, position, name, text)| QuotableText {
            message_id,
            position: Some(position),
            name,
            text: text.unwrap_or_default(),
        }));
    }
    Ok(out)
}

/// A campaign's requests that have a response to code, by reference: the coders' queue.
pub fn replied_requests(conn: &mut AnyConnection, campaign_id: i64) -> StoreResult<Vec<(i64, String)>> {
    use crate::domain::inbound::Outcome;
    let replied = inbound_links::table
        .inner_join(inbound_messages::table)
        .filter(inbound_messages::outcome.eq(Outcome::Response))
        .select(inbound_links::request_id);
    Ok(requests::table
        .filter(requests::campaign_id.eq(campaign_id))
        .filter(requests::id.eq_any(replied))
        .order(requests::reference.asc())
        .select((requests::id, requests::reference))
        .load(conn)?)
}

/// The campaigns, among these workspaces', whose coding plan names this coder.
pub fn campaigns_coded_by(
    conn: &mut AnyConnection,
    workspaces: &[i64],
    user_id: i64,
) -> StoreResult<Vec<(i64, String)>> {
    use super::schema::campaigns;
    Ok(coding_coders::table
        .inner_join(campaigns::table.on(campaigns::id.eq(coding_coders::campaign_id)))
        .filter(coding_coders::user_id.eq(user_id))
        .filter(campaigns::workspace_id.eq_any(workspaces))
        .order(campaigns::id.asc())
        .select((campaigns::id, campaigns::title))
        .load(conn)?)
}

/// The requests of a campaign a coder has answered anything about.
pub fn coded_by(conn: &mut AnyConnection, campaign_id: i64, user_id: i64) -> StoreResult<Vec<i64>> {
    Ok(codings::table
        .filter(codings::campaign_id.eq(campaign_id))
        .filter(codings::coder_id.eq(user_id))
        .select(codings::request_id)
        .distinct()
        .load(conn)?)
}
