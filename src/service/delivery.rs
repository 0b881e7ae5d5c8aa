//! Delivering until nothing is left, and watching a campaign's messages go out: the loops the
//! command line and the jobs share, above the one-round [`Service::deliver_due`].

use std::time::Duration;

use serde::Serialize;
use utoipa::ToSchema;

use super::outbox::DeliveryReport;
use super::{Actor, Paging, Service, ServiceResult};
use crate::domain::vocab::OutboxState;
use crate::mail::Mailer;

/// Messages a round of [`Service::deliver_all`] takes, one lease at a time.
const ROUND: i64 = 20;

impl DeliveryReport {
    /// Whether the round did anything at all; a round that only cancelled did something.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    fn add(&mut self, other: &DeliveryReport) {
        self.sent += other.sent;
        self.retrying += other.retrying;
        self.failed += other.failed;
        self.cancelled += other.cancelled;
    }
}

/// Where a campaign's queued messages stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct CampaignDelivery {
    /// Pending or being sent.
    pub waiting: i64,
    pub failed: i64,
}

impl Service {
    /// Delivers every message due now, in rounds, as `worker`, until a round finds nothing to do.
    /// Messages scheduled later (a campaign's pace, a retry's wait) are left for a later run.
    pub fn deliver_all(&self, mailer: &Mailer, worker: &str) -> ServiceResult<DeliveryReport> {
        let mut total = DeliveryReport::default();
        loop {
            let round = self.deliver_due(mailer, worker, ROUND)?;
            if round.is_empty() {
                return Ok(total);
            }
            total.add(&round);
        }
    }

    /// How many of a campaign's messages still wait, and how many failed.
    pub fn campaign_delivery(&self, actor: &Actor, campaign: i64) -> ServiceResult<CampaignDelivery> {
        let count = |state: OutboxState| {
            self.list_outbox(
                actor,
                None,
                Some(state.as_str()),
                Some(campaign),
                Paging::new(Some(1), Some(1))?,
            )
            .map(|p| p.total)
        };
        Ok(CampaignDelivery {
            waiting: count(OutboxState::Pending)? + count(OutboxState::Sending)?,
            failed: count(OutboxState::Failed)?,
        })
    }

    /// Polls every `every` until none of the campaign's messages waits (someone else, such as
    /// `serve`, delivers them), telling `progress` each time; returns the last count.
    pub fn wait_for_campaign(
        &self,
        actor: &Actor,
        campaign: i64,
        every: Duration,
        mut progress: impl FnMut(&CampaignDelivery),
    ) -> ServiceResult<CampaignDelivery> {
        loop {
            let now = self.campaign_delivery(actor, campaign)?;
            progress(&now);
            if now.waiting == 0 {
                return Ok(now);
            }
            std::thread::sleep(every);
        }
    }
}
