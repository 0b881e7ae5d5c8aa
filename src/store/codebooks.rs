//! Codebook versions: each written once and never changed.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::codebooks;
use super::workspaces::{Scope, member_of};
use super::{AnyConnection, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = codebooks)]
pub struct CodebookRow {
    pub id: i64,
    pub workspace_id: i64,
    pub key: String,
    pub version: i32,
    pub title: String,
    /// The codebook as JSON.
    pub definition: String,
    pub created_by: i64,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = codebooks)]
pub struct NewCodebook<'a> {
    pub workspace_id: i64,
    pub key: &'a str,
    pub version: i32,
    pub title: &'a str,
    pub definition: &'a str,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
}

pub fn insert(conn: &mut AnyConnection, new: &NewCodebook) -> StoreResult<CodebookRow> {
    Ok(diesel::insert_into(codebooks::table).values(new).get_result::<CodebookRow>(conn)?)
}

pub fn by_id(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<CodebookRow>> {
    Ok(codebooks::table.find(id).select(CodebookRow::as_select()).first(conn).optional()?)
}

/// The newest version of a workspace's codebook.
pub fn latest(conn: &mut AnyConnection, workspace_id: i64, key: &str) -> StoreResult<Option<CodebookRow>> {
    Ok(codebooks::table
        .filter(codebooks::workspace_id.eq(workspace_id))
        .filter(codebooks::key.eq(key))
        .order(codebooks::version.desc())
        .select(CodebookRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every version of a workspace's codebook, oldest first.
pub fn versions(conn: &mut AnyConnection, workspace_id: i64, key: &str) -> StoreResult<Vec<CodebookRow>> {
    Ok(codebooks::table
        .filter(codebooks::workspace_id.eq(workspace_id))
        .filter(codebooks::key.eq(key))
        .order(codebooks::version.asc())
        .select(CodebookRow::as_select())
        .load(conn)?)
}

/// One version, if it is in one of the user's workspaces.
pub fn visible(conn: &mut AnyConnection, scope: &Scope, id: i64) -> StoreResult<Option<CodebookRow>> {
    Ok(codebooks::table
        .find(id)
        .filter(codebooks::workspace_id.eq_any(member_of!(scope.user_id)))
        .select(CodebookRow::as_select())
        .first(conn)
        .optional()?)
}

/// Every version in `scope`, by workspace and key, newest version first.
pub fn list(conn: &mut AnyConnection, scope: &Scope) -> StoreResult<Vec<CodebookRow>> {
    Ok(codebooks::table
        .filter(codebooks::workspace_id.eq_any(scope.ids()))
        .order((codebooks::workspace_id.asc(), codebooks::key.asc(), codebooks::version.desc()))
        .select(CodebookRow::as_select())
        .load(conn)?)
}
