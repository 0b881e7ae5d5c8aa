//! Full-text search over incoming messages and their attachments: SQLite's FTS5 tables or
//! PostgreSQL's GIN-indexed `tsvector` columns (see the `search` migration). The two stores
//! rank differently, so a rank means something only against the others of the same search.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Double, Nullable, Text};

use super::schema::{inbound_attachments, inbound_links, inbound_messages, requests};
use super::{AnyConnection, StoreResult};
use crate::domain::inbound::Outcome;
use crate::domain::search::{MARK_END, MARK_START, Query};

/// Where to look.
#[derive(Debug, Clone)]
pub struct SearchScope<'a> {
    pub workspaces: &'a [i64],
    /// The site-wide holding pen's messages too.
    pub site: bool,
    pub request_id: Option<i64>,
    pub campaign_id: Option<i64>,
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

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Marked {
    #[diesel(sql_type = Nullable<Text>)]
    snippet: Option<String>,
}

// Which messages may match: not discarded, in scope, and of the request or campaign named.
// The placeholders are those of every search statement below.
macro_rules! sqlite_scope {
    () => {
        "m.discarded_at IS NULL \
         AND (m.workspace_id IN (SELECT value FROM json_each(?2)) OR (?3 AND m.workspace_id IS NULL)) \
         AND (?4 IS NULL OR m.id IN (SELECT inbound_id FROM inbound_links WHERE request_id = ?4)) \
         AND (?5 IS NULL OR m.id IN (SELECT l.inbound_id FROM inbound_links l \
              JOIN requests r ON r.id = l.request_id WHERE r.campaign_id = ?5))"
    };
}

macro_rules! postgres_scope {
    () => {
        "m.discarded_at IS NULL \
         AND (m.workspace_id = ANY($2) OR ($3 AND m.workspace_id IS NULL)) \
         AND ($4::int8 IS NULL OR m.id IN (SELECT inbound_id FROM inbound_links WHERE request_id = $4)) \
         AND ($5::int8 IS NULL OR m.id IN (SELECT l.inbound_id FROM inbound_links l \
              JOIN requests r ON r.id = l.request_id WHERE r.campaign_id = $5))"
    };
}

// bm25 is lower for better matches; the subject and file name weigh three times the text.
macro_rules! sqlite_hits {
    () => {
        concat!(
            "SELECT m.id AS inbound_id, NULL AS attachment_id, \
                -bm25(inbound_messages_search, 3.0, 1.0) AS rank \
             FROM inbound_messages_search JOIN inbound_messages m ON m.id = inbound_messages_search.rowid \
             WHERE inbound_messages_search MATCH ?1 AND ",
            sqlite_scope!(),
            " UNION ALL \
             SELECT a.inbound_id, a.id, -bm25(inbound_attachments_search, 3.0, 1.0) \
             FROM inbound_attachments_search \
             JOIN inbound_attachments a ON a.id = inbound_attachments_search.rowid \
             JOIN inbound_messages m ON m.id = a.inbound_id \
             WHERE inbound_attachments_search MATCH ?1 AND ",
            sqlite_scope!()
        )
    };
}

macro_rules! postgres_hits {
    () => {
        concat!(
            "SELECT m.id AS inbound_id, NULL::int8 AS attachment_id, \
                ts_rank_cd(m.search, q)::float8 AS rank \
             FROM inbound_messages m, websearch_to_tsquery('foitrack_english', $1) q \
             WHERE m.search @@ q AND ",
            postgres_scope!(),
            " UNION ALL \
             SELECT a.inbound_id, a.id, ts_rank_cd(a.search, q)::float8 \
             FROM inbound_attachments a JOIN inbound_messages m ON m.id = a.inbound_id, \
                websearch_to_tsquery('foitrack_english', $1) q \
             WHERE a.search @@ q AND ",
            postgres_scope!()
        )
    };
}

const SQLITE_PAGE: &str = concat!(
    "SELECT * FROM (",
    sqlite_hits!(),
    ") ORDER BY rank DESC, inbound_id DESC, attachment_id LIMIT ?6 OFFSET ?7"
);
const SQLITE_COUNT: &str = concat!("SELECT count(*) AS n FROM (", sqlite_hits!(), ")");
const POSTGRES_PAGE: &str = concat!(
    "SELECT * FROM (",
    postgres_hits!(),
    ") hits ORDER BY rank DESC, inbound_id DESC, attachment_id NULLS FIRST LIMIT $6 OFFSET $7"
);
const POSTGRES_COUNT: &str = concat!("SELECT count(*) AS n FROM (", postgres_hits!(), ") hits");

