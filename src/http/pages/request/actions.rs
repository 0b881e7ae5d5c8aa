//! The request page's forms: classify a reply (the suggestion ticked in advance), record an
//! event, retract one. Each goes through the same service call as the API; a refused form comes
//! back on the page with why, and what was typed.

use actix_session::Session;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::Deserialize;

use super::render;
use crate::domain::event::EventKind;
use crate::domain::inbound::suggest::Classification;
use crate::domain::vocab::Outcome;
use crate::http::pages::{PageError, html, session, words};
use crate::service::ingest::classify::ClassifyInput;
use crate::service::timeline::EventInput;
use crate::service::{Actor, Service};

/// The events a researcher records by hand here: not the sending (a campaign's send or "log as
/// sent" records it), nor what foitrack records itself.
pub const RECORDABLE: &[EventKind] = &[
    EventKind::Acknowledged,
    EventKind::ClarificationRequested,
    EventKind::ClarificationSent,
    EventKind::FeeNoticeGiven,
    EventKind::FeePaid,
    EventKind::ExtensionClaimed,
    EventKind::ResponseReceived,
    EventKind::InternalReviewRequested,
    EventKind::InternalReviewAnswered,
    EventKind::IcoComplaint,
    EventKind::Withdrawn,
    EventKind::Closed,
    EventKind::Note,
];

/// The event form as posted; every field text, read here so that a mistake is named.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct EventForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub occurred_on: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub body_reference: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub exemptions: String,
    #[serde(default)]
    pub new_due_on: String,
    /// Set by an event's "Retract" button.
    #[serde(default)]
    pub retracts: Option<i64>,
}

impl EventForm {
    fn input(&self) -> Result<EventInput, String> {
        let kind = match self.retracts {
            Some(_) => EventKind::Retraction,
            None => self.kind.parse::<EventKind>().map_err(|e| e.to_string())?,
        };
        Ok(EventInput {
            kind,
            occurred_on: date("the date", &self.occurred_on)?,
            note: filled(&self.note),
            body_reference: filled(&self.body_reference),
            outcome: filled(&self.outcome)
                .map(|o| o.parse::<Outcome>())
                .transpose()
                .map_err(|e| e.to_string())?,
            exemptions: list(&self.exemptions),
            new_due_on: date("the new due date", &self.new_due_on)?,
            retracts: self.retracts,
        })
    }
}

pub async fn record(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    form: web::Form<EventForm>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let (id, form) = (id.into_inner(), form.into_inner());
    let input = form.input();
    let (svc2, actor2) = (svc.clone(), actor.clone());
    let outcome = match input {
        Err(problem) => Err(problem),
        Ok(input) => match web::block(move || svc2.record_event(&actor2, id, input)).await? {
            Ok(e) => Ok(format!("Recorded: {} on {}.", words(e.kind.as_str()), e.occurred_on)),
            Err(e) => Err(PageError::on_form(e)?),
        },
    };
    answer(&svc, &session, actor, id, outcome, form).await
}

#[derive(Debug, Default, Deserialize)]
pub struct ClassifyForm {
    #[serde(default)]
    classification: String,
    #[serde(default)]
    occurred_on: String,
    #[serde(default)]
    exemptions: String,
    #[serde(default)]
    new_due_on: String,
    #[serde(default)]
    note: String,
}

pub async fn classify(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    path: web::Path<(i64, i64)>,
    form: web::Form<ClassifyForm>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let ((id, message), form) = (path.into_inner(), form.into_inner());
    let input = (|| {
        Ok::<_, String>(ClassifyInput {
            classification: match form.classification.as_str() {
                "" => return Err("Say what the reply is.".into()),
                c => c.parse::<Classification>().map_err(|e| e.to_string())?,
            },
            occurred_on: date("the date", &form.occurred_on)?,
            exemptions: list(&form.exemptions),
            new_due_on: date("the new due date", &form.new_due_on)?,
            note: filled(&form.note),
        })
    })();
    let (svc2, actor2) = (svc.clone(), actor.clone());
    let outcome = match input {
        Err(problem) => Err(problem),
        Ok(input) => match web::block(move || svc2.classify_reply(&actor2, id, message, input)).await? {
            Ok(c) => Ok(format!("The reply is classified: {}.", words(c.classification.as_str()))),
            Err(e) => Err(PageError::on_form(e)?),
        },
    };
    answer(&svc, &session, actor, id, outcome, EventForm::default()).await
}

/// Back to the request saying what was done, or the request again saying why nothing was.
async fn answer(
    svc: &web::Data<Service>,
    session: &Session,
    actor: Actor,
    id: i64,
    outcome: Result<String, String>,
    typed: EventForm,
) -> Result<HttpResponse, PageError> {
    match outcome {
        Ok(done) => {
            session::flash(session, &done)?;
            Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, format!("/requests/{id}"))).finish())
        }
        Err(problem) => {
            let mut page = render(svc, session, actor, id).await?;
            page.problem = Some(problem);
            page.typed = typed;
            let mut response = html(page)?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

fn filled(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Exemptions as typed: separated by commas or semicolons.
fn list(s: &str) -> Vec<String> {
    s.split([',', ';']).map(str::trim).filter(|e| !e.is_empty()).map(str::to_string).collect()
}

/// A date from a date field (`2021-12-06`); blank is none.
fn date(what: &str, s: &str) -> Result<Option<NaiveDate>, String> {
    match s.trim() {
        "" => Ok(None),
        d => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("\"{d}\" is not a date for {what}: write it as 2021-12-06")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_form_is_read_with_each_mistake_named() {
        let form = EventForm {
            kind: "response_received".into(),
            occurred_on: "2022-01-04".into(),
            outcome: "partial".into(),
            exemptions: "s.40(2); s.43 ,".into(),
            note: "  ".into(),
            ..EventForm::default()
        };
        let input = form.input().unwrap();
        assert_eq!((input.kind, input.outcome), (EventKind::ResponseReceived, Some(Outcome::Partial)));
        assert_eq!(input.exemptions, ["s.40(2)", "s.43"]);
        assert_eq!((input.occurred_on, input.note), (NaiveDate::from_ymd_opt(2022, 1, 4), None));
        let bad_date = EventForm { occurred_on: "4/1/2022".into(), ..form.clone() };
        assert!(bad_date.input().unwrap_err().contains("\"4/1/2022\" is not a date for the date"));
        let bad_kind = EventForm { kind: "party".into(), ..form.clone() };
        assert!(bad_kind.input().unwrap_err().contains("party"));
        let retract = EventForm { retracts: Some(7), kind: String::new(), ..EventForm::default() };
        assert_eq!(retract.input().unwrap().kind, EventKind::Retraction);
    }
}
