//! Users and their API tokens.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{NewToken, NewUser, TokenRow, UserRow};
use super::schema::{api_tokens, memberships, users, workspaces};
use super::{AnyConnection, StoreResult};
use crate::domain::vocab::WorkspaceRole;

pub fn insert(conn: &mut AnyConnection, new: &NewUser) -> StoreResult<UserRow> {
    let id: i64 = diesel::insert_into(users::table).values(new).returning(users::id).get_result(conn)?;
    Ok(users::table.find(id).select(UserRow::as_select()).first(conn)?)
}

/// A user by email, with their password's Argon2 hash if they have set one.
pub fn with_password(
    conn: &mut AnyConnection,
    email: &str,
) -> StoreResult<Option<(UserRow, Option<String>)>> {
    Ok(users::table
        .filter(users::email.eq(email))
        .select((UserRow::as_select(), users::password_hash))
        .first(conn)
        .optional()?)
}

/// A user by id, with their password's Argon2 hash if they have set one.
pub fn by_id_with_password(
    conn: &mut AnyConnection,
    id: i64,
) -> StoreResult<Option<(UserRow, Option<String>)>> {
    Ok(users::table.find(id).select((UserRow::as_select(), users::password_hash)).first(conn).optional()?)
}

pub fn set_password_hash(conn: &mut AnyConnection, user_id: i64, hash: &str) -> StoreResult<bool> {
    Ok(diesel::update(users::table.find(user_id)).set(users::password_hash.eq(hash)).execute(conn)? == 1)
}

pub fn count(conn: &mut AnyConnection) -> StoreResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}

pub fn by_email(conn: &mut AnyConnection, email: &str) -> StoreResult<Option<UserRow>> {
    Ok(users::table.filter(users::email.eq(email)).select(UserRow::as_select()).first(conn).optional()?)
}

pub fn by_id(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<UserRow>> {
    Ok(users::table.find(id).select(UserRow::as_select()).first(conn).optional()?)
}

pub fn list(conn: &mut AnyConnection) -> StoreResult<Vec<UserRow>> {
    Ok(users::table.order(users::id).select(UserRow::as_select()).load(conn)?)
}

/// Every user, with whether they have set a password.
pub fn accounts(conn: &mut AnyConnection) -> StoreResult<Vec<(UserRow, bool)>> {
    Ok(users::table
        .order(users::email)
        .select((UserRow::as_select(), users::password_hash.is_not_null()))
        .load(conn)?)
}

/// Counts the site administrators, locking their rows for the rest of the transaction on
/// PostgreSQL, so that two demoting each other at once cannot leave none (SQLite's write
/// transaction already excludes the other writer).
pub fn lock_admins(conn: &mut AnyConnection) -> StoreResult<usize> {
    let admins = users::table.filter(users::role.eq(crate::domain::vocab::Role::Admin)).select(users::id);
    Ok(match conn {
        AnyConnection::Postgres(c) => admins.for_update().load::<i64>(c)?.len(),
        AnyConnection::Sqlite(c) => admins.load::<i64>(c)?.len(),
    })
}

/// Locks a user's row for the rest of the transaction on PostgreSQL, so that work counted per
/// user (links sent this hour) is counted by one transaction at a time.
pub fn lock(conn: &mut AnyConnection, user_id: i64) -> StoreResult<()> {
    let row = users::table.find(user_id).select(users::id);
    match conn {
        AnyConnection::Postgres(c) => row.for_update().load::<i64>(c)?,
        AnyConnection::Sqlite(c) => row.load::<i64>(c)?,
    };
    Ok(())
}

/// The password hash of a user, if they have set one.
pub fn password_hash(conn: &mut AnyConnection, user_id: i64) -> StoreResult<Option<String>> {
    Ok(users::table
        .find(user_id)
        .select(users::password_hash)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

pub fn set_role(
    conn: &mut AnyConnection,
    user_id: i64,
    role: crate::domain::vocab::Role,
) -> StoreResult<bool> {
    Ok(diesel::update(users::table.find(user_id)).set(users::role.eq(role)).execute(conn)? == 1)
}

pub fn insert_token(conn: &mut AnyConnection, new: &NewToken) -> StoreResult<i64> {
    Ok(diesel::insert_into(api_tokens::table).values(new).returning(api_tokens::id).get_result(conn)?)
}

/// One of a user's workspaces as a token's check reads it: id, slug, name, when it was
/// archived, and the user's role there.
pub type Membership = (i64, String, String, Option<NaiveDateTime>, WorkspaceRole);

/// The user holding a live (unrevoked) token with this hash, with each of their workspaces (by
/// slug), in one query: every API request runs it, and on PostgreSQL a second query would be a
/// second round trip. One row per membership; a user in no workspace gives one row with none.
pub fn with_memberships_by_token_hash(
    conn: &mut AnyConnection,
    hash: &str,
) -> StoreResult<Option<(TokenRow, UserRow, Vec<Membership>)>> {
    let rows: Vec<(TokenRow, UserRow, Option<Membership>)> = super::native!(conn, |c| api_tokens::table
        .inner_join(users::table.left_join(memberships::table.left_join(workspaces::table)))
        .filter(api_tokens::token_hash.eq(hash))
        .filter(api_tokens::revoked_at.is_null())
        .order(workspaces::slug)
        .select((
            TokenRow::as_select(),
            UserRow::as_select(),
            (workspaces::id, workspaces::slug, workspaces::name, workspaces::archived_at, memberships::role)
                .nullable(),
        ))
        .load(c))?;
    let mut rows = rows.into_iter();
    let Some((token, user, first)) = rows.next() else { return Ok(None) };
    let spaces = first.into_iter().chain(rows.filter_map(|(_, _, m)| m)).collect();
    Ok(Some((token, user, spaces)))
}

/// The user holding a live (unrevoked) token with this hash.
pub fn by_token_hash(conn: &mut AnyConnection, hash: &str) -> StoreResult<Option<(TokenRow, UserRow)>> {
    Ok(super::native!(conn, |c| api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(hash))
        .filter(api_tokens::revoked_at.is_null())
        .select((TokenRow::as_select(), UserRow::as_select()))
        .first(c)
        .optional())?)
}

pub fn token(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<TokenRow>> {
    Ok(api_tokens::table.find(id).select(TokenRow::as_select()).first(conn).optional()?)
}

pub fn tokens_of(conn: &mut AnyConnection, user_id: i64) -> StoreResult<Vec<TokenRow>> {
    Ok(api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order(api_tokens::id)
        .select(TokenRow::as_select())
        .load(conn)?)
}

pub fn touch_token(conn: &mut AnyConnection, id: i64, at: NaiveDateTime) -> StoreResult<()> {
    diesel::update(api_tokens::table.find(id)).set(api_tokens::last_used_at.eq(at)).execute(conn)?;
    Ok(())
}

/// Marks a token revoked; returns false if it was already revoked.
pub fn revoke_token(conn: &mut AnyConnection, id: i64, at: NaiveDateTime) -> StoreResult<bool> {
    let n = diesel::update(api_tokens::table.find(id).filter(api_tokens::revoked_at.is_null()))
        .set(api_tokens::revoked_at.eq(at))
        .execute(conn)?;
    Ok(n == 1)
}
