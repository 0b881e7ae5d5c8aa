//! Full-text search over incoming messages and their attachments: SQLite's FTS5 tables
//! ([`sqlite`]) or PostgreSQL's GIN-indexed `tsvector` columns ([`postgres`]); see the `search`
//! migrations. The SQL is each backend's own. The two rank differently, so a rank means
//! something only against the others of the same search.

mod postgres;
mod sqlite;

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Nullable, Text};

use super::schema::{inbound_attachments, inbound_links, inbound_messages, requests};
use super::{AnyConnection, StoreResult};
use crate::domain::inbound::Outcome;
use crate::domain::search::Query;

/// How many of the newest matching messages, and as many attachments, a search ranks. Ranking
/// costs microseconds per match (SQLite's bm25 reads each match's positions, PostgreSQL's
/// ts_rank_cd its whole tsvector): ranking all 60,000 matches of a word in most of 100,000
/// replies took SQLite 126 ms. The count of hits is exact all the same.
pub const RANKED: i64 = 2_000;

/// How many of the newest rows holding a phrase's words PostgreSQL checks for the phrase
/// before it checks all the older ones: a phrase in at least four in five of the rows with its
/// words fills [`RANKED`] from these alone. Checking one costs a read from TOAST, a few µs.
pub const CHECKED_FIRST: i64 = RANKED + RANKED / 4;

/// Where to look.
#[derive(Debug, Clone)]
pub struct SearchScope<'a> {
    pub workspaces: &'a [i64],
    /// The site-wide holding pen's messages too.
    pub site: bool,
    pub request_id: Option<i64>,
    pub campaign_id: Option<i64>,
}

impl SearchScope<'_> {
    /// Nowhere to look: no workspace, and not the site's pen.
    pub fn is_empty(&self) -> bool {
        self.workspaces.is_empty() && !self.site
    }
}

/// One message or attachment that matched, best first.
#[derive(Debug, Clone, QueryableByName)]
pub struct HitRow {
    #[diesel(sql_type = BigInt)]
    pub inbound_id: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub attachment_id: Option<i64>,
    #[diesel(sql_type = Double)]
    pub rank: f64,
}

/// How many messages and attachments match.
#[derive(Debug, Clone, Copy, Default, QueryableByName)]
pub struct Counts {
    #[diesel(sql_type = BigInt)]
    pub messages: i64,
    #[diesel(sql_type = BigInt)]
    pub attachments: i64,
}

impl Counts {
    pub fn total(&self) -> i64 {
        self.messages + self.attachments
    }

    /// How many of them are ranked, and so can be paged to.
    pub fn ranked(&self) -> i64 {
        self.messages.min(RANKED) + self.attachments.min(RANKED)
    }
}

#[derive(QueryableByName)]
struct Marked {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    snippet: Option<String>,
}

/// How many words of context a snippet shows.
const SNIPPET_WORDS: i64 = 24;

/// A parsed query as this store runs it. PostgreSQL's tsquery is built once, by PostgreSQL,
/// for the page, its count and its snippets; SQLite writes its MATCH text as it goes.
pub struct Prepared<'q> {
    query: &'q Query,
    tsquery: Option<postgres::Tsquery>,
}

pub fn prepare<'q>(conn: &mut AnyConnection, query: &'q Query) -> StoreResult<Prepared<'q>> {
    let tsquery = match conn {
        AnyConnection::Sqlite(_) => None,
        AnyConnection::Postgres(c) => Some(postgres::tsquery(c, query)?),
    };
    Ok(Prepared { query, tsquery })
}

/// A page of hits, best first among the [`RANKED`] newest.
pub fn page(
    conn: &mut AnyConnection,
    query: &Prepared,
    scope: &SearchScope,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<HitRow>> {
    if scope.is_empty() {
        return Ok(Vec::new());
    }
    match conn {
        AnyConnection::Sqlite(c) => sqlite::page(c, query.query, scope, limit, offset),
        AnyConnection::Postgres(c) => {
            let q = query.built(c)?;
            postgres::page(c, &q, scope, limit, offset)
        }
    }
}

/// How many messages and attachments match, all of them. It reads no row's text, but visits
/// every match's row; a word in most of 100,000 replies takes PostgreSQL about as long to
/// count as the ranked page takes (docs/performance.md), so callers may count on a second
/// connection at the same time.
pub fn count(conn: &mut AnyConnection, query: &Prepared, scope: &SearchScope) -> StoreResult<Counts> {
    if scope.is_empty() {
        return Ok(Counts::default());
    }
    match conn {
        AnyConnection::Sqlite(c) => sqlite::count(c, query.query, scope),
        AnyConnection::Postgres(c) => {
            let q = query.built(c)?;
            postgres::count(c, &q, scope)
        }
    }
}

impl Prepared<'_> {
    /// The tsquery, built now if the query was prepared on another store.
    fn built(&self, c: &mut diesel::PgConnection) -> StoreResult<std::borrow::Cow<'_, postgres::Tsquery>> {
        Ok(match &self.tsquery {
            Some(q) => std::borrow::Cow::Borrowed(q),
            None => std::borrow::Cow::Owned(postgres::tsquery(c, self.query)?),
        })
    }
}

