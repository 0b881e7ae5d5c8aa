//! The outbox: messages waiting to be delivered, leased by one worker at a time.
//!
//! Leasing is one statement. On PostgreSQL, `FOR UPDATE SKIP LOCKED` lets several workers (in
//! several service instances) take different rows at once; on SQLite the statement runs under
//! the database's single write lock. A lease that runs out (its worker died) makes the row
//! available again.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};

use super::schema::{outbox, secrets};
use super::{AnyConnection, StoreResult};
use crate::domain::vocab::{OutboxKind, OutboxState};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: OutboxKind,
    pub request_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub message_id: String,
    pub from_address: String,
    pub to_address: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub body: String,
    pub state: OutboxState,
    pub attempts: i32,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub next_attempt_at: NaiveDateTime,
    pub leased_by: Option<String>,
    #[diesel(deserialize_as = crate::store::dates::MaybeStamp)]
    pub leased_until: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    #[diesel(deserialize_as = crate::store::dates::MaybeStamp)]
    pub sent_at: Option<NaiveDateTime>,
    pub created_by: i64,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub created_at: NaiveDateTime,
    /// `None` for mail to a person about their account (a password reset), which no
    /// workspace's outbox lists.
    pub workspace_id: Option<i64>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewOutbox {
    pub kind: OutboxKind,
    pub request_id: Option<i64>,
    pub campaign_id: Option<i64>,
    pub message_id: String,
    pub from_address: String,
    pub to_address: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub body: String,
    pub state: OutboxState,
    pub next_attempt_at: NaiveDateTime,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    /// `None` for mail to a person about their account (a password reset), which no
    /// workspace's outbox lists.
    pub workspace_id: Option<i64>,
}

pub fn insert(conn: &mut AnyConnection, row: &NewOutbox) -> StoreResult<i64> {
    Ok(diesel::insert_into(outbox::table).values(row).returning(outbox::id).get_result(conn)?)
}

const LEASE_POSTGRES: &str = "UPDATE outbox SET state = 'sending', leased_by = $1, leased_until = $2, \
     attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox WHERE ((state = 'pending' AND next_attempt_at <= $3) \
     OR (state = 'sending' AND leased_until < $3)) AND (workspace_id IS NULL OR workspace_id IN (SELECT id FROM workspaces WHERE archived_at IS NULL)) ORDER BY next_attempt_at, id LIMIT $4 FOR UPDATE SKIP LOCKED) \
     RETURNING *";

const LEASE_SQLITE: &str = "UPDATE outbox SET state = 'sending', leased_by = ?, leased_until = ?, \
     attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox WHERE ((state = 'pending' AND next_attempt_at <= ?) \
     OR (state = 'sending' AND leased_until < ?)) AND (workspace_id IS NULL OR workspace_id IN (SELECT id FROM workspaces WHERE archived_at IS NULL)) ORDER BY next_attempt_at, id LIMIT ?) RETURNING *";

