//! Site administrators' view of the people who use foitrack: who has set a password, which
//! workspaces each belongs to, and who else administers the site.

use std::collections::BTreeMap;

use super::views::UserView;
use super::{Actor, Service, ServiceError, ServiceResult, convert};
use crate::domain::vocab::{Role, WorkspaceRole};
use crate::store::{self, users, workspaces};

/// One user as the administrators' page lists them.
#[derive(Debug, Clone)]
pub struct AccountView {
    pub user: UserView,
    /// Whether they can sign in to the web pages (API tokens work either way).
    pub password_set: bool,
    /// Their workspaces' slugs, with their role in each, by slug.
    pub workspaces: Vec<(String, WorkspaceRole)>,
}

impl Service {
    /// Every user, by email, for a site administrator.
    pub fn accounts(&self, actor: &Actor) -> ServiceResult<Vec<AccountView>> {
        actor.require(actor.role.can_manage_users(), "see everyone's accounts")?;
        let mut conn = self.db().conn()?;
        let mut spaces: BTreeMap<i64, Vec<(String, WorkspaceRole)>> = BTreeMap::new();
        for (user_id, slug, role) in workspaces::every_membership(&mut conn)? {
            spaces.entry(user_id).or_default().push((slug, role));
        }
        users::accounts(&mut conn)?
            .into_iter()
            .map(|(row, password_set)| {
                let workspaces = spaces.remove(&row.id).unwrap_or_default();
                Ok(AccountView { user: convert::user(row)?, password_set, workspaces })
            })
            .collect()
    }

    /// Adds a user from the administrators' page, in a workspace, and (with `send_link`) mails
    /// them a link to choose their password, all or nothing. Unlike [`Self::add_user`] it makes
    /// no API token: no one would ever see it.
    pub fn invite_user(
        &self,
        actor: &Actor,
        email: &str,
        name: &str,
        role: Role,
        workspace: &str,
        send_link: bool,
    ) -> ServiceResult<UserView> {
        actor.require(actor.role.can_manage_users(), "add users")?;
        let mut conn = self.db().conn()?;
        store::write_transaction(&mut conn, |conn| {
            let row = super::users::insert_user(conn, email, name, role, Some(workspace))?;
            if send_link {
                self.send_link_in(conn, actor, row.id)?;
            }
            convert::user(row)
        })
    }

    /// Changes a user's site role. The site always keeps one administrator: the last cannot be
    /// made anything else, so no one is locked out of managing it.
    pub fn change_site_role(&self, actor: &Actor, user_id: i64, role: Role) -> ServiceResult<UserView> {
        actor.require(actor.role.can_manage_users(), "change site roles")?;
        let mut conn = self.db().conn()?;
        store::write_transaction(&mut conn, |conn| {
            let user = users::by_id(conn, user_id)?
                .ok_or_else(|| ServiceError::NotFound(format!("No user has the id {user_id}.")))?;
            if user.role == Role::Admin && role != Role::Admin && users::lock_admins(conn)? <= 1 {
                return Err(ServiceError::Conflict(format!(
                    "{} is the only site administrator; make someone else one first.",
                    user.email
                )));
            }
            users::set_role(conn, user.id, role)?;
            let changed = users::by_id(conn, user.id)?
                .ok_or_else(|| ServiceError::NotFound(format!("No user has the id {user_id}.")))?;
            convert::user(changed)
        })
    }
}
