//! Coding a campaign's replies: the plan, answers per request, disagreements, decisions, and
//! coded spreadsheets in and out.

use actix_web::{HttpResponse, web};

use super::{run, run_as};
use crate::http::auth::Bearer;
use crate::http::body::JsonObject;
use crate::http::openapi::responses::{Conflict, Forbidden, NotFound, TooManyRequests};
use crate::http::problem::ApiError;
use crate::http::upload::{ImportGate, UploadLimit, read_upload};
use crate::service::Service;
use crate::service::codings::{
    AdjudicationInput, CampaignAgreement, CodingImportReport, CodingPlanInput, CodingPlanView, Disagreement,
    RequestCodings, RuleQualityReport, SubmitCodings,
};

/// Sets how a campaign is coded: the codebook version, the coders, and the share of replies
/// coded twice (reproducible from `seed`). Replaces an earlier plan.
#[utoipa::path(put, path = "/api/v1/campaigns/{id}/coding", tag = "coding", operation_id = "set_coding_plan", security(("bearer" = [])), request_body = CodingPlanInput,
    params(("id" = i64, Path, description = "Campaign id")),
    responses((status = 200, body = CodingPlanView), (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn set_plan(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    input: JsonObject<CodingPlanInput>,
) -> Result<web::Json<CodingPlanView>, ApiError> {
    let (id, input) = (id.into_inner(), input.into_inner());
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.set_coding_plan(&actor, id, input)).await?))
}

/// A campaign's coding plan, with how many requests each coder is given.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/coding", tag = "coding", operation_id = "show_coding_plan", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")),
    responses((status = 200, body = CodingPlanView), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn plan(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<web::Json<CodingPlanView>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.coding_plan(&actor, id)).await?))
}

/// Every question of the campaign's codebook about one request: your answer, the others'
/// once you have answered (coding is blind), and the final answer.
#[utoipa::path(get, path = "/api/v1/requests/{id}/codings", tag = "coding", operation_id = "list_request_codings", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = RequestCodings), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn request_codings(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<web::Json<RequestCodings>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.request_codings(&actor, id)).await?))
}

/// Stores your answers to some questions about a request, all or none: `201`. A question you
/// answered already is refused (`422`), as is a code the question does not have or a question
/// that does not apply.
#[utoipa::path(post, path = "/api/v1/requests/{id}/codings", tag = "coding", operation_id = "submit_codings", security(("bearer" = [])), request_body = SubmitCodings,
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 201, body = RequestCodings), (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn submit(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    input: JsonObject<SubmitCodings>,
) -> Result<HttpResponse, ApiError> {
    let (id, input) = (id.into_inner(), input.into_inner());
    let view = run_as(svc, bearer, move |svc, actor| svc.submit_codings(&actor, id, input)).await?;
    Ok(HttpResponse::Created().json(view))
}

/// Decides the final answer to a question two coders or more answered, with the reason.
#[utoipa::path(post, path = "/api/v1/requests/{id}/adjudications", tag = "coding", operation_id = "adjudicate_coding", security(("bearer" = [])), request_body = AdjudicationInput,
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = RequestCodings), (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn adjudicate(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    input: JsonObject<AdjudicationInput>,
) -> Result<web::Json<RequestCodings>, ApiError> {
    let (id, input) = (id.into_inner(), input.into_inner());
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.adjudicate(&actor, id, input)).await?))
}

/// The questions on which a campaign's coders disagree and no one has decided.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/disagreements", tag = "coding", operation_id = "list_disagreements", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")),
    responses((status = 200, body = Vec<Disagreement>), (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn disagreements(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<web::Json<Vec<Disagreement>>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.disagreements(&actor, id)).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CoderQuery {
    /// The coder whose codings these are, by email.
    pub coder: String,
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// One coder's answers, by email; without it, the final answers.
    pub coder: Option<String>,
}

/// Imports one coder's coded spreadsheet: a CSV with a `reference` or `ods_code` column and one
/// column per question key. Rows with a problem are left out whole and listed with their line;
/// the rest are stored, in one transaction.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/codings/import", tag = "coding", operation_id = "import_codings", security(("bearer" = [])), params(("id" = i64, Path, description = "Campaign id"), CoderQuery),
    request_body(content = String, content_type = "text/csv", description = "reference (or ods_code), then one column per question"),
    responses((status = 200, body = CodingImportReport), (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict), (status = 429, response = TooManyRequests)))]
#[allow(clippy::too_many_arguments)]
pub async fn import(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    q: web::Query<CoderQuery>,
    limit: web::Data<UploadLimit>,
    gate: web::Data<ImportGate>,
    payload: web::Payload,
) -> Result<web::Json<CodingImportReport>, ApiError> {
    let actor = bearer.actor(&svc).await?;
    let slot = gate.enter().await?;
    let limit = limit.0.min(crate::service::codings::MAX_CODING_FILE as usize);
    let bytes = read_upload(payload, limit).await?;
    let (id, coder) = (id.into_inner(), q.into_inner().coder);
    Ok(web::Json(
        run(move || {
            let _slot = slot;
            svc.import_codings(&actor, id, &coder, &bytes)
        })
        .await?,
    ))
}

/// A campaign's codings in the import's shape: one row per request (`reference`, `ods_code`,
/// `body`, then one column per question), with one coder's answers or the final ones.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/codings/export", tag = "coding", operation_id = "export_codings", security(("bearer" = [])), params(("id" = i64, Path, description = "Campaign id"), ExportQuery),
    responses((status = 200, body = String, content_type = "text/csv"), (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn export(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    q: web::Query<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, coder) = (id.into_inner(), q.into_inner().coder);
    let csv = run_as(svc, bearer, move |svc, actor| svc.export_codings(&actor, id, coder.as_deref())).await?;
    Ok(HttpResponse::Ok().content_type("text/csv; charset=utf-8").body(csv))
}

/// Agreement between the campaign's coders on each question that takes codes or numbers:
/// percentage agreement, Cohen's kappa, Krippendorff's alpha with its interval and Gwet's AC1,
/// each request a unit, and each code of multiple-choice answers.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/agreement", tag = "coding", operation_id = "campaign_agreement", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")),
    responses((status = 200, body = CampaignAgreement), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn agreement(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<web::Json<CampaignAgreement>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.campaign_agreement(&actor, id)).await?))
}

/// The campaign's codings for R, Stata, SPSS and Excel, as a Frictionless Data Package in a zip:
/// `datapackage.json`, `final_codes.csv` (one row per body), `codings.csv` (one row per answer,
/// with its coder), `data_dictionary.csv` and `codebook.json`.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/datapackage", tag = "coding", operation_id = "campaign_data_package", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")),
    responses((status = 200, description = "A zip of the package's files", content_type = "application/zip", body = Vec<u8>), (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn data_package(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let zipped = run_as(svc, bearer, move |svc, actor| svc.data_package(&actor, id)?.zipped()).await?;
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"campaign-{id}-data.zip\"")))
        .body(zipped))
}

/// How good the codebook's rules are on the campaign's replies: each rule's true and false
/// positives, misses, precision and recall against the final codes.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/rules", tag = "coding", operation_id = "campaign_rule_quality", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")),
    responses((status = 200, body = RuleQualityReport), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn rule_quality(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<web::Json<RuleQualityReport>, ApiError> {
    let id = id.into_inner();
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.rule_quality(&actor, id)).await?))
}
