//! `/deadlines`: the deadline calculator, as a form that works without JavaScript.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{PageError, day, html, session};
use crate::domain::london;
use crate::http::pages::session::Me;
use crate::service::deadlines::DeadlineQuery;
use crate::service::{Service, ServiceError};

#[derive(Template)]
#[template(path = "deadlines.html")]
struct CalculatorPage {
    signed_in_as: Option<Me>,
    /// Each regime's name and description.
    regimes: Vec<(String, String)>,
    regime: String,
    received: String,
    problem: Option<String>,
    answer: Option<Answer>,
}

struct Answer {
    due_on: String,
    day_one: String,
    days: u32,
    calendar_days: bool,
    very_overdue_on: String,
    /// Each day not counted, and why.
    skipped: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub struct CalculatorForm {
    regime: Option<String>,
    received: Option<String>,
}

pub async fn show(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    form: web::Query<CalculatorForm>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let form = form.into_inner();
    let regime = form.regime.filter(|r| !r.is_empty()).unwrap_or_else(|| "foia".into());
    let received = form.received.unwrap_or_default();
    let (asked, chosen) = (received.clone(), regime.clone());
    let (regimes, worked) = web::block(move || {
        let regimes = svc.list_regimes()?;
        let worked = match asked.trim() {
            "" => None,
            text => Some(match london::parse_date(text) {
                Ok(date) => {
                    svc.deadline(&DeadlineQuery { regime: Some(chosen), received: Some(date), days: None })
                }
                Err(why) => Err(ServiceError::invalid(why)),
            }),
        };
        Ok::<_, ServiceError>((regimes, worked))
    })
    .await??;
    let (answer, problem) = match worked {
        None => (None, None),
        Some(Ok(d)) => (
            Some(Answer {
                due_on: day(d.due_on),
                day_one: day(d.day_one),
                days: d.days,
                calendar_days: d.calendar_days,
                very_overdue_on: day(d.very_overdue_on),
                skipped: d.skipped.into_iter().map(|s| (day(s.date), s.reason)).collect(),
            }),
            None,
        ),
        Some(Err(ServiceError::Invalid { detail, fields })) => {
            let why = fields.into_iter().map(|f| f.message).collect::<Vec<_>>().join("; ");
            (None, Some(if why.is_empty() { detail } else { why }))
        }
        Some(Err(e)) => return Err(e.into()),
    };
    let refused = problem.is_some();
    let mut response = html(CalculatorPage {
        signed_in_as: Some(Me::of(&session, &actor)),
        regimes: regimes.into_iter().map(|r| (r.name, r.description)).collect(),
        regime,
        received,
        problem,
        answer,
    })?;
    if refused {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}
