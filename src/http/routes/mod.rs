//! The handlers of `/api/v1`: each reads its input, calls one service function on the blocking
//! pool, and returns its result as JSON. No rules live here.

use actix_web::web;

use super::auth::Bearer;
use super::problem::ApiError;
use crate::service::{Actor, Service, ServiceResult};

pub mod authorities;
pub mod campaigns;
pub mod deadlines;
pub mod health;
pub mod outbox;
pub mod people;
pub mod requests;

/// Runs a blocking service call off the async workers.
pub async fn run<T: Send + 'static>(
    f: impl FnOnce() -> ServiceResult<T> + Send + 'static,
) -> Result<T, ApiError> {
    Ok(web::block(f).await??)
}

/// Checks the caller's token and runs a service call as them, in one blocking call. An unknown
/// or revoked token gets `401` and nothing runs.
pub async fn run_as<T: Send + 'static>(
    svc: web::Data<Service>,
    bearer: Bearer,
    f: impl FnOnce(&Service, Actor) -> ServiceResult<T> + Send + 'static,
) -> Result<T, ApiError> {
    Ok(web::block(move || {
        let actor = svc.authenticate(bearer.token())?;
        f(&svc, actor)
    })
    .await??)
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/me", web::get().to(people::me))
        .route("/users", web::get().to(people::list_users))
        .route("/users", web::post().to(people::add_user))
        .route("/tokens", web::get().to(people::list_tokens))
        .route("/tokens", web::post().to(people::create_token))
        .route("/tokens/{id}", web::delete().to(people::revoke_token))
        .route("/authorities", web::get().to(authorities::list))
        .route("/authorities/import", web::post().to(authorities::import))
        .route("/authorities/{id}", web::get().to(authorities::show))
        .route("/campaigns", web::get().to(campaigns::list))
        .route("/campaigns", web::post().to(campaigns::create))
        .route("/campaigns/{id}", web::get().to(campaigns::show))
        .route("/campaigns/{id}/sent", web::post().to(campaigns::log_sent))
        .route("/requests", web::get().to(requests::list))
        .route("/requests", web::post().to(requests::create))
        .route("/requests/{id}", web::get().to(requests::show))
        .route("/requests/{id}/sent", web::post().to(requests::log_sent))
        .route("/requests/{id}/events", web::get().to(requests::events))
        .route("/requests/{id}/events", web::post().to(requests::record_event))
        .route("/requests/{id}/deadline", web::get().to(deadlines::request_clock))
        .route("/deadline", web::get().to(deadlines::calculate))
        .route("/regimes", web::get().to(deadlines::regimes))
        .route("/holidays/import", web::post().to(deadlines::import_holidays))
        .route("/campaigns/{id}/send", web::post().to(outbox::send_campaign))
        .route("/outbox", web::get().to(outbox::list))
        .route("/outbox/{id}/retry", web::post().to(outbox::retry))
        .route("/outbox/{id}/cancel", web::post().to(outbox::cancel))
        .route("/reminders/run", web::post().to(outbox::remind))
        .route("/campaigns/{id}/watchers", web::post().to(outbox::watch))
        .route("/campaigns/{id}/chasers", web::post().to(outbox::chasers));
}

/// `?as_of=DATE`: judge statuses as on that day instead of today.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    #[serde(default, deserialize_with = "crate::service::optional_date")]
    pub as_of: Option<chrono::NaiveDate>,
}

impl AsOf {
    pub fn day(&self) -> chrono::NaiveDate {
        self.as_of.unwrap_or_else(crate::domain::london::today)
    }
}
