//! Campaign sending and the outbox.

use actix_web::web;

use super::run_as;
use crate::http::auth::Bearer;
use crate::http::body::JsonObject;
use crate::http::openapi::responses::{Conflict, Forbidden, NotFound};
use crate::http::problem::ApiError;
use crate::service::outbox::{OutboxView, SendInput, SendSummary};
use crate::service::reminders::RemindSummary;
use crate::service::{Page, Paging, Service};

/// Queues the campaign's unsent requests as emails to the bodies' FOI addresses, paced; the
/// service delivers them in the background. `dry_run` returns the rendered messages instead.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/send", tag = "mail", operation_id = "send_campaign", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")), request_body = SendInput,
    responses((status = 200, body = SendSummary), (status = 403, response = Forbidden), (status = 409, response = Conflict)))]
pub async fn send_campaign(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    input: JsonObject<SendInput>,
) -> Result<web::Json<SendSummary>, ApiError> {
    let (id, input) = (id.into_inner(), input.into_inner());
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.send_campaign(&actor, id, input)).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// pending, sending, sent, failed or cancelled.
    #[param(value_type = Option<crate::domain::vocab::OutboxState>)]
    pub state: Option<String>,
    /// Only this campaign's messages.
    pub campaign: Option<i64>,
    /// Only this workspace's messages (by slug); by default those of all your workspaces.
    pub workspace: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4_294_967_295_i64)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/outbox", tag = "mail", operation_id = "list_outbox", security(("bearer" = [])), params(OutboxQuery),
    responses((status = 200, body = Page<OutboxView>), (status = 404, response = NotFound)))]
pub async fn list(
    bearer: Bearer,
    svc: web::Data<Service>,
    q: web::Query<OutboxQuery>,
) -> Result<web::Json<Page<OutboxView>>, ApiError> {
    let q = q.into_inner();
    let paging = Paging::new(q.page, q.per_page)?;
    Ok(web::Json(
        run_as(svc, bearer, move |svc, actor| {
            svc.list_outbox(&actor, q.workspace.as_deref(), q.state.as_deref(), q.campaign, paging)
        })
        .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", tag = "mail", operation_id = "retry_message", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, body = OutboxView), (status = 403, response = Forbidden), (status = 409, response = Conflict)))]
pub async fn retry(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<web::Json<OutboxView>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.retry_message(&actor, id)).await?))
}

#[utoipa::path(post, path = "/api/v1/outbox/{id}/cancel", tag = "mail", operation_id = "cancel_message", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, body = OutboxView), (status = 403, response = Forbidden), (status = 409, response = Conflict)))]
pub async fn cancel(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<web::Json<OutboxView>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.cancel_message(&actor, id)).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RemindQuery {
    /// Return the digests without queuing them.
    pub dry_run: Option<bool>,
    /// Remind as on this date instead of today.
    #[param(value_type = Option<crate::service::DateInput>)]
    #[serde(default, deserialize_with = "crate::service::optional_date")]
    pub as_of: Option<chrono::NaiveDate>,
}

/// Admins only: queue the reminder digests now (serve does this daily). Each lapse is reported
/// once, however often this runs.
#[utoipa::path(post, path = "/api/v1/reminders/run", tag = "mail", operation_id = "run_reminders", security(("bearer" = [])), params(RemindQuery),
    responses((status = 200, body = RemindSummary), (status = 403, response = Forbidden)))]
pub async fn remind(
    bearer: Bearer,
    svc: web::Data<Service>,
    q: web::Query<RemindQuery>,
) -> Result<web::Json<RemindSummary>, ApiError> {
    let today = q.as_of.unwrap_or_else(crate::domain::london::today);
    let dry_run = q.dry_run.unwrap_or(false);
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.remind(Some(&actor), today, dry_run)).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WatchInput {
    pub user_email: String,
    /// false to stop watching.
    #[serde(default = "yes")]
    pub watch: bool,
}

fn yes() -> bool {
    true
}

/// Adds or removes a watcher of the campaign's reminders.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/watchers", tag = "mail", operation_id = "watch_campaign", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")), request_body = WatchInput,
    responses((status = 204), (status = 403, response = Forbidden), (status = 409, response = Conflict)))]
pub async fn watch(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    input: JsonObject<WatchInput>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), input.into_inner());
    run_as(svc, bearer, move |svc, actor| svc.watch_campaign(&actor, id, &input.user_email, input.watch))
        .await?;
    Ok(actix_web::HttpResponse::NoContent().finish())
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChasersInput {
    pub enabled: bool,
    /// Working days overdue before the chaser goes, 1 to 200 (default: unchanged; initially 5).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 200)]
    pub after_working_days: Option<u32>,
}

/// Turns chasers to late bodies on or off for the campaign.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/chasers", tag = "mail", operation_id = "set_chasers", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")), request_body = ChasersInput,
    responses((status = 204), (status = 403, response = Forbidden), (status = 409, response = Conflict)))]
pub async fn chasers(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    input: JsonObject<ChasersInput>,
) -> Result<actix_web::HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), input.into_inner());
    run_as(svc, bearer, move |svc, actor| {
        svc.set_chasers(&actor, id, input.enabled, input.after_working_days)
    })
    .await?;
    Ok(actix_web::HttpResponse::NoContent().finish())
}
