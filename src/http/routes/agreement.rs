//! The agreement calculator.

use actix_web::web;

use super::run;
use crate::http::auth::Bearer;
use crate::http::openapi::responses::TooManyRequests;
use crate::http::problem::ApiError;
use crate::http::upload::{ImportGate, UploadLimit, read_upload};
use crate::service::Service;
use crate::service::agreement::{AgreementQuery, AgreementReport, agreement_from_csv};

/// Agreement between coders for codings from anywhere: the request body is a CSV whose first
/// line names the columns `unit`, `coder` and `value` (several codes in one value split by `;`).
/// A file with any bad row is refused whole, each problem in `errors` by line. Calculations
/// share the `server.concurrent_imports` slots with imports: the bootstrap over a large file
/// takes a core for a while.
#[utoipa::path(post, path = "/api/v1/agreement", tag = "coding", operation_id = "calculate_agreement", security(("bearer" = [])), params(AgreementQuery),
    request_body(content = String, content_type = "text/csv", description = "unit,coder,value"),
    responses((status = 200, body = AgreementReport), (status = 429, response = TooManyRequests)))]
pub async fn calculate(
    bearer: Bearer,
    svc: web::Data<Service>,
    q: web::Query<AgreementQuery>,
    limit: web::Data<UploadLimit>,
    gate: web::Data<ImportGate>,
    payload: web::Payload,
) -> Result<web::Json<AgreementReport>, ApiError> {
    // Only someone with a valid token may make the server read a body.
    bearer.actor(&svc).await?;
    let slot = gate.enter().await?;
    let bytes = read_upload(payload, limit.0).await?;
    let q = q.into_inner();
    Ok(web::Json(
        run(move || {
            // The slot is freed when the calculation ends, even if the client has gone away.
            let _slot = slot;
            agreement_from_csv(&bytes, &q)
        })
        .await?,
    ))
}
