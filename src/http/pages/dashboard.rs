//! `/`: what is very overdue, overdue and due soon across your workspaces, the replies waiting
//! to be classified or coded, the holding pen and the mail that failed.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{PageError, day, html, session, words};
use crate::domain::london;
use crate::http::pages::session::Me;
use crate::service::dashboard::Dashboard;
use crate::service::views::RequestView;
use crate::service::{Page, Service};

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    signed_in_as: Option<Me>,
    today: String,
    /// Each count at the top: where it links, the number, and what it counts.
    counts: Vec<(String, i64, String)>,
    /// Very overdue, overdue, due soon.
    lists: Vec<List>,
    /// Request id, reference, sender, subject, received.
    to_classify: Vec<(i64, String, String, String, String)>,
    more_to_classify: i64,
    /// Campaign id and title, replies waiting, and the first of them.
    to_code: Vec<(i64, String, usize, Option<i64>)>,
    failed_mail: i64,
}

/// One of the dashboard's tables.
struct List {
    id: &'static str,
    title: String,
    /// The words after its count at the top of the page.
    count_label: String,
    caption: &'static str,
    total: usize,
    rows: Vec<Row>,
}

struct Row {
    id: i64,
    reference: String,
    body: String,
    due_on: String,
    status: String,
}

impl List {
    fn of(
        id: &'static str,
        (title, count_label): (String, String),
        caption: &'static str,
        page: Page<RequestView>,
    ) -> Self {
        let rows = page
            .items
            .into_iter()
            .map(|r| Row {
                id: r.id,
                reference: r.reference,
                body: r.authority.name,
                due_on: r.due_on.map_or_else(String::new, day),
                status: words(&r.status.to_string()),
            })
            .collect();
        List { id, title, count_label, caption, total: usize::try_from(page.total).unwrap_or(0), rows }
    }
}

pub async fn show(
    req: HttpRequest,
    session: Session,
    svc: web::Data<Service>,
) -> Result<HttpResponse, PageError> {
    let actor = session::signed_in(&req, &session, &svc).await?;
    let me = Me::of(&session, &actor);
    let actor = session::narrowed(&session, actor);
    let d = web::block(move || svc.dashboard(&actor)).await??;
    html(page(me, d))
}

fn page(me: Me, d: Dashboard) -> DashboardPage {
    let soon = day(d.soon);
    let lists = vec![
        List::of(
            "very-overdue",
            ("Very overdue".into(), "very overdue".into()),
            "Past the very-overdue mark, oldest deadline first",
            d.very_overdue,
        ),
        List::of(
            "overdue",
            ("Overdue".into(), "overdue".into()),
            "Past their statutory deadline, oldest first",
            d.overdue,
        ),
        List::of(
            "due-soon",
            (format!("Due by {soon}"), format!("due by {soon}")),
            "Awaiting a response, due in the next five working days",
            d.due_soon,
        ),
    ];
    let mut counts: Vec<(String, i64, String)> = lists
        .iter()
        .map(|l| (format!("#{}", l.id), i64::try_from(l.total).unwrap_or(i64::MAX), l.count_label.clone()))
        .collect();
    let (unclassified, waiting) = d.to_classify;
    let coding: usize = d.to_code.iter().map(|q| q.waiting).sum();
    counts.push(("#to-classify".into(), waiting, "replies to classify".into()));
    counts.push((
        "#to-code".into(),
        i64::try_from(coding).unwrap_or(i64::MAX),
        "replies for you to code".into(),
    ));
    counts.push(("/holding-pen".into(), d.holding_pen, "in the holding pen".into()));
    DashboardPage {
        signed_in_as: Some(me),
        today: day(d.today),
        counts,
        lists,
        more_to_classify: waiting - i64::try_from(unclassified.len()).unwrap_or(0),
        to_classify: unclassified
            .into_iter()
            .map(|u| {
                let from = u.from.unwrap_or_else(|| "an unknown sender".into());
                (u.request, u.reference, from, u.subject, day(london::london_date(u.received_at)))
            })
            .collect(),
        to_code: d
            .to_code
            .into_iter()
            .map(|q| (q.campaign, q.title, q.waiting, q.first.map(|f| f.request)))
            .collect(),
        failed_mail: d.failed_mail,
    }
}
