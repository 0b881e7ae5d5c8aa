//! Campaign sending and the outbox.

use actix_web::web;

use super::run;
use crate::http::auth::Authenticated;
use crate::http::problem::{ApiError, Problem};
use crate::service::outbox::{OutboxView, SendInput, SendSummary};
use crate::service::{Page, Paging, Service};

/// Queues the campaign's unsent requests as emails to the bodies' FOI addresses, paced; the
/// service delivers them in the background. `dry_run` returns the rendered messages instead.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/send", tag = "mail", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")), request_body = SendInput,
    responses((status = 200, body = SendSummary), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn send_campaign(
    Authenticated(actor): Authenticated,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    input: web::Json<SendInput>,
) -> Result<web::Json<SendSummary>, ApiError> {
    let (id, input) = (id.into_inner(), input.into_inner());
    Ok(web::Json(run(move || svc.send_campaign(&actor, id, input)).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    /// pending, sending, sent, failed or cancelled.
    pub state: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/outbox", tag = "mail", security(("bearer" = [])), params(OutboxQuery),
    responses((status = 200, body = Page<OutboxView>), (status = 422, body = Problem)))]
pub async fn list(
    _: Authenticated,
    svc: web::Data<Service>,
    q: web::Query<OutboxQuery>,
) -> Result<web::Json<Page<OutboxView>>, ApiError> {
    let q = q.into_inner();
    let paging = Paging::new(q.page, q.per_page)?;
    Ok(web::Json(run(move || svc.list_outbox(q.state.as_deref(), paging)).await?))
}

#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", tag = "mail", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, body = OutboxView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn retry(
    Authenticated(actor): Authenticated,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<web::Json<OutboxView>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(run(move || svc.retry_message(&actor, id)).await?))
}

#[utoipa::path(post, path = "/api/v1/outbox/{id}/cancel", tag = "mail", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Message id")),
    responses((status = 200, body = OutboxView), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel(
    Authenticated(actor): Authenticated,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<web::Json<OutboxView>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(run(move || svc.cancel_message(&actor, id)).await?))
}
