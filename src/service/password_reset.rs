//! Setting a password by an emailed link: asked for on the sign-in page by someone who forgot
//! theirs, or sent by a site administrator (the way a new user chooses their first). The link
//! goes through the outbox like any other mail, as a message of no workspace, so no team's
//! outbox shows it. Only the SHA-256 of its secret is kept: 256 random bits need no slow hash.
//! The mail itself holds the link only until it is sent, given up or cancelled.

use chrono::{Duration, NaiveDateTime};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::outbox::message_id;
use super::{Actor, Service, ServiceError, ServiceResult, now};
use crate::domain::vocab::{OutboxKind, OutboxState};
use crate::store::models::UserRow;
use crate::store::outbox::{self as store_outbox, NewOutbox};
use crate::store::password_resets::{self as resets, NewReset};
use crate::store::{self, users};

/// How long a link asked for on the sign-in page works: long enough to read one's mail.
const ASKED_LIFETIME: Duration = Duration::hours(1);
/// How long a link from an administrator works: a new colleague may not read it the same day.
const SENT_LIFETIME: Duration = Duration::days(3);
/// Links one account may be sent in an hour, so that the form cannot be used to flood an inbox.
const PER_HOUR: i64 = 3;

/// Why a link is being mailed; the mail says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetReason {
    /// Someone asked on the sign-in page.
    Asked,
    /// A site administrator sent it.
    SentByAdministrator,
}

/// What a refused or spent link says, whatever was wrong with it.
const DEAD_LINK: &str = "This link to set a password has expired or has already been used. \
     Ask for a new one on the sign-in page.";

impl Service {
    /// Mails a link to set a new password to the account with this email, if there is one. It
    /// answers the same whether or not there is, and whether or not the hourly limit was
    /// reached, so that the form tells no one who has an account.
    pub fn ask_for_password_reset(&self, email: &str) -> ServiceResult<()> {
        let Ok(email) = super::users::sign_in_email(email) else { return Ok(()) };
        let mut conn = self.db().conn()?;
        store::write_transaction(&mut conn, |conn| {
            let Some(user) = users::by_email(conn, &email)? else { return Ok(()) };
            users::lock(conn, user.id)?;
            if resets::sent_since(conn, user.id, now() - Duration::hours(1))? >= PER_HOUR {
                tracing::info!(user = user.id, "password reset not sent: the hourly limit is reached");
                return Ok(());
            }
            self.queue_reset(conn, &user, ResetReason::Asked, user.id)
        })
    }

    /// A site administrator mails `user_id` a link to choose a password. Returns their email.
    pub fn send_password_link(&self, actor: &Actor, user_id: i64) -> ServiceResult<String> {
        actor.require(actor.role.can_manage_users(), "send links to set passwords")?;
        let mut conn = self.db().conn()?;
        store::write_transaction(&mut conn, |conn| self.send_link_in(conn, actor, user_id))
    }

    /// [`Self::send_password_link`] inside the caller's transaction.
    pub(super) fn send_link_in(
        &self,
        conn: &mut store::AnyConnection,
        actor: &Actor,
        user_id: i64,
    ) -> ServiceResult<String> {
        let user = users::by_id(conn, user_id)?
            .ok_or_else(|| ServiceError::NotFound(format!("No user has the id {user_id}.")))?;
        users::lock(conn, user.id)?;
        if resets::sent_since(conn, user.id, now() - Duration::hours(1))? >= PER_HOUR {
            return Err(ServiceError::Conflict(format!(
                "{} has been sent {PER_HOUR} links in the last hour; wait before sending another.",
                user.email
            )));
        }
        self.queue_reset(conn, &user, ResetReason::SentByAdministrator, actor.user_id)?;
        Ok(user.email)
    }

    /// The email of the account a live link is for, for the page that asks for the password.
    pub fn password_link_owner(&self, token: &str) -> ServiceResult<String> {
        let mut conn = self.db().conn()?;
        let user = live_user(&mut conn, token)?;
        Ok(user.email)
    }

    /// Sets the password of the account a live link is for, and spends the link and every other
    /// link of that account. Returns the account's email.
    pub fn reset_password(&self, token: &str, password: &str) -> ServiceResult<String> {
        let mut conn = self.db().conn()?;
        // The link first, which is cheap: Argon2 is slow on purpose, and is spent only on a link
        // we sent. It is hashed outside the transaction, which then holds no lock for it.
        let user = live_user(&mut conn, token)?;
        let hash = super::sign_in::password_hash(password)?;
        store::write_transaction(&mut conn, |conn| {
            // Spent in one statement: of two uses at once, one finds it gone.
            let user_id = resets::spend(conn, &hash_secret(token.trim()), now())?
                .ok_or_else(|| ServiceError::NotFound(DEAD_LINK.into()))?;
            resets::spend_all(conn, user_id, now())?;
            users::set_password_hash(conn, user_id, &hash)?;
            Ok::<_, ServiceError>(())
        })?;
        // The link belongs to one user: the one found above.
        Ok(user.email)
    }