/// A page of hits, and how many there are in all.
pub fn search(
    conn: &mut AnyConnection,
    query: &Query,
    scope: &SearchScope,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<HitRow>, i64)> {
    macro_rules! bound {
        ($sql:expr, $q:expr, $ids:ty, $ws:expr) => {
            diesel::sql_query($sql)
                .bind::<Text, _>($q)
                .bind::<$ids, _>($ws)
                .bind::<Bool, _>(scope.site)
                .bind::<Nullable<BigInt>, _>(scope.request_id)
                .bind::<Nullable<BigInt>, _>(scope.campaign_id)
        };
    }
    Ok(match conn {
        AnyConnection::Sqlite(c) => {
            let (q, ids) = (query.to_fts5(), json_ids(scope.workspaces));
            let hits = bound!(SQLITE_PAGE, &q, Text, &ids)
                .bind::<BigInt, _>(limit)
                .bind::<BigInt, _>(offset)
                .load(c)?;
            let total = bound!(SQLITE_COUNT, &q, Text, &ids).get_result::<Count>(c)?.n;
            (hits, total)
        }
        AnyConnection::Postgres(c) => {
            let q = query.to_websearch();
            let hits = bound!(POSTGRES_PAGE, &q, Array<BigInt>, scope.workspaces)
                .bind::<BigInt, _>(limit)
                .bind::<BigInt, _>(offset)
                .load(c)?;
            let total = bound!(POSTGRES_COUNT, &q, Array<BigInt>, scope.workspaces).get_result::<Count>(c)?.n;
            (hits, total)
        }
    })
}

fn json_ids(ids: &[i64]) -> String {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    format!("[{}]", ids.join(","))
}

/// How many words of context a snippet shows.
const SNIPPET_WORDS: i64 = 24;

/// The passage of a hit that matched, its matches between [`MARK_START`] and [`MARK_END`].
pub fn snippet(conn: &mut AnyConnection, query: &Query, hit: &HitRow) -> StoreResult<String> {
    let (start, end) = (MARK_START.to_string(), MARK_END.to_string());
    let marked = match conn {
        AnyConnection::Sqlite(c) => {
            let (table, id) = match hit.attachment_id {
                Some(id) => ("inbound_attachments_search", id),
                None => ("inbound_messages_search", hit.inbound_id),
            };
            // Column -1: whichever of the name or the text matched best.
            let sql = format!(
                "SELECT snippet({table}, -1, ?, ?, '…', {SNIPPET_WORDS}) AS snippet FROM {table} \
                 WHERE {table} MATCH ? AND rowid = ?"
            );
            diesel::sql_query(sql)
                .bind::<Text, _>(&start)
                .bind::<Text, _>(&end)
                .bind::<Text, _>(query.to_fts5())
                .bind::<BigInt, _>(id)
                .get_result::<Marked>(c)
                .optional()?
                .and_then(|m| m.snippet)
        }
        AnyConnection::Postgres(c) => {
            let (sql, id) = match hit.attachment_id {
                Some(id) => (
                    "SELECT CASE WHEN to_tsvector('foitrack_english', coalesce(left(extracted_text, 100000), '')) @@ q \
                        THEN ts_headline('foitrack_english', left(extracted_text, 100000), q, $2) \
                        ELSE ts_headline('foitrack_english', coalesce(filename, ''), q, $2) END AS snippet \
                     FROM inbound_attachments, websearch_to_tsquery('foitrack_english', $1) q WHERE id = $3",
                    id,
                ),
                None => (
                    "SELECT CASE WHEN to_tsvector('foitrack_english', left(body_text, 100000)) @@ q \
                        THEN ts_headline('foitrack_english', left(body_text, 100000), q, $2) \
                        ELSE ts_headline('foitrack_english', subject, q, $2) END AS snippet \
                     FROM inbound_messages, websearch_to_tsquery('foitrack_english', $1) q WHERE id = $3",
                    hit.inbound_id,
                ),
            };
            let options = format!(
                "StartSel=\"{start}\", StopSel=\"{end}\", MaxWords={SNIPPET_WORDS}, MinWords={}, \
                 MaxFragments=2, FragmentDelimiter=\" … \"",
                SNIPPET_WORDS / 2
            );
            diesel::sql_query(sql)
                .bind::<Text, _>(query.to_websearch())
                .bind::<Text, _>(options)
                .bind::<BigInt, _>(id)
                .get_result::<Marked>(c)
                .optional()?
                .and_then(|m| m.snippet)
        }
    };
    Ok(marked.unwrap_or_default())
}

/// What a hit shows of its message.
#[derive(Debug, Clone, Queryable)]
pub struct HitMessage {
    pub id: i64,
    pub outcome: Outcome,
    pub from_address: Option<String>,
    pub subject: String,
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

/// Each message's requests, as (message, request id, reference), in reference order.
pub fn requests_of(conn: &mut AnyConnection, ids: &[i64]) -> StoreResult<Vec<(i64, i64, String)>> {
    Ok(inbound_links::table
        .inner_join(requests::table)
        .filter(inbound_links::inbound_id.eq_any(ids))
        .order(requests::reference)
        .select((inbound_links::inbound_id, requests::id, requests::reference))
        .load(conn)?)
}
