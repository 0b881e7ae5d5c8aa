//! `POST /api/v1/inbound`: one raw message, as mail providers' inbound webhooks and a mail
//! server's pipe deliver it; and the holding pen of what matched nothing.

use actix_web::{HttpResponse, web};

use super::{run, run_as};
use crate::http::auth::Bearer;
use crate::http::body::JsonObject;
use crate::http::openapi::responses::{Conflict, Forbidden, Invalid, NotFound};
use crate::http::problem::ApiError;
use crate::http::upload::{UploadLimit, read_upload};
use crate::service::ingest::classify::{ClassifiedReply, ClassifyInput};
use crate::service::ingest::pen::{AssignInput, DiscardInput, PenMessage};
use crate::service::ingest::{Arrival, IngestedMessage};
use crate::service::{Page, Paging, Service};

/// Deliver one incoming message (RFC 822 bytes, the whole request body), with a token made by
/// `foitrack token create --ingest`; no other token can, and that token can do nothing else.
/// `202` with what became of it: matched, held, or a duplicate of one stored before. Bytes that
/// are not a message are stored all the same, as rejected, and get `422`, whose `detail` names
/// the stored message.
#[utoipa::path(post, path = "/api/v1/inbound", tag = "mail", operation_id = "deliver_inbound", security(("bearer" = [])),
    request_body(content = String, content_type = "text/plain", description = "The raw message, as sent (any content type is read, message/rfc822 included)"),
    responses((status = 202, body = IngestedMessage), (status = 422, response = Invalid), (status = 403, response = Forbidden)))]
pub async fn deliver(
    bearer: Bearer,
    svc: web::Data<Service>,
    limit: web::Data<UploadLimit>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // The token is checked before the body is read: nobody else can make the server take in a
    // large body.
    let ingester = {
        let svc = svc.clone();
        web::block(move || svc.authenticate_ingest(bearer.token())).await??
    };
    let raw = read_upload(payload, limit.0).await?;
    let report = run(move || {
        svc.ingest(Arrival { raw: &raw, source: "webhook", pen: ingester.workspace_id, by: ingester.user_id })
    })
    .await?;
    if report.outcome == crate::domain::inbound::Outcome::Rejected {
        let stored = report
            .id
            .map(|id| format!(" It is stored as rejected incoming message {id}."))
            .unwrap_or_default();
        let why = report.reason.as_deref().unwrap_or("it cannot be read");
        return Err(ApiError::validation(format!("This is not a mail message: {why}.{stored}"), Vec::new()));
    }
    Ok(HttpResponse::Accepted().json(report))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PenQuery {
    /// Only this workspace's pen (by slug); by default those of all your workspaces, and for
    /// site administrators the site-wide pen too.
    pub workspace: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4_294_967_295_i64)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

/// Replies that matched no request, newest first, with suggestions of where they belong.
#[utoipa::path(get, path = "/api/v1/holding-pen", tag = "mail", operation_id = "list_holding_pen", security(("bearer" = [])), params(PenQuery),
    responses((status = 200, body = Page<PenMessage>), (status = 404, response = NotFound)))]
pub async fn pen(
    bearer: Bearer,
    svc: web::Data<Service>,
    q: web::Query<PenQuery>,
) -> Result<web::Json<Page<PenMessage>>, ApiError> {
    let q = q.into_inner();
    let paging = Paging::new(q.page, q.per_page)?;
    Ok(web::Json(
        run_as(svc, bearer, move |svc, actor| svc.holding_pen(&actor, q.workspace.as_deref(), paging))
            .await?,
    ))
}

/// Assign a waiting reply to the request it answers (`matched_by: researcher`).
#[utoipa::path(post, path = "/api/v1/holding-pen/{id}/assign", tag = "mail", operation_id = "assign_message", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Incoming message id")), request_body = AssignInput,
    responses((status = 200, body = PenMessage), (status = 403, response = Forbidden), (status = 409, response = Conflict)))]
pub async fn assign(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    input: JsonObject<AssignInput>,
) -> Result<web::Json<PenMessage>, ApiError> {
    let (id, input) = (id.into_inner(), input.into_inner());
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.assign_message(&actor, id, input)).await?))
}

/// Set a waiting reply aside for good, with a reason. It stays stored. `204`.
#[utoipa::path(post, path = "/api/v1/holding-pen/{id}/discard", tag = "mail", operation_id = "discard_message", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Incoming message id")), request_body = DiscardInput,
    responses((status = 204, description = "Discarded"), (status = 403, response = Forbidden), (status = 409, response = Conflict)))]
pub async fn discard(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    input: JsonObject<DiscardInput>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), input.into_inner());
    run_as(svc, bearer, move |svc, actor| svc.discard_message(&actor, id, input)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Say what a reply is for one of its requests. Records the event it means on the timeline
/// (`response_received` with its outcome, `clarification_requested`, `fee_notice_given`,
/// `extension_claimed`; nothing for `not_a_response`). `201`. `404` when the message is not a
/// reply to the request; `409` when it is classified already, until that event is retracted,
/// or when the timeline refuses the event.
#[utoipa::path(post, path = "/api/v1/requests/{id}/incoming/{message}/classify", tag = "mail", operation_id = "classify_reply", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Request id"), ("message" = i64, Path, description = "Incoming message id")),
    request_body = ClassifyInput,
    responses((status = 201, body = ClassifiedReply), (status = 403, response = Forbidden), (status = 409, response = Conflict)))]
pub async fn classify(
    bearer: Bearer,
    svc: web::Data<Service>,
    path: web::Path<(i64, i64)>,
    input: JsonObject<ClassifyInput>,
) -> Result<HttpResponse, ApiError> {
    let ((id, message), input) = (path.into_inner(), input.into_inner());
    Ok(HttpResponse::Created()
        .json(run_as(svc, bearer, move |svc, actor| svc.classify_reply(&actor, id, message, input)).await?))
}