/// Takes up to `limit` messages that are due (or whose lease ran out) for `worker` until
/// `lease_until`; none of an archived workspace, whose mail waits until it is brought back.
pub fn lease_due(
    conn: &mut AnyConnection,
    worker: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> StoreResult<Vec<OutboxRow>> {
    let mut rows: Vec<OutboxRow> = match conn {
        AnyConnection::Postgres(c) => diesel::sql_query(LEASE_POSTGRES)
            .bind::<Text, _>(worker)
            .bind::<Timestamp, _>(lease_until)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load(c)?,
        AnyConnection::Sqlite(c) => diesel::sql_query(LEASE_SQLITE)
            .bind::<Text, _>(worker)
            .bind::<Timestamp, _>(lease_until)
            .bind::<Timestamp, _>(now)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load(c)?,
    };
    rows.sort_by_key(|r| (r.next_attempt_at, r.id));
    Ok(rows)
}

/// Records a delivery, if `worker` still holds the lease. Returns false if it did not.
pub fn mark_sent(conn: &mut AnyConnection, id: i64, worker: &str, at: NaiveDateTime) -> StoreResult<bool> {
    let n = diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::leased_by.eq(worker))
            .filter(outbox::state.eq(OutboxState::Sending)),
    )
    .set((
        outbox::state.eq(OutboxState::Sent),
        outbox::sent_at.eq(at),
        outbox::leased_until.eq(None::<NaiveDateTime>),
        outbox::last_error.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Replaces a password link's mail with a note once it is sent or given up, so that the
/// database keeps no working link in the clear.
pub fn forget_link(conn: &mut AnyConnection, id: i64) -> StoreResult<()> {
    diesel::update(
        outbox::table.find(id).filter(outbox::kind.eq(crate::domain::vocab::OutboxKind::PasswordReset)),
    )
    .set(outbox::body.eq("(a link to choose a password; not kept once sent)"))
    .execute(conn)?;
    Ok(())
}

/// Puts a message back to be tried again at `retry_at`, or gives up on it (`failed`) when
/// there is none; only if `worker` still holds the lease. Returns whether it did.
pub fn mark_attempt_failed(
    conn: &mut AnyConnection,
    id: i64,
    worker: &str,
    error: &str,
    retry_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    let (state, at) = match retry_at {
        Some(t) => (OutboxState::Pending, t),
        None => (OutboxState::Failed, now),
    };
    let changed = diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::leased_by.eq(worker))
            .filter(outbox::state.eq(OutboxState::Sending)),
    )
    .set((
        outbox::state.eq(state),
        outbox::last_error.eq(error),
        outbox::leased_until.eq(None::<NaiveDateTime>),
        outbox::next_attempt_at.eq(at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn by_id(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<OutboxRow>> {
    Ok(outbox::table.find(id).select(OutboxRow::as_select()).first(conn).optional()?)
}

/// The mail queued for a request (the request itself, chasers, review requests), oldest first.
/// The caller has checked the request is the actor's to see.
pub fn of_request(conn: &mut AnyConnection, request_id: i64) -> StoreResult<Vec<OutboxRow>> {
    Ok(super::native!(conn, |c| outbox::table
        .filter(outbox::request_id.eq(request_id))
        .order(outbox::id)
        .select(OutboxRow::as_select())
        .load(c))?)
}

/// A message in `scope`.
pub fn visible(
    conn: &mut AnyConnection,
    scope: &super::workspaces::Scope,
    id: i64,
) -> StoreResult<Option<OutboxRow>> {
    Ok(outbox::table
        .find(id)
        // A message of no workspace (a password link) is no one's to see: NULL is in no list.
        .filter(outbox::workspace_id.assume_not_null().eq_any(super::workspaces::member_of!(scope.user_id)))
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list(
    conn: &mut AnyConnection,
    scope: &super::workspaces::Scope,
    state: Option<OutboxState>,
    campaign: Option<i64>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<OutboxRow>, i64)> {
    let mine = |q: outbox::BoxedQuery<'static, super::multi_connection_impl::MultiBackend>| {
        q.filter(outbox::workspace_id.eq_any(scope.ids().to_vec()))
    };
    let mut q = mine(outbox::table.into_boxed());
    let mut count = mine(outbox::table.into_boxed());
    if let Some(s) = state {
        q = q.filter(outbox::state.eq(s));
        count = count.filter(outbox::state.eq(s));
    }
    if let Some(c) = campaign {
        q = q.filter(outbox::campaign_id.eq(c));
        count = count.filter(outbox::campaign_id.eq(c));
    }
    let total = count.count().get_result(conn)?;
    let rows = q.order(outbox::id).limit(limit).offset(offset).select(OutboxRow::as_select()).load(conn)?;
    Ok((rows, total))
}

/// Whether a request already has a message waiting or on its way.
pub fn has_live_message(conn: &mut AnyConnection, request_id: i64) -> StoreResult<bool> {
    let n: i64 = outbox::table
        .filter(outbox::request_id.eq(request_id))
        .filter(outbox::state.eq_any([OutboxState::Pending, OutboxState::Sending, OutboxState::Sent]))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Moves a failed or pending message to be tried again now.
pub fn retry(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> StoreResult<bool> {
    let n = diesel::update(
        outbox::table.find(id).filter(outbox::state.eq_any([OutboxState::Failed, OutboxState::Pending])),
    )
    .set((outbox::state.eq(OutboxState::Pending), outbox::next_attempt_at.eq(now), outbox::attempts.eq(0)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Cancels a message that has not been sent (nor is being sent).
pub fn cancel(conn: &mut AnyConnection, id: i64) -> StoreResult<bool> {
    let n = diesel::update(
        outbox::table.find(id).filter(outbox::state.eq_any([OutboxState::Failed, OutboxState::Pending])),
    )
    .set(outbox::state.eq(OutboxState::Cancelled))
    .execute(conn)?;
    Ok(n == 1)
}

/// A secret the service keeps for itself, made on first use.
pub fn secret(conn: &mut AnyConnection, name: &str, make: impl FnOnce() -> String) -> StoreResult<String> {
    if let Some(v) = secrets::table.find(name).select(secrets::value).first::<String>(conn).optional()? {
        return Ok(v);
    }
    let value = make();
    // Two instances may race to make it; the first insert wins and both read it back.
    let _ = diesel::insert_into(secrets::table)
        .values((secrets::name.eq(name), secrets::value.eq(&value)))
        .execute(conn);
    Ok(secrets::table.find(name).select(secrets::value).first(conn)?)
}

/// Cancels a message this worker holds, saying why.
pub fn cancel_leased(conn: &mut AnyConnection, id: i64, worker: &str, reason: &str) -> StoreResult<()> {
    diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::leased_by.eq(worker))
            .filter(outbox::state.eq(OutboxState::Sending)),
    )
    .set((
        outbox::state.eq(OutboxState::Cancelled),
        outbox::last_error.eq(reason),
        outbox::leased_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(())
}
