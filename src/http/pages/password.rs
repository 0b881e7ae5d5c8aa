//! Choosing a password by an emailed link: `/forgot-password` asks for the link, and
//! `/reset-password/{token}` is where it leads. Neither needs anyone signed in; the link's
//! secret is the proof.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{PageError, html, see_other, session};
use crate::service::Service;
use crate::service::sign_in::MIN_PASSWORD;

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPage {
    signed_in_as: Option<session::Me>,
    sent: bool,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "reset_password.html")]
struct ResetPage {
    signed_in_as: Option<session::Me>,
    token: String,
    email: String,
    min: usize,
    problem: Option<String>,
}

#[derive(Deserialize)]
pub struct ForgotForm {
    email: String,
}

#[derive(Deserialize)]
pub struct ResetForm {
    password: String,
    again: String,
}

pub async fn forgot_form() -> Result<HttpResponse, PageError> {
    html(ForgotPage { signed_in_as: None, sent: false, problem: None })
}

/// The least time the answer to a request for a link takes, so that how long it took does not
/// tell whether a mail was queued (an account exists) or not.
const ANSWER_FLOOR: std::time::Duration = std::time::Duration::from_millis(250);

/// Answers the same, and after the same time, whether or not the address has an account.
pub async fn forgot(svc: web::Data<Service>, form: web::Form<ForgotForm>) -> Result<HttpResponse, PageError> {
    let started = std::time::Instant::now();
    let email = form.into_inner().email;
    let asked = web::block(move || svc.ask_for_password_reset(&email)).await;
    // Refusals wait as long as answers: only a queued link can fail, and must not tell.
    actix_web::rt::time::sleep(ANSWER_FLOOR.saturating_sub(started.elapsed())).await;
    asked??;
    html(ForgotPage { signed_in_as: None, sent: true, problem: None })
}

pub async fn reset_form(
    svc: web::Data<Service>,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let asked = token.clone();
    let email = web::block(move || svc.password_link_owner(&asked)).await??;
    html(ResetPage { signed_in_as: None, token, email, min: MIN_PASSWORD, problem: None })
}

/// Sets the password and sends the user to sign in with it. A refused password comes back to
/// the form; a dead link is a 404 saying so.
pub async fn reset(
    session: Session,
    svc: web::Data<Service>,
    token: web::Path<String>,
    form: web::Form<ResetForm>,
) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let ResetForm { password, again } = form.into_inner();
    let asked = token.clone();
    let problem = if password != again {
        "the two passwords differ; type the same one twice".to_string()
    } else {
        let service = svc.clone();
        match web::block(move || service.reset_password(&asked, &password)).await? {
            Ok(email) => {
                session::flash(&session, &format!("The password of {email} is set: sign in with it."))?;
                return Ok(see_other("/sign-in"));
            }
            Err(e) => PageError::on_form(e)?,
        }
    };
    let asked = token.clone();
    let email = web::block(move || svc.password_link_owner(&asked)).await??;
    let mut response =
        html(ResetPage { signed_in_as: None, token, email, min: MIN_PASSWORD, problem: Some(problem) })?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}
