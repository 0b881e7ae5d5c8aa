//! Workspaces, their members, their private contacts for bodies, and the [`Scope`] that every
//! query over a workspace's rows takes.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::models::{ContactRow, MembershipRow, UserRow, WorkspaceRow};
use super::schema::{campaign_watchers, campaigns, memberships, users, workspace_contacts, workspaces};
use super::{AnyConnection, StoreResult};
use crate::domain::vocab::WorkspaceRole;

/// Whose rows a query may return: those of the workspaces `user_id` belongs to, and of those
/// only `workspace` when it is set. The queries a caller reaches directly (the lists of
/// campaigns, requests and messages, and finding one by id or reference) check membership in
/// the database themselves, so a use case that forgot its own check still cannot list another
/// team's rows. Queries within one campaign or request (its requests, events, counts) take no
/// scope: they run after the campaign or request itself was found through one.
///
/// Lists filter by [`Scope::ids`], the workspace ids the caller was authenticated with, because
/// a literal list lets the `(workspace_id, …)` indexes answer a count from the index alone; a
/// subquery on `memberships` made PostgreSQL hash-join a scan of the table instead
/// (docs/performance.md). The request list leaves the filter out when those ids are every
/// workspace there is ([`KnownWorkspaces`]). Finding one row by id checks `memberships` in the
/// same statement ([`member_of!`]): the statement then has one shape, which SQLite prepares
/// once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub user_id: i64,
    /// Every workspace `user_id` belongs to.
    pub member_of: Vec<i64>,
    pub workspace: Option<i64>,
}

impl Scope {
    /// The workspaces a list may show: the one named if the user belongs to it, else all of
    /// theirs.
    pub fn ids(&self) -> &[i64] {
        match &self.workspace {
            Some(id) if self.member_of.contains(id) => std::slice::from_ref(id),
            Some(_) => &[],
            None => &self.member_of,
        }
    }
}

/// The ids of the workspaces a user belongs to, as a subquery for `eq_any`. A macro rather than
/// a function: the subquery's type is long, and a boxed one cannot go into an unboxed query.
macro_rules! member_of {
    ($user_id:expr) => {
        $crate::store::schema::memberships::table
            .filter($crate::store::schema::memberships::user_id.eq($user_id))
            .select($crate::store::schema::memberships::workspace_id)
    };
}
pub(crate) use member_of;

pub fn insert(
    conn: &mut AnyConnection,
    slug: &str,
    name: &str,
    at: NaiveDateTime,
) -> StoreResult<WorkspaceRow> {
    Ok(diesel::insert_into(workspaces::table)
        .values((workspaces::slug.eq(slug), workspaces::name.eq(name), workspaces::created_at.eq(at)))
        .get_result::<WorkspaceRow>(conn)?)
}

