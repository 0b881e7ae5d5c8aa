//! A campaign's bulk actions: log the ticked requests (or every unsent one) as sent, queue them
//! to be sent by email, and turn chasers to late bodies on or off. Each says what it did, and
//! what it left alone, on the campaign's page.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::domain::london;
use crate::http::pages::coding::Posted;
use crate::http::pages::{PageError, session};
use crate::service::outbox::SendInput;
use crate::service::timeline::BulkSentInput;
use crate::service::{Service, ServiceResult};

/// The ticked requests, or `None` for every one the action applies to when "all" is ticked;
/// nothing ticked is a mistake, never everything.
fn ticked(posted: &Posted) -> Result<Option<Vec<i64>>, String> {
    let ids: Vec<i64> = posted
        .values("request")
        .map(|v| v.parse().map_err(|_| format!("\"{v}\" is not a request")))
        .collect::<Result<_, _>>()?;
    match (ids.is_empty(), posted.first("all").is_some()) {
        (false, false) => Ok(Some(ids)),
        (true, true) => Ok(None),
        (false, true) => {
            Err("tick either some requests or \"every request of the campaign\", not both".into())
        }
        (true, false) => Err("tick the requests to act on, or \"every request of the campaign\"".into()),
    }
}

pub async fn log_sent(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let (id, posted) = (id.into_inner(), Posted::parse(&body));
    let said = match ticked(&posted) {
        Err(e) => Err(e),
        Ok(request_ids) => {
            let input = BulkSentInput {
                sent_at: sent_at(posted.filled("sent_at")),
                channel: None,
                note: None,
                received_on: None,
                request_ids,
            };
            told(web::block(move || svc.log_campaign_sent(&actor, id, input)).await?, |s| {
                format!(
                    "Logged {} request(s) as sent; {} left as they were.",
                    s.logged.len(),
                    s.skipped.len()
                )
            })?
        }
    };
    back(&session, id, said)
}

pub async fn send(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let (id, posted) = (id.into_inner(), Posted::parse(&body));
    let said = match ticked(&posted) {
        Err(e) => Err(e),
        Ok(only) => {
            let input = SendInput { dry_run: false, rate_per_minute: None, only };
            told(web::block(move || svc.send_campaign(&actor, id, input)).await?, |s| {
                format!(
                    "Queued {} message(s) to send; {} body(ies) have no email address; {} left as they were.",
                    s.queued.len(),
                    s.no_email.len(),
                    s.skipped.len()
                )
            })?
        }
    };
    back(&session, id, said)
}

pub async fn chase(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    body: web::Bytes,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let (id, posted) = (id.into_inner(), Posted::parse(&body));
    let enabled = posted.first("enabled") == Some("yes");
    let said = told(web::block(move || svc.set_chasers(&actor, id, enabled, None)).await?, |()| {
        if enabled { "Late bodies will be chased." } else { "Late bodies will not be chased." }.to_string()
    })?;
    back(&session, id, said)
}

/// What an action did, or why it did nothing; anything else is the page's error.
fn told<T>(
    done: ServiceResult<T>,
    say: impl FnOnce(T) -> String,
) -> Result<Result<String, String>, PageError> {
    match done {
        Ok(t) => Ok(Ok(say(t))),
        Err(e) => PageError::on_form(e).map(Err),
    }
}

/// When the requests were sent: as given, or now for today or a blank. A date alone is read as
/// midday in London, which this morning is still to come.
fn sent_at(given: Option<&str>) -> String {
    let today = london::today().to_string();
    match given {
        Some(day) if day != today => day.to_string(),
        _ => chrono::Utc::now().to_rfc3339(),
    }
}

/// Back to the campaign's page, which says what happened, or why nothing did.
fn back(session: &Session, id: i64, said: Result<String, String>) -> Result<HttpResponse, PageError> {
    let line = match said {
        Ok(done) => done,
        Err(problem) => format!("Nothing was done: {problem}"),
    };
    session::flash(session, &line)?;
    Ok(HttpResponse::SeeOther().insert_header((header::LOCATION, format!("/campaigns/{id}"))).finish())
}
