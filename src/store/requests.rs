//! Requests: the list queries paginate in the database and use the `(state, due_on)` indexes.

use crate::store::multi_connection_impl::MultiBackend;
use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::dsl::AsExprOf;
use diesel::expression::{SqlLiteral, UncheckedBind};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::models::{BodyBrief, DerivedFields, NewRequest, RequestRow};
use super::schema::{authorities, requests};
use super::workspaces::{KnownWorkspaces, Scope, member_of};
use super::{AnyConnection, StoreResult, escape_like, lower};
use crate::domain::status::{State, Status};

/// Inserts many requests in one statement per chunk; returns nothing (callers reload by campaign).
pub fn insert_many(conn: &mut AnyConnection, rows: &[NewRequest]) -> StoreResult<()> {
    // SQLite allows 32766 bound parameters per statement; each row binds 9.
    // Multi-row inserts are not available through the multi-backend connection, so each
    // backend runs its own.
    for chunk in rows.chunks(1000) {
        let insert = diesel::insert_into(requests::table).values(chunk);
        match conn {
            AnyConnection::Sqlite(c) => insert.execute(c)?,
            AnyConnection::Postgres(c) => insert.execute(c)?,
        };
    }
    Ok(())
}

pub fn insert(conn: &mut AnyConnection, row: &NewRequest) -> StoreResult<i64> {
    Ok(diesel::insert_into(requests::table).values(row).returning(requests::id).get_result(conn)?)
}

pub fn set_reference(conn: &mut AnyConnection, id: i64, reference: &str) -> StoreResult<()> {
    diesel::update(requests::table.find(id)).set(requests::reference.eq(reference)).execute(conn)?;
    Ok(())
}

