//! `/workspaces`: the teams a user works in, the switcher that narrows the pages to one of them,
//! and each workspace's members, which its owners (and site administrators) manage.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::session::{self, Me};
use super::{PageError, chosen, day, html, see_other};
use crate::domain::vocab::WorkspaceRole;
use crate::service::workspaces::NewWorkspaceInput;
use crate::service::{Actor, Service};

#[derive(Template)]
#[template(path = "workspaces.html")]
struct WorkspacesPage {
    signed_in_as: Option<Me>,
    said: Option<String>,
    problem: Option<String>,
    /// Slug, name, the user's role (empty if none), archived.
    rows: Vec<(String, String, String, bool)>,
    /// Site administrators create workspaces.
    may_create: bool,
    typed: NewWorkspaceForm,
}

#[derive(Template)]
#[template(path = "members.html")]
struct MembersPage {
    signed_in_as: Option<Me>,
    said: Option<String>,
    problem: Option<String>,
    slug: String,
    name: String,
    archived: bool,
    /// Owners and site administrators see the forms.
    may_manage: bool,
    /// The signed-in user's own id, for the button that leaves.
    me_id: i64,
    members: Vec<Member>,
    roles: Vec<&'static str>,
}

struct Member {
    user_id: i64,
    name: String,
    email: String,
    role: &'static str,
    added: String,
}

#[derive(Deserialize, Default)]
pub struct NewWorkspaceForm {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    owner: String,
}

#[derive(Deserialize)]
pub struct SwitchForm {
    #[serde(default)]
    workspace: String,
}

#[derive(Deserialize)]
pub struct MemberForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

pub async fn list(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let said = session::flashed(&session);
    html(workspaces_page(&svc, &session, actor, said, None, NewWorkspaceForm::default()).await?)
}

pub async fn create(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    form: web::Form<NewWorkspaceForm>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let typed = form.into_inner();
    let input =
        NewWorkspaceInput { slug: typed.slug.clone(), name: typed.name.clone(), owner: typed.owner.clone() };
    let (service, by) = (svc.clone(), actor.clone());
    match web::block(move || service.create_workspace(&by, input)).await? {
        Ok(made) => {
            session::flash(&session, &format!("The workspace {} ({}) is ready.", made.name, made.slug))?;
            Ok(see_other("/workspaces"))
        }
        Err(e) => {
            let problem = PageError::on_form(e)?;
            let mut response =
                html(workspaces_page(&svc, &session, actor, None, Some(problem), typed).await?)?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

/// Narrows the lists to one workspace, or (with none named) widens them to all.
pub async fn switch(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    form: web::Form<SwitchForm>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let slug = form.into_inner().workspace;
    let chosen = match slug.trim() {
        "" => None,
        slug => Some(actor.named(slug)?.workspace.clone()),
    };
    session::work_in(&session, chosen.as_deref())?;
    Ok(see_other("/"))
}

pub async fn members(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let said = session::flashed(&session);
    html(members_page(&svc, &session, actor, slug.into_inner(), said, None).await?)
}

pub async fn add_member(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    slug: web::Path<String>,
    form: web::Form<MemberForm>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let slug = slug.into_inner();
    let MemberForm { email, role } = form.into_inner();
    let (service, by, at) = (svc.clone(), actor.clone(), slug.clone());
    let done = web::block(move || {
        let role = chosen("role", &role)?;
        service.add_member(&by, &at, &email, role)
    })
    .await?
    .map(|m| format!("{} joined as {}.", m.email, m.role));
    settle(&svc, &session, actor, slug, done).await
}

pub async fn change_member(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    path: web::Path<(String, i64)>,
    form: web::Form<MemberForm>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let (slug, user_id) = path.into_inner();
    let role = form.into_inner().role;
    let (service, by, at) = (svc.clone(), actor.clone(), slug.clone());
    let done = web::block(move || service.change_member(&by, &at, user_id, chosen("role", &role)?))
        .await?
        .map(|m| format!("{} is now {}.", m.email, m.role));
    settle(&svc, &session, actor, slug, done).await
}

pub async fn remove_member(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    path: web::Path<(String, i64)>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let (slug, user_id) = path.into_inner();
    let (service, by, at) = (svc.clone(), actor.clone(), slug.clone());
    let left = user_id == actor.user_id;
    let done = web::block(move || service.remove_member(&by, &at, user_id)).await?;
    if left && done.is_ok() {
        session::flash(&session, &format!("You have left the workspace {slug}."))?;
        return Ok(see_other("/workspaces"));
    }
    settle(&svc, &session, actor, slug, done.map(|()| "The member was removed.".to_string())).await
}

/// After a change to the members: back to their page saying what was done, or the page again
/// saying why nothing was.
async fn settle(
    svc: &web::Data<Service>,
    session: &Session,
    actor: Actor,
    slug: String,
    done: crate::service::ServiceResult<String>,
) -> Result<HttpResponse, PageError> {
    match done {
        Ok(said) => {
            session::flash(session, &said)?;
            Ok(see_other(&format!("/workspaces/{slug}/members")))
        }
        Err(e) => {
            let problem = PageError::on_form(e)?;
            let mut response = html(members_page(svc, session, actor, slug, None, Some(problem)).await?)?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

async fn workspaces_page(
    svc: &web::Data<Service>,
    session: &Session,
    actor: Actor,
    said: Option<String>,
    problem: Option<String>,
    typed: NewWorkspaceForm,
) -> Result<WorkspacesPage, PageError> {
    let me = Me::of(session, &actor);
    let may_create = actor.role.can_manage_users();
    let svc = svc.clone();
    let found = web::block(move || svc.list_workspaces(&actor)).await??;
    let rows = found
        .into_iter()
        .map(|w| {
            (w.slug, w.name, w.role.map_or("", WorkspaceRole::as_str).to_string(), w.archived_at.is_some())
        })
        .collect();
    Ok(WorkspacesPage { signed_in_as: Some(me), said, problem, rows, may_create, typed })
}

async fn members_page(
    svc: &web::Data<Service>,
    session: &Session,
    actor: Actor,
    slug: String,
    said: Option<String>,
    problem: Option<String>,
) -> Result<MembersPage, PageError> {
    let me = Me::of(session, &actor);
    let me_id = actor.user_id;
    let admin = actor.role.can_manage_users();
    let svc = svc.clone();
    let (workspace, found) = web::block(move || {
        let workspace = svc.workspace(&actor, &slug)?;
        let found = svc.list_members(&actor, &slug)?;
        Ok::<_, crate::service::ServiceError>((workspace, found))
    })
    .await??;
    let may_manage = admin || workspace.role.is_some_and(WorkspaceRole::can_manage_members);
    let members = found
        .into_iter()
        .map(|m| Member {
            user_id: m.user_id,
            name: m.name,
            email: m.email,
            role: m.role.as_str(),
            added: day(crate::domain::london::london_date(m.added_at)),
        })
        .collect();
    Ok(MembersPage {
        signed_in_as: Some(me),
        said,
        problem,
        slug: workspace.slug,
        name: workspace.name,
        archived: workspace.archived_at.is_some(),
        may_manage,
        me_id,
        members,
        roles: WorkspaceRole::ALL.iter().map(|r| r.as_str()).collect(),
    })
}
