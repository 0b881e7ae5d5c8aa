//! The morning dashboard of the web pages: what is very overdue, overdue, and due soon, across
//! the signed-in user's workspaces.

use chrono::NaiveDate;

use super::requests::RequestQuery;
use super::views::RequestView;
use super::{Actor, Page, Service, ServiceResult};
use crate::domain::london;

/// How far ahead "due soon" looks, in working days (England and Wales, as FOIA counts them).
pub const DUE_SOON_WORKING_DAYS: u32 = 5;
/// The most requests each list shows; the total says how many there are.
const SHOWN: u32 = 25;

pub struct Dashboard {
    pub today: NaiveDate,
    /// The last day counted as due soon.
    pub soon: NaiveDate,
    pub very_overdue: Page<RequestView>,
    pub overdue: Page<RequestView>,
    /// Awaiting a response and due between today and `soon`.
    pub due_soon: Page<RequestView>,
}

impl Service {
    pub fn dashboard(&self, actor: &Actor) -> ServiceResult<Dashboard> {
        let today = london::today();
        let soon = self.regime("regime", "foia")?.add(today, DUE_SOON_WORKING_DAYS);
        let list = |status: &str, due: Option<(NaiveDate, NaiveDate)>| {
            let query = RequestQuery {
                status: Some(status.into()),
                due_after: due.map(|d| d.0),
                due_before: due.map(|d| d.1),
                per_page: Some(SHOWN),
                as_of: Some(today),
                ..RequestQuery::default()
            };
            self.search_requests(actor, &query)
        };
        Ok(Dashboard {
            today,
            soon,
            very_overdue: list("very_overdue", None)?,
            overdue: list("overdue", None)?,
            due_soon: list("awaiting_response", Some((today, soon)))?,
        })
    }
}
