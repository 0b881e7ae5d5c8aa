//! `/search`: words across the replies and attachments of your workspaces, best first, each
//! hit with its passage and the matched words highlighted.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::passages::{Piece, marked};
use super::{PageError, day, html, session};
use crate::domain::london;
use crate::http::pages::session::Me;
use crate::service::search::SearchQuery;
use crate::service::{Service, ServiceError};

/// Hits shown at once.
const PER_PAGE: u32 = 20;

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    signed_in_as: Option<Me>,
    q: String,
    searched: bool,
    total: i64,
    hits: Vec<Hit>,
    problem: Option<String>,
    previous: Option<String>,
    next: Option<String>,
}

struct Hit {
    subject: String,
    from: String,
    received: String,
    /// Where the words are: the message, or one of its attachments (a download link and name).
    attachment: Option<(String, String)>,
    requests: Vec<(i64, String)>,
    snippet: Vec<Piece>,
}

#[derive(Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
    page: Option<u32>,
}

pub async fn show(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    form: web::Query<SearchForm>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let me = Me::of(&session, &actor);
    let actor = session::narrowed(&session, actor);
    let SearchForm { q, page } = form.into_inner();
    let number = page.unwrap_or(1).max(1);
    let mut result = SearchPage {
        signed_in_as: Some(me),
        q: q.clone(),
        searched: !q.trim().is_empty(),
        total: 0,
        hits: Vec::new(),
        problem: None,
        previous: None,
        next: None,
    };
    if !result.searched {
        return html(result);
    }
    let input =
        SearchQuery { q: q.clone(), page: Some(number), per_page: Some(PER_PAGE), ..SearchQuery::default() };
    match web::block(move || svc.search(&actor, &input)).await? {
        Ok(found) => {
            let link = |p: u32| {
                let words = percent_encoding::utf8_percent_encode(&q, percent_encoding::NON_ALPHANUMERIC);
                format!("/search?q={words}&page={p}")
            };
            result.total = found.total;
            result.previous = (number > 1).then(|| link(number - 1));
            let more = i64::from(number) * i64::from(PER_PAGE) < found.ranked;
            result.next = more.then(|| link(number + 1));
            result.hits = found.items.into_iter().map(hit).collect();
            html(result)
        }
        Err(ServiceError::Invalid { detail, .. }) => {
            result.problem = Some(detail);
            let mut response = html(result)?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(e) => Err(e.into()),
    }
}

fn hit(h: crate::service::search::SearchHit) -> Hit {
    let spans: Vec<(usize, usize, String)> =
        h.highlights.iter().map(|[start, end]| (*start, *end, "a word searched for".to_string())).collect();
    let attachment = h.attachment.as_ref().map(|a| {
        let name = a.filename.clone().unwrap_or_else(|| format!("attachment {}", a.position));
        // An attachment is downloaded through one of the requests it came to.
        let href = h
            .requests
            .first()
            .map(|r| format!("/requests/{}/attachments/{}/{}", r.id, h.message, a.position))
            .unwrap_or_default();
        (href, name)
    });
    Hit {
        subject: h.subject,
        from: h.from.unwrap_or_else(|| "an unknown sender".into()),
        received: day(london::london_date(h.received_at)),
        attachment,
        requests: h.requests.into_iter().map(|r| (r.id, r.reference)).collect(),
        snippet: marked(&h.snippet, &spans),
    }
}
