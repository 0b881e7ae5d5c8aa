//! Who is signed in: the session holds a user id only, and the user and their workspaces are
//! read afresh for every page, so a removed member loses access at once.

use actix_session::Session;
use actix_web::{HttpRequest, web};

use super::PageError;
use crate::service::{Actor, Service};

const USER: &str = "user";
/// What the session keeps of the password it was signed in with (from
/// `Service::sign_in_for_session`): a new password ends the session.
const STAMP: &str = "stamp";

/// The signed-in user, or a trip to the sign-in page and back to this one.
pub async fn signed_in(
    req: &HttpRequest,
    session: &Session,
    svc: &web::Data<Service>,
) -> Result<Actor, PageError> {
    let back =
        || PageError::SignIn { next: req.uri().path_and_query().map_or("/", |p| p.as_str()).to_string() };
    let Some(user_id) = session.get::<i64>(USER).map_err(|_| back())? else { return Err(back()) };
    let stamp = session.get::<String>(STAMP).ok().flatten().unwrap_or_default();
    let svc = svc.clone();
    match web::block(move || svc.session_actor(user_id, &stamp)).await? {
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
pub fn start(session: &Session, actor: &Actor, stamp: &str) -> Result<(), PageError> {
    session.renew();
    let written = |e: actix_session::SessionInsertError| {
        PageError::Broken(format!("the session could not be written: {e}"))
    };
    session.insert(USER, actor.user_id).map_err(written)?;
    session.insert(STAMP, stamp).map_err(written)
}

/// The slug of the workspace the signed-in user chose to work in; none for all of theirs.
const WORKING_IN: &str = "working_in";

/// What the header of every page shows of whoever is signed in: who they are, the workspace
/// switcher, and the links their roles open.
pub struct Me {
    pub email: String,
    pub admin: bool,
    /// Their workspaces, slug and name, for the switcher (shown with two or more).
    pub workspaces: Vec<(String, String)>,
    /// The slug of the workspace they chose to work in, if they chose one.
    pub current: Option<String>,
}

impl Me {
    pub fn of(session: &Session, actor: &Actor) -> Self {
        Me {
            email: actor.email.clone(),
            admin: actor.role.can_manage_users(),
            workspaces: actor.workspaces.iter().map(|m| (m.workspace.clone(), m.name.clone())).collect(),
            current: working_in(session, actor),
        }
    }

    /// Whether `slug` is the workspace chosen, for the switcher's selected option.
    pub fn is_current(&self, slug: &str) -> bool {
        self.current.as_deref() == Some(slug)
    }
}

/// The workspace the user chose to work in, while they are still one of its members.
fn working_in(session: &Session, actor: &Actor) -> Option<String> {
    let slug = session.get::<String>(WORKING_IN).ok().flatten()?;
    actor.workspaces.iter().any(|m| m.workspace == slug).then_some(slug)
}

/// The actor as the pages that list things see them: within the workspace they chose to work
/// in, or all of theirs. Pages of one object keep the whole actor, so that a link to a request
/// of another of their workspaces still opens.
pub fn narrowed(session: &Session, mut actor: Actor) -> Actor {
    if let Some(slug) = working_in(session, &actor) {
        actor.workspaces.retain(|m| m.workspace == slug);
    }
    actor
}

/// Chooses the workspace to work in (`None`: all of them).
pub fn work_in(session: &Session, slug: Option<&str>) -> Result<(), PageError> {
    match slug {
        Some(slug) => session
            .insert(WORKING_IN, slug)
            .map_err(|e| PageError::Broken(format!("the session could not be written: {e}"))),
        None => {
            session.remove(WORKING_IN);
            Ok(())
        }
    }
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
