//! Searching the text of incoming replies and their attachments, across the workspaces a user
//! belongs to: the one use case behind `GET /api/v1/search` and `foitrack search`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::inbound::Outcome;
use crate::domain::search::{self, Query, QueryError};
use crate::service::access::Intent;
use crate::service::convert::utc;
use crate::service::ingest::pen::site_pen;
use crate::service::{Actor, FieldError, Paging, Service, ServiceError, ServiceResult};
use crate::store::search::{self as store, HitRow, SearchScope};

/// What to search for, and where. The API's query string and the CLI's flags both arrive
/// here.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words that must all appear, `"quoted phrases"`, `OR` between alternatives, and
    /// `-word` to leave one out. English endings are ignored: `train` finds "training".
    #[param(min_length = 1, max_length = 500)]
    pub q: String,
    /// Only this workspace (by slug); by default every workspace of yours, and for site
    /// administrators the site-wide holding pen too.
    pub workspace: Option<String>,
    /// Only the replies to this request.
    pub request: Option<i64>,
    /// Only the replies to this campaign's requests.
    pub campaign: Option<i64>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 4_294_967_295_i64)]
    pub page: Option<u32>,
    /// At most 500; 50 by default.
    #[param(minimum = 1, maximum = 500)]
    pub per_page: Option<u32>,
}

/// A page of hits.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchPage {
    pub items: Vec<SearchHit>,
    /// How many messages and attachments match.
    pub total: i64,
    /// How many of them are ranked, and so can be paged to: all of them, unless more than
    /// 2,000 messages or 2,000 attachments match, when the newest 2,000 of each are. Narrow
    /// the search (more words, `request`, `campaign`) to reach the rest.
    pub ranked: i64,
    pub page: u32,
    pub per_page: u32,
}

/// A message or attachment whose text matched.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    /// The incoming message's id (as in a request's `incoming` list and the holding pen).
    pub message: i64,
    /// Set when the match is in an attachment, not the message's own text.
    pub attachment: Option<HitAttachment>,
    /// The requests the message answers; empty while it waits in a holding pen.
    pub requests: Vec<HitRequest>,
    pub subject: String,
    pub from: Option<String>,
    pub received_at: DateTime<Utc>,
    pub outcome: Outcome,
    /// A passage around the matches, as plain text.
    pub snippet: String,
    /// Where in `snippet` each match is: `[start, end)` in Unicode code points.
    pub highlights: Vec<[usize; 2]>,
    /// How well it matched, higher is better: comparable within one search only.
    pub rank: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HitAttachment {
    /// Its place among the message's attachments, from 0.
    pub position: i32,
    pub filename: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HitRequest {
    pub id: i64,
    pub reference: String,
}

impl Service {
    /// The messages and attachments of the actor's workspaces whose text matches, best first.
    pub fn search(&self, actor: &Actor, input: &SearchQuery) -> ServiceResult<SearchPage> {
        let paging = Paging::new(input.page, input.per_page)?;
        let query = Query::parse(&input.q).map_err(invalid_query)?;
        let scope = actor.scope(input.workspace.as_deref())?;
        let mut conn = self.db().conn()?;
        // An id that is not the user's is a 404, as everywhere, rather than an empty list
        // that hides a mistyped id.
        if let Some(id) = input.request {
            self.request_for(&mut conn, actor, id, Intent::Read)?;
        }
        if let Some(id) = input.campaign {
            self.campaign_for(&mut conn, actor, id, Intent::Read)?;
        }
        let where_ = SearchScope {
            workspaces: scope.ids(),
            site: site_pen(actor, input.workspace.as_deref()),
            request_id: input.request,
            campaign_id: input.campaign,
        };
        let prepared = store::prepare(&mut conn, &query)?;
        // The count visits every match's row, and takes about as long as the page and its
        // snippets together, so it runs beside them on a spare connection when there is one.
        let spare = if where_.is_empty() { None } else { self.db().spare_conn() };
        let (prepared, where_) = (&prepared, &where_);
        let (read, counted) = std::thread::scope(|s| {
            let counting = spare.map(|mut c| s.spawn(move || store::count(&mut c, prepared, where_)));
            let read = store::page(&mut conn, prepared, where_, paging.limit(), paging.offset())
                .map_err(ServiceError::from)
                .and_then(|hits| self.describe(&mut conn, prepared, hits, scope.ids()));
            // Joined here, whatever the page's fate, so that a count's panic is not taken for
            // the scope's own.
            let counted = counting.map(|c| c.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
            (read, counted)
        });
        let items = read?;
        let counts = match counted {
            Some(counts) => counts?,
            None => store::count(&mut conn, prepared, where_)?,
        };
        Ok(SearchPage {
            items,
            total: counts.total(),
            ranked: counts.ranked(),
            page: paging.page,
            per_page: paging.per_page,
        })
    }

    fn describe(
        &self,
        conn: &mut crate::store::AnyConnection,
        prepared: &store::Prepared,
        hits: Vec<HitRow>,
        workspaces: &[i64],
    ) -> ServiceResult<Vec<SearchHit>> {
        let ids: Vec<i64> = hits.iter().map(|h| h.inbound_id).collect();
        let file_ids: Vec<i64> = hits.iter().filter_map(|h| h.attachment_id).collect();
        let messages: HashMap<i64, _> = store::messages(conn, &ids)?.into_iter().map(|m| (m.id, m)).collect();
        let files: HashMap<i64, _> = store::attachments(conn, &file_ids)?
            .into_iter()
            .map(|(id, pos, name)| (id, (pos, name)))
            .collect();
        let mut requests: HashMap<i64, Vec<HitRequest>> = HashMap::new();
        for (message, id, reference) in store::requests_of(conn, &ids, workspaces)? {
            requests.entry(message).or_default().push(HitRequest { id, reference });
        }
        let mut snippets = store::snippets(conn, prepared, &hits)?;
        hits.into_iter()
            .map(|hit| {
                let m = messages
                    .get(&hit.inbound_id)
                    .ok_or_else(|| ServiceError::internal("A search hit's message is gone"))?;
                let marked = match hit.attachment_id {
                    Some(id) => snippets.attachments.remove(&id),
                    None => snippets.messages.remove(&hit.inbound_id),
                };
                let snippet = search::snippet(&marked.unwrap_or_default());
                let attachment =
                    hit.attachment_id.and_then(|id| files.get(&id)).map(|(position, filename)| {
                        HitAttachment { position: *position, filename: filename.clone() }
                    });
                Ok(SearchHit {
                    message: m.id,
                    attachment,
                    requests: requests.get(&m.id).cloned().unwrap_or_default(),
                    subject: m.subject.clone(),
                    from: m.from_address.clone(),
                    received_at: utc(m.received_at),
                    outcome: m.outcome,
                    snippet: snippet.text,
                    highlights: snippet.highlights,
                    rank: hit.rank,
                })
            })
            .collect()
    }
}

fn invalid_query(e: QueryError) -> ServiceError {
    ServiceError::invalid_fields(vec![FieldError::new("q", e.to_string())])
}