pub fn by_slug(conn: &mut AnyConnection, slug: &str) -> StoreResult<Option<WorkspaceRow>> {
    Ok(workspaces::table
        .filter(workspaces::slug.eq(slug))
        .select(WorkspaceRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn by_id(conn: &mut AnyConnection, id: i64) -> StoreResult<Option<WorkspaceRow>> {
    Ok(workspaces::table.find(id).select(WorkspaceRow::as_select()).first(conn).optional()?)
}

/// How many workspaces there were when last counted, shared by every connection of one
/// [`Db`](super::Db): a hint for whether a caller may belong to every workspace, so that a list
/// can try reading without its workspace filter. It may be stale either way (another instance
/// creates a workspace; a count races a creation); [`KnownWorkspaces::covers`] then decides on
/// fresh rows.
#[derive(Debug, Clone)]
pub struct KnownWorkspaces(Arc<AtomicI64>);

const UNCOUNTED: i64 = -1;

impl Default for KnownWorkspaces {
    fn default() -> Self {
        Self(Arc::new(AtomicI64::new(UNCOUNTED)))
    }
}

impl KnownWorkspaces {
    /// Whether `ids` may be every workspace there is: as many as were last counted. Counts
    /// only the first time.
    pub fn may_cover(&self, conn: &mut AnyConnection, ids: &[i64]) -> StoreResult<bool> {
        match self.0.load(Ordering::Relaxed) {
            UNCOUNTED => self.covers(conn, ids),
            known => Ok(ids.len() as i64 >= known),
        }
    }

    /// Whether every workspace there is now, archived or not, is one of `ids`; counts them
    /// again for [`KnownWorkspaces::may_cover`].
    pub fn covers(&self, conn: &mut AnyConnection, ids: &[i64]) -> StoreResult<bool> {
        let all: Vec<i64> = workspaces::table.select(workspaces::id).load(conn)?;
        self.0.store(all.len() as i64, Ordering::Relaxed);
        let ids: std::collections::HashSet<&i64> = ids.iter().collect();
        Ok(all.iter().all(|id| ids.contains(id)))
    }
}

pub fn all(conn: &mut AnyConnection) -> StoreResult<Vec<WorkspaceRow>> {
    Ok(workspaces::table.order(workspaces::slug).select(WorkspaceRow::as_select()).load(conn)?)
}

/// The workspaces `user_id` belongs to, with their role in each, by slug.
pub fn of_user(conn: &mut AnyConnection, user_id: i64) -> StoreResult<Vec<(WorkspaceRow, WorkspaceRole)>> {
    Ok(super::native!(conn, |c| memberships::table
        .inner_join(workspaces::table)
        .filter(memberships::user_id.eq(user_id))
        .order(workspaces::slug)
        .select((WorkspaceRow::as_select(), memberships::role))
        .load(c))?)
}

/// Every membership of every user: user id, workspace slug and role, by slug.
pub fn every_membership(conn: &mut AnyConnection) -> StoreResult<Vec<(i64, String, WorkspaceRole)>> {
    Ok(super::native!(conn, |c| memberships::table
        .inner_join(workspaces::table)
        .order((memberships::user_id, workspaces::slug))
        .select((memberships::user_id, workspaces::slug, memberships::role))
        .load(c))?)
}

pub fn rename(conn: &mut AnyConnection, id: i64, name: &str) -> StoreResult<()> {
    diesel::update(workspaces::table.find(id)).set(workspaces::name.eq(name)).execute(conn)?;
    Ok(())
}

pub fn set_archived(conn: &mut AnyConnection, id: i64, at: Option<NaiveDateTime>) -> StoreResult<()> {
    diesel::update(workspaces::table.find(id)).set(workspaces::archived_at.eq(at)).execute(conn)?;
    Ok(())
}

/// The members of a workspace with their user rows, by email.
pub fn members(conn: &mut AnyConnection, workspace_id: i64) -> StoreResult<Vec<(MembershipRow, UserRow)>> {
    Ok(memberships::table
        .inner_join(users::table)
        .filter(memberships::workspace_id.eq(workspace_id))
        .order(users::email)
        .select((MembershipRow::as_select(), UserRow::as_select()))
        .load(conn)?)
}

pub fn membership(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
) -> StoreResult<Option<MembershipRow>> {
    Ok(memberships::table
        .find((workspace_id, user_id))
        .select(MembershipRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn add_member(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
    role: WorkspaceRole,
    at: NaiveDateTime,
) -> StoreResult<()> {
    diesel::insert_into(memberships::table)
        .values((
            memberships::workspace_id.eq(workspace_id),
            memberships::user_id.eq(user_id),
            memberships::role.eq(role),
            memberships::added_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn set_role(
    conn: &mut AnyConnection,
    workspace_id: i64,
    user_id: i64,
    role: WorkspaceRole,
) -> StoreResult<()> {
    diesel::update(memberships::table.find((workspace_id, user_id)))
        .set(memberships::role.eq(role))
        .execute(conn)?;
    Ok(())
}

/// Ends a membership, and with it the member's watching of the workspace's campaigns.
pub fn remove_member(conn: &mut AnyConnection, workspace_id: i64, user_id: i64) -> StoreResult<()> {
    let campaigns_here =
        campaigns::table.filter(campaigns::workspace_id.eq(workspace_id)).select(campaigns::id);
    diesel::delete(
        campaign_watchers::table
            .filter(campaign_watchers::user_id.eq(user_id))
            .filter(campaign_watchers::campaign_id.eq_any(campaigns_here)),
    )
    .execute(conn)?;
    diesel::delete(memberships::table.find((workspace_id, user_id))).execute(conn)?;
    Ok(())
}

/// Counts a workspace's owners, locking their memberships for the rest of the transaction on
/// PostgreSQL, so that two owners demoting each other at once cannot leave none (SQLite's write
/// transaction already excludes the other writer).
pub fn lock_owners(conn: &mut AnyConnection, workspace_id: i64) -> StoreResult<usize> {
    let owners = memberships::table
        .filter(memberships::workspace_id.eq(workspace_id))
        .filter(memberships::role.eq(WorkspaceRole::Owner))
        .select(memberships::user_id);
    Ok(match conn {
        AnyConnection::Postgres(c) => owners.for_update().load::<i64>(c)?.len(),
        AnyConnection::Sqlite(c) => owners.load::<i64>(c)?.len(),
    })
}

pub fn contacts(conn: &mut AnyConnection, workspace_id: i64) -> StoreResult<Vec<ContactRow>> {
    Ok(workspace_contacts::table
        .filter(workspace_contacts::workspace_id.eq(workspace_id))
        .order(workspace_contacts::authority_id)
        .select(ContactRow::as_select())
        .load(conn)?)
}

pub fn contact(
    conn: &mut AnyConnection,
    workspace_id: i64,
    authority_id: i64,
) -> StoreResult<Option<ContactRow>> {
    Ok(workspace_contacts::table
        .find((workspace_id, authority_id))
        .select(ContactRow::as_select())
        .first(conn)
        .optional()?)
}

/// Sets a workspace's contact for a body, replacing any before it, in one statement (so two at
/// once cannot collide).
pub fn put_contact(conn: &mut AnyConnection, row: &ContactRow) -> StoreResult<()> {
    let upsert = diesel::insert_into(workspace_contacts::table)
        .values(row)
        .on_conflict((workspace_contacts::workspace_id, workspace_contacts::authority_id))
        .do_update()
        .set(row);
    match conn {
        AnyConnection::Sqlite(c) => upsert.execute(c)?,
        AnyConnection::Postgres(c) => upsert.execute(c)?,
    };
    Ok(())
}

pub fn delete_contact(conn: &mut AnyConnection, workspace_id: i64, authority_id: i64) -> StoreResult<bool> {
    Ok(diesel::delete(workspace_contacts::table.find((workspace_id, authority_id))).execute(conn)? == 1)
}
