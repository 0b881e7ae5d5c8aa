//! `/requests/{id}`: one request's whole story: its facts, how its deadline was worked out with
//! every day not counted, and its timeline of events, mail sent and replies; with the forms to
//! classify a reply and to record an event (`actions`).

mod actions;

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::NaiveDate;

use super::{PageError, day, html, session, words};
use crate::domain::event::EventKind;
use crate::domain::inbound::suggest::Classification;
use crate::domain::inbound::{Extraction, Outcome};
use crate::domain::london;
use crate::domain::vocab::Outcome as ResponseOutcome;
use crate::http::pages::session::Me;
use crate::service::{Actor, Service, ServiceError};

pub use actions::{classify, record};

#[derive(Template)]
#[template(path = "request.html")]
struct RequestPage {
    signed_in_as: Option<Me>,
    id: i64,
    campaign: Option<i64>,
    reference: String,
    body: String,
    status: String,
    regime: String,
    sent_on: String,
    received_on: String,
    due_on: String,
    very_overdue_on: String,
    /// Each step of the clock: what happened, on which day, and what it did.
    steps: Vec<(String, String, String)>,
    skipped: Vec<(String, String)>,
    /// Oldest first.
    timeline: Vec<Happening>,
    /// The request is in a campaign being coded, with a reply to code.
    codable: bool,
    /// Replies no one has classified yet, each with its form.
    to_classify: Vec<ClassifyForm>,
    /// Events that may be retracted: id, what, when.
    retractable: Vec<(i64, String, String)>,
    /// The kinds of event the form records, as stored and in words.
    kinds: Vec<(&'static str, String)>,
    outcomes: Vec<(&'static str, String)>,
    done: Option<String>,
    problem: Option<String>,
    /// What was typed in the event form, kept when it comes back with a problem.
    typed: actions::EventForm,
}

struct ClassifyForm {
    message: i64,
    subject: String,
    /// Classification, in words, and whether it is the suggested one.
    choices: Vec<(&'static str, String, bool)>,
    /// The suggestion's words, in their sentence.
    because: Option<(String, String)>,
    exemptions: String,
}

struct Happening {
    on: String,
    what: String,
    detail: String,
    /// A reply's own words.
    text: String,
    /// A reply's attachments: where to download each, and its name with what was read of it.
    files: Vec<(String, String)>,
}

pub async fn show(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let mut page = render(&svc, &session, actor, id.into_inner()).await?;
    page.done = session::flashed(&session);
    html(page)
}

/// The page of a request as the actor sees it now.
async fn render(
    svc: &web::Data<Service>,
    session: &Session,
    actor: Actor,
    id: i64,
) -> Result<RequestPage, PageError> {
    let me = Me::of(session, &actor);
    let today = london::today();
    let svc = svc.clone();
    let (detail, clock, codable) = web::block(move || {
        let detail = svc.request(&actor, id, today)?;
        let clock = svc.request_deadline(&actor, id, today)?;
        // A reply is coded once its campaign has a coding plan; before, the link would lead to
        // a refusal.
        let replied = detail.incoming.iter().any(|m| m.outcome == Outcome::Response);
        let codable = match detail.request.campaign_id {
            Some(campaign) if replied => svc.has_coding_plan(&actor, campaign)?,
            _ => false,
        };
        Ok::<_, ServiceError>((detail, clock, codable))
    })
    .await??;
    let date = |d: Option<NaiveDate>| d.map(day).unwrap_or_else(|| "not yet".into());
    let mut timeline: Vec<(NaiveDate, Happening)> = Vec::new();
    let happening = |on: NaiveDate, what: String, detail: String| Happening {
        on: day(on),
        what,
        detail,
        text: String::new(),
        files: Vec::new(),
    };
    for e in &detail.events {
        let what = words(&e.kind.to_string());
        let note = e.note.clone().unwrap_or_default();
        let retracted = if e.retracted_by.is_some() { " (retracted)" } else { "" };
        timeline.push((e.occurred_on, happening(e.occurred_on, format!("{what}{retracted}"), note)));
    }
    for m in &detail.outgoing {
        let on = london::london_date(m.sent_at.unwrap_or(m.next_attempt_at));
        let what = format!("Mail to {} ({})", m.to, words(&m.state));
        timeline.push((on, happening(on, what, m.subject.clone())));
    }
    for m in &detail.incoming {
        let on = london::london_date(m.received_at);
        let from = m.from.clone().unwrap_or_else(|| "an unknown sender".into());
        let what = format!("Reply from {from} ({})", words(&m.outcome.to_string()));
        let files = m
            .attachments
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let name = a.filename.clone().unwrap_or_else(|| format!("attachment {i}"));
                let read = match a.extraction {
                    Extraction::Ok => format!("{} characters of text", a.text_chars),
                    other => format!("text {}", words(&other.to_string())),
                };
                (
                    format!("/requests/{id}/attachments/{}/{i}", m.id),
                    format!("{name} ({}, {read})", a.content_type),
                )
            })
            .collect();
        let mut row = happening(on, what, m.subject.clone());
        row.text = m.text.clone();
        row.files = files;
        timeline.push((on, row));
    }
    timeline.sort_by_key(|t| t.0);
    let to_classify = detail
        .incoming
        .iter()
        .filter(|m| {
            matches!(m.outcome, Outcome::Response | Outcome::Acknowledgement) && m.classification.is_none()
        })
        .map(|m| {
            let suggested = m.suggestion.as_ref().map(|s| &s.suggestion);
            ClassifyForm {
                message: m.id,
                subject: m.subject.clone(),
                choices: Classification::ALL
                    .iter()
                    .map(|c| {
                        (c.as_str(), words(c.as_str()), suggested.is_some_and(|s| s.classification == *c))
                    })
                    .collect(),
                because: suggested.map(|s| (s.phrase.clone(), s.context.clone())),
                exemptions: suggested.map(|s| s.exemptions.join(", ")).unwrap_or_default(),
            }
        })
        .collect();
    let retractable = detail
        .events
        .iter()
        .filter(|e| e.retracted_by.is_none() && e.kind != EventKind::Retraction)
        .map(|e| (e.id, words(&e.kind.to_string()), day(e.occurred_on)))
        .collect();
    let r = detail.request;
    Ok(RequestPage {
        signed_in_as: Some(me),
        id,
        campaign: r.campaign_id,
        reference: r.reference,
        body: r.authority.name,
        status: words(&r.status.to_string()),
        regime: r.regime,
        sent_on: date(r.sent_on),
        received_on: date(r.received_on),
        due_on: date(r.due_on),
        very_overdue_on: date(r.very_overdue_on),
        steps: clock.steps.into_iter().map(|s| (words(&s.kind.to_string()), day(s.on), s.effect)).collect(),
        skipped: clock.skipped.into_iter().map(|s| (day(s.date), s.reason)).collect(),
        timeline: timeline.into_iter().map(|(_, h)| h).collect(),
        codable,
        to_classify,
        retractable,
        kinds: actions::RECORDABLE.iter().map(|k| (k.as_str(), words(k.as_str()))).collect(),
        outcomes: ResponseOutcome::ALL.iter().map(|o| (o.as_str(), words(o.as_str()))).collect(),
        done: None,
        problem: None,
        typed: actions::EventForm::default(),
    })
}