pub fn by_id(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<RequestRow>> {
    Ok(requests::table.find(id).select(RequestRow::as_select()).first(conn).optional()?)
}

/// A request in `scope`.
pub fn visible(conn: &mut AnyConnection, scope: &Scope, id: i64) -> StoreResult<Option<RequestRow>> {
    Ok(requests::table
        .find(id)
        .filter(requests::workspace_id.eq_any(member_of!(scope.user_id)))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()?)
}

/// A request in `scope` with the name and region of its body, in one fixed-shape (so prepared
/// once) query.
pub fn with_body(conn: &mut AnyConnection, scope: &Scope, id: i64) -> StoreResult<Option<Listed>> {
    Ok(super::native!(conn, |c| requests::table
        .inner_join(authorities::table)
        .filter(requests::id.eq(id))
        .filter(requests::workspace_id.eq_any(member_of!(scope.user_id)))
        .select((RequestRow::as_select(), BodyBrief::as_select()))
        .first(c)
        .optional())?)
}

/// The request in `scope` with this reference.
pub fn by_reference(
    conn: &mut AnyConnection,
    scope: &Scope,
    reference: &str,
) -> StoreResult<Option<RequestRow>> {
    Ok(requests::table
        .filter(requests::reference.eq(reference.trim().to_ascii_uppercase()))
        .filter(requests::workspace_id.eq_any(member_of!(scope.user_id)))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()?)
}

/// Takes the row lock on a request (PostgreSQL) for the rest of the transaction, so that two
/// events recorded at once are replayed one after the other. Returns false if it does not exist.
pub fn lock(conn: &mut AnyConnection, id: i64, now: chrono::NaiveDateTime) -> StoreResult<bool> {
    let n = diesel::update(requests::table.find(id)).set(requests::updated_at.eq(now)).execute(conn)?;
    Ok(n == 1)
}

pub fn update_derived(conn: &mut AnyConnection, id: i64, fields: &DerivedFields) -> StoreResult<()> {
    diesel::update(requests::table.find(id)).set(fields).execute(conn)?;
    Ok(())
}

/// Ids of a campaign's requests, optionally only those in `ids`, in reference order.
pub fn ids_in_campaign(conn: &mut AnyConnection, campaign_id: i64) -> StoreResult<Vec<i64>> {
    Ok(requests::table
        .filter(requests::campaign_id.eq(campaign_id))
        .order(requests::reference)
        .select(requests::id)
        .load(conn)?)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequestSort {
    #[default]
    DueOn,
    DueOnDesc,
    Reference,
    SentOn,
    SentOnDesc,
    UpdatedDesc,
}

#[derive(Debug, Clone)]
pub struct RequestFilter {
    /// Whose requests may be listed at all.
    pub scope: Scope,
    pub campaign_id: Option<i64>,
    pub authority_id: Option<i64>,
    pub region: Option<String>,
    pub status: Option<Status>,
    /// Overdue or very overdue.
    pub late: bool,
    pub due_before: Option<NaiveDate>,
    pub due_after: Option<NaiveDate>,
    pub q: Option<String>,
    /// The day statuses are judged on.
    pub today: NaiveDate,
}

impl RequestFilter {
    pub fn new(today: NaiveDate, scope: Scope) -> Self {
        Self {
            scope,
            campaign_id: None,
            authority_id: None,
            region: None,
            status: None,
            late: false,
            due_before: None,
            due_after: None,
            q: None,
            today,
        }
    }

    /// Whether every matching row has a due date, so sorting needs no NULL handling.
    fn implies_due_date(&self) -> bool {
        self.late
            || self.due_before.is_some()
            || self.due_after.is_some()
            || matches!(self.status, Some(Status::AwaitingResponse | Status::Overdue | Status::VeryOverdue))
    }
}

type Boxed<'a> = requests::BoxedQuery<'a, MultiBackend>;

/// Which rows a list reads before its own filters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Those of the scope's workspaces, by their ids.
    Scope,
    /// Every row: the same rows when the scope's workspaces are every workspace there is,
    /// without a condition that keeps each database from its narrowest index (up to 1.5× slower
    /// over 50 workspaces at 1,000,000 requests, docs/performance.md). A single team's
    /// installation, and whoever belongs to every team.
    Everything,
}

/// The count of a list and one page of it. When the caller may belong to every workspace
/// ([`KnownWorkspaces::may_cover`]), both are read without the workspace filter, and kept only
/// if, in a statement after them, every workspace there is turns out to be the caller's;
/// otherwise they are read again with it. That later check sees every workspace whose rows
/// the reads saw, because each statement sees at least what the one before it saw (on
/// PostgreSQL at any isolation level; on SQLite always), a request's workspace is committed no
/// later than the request (a foreign key), and workspaces are archived, never deleted or
/// reassigned (no store function deletes one or moves a request). Each statement must also
/// reach the same server: a pooler that sent reads to replicas would break the first step. It
/// costs one round trip, where reading the check and the list in one snapshot cost three.
pub fn page(
    conn: &mut AnyConnection,
    known: &KnownWorkspaces,
    f: &RequestFilter,
    sort: RequestSort,
    limit: i64,
    offset: i64,
) -> StoreResult<(i64, Vec<Listed>)> {
    let read = |conn: &mut AnyConnection, reach| -> StoreResult<(i64, Vec<Listed>)> {
        Ok((count(conn, f, reach)?, list(conn, f, reach, sort, limit, offset)?))
    };
    let ids = f.scope.ids();
    if !keeps_workspace_filter(f) && known.may_cover(conn, ids)? {
        let everything = read(conn, Reach::Everything)?;
        if known.covers(conn, ids)? {
            return Ok(everything);
        }
    }
    read(conn, Reach::Scope)
}

/// Whether the list is found fastest through the workspace ids even when they are every
/// workspace: the dashboard's overdue and very overdue requests, whose index is
/// `(workspace_id, state, very_overdue_on, due_on)`. Without the ids, neither database can
/// take a range of `very_overdue_on` from it (at 1,000,000 requests in 50 workspaces, SQLite
/// took 1,440 ms for the overdue ones instead of 1 ms).
fn keeps_workspace_filter(f: &RequestFilter) -> bool {
    matches!(f.status, Some(Status::Overdue | Status::VeryOverdue))
}

/// The requests of the filter's scope: every boxed list starts here.
///
/// SQLite plans without statistics and takes `workspace_id IN (…)` for the most selective
/// condition. That is right for a window of due dates, which `(workspace_id, due_on)` answers
/// from the index alone (1 ms to count 8,165 rows at 1M requests in 50 workspaces, against
/// 20 ms through `(due_on)` and the table), and for one workspace of many. It is wrong where
/// another index is narrower or none helps: with a campaign named; with a text search in
/// references of three characters or more, which the trigram index answers; and with a
/// shorter one over several workspaces, which reads every row anyway (4.6 s instead of 0.9 s).
/// There the check is written `+workspace_id`, which SQLite never answers from an index.
/// PostgreSQL has statistics and always gets the plain column.
fn in_scope(f: &RequestFilter, reach: Reach, sqlite: bool) -> Boxed<'_> {
    use diesel::dsl::sql;
    use diesel::sql_types::BigInt;
    let ids = f.scope.ids();
    let q = requests::table.into_boxed();
    if reach == Reach::Everything {
        return q;
    }
    let unindexed = sqlite
        && (f.campaign_id.is_some() || f.q.as_deref().is_some_and(|q| ids.len() > 1 || by_trigrams(q)));
    if unindexed {
        q.filter(sql::<BigInt>("+requests.workspace_id").eq_any(ids))
    } else {
        q.filter(requests::workspace_id.eq_any(ids))
    }
}

