//! The handlers of `/api/v1`: each reads its input, calls one service function on the blocking
//! pool, and returns its result as JSON. No rules live here.

use actix_web::web;

use super::auth::Bearer;
use super::problem::ApiError;
use crate::service::{Actor, Service, ServiceResult};

pub mod agreement;
pub mod authorities;
pub mod campaigns;
pub mod codebooks;
pub mod codings;
pub mod deadlines;
pub mod health;
pub mod inbound;
pub mod outbox;
pub mod people;
pub mod report;
pub mod requests;
pub mod search;
pub mod workspaces;

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

/// A path and the methods it answers; any other method gets `405` with an `Allow` header (a
/// client that guessed the method wrong learns which ones exist, rather than a `404`).
pub(crate) fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || async move {
        Err::<actix_web::HttpResponse, _>(ApiError::method_not_allowed(allow))
    }))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    use web::{delete, get, patch, post, put};
    cfg.service(resource("/me", "GET").route(get().to(people::me)))
        .service(
            resource("/users", "GET, POST")
                .route(get().to(people::list_users))
                .route(post().to(people::add_user)),
        )
        .service(
            resource("/tokens", "GET, POST")
                .route(get().to(people::list_tokens))
                .route(post().to(people::create_token)),
        )
        .service(resource("/tokens/{id}", "DELETE").route(delete().to(people::revoke_token)))
        .service(resource("/inbound", "POST").route(post().to(inbound::deliver)))
        .service(resource("/holding-pen", "GET").route(get().to(inbound::pen)))
        .service(resource("/holding-pen/{id}/assign", "POST").route(post().to(inbound::assign)))
        .service(resource("/holding-pen/{id}/discard", "POST").route(post().to(inbound::discard)))
        .service(
            resource("/requests/{id}/incoming/{message}/classify", "POST")
                .route(post().to(inbound::classify)),
        )
        .service(resource("/search", "GET").route(get().to(search::search)))
        .service(resource("/agreement", "POST").route(post().to(agreement::calculate)))
        .service(
            resource("/codebooks", "GET, POST")
                .route(get().to(codebooks::list))
                .route(post().to(codebooks::save)),
        )
        .service(resource("/codebooks/qdc", "POST").route(post().to(codebooks::import_qdc)))
        .service(resource("/codebooks/{id}", "GET").route(get().to(codebooks::show)))
        .service(resource("/codebooks/{id}/qdc", "GET").route(get().to(codebooks::export_qdc)))
        .service(
            resource("/campaigns/{id}/coding", "GET, PUT")
                .route(get().to(codings::plan))
                .route(put().to(codings::set_plan)),
        )
        .service(resource("/campaigns/{id}/disagreements", "GET").route(get().to(codings::disagreements)))
        .service(resource("/campaigns/{id}/agreement", "GET").route(get().to(codings::agreement)))
        .service(resource("/campaigns/{id}/datapackage", "GET").route(get().to(codings::data_package)))
        .service(resource("/campaigns/{id}/rules", "GET").route(get().to(codings::rule_quality)))
        .service(resource("/campaigns/{id}/codings/import", "POST").route(post().to(codings::import)))
        .service(resource("/campaigns/{id}/codings/export", "GET").route(get().to(codings::export)))
        .service(resource("/campaigns/{id}/report", "GET").route(get().to(report::report)))
        .service(resource("/campaigns/{id}/charts/{name}", "GET").route(get().to(report::chart)))
        .service(
            resource("/requests/{id}/codings", "GET, POST")
                .route(get().to(codings::request_codings))
                .route(post().to(codings::submit)),
        )
        .service(resource("/requests/{id}/adjudications", "POST").route(post().to(codings::adjudicate)))
        .service(resource("/authorities", "GET").route(get().to(authorities::list)))
        .service(resource("/authorities/import", "POST").route(post().to(authorities::import)))
        .service(resource("/authorities/{id}", "GET").route(get().to(authorities::show)))
        .service(
            resource("/campaigns", "GET, POST")
                .route(get().to(campaigns::list))
                .route(post().to(campaigns::create)),
        )
        .service(resource("/campaigns/{id}", "GET").route(get().to(campaigns::show)))
        .service(resource("/campaigns/{id}/sent", "POST").route(post().to(campaigns::log_sent)))
        .service(
            resource("/requests", "GET, POST")
                .route(get().to(requests::list))
                .route(post().to(requests::create)),
        )
        .service(resource("/requests/{id}", "GET").route(get().to(requests::show)))
        .service(resource("/requests/{id}/sent", "POST").route(post().to(requests::log_sent)))
        .service(
            resource("/requests/{id}/events", "GET, POST")
                .route(get().to(requests::events))
                .route(post().to(requests::record_event)),
        )
        .service(resource("/requests/{id}/deadline", "GET").route(get().to(deadlines::request_clock)))
        .service(resource("/deadline", "GET").route(get().to(deadlines::calculate)))
        .service(resource("/regimes", "GET").route(get().to(deadlines::regimes)))
        .service(resource("/holidays/import", "POST").route(post().to(deadlines::import_holidays)))
        .service(resource("/campaigns/{id}/send", "POST").route(post().to(outbox::send_campaign)))
        .service(resource("/outbox", "GET").route(get().to(outbox::list)))
        .service(resource("/outbox/{id}/retry", "POST").route(post().to(outbox::retry)))
        .service(resource("/outbox/{id}/cancel", "POST").route(post().to(outbox::cancel)))
        .service(resource("/reminders/run", "POST").route(post().to(outbox::remind)))
        .service(resource("/campaigns/{id}/watchers", "POST").route(post().to(outbox::watch)))
        .service(resource("/campaigns/{id}/chasers", "POST").route(post().to(outbox::chasers)))
        .service(
            resource("/workspaces", "GET, POST")
                .route(get().to(workspaces::list))
                .route(post().to(workspaces::create)),
        )
        .service(
            resource("/workspaces/{slug}", "GET, PATCH")
                .route(get().to(workspaces::show))
                .route(patch().to(workspaces::change)),
        )
        .service(
            resource("/workspaces/{slug}/members", "GET, POST")
                .route(get().to(workspaces::members))
                .route(post().to(workspaces::add_member)),
        )
        .service(
            resource("/workspaces/{slug}/members/{user_id}", "DELETE, PATCH")
                .route(patch().to(workspaces::change_member))
                .route(delete().to(workspaces::remove_member)),
        )
        .service(resource("/workspaces/{slug}/contacts", "GET").route(get().to(workspaces::contacts)))
        .service(
            resource("/workspaces/{slug}/contacts/{authority_id}", "PUT")
                .route(put().to(workspaces::set_contact)),
        );
}

/// `?as_of=DATE`: judge statuses as on that day instead of today.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AsOf {
    #[param(value_type = Option<crate::service::DateInput>)]
    #[serde(default, deserialize_with = "crate::service::optional_date")]
    pub as_of: Option<chrono::NaiveDate>,
}

impl AsOf {
    pub fn day(&self) -> chrono::NaiveDate {
        self.as_of.unwrap_or_else(crate::domain::london::today)
    }
}
