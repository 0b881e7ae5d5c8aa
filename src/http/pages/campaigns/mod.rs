//! `/campaigns` and `/campaigns/{id}`: the campaigns of your workspaces, and one campaign's
//! progress with its bodies, filtered by status.

mod bulk;
mod new;

pub use bulk::{chase, log_sent, send};
pub use new::{create, form};

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{PageError, day, html, session, words};
use crate::charts::{Series, grouped_bars};
use crate::domain::london;
use crate::http::pages::session::Me;
use crate::service::requests::RequestQuery;
use crate::service::{Paging, Service, ServiceError};

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    signed_in_as: Option<Me>,
    total: i64,
    rows: Vec<CampaignRow>,
}

struct CampaignRow {
    id: i64,
    title: String,
    workspace: String,
    regime: String,
    requests: i64,
    created: String,
}

pub async fn list(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let me = Me::of(&session, &actor);
    let actor = session::narrowed(&session, actor);
    let page =
        web::block(move || svc.list_campaigns(&actor, None, Paging::new(Some(1), Some(500))?)).await??;
    html(CampaignsPage {
        signed_in_as: Some(me),
        total: page.total,
        rows: page
            .items
            .into_iter()
            .map(|c| CampaignRow {
                id: c.id,
                title: c.title,
                workspace: c.workspace,
                regime: c.regime,
                requests: c.request_count,
                created: day(london::london_date(c.created_at)),
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    signed_in_as: Option<Me>,
    id: i64,
    title: String,
    workspace: String,
    regime: String,
    requests: i64,
    as_of: String,
    /// The progress chart, an SVG drawn by `crate::charts` with a title and a description.
    chart: String,
    /// Each status: its name in the query string, in words, and its count.
    statuses: Vec<(String, String, i64)>,
    filter: Option<String>,
    rows: Vec<BodyRow>,
    shown: usize,
    matching: i64,
    previous: Option<String>,
    next: Option<String>,
    chasers: bool,
    /// What the last action did, once.
    said: Option<String>,
}

struct BodyRow {
    id: i64,
    reference: String,
    body: String,
    region: String,
    due_on: String,
    status: String,
}

#[derive(Deserialize)]
pub struct BodiesQuery {
    status: Option<String>,
    page: Option<u32>,
}

/// Bodies shown at once on a campaign's page.
const PER_PAGE: u32 = 50;

pub async fn show(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
    id: web::Path<i64>,
    q: web::Query<BodiesQuery>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let said = session::flashed(&session);
    let (id, q) = (id.into_inner(), q.into_inner());
    let me = Me::of(&session, &actor);
    let status = q.status.clone().filter(|s| !s.is_empty());
    let page = q.page.unwrap_or(1).max(1);
    let today = london::today();
    let (progress, bodies) = web::block(move || {
        let progress = svc.campaign(&actor, id, today)?;
        let query = RequestQuery {
            campaign: Some(id),
            status: status.clone(),
            sort: Some("reference".into()),
            page: Some(page),
            per_page: Some(PER_PAGE),
            as_of: Some(today),
            ..RequestQuery::default()
        };
        Ok::<_, ServiceError>((progress, svc.search_requests(&actor, &query)?))
    })
    .await??;
    let statuses: Vec<(String, String, i64)> =
        progress.by_status.iter().map(|(s, n)| (s.to_string(), words(&s.to_string()), *n)).collect();
    // The chart shows the statuses the campaign's requests are in; the table lists them all.
    let present: Vec<&(String, String, i64)> = statuses.iter().filter(|s| s.2 > 0).collect();
    let groups: Vec<String> = present.iter().map(|s| s.1.clone()).collect();
    let counts = present.iter().map(|s| s.2).collect();
    let chart =
        grouped_bars("Requests by status", &groups, &[Series { label: "Requests", colour: None, counts }])
            .map_err(|e| PageError::Broken(format!("the progress chart could not be drawn: {e}")))?;
    let filter = q.status.as_deref().filter(|s| !s.is_empty());
    let link = |p: u32| {
        let encoded = filter.map(|s| {
            format!(
                "status={}&",
                percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC)
            )
        });
        format!("/campaigns/{id}?{}page={p}", encoded.unwrap_or_default())
    };
    let shown = bodies.items.len();
    let more = i64::from(page) * i64::from(PER_PAGE) < bodies.total;
    let c = progress.campaign;
    html(CampaignPage {
        signed_in_as: Some(me),
        id,
        title: c.title,
        workspace: c.workspace,
        regime: c.regime,
        requests: c.request_count,
        as_of: day(progress.as_of),
        chart,
        statuses,
        filter: filter.map(words),
        rows: bodies
            .items
            .into_iter()
            .map(|r| BodyRow {
                id: r.id,
                reference: r.reference,
                body: r.authority.name,
                region: r.authority.region.unwrap_or_default(),
                due_on: r.due_on.map(day).unwrap_or_default(),
                status: words(&r.status.to_string()),
            })
            .collect(),
        shown,
        matching: bodies.total,
        previous: (page > 1).then(|| link(page - 1)),
        next: more.then(|| link(page + 1)),
        chasers: c.chasers_enabled,
        said,
    })
}
