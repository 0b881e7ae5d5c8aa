//! `/`: what is very overdue, overdue and due soon across your workspaces.

use actix_session::Session;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::{PageError, day, html, session, words};
use crate::service::views::RequestView;
use crate::service::{Page, Service};

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    signed_in_as: Option<String>,
    today: String,
    /// Very overdue, overdue, due soon.
    lists: Vec<List>,
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
    let email = actor.email.clone();
    let d = web::block(move || svc.dashboard(&actor)).await??;
    let soon = day(d.soon);
    html(DashboardPage {
        signed_in_as: Some(email),
        today: day(d.today),
        lists: vec![
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
        ],
    })
}
