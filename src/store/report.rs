//! The counts behind a campaign's report, each computed in the database: the report reads a few
//! hundred grouped rows, never a campaign's codings.

use chrono::NaiveDate;
use diesel::dsl::{Eq, Filter, count, count_star, sql};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::schema::{final_codes, requests};
use super::{AnyConnection, StoreResult};

/// How a campaign's requests fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResponseCounts {
    pub bodies: i64,
    pub sent: i64,
    pub responded: i64,
    pub on_time: i64,
    pub late: i64,
}

pub fn responses(conn: &mut AnyConnection, campaign_id: i64) -> StoreResult<ResponseCounts> {
    // One pass over the campaign's entries in `requests_response_dates`, each count a sum.
    let sum = |holds: &str| {
        sql::<BigInt>(&format!("CAST(COALESCE(SUM(CASE WHEN {holds} THEN 1 ELSE 0 END), 0) AS BIGINT)"))
    };
    let (bodies, sent, responded, on_time, late) = requests::table
        .filter(requests::campaign_id.eq(campaign_id))
        .select((
            count_star(),
            sum("sent_on IS NOT NULL"),
            sum("responded_on IS NOT NULL"),
            sum("responded_on <= due_on"),
            sum("responded_on > due_on"),
        ))
        .first::<(i64, i64, i64, i64, i64)>(conn)?;
    Ok(ResponseCounts { bodies, sent, responded, on_time, late })
}

/// Responded requests grouped by regime, date of receipt and date of response, with how many
/// share each: the service counts the working days of each group once.
pub fn response_dates(
    conn: &mut AnyConnection,
    campaign_id: i64,
) -> StoreResult<Vec<(String, NaiveDate, NaiveDate, i64)>> {
    let rows: Vec<(String, Option<NaiveDate>, Option<NaiveDate>, i64)> = requests::table
        .filter(requests::campaign_id.eq(campaign_id))
        .filter(requests::responded_on.is_not_null())
        .filter(requests::received_on.is_not_null())
        .group_by((requests::regime, requests::received_on, requests::responded_on))
        .select((requests::regime, requests::received_on, requests::responded_on, count_star()))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(g, a, b, n)| Some((g, a?, b?, n))).collect())
}

/// The condition a question applies under: the final answer to `question` has one of `codes`.
#[derive(Debug, Clone, Copy)]
pub struct Only<'a> {
    pub question: &'a str,
    pub codes: &'a [String],
}

/// The type of [`finals`]: each filter wraps the query before it.
type Finals<'a> = Filter<
    Filter<
        Filter<
            Filter<final_codes::table, Eq<final_codes::campaign_id, i64>>,
            Eq<final_codes::question, &'a str>,
        >,
        Eq<final_codes::applies, bool>,
    >,
    Eq<final_codes::undecided, bool>,
>;

/// A question's final rows in a campaign where it applies, decided or not.
fn finals(campaign_id: i64, question: &str, undecided: bool) -> Finals<'_> {
    final_codes::table
        .filter(final_codes::campaign_id.eq(campaign_id))
        .filter(final_codes::question.eq(question))
        .filter(final_codes::applies.eq(true))
        .filter(final_codes::undecided.eq(undecided))
}

/// Each final code of a question where it applies, with the region of the body, and how many
/// requests have it.
pub fn code_counts(
    conn: &mut AnyConnection,
    campaign_id: i64,
    question: &str,
) -> StoreResult<Vec<(String, Option<String>, i64)>> {
    let rows: Vec<(Option<String>, Option<String>, i64)> = finals(campaign_id, question, false)
        .filter(final_codes::code.is_not_null())
        .group_by((final_codes::code, final_codes::region))
        .select((final_codes::code, final_codes::region, count_star()))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(code, region, n)| Some((code?, region, n))).collect())
}

/// Requests with a final answer to a question where it applies (`undecided` false), or with
/// coders disagreeing and no decision (`undecided` true). `one_row_each`: the question's
/// answers take one row a request (all but multiple choice), so rows need not be told apart.
pub fn answered(
    conn: &mut AnyConnection,
    campaign_id: i64,
    question: &str,
    undecided: bool,
    one_row_each: bool,
) -> StoreResult<i64> {
    let q = finals(campaign_id, question, undecided);
    Ok(if one_row_each || undecided {
        q.count().get_result(conn)?
    } else {
        q.select(count(final_codes::request_id).aggregate_distinct()).first(conn)?
    })
}

/// Requests whose final answer to `only.question` applies and has one of `only.codes`: the
/// denominator of the questions that apply under that condition. `one_row_each` as above.
pub fn applicable(
    conn: &mut AnyConnection,
    campaign_id: i64,
    only: Only,
    one_row_each: bool,
) -> StoreResult<i64> {
    let q = finals(campaign_id, only.question, false).filter(final_codes::code.eq_any(only.codes));
    Ok(if one_row_each {
        q.count().get_result(conn)?
    } else {
        q.select(count(final_codes::request_id).aggregate_distinct()).first(conn)?
    })
}

/// A number question's final values where it applies: how many, the least, the greatest, and
/// the values at the ranks asked for (0-based, in ascending order).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Numbers {
    pub count: i64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub at_ranks: Vec<f64>,
}

/// A number question's [`Numbers`]; `ranks(count)` says which ranks its quantiles need.
pub fn number_summary(
    conn: &mut AnyConnection,
    campaign_id: i64,
    question: &str,
    ranks: impl Fn(i64) -> Vec<i64>,
) -> StoreResult<Numbers> {
    let q = finals(campaign_id, question, false).filter(final_codes::number.is_not_null());
    let count: i64 = q.count().get_result(conn)?;
    let min: Option<f64> = q.select(diesel::dsl::min(final_codes::number)).first(conn)?;
    let max: Option<f64> = q.select(diesel::dsl::max(final_codes::number)).first(conn)?;
    let mut at_ranks = Vec::new();
    for rank in ranks(count) {
        let v: Option<f64> =
            q.order(final_codes::number.asc()).offset(rank).select(final_codes::number).first(conn)?;
        at_ranks.extend(v);
    }
    Ok(Numbers { count, min, max, at_ranks })
}

/// Responses by the day they came, for the timeline.
pub fn responses_by_day(conn: &mut AnyConnection, campaign_id: i64) -> StoreResult<Vec<(NaiveDate, i64)>> {
    let rows: Vec<(Option<NaiveDate>, i64)> = requests::table
        .filter(requests::campaign_id.eq(campaign_id))
        .filter(requests::responded_on.is_not_null())
        .group_by(requests::responded_on)
        .select((requests::responded_on, count_star()))
        .order(requests::responded_on.asc())
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(d, n)| Some((d?, n))).collect())
}