/// The filtered requests, without joining the bodies: counting a join costs SQLite a row lookup
/// per match (60 ms instead of 2 ms for 35,000 overdue requests), so the region filter is a
/// subquery and the names of a page's bodies are fetched separately. `counting` is for the
/// count of a list, which SQLite may answer by another index than the page.
fn filtered(f: &RequestFilter, reach: Reach, sqlite: bool, counting: bool) -> Boxed<'_> {
    let mut q: Boxed = in_scope(f, reach, sqlite);
    if let Some(id) = f.campaign_id {
        q = q.filter(requests::campaign_id.eq(id));
    }
    if let Some(id) = f.authority_id {
        q = q.filter(requests::authority_id.eq(id));
    }
    if let Some(region) = &f.region {
        let in_region = authorities::table
            .filter(lower(authorities::region.assume_not_null()).eq(region.to_lowercase()))
            .select(authorities::id);
        q = q.filter(requests::authority_id.eq_any(in_region));
    }
    let awaiting = State::AwaitingResponse;
    let today = f.today;
    if let Some(status) = f.status {
        q = match status {
            Status::AwaitingResponse => {
                q.filter(requests::state.eq(awaiting)).filter(requests::due_on.ge(today))
            }
            // Found by their range of `very_overdue_on` (the few not yet very overdue), not by
            // `due_on`, whose range holds every late request: SQLite, which cannot tell the two
            // apart, is kept from the second by `+due_on` (1 ms instead of 800 at 1,000,000).
            Status::Overdue if sqlite => q
                .filter(requests::state.eq(awaiting))
                .filter(diesel::dsl::sql::<diesel::sql_types::Date>("+requests.due_on").lt(today))
                .filter(requests::very_overdue_on.ge(today)),
            Status::Overdue => q
                .filter(requests::state.eq(awaiting))
                .filter(requests::due_on.lt(today))
                .filter(requests::very_overdue_on.ge(today)),
            // Very overdue is later than due. Saying `due_on` too lets SQLite take a page of
            // them, oldest deadline first, from `(workspace_id, state, due_on)` in order. It
            // counts them from `(workspace_id, state, very_overdue_on, …)` alone, but over
            // several workspaces only when `+due_on` keeps it from `(state, due_on)` and a row
            // lookup per match (41 ms instead of 833 for 345,176 in 50 workspaces).
            Status::VeryOverdue if sqlite && counting => q
                .filter(requests::state.eq(awaiting))
                .filter(diesel::dsl::sql::<diesel::sql_types::Date>("+requests.due_on").lt(today))
                .filter(requests::very_overdue_on.lt(today)),
            Status::VeryOverdue => q
                .filter(requests::state.eq(awaiting))
                .filter(requests::due_on.lt(today))
                .filter(requests::very_overdue_on.lt(today)),
            // Every other status is its state's name, and never late.
            other => q.filter(requests::state.eq(other.state().unwrap_or(awaiting))),
        };
    }
    if f.late {
        q = q.filter(requests::state.eq(awaiting)).filter(requests::due_on.lt(today));
    }
    if let Some(d) = f.due_before {
        q = q.filter(requests::due_on.le(d));
    }
    if let Some(d) = f.due_after {
        q = q.filter(requests::due_on.ge(d));
    }
    if let Some(text) = &f.q {
        q = if sqlite && by_trigrams(text) {
            q.filter(in_references(text))
        } else {
            let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
            // References are stored in capitals, so they need no lower() per row.
            q.filter(
                requests::reference.like(pattern.to_uppercase()).escape('\\').or(lower(
                    requests::body_reference.assume_not_null(),
                )
                .like(pattern)
                .escape('\\')),
            )
        };
    }
    q
}

