//! Workspaces, their members and their private contacts for bodies.

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use utoipa::ToSchema;

use super::run_as;
use crate::domain::vocab::WorkspaceRole;
use crate::http::auth::Bearer;
use crate::http::body::JsonObject;
use crate::http::openapi::responses::{Conflict, Forbidden, NotFound};
use crate::http::problem::ApiError;
use crate::service::Service;
use crate::service::contacts::{ContactInput, ContactView};
use crate::service::workspaces::{MemberView, NewWorkspaceInput, WorkspaceChange, WorkspaceView};

/// Your workspaces; a site administrator sees them all.
#[utoipa::path(get, path = "/api/v1/workspaces", tag = "workspaces", operation_id = "list_workspaces", security(("bearer" = [])),
    responses((status = 200, body = Vec<WorkspaceView>)))]
pub async fn list(
    bearer: Bearer,
    svc: web::Data<Service>,
) -> Result<web::Json<Vec<WorkspaceView>>, ApiError> {
    Ok(web::Json(run_as(svc, bearer, |svc, actor| svc.list_workspaces(&actor)).await?))
}

/// Site administrators only: a new workspace and its first owner.
#[utoipa::path(post, path = "/api/v1/workspaces", tag = "workspaces", operation_id = "create_workspace", security(("bearer" = [])), request_body = NewWorkspaceInput,
    responses((status = 201, body = WorkspaceView), (status = 403, response = Forbidden), (status = 409, response = Conflict)))]
pub async fn create(
    bearer: Bearer,
    svc: web::Data<Service>,
    input: JsonObject<NewWorkspaceInput>,
) -> Result<HttpResponse, ApiError> {
    let input = input.into_inner();
    let created = run_as(svc, bearer, move |svc, actor| svc.create_workspace(&actor, input)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/workspaces/{}", created.slug)))
        .json(created))
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}", tag = "workspaces", operation_id = "show_workspace", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Workspace slug")),
    responses((status = 200, body = WorkspaceView), (status = 404, response = NotFound)))]
pub async fn show(
    bearer: Bearer,
    svc: web::Data<Service>,
    slug: web::Path<String>,
) -> Result<web::Json<WorkspaceView>, ApiError> {
    let slug = slug.into_inner();
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.workspace(&actor, &slug)).await?))
}

/// Renames or archives (or brings back) a workspace: its owners, or a site administrator.
#[utoipa::path(patch, path = "/api/v1/workspaces/{slug}", tag = "workspaces", operation_id = "change_workspace", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Workspace slug")), request_body = WorkspaceChange,
    responses((status = 200, body = WorkspaceView), (status = 403, response = Forbidden), (status = 404, response = NotFound)))]
pub async fn change(
    bearer: Bearer,
    svc: web::Data<Service>,
    slug: web::Path<String>,
    input: JsonObject<WorkspaceChange>,
) -> Result<web::Json<WorkspaceView>, ApiError> {
    let (slug, input) = (slug.into_inner(), input.into_inner());
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.change_workspace(&actor, &slug, input)).await?))
}

#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/members", tag = "workspaces", operation_id = "list_members", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Workspace slug")),
    responses((status = 200, body = Vec<MemberView>), (status = 404, response = NotFound)))]
pub async fn members(
    bearer: Bearer,
    svc: web::Data<Service>,
    slug: web::Path<String>,
) -> Result<web::Json<Vec<MemberView>>, ApiError> {
    let slug = slug.into_inner();
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.list_members(&actor, &slug)).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMemberInput {
    /// The email of an existing user.
    pub email: String,
    pub role: WorkspaceRole,
}

/// Adds an existing user: the workspace's owners, or a site administrator.
#[utoipa::path(post, path = "/api/v1/workspaces/{slug}/members", tag = "workspaces", operation_id = "add_member", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Workspace slug")), request_body = NewMemberInput,
    responses((status = 201, body = MemberView), (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn add_member(
    bearer: Bearer,
    svc: web::Data<Service>,
    slug: web::Path<String>,
    input: JsonObject<NewMemberInput>,
) -> Result<HttpResponse, ApiError> {
    let (slug, input) = (slug.into_inner(), input.into_inner());
    let added =
        run_as(svc, bearer, move |svc, actor| svc.add_member(&actor, &slug, &input.email, input.role))
            .await?;
    Ok(HttpResponse::Created().json(added))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberChange {
    pub role: WorkspaceRole,
}

/// Changes a member's role; the last owner stays an owner (`409`).
#[utoipa::path(patch, path = "/api/v1/workspaces/{slug}/members/{user_id}", tag = "workspaces", operation_id = "change_member", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Workspace slug"), ("user_id" = i64, Path, description = "The member's user id")), request_body = MemberChange,
    responses((status = 200, body = MemberView), (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn change_member(
    bearer: Bearer,
    svc: web::Data<Service>,
    path: web::Path<(String, i64)>,
    input: JsonObject<MemberChange>,
) -> Result<web::Json<MemberView>, ApiError> {
    let ((slug, user_id), role) = (path.into_inner(), input.into_inner().role);
    Ok(web::Json(
        run_as(svc, bearer, move |svc, actor| svc.change_member(&actor, &slug, user_id, role)).await?,
    ))
}

/// Ends a membership (owners, a site administrator, or the member themselves); the last owner
/// cannot leave (`409`).
#[utoipa::path(delete, path = "/api/v1/workspaces/{slug}/members/{user_id}", tag = "workspaces", operation_id = "remove_member", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Workspace slug"), ("user_id" = i64, Path, description = "The member's user id")),
    responses((status = 204), (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn remove_member(
    bearer: Bearer,
    svc: web::Data<Service>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (slug, user_id) = path.into_inner();
    run_as(svc, bearer, move |svc, actor| svc.remove_member(&actor, &slug, user_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The workspace's own contacts for bodies.
#[utoipa::path(get, path = "/api/v1/workspaces/{slug}/contacts", tag = "workspaces", operation_id = "list_contacts", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Workspace slug")),
    responses((status = 200, body = Vec<ContactView>), (status = 404, response = NotFound)))]
pub async fn contacts(
    bearer: Bearer,
    svc: web::Data<Service>,
    slug: web::Path<String>,
) -> Result<web::Json<Vec<ContactView>>, ApiError> {
    let slug = slug.into_inner();
    Ok(web::Json(run_as(svc, bearer, move |svc, actor| svc.list_contacts(&actor, &slug)).await?))
}

/// Sets the workspace's contact for a body (researchers and owners); with neither field, removes
/// it (`204`).
#[utoipa::path(put, path = "/api/v1/workspaces/{slug}/contacts/{authority_id}", tag = "workspaces", operation_id = "set_contact", security(("bearer" = [])),
    params(("slug" = String, Path, description = "Workspace slug"), ("authority_id" = i64, Path, description = "Public body id")), request_body = ContactInput,
    responses((status = 200, body = ContactView), (status = 204), (status = 403, response = Forbidden), (status = 404, response = NotFound), (status = 409, response = Conflict)))]
pub async fn set_contact(
    bearer: Bearer,
    svc: web::Data<Service>,
    path: web::Path<(String, i64)>,
    input: JsonObject<ContactInput>,
) -> Result<HttpResponse, ApiError> {
    let ((slug, authority_id), input) = (path.into_inner(), input.into_inner());
    let set =
        run_as(svc, bearer, move |svc, actor| svc.set_contact(&actor, &slug, authority_id, input)).await?;
    Ok(match set {
        Some(contact) => HttpResponse::Ok().json(contact),
        None => HttpResponse::NoContent().finish(),
    })
}
