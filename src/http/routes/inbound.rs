//! `POST /api/v1/inbound`: one raw message, as mail providers' inbound webhooks and a mail
//! server's pipe deliver it.

use actix_web::{HttpResponse, web};

use super::run;
use crate::http::auth::Bearer;
use crate::http::openapi::responses::Forbidden;
use crate::http::problem::ApiError;
use crate::http::upload::{UploadLimit, read_upload};
use crate::service::Service;
use crate::service::ingest::{Arrival, IngestedMessage};

/// Deliver one incoming message (RFC 822 bytes, the whole request body), with a token made by
/// `foitrack token create --ingest`; no other token can, and that token can do nothing else.
/// `202` with what became of it: matched, held, or a duplicate of one stored before. Bytes that
/// are not a message are stored all the same, as rejected, and get `422` with the same report.
#[utoipa::path(post, path = "/api/v1/inbound", tag = "mail", operation_id = "deliver_inbound", security(("bearer" = [])),
    request_body(content = String, content_type = "message/rfc822", description = "The raw message"),
    responses((status = 202, body = IngestedMessage), (status = 422, body = IngestedMessage, description = "Not a mail message; stored as rejected"), (status = 403, response = Forbidden)))]
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
    let status = match report.outcome {
        crate::domain::inbound::Outcome::Rejected => actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
        _ => actix_web::http::StatusCode::ACCEPTED,
    };
    Ok(HttpResponse::build(status).json(report))
}
