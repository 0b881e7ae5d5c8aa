//! Bearer-token authentication as an extractor: a handler that takes [`Authenticated`] cannot be
//! reached without a valid token.

use std::future::Future;
use std::pin::Pin;

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::StatusCode, web};

use super::problem::ApiError;
use crate::service::{Actor, Service};

pub struct Authenticated(pub Actor);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let service = req.app_data::<web::Data<Service>>().cloned();
        let header =
            req.headers().get(actix_web::http::header::AUTHORIZATION).map(|v| v.to_str().map(str::to_string));
        Box::pin(async move {
            let unauthorized =
                |d: &str| ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "Not signed in", d);
            let token = match header {
                None => {
                    return Err(unauthorized(
                        "This needs an API token: send the header Authorization: Bearer <token>. Create one with `foitrack token create --user EMAIL`.",
                    ));
                }
                Some(Err(_)) => {
                    return Err(unauthorized("The Authorization header is not readable text."));
                }
                Some(Ok(value)) => match value.split_once(' ') {
                    Some((scheme, token))
                        if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
                    {
                        token.trim().to_string()
                    }
                    _ => {
                        return Err(unauthorized("The Authorization header must read: Bearer <token>."));
                    }
                },
            };
            let service = service.ok_or_else(ApiError::internal)?;
            let actor = web::block(move || service.authenticate(&token)).await??;
            Ok(Authenticated(actor))
        })
    }
}
