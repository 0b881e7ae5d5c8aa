//! Requests and their timelines.

use actix_web::{HttpResponse, web};

use super::{AsOf, run_as};
use crate::http::auth::Bearer;
use crate::http::body::JsonObject;
use crate::http::openapi::responses::{Conflict, Forbidden, NotFound};
use crate::http::problem::ApiError;
use crate::service::requests::{NewRequestInput, RequestQuery};
use crate::service::timeline::{EventInput, LogSentInput};
use crate::service::views::{EventView, RequestDetail, RequestView};
use crate::service::{Page, Service};

#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", operation_id = "list_requests", security(("bearer" = [])), params(RequestQuery),
    responses((status = 200, body = Page<RequestView>), (status = 404, response = NotFound)))]
pub async fn list(
    bearer: Bearer,
    svc: web::Data<Service>,
    q: web::Query<RequestQuery>,
) -> Result<web::Json<Page<RequestView>>, ApiError> {
    let q = q.into_inner();
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.search_requests(&actor, &q)).await?))
}

/// A request to one body outside any campaign.
#[utoipa::path(post, path = "/api/v1/requests", tag = "requests", operation_id = "create_request", security(("bearer" = [])), request_body = NewRequestInput,
    responses((status = 201, body = RequestDetail), (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn create(
    bearer: Bearer,
    svc: web::Data<Service>,
    input: JsonObject<NewRequestInput>,
) -> Result<HttpResponse, ApiError> {
    let input = input.into_inner();
    let created = run_as(svc, bearer, move |svc, actor| {
        svc.create_request(&actor, input, crate::domain::london::today())
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/requests/{}", created.request.id)))
        .json(created))
}

#[utoipa::path(get, path = "/api/v1/requests/{id}", tag = "requests", operation_id = "show_request", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Request id"), AsOf),
    responses((status = 200, body = RequestDetail)))]
pub async fn show(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    as_of: web::Query<AsOf>,
) -> Result<web::Json<RequestDetail>, ApiError> {
    let (id, today) = (id.into_inner(), as_of.day());
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.request(&actor, id, today)).await?))
}

#[utoipa::path(get, path = "/api/v1/requests/{id}/events", tag = "requests", operation_id = "list_request_events", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = Vec<EventView>)))]
pub async fn events(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<EventView>>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(
        run_as(svc, bearer, move |svc, actor| svc.request(&actor, id, crate::domain::london::today()))
            .await?
            .events,
    ))
}

/// Records that the request was sent: when, how, and to what address.
#[utoipa::path(post, path = "/api/v1/requests/{id}/sent", tag = "requests", operation_id = "log_request_sent", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Request id")), request_body = LogSentInput,
    responses((status = 201, body = EventView), (status = 403, response = Forbidden), (status = 409, response = Conflict)))]
pub async fn log_sent(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    input: JsonObject<LogSentInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), input.into_inner());
    Ok(HttpResponse::Created()
        .json(run_as(svc, bearer, move |svc, actor| svc.log_sent(&actor, id, input)).await?))
}

/// Appends an event to the timeline. Events that make no sense (a response before the sending,
/// a second sending …) are refused with 409 and the reason; a mistake is undone by recording a
/// `retraction` naming it.
#[utoipa::path(post, path = "/api/v1/requests/{id}/events", tag = "requests", operation_id = "record_event", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Request id")), request_body = EventInput,
    responses((status = 201, body = EventView), (status = 403, response = Forbidden), (status = 409, response = Conflict)))]
pub async fn record_event(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    input: JsonObject<EventInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), input.into_inner());
    Ok(HttpResponse::Created()
        .json(run_as(svc, bearer, move |svc, actor| svc.record_event(&actor, id, input)).await?))
}
