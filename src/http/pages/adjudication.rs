//! `/campaigns/{id}/disagreements`: the questions on which coders disagree, each answer beside
//! the others with its evidence, and a form to decide the final answer with a rationale.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::coding::{Choice, Given, Posted, choices, given, input_of};
use super::{PageError, html, session};
use crate::http::pages::session::Me;
use crate::service::codings::{AdjudicationInput, AdjudicationSheet};
use crate::service::{Actor, Service};

#[derive(Template)]
#[template(path = "disagreements.html")]
struct DisagreementsPage {
    signed_in_as: Option<Me>,
    campaign: i64,
    title: String,
    items: Vec<Item>,
    /// What was just decided, once.
    said: Option<String>,
    problems: Vec<String>,
}

struct Item {
    request: i64,
    reference: String,
    question: String,
    label: String,
    input: &'static str,
    choices: Vec<Choice>,
    answers: Vec<Given>,
}

pub async fn list(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let me = Me::of(&session, &actor);
    let sheet = sheet(&svc, actor, id.into_inner()).await?;
    html(page(me, sheet, session::flashed(&session), Vec::new()))
}

/// Records a decision and goes back to the list; a refused one shows the list again with why.
pub async fn decide(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let (request, me) = (id.into_inner(), Me::of(&session, &actor));
    let posted = Posted::parse(&body);
    let number = match posted.filled("number").map(str::parse::<f64>) {
        None => Ok(None),
        Some(Ok(n)) if n.is_finite() => Ok(Some(n)),
        Some(_) => Err("the final answer must be a number, such as 12".to_string()),
    };
    let campaign: Option<i64> = posted.first("campaign").and_then(|c| c.parse().ok());
    let problem = match number {
        Err(problem) => problem,
        Ok(number) => {
            let input = AdjudicationInput {
                question: posted.first("question").unwrap_or_default().to_string(),
                codes: posted
                    .first("codes")
                    .is_some()
                    .then(|| posted.values("codes").filter(|c| !c.is_empty()).map(str::to_string).collect()),
                number,
                text: posted.filled("text").map(str::to_string),
                rationale: posted.first("rationale").unwrap_or_default().to_string(),
            };
            let (svc2, actor2) = (svc.clone(), actor.clone());
            match web::block(move || svc2.adjudicate(&actor2, request, input)).await? {
                Ok(decided) => {
                    session::flash(&session, &format!("The decision on {} is recorded.", decided.reference))?;
                    let to = format!("/campaigns/{}/disagreements", decided.campaign);
                    return Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish());
                }
                Err(e) => PageError::on_form(e)?,
            }
        }
    };
    let Some(campaign) = campaign else {
        return Err(PageError::refused(StatusCode::UNPROCESSABLE_ENTITY, problem));
    };
    let sheet = sheet(&svc, actor, campaign).await?;
    let mut response = html(page(me, sheet, None, vec![problem]))?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

async fn sheet(
    svc: &web::Data<Service>,
    actor: Actor,
    campaign: i64,
) -> Result<AdjudicationSheet, PageError> {
    let svc = svc.clone();
    Ok(web::block(move || svc.adjudication_sheet(&actor, campaign)).await??)
}

fn page(me: Me, sheet: AdjudicationSheet, said: Option<String>, problems: Vec<String>) -> DisagreementsPage {
    let book = &sheet.codebook;
    let items = sheet
        .disagreements
        .iter()
        .filter_map(|d| {
            let q = book.question(&d.question)?;
            Some(Item {
                request: d.request,
                reference: d.reference.clone(),
                question: d.question.clone(),
                label: q.label.clone(),
                input: input_of(q),
                choices: choices(q, &[]),
                answers: d.answers.iter().map(|c| given(book, q, c)).collect(),
            })
        })
        .collect();
    DisagreementsPage {
        signed_in_as: Some(me),
        campaign: sheet.campaign,
        title: sheet.campaign_title,
        items,
        said,
        problems,
    }
}
