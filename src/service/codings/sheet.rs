//! A coder's sheet for one request: everything the coding page shows on one screen. The replies'
//! texts to quote from, the codebook and where each of its questions stands, what the codebook's
//! rules suggest with the passages that triggered them, and the requests before and after this
//! one in the coder's queue.

use crate::domain::codebook::{Codebook, Suggester, Suggestion};
use crate::service::access::Intent;
use crate::service::{Actor, Service, ServiceError, ServiceResult};
use crate::store::codings as store;

use super::answers::disagreements_in;
use super::{Disagreement, RequestCodings};
use crate::domain::vocab::WorkspaceRole;

/// The longest text a sheet shows, in characters: a reply's answer is in its first pages, and
/// a page must stay light. Evidence offsets count from the text's start, so a shortened text
/// still quotes right.
pub const SHOWN_CHARS: usize = 200_000;

/// One text a coder may quote from.
#[derive(Debug, Clone)]
pub struct Quotable {
    pub message: i64,
    /// The attachment's position, for an attachment's text.
    pub attachment: Option<u32>,
    /// The message's subject or the attachment's file name.
    pub name: String,
    /// Line ends as `\n`, as evidence offsets count them; at most [`SHOWN_CHARS`] characters.
    pub text: String,
    /// The text goes on beyond what is shown.
    pub shortened: bool,
    /// The codebook's suggestions from this text, each with its passage.
    pub suggestions: Vec<Suggestion>,
}

/// A request in the coder's queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queued {
    pub request: i64,
    pub reference: String,
}

#[derive(Debug, Clone)]
pub struct CodingSheet {
    pub codings: RequestCodings,
    pub codebook: Codebook,
    pub campaign_title: String,
    pub texts: Vec<Quotable>,
    /// The replied requests before and after this one: the coder's own when the plan names
    /// them, else all of the campaign's.
    pub previous: Option<Queued>,
    pub next: Option<Queued>,
    /// Whether the actor's role lets them answer (a viewer only reads).
    pub may_code: bool,
}

/// What an adjudicator needs on one screen: the open disagreements with the codebook to answer
/// them from.
#[derive(Debug, Clone)]
pub struct AdjudicationSheet {
    pub campaign: i64,
    pub campaign_title: String,
    pub codebook: Codebook,
    pub disagreements: Vec<Disagreement>,
}

/// A campaign a coder codes, and what waits for them in it.
#[derive(Debug, Clone)]
pub struct CodingQueue {
    pub campaign: i64,
    pub title: String,
    /// Replied requests the plan gives the coder that they have not answered anything about.
    pub waiting: usize,
    /// The first of them, by reference.
    pub first: Option<Queued>,
}

impl Service {
    /// What waits for the actor to code, campaign by campaign, in the campaigns whose plans name
    /// them.
    pub fn coding_queues(&self, actor: &Actor) -> ServiceResult<Vec<CodingQueue>> {
        let scope = actor.scope(None)?;
        let mut conn = self.db().conn()?;
        crate::store::read_transaction(&mut conn, |conn| {
            let mut queues = Vec::new();
            for (campaign, title) in store::campaigns_coded_by(conn, scope.ids(), actor.user_id)? {
                let Some((plan, coders)) = store::plan(conn, campaign)? else { continue };
                let assignment = super::plan::assignment_of(&plan, coders);
                let done: std::collections::HashSet<i64> =
                    store::coded_by(conn, campaign, actor.user_id)?.into_iter().collect();
                let waiting: Vec<Queued> = store::replied_requests(conn, campaign)?
                    .into_iter()
                    .filter(|(id, _)| {
                        !done.contains(id) && assignment.coders_of(*id).contains(&actor.user_id)
                    })
                    .map(|(request, reference)| Queued { request, reference })
                    .collect();
                queues.push(CodingQueue {
                    campaign,
                    title,
                    waiting: waiting.len(),
                    first: waiting.into_iter().next(),
                });
            }
            Ok(queues)
        })
    }

