//! Carrying a campaign's answers forward to a newer codebook version: alike answers (the same
//! version, question and codes) move together, in two statements, one keeping them as they were
//! in `answer_moves` and one rewriting them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Timestamp};

use super::codings::CodingRow;
use super::schema::{adjudications, answer_moves, codings};
use super::{AnyConnection, StoreResult};

/// What alike answers hold: codes (keys joined by `;`), or a number, or text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Held {
    Codes(String),
    Number,
    Text,
}

impl Held {
    fn of(codes: Option<String>, number: bool) -> Self {
        match (codes, number) {
            (Some(c), _) => Self::Codes(c),
            (None, true) => Self::Number,
            (None, false) => Self::Text,
        }
    }
}

/// Alike answers of a campaign: given with one codebook version, to one question, holding the
/// same codes or the same kind of value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AnswerGroup {
    pub codebook_id: i64,
    pub question: String,
    pub held: Held,
}

/// Where alike answers move: the version, their new codes (for answers with codes), by whom.
pub struct MoveTo {
    pub campaign_id: i64,
    pub codebook_id: i64,
    pub codes: Option<String>,
    pub moved_by: i64,
    pub moved_at: NaiveDateTime,
}

/// Keeps the answers `$filter` picks in `answer_moves` as they were, then rewrites them with
/// `$set`; how many moved.
macro_rules! keep_then_move {
    ($conn:expr, $table:ident, $filter:expr, $coder:expr, $from:expr, $to:expr, $set:expr) => {{
        let (filter, to, from): (_, &MoveTo, i64) = ($filter, $to, $from);
        diesel::insert_into(answer_moves::table)
            .values($table::table.filter(filter.clone()).select((
                $table::campaign_id,
                $table::request_id,
                $table::question,
                $coder,
                from.into_sql::<BigInt>(),
                $table::codes,
                to.codebook_id.into_sql::<BigInt>(),
                to.codes.clone().into_sql::<Nullable<Text>>(),
                to.moved_by.into_sql::<BigInt>(),
                to.moved_at.into_sql::<Timestamp>(),
            )))
            .into_columns((
                answer_moves::campaign_id,
                answer_moves::request_id,
                answer_moves::question,
                answer_moves::coder_id,
                answer_moves::from_codebook_id,
                answer_moves::from_codes,
                answer_moves::to_codebook_id,
                answer_moves::to_codes,
                answer_moves::moved_by,
                answer_moves::moved_at,
            ))
            .execute($conn)?;
        diesel::update($table::table.filter(filter)).set($set).execute($conn)?
    }};
}

/// Runs `$body` with `$f` bound to the filter on `$table` for answers holding what `$held` says
/// (each kind of filter is its own type, so the body is expanded once per kind).
macro_rules! holding {
    ($held:expr, $table:ident, $f:ident => $body:expr) => {
        match $held {
            Held::Codes(c) => {
                let $f = $table::codes.eq(c.clone());
                $body
            }
            Held::Number => {
                let $f = $table::codes.is_null().and($table::number.is_not_null());
                $body
            }
            Held::Text => {
                let $f = $table::codes.is_null().and($table::text.is_not_null());
                $body
            }
        }
    };
}

/// The kinds of answer the campaign's coders gave not with (nor moved to) `codebook_id`.
pub fn coding_groups(
    conn: &mut AnyConnection,
    campaign_id: i64,
    codebook_id: i64,
) -> StoreResult<Vec<AnswerGroup>> {
    let rows: Vec<(i64, String, Option<String>, bool)> = codings::table
        .filter(codings::campaign_id.eq(campaign_id))
        .filter(codings::codebook_id.ne(codebook_id))
        .select((codings::codebook_id, codings::question, codings::codes, codings::number.is_not_null()))
        .distinct()
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(codebook_id, question, codes, number)| AnswerGroup {
            codebook_id,
            question,
            held: Held::of(codes, number),
        })
        .collect())
}

/// The kinds of answer the campaign's adjudicators gave, all with `codebook_id` (the plan's
/// version when they decided).
pub fn adjudication_groups(
    conn: &mut AnyConnection,
    campaign_id: i64,
    codebook_id: i64,
) -> StoreResult<Vec<AnswerGroup>> {
    let rows: Vec<(String, Option<String>, bool)> = adjudications::table
        .filter(adjudications::campaign_id.eq(campaign_id))
        .select((adjudications::question, adjudications::codes, adjudications::number.is_not_null()))
        .distinct()
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(question, codes, number)| AnswerGroup { codebook_id, question, held: Held::of(codes, number) })
        .collect())
}

