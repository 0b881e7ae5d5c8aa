//! Workspaces: a team's campaigns, requests, mail and timelines, seen only by its members. Site
//! administrators create workspaces and appoint their first owner; owners manage the members.
//!
//! Every use case over a workspace's objects finds the object through the actor's [`Scope`], so
//! an object of another workspace is "not found" exactly like one that does not exist, and only
//! then checks the actor's role in the object's workspace (`403` for a member without the right).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::convert::utc;
use super::text::{self, Shape};
use super::{Actor, FieldError, Service, ServiceError, ServiceResult, now};
use crate::domain::vocab::{Role, WorkspaceRole};
use crate::domain::workspace::parse_slug;
use crate::store::models::{UserRow, WorkspaceRow};
use crate::store::workspaces::{self as store_ws, Scope};
use crate::store::{self, AnyConnection, users};

/// One of the actor's workspaces and their role in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Membership {
    #[serde(skip)]
    pub workspace_id: i64,
    /// The workspace's slug, as `--workspace` and the `workspace` fields take it.
    pub workspace: String,
    pub name: String,
    pub role: WorkspaceRole,
    pub archived: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorkspaceView {
    pub slug: String,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When it was archived; an archived workspace can be read but not changed.
    pub archived_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Your role in it; none for a site administrator who is not a member.
    pub role: Option<WorkspaceRole>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MemberView {
    pub user_id: i64,
    pub email: String,
    pub name: String,
    pub role: WorkspaceRole,
    pub added_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWorkspaceInput {
    /// 2 to 40 lower-case letters, digits and hyphens, starting with a letter and not ending
    /// with a hyphen.
    #[schema(min_length = 2, max_length = 40, pattern = "^[a-z][a-z0-9-]{0,38}[a-z0-9]$")]
    pub slug: String,
    /// One line: no control characters.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub name: String,
    /// The email of an existing user, who becomes the first owner.
    pub owner: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspaceChange {
    /// A new name. One line: no control characters.
    #[serde(default)]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    )]
    pub name: Option<String>,
    /// `true` archives it: its campaigns, requests and mail can be read but not changed, and it
    /// sends no mail at all; its owners can still manage its members. `false` brings it back.
    #[serde(default)]
    pub archived: Option<bool>,
}

impl Actor {
    /// The actor's membership in a workspace, by id.
    pub fn membership(&self, workspace_id: i64) -> Option<&Membership> {
        self.workspaces.iter().find(|m| m.workspace_id == workspace_id)
    }

    /// The slug of one of the actor's workspaces, for a view of its object; empty for any other.
    pub fn slug_of(&self, workspace_id: i64) -> String {
        self.membership(workspace_id).map(|m| m.workspace.clone()).unwrap_or_default()
    }

    /// Whose rows the actor may list: all their workspaces, or the one named by `slug`.
    pub fn scope(&self, slug: Option<&str>) -> ServiceResult<Scope> {
        let workspace = match slug.map(str::trim).filter(|s| !s.is_empty()) {
            Some(slug) => Some(self.named(slug)?.workspace_id),
            None => None,
        };
        let member_of = self.workspaces.iter().map(|m| m.workspace_id).collect();
        Ok(Scope { user_id: self.user_id, member_of, workspace })
    }

    /// The workspace a new object goes into: the one named, or the only one the actor can work
    /// in. With several and none named, the error lists them.
    pub fn home(&self, slug: Option<&str>) -> ServiceResult<&Membership> {
        if let Some(slug) = slug.map(str::trim).filter(|s| !s.is_empty()) {
            return self.named(slug);
        }
        let open: Vec<&Membership> = self.workspaces.iter().filter(|m| !m.archived).collect();
        match open.as_slice() {
            [only] => Ok(only),
            [] if !self.workspaces.is_empty() => Err(ServiceError::invalid_fields(vec![FieldError::new(
                "workspace",
                "all your workspaces are archived; name one to read it",
            )])),
            [] => Err(ServiceError::invalid_fields(vec![FieldError::new(
                "workspace",
                "you are not a member of any workspace yet; ask a site administrator to add you to one",
            )])),
            several => Err(ServiceError::invalid_fields(vec![FieldError::new(
                "workspace",
                format!(
                    "you belong to several workspaces; say which: {}",
                    several.iter().map(|m| m.workspace.as_str()).collect::<Vec<_>>().join(", ")
                ),
            )])),
        }
    }

    /// The actor's workspace with this slug; any other answers "not found".
    pub fn named(&self, slug: &str) -> ServiceResult<&Membership> {
        let slug = slug.trim();
        self.workspaces.iter().find(|m| m.workspace == slug).ok_or_else(|| unknown(slug))
    }

    /// Checks the actor's role in `workspace_id` (whose object they have already found) allows
    /// `what`, and that the workspace is not archived.
    pub fn require_in(
        &self,
        workspace_id: i64,
        allowed: fn(WorkspaceRole) -> bool,
        what: &str,
    ) -> ServiceResult<&Membership> {
        let m = self
            .membership(workspace_id)
            .ok_or_else(|| ServiceError::NotFound("That is not in any of your workspaces.".into()))?;
        if !allowed(m.role) {
            return Err(ServiceError::Forbidden(format!(
                "Your role in the workspace {} ({}) does not allow you to {what}.",
                m.workspace, m.role
            )));
        }
        if m.archived {
            return Err(ServiceError::Conflict(format!(
                "The workspace {} is archived; it can be read but not changed.",
                m.workspace
            )));
        }
        Ok(m)
    }

    /// Whether the actor may work in at least one workspace with this right (or is a site admin).
    pub fn anywhere(&self, allowed: fn(WorkspaceRole) -> bool) -> bool {
        self.role == Role::Admin || self.workspaces.iter().any(|m| !m.archived && allowed(m.role))
    }
}

fn unknown(slug: &str) -> ServiceError {
    ServiceError::NotFound(format!("No workspace of yours has the slug {slug}."))
}

/// The memberships of `user_id`, as an [`Actor`] carries them.
pub(crate) fn memberships(conn: &mut AnyConnection, user_id: i64) -> ServiceResult<Vec<Membership>> {
    Ok(store_ws::of_user(conn, user_id)?
        .into_iter()
        .map(|(w, role)| membership((w.id, w.slug, w.name, w.archived_at, role)))
        .collect())
}

/// A membership as the token's check reads it (`store::users::with_memberships_by_token_hash`).
pub(crate) fn membership((id, slug, name, archived_at, role): store::users::Membership) -> Membership {
    Membership { workspace_id: id, workspace: slug, name, role, archived: archived_at.is_some() }
}

fn view(row: WorkspaceRow, role: Option<WorkspaceRole>) -> WorkspaceView {
    WorkspaceView {
        slug: row.slug,
        name: row.name,
        created_at: utc(row.created_at),
        archived_at: row.archived_at.map(utc),
        role,
    }
}

fn check_name(name: &str) -> ServiceResult<String> {
    text::check([("name", name, Shape::Line(text::TITLE))])?;
    let name = name.trim();
    if name.is_empty() {
        return Err(ServiceError::invalid_fields(vec![FieldError::new("name", "give the workspace a name")]));
    }
    Ok(name.to_string())
}

impl Service {
    /// The workspaces the actor belongs to; a site administrator sees every workspace.
    pub fn list_workspaces(&self, actor: &Actor) -> ServiceResult<Vec<WorkspaceView>> {
        let mut conn = self.db().conn()?;
        if actor.role == Role::Admin {
            let rows = store_ws::all(&mut conn)?;
            return Ok(rows
                .into_iter()
                .map(|w| {
                    let role = actor.membership(w.id).map(|m| m.role);
                    view(w, role)
                })
                .collect());
        }
        Ok(store_ws::of_user(&mut conn, actor.user_id)?
            .into_iter()
            .map(|(w, role)| view(w, Some(role)))
            .collect())
    }

    /// A workspace the actor belongs to (or any, for a site administrator).
    pub fn workspace(&self, actor: &Actor, slug: &str) -> ServiceResult<WorkspaceView> {
        let (row, role) = self.visible_workspace(&mut *self.db().conn()?, actor, slug)?;
        Ok(view(row, role))
    }

    fn visible_workspace(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        slug: &str,
    ) -> ServiceResult<(WorkspaceRow, Option<WorkspaceRole>)> {
        // A slug that could not exist (a NUL, which PostgreSQL refuses, among others) is not
        // looked up at all.
        let slug = parse_slug(slug).map_err(|_| unknown(slug))?;
        let row = store_ws::by_slug(conn, &slug)?.ok_or_else(|| unknown(&slug))?;
        let role = store_ws::membership(conn, row.id, actor.user_id)?.map(|m| m.role);
        if role.is_none() && actor.role != Role::Admin {
            return Err(unknown(&slug));
        }
        Ok((row, role))
    }

    /// The workspace, if the actor may manage its members: an owner, or a site administrator.
    fn managed_workspace(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        slug: &str,
    ) -> ServiceResult<WorkspaceRow> {
        let (row, role) = self.visible_workspace(conn, actor, slug)?;
        if actor.role != Role::Admin && !role.is_some_and(WorkspaceRole::can_manage_members) {
            return Err(ServiceError::Forbidden(format!(
                "Your role in the workspace {} ({}) does not allow you to manage it.",
                row.slug,
                role.map(|r| r.as_str()).unwrap_or("none")
            )));
        }
        Ok(row)
    }

    /// Creates a workspace with its first owner (site administrators only).
    pub fn create_workspace(&self, actor: &Actor, input: NewWorkspaceInput) -> ServiceResult<WorkspaceView> {
        actor.require(actor.role.can_manage_users(), "create workspaces")?;
        let mut errors = Vec::new();
        let slug =
            parse_slug(&input.slug).map_err(|e| errors.push(FieldError::new("slug", e.to_string()))).ok();
        let name = check_name(&input.name).map_err(|e| errors.extend(fields(e))).ok();
        if !errors.is_empty() {
            return Err(ServiceError::invalid_fields(errors));
        }
        let (slug, name) = (slug.expect("checked"), name.expect("checked"));
        let mut conn = self.db().conn()?;
        let owner = user_by_email(&mut conn, "owner", &input.owner)?;
        let row = store::write_transaction(&mut conn, |conn| {
            if store_ws::by_slug(conn, &slug)?.is_some() {
                return Err(ServiceError::Conflict(format!(
                    "A workspace with the slug {slug} already exists."
                )));
            }
            let row = store_ws::insert(conn, &slug, &name, now())?;
            store_ws::add_member(conn, row.id, owner.id, WorkspaceRole::Owner, now())?;
            Ok(row)
        })?;
        let role = (owner.id == actor.user_id).then_some(WorkspaceRole::Owner);
        Ok(view(row, role))
    }

    /// Renames or archives a workspace (its owners, or a site administrator).
    pub fn change_workspace(
        &self,
        actor: &Actor,
        slug: &str,
        change: WorkspaceChange,
    ) -> ServiceResult<WorkspaceView> {
        let name = change.name.as_deref().map(check_name).transpose()?;
        let mut conn = self.db().conn()?;
        let row = self.managed_workspace(&mut conn, actor, slug)?;
        store::write_transaction(&mut conn, |conn| {
            if let Some(name) = &name {
                store_ws::rename(conn, row.id, name)?;
            }
            match change.archived {
                Some(true) if row.archived_at.is_none() => store_ws::set_archived(conn, row.id, Some(now()))?,
                Some(false) => store_ws::set_archived(conn, row.id, None)?,
                _ => {}
            }
            Ok::<_, ServiceError>(())
        })?;
        self.workspace(actor, &row.slug)
    }

    pub fn list_members(&self, actor: &Actor, slug: &str) -> ServiceResult<Vec<MemberView>> {
        let mut conn = self.db().conn()?;
        let (row, _) = self.visible_workspace(&mut conn, actor, slug)?;
        Ok(store_ws::members(&mut conn, row.id)?
            .into_iter()
            .map(|(m, u)| MemberView {
                user_id: u.id,
                email: u.email,
                name: u.name,
                role: m.role,
                added_at: utc(m.added_at),
            })
            .collect())
    }

    /// Adds an existing user to a workspace.
    pub fn add_member(
        &self,
        actor: &Actor,
        slug: &str,
        email: &str,
        role: WorkspaceRole,
    ) -> ServiceResult<MemberView> {
        let mut conn = self.db().conn()?;
        let row = self.managed_workspace(&mut conn, actor, slug)?;
        let user = user_by_email(&mut conn, "email", email)?;
        store::write_transaction(&mut conn, |conn| {
            if store_ws::membership(conn, row.id, user.id)?.is_some() {
                return Err(ServiceError::Conflict(format!(
                    "{} is already a member of the workspace {}.",
                    user.email, row.slug
                )));
            }
            store_ws::add_member(conn, row.id, user.id, role, now())?;
            Ok(())
        })?;
        self.member(&mut conn, row.id, user)
    }

    /// Changes a member's role; the last owner cannot stop being one.
    pub fn change_member(
        &self,
        actor: &Actor,
        slug: &str,
        user_id: i64,
        role: WorkspaceRole,
    ) -> ServiceResult<MemberView> {
        let mut conn = self.db().conn()?;
        let row = self.managed_workspace(&mut conn, actor, slug)?;
        let user = store::write_transaction(&mut conn, |conn| {
            let (current, user) = member_of(conn, &row, user_id)?;
            if current == WorkspaceRole::Owner && role != WorkspaceRole::Owner {
                last_owner_check(conn, &row, &user)?;
            }
            store_ws::set_role(conn, row.id, user_id, role)?;
            Ok::<_, ServiceError>(user)
        })?;
        self.member(&mut conn, row.id, user)
    }

    /// Ends a membership. The member's digests stop with it; the last owner cannot leave.
    pub fn remove_member(&self, actor: &Actor, slug: &str, user_id: i64) -> ServiceResult<()> {
        let mut conn = self.db().conn()?;
        // Anyone may leave a workspace themselves.
        let row = match self.managed_workspace(&mut conn, actor, slug) {
            Err(ServiceError::Forbidden(_)) if user_id == actor.user_id => {
                self.visible_workspace(&mut conn, actor, slug)?.0
            }
            other => other?,
        };
        store::write_transaction(&mut conn, |conn| {
            let (current, user) = member_of(conn, &row, user_id)?;
            if current == WorkspaceRole::Owner {
                last_owner_check(conn, &row, &user)?;
            }
            store_ws::remove_member(conn, row.id, user_id)?;
            Ok(())
        })
    }

    fn member(
        &self,
        conn: &mut AnyConnection,
        workspace_id: i64,
        user: UserRow,
    ) -> ServiceResult<MemberView> {
        let m = store_ws::membership(conn, workspace_id, user.id)?
            .ok_or_else(|| ServiceError::internal("a membership just written is missing"))?;
        Ok(MemberView {
            user_id: user.id,
            email: user.email,
            name: user.name,
            role: m.role,
            added_at: utc(m.added_at),
        })
    }
}

/// The workspace with this slug, whoever asks: for site-wide uses (a new user, a token).
pub(crate) fn by_slug(
    conn: &mut AnyConnection,
    slug: &str,
) -> ServiceResult<crate::store::models::WorkspaceRow> {
    let missing = || ServiceError::NotFound(format!("No workspace has the slug {}.", slug.trim()));
    // A slug that could not exist (a NUL, which PostgreSQL refuses) is not looked up.
    let slug = crate::domain::workspace::parse_slug(slug.trim()).map_err(|_| missing())?;
    store_ws::by_slug(conn, &slug)?.ok_or_else(missing)
}

fn member_of(
    conn: &mut AnyConnection,
    row: &WorkspaceRow,
    user_id: i64,
) -> ServiceResult<(WorkspaceRole, UserRow)> {
    let m = store_ws::membership(conn, row.id, user_id)?.ok_or_else(|| {
        ServiceError::NotFound(format!(
            "The workspace {} has no member with the user id {user_id}.",
            row.slug
        ))
    })?;
    let user = users::by_id(conn, user_id)?
        .ok_or_else(|| ServiceError::internal("a member's user row is missing"))?;
    Ok((m.role, user))
}

fn last_owner_check(conn: &mut AnyConnection, row: &WorkspaceRow, user: &UserRow) -> ServiceResult<()> {
    if store_ws::lock_owners(conn, row.id)? <= 1 {
        return Err(ServiceError::Conflict(format!(
            "{} is the last owner of the workspace {}; make another member an owner first.",
            user.email, row.slug
        )));
    }
    Ok(())
}

fn fields(e: ServiceError) -> Vec<FieldError> {
    match e {
        ServiceError::Invalid { fields, .. } => fields,
        other => vec![FieldError::new("", other.to_string())],
    }
}

/// An existing user by email, or a field error: workspaces take members, they do not make users.
pub(crate) fn user_by_email(conn: &mut AnyConnection, field: &str, email: &str) -> ServiceResult<UserRow> {
    let key = crate::domain::newtypes::EmailAddress::parse(email)
        .map(|e| e.as_str().to_lowercase())
        .map_err(|e| ServiceError::invalid_fields(vec![FieldError::new(field, e.to_string())]))?;
    users::by_email(conn, &key)?.ok_or_else(|| {
        ServiceError::invalid_fields(vec![FieldError::new(
            field,
            format!("no user has the email {key}; a site administrator adds users first"),
        )])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(memberships: &[(&str, WorkspaceRole, bool)]) -> Actor {
        let workspaces = memberships
            .iter()
            .enumerate()
            .map(|(i, (slug, role, archived))| Membership {
                workspace_id: i as i64 + 1,
                workspace: slug.to_string(),
                name: slug.to_string(),
                role: *role,
                archived: *archived,
            })
            .collect();
        Actor { user_id: 7, email: "a@example.org".into(), role: Role::Researcher, workspaces }
    }

    #[test]
    fn the_home_workspace_is_the_named_one_or_the_only_open_one() {
        use WorkspaceRole::*;
        let one = actor(&[("default", Coder, false)]);
        assert_eq!(one.home(None).unwrap().workspace, "default");
        assert_eq!(one.home(Some("  ")).unwrap().workspace, "default");
        let several = actor(&[("a", Owner, false), ("b", Viewer, false), ("old", Owner, true)]);
        let err = several.home(None).unwrap_err().to_string();
        assert!(err.contains("say which: a, b"), "{err}");
        assert_eq!(several.home(Some("old")).unwrap().workspace, "old", "an archived one, when named");
        // Archived ones do not count as a default.
        let one_open = actor(&[("a", Owner, false), ("old", Owner, true)]);
        assert_eq!(one_open.home(None).unwrap().workspace, "a");
        assert!(matches!(several.home(Some("c")), Err(ServiceError::NotFound(_))));
        assert!(matches!(actor(&[]).home(None), Err(ServiceError::Invalid { .. })));
    }

    #[test]
    fn scopes_name_only_the_actors_workspaces() {
        let a = actor(&[("a", WorkspaceRole::Viewer, false), ("b", WorkspaceRole::Owner, false)]);
        let all = a.scope(None).unwrap();
        assert_eq!(all, Scope { user_id: 7, member_of: vec![1, 2], workspace: None });
        assert_eq!(all.ids(), &[1, 2]);
        let b = a.scope(Some("b")).unwrap();
        assert_eq!(b, Scope { user_id: 7, member_of: vec![1, 2], workspace: Some(2) });
        assert_eq!(b.ids(), &[2]);
        // A scope built by hand for a workspace the user is not in lists nothing.
        assert!(Scope { user_id: 7, member_of: vec![1], workspace: Some(2) }.ids().is_empty());
        let err = a.scope(Some("z")).unwrap_err();
        assert_eq!(err.to_string(), "No workspace of yours has the slug z.");
    }

    #[test]
    fn rights_are_checked_in_the_objects_workspace() {
        use WorkspaceRole::*;
        let a = actor(&[("a", Viewer, false), ("b", Researcher, false), ("old", Owner, true)]);
        let refused = a.require_in(1, WorkspaceRole::can_record_events, "record events").unwrap_err();
        assert_eq!(
            refused.to_string(),
            "Your role in the workspace a (viewer) does not allow you to record events."
        );
        assert!(a.require_in(2, WorkspaceRole::can_manage_campaigns, "send").is_ok());
        assert!(matches!(
            a.require_in(3, WorkspaceRole::can_record_events, "x"),
            Err(ServiceError::Conflict(_))
        ));
        assert!(matches!(
            a.require_in(9, WorkspaceRole::can_record_events, "x"),
            Err(ServiceError::NotFound(_))
        ));
        assert!(a.anywhere(WorkspaceRole::can_manage_campaigns));
        assert!(!actor(&[("a", Coder, false)]).anywhere(WorkspaceRole::can_manage_campaigns));
    }
}
