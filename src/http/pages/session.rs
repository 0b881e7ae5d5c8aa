//! Who is signed in: the session holds a user id only, and the user and their workspaces are
//! read afresh for every page, so a removed member loses access at once.

use actix_session::Session;
use actix_web::{HttpRequest, web};

use super::PageError;
use crate::service::{Actor, Service};

const USER: &str = "user";

/// The signed-in user, or a trip to the sign-in page and back to this one.
pub async fn signed_in(
    req: &HttpRequest,
    session: &Session,
    svc: &web::Data<Service>,
) -> Result<Actor, PageError> {
    let back =
        || PageError::SignIn { next: req.uri().path_and_query().map_or("/", |p| p.as_str()).to_string() };
    let Some(user_id) = session.get::<i64>(USER).map_err(|_| back())? else { return Err(back()) };
    let svc = svc.clone();
    match web::block(move || svc.session_actor(user_id)).await? {
        Ok(actor) => Ok(actor),
        Err(crate::service::ServiceError::Unauthorized(_)) => {
            session.purge();
            Err(back())
        }
        Err(e) => Err(e.into()),
    }
}

/// Starts a session for a user who has just signed in: a new session id, so that one planted
/// before sign-in is worth nothing.
pub fn start(session: &Session, actor: &Actor) -> Result<(), PageError> {
    session.renew();
    session
        .insert(USER, actor.user_id)
        .map_err(|e| PageError::Broken(format!("the session could not be written: {e}")))
}

const FLASH: &str = "flash";

/// The longest line kept: the session is a cookie, and a browser keeps none over 4 KB.
const FLASH_CHARS: usize = 400;

/// Keeps a line saying what was just done, for the next page to show once: carried in the
/// session rather than the address, so that no link can make a page say what it did not do.
/// A long line (a refusal quoting what was typed) is cut short.
pub fn flash(session: &Session, said: &str) -> Result<(), PageError> {
    let said = match said.char_indices().nth(FLASH_CHARS) {
        Some((cut, _)) => format!("{}…", &said[..cut]),
        None => said.to_string(),
    };
    session
        .insert(FLASH, said)
        .map_err(|e| PageError::Broken(format!("the session could not be written: {e}")))
}

/// The line kept by [`flash`], once.
pub fn flashed(session: &Session) -> Option<String> {
    session.remove_as::<String>(FLASH).and_then(Result::ok)
}