/// How many of the campaign's coders' answers a group holds.
pub fn coding_count(conn: &mut AnyConnection, campaign_id: i64, group: &AnswerGroup) -> StoreResult<i64> {
    let alike = codings::campaign_id
        .eq(campaign_id)
        .and(codings::codebook_id.eq(group.codebook_id))
        .and(codings::question.eq(group.question.clone()));
    Ok(
        holding!(&group.held, codings, held => codings::table.filter(alike.and(held)).count().get_result(conn)?),
    )
}

/// How many of the campaign's adjudicated answers a group holds.
pub fn adjudication_count(
    conn: &mut AnyConnection,
    campaign_id: i64,
    group: &AnswerGroup,
) -> StoreResult<i64> {
    let alike =
        adjudications::campaign_id.eq(campaign_id).and(adjudications::question.eq(group.question.clone()));
    Ok(holding!(&group.held, adjudications, held => {
        adjudications::table.filter(alike.and(held)).count().get_result(conn)?
    }))
}

/// Moves a group of coders' answers to `to`'s version, and to its codes where they differ (kept
/// as they were in `answer_moves`); how many moved.
pub fn move_codings(conn: &mut AnyConnection, group: &AnswerGroup, to: &MoveTo) -> StoreResult<usize> {
    let alike = codings::campaign_id
        .eq(to.campaign_id)
        .and(codings::codebook_id.eq(group.codebook_id))
        .and(codings::question.eq(group.question.clone()));
    if matches!(&group.held, Held::Codes(c) if Some(c) == to.codes.as_ref()) || to.codes.is_none() {
        // Nothing but the version changes: there is nothing to keep.
        let set = codings::codebook_id.eq(to.codebook_id);
        return Ok(holding!(&group.held, codings, held => {
            diesel::update(codings::table.filter(alike.and(held))).set(set).execute(conn)?
        }));
    }
    let set = (codings::codes.eq(to.codes.clone()), codings::codebook_id.eq(to.codebook_id));
    Ok(holding!(&group.held, codings, held => keep_then_move!(
        conn, codings, alike.and(held), codings::coder_id.nullable(), group.codebook_id, to, set
    )))
}

/// Moves a group of adjudicated answers to `to`'s codes; how many moved.
pub fn move_adjudications(conn: &mut AnyConnection, group: &AnswerGroup, to: &MoveTo) -> StoreResult<usize> {
    let alike =
        adjudications::campaign_id.eq(to.campaign_id).and(adjudications::question.eq(group.question.clone()));
    let set = adjudications::codes.eq(to.codes.clone());
    Ok(holding!(&group.held, adjudications, held => keep_then_move!(
        conn, adjudications, alike.and(held), None::<i64>.into_sql::<Nullable<BigInt>>(), group.codebook_id, to, set
    )))
}

/// Replaces a coder's answer that a move left behind by the answer they give again: keeps it in
/// `answer_moves`, then deletes it so that the new one can be stored.
pub fn replace_coding(conn: &mut AnyConnection, old: &CodingRow, to: &MoveTo) -> StoreResult<()> {
    diesel::insert_into(answer_moves::table)
        .values((
            answer_moves::campaign_id.eq(old.campaign_id),
            answer_moves::request_id.eq(old.request_id),
            answer_moves::question.eq(&old.question),
            answer_moves::coder_id.eq(Some(old.coder_id)),
            answer_moves::from_codebook_id.eq(old.codebook_id),
            answer_moves::from_codes.eq(&old.codes),
            answer_moves::to_codebook_id.eq(to.codebook_id),
            answer_moves::to_codes.eq(&to.codes),
            answer_moves::from_number.eq(old.number),
            answer_moves::from_text.eq(&old.text),
            answer_moves::from_evidence.eq(&old.evidence),
            answer_moves::from_memo.eq(&old.memo),
            answer_moves::answered_at.eq(old.created_at),
            answer_moves::moved_by.eq(to.moved_by),
            answer_moves::moved_at.eq(to.moved_at),
        ))
        .execute(conn)?;
    diesel::delete(codings::table.find(old.id)).execute(conn)?;
    Ok(())
}
