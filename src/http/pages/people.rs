//! `/users`: the site administrators' page of everyone who uses foitrack: add a person to a
//! workspace and mail them a link to choose a password, change a site role, send a new link.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::session::{self, Me};
use super::{PageError, chosen, html, see_other};
use crate::domain::vocab::Role;
use crate::service::{Actor, Service, ServiceError};

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    signed_in_as: Option<Me>,
    said: Option<String>,
    problem: Option<String>,
    people: Vec<Person>,
    /// Slug and name of every workspace, for the new person's.
    workspaces: Vec<(String, String)>,
    roles: Vec<&'static str>,
    typed: NewPersonForm,
}

struct Person {
    id: i64,
    name: String,
    email: String,
    role: &'static str,
    password_set: bool,
    /// "slug (role)" for each of their workspaces.
    workspaces: String,
}

#[derive(Deserialize)]
pub struct NewPersonForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    workspace: String,
    /// A ticked box sends `yes`; an unticked one sends nothing.
    #[serde(default)]
    send_link: Option<String>,
}

impl Default for NewPersonForm {
    fn default() -> Self {
        Self {
            email: String::new(),
            name: String::new(),
            role: Role::Researcher.as_str().into(),
            workspace: String::new(),
            send_link: Some("yes".into()),
        }
    }
}

#[derive(Deserialize)]
pub struct RoleForm {
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
    html(page(&svc, &session, actor, said, None, NewPersonForm::default()).await?)
}

pub async fn add(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    form: web::Form<NewPersonForm>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let typed = form.into_inner();
    let f = (typed.email.clone(), typed.name.clone(), typed.role.clone(), typed.workspace.clone());
    let send_link = typed.send_link.is_some();
    let (service, by) = (svc.clone(), actor.clone());
    let done = web::block(move || {
        let (email, name, role, workspace) = f;
        service.invite_user(&by, &email, &name, chosen("role", &role)?, &workspace, send_link)
    })
    .await?;
    match done {
        Ok(user) => {
            let link = if send_link { "; a link to choose a password is on its way to them" } else { "" };
            session::flash(&session, &format!("{} can now use foitrack{link}.", user.email))?;
            Ok(see_other("/users"))
        }
        Err(e) => refused(&svc, &session, actor, e, typed).await,
    }
}

pub async fn change_role(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let (user_id, role) = (id.into_inner(), form.into_inner().role);
    let (service, by) = (svc.clone(), actor.clone());
    let done = web::block(move || service.change_site_role(&by, user_id, chosen("role", &role)?)).await?;
    match done {
        Ok(user) => {
            session::flash(&session, &format!("{} is now {} for the site.", user.email, user.role))?;
            Ok(see_other("/users"))
        }
        Err(e) => refused(&svc, &session, actor, e, NewPersonForm::default()).await,
    }
}

pub async fn send_link(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let user_id = id.into_inner();
    let (service, by) = (svc.clone(), actor.clone());
    match web::block(move || service.send_password_link(&by, user_id)).await? {
        Ok(email) => {
            session::flash(&session, &format!("A link to choose a password is on its way to {email}."))?;
            Ok(see_other("/users"))
        }
        Err(e) => refused(&svc, &session, actor, e, NewPersonForm::default()).await,
    }
}

/// The page again, saying why nothing was done, with what was typed.
async fn refused(
    svc: &web::Data<Service>,
    session: &Session,
    actor: Actor,
    e: ServiceError,
    typed: NewPersonForm,
) -> Result<HttpResponse, PageError> {
    let problem = PageError::on_form(e)?;
    let mut response = html(page(svc, session, actor, None, Some(problem), typed).await?)?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

async fn page(
    svc: &web::Data<Service>,
    session: &Session,
    actor: Actor,
    said: Option<String>,
    problem: Option<String>,
    typed: NewPersonForm,
) -> Result<PeoplePage, PageError> {
    let me = Me::of(session, &actor);
    let svc = svc.clone();
    let (accounts, spaces) =
        web::block(move || Ok::<_, ServiceError>((svc.accounts(&actor)?, svc.list_workspaces(&actor)?)))
            .await??;
    let people = accounts
        .into_iter()
        .map(|a| Person {
            id: a.user.id,
            name: a.user.name,
            email: a.user.email,
            role: a.user.role.as_str(),
            password_set: a.password_set,
            workspaces: a
                .workspaces
                .iter()
                .map(|(slug, role)| format!("{slug} ({role})"))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect();
    let workspaces =
        spaces.into_iter().filter(|w| w.archived_at.is_none()).map(|w| (w.slug, w.name)).collect();
    Ok(PeoplePage {
        signed_in_as: Some(me),
        said,
        problem,
        people,
        workspaces,
        roles: Role::ALL.iter().map(|r| r.as_str()).collect(),
        typed,
    })
}
