//! `/holding-pen`: the replies that matched no request, with where each may belong and why.
//! A researcher assigns one to a suggested request, or to a request by its reference, or sets
//! it aside with a reason.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{PageError, day, html, session, words};
use crate::domain::london;
use crate::http::pages::session::Me;
use crate::service::ingest::pen::{AssignInput, DiscardInput, PenMessage};
use crate::service::{Actor, Page, Paging, Service, ServiceError, ServiceResult};

/// Messages shown at once.
const PER_PAGE: u32 = 25;

#[derive(Template)]
#[template(path = "pen.html")]
struct PenPage {
    signed_in_as: Option<Me>,
    total: i64,
    rows: Vec<Waiting>,
    done: Option<String>,
    problem: Option<String>,
    previous: Option<u32>,
    next: Option<u32>,
}

struct Waiting {
    id: i64,
    received: String,
    from: String,
    subject: String,
    kind: String,
    site_wide: bool,
    preview: String,
    /// Request id, reference, and why.
    suggestions: Vec<(i64, String, String)>,
}

#[derive(Deserialize)]
pub struct PenQuery {
    page: Option<u32>,
}

pub async fn list(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    q: web::Query<PenQuery>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let done = session::flashed(&session);
    html(page(&svc, &session, actor, q.into_inner().page.unwrap_or(1).max(1), done, None).await?)
}

#[derive(Deserialize)]
pub struct AssignForm {
    /// A suggested request's id, from its button.
    request_id: Option<i64>,
    /// Or a request's reference, typed.
    #[serde(default)]
    reference: String,
}

pub async fn assign(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    form: web::Form<AssignForm>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let (id, form) = (id.into_inner(), form.into_inner());
    let (svc2, actor2) = (svc.clone(), actor.clone());
    let done = web::block(move || {
        let request_id = match form.request_id {
            Some(r) => r,
            None => by_reference(&svc2, &actor2, form.reference.trim())?,
        };
        svc2.assign_message(&actor2, id, AssignInput { request_id })?;
        // Not the reply's subject: a stranger's words, of any length, do not go in the session.
        Ok::<_, ServiceError>("The reply is now on its request.".to_string())
    })
    .await?;
    after(&svc, &session, actor, done).await
}

#[derive(Deserialize)]
pub struct DiscardForm {
    #[serde(default)]
    reason: String,
}

pub async fn discard(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    form: web::Form<DiscardForm>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let (id, reason) = (id.into_inner(), form.into_inner().reason);
    let (svc2, actor2) = (svc.clone(), actor.clone());
    let done = web::block(move || {
        svc2.discard_message(&actor2, id, DiscardInput { reason })?;
        Ok::<_, ServiceError>("The reply is set aside.".to_string())
    })
    .await?;
    after(&svc, &session, actor, done).await
}

/// Back to the pen saying what was done, or the pen again saying why nothing was.
async fn after(
    svc: &web::Data<Service>,
    session: &Session,
    actor: Actor,
    done: ServiceResult<String>,
) -> Result<HttpResponse, PageError> {
    let problem = match done {
        Ok(said) => {
            session::flash(session, &said)?;
            return Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, "/holding-pen")).finish());
        }
        Err(ServiceError::Invalid { detail, .. }) => detail,
        // A reply no longer waiting, or not the actor's to see, is a 404 as everywhere.
        Err(e) => return Err(e.into()),
    };
    let mut response = html(page(svc, session, actor, 1, None, Some(problem)).await?)?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

/// The request with exactly this reference among the actor's.
fn by_reference(svc: &Service, actor: &Actor, reference: &str) -> ServiceResult<i64> {
    if reference.is_empty() {
        return Err(ServiceError::invalid("Give the reference of the request the reply answers."));
    }
    match svc.find_request_id(actor, reference) {
        Err(ServiceError::NotFound(_)) => {
            Err(ServiceError::invalid(format!("No request of yours has the reference {reference}.")))
        }
        found => found,
    }
}

async fn page(
    svc: &web::Data<Service>,
    session: &Session,
    actor: Actor,
    number: u32,
    done: Option<String>,
    problem: Option<String>,
) -> Result<PenPage, PageError> {
    let me = Me::of(session, &actor);
    let actor = session::narrowed(session, actor);
    let svc = svc.clone();
    let waiting: Page<PenMessage> =
        web::block(move || svc.holding_pen(&actor, None, Paging::new(Some(number), Some(PER_PAGE))?))
            .await??;
    let more = i64::from(number) * i64::from(PER_PAGE) < waiting.total;
    Ok(PenPage {
        signed_in_as: Some(me),
        total: waiting.total,
        rows: waiting
            .items
            .into_iter()
            .map(|m| Waiting {
                id: m.id,
                received: day(london::london_date(m.received_at)),
                from: m.from.unwrap_or_else(|| "an unknown sender".into()),
                subject: m.subject,
                kind: words(&m.outcome.to_string()),
                site_wide: m.in_site_pen,
                preview: m.preview,
                suggestions: m
                    .suggestions
                    .into_iter()
                    .map(|s| (s.request_id, s.reference, s.reason))
                    .collect(),
            })
            .collect(),
        done,
        problem,
        previous: (number > 1).then(|| number - 1),
        next: more.then_some(number + 1),
    })
}
