//! Public bodies.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{AuthorityFields, AuthorityRow, NewAuthority};
use super::schema::{authorities, final_codes, requests};
use super::{AnyConnection, StoreResult};
use crate::store::lower;

/// The bodies that have one of these ODS codes or lower-case names, in id order: what an
/// import's batch of rows may match. Keep each list to a few hundred: SQLite binds at most
/// 32,766 values in one statement.
pub fn matching(
    conn: &mut AnyConnection,
    codes: &[&str],
    name_keys: &[String],
) -> StoreResult<Vec<AuthorityRow>> {
    Ok(authorities::table
        .filter(authorities::ods_code.eq_any(codes).or(authorities::name_key.eq_any(name_keys)))
        .order(authorities::id)
        .select(AuthorityRow::as_select())
        .load(conn)?)
}

pub fn by_id(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<AuthorityRow>> {
    Ok(super::native!(conn, |c| authorities::table
        .find(id)
        .select(AuthorityRow::as_select())
        .first(c)
        .optional())?)
}

/// The bodies with these ids, in id order. Asked in chunks: SQLite binds at most 32,766 values
/// in one statement.
pub fn by_ids(conn: &mut AnyConnection, ids: &[i64]) -> StoreResult<Vec<AuthorityRow>> {
    let mut rows = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(10_000) {
        rows.extend(
            authorities::table
                .filter(authorities::id.eq_any(chunk))
                .select(AuthorityRow::as_select())
                .load(conn)?,
        );
    }
    rows.sort_by_key(|r| r.id);
    Ok(rows)
}

/// Inserts bodies in one statement; keep it to a few hundred (13 values each, and SQLite binds at
/// most 32,766 in one statement).
pub fn insert_many(conn: &mut AnyConnection, new: &[NewAuthority]) -> StoreResult<()> {
    if new.is_empty() {
        return Ok(());
    }
    // diesel's multi-backend connection cannot write a multi-row INSERT; each backend can.
    let insert = diesel::insert_into(authorities::table).values(new);
    match conn {
        AnyConnection::Sqlite(c) => insert.execute(c)?,
        AnyConnection::Postgres(c) => insert.execute(c)?,
    };
    Ok(())
}

pub fn insert(conn: &mut AnyConnection, new: &NewAuthority) -> StoreResult<i64> {
    Ok(diesel::insert_into(authorities::table).values(new).returning(authorities::id).get_result(conn)?)
}

/// Updates a body; the region its final codes carry for the report follows.
pub fn update(conn: &mut AnyConnection, id: i64, fields: &AuthorityFields) -> StoreResult<()> {
    diesel::update(authorities::table.find(id)).set(fields).execute(conn)?;
    let its_requests = requests::table.filter(requests::authority_id.eq(id)).select(requests::id);
    diesel::update(final_codes::table.filter(final_codes::request_id.eq_any(its_requests)))
        .set(final_codes::region.eq(&fields.region))
        .execute(conn)?;
    Ok(())
}

/// Records that the body's mail server refused `address` for good, if that is still the body's
/// address: one changed since the message was queued is not the one that failed. Returns whether
/// it was recorded.
pub fn mark_email_failing(
    conn: &mut AnyConnection,
    id: i64,
    address: &str,
    at: NaiveDateTime,
    reason: &str,
) -> StoreResult<bool> {
    // Mail servers may change the case of what they report; the domain has no case, and a
    // body's address differing only in case is the same address in practice.
    let n = diesel::update(
        authorities::table
            .find(id)
            .filter(super::lower(authorities::email.assume_not_null()).eq(address.to_lowercase())),
    )
    // The time of the first failure stays: the digest reports each failure once, by that
    // time, and a second bounce to an address already failing is not a new failure.
    .set((
        authorities::email_failed_at.eq(diesel::dsl::sql::<
            diesel::sql_types::Nullable<diesel::sql_types::Timestamp>,
        >("coalesce(email_failed_at, ")
        .bind::<diesel::sql_types::Timestamp, _>(at)
        .sql(")")),
        authorities::email_failure.eq(reason),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Forgets a refusal, because the body has another address now.
pub fn clear_email_failure(conn: &mut AnyConnection, id: i64) -> StoreResult<()> {
    diesel::update(authorities::table.find(id).filter(authorities::email_failed_at.is_not_null()))
        .set((
            authorities::email_failed_at.eq(None::<NaiveDateTime>),
            authorities::email_failure.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Default, Clone)]
pub struct AuthorityFilter {
    pub region: Option<String>,
    pub tag: Option<String>,
    pub q: Option<String>,
    pub ids: Option<Vec<i64>>,
}

type Boxed<'a> = authorities::BoxedQuery<'a, crate::store::multi_connection_impl::MultiBackend>;

fn filtered(f: &AuthorityFilter) -> Boxed<'_> {
    let mut q = authorities::table.into_boxed();
    if let Some(region) = &f.region {
        q = q.filter(lower(authorities::region.assume_not_null()).eq(region.to_lowercase()));
    }
    if let Some(tag) = &f.tag {
        q = q.filter(
            authorities::tags.like(format!("%,{},%", super::escape_like(&tag.to_lowercase()))).escape('\\'),
        );
    }
    if let Some(text) = &f.q {
        q = q.filter(
            authorities::name_key
                .like(format!("%{}%", super::escape_like(&text.to_lowercase())))
                .escape('\\')
                .or(lower(authorities::ods_code.assume_not_null()).eq(text.to_lowercase())),
        );
    }
    if let Some(ids) = &f.ids {
        q = q.filter(authorities::id.eq_any(ids.clone()));
    }
    q
}

pub fn list(
    conn: &mut AnyConnection,
    f: &AuthorityFilter,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<AuthorityRow>> {
    Ok(filtered(f)
        .order((authorities::name_key, authorities::id))
        .limit(limit)
        .offset(offset)
        .select(AuthorityRow::as_select())
        .load(conn)?)
}

pub fn count(conn: &mut AnyConnection, f: &AuthorityFilter) -> StoreResult<i64> {
    Ok(filtered(f).count().get_result(conn)?)
}

pub fn ids(conn: &mut AnyConnection, f: &AuthorityFilter) -> StoreResult<Vec<i64>> {
    Ok(filtered(f).order(authorities::id).select(authorities::id).load(conn)?)
}