/// Whether a text search can be looked up in a trigram index: three characters or more. A
/// shorter one is looked for row by row.
fn by_trigrams(text: &str) -> bool {
    text.chars().nth(2).is_some()
}

/// Requests whose reference or body reference holds `text`, from SQLite's trigram index
/// (`requests_references`): the text as one FTS5 phrase, which a trigram index matches as a
/// substring, case-folded. PostgreSQL's trigram indexes answer the `LIKE` itself.
fn in_references(text: &str) -> SqlLiteral<Bool, UncheckedBind<SqlLiteral<Bool>, AsExprOf<String, Text>>> {
    use diesel::dsl::sql;
    let phrase = crate::domain::search::quoted(text);
    sql::<Bool>("requests.id IN (SELECT rowid FROM requests_references WHERE requests_references MATCH ")
        .bind::<Text, _>(phrase)
        .sql(")")
}

/// A request with what it shows of its body, as listed.
pub type Listed = (RequestRow, BodyBrief);

/// The overdue list, alone or within one campaign, sorted by due date: the list researchers open
/// most. It gets queries of fixed shapes, with the bodies joined to the page; PostgreSQL
/// prepares them once per connection, since the workspace ids are one array parameter there.
/// Every other combination of filters is built per call (boxed). SQLite parses the scoped
/// shapes anew, the workspace ids being a list of parameters as long as the caller's
/// memberships; the unscoped ones ([`Reach::Everything`]) it prepares once.
fn late_only(f: &RequestFilter, sort: RequestSort) -> Option<Option<i64>> {
    let plain = f.scope.workspace.is_none()
        && f.authority_id.is_none()
        && f.region.is_none()
        && f.status.is_none()
        && f.due_before.is_none()
        && f.due_after.is_none()
        && f.q.is_none();
    (plain && f.late && sort == RequestSort::DueOn).then_some(f.campaign_id)
}

fn list(
    conn: &mut AnyConnection,
    f: &RequestFilter,
    reach: Reach,
    sort: RequestSort,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<Listed>> {
    if let Some(campaign) = late_only(f, sort) {
        return Ok(super::native!(conn, |c| {
            let page = requests::table
                .inner_join(authorities::table)
                .filter(requests::state.eq(State::AwaitingResponse))
                .filter(requests::due_on.lt(f.today))
                .order((requests::due_on.asc(), requests::id.asc()))
                .select((RequestRow::as_select(), BodyBrief::as_select()))
                .limit(limit)
                .offset(offset);
            let scoped = requests::workspace_id.eq_any(f.scope.ids());
            match (reach, campaign) {
                (Reach::Everything, None) => page.load(c),
                (Reach::Everything, Some(id)) => page.filter(requests::campaign_id.eq(id)).load(c),
                (Reach::Scope, None) => page.filter(scoped).load(c),
                (Reach::Scope, Some(id)) => page.filter(scoped).filter(requests::campaign_id.eq(id)).load(c),
            }
        })?);
    }
    let sqlite = matches!(conn, AnyConnection::Sqlite(_));
    let q = filtered(f, reach, sqlite, false).select(RequestRow::as_select());
    let q = match sort {
        // Either database would walk the due dates in order and read each row for its
        // very-overdue date, past every very overdue request (oldest first) before the first
        // merely overdue one: 119 ms for 25 of 345 at 100,000 requests on SQLite, 797 ms for 25
        // of 3,406 at 1,000,000 on PostgreSQL, whose statistics do not see that the two dates
        // go together. Sorting by an expression of `due_on` lets each find them by a range of
        // `(workspace_id, state, very_overdue_on, …)` and sort the few found.
        RequestSort::DueOn if sqlite && f.status == Some(Status::Overdue) => {
            q.order((diesel::dsl::sql::<diesel::sql_types::Date>("+requests.due_on"), requests::id.asc()))
        }
        RequestSort::DueOn if f.status == Some(Status::Overdue) => {
            q.order((diesel::dsl::sql::<diesel::sql_types::Date>("requests.due_on + 0"), requests::id.asc()))
        }
        RequestSort::DueOn if f.implies_due_date() => q.order((requests::due_on.asc(), requests::id.asc())),
        // NULLs sort first on SQLite and last on PostgreSQL; put undated requests last on both.
        RequestSort::DueOn => {
            q.order((requests::due_on.is_null().asc(), requests::due_on.asc(), requests::id.asc()))
        }
        RequestSort::DueOnDesc => {
            q.order((requests::due_on.is_null().asc(), requests::due_on.desc(), requests::id.desc()))
        }
        RequestSort::Reference => q.order(requests::reference.asc()),
        RequestSort::SentOn => {
            q.order((requests::sent_on.is_null().asc(), requests::sent_on.asc(), requests::id.asc()))
        }
        RequestSort::SentOnDesc => {
            q.order((requests::sent_on.is_null().asc(), requests::sent_on.desc(), requests::id.desc()))
        }
        RequestSort::UpdatedDesc => q.order((requests::updated_at.desc(), requests::id.desc())),
    };
    let rows: Vec<RequestRow> = q.limit(limit).offset(offset).load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.authority_id).collect();
    let bodies: HashMap<i64, BodyBrief> = authorities::table
        .filter(authorities::id.eq_any(ids))
        .select(BodyBrief::as_select())
        .load::<BodyBrief>(conn)?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| {
            let body = bodies.get(&row.authority_id).cloned().unwrap_or_default();
            (row, body)
        })
        .collect())
}

