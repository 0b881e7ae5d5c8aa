//! Signing in and out. The sign-in form carries a token kept in the visitor's session, so that
//! another site cannot sign a visitor in to an account of its choosing.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, web};
use askama::Template;
use rand::RngCore;
use serde::Deserialize;

use super::throttle::{self, Throttle};
use super::{PageError, html, session};
use crate::http::pages::session::Me;
use crate::service::{Service, ServiceError};

const FORM_TOKEN: &str = "sign_in_token";

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    signed_in_as: Option<Me>,
    token: String,
    next: String,
    email: String,
    /// What was just done (a password set), shown once.
    notice: Option<String>,
    problem: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    token: String,
    #[serde(default)]
    next: String,
}

pub async fn form(session: Session, q: web::Query<NextQuery>) -> Result<HttpResponse, PageError> {
    let page = SignInPage {
        signed_in_as: None,
        token: form_token(&session)?,
        next: safe_next(q.into_inner().next.as_deref()).to_string(),
        email: String::new(),
        notice: session::flashed(&session),
        problem: None,
    };
    html(page)
}

pub async fn submit(
    req: actix_web::HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    throttle: web::Data<Throttle>,
    form: web::Form<SignInForm>,
) -> Result<HttpResponse, PageError> {
    let form = form.into_inner();
    let expected = session.get::<String>(FORM_TOKEN).ok().flatten();
    if expected.is_none_or(|t| t != form.token) {
        return Err(PageError::refused(
            StatusCode::FORBIDDEN,
            "The sign-in form had expired. Open the sign-in page again and sign in from there.",
        ));
    }
    let next = safe_next(Some(&form.next)).to_string();
    let email = form.email.clone();
    // The peer's address, not a forwarded header a client could write.
    let client = req.peer_addr().map(|a| a.ip().to_string());
    let keys = throttle::keys(&email, client.as_deref());
    let now = std::time::Instant::now();
    if let Some(wait) = throttle.wait(&keys, now) {
        let minutes = wait.as_secs().div_ceil(60);
        return Err(PageError::refused(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Too many wrong passwords. Try again in {minutes} minute(s), or ask a site administrator to set a new password."
            ),
        ));
    }
    match web::block(move || svc.sign_in_for_session(&form.email, &form.password)).await? {
        Ok((actor, stamp)) => {
            throttle.succeeded(&keys[0].0);
            session::start(&session, &actor, &stamp)?;
            Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, next)).finish())
        }
        Err(ServiceError::Unauthorized(why)) => {
            throttle.failed(&keys, now);
            let page = SignInPage {
                signed_in_as: None,
                token: form_token(&session)?,
                next,
                email,
                notice: None,
                problem: Some(why),
            };
            let mut response = html(page)?;
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn sign_out(session: Session) -> HttpResponse {
    session.purge();
    HttpResponse::SeeOther().insert_header((header::LOCATION, "/sign-in")).finish()
}

/// The session's sign-in form token, made on first use.
fn form_token(session: &Session) -> Result<String, PageError> {
    if let Ok(Some(token)) = session.get::<String>(FORM_TOKEN) {
        return Ok(token);
    }
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    session
        .insert(FORM_TOKEN, &token)
        .map_err(|e| PageError::Broken(format!("the session could not be written: {e}")))?;
    Ok(token)
}

/// Where to go after signing in: a path of this site, never another site (`//evil.example` or
/// `https://…` would be).
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_of_this_site_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/campaigns/3?tab=bodies")), "/campaigns/3?tab=bodies");
        for elsewhere in ["//evil.example", "https://evil.example/", "/\\evil.example", "evil", ""] {
            assert_eq!(safe_next(Some(elsewhere)), "/", "{elsewhere}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