    /// The open disagreements of a campaign with its codebook, for those who may adjudicate
    /// (as [`Service::disagreements`]).
    pub fn adjudication_sheet(&self, actor: &Actor, campaign_id: i64) -> ServiceResult<AdjudicationSheet> {
        let mut conn = self.db().conn()?;
        crate::store::read_transaction(&mut conn, |conn| {
            let campaign = self.campaign_for(
                conn,
                actor,
                campaign_id,
                Intent::Change(WorkspaceRole::can_manage_campaigns, "adjudicate"),
            )?;
            let coding = self.coding_of(conn, campaign)?;
            let disagreements = disagreements_in(conn, actor, &coding)?;
            Ok(AdjudicationSheet {
                campaign: campaign_id,
                campaign_title: coding.campaign.title,
                codebook: coding.codebook,
                disagreements,
            })
        })
    }

    /// The coding sheet of a request in a campaign with a coding plan, for anyone in its
    /// workspace; what it shows of other coders' answers follows the blind-coding rule.
    pub fn coding_sheet(&self, actor: &Actor, request_id: i64) -> ServiceResult<CodingSheet> {
        let mut conn = self.db().conn()?;
        crate::store::read_transaction(&mut conn, |conn| {
            let request = self.request_for(conn, actor, request_id, Intent::Read)?;
            let coding = self.coding_for_request(conn, &request)?;
            let codings = self.request_codings_in(conn, actor, &coding, &request)?;
            let suggester = Suggester::new(&coding.codebook)
                .map_err(|_| ServiceError::internal("A stored codebook's rules do not compile"))?;
            let texts = store::quotable_texts(conn, request.id)?
                .into_iter()
                .map(|t| {
                    let text = super::evidence::quotable(&t.text);
                    let (text, shortened) = match text.char_indices().nth(SHOWN_CHARS) {
                        Some((cut, _)) => (text[..cut].to_string(), true),
                        None => (text, false),
                    };
                    Quotable {
                        message: t.message_id,
                        attachment: t.position.and_then(|p| u32::try_from(p).ok()),
                        name: t.name.unwrap_or_else(|| "an attachment".into()),
                        suggestions: suggester.suggest(&text),
                        text,
                        shortened,
                    }
                })
                .collect();
            let assignment = coding.assignment();
            let mine = coding.coders.contains(&actor.user_id);
            let queue: Vec<Queued> = store::replied_requests(conn, coding.campaign.id)?
                .into_iter()
                .filter(|(id, _)| !mine || assignment.coders_of(*id).contains(&actor.user_id))
                .map(|(request, reference)| Queued { request, reference })
                .collect();
            let (previous, next) = neighbours(&queue, &request.reference);
            // As saving decides: a coder the plan names, whose role codes, in a live workspace.
            let may_code = mine
                && actor
                    .membership(request.workspace_id)
                    .is_some_and(|m| !m.archived && m.role.can_record_events());
            Ok(CodingSheet {
                may_code,
                codings,
                codebook: coding.codebook,
                campaign_title: coding.campaign.title,
                texts,
                previous,
                next,
            })
        })
    }
}

/// The requests before and after a reference in a queue sorted by reference; a request not in
/// the queue still has the ones around where it would be.
fn neighbours(queue: &[Queued], reference: &str) -> (Option<Queued>, Option<Queued>) {
    let before = queue.partition_point(|q| q.reference.as_str() < reference);
    let after = queue.partition_point(|q| q.reference.as_str() <= reference);
    (before.checked_sub(1).map(|i| queue[i].clone()), queue.get(after).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(refs: &[&str]) -> Vec<Queued> {
        refs.iter().enumerate().map(|(i, r)| Queued { request: i as i64, reference: (*r).into() }).collect()
    }

    #[test]
    fn the_neighbours_of_a_request_in_the_queue_are_either_side_of_it() {
        let q = queue(&["A-1", "A-2", "A-3"]);
        let refs =
            |(p, n): (Option<Queued>, Option<Queued>)| (p.map(|x| x.reference), n.map(|x| x.reference));
        assert_eq!(refs(neighbours(&q, "A-2")), (Some("A-1".into()), Some("A-3".into())));
        assert_eq!(refs(neighbours(&q, "A-1")), (None, Some("A-2".into())));
        assert_eq!(refs(neighbours(&q, "A-3")), (Some("A-2".into()), None));
    }

    #[test]
    fn a_request_outside_the_queue_has_the_ones_around_where_it_would_be() {
        let q = queue(&["A-1", "A-3"]);
        let got = neighbours(&q, "A-2");
        assert_eq!((got.0.unwrap().reference, got.1.unwrap().reference), ("A-1".into(), "A-3".into()));
        assert_eq!(neighbours(&[], "A-2"), (None, None));
    }
}