fn count(conn: &mut AnyConnection, f: &RequestFilter, reach: Reach) -> StoreResult<i64> {
    if let Some(campaign) = late_only(f, RequestSort::DueOn) {
        let late = requests::table
            .filter(requests::state.eq(State::AwaitingResponse))
            .filter(requests::due_on.lt(f.today))
            .count();
        let scoped = requests::workspace_id.eq_any(f.scope.ids());
        return Ok(super::native!(conn, |c| match (reach, campaign) {
            (Reach::Everything, None) => late.get_result(c),
            (Reach::Everything, Some(id)) => late.filter(requests::campaign_id.eq(id)).get_result(c),
            (Reach::Scope, None) => late.filter(scoped).get_result(c),
            (Reach::Scope, Some(id)) =>
                late.filter(scoped).filter(requests::campaign_id.eq(id)).get_result(c),
        })?);
    }
    let sqlite = matches!(conn, AnyConnection::Sqlite(_));
    Ok(filtered(f, reach, sqlite, true).count().get_result(conn)?)
}

/// How many requests each of these campaigns has, in one query (a campaign with none is left
/// out).
pub fn counts_in_campaigns(conn: &mut AnyConnection, ids: &[i64]) -> StoreResult<Vec<(i64, i64)>> {
    let rows: Vec<(Option<i64>, i64)> = requests::table
        .filter(requests::campaign_id.eq_any(ids))
        .group_by(requests::campaign_id)
        .select((requests::campaign_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(campaign, n)| campaign.map(|c| (c, n))).collect())
}

/// Requests whose deadlines can still change: awaiting something from the body, or under review.
pub fn open_ids(conn: &mut AnyConnection) -> StoreResult<Vec<i64>> {
    Ok(requests::table
        .filter(requests::state.eq_any(State::OPEN))
        .order(requests::id)
        .select(requests::id)
        .load(conn)?)
}

/// Locks a request's row for the rest of the transaction without changing it (PostgreSQL; on
/// SQLite the write transaction already excludes other writers).
pub fn lock_quietly(conn: &mut AnyConnection, id: i64) -> StoreResult<()> {
    if let AnyConnection::Postgres(c) = conn {
        requests::table.find(id).select(requests::id).for_update().load::<i64>(c)?;
    }
    Ok(())
}

/// A campaign's requests awaiting a response whose due date has passed by `today`.
pub fn late_in_campaign(
    conn: &mut AnyConnection,
    campaign_id: i64,
    today: NaiveDate,
) -> StoreResult<Vec<RequestRow>> {
    Ok(requests::table
        .filter(requests::campaign_id.eq(campaign_id))
        .filter(requests::state.eq(State::AwaitingResponse))
        .filter(requests::due_on.lt(today))
        .order(requests::id)
        .select(RequestRow::as_select())
        .load(conn)?)
}
