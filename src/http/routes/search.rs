//! `GET /api/v1/search`: the text of incoming replies and their attachments.

use actix_web::web;

use super::run_as;
use crate::http::auth::Bearer;
use crate::http::openapi::responses::{Invalid, NotFound};
use crate::http::problem::ApiError;
use crate::service::Service;
use crate::service::search::{SearchPage, SearchQuery};

/// Search the replies and attachments of your workspaces, best match first, each hit with its
/// requests, a snippet with the matches' positions, and a rank.
#[utoipa::path(get, path = "/api/v1/search", tag = "mail", operation_id = "search_incoming", security(("bearer" = [])), params(SearchQuery),
    responses((status = 200, body = SearchPage), (status = 404, response = NotFound), (status = 422, response = Invalid)))]
pub async fn search(
    bearer: Bearer,
    svc: web::Data<Service>,
    q: web::Query<SearchQuery>,
) -> Result<web::Json<SearchPage>, ApiError> {
    let q = q.into_inner();
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.search(&actor, &q)).await?))
}
