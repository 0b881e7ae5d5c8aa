//! Users, roles and API tokens. Tokens are 256 random bits; only their SHA-256 is stored, which
//! is enough for secrets that cannot be guessed (a slow password hash would buy nothing).

use chrono::Duration;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::convert;
use super::views::{NewTokenView, NewUserView, TokenView, UserView};
use super::{Actor, FieldError, Service, ServiceError, ServiceResult, now};
use crate::domain::newtypes::EmailAddress;
use crate::domain::vocab::Role;
use crate::store::models::{NewToken, NewUser};
use crate::store::{self, users};

const TOKEN_PREFIX: &str = "ft_";

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{TOKEN_PREFIX}{}", hex::encode(bytes))
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Service {
    /// True until the first user exists: `serve` then says how to create one.
    pub fn needs_first_user(&self) -> ServiceResult<bool> {
        Ok(users::count(&mut *self.db().conn()?)? == 0)
    }

    /// Adds a user and gives them a first token. `actor` is `None` at the command line, where
    /// whoever can run the binary against the database is trusted; over the API only admins may.
    ///
    /// The user joins `workspace` with the workspace role matching `role` (an admin as owner).
    /// With no workspace named they join the only one there is; with several, none.
    pub fn add_user(
        &self,
        actor: Option<&Actor>,
        email: &str,
        name: &str,
        role: Role,
        workspace: Option<&str>,
    ) -> ServiceResult<NewUserView> {
        if let Some(actor) = actor {
            actor.require(actor.role.can_manage_users(), "add users")?;
        }
        let mut conn = self.db().conn()?;
        store::write_transaction(&mut conn, |conn| {
            let row = insert_user(conn, email, name, role, workspace)?;
            let email = row.email.clone();
            let new = NewToken {
                user_id: row.id,
                token_hash: "",
                label: "first token",
                created_at: now(),
                ingest_only: false,
                workspace_id: None,
            };
            let token = issue_token(conn, new, &email)?;
            Ok(NewUserView { user: convert::user(row)?, token })
        })
    }

    pub fn list_users(&self, actor: Option<&Actor>) -> ServiceResult<Vec<UserView>> {
        if let Some(actor) = actor {
            actor.require(actor.role.can_manage_users(), "list users")?;
        }
        users::list(&mut *self.db().conn()?)?.into_iter().map(convert::user).collect()
    }

    /// Creates a token for `for_email` (yourself unless you are an admin). Only admins, and the
    /// command line, create tokens that deliver incoming mail: such mail may belong to any team.
    pub fn create_token(
        &self,
        actor: Option<&Actor>,
        for_email: Option<&str>,
        label: Option<&str>,
        rights: &TokenRights,
    ) -> ServiceResult<NewTokenView> {
        if let (Some(actor), TokenRights::Ingest { .. }) = (actor, rights) {
            actor.require(actor.role.can_manage_users(), "create tokens that deliver incoming mail")?;
        }
        super::text::check([(
            "label",
            label.unwrap_or("").trim(),
            super::text::Shape::Line(super::text::REFERENCE),
        )])?;
        let mut conn = self.db().conn()?;
        let email = match (for_email, actor) {
            (Some(e), _) => e.trim().to_string(),
            (None, Some(a)) => a.email.clone(),
            (None, None) => {
                return Err(ServiceError::invalid_fields(vec![FieldError::new(
                    "user",
                    "say whose token this is",
                )]));
            }
        };
        // Check the role before looking anyone up, so that answers do not reveal who has an
        // account.
        if let (Some(actor), Some(wanted)) = (actor, for_email) {
            let is_self = sign_in_email(wanted).is_ok_and(|w| w == actor.email);
            actor.require(is_self || actor.role.can_manage_users(), "create tokens for other users")?;
        }
        // Match the address however it was typed.
        let email = sign_in_email(&email).unwrap_or(email);
        let user = users::by_email(&mut conn, &email)?
            .ok_or_else(|| ServiceError::NotFound(format!("No user has the email {email}.")))?;
        if let Some(actor) = actor {
            actor.require(
                actor.user_id == user.id || actor.role.can_manage_users(),
                "create tokens for other users",
            )?;
        }
        let label = label.map(str::trim).filter(|l| !l.is_empty()).unwrap_or(match rights {
            TokenRights::Full => "api token",
            TokenRights::Ingest { .. } => "incoming mail",
        });
        let (ingest_only, workspace_id) = match rights {
            TokenRights::Full => (false, None),
            TokenRights::Ingest { workspace: None } => (true, None),
            TokenRights::Ingest { workspace: Some(slug) } => {
                (true, Some(super::workspaces::by_slug(&mut conn, slug)?.id))
            }
        };
        let new = NewToken {
            user_id: user.id,
            token_hash: "",
            label,
            created_at: now(),
            ingest_only,
            workspace_id,
        };
        store::write_transaction(&mut conn, |conn| issue_token(conn, new, &user.email))
    }

    pub fn list_tokens(&self, actor: &Actor) -> ServiceResult<Vec<TokenView>> {
        let mut conn = self.db().conn()?;
        Ok(users::tokens_of(&mut conn, actor.user_id)?
            .into_iter()
            .map(|t| convert::token(t, actor.email.clone()))
            .collect())
    }

    /// Revokes a token: your own, or anyone's if you are an admin (or at the command line).
    pub fn revoke_token(&self, actor: Option<&Actor>, token_id: i64) -> ServiceResult<()> {
        let mut conn = self.db().conn()?;
        let token = users::token(&mut conn, token_id)?
            .ok_or_else(|| ServiceError::NotFound(format!("No token has the id {token_id}.")))?;
        // Someone else's token is reported as missing, so as not to reveal that it exists.
        if actor.is_some_and(|a| a.user_id != token.user_id && !a.role.can_manage_users()) {
            return Err(ServiceError::NotFound(format!("No token has the id {token_id}.")));
        }
        if users::revoke_token(&mut conn, token_id, now())? {
            Ok(())
        } else {
            Err(ServiceError::Conflict(format!("Token {token_id} was already revoked.")))
        }
    }

    /// The actor holding this bearer token.
    pub fn authenticate(&self, token: &str) -> ServiceResult<Actor> {
        let mut conn = self.db().conn()?;
        let (token_row, user, spaces) =
            users::with_memberships_by_token_hash(&mut conn, &hash(token.trim()))?.ok_or_else(|| {
                ServiceError::Unauthorized("The API token is not valid, or has been revoked.".into())
            })?;
        // Recording every use would make each read a write; once every few minutes is enough.
        let stamp = now();
        if token_row.last_used_at.is_none_or(|t| stamp - t > Duration::minutes(5)) {
            // Only a record of use: a busy database must not turn a read into an error.
            if let Err(e) = users::touch_token(&mut conn, token_row.id, stamp) {
                tracing::warn!(error = %e, "could not record a token's use");
            }
        }
        if token_row.ingest_only {
            return Err(ServiceError::Forbidden(
                "This token can only deliver incoming mail, to POST /api/v1/inbound.".into(),
            ));
        }
        let workspaces = spaces.into_iter().map(super::workspaces::membership).collect();
        Ok(Actor { user_id: user.id, role: user.role, email: user.email, workspaces })
    }

    /// Whoever holds this bearer token, if it is one made to deliver incoming mail.
    pub fn authenticate_ingest(&self, token: &str) -> ServiceResult<Ingester> {
        let mut conn = self.db().conn()?;
        let (token_row, user) = users::by_token_hash(&mut conn, &hash(token.trim()))?.ok_or_else(|| {
            ServiceError::Unauthorized("The API token is not valid, or has been revoked.".into())
        })?;
        if !token_row.ingest_only {
            return Err(ServiceError::Forbidden(
                "Only a token made for incoming mail can deliver it: create one with `foitrack token create --user EMAIL --ingest`.".into(),
            ));
        }
        Ok(Ingester { user_id: user.id, workspace_id: token_row.workspace_id })
    }

    /// The actor for command-line use: the named user, or the first admin.
    pub fn local_actor(&self, email: Option<&str>) -> ServiceResult<Actor> {
        let mut conn = self.db().conn()?;
        let user = match email {
            Some(e) => users::by_email(&mut conn, &sign_in_email(e).unwrap_or_else(|_| e.trim().to_string()))?
                .ok_or_else(|| ServiceError::NotFound(format!("No user has the email {e}.")))?,
            None => users::list(&mut conn)?
                .into_iter()
                .find(|u| u.role == Role::Admin)
                .ok_or_else(|| ServiceError::NotFound(
                    "No administrator exists yet. Create one with: foitrack user add --email YOU@EXAMPLE.ORG --role admin".into(),
                ))?,
        };
        let workspaces = super::workspaces::memberships(&mut conn, user.id)?;
        Ok(Actor { user_id: user.id, role: user.role, email: user.email, workspaces })
    }
}

