//! `/requests/{id}/code`: the coding workspace. The reply and its attachments' text on the left,
//! the codebook on the right; a coder selects a passage and presses E to attach it as evidence
//! to the question in hand (`static/app.js`), or types it; without JavaScript the form still
//! codes. Blind double coding is the service's: the page shows what the sheet lets it.

pub mod form;
mod view;

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};

use super::{PageError, html, session};
use crate::http::pages::session::Me;
use crate::service::codings::SubmitCodings;
use crate::service::{FieldError, Service, ServiceError};
pub use form::Posted;
pub use view::{Choice, Given, choices, given, input_of};

pub async fn show(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let (id, me) = (id.into_inner(), Me::of(&session, &actor));
    let sheet = web::block(move || svc.coding_sheet(&actor, id)).await??;
    let mut page = view::page(me, sheet, &Posted::default(), Vec::new());
    page.saved = session::flashed(&session);
    html(page)
}

/// Stores the answers given, all or none, and shows the sheet again; a form with problems comes
/// back as it was posted, with each problem named.
pub async fn submit(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let (id, me) = (id.into_inner(), Me::of(&session, &actor));
    let posted = Posted::parse(&body);
    let svc2 = svc.clone();
    let actor2 = actor.clone();
    let sheet = web::block(move || svc2.coding_sheet(&actor2, id)).await??;
    let problems = match form::answers(&sheet.codebook, &posted) {
        Err(problems) => problems,
        Ok(answers) if answers.is_empty() => vec!["Answer at least one question before saving.".into()],
        Ok(answers) => {
            let asked: Vec<String> = answers.iter().map(|a| a.question.clone()).collect();
            match web::block(move || svc.submit_codings(&actor, id, SubmitCodings { answers })).await? {
                Ok(_) => {
                    session::flash(&session, "Your answers are saved.")?;
                    let to = format!("/requests/{id}/code");
                    return Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish());
                }
                Err(ServiceError::Invalid { fields, detail }) => {
                    named(&sheet.codebook, &asked, fields, detail)
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    let page = view::page(me, sheet, &posted, problems);
    let mut response = html(page)?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

/// The service's field errors (`answers[2].evidence[0]`) named by the question's label.
fn named(
    book: &crate::domain::codebook::Codebook,
    asked: &[String],
    fields: Vec<FieldError>,
    detail: String,
) -> Vec<String> {
    if fields.is_empty() {
        return vec![detail];
    }
    fields
        .into_iter()
        .map(|f| {
            let index =
                f.field.strip_prefix("answers[").and_then(|r| r.split(']').next()?.parse::<usize>().ok());
            let label = index
                .and_then(|i| asked.get(i))
                .and_then(|key| book.question(key))
                .map_or(f.field.clone(), |q| q.label.clone());
            let evidence = if f.field.contains("evidence") { " (evidence)" } else { "" };
            format!("{label}{evidence}: {}", f.message)
        })
        .collect()
}
