//! A workspace's codebooks and their versions.

use actix_web::{HttpResponse, web};

use super::run_as;
use crate::http::auth::Bearer;
use crate::http::body::JsonObject;
use crate::http::openapi::responses::{Conflict, Forbidden, NotFound};
use crate::http::problem::ApiError;
use crate::http::upload::read_upload;
use crate::service::Service;
use crate::service::codebook_exchange::{MAX_QDC_FILE, QdcImportInput, QdcImported};
use crate::service::codebooks::{CodebookSummary, CodebookView, SaveCodebookInput};

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CodebookQuery {
    /// Only this workspace's codebooks (by slug); by default those of all your workspaces.
    pub workspace: Option<String>,
}

/// Every version of your workspaces' codebooks, by workspace and key, newest version first.
#[utoipa::path(get, path = "/api/v1/codebooks", tag = "coding", operation_id = "list_codebooks", security(("bearer" = [])), params(CodebookQuery),
    responses((status = 200, body = Vec<CodebookSummary>), (status = 404, response = NotFound)))]
pub async fn list(
    bearer: Bearer,
    svc: web::Data<Service>,
    q: web::Query<CodebookQuery>,
) -> Result<web::Json<Vec<CodebookSummary>>, ApiError> {
    let q = q.into_inner();
    Ok(web::Json(
        run_as(svc, bearer, move |svc, actor| svc.list_codebooks(&actor, q.workspace.as_deref())).await?,
    ))
}

/// Stores a codebook in a workspace: `201` with a new version (the first, or one more when the
/// key is taken and the codebook differs from the newest), or `200` with the newest version
/// when it is the same.
#[utoipa::path(post, path = "/api/v1/codebooks", tag = "coding", operation_id = "save_codebook", security(("bearer" = [])), request_body = SaveCodebookInput,
    responses((status = 201, body = CodebookView), (status = 200, body = CodebookView), (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn save(
    bearer: Bearer,
    svc: web::Data<Service>,
    input: JsonObject<SaveCodebookInput>,
) -> Result<HttpResponse, ApiError> {
    let input = input.into_inner();
    let saved = run_as(svc, bearer, move |svc, actor| svc.save_codebook(&actor, input)).await?;
    let location = format!("/api/v1/codebooks/{}", saved.view.summary.id);
    Ok(if saved.stored {
        HttpResponse::Created().insert_header(("Location", location)).json(saved.view)
    } else {
        HttpResponse::Ok().insert_header(("Content-Location", location)).json(saved.view)
    })
}

/// One version of a codebook, with its questions, codes and rules.
#[utoipa::path(get, path = "/api/v1/codebooks/{id}", tag = "coding", operation_id = "show_codebook", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Codebook version id")),
    responses((status = 200, body = CodebookView), (status = 404, response = NotFound)))]
pub async fn show(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<web::Json<CodebookView>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.codebook(&actor, id)).await?))
}

/// One version of a codebook as a REFI-QDA codebook (`.qdc`, `urn:QDA-XML:codebook:1.0`), for
/// NVivo, ATLAS.ti, MAXQDA and QualCoder: each question a code with its codes beneath it, every
/// code with a GUID that stays the same from one export to the next.
#[utoipa::path(get, path = "/api/v1/codebooks/{id}/qdc", tag = "coding", operation_id = "export_codebook_qdc", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Codebook version id")),
    responses((status = 200, body = String, content_type = "application/xml"), (status = 404, response = NotFound)))]
pub async fn export_qdc(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (name, xml) = run_as(svc, bearer, move |svc, actor| svc.codebook_qdc(&actor, id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/xml; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .body(xml))
}

/// Stores a REFI-QDA codebook (`.qdc`) as a codebook of a workspace: `201` with a new version,
/// or `200` when it is the same as the newest. Into a codebook the workspace already has, its
/// questions and codes are recognised by their GUIDs and keep their keys, types, conditions and
/// rules; `notes` says what was made of the rest.
#[utoipa::path(post, path = "/api/v1/codebooks/qdc", tag = "coding", operation_id = "import_codebook_qdc", security(("bearer" = [])), params(QdcImportInput),
    request_body(content = String, content_type = "application/xml", description = "A .qdc file"),
    responses((status = 201, body = QdcImported), (status = 200, body = QdcImported), (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn import_qdc(
    bearer: Bearer,
    svc: web::Data<Service>,
    q: web::Query<QdcImportInput>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = bearer.actor(&svc).await?;
    let bytes = read_upload(payload, MAX_QDC_FILE as usize).await?;
    let input = q.into_inner();
    let imported = super::run(move || svc.import_qdc(&actor, input, &bytes)).await?;
    let location = format!("/api/v1/codebooks/{}", imported.saved.view.summary.id);
    Ok(if imported.saved.stored {
        HttpResponse::Created().insert_header(("Location", location)).json(imported)
    } else {
        HttpResponse::Ok().insert_header(("Content-Location", location)).json(imported)
    })
}
