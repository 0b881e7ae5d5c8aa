//! Campaigns: one request sent to many bodies.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::models::{CampaignRow, NewCampaign};
use super::schema::{campaigns, requests, workspaces};
use super::workspaces::{Scope, member_of};
use super::{AnyConnection, StoreResult};
use crate::domain::status::State;

pub fn insert(conn: &mut AnyConnection, new: &NewCampaign) -> StoreResult<CampaignRow> {
    Ok(diesel::insert_into(campaigns::table).values(new).get_result::<CampaignRow>(conn)?)
}

/// A campaign by id, whatever its workspace: for the jobs, and for use cases that found it first.
pub fn by_id(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<CampaignRow>> {
    Ok(campaigns::table.find(id).select(CampaignRow::as_select()).first(conn).optional()?)
}

/// A campaign in `scope`.
pub fn visible(conn: &mut AnyConnection, scope: &Scope, id: i64) -> StoreResult<Option<CampaignRow>> {
    Ok(campaigns::table
        .find(id)
        .filter(campaigns::workspace_id.eq_any(member_of!(scope.user_id)))
        .select(CampaignRow::as_select())
        .first(conn)
        .optional()?)
}

fn in_scope(scope: &Scope) -> campaigns::BoxedQuery<'_, super::multi_connection_impl::MultiBackend> {
    campaigns::table.into_boxed().filter(campaigns::workspace_id.eq_any(scope.ids()))
}

pub fn prefix_taken(conn: &mut AnyConnection, prefix: &str) -> StoreResult<bool> {
    let n: i64 = campaigns::table.filter(campaigns::reference_prefix.eq(prefix)).count().get_result(conn)?;
    Ok(n > 0)
}

pub fn list(
    conn: &mut AnyConnection,
    scope: &Scope,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<CampaignRow>> {
    Ok(in_scope(scope)
        .order(campaigns::id.desc())
        .limit(limit)
        .offset(offset)
        .select(CampaignRow::as_select())
        .load(conn)?)
}

pub fn count(conn: &mut AnyConnection, scope: &Scope) -> StoreResult<i64> {
    Ok(in_scope(scope).count().get_result(conn)?)
}

/// Requests of a campaign counted by stored state, plus how many awaiting a response are past
/// their due date and their very-overdue date on `today`.
pub struct StateCounts {
    pub by_state: Vec<(String, i64)>,
    pub late: i64,
    pub very_late: i64,
}

pub fn state_counts(
    conn: &mut AnyConnection,
    campaign_id: i64,
    today: NaiveDate,
) -> StoreResult<StateCounts> {
    use diesel::dsl::{count_star, sql};
    use diesel::sql_types::{BigInt, Date, Text};
    // One statement rather than three: a campaign's page reads this at every view.
    let awaiting_and_before = |column: &str| {
        sql::<BigInt>("count(CASE WHEN requests.state = ")
            .bind::<Text, _>(State::AwaitingResponse)
            .sql(&format!(" AND requests.{column} < "))
            .bind::<Date, _>(today)
            .sql(" THEN 1 END)")
    };
    let rows = requests::table
        .filter(requests::campaign_id.eq(campaign_id))
        .group_by(requests::state)
        .select((
            requests::state,
            count_star(),
            awaiting_and_before("due_on"),
            awaiting_and_before("very_overdue_on"),
        ))
        .load::<(String, i64, i64, i64)>(conn)?;
    let (late, very_late) = rows.iter().fold((0, 0), |(l, v), row| (l + row.2, v + row.3));
    Ok(StateCounts {
        by_state: rows.into_iter().map(|(state, n, _, _)| (state, n)).collect(),
        late,
        very_late,
    })
}

pub fn set_chasers(
    conn: &mut AnyConnection,
    id: i64,
    enabled: bool,
    after_working_days: i32,
) -> StoreResult<bool> {
    let n = diesel::update(campaigns::table.find(id))
        .set((
            campaigns::chasers_enabled.eq(enabled),
            campaigns::chase_after_working_days.eq(after_working_days),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Campaigns that chase late bodies, outside archived workspaces.
pub fn chasing(conn: &mut AnyConnection) -> StoreResult<Vec<CampaignRow>> {
    let open = workspaces::table.filter(workspaces::archived_at.is_null()).select(workspaces::id);
    Ok(campaigns::table
        .filter(campaigns::chasers_enabled.eq(true))
        .filter(campaigns::workspace_id.eq_any(open))
        .select(CampaignRow::as_select())
        .load(conn)?)
}
