//! Who you are, users and tokens.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::run_as;
use crate::domain::vocab::Role;
use crate::http::auth::Bearer;
use crate::http::body::JsonObject;
use crate::http::openapi::responses::{Conflict, Forbidden, NotFound};
use crate::http::problem::ApiError;
use crate::service::views::{NewTokenView, NewUserView, TokenView, UserView};
use crate::service::{Actor, Service};

#[utoipa::path(get, path = "/api/v1/me", tag = "people", operation_id = "show_me", security(("bearer" = [])),
    responses((status = 200, body = Actor)))]
pub async fn me(bearer: Bearer, svc: web::Data<Service>) -> Result<web::Json<Actor>, ApiError> {
    Ok(web::Json(run_as(svc, bearer, |_, actor| Ok(actor)).await?))
}

#[utoipa::path(get, path = "/api/v1/users", tag = "people", operation_id = "list_users", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserView>), (status = 403, response = Forbidden)))]
pub async fn list_users(
    bearer: Bearer,
    svc: web::Data<Service>,
) -> Result<web::Json<Vec<UserView>>, ApiError> {
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.list_users(Some(&actor))).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserInput {
    pub email: String,
    /// One line: no control characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub name: String,
    /// The site role. `admin` administers users and workspaces; the user joins their workspace
    /// with the matching workspace role (an admin as `owner`).
    pub role: Role,
    /// The workspace the user joins, by slug; by default the only one, if there is only one.
    #[serde(default)]
    pub workspace: Option<String>,
}

/// Admins only. The new user's first token is in the response, once.
#[utoipa::path(post, path = "/api/v1/users", tag = "people", operation_id = "add_user", security(("bearer" = [])), request_body = NewUserInput,
    responses((status = 201, body = NewUserView), (status = 403, response = Forbidden), (status = 409, response = Conflict)))]
pub async fn add_user(
    bearer: Bearer,
    svc: web::Data<Service>,
    input: JsonObject<NewUserInput>,
) -> Result<HttpResponse, ApiError> {
    let input = input.into_inner();
    let created = run_as(svc, bearer, move |svc, actor| {
        svc.add_user(Some(&actor), &input.email, &input.name, input.role, input.workspace.as_deref())
    })
    .await?;
    Ok(HttpResponse::Created().json(created))
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "people", operation_id = "list_tokens", security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenView>)))]
pub async fn list_tokens(
    bearer: Bearer,
    svc: web::Data<Service>,
) -> Result<web::Json<Vec<TokenView>>, ApiError> {
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.list_tokens(&actor)).await?))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenInput {
    /// Whose token: yourself when not given; someone else only for admins.
    #[serde(default)]
    pub user_email: Option<String>,
    /// One line: no control characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub label: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/tokens", tag = "people", operation_id = "create_token", security(("bearer" = [])), request_body = NewTokenInput,
    responses((status = 201, body = NewTokenView), (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn create_token(
    bearer: Bearer,
    svc: web::Data<Service>,
    input: JsonObject<NewTokenInput>,
) -> Result<HttpResponse, ApiError> {
    let input = input.into_inner();
    let token = run_as(svc, bearer, move |svc, actor| {
        svc.create_token(
            Some(&actor),
            input.user_email.as_deref(),
            input.label.as_deref(),
            &Default::default(),
        )
    })
    .await?;
    Ok(HttpResponse::Created().json(token))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "people", operation_id = "revoke_token", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Token id")),
    responses((status = 204), (status = 409, response = Conflict)))]
pub async fn revoke_token(
    bearer: Bearer,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    run_as(svc, bearer, move |svc, actor| svc.revoke_token(Some(&actor), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
