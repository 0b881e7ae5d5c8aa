//! Signing in to the web pages with an email address and a password. Passwords are kept only as
//! Argon2id hashes; API tokens stay for scripts and work whether or not a password is set.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;

use super::{Actor, Service, ServiceError, ServiceResult};
use crate::store::users;

/// Passwords shorter than this are refused: with no rule on their make-up, length is what makes
/// a password hard to guess.
pub const MIN_PASSWORD: usize = 10;
/// Longer ones are refused too: hashing cost grows with length, and no one types more.
pub const MAX_PASSWORD: usize = 1_000;

/// What a refused sign-in says, whatever was wrong, so that it does not tell whether an email
/// address has an account.
const NOT_SIGNED_IN: &str = "That email address and password do not match an account.";

impl Service {
    /// Sets a user's password: their own, or anyone's for a site administrator (`actor` none:
    /// the command line on the server).
    pub fn set_password(&self, actor: Option<&Actor>, email: &str, password: &str) -> ServiceResult<()> {
        let hash = password_hash(password)?;
        let mut conn = self.db().conn()?;
        let user = users::by_email(&mut conn, &super::users::sign_in_email(email).unwrap_or_default())?
            .ok_or_else(|| ServiceError::NotFound(format!("No user has the email {email}.")))?;
        if let Some(a) = actor
            && a.user_id != user.id
            && !a.role.can_manage_users()
        {
            return Err(ServiceError::Forbidden(
                "Only site administrators set other people's passwords.".into(),
            ));
        }
        crate::store::write_transaction(&mut conn, |conn| {
            users::set_password_hash(conn, user.id, &hash)?;
            // A link mailed before is no longer wanted: the password it would set is set.
            crate::store::password_resets::spend_all(conn, user.id, super::now())?;
            Ok::<_, ServiceError>(())
        })?;
        Ok(())
    }

    /// The user with this email and password, with their workspaces.
    pub fn sign_in(&self, email: &str, password: &str) -> ServiceResult<Actor> {
        self.sign_in_for_session(email, password).map(|(actor, _)| actor)
    }

    /// As [`Self::sign_in`], with the session stamp of the very password hash checked: read
    /// afterwards, it could be a new password's, set meanwhile, and the session would outlive it.
    pub fn sign_in_for_session(&self, email: &str, password: &str) -> ServiceResult<(Actor, String)> {
        let refused = || ServiceError::Unauthorized(NOT_SIGNED_IN.into());
        let email = super::users::sign_in_email(email).map_err(|_| refused())?;
        if password.chars().count() > MAX_PASSWORD {
            return Err(refused());
        }
        let mut conn = self.db().conn()?;
        let found = users::with_password(&mut conn, &email)?;
        // Without an account (or a password) a hash is still checked, so that a refusal takes
        // as long either way and its timing does not tell which.
        let stored = found.as_ref().and_then(|(_, h)| h.clone()).unwrap_or_else(|| decoy().to_string());
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| ServiceError::internal(format!("A stored password hash does not read: {e}")))?;
        let matches = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
        match found {
            Some((user, Some(hash))) if matches => {
                let workspaces = super::workspaces::memberships(&mut conn, user.id)?;
                let actor = Actor { user_id: user.id, role: user.role, email: user.email, workspaces };
                Ok((actor, stamp(Some(&hash))))
            }
            _ => Err(refused()),
        }
    }

    /// The actor a signed-in page acts as, read afresh on every request: a user removed from a
    /// workspace loses it at once, and a removed user, or one whose password has changed since
    /// the session's `stamp`, is signed out.
    pub fn session_actor(&self, user_id: i64, session_stamp: &str) -> ServiceResult<Actor> {
        let mut conn = self.db().conn()?;
        let (user, hash) = users::by_id_with_password(&mut conn, user_id)?.ok_or_else(|| {
            ServiceError::Unauthorized("Your account no longer exists; sign in again.".into())
        })?;
        if stamp(hash.as_deref()) != session_stamp {
            return Err(ServiceError::Unauthorized("Your password has changed; sign in again.".into()));
        }
        let workspaces = super::workspaces::memberships(&mut conn, user.id)?;
        Ok(Actor { user_id: user.id, role: user.role, email: user.email, workspaces })
    }

    /// The key that signs and encrypts the web pages' session cookies: 64 random bytes, made on
    /// first use and kept in the database, so that every instance shares it.
    pub fn session_key(&self) -> ServiceResult<Vec<u8>> {
        let mut conn = self.db().conn()?;
        let text = crate::store::outbox::secret(&mut conn, "session_key", || {
            let mut key = [0u8; 64];
            rand::rng().fill_bytes(&mut key);
            hex::encode(key)
        })?;
        hex::decode(text)
            .map_err(|e| ServiceError::internal(format!("The stored session key does not read: {e}")))
    }
}

/// The Argon2id hash of a new password, once it is a length we accept.
pub(super) fn password_hash(password: &str) -> ServiceResult<String> {
    let n = password.chars().count();
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&n) {
        return Err(ServiceError::invalid_fields(vec![super::FieldError::new(
            "password",
            format!(
                "a password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long; a few ordinary words together make a good one"
            ),
        )]));
    }
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| ServiceError::internal(format!("A password could not be hashed: {e}")))?
        .to_string())
}

/// A short fingerprint of a stored password hash (itself salted), or of its absence.
fn stamp(hash: Option<&str>) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(&Sha256::digest(hash.unwrap_or("").as_bytes())[..8])
}

/// A hash of a password no one has, made once per process.
fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"no account has this password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}
