//! Public bodies.

use actix_web::web;

use super::{run, run_as};
use crate::http::auth::Bearer;
use crate::http::openapi::responses::{Forbidden, TooManyRequests};
use crate::http::problem::ApiError;
use crate::http::upload::{ImportGate, UploadLimit, spool_upload};
use crate::service::authorities::AuthorityQuery;
use crate::service::authority_import::{ImportQuery, Quiet};
use crate::service::views::{AuthorityView, ImportSummary};
use crate::service::{Page, Service};

#[utoipa::path(get, path = "/api/v1/authorities", tag = "authorities", operation_id = "list_authorities", security(("bearer" = [])), params(AuthorityQuery),
    responses((status = 200, body = Page<AuthorityView>)))]
pub async fn list(
    bearer: Bearer,
    svc: web::Data<Service>,
    query: web::Query<AuthorityQuery>,
) -> Result<web::Json<Page<AuthorityView>>, ApiError> {
    let query = query.into_inner();
    Ok(web::Json(run_as(svc, bearer, move |svc, _| svc.search_authorities(&query)).await?))
}

#[utoipa::path(get, path = "/api/v1/authorities/{id}", tag = "authorities", operation_id = "show_authority", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Body id")),
    responses((status = 200, body = AuthorityView)))]
pub async fn show(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<web::Json<AuthorityView>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(run_as(svc, bearer, move |svc, _| svc.authority(id)).await?))
}

/// Upload a CSV file as the request body (any content type). Rows that cannot be used are listed
/// with their line numbers; the others are imported. At most `server.concurrent_imports` run at
/// once; the next waits up to `server.import_wait_seconds`, then gets `429` with `Retry-After`.
#[utoipa::path(post, path = "/api/v1/authorities/import", tag = "authorities", operation_id = "import_authorities", security(("bearer" = [])), params(ImportQuery),
    request_body(content = String, content_type = "text/csv", description = "The file"),
    responses((status = 200, body = ImportSummary), (status = 403, response = Forbidden), (status = 429, response = TooManyRequests)))]
pub async fn import(
    bearer: Bearer,
    svc: web::Data<Service>,
    query: web::Query<ImportQuery>,
    limit: web::Data<UploadLimit>,
    gate: web::Data<ImportGate>,
    payload: web::Payload,
) -> Result<web::Json<ImportSummary>, ApiError> {
    // Who is asking, and whether the query makes sense, are settled before the upload is read,
    // so no one without a valid token can make the server take in a large body.
    let actor = bearer.actor(&svc).await?;
    Service::may_import_authorities(&actor)?;
    let query = query.into_inner();
    let options = query.options()?;
    let dry_run = query.dry_run.unwrap_or(false);
    let slot = gate.enter().await?;
    let mut file = spool_upload(payload, limit.0).await?;
    Ok(web::Json(
        run(move || {
            // The slot is freed when the import ends, even if the client has gone away.
            let _slot = slot;
            svc.import_authorities(Some(&actor), &mut file, options, dry_run, &mut Quiet)
        })
        .await?,
    ))
}
