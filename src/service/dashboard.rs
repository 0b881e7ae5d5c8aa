//! The morning dashboard of the web pages: what is very overdue, overdue, and due soon, the
//! replies waiting to be classified or coded, the holding pen and the mail that failed, across
//! the signed-in user's workspaces.

use chrono::NaiveDate;

use super::codings::CodingQueue;
use super::requests::RequestQuery;
use super::views::RequestView;
use super::{Actor, Page, Paging, Service, ServiceResult};
use crate::domain::london;
use crate::store::inbound as inbound_store;

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
    /// Responses no researcher has said what they are yet, newest first, and how many.
    pub to_classify: (Vec<ToClassify>, i64),
    /// What waits for the user to code.
    pub to_code: Vec<CodingQueue>,
    /// Replies matching no request, in the pens the user sees.
    pub holding_pen: i64,
    /// Outgoing mail that could not be delivered.
    pub failed_mail: i64,
}

/// A response waiting for a researcher to say what it is.
pub struct ToClassify {
    pub request: i64,
    pub reference: String,
    pub from: Option<String>,
    pub subject: String,
    pub received_at: chrono::DateTime<chrono::Utc>,
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
        let one = || Paging::new(Some(1), Some(1));
        let (waiting, total) =
            inbound_store::unclassified(&mut *self.db().conn()?, actor.scope(None)?.ids(), i64::from(SHOWN))?;
        let waiting = waiting
            .into_iter()
            .map(|u| ToClassify {
                request: u.request_id,
                reference: u.reference,
                from: u.from_address,
                subject: u.subject,
                received_at: super::convert::utc(u.received_at),
            })
            .collect();
        Ok(Dashboard {
            today,
            soon,
            very_overdue: list("very_overdue", None)?,
            overdue: list("overdue", None)?,
            due_soon: list("awaiting_response", Some((today, soon)))?,
            to_classify: (waiting, total),
            to_code: self.coding_queues(actor)?,
            holding_pen: self.holding_pen(actor, None, one()?)?.total,
            failed_mail: self.list_outbox(actor, None, Some("failed"), None, one()?)?.total,
        })
    }
}