/// The passages of hits that matched, their matches between
/// [`MARK_START`](crate::domain::search::MARK_START) and
/// [`MARK_END`](crate::domain::search::MARK_END): from the text when it matched there, else
/// from the subject or file name. Keyed by message id, or by attachment id for attachments.
#[derive(Debug, Default)]
pub struct Snippets {
    pub messages: HashMap<i64, String>,
    pub attachments: HashMap<i64, String>,
}

/// The snippets of a page of hits, in two queries however long the page.
pub fn snippets(conn: &mut AnyConnection, query: &Prepared, hits: &[HitRow]) -> StoreResult<Snippets> {
    let messages: Vec<i64> =
        hits.iter().filter(|h| h.attachment_id.is_none()).map(|h| h.inbound_id).collect();
    let attachments: Vec<i64> = hits.iter().filter_map(|h| h.attachment_id).collect();
    let mut out = Snippets::default();
    for (kind, ids, into) in [
        (Kind::Message, &messages, &mut out.messages),
        (Kind::Attachment, &attachments, &mut out.attachments),
    ] {
        if ids.is_empty() {
            continue;
        }
        let marked = match conn {
            AnyConnection::Sqlite(c) => sqlite::snippets(c, query.query, kind, ids)?,
            AnyConnection::Postgres(c) => {
                let q = query.built(c)?;
                postgres::snippets(c, &q.exact, kind, ids)?
            }
        };
        into.extend(marked.into_iter().map(|m| (m.id, m.snippet.unwrap_or_default())));
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Message,
    Attachment,
}

/// What a hit shows of its message.
#[derive(Debug, Clone, Queryable)]
pub struct HitMessage {
    pub id: i64,
    pub outcome: Outcome,
    pub from_address: Option<String>,
    pub subject: String,
    #[diesel(deserialize_as = crate::store::dates::Stamp)]
    pub received_at: NaiveDateTime,
}

pub fn messages(conn: &mut AnyConnection, ids: &[i64]) -> StoreResult<Vec<HitMessage>> {
    Ok(inbound_messages::table
        .filter(inbound_messages::id.eq_any(ids))
        .select((
            inbound_messages::id,
            inbound_messages::outcome,
            inbound_messages::from_address,
            inbound_messages::subject,
            inbound_messages::received_at,
        ))
        .load(conn)?)
}

/// Attachment id, position and file name.
pub fn attachments(conn: &mut AnyConnection, ids: &[i64]) -> StoreResult<Vec<(i64, i32, Option<String>)>> {
    Ok(inbound_attachments::table
        .filter(inbound_attachments::id.eq_any(ids))
        .select((inbound_attachments::id, inbound_attachments::position, inbound_attachments::filename))
        .load(conn)?)
}

/// Each message's requests in these workspaces, as (message, request id, reference), in
/// reference order. A reply addressed to requests of two teams is found by both; neither is
/// told the other's request.
pub fn requests_of(
    conn: &mut AnyConnection,
    ids: &[i64],
    workspaces: &[i64],
) -> StoreResult<Vec<(i64, i64, String)>> {
    Ok(inbound_links::table
        .inner_join(requests::table)
        .filter(inbound_links::inbound_id.eq_any(ids))
        .filter(requests::workspace_id.eq_any(workspaces))
        .order(requests::reference)
        .select((inbound_links::inbound_id, requests::id, requests::reference))
        .load(conn)?)
}

/// Ids as a JSON array, one parameter that SQLite's `json_each` reads back.
fn json_ids(ids: &[i64]) -> String {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", ids.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_newest_of_each_kind_are_ranked() {
        let few = Counts { messages: 12, attachments: 3 };
        assert_eq!((few.total(), few.ranked()), (15, 15));
        let many = Counts { messages: RANKED + 500, attachments: 7 };
        assert_eq!((many.total(), many.ranked()), (RANKED + 507, RANKED + 7));
    }
}
