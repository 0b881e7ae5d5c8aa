//! What a page shows when it cannot do what was asked: the sign-in page when no one is signed
//! in, or a short page saying what went wrong, with the status the API would give.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::http::pages::session::Me;
use crate::service::ServiceError;

#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// No one is signed in (or the account is gone): go to the sign-in page, then back here.
    #[error("sign in first")]
    SignIn { next: String },
    #[error("{message}")]
    Refused { status: StatusCode, message: String },
    /// Our own fault; the message is logged, not shown.
    #[error("{0}")]
    Broken(String),
}

impl PageError {
    pub fn refused(status: StatusCode, message: impl Into<String>) -> Self {
        Self::Refused { status, message: message.into() }
    }

    /// A refusal a form shows in its own page (bad input, or a state that forbids it), as its
    /// words; anything else stays the page's error.
    pub fn on_form(e: ServiceError) -> Result<String, PageError> {
        match e {
            ServiceError::Invalid { detail, .. } => Ok(detail),
            ServiceError::Conflict(why) => Ok(why),
            other => Err(other.into()),
        }
    }
}

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        let status = match &e {
            ServiceError::Unauthorized(_) => return Self::SignIn { next: "/".into() },
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServiceError::Conflict(_) => StatusCode::CONFLICT,
            ServiceError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ServiceError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ServiceError::Internal { .. } => return Self::Broken(format!("{e:#}")),
        };
        Self::Refused { status, message: e.to_string() }
    }
}

impl From<actix_web::error::BlockingError> for PageError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Broken(format!("the work could not be run: {e}"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    signed_in_as: Option<Me>,
    heading: &'a str,
    message: &'a str,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::SignIn { .. } => StatusCode::SEE_OTHER,
            Self::Refused { status, .. } => *status,
            Self::Broken(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (heading, message) = match self {
            Self::SignIn { next } => {
                let to = format!(
                    "/sign-in?next={}",
                    percent_encoding::utf8_percent_encode(next, percent_encoding::NON_ALPHANUMERIC)
                );
                return HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish();
            }
            Self::Refused { status, message } => {
                (status.canonical_reason().unwrap_or("Refused"), message.as_str())
            }
            Self::Broken(why) => {
                tracing::error!(error = %why, "a page failed");
                (
                    "Something went wrong",
                    "foitrack could not show this page. The problem has been logged; try again, and tell the team running foitrack if it persists.",
                )
            }
        };
        let page = ErrorPage { signed_in_as: None, heading, message };
        let body = page.render().unwrap_or_else(|_| message.to_string());
        HttpResponse::build(self.status_code()).content_type("text/html; charset=utf-8").body(body)
    }
}
