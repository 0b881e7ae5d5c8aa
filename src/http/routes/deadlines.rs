//! The deadline calculator, regimes, request clocks and bank holiday updates.

use actix_web::web;

use super::{AsOf, run, run_as};
use crate::domain::regime::RegimeRules;
use crate::http::auth::Bearer;
use crate::http::openapi::responses::{Conflict, Forbidden};
use crate::http::problem::ApiError;
use crate::http::upload::{UploadLimit, read_upload};
use crate::service::Service;
use crate::service::deadlines::{DeadlineQuery, DeadlineView, HolidayImportSummary, RequestDeadlineView};

/// Due and very-overdue dates for a request received on a date, with every day skipped.
#[utoipa::path(get, path = "/api/v1/deadline", tag = "deadlines", operation_id = "calculate_deadline", security(("bearer" = [])), params(DeadlineQuery),
    responses((status = 200, body = DeadlineView)))]
pub async fn calculate(
    bearer: Bearer,
    svc: web::Data<Service>,
    q: web::Query<DeadlineQuery>,
) -> Result<web::Json<DeadlineView>, ApiError> {
    let q = q.into_inner();
    Ok(web::Json(run_as(svc, bearer, move |svc, _| svc.deadline(&q)).await?))
}

/// The regimes this service knows, built-in and configured, with their periods.
#[utoipa::path(get, path = "/api/v1/regimes", tag = "deadlines", operation_id = "list_regimes", security(("bearer" = [])),
    responses((status = 200, body = Vec<RegimeRules>)))]
pub async fn regimes(
    bearer: Bearer,
    svc: web::Data<Service>,
) -> Result<web::Json<Vec<RegimeRules>>, ApiError> {
    Ok(web::Json(run_as(svc, bearer, move |svc, _| svc.list_regimes()).await?))
}

/// How the request's deadlines were worked out: each clock event and its effect, and the days
/// skipped.
#[utoipa::path(get, path = "/api/v1/requests/{id}/deadline", tag = "deadlines", operation_id = "show_request_deadline", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Request id"), AsOf),
    responses((status = 200, body = RequestDeadlineView)))]
pub async fn request_clock(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    as_of: web::Query<AsOf>,
) -> Result<web::Json<RequestDeadlineView>, ApiError> {
    let (id, today) = (id.into_inner(), as_of.day());
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.request_deadline(&actor, id, today)).await?))
}

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DryRun {
    /// Report what would change, changing nothing.
    pub dry_run: Option<bool>,
}

/// Admins only: put a newer gov.uk `bank-holidays.json` (the request body) in force. Open
/// requests whose deadlines move get a `deadline_recalculated` event saying how.
#[utoipa::path(post, path = "/api/v1/holidays/import", tag = "deadlines", operation_id = "import_holidays", security(("bearer" = [])), params(DryRun),
    request_body(content = String, content_type = "application/json", description = "gov.uk bank-holidays.json"),
    responses((status = 200, body = HolidayImportSummary), (status = 403, response = Forbidden), (status = 409, response = Conflict)))]
pub async fn import_holidays(
    bearer: Bearer,
    svc: web::Data<Service>,
    q: web::Query<DryRun>,
    limit: web::Data<UploadLimit>,
    payload: web::Payload,
) -> Result<web::Json<HolidayImportSummary>, ApiError> {
    // Who is asking is settled before the upload is read, so no one without a valid token can
    // make the server take in a large body.
    let actor = bearer.actor(&svc).await?;
    let bytes = read_upload(payload, limit.0).await?;
    let body = String::from_utf8(bytes.to_vec()).map_err(|_| {
        ApiError::validation("The file is not UTF-8 text; gov.uk's bank-holidays.json is.", Vec::new())
    })?;
    let dry_run = q.dry_run.unwrap_or(false);
    Ok(web::Json(run(move || svc.import_holidays(&actor, &body, dry_run)).await?))
}