/// Adds a user, in `workspace` or the only one there is, inside the caller's transaction.
pub(super) fn insert_user(
    conn: &mut store::AnyConnection,
    email: &str,
    name: &str,
    role: Role,
    workspace: Option<&str>,
) -> ServiceResult<crate::store::models::UserRow> {
    super::text::check([("name", name.trim(), super::text::Shape::Line(super::text::TITLE))])?;
    let email = sign_in_email(email)
        .map_err(|e| ServiceError::invalid_fields(vec![FieldError::new("email", e.to_string())]))?;
    let name = name.trim();
    let name = if name.is_empty() { email.split('@').next().unwrap_or("") } else { name };
    if users::by_email(conn, &email)?.is_some() {
        return Err(ServiceError::Conflict(format!("A user with the email {email} already exists.")));
    }
    let joins = match workspace.map(str::trim).filter(|s| !s.is_empty()) {
        Some(slug) => Some(super::workspaces::by_slug(conn, slug)?),
        None => match store::workspaces::all(conn)?.as_slice() {
            [only] => Some(only.clone()),
            _ => None,
        },
    };
    let row = users::insert(conn, &NewUser { email: &email, name, role, created_at: now() })?;
    if let Some(w) = &joins {
        let joined_as = crate::domain::vocab::WorkspaceRole::from_site_role(role);
        store::workspaces::add_member(conn, w.id, row.id, joined_as, now())?;
    }
    Ok(row)
}

