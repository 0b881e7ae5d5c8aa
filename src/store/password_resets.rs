//! Password reset links: one row per link mailed, keyed by the SHA-256 of its secret.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::password_resets;
use super::{AnyConnection, StoreResult};

#[derive(Debug, Insertable)]
#[diesel(table_name = password_resets)]
pub struct NewReset<'a> {
    pub user_id: i64,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub outbox_id: Option<i64>,
}

pub fn insert(conn: &mut AnyConnection, new: &NewReset) -> StoreResult<i64> {
    Ok(diesel::insert_into(password_resets::table)
        .values(new)
        .returning(password_resets::id)
        .get_result(conn)?)
}

/// How many links `user_id` has been sent since `since`.
pub fn sent_since(conn: &mut AnyConnection, user_id: i64, since: NaiveDateTime) -> StoreResult<i64> {
    Ok(password_resets::table
        .filter(password_resets::user_id.eq(user_id))
        .filter(password_resets::created_at.gt(since))
        .count()
        .get_result(conn)?)
}

/// The user a link is for, while it is unused and unexpired.
pub fn live_user(conn: &mut AnyConnection, token_hash: &str, now: NaiveDateTime) -> StoreResult<Option<i64>> {
    Ok(password_resets::table
        .filter(password_resets::token_hash.eq(token_hash))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now))
        .select(password_resets::user_id)
        .first(conn)
        .optional()?)
}

/// Spends one live link, if no one spent it first; returns its user. One statement, so that two
/// uses of a link at once cannot both succeed.
pub fn spend(conn: &mut AnyConnection, token_hash: &str, now: NaiveDateTime) -> StoreResult<Option<i64>> {
    Ok(diesel::update(
        password_resets::table
            .filter(password_resets::token_hash.eq(token_hash))
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::expires_at.gt(now)),
    )
    .set(password_resets::used_at.eq(now))
    .returning(password_resets::user_id)
    .get_result(conn)
    .optional()?)
}

/// Whether the link an outbox message carries still works, so that the message is worth sending.
pub fn live_for_outbox(conn: &mut AnyConnection, outbox_id: i64, now: NaiveDateTime) -> StoreResult<bool> {
    Ok(password_resets::table
        .filter(password_resets::outbox_id.eq(outbox_id))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Spends every unused link of `user_id`: the one just used and any sent before it.
pub fn spend_all(conn: &mut AnyConnection, user_id: i64, now: NaiveDateTime) -> StoreResult<usize> {
    Ok(diesel::update(
        password_resets::table
            .filter(password_resets::user_id.eq(user_id))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(now))
    .execute(conn)?)
}