    fn queue_reset(
        &self,
        conn: &mut store::AnyConnection,
        user: &UserRow,
        reason: ResetReason,
        by: i64,
    ) -> ServiceResult<()> {
        let secret = new_secret();
        let stamp = now();
        let lifetime = match reason {
            ResetReason::Asked => ASKED_LIFETIME,
            ResetReason::SentByAdministrator => SENT_LIFETIME,
        };
        let mail = self.mail();
        let link = format!("{}/reset-password/{secret}", mail.site_url);
        let outbox_id = store_outbox::insert(
            conn,
            &NewOutbox {
                kind: OutboxKind::PasswordReset,
                request_id: None,
                campaign_id: None,
                message_id: message_id("password", &mail.reply_domain),
                from_address: mail.from.clone(),
                to_address: user.email.clone(),
                reply_to: None,
                subject: "Choose your foitrack password".into(),
                body: reset_text(&user.name, &user.email, &link, reason, lifetime),
                state: OutboxState::Pending,
                next_attempt_at: stamp,
                created_by: by,
                created_at: stamp,
                workspace_id: None,
            },
        )?;
        let expires_at: NaiveDateTime = stamp + lifetime;
        let hashed = hash_secret(&secret);
        resets::insert(
            conn,
            &NewReset {
                user_id: user.id,
                token_hash: &hashed,
                created_at: stamp,
                expires_at,
                outbox_id: Some(outbox_id),
            },
        )?;
        Ok(())
    }
}

/// The user a link is for, while it is live; any other link is "expired or used".
fn live_user(conn: &mut store::AnyConnection, token: &str) -> ServiceResult<UserRow> {
    let dead = || ServiceError::NotFound(DEAD_LINK.into());
    let token = token.trim();
    // Only our own shape is looked up: anything else cannot be a link we sent.
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(dead());
    }
    let user_id = resets::live_user(conn, &hash_secret(token), now())?.ok_or_else(dead)?;
    users::by_id(conn, user_id)?.ok_or_else(dead)
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.to_ascii_lowercase().as_bytes()))
}

/// The mail: who it is for, why it came, the link, how long it works, and what to do if it was
/// not wanted.
fn reset_text(name: &str, email: &str, link: &str, reason: ResetReason, lifetime: Duration) -> String {
    let why = match reason {
        ResetReason::Asked => {
            format!("Someone, probably you, asked to set a new password for the foitrack account {email}.")
        }
        ResetReason::SentByAdministrator => format!(
            "A site administrator sent you this link to choose a password for the foitrack account {email}."
        ),
    };
    let within = match lifetime.num_hours() {
        1 => "the next hour".to_string(),
        h if h % 24 == 0 => format!("the next {} days", h / 24),
        h => format!("the next {h} hours"),
    };
    format!(
        "Hello {name},\n\n{why}\n\nOpen this link within {within} to choose it:\n\n{link}\n\n\
         The link works once. If you did not expect this email, ignore it: nothing changes until \
         the link is used.\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mail_says_why_it_came_and_how_long_the_link_works() {
        let asked = reset_text("Ada", "ada@uni.ac.uk", "https://foi/x", ResetReason::Asked, ASKED_LIFETIME);
        assert!(asked.starts_with("Hello Ada,\n\nSomeone, probably you, asked"), "{asked}");
        assert!(asked.contains("within the next hour to choose it:\n\nhttps://foi/x\n"), "{asked}");
        let sent = reset_text(
            "Ada",
            "ada@uni.ac.uk",
            "https://foi/x",
            ResetReason::SentByAdministrator,
            SENT_LIFETIME,
        );
        assert!(sent.contains("A site administrator sent you this link"), "{sent}");
        assert!(sent.contains("within the next 3 days"), "{sent}");
    }

    #[test]
    fn secrets_are_long_random_and_stored_hashed_whatever_their_case() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(hash_secret(&a), a);
        assert_eq!(hash_secret(&a), hash_secret(&a.to_uppercase()), "a link retyped in capitals still works");
    }
}
