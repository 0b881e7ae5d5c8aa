//! The counts behind a campaign's report, each computed in the database: the report reads a few
//! hundred grouped rows, never a campaign's codings.

use chrono::NaiveDate;
use diesel::dsl::{count, count_star, exists, not};
use diesel::prelude::*;

use super::schema::{authorities, final_codes, requests};
use super::{AnyConnection, StoreResult};

diesel::alias!(final_codes as condition: ConditionAlias);

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
    let of = || requests::table.filter(requests::campaign_id.eq(campaign_id));
    Ok(ResponseCounts {
        bodies: of().count().get_result(conn)?,
        sent: of().filter(requests::sent_on.is_not_null()).count().get_result(conn)?,
        responded: of().filter(requests::responded_on.is_not_null()).count().get_result(conn)?,
        on_time: of()
            .filter(requests::responded_on.is_not_null())
            .filter(requests::responded_on.le(requests::due_on))
            .count()
            .get_result(conn)?,
        late: of()
            .filter(requests::responded_on.is_not_null())
            .filter(requests::responded_on.gt(requests::due_on))
            .count()
            .get_result(conn)?,
    })
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

/// When a question counts: `None` always, or only for requests whose final answer to another
/// question has one of these codes.
#[derive(Debug, Clone, Copy)]
pub struct Only<'a> {
    pub question: &'a str,
    pub codes: &'a [String],
}

/// Runs `$then` on a question's final rows in a campaign, narrowed to the requests where its
/// condition holds when there is one. A macro, because the narrowed query has another type, and
/// a boxed one cannot be joined.
macro_rules! finals {
    ($campaign_id:expr, $question:expr, $only:expr, |$q:ident| $then:expr) => {{
        let base = final_codes::table
            .filter(final_codes::campaign_id.eq($campaign_id))
            .filter(final_codes::question.eq($question));
        match $only {
            None => {
                let $q = base;
                $then
            }
            Some(only) => {
                let $q = base.filter(exists(
                    condition
                        .filter(condition.field(final_codes::request_id).eq(final_codes::request_id))
                        .filter(condition.field(final_codes::question).eq(only.question))
                        .filter(condition.field(final_codes::code).eq_any(only.codes))
                        .filter(not(condition.field(final_codes::undecided))),
                ));
                $then
            }
        }
    }};
}

/// Each final code of a question with the region of the body, and how many requests have it.
pub fn code_counts(
    conn: &mut AnyConnection,
    campaign_id: i64,
    question: &str,
    only: Option<Only>,
) -> StoreResult<Vec<(String, Option<String>, i64)>> {
    let rows: Vec<(Option<String>, Option<String>, i64)> = finals!(campaign_id, question, only, |q| q
        .filter(not(final_codes::undecided))
        .filter(final_codes::code.is_not_null())
        .inner_join(requests::table.inner_join(authorities::table))
        .group_by((final_codes::code, authorities::region))
        .select((final_codes::code, authorities::region, count_star()))
        .load(conn)?);
    Ok(rows.into_iter().filter_map(|(code, region, n)| Some((code?, region, n))).collect())
}

/// Requests with a final answer to a question (`undecided` false), or coders disagreeing with
/// no decision (`undecided` true).
pub fn answered(
    conn: &mut AnyConnection,
    campaign_id: i64,
    question: &str,
    only: Option<Only>,
    undecided: bool,
) -> StoreResult<i64> {
    Ok(finals!(campaign_id, question, only, |q| q
        .filter(final_codes::undecided.eq(undecided))
        .select(count(final_codes::request_id).aggregate_distinct())
        .first(conn)?))
}

/// Requests whose final answer to `only.question` has one of `only.codes`: the denominator of
/// the questions that apply under that condition.
pub fn applicable(conn: &mut AnyConnection, campaign_id: i64, only: Only) -> StoreResult<i64> {
    Ok(final_codes::table
        .filter(final_codes::campaign_id.eq(campaign_id))
        .filter(final_codes::question.eq(only.question))
        .filter(final_codes::code.eq_any(only.codes))
        .filter(not(final_codes::undecided))
        .select(count(final_codes::request_id).aggregate_distinct())
        .first(conn)?)
}

/// A number question's final values: how many, the least, the greatest, and the values at the
/// ranks asked for (0-based, in ascending order).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Numbers {
    pub count: i64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub at_ranks: Vec<f64>,
}

/// A number question's [`Numbers`]; `ranks(count)` says which ranks its quantiles need.
// The query without a condition is `Copy` and the one with it is not: one body serves both.
#[allow(clippy::clone_on_copy)]
pub fn number_summary(
    conn: &mut AnyConnection,
    campaign_id: i64,
    question: &str,
    only: Option<Only>,
    ranks: impl Fn(i64) -> Vec<i64>,
) -> StoreResult<Numbers> {
    finals!(campaign_id, question, only, |q| {
        let q = q.filter(final_codes::number.is_not_null());
        let count: i64 = q.clone().count().get_result(conn)?;
        let min: Option<f64> = q.clone().select(diesel::dsl::min(final_codes::number)).first(conn)?;
        let max: Option<f64> = q.clone().select(diesel::dsl::max(final_codes::number)).first(conn)?;
        let mut at_ranks = Vec::new();
        for rank in ranks(count) {
            let v: Option<f64> = q
                .clone()
                .order(final_codes::number.asc())
                .offset(rank)
                .select(final_codes::number)
                .first(conn)?;
            at_ranks.extend(v);
        }
        Ok(Numbers { count, min, max, at_ranks })
    })
}
