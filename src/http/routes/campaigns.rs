//! Campaigns.

use actix_web::{HttpResponse, web};

use super::{AsOf, run_as};
use crate::http::auth::Bearer;
use crate::http::body::JsonObject;
use crate::http::openapi::responses::{Conflict, Forbidden, NotFound};
use crate::http::problem::ApiError;
use crate::service::campaigns::NewCampaignInput;
use crate::service::timeline::BulkSentInput;
use crate::service::views::{BulkSentSummary, CampaignProgress, CampaignView};
use crate::service::{Page, Paging, Service};

#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CampaignQuery {
    /// Only this workspace's campaigns (by slug); by default those of all your workspaces.
    pub workspace: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4_294_967_295_i64)]
    pub page: Option<u32>,
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns", operation_id = "list_campaigns", security(("bearer" = [])), params(CampaignQuery),
    responses((status = 200, body = Page<CampaignView>), (status = 404, response = NotFound)))]
pub async fn list(
    bearer: Bearer,
    svc: web::Data<Service>,
    q: web::Query<CampaignQuery>,
) -> Result<web::Json<Page<CampaignView>>, ApiError> {
    let q = q.into_inner();
    let paging = Paging::new(q.page, q.per_page)?;
    Ok(web::Json(
        run_as(svc, bearer, move |svc, actor| svc.list_campaigns(&actor, q.workspace.as_deref(), paging))
            .await?,
    ))
}

/// Creates the campaign and one draft request for each target body, each with its reference.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns", operation_id = "create_campaign", security(("bearer" = [])), request_body = NewCampaignInput,
    responses((status = 201, body = CampaignProgress), (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn create(
    bearer: Bearer,
    svc: web::Data<Service>,
    input: JsonObject<NewCampaignInput>,
) -> Result<HttpResponse, ApiError> {
    let input = input.into_inner();
    let created = run_as(svc, bearer, move |svc, actor| {
        svc.create_campaign(&actor, input, crate::domain::london::today())
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/campaigns/{}", created.campaign.id)))
        .json(created))
}

/// The campaign with its requests counted by status.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "campaigns", operation_id = "show_campaign", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id"), AsOf),
    responses((status = 200, body = CampaignProgress)))]
pub async fn show(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    as_of: web::Query<AsOf>,
) -> Result<web::Json<CampaignProgress>, ApiError> {
    let (id, today) = (id.into_inner(), as_of.day());
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.campaign(&actor, id, today)).await?))
}

/// Logs the campaign's unsent requests (or the listed ones) as sent, all or none.
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/sent", tag = "campaigns", operation_id = "log_campaign_sent", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Campaign id")), request_body = BulkSentInput,
    responses((status = 200, body = BulkSentSummary), (status = 403, response = Forbidden), (status = 409, response = Conflict)))]
pub async fn log_sent(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    input: JsonObject<BulkSentInput>,
) -> Result<web::Json<BulkSentSummary>, ApiError> {
    let (id, input) = (id.into_inner(), input.into_inner());
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.log_campaign_sent(&actor, id, input)).await?))
}
