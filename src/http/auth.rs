//! Bearer-token authentication. A handler that takes a [`Bearer`] cannot do its work without a
//! valid token: [`super::routes::run_as`] checks the token in the same blocking call as the work,
//! so that a read crosses from the async workers to the blocking pool once, not twice (each
//! crossing wakes a thread, and that was the largest cost left in a read; see
//! docs/performance.md). The token is checked against the database every time, with no cache, so
//! a revoked token stops working at once on every instance.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::StatusCode, web};

use super::problem::ApiError;
use crate::service::{Actor, Service};

/// The token of the `Authorization: Bearer …` header, checked only for its form so far.
pub struct Bearer(String);

impl Bearer {
    /// Checks the token on its own, for a handler that must know the caller before it reads a
    /// large request body.
    pub async fn actor(self, service: &web::Data<Service>) -> Result<Actor, ApiError> {
        let service = service.clone();
        Ok(web::block(move || service.authenticate(&self.0)).await??)
    }

    pub(super) fn token(&self) -> &str {
        &self.0
    }
}

impl FromRequest for Bearer {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(bearer_token(req).map(Bearer))
    }
}

fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    let unauthorized = |d: &str| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "Not signed in", d);
    let Some(value) = req.headers().get(actix_web::http::header::AUTHORIZATION) else {
        return Err(unauthorized(
            "This needs an API token: send the header Authorization: Bearer <token>. Create one with `foitrack token create --user EMAIL`.",
        ));
    };
    let value = value.to_str().map_err(|_| unauthorized("The Authorization header is not readable text."))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Ok(token.trim().to_string())
        }
        _ => Err(unauthorized("The Authorization header must read: Bearer <token>.")),
    }
}