/// Users sign in by email address, which is matched whatever its case.
pub(super) fn sign_in_email(raw: &str) -> Result<String, crate::domain::newtypes::ValueError> {
    EmailAddress::parse(raw).map(|e| e.as_str().to_lowercase())
}

/// Stores `new` with a fresh secret in place of its empty hash, and shows the secret once.
fn issue_token(conn: &mut store::AnyConnection, new: NewToken, email: &str) -> ServiceResult<NewTokenView> {
    let secret = new_secret();
    let hashed = hash(&secret);
    let id = users::insert_token(conn, &NewToken { token_hash: &hashed, ..new })?;
    Ok(NewTokenView { id, user_email: email.to_string(), label: new.label.to_string(), token: secret })
}

/// What a new token may do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TokenRights {
    /// Everything its user may do.
    #[default]
    Full,
    /// Only deliver incoming mail (`POST /api/v1/inbound`). Mail that matches no request waits
    /// in this workspace's holding pen (by slug), or in the site's.
    Ingest { workspace: Option<String> },
}

/// Whoever delivers incoming mail with an ingest token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingester {
    pub user_id: i64,
    /// Where mail that matches no request waits; `None` for the site-wide holding pen.
    pub workspace_id: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 3 + 64);
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), a);
        assert_eq!(hash(&a), hash(&a));
    }
}
