//! A campaign's report.

use actix_web::{HttpResponse, web};

use super::run_as;
use crate::http::auth::Bearer;
use crate::http::openapi::responses::{Conflict, NotFound};
use crate::http::problem::ApiError;
use crate::service::report::{CampaignReport, report_csv};
use crate::service::{FieldError, Service, ServiceError};

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `json` (the default) or `csv`: the question table, a row per code.
    #[param(pattern = "^(json|csv)$")]
    pub format: Option<String>,
    /// `region`: in the CSV, a column per region and for London and the rest of England (the
    /// JSON always has them).
    #[param(pattern = "^region$")]
    pub by: Option<String>,
}

/// The study's table for a campaign: how bodies responded, and each question's codes with their
/// counts, percentages and denominators, by region and for London against the rest of England.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/report", tag = "coding", operation_id = "campaign_report", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id"), ReportQuery),
    responses((status = 200, body = CampaignReport), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn report(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    q: web::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let (id, q) = (id.into_inner(), q.into_inner());
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(refused("format", format!("\"{other}\" is not a format; use json or csv")));
        }
    };
    let by_region = match q.by.as_deref() {
        None => false,
        Some("region") => true,
        Some(other) => {
            return Err(refused("by", format!("\"{other}\" cannot be cross-tabulated; use region")));
        }
    };
    let report = run_as(svc, bearer, move |svc, actor| svc.campaign_report(&actor, id)).await?;
    if csv {
        let body = report_csv(&report, by_region)?;
        Ok(HttpResponse::Ok().content_type("text/csv; charset=utf-8").body(body))
    } else {
        Ok(HttpResponse::Ok().json(report))
    }
}

fn refused(field: &str, message: String) -> ApiError {
    ServiceError::invalid_fields(vec![FieldError::new(field, message)]).into()
}

/// One of the report's charts as SVG, each with a title and a description of its figures for
/// screen readers: `responses.svg` (responses per week) or `QUESTION.svg` for a question with
/// codes (each code's count by region), as `foitrack report --charts` writes them.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/charts/{name}", tag = "coding", operation_id = "campaign_report_chart", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id"), ("name" = String, Path, description = "responses.svg, or a question's key and .svg")),
    responses((status = 200, body = String, content_type = "image/svg+xml"), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn chart(
    bearer: Bearer,
    svc: web::Data<Service>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, name) = path.into_inner();
    let svg = run_as(svc, bearer, move |svc, actor| svc.report_chart(&actor, id, &name)).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml; charset=utf-8")
        .insert_header(("X-Content-Type-Options", "nosniff"))
        // An SVG opened on its own is a document: it may style itself, and do nothing else.
        .insert_header(("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"))
        .body(svg))
}
