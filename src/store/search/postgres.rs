//! Search on PostgreSQL: `@@` a tsquery on the generated `search` columns, found through their
//! GIN indexes, ranked by `ts_rank_cd`. The tsquery is built from the parse, one
//! `phraseto_tsquery` a term, so that grouping is the parse's and no text is read as syntax.

use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text};

use super::{Counts, HitRow, Kind, Marked, RANKED, SNIPPET_WORDS, SearchScope};
use crate::domain::search::{MARK_END, MARK_START, Query};
use crate::store::StoreResult;

// Which messages may match: not discarded, in scope ($2 the workspace ids, also through
// `inbound_scopes` for a reply to several teams, $3 the site's pen too), and of the request
// ($4) or campaign ($5) named.
macro_rules! in_scope {
    () => {
        "m.discarded_at IS NULL \
         AND (m.workspace_id = ANY($2) OR ($3 AND m.workspace_id IS NULL) \
              OR m.id IN (SELECT inbound_id FROM inbound_scopes WHERE workspace_id = ANY($2))) \
         AND ($4::int8 IS NULL OR m.id IN (SELECT inbound_id FROM inbound_links WHERE request_id = $4)) \
         AND ($5::int8 IS NULL OR m.id IN (SELECT l.inbound_id FROM inbound_links l \
              JOIN requests r ON r.id = l.request_id WHERE r.campaign_id = $5))"
    };
}

macro_rules! messages {
    ($select:expr, $tail:expr) => {
        concat!(
            "SELECT ",
            $select,
            " FROM inbound_messages m, CAST($1 AS tsquery) q \
             WHERE m.search @@ q AND ",
            in_scope!(),
            $tail
        )
    };
}
macro_rules! attachments {
    ($select:expr, $tail:expr) => {
        concat!(
            "SELECT ",
            $select,
            " FROM inbound_attachments a JOIN inbound_messages m ON m.id = a.inbound_id, \
                CAST($1 AS tsquery) q \
             WHERE a.search @@ q AND ",
            in_scope!(),
            $tail
        )
    };
}

/// The newest matches of each table ($6 of them), ranked; then the page ($7, $8). Ranked
/// after the limit: each read of `search` fetches a tsvector from TOAST (a few µs), and a
/// phrase is checked on every candidate's, found through the index in no order, so ranking
/// them all as well read each twice (the 10,016 matches of a phrase in 100,000 replies:
/// 75–95 ms; 58 ms ranking the newest 2,000 only).
const PAGE: &str = concat!(
    "SELECT * FROM ((SELECT newest.id AS inbound_id, NULL::int8 AS attachment_id, \
                            ts_rank_cd(newest.search, CAST($1 AS tsquery))::float8 AS rank FROM (",
    messages!("m.id, m.search", " ORDER BY m.id DESC LIMIT $6"),
    ") newest) UNION ALL (SELECT newest.inbound_id, newest.id, \
                                 ts_rank_cd(newest.search, CAST($1 AS tsquery))::float8 FROM (",
    attachments!("a.inbound_id, a.id, a.search", " ORDER BY a.id DESC LIMIT $6"),
    ") newest)) hits ORDER BY rank DESC, inbound_id DESC, attachment_id NULLS FIRST LIMIT $7 OFFSET $8"
);

const COUNT: &str = concat!(
    "SELECT (",
    messages!("count(*)", ""),
    ") AS messages, (",
    attachments!("count(*)", ""),
    ") AS attachments"
);

#[derive(QueryableByName)]
struct Built {
    #[diesel(sql_type = Text)]
    q: String,
}

/// The query as a tsquery's text: each group's alternatives `||`, the groups `&&`, each
/// exclusion `&& !!`. PostgreSQL stems the terms and writes the result; the searches then
/// read it back with a cast.
pub(super) fn tsquery(c: &mut PgConnection, query: &Query) -> StoreResult<String> {
    let terms: Vec<&String> = query.all_of.iter().flatten().chain(&query.none_of).collect();
    let mut placeholder = (1..).map(|n| format!("phraseto_tsquery('foitrack_english', ${n})"));
    let mut parts: Vec<String> = Vec::new();
    for group in &query.all_of {
        let alternatives: Vec<String> = group.iter().filter_map(|_| placeholder.next()).collect();
        parts.push(format!("({})", alternatives.join(" || ")));
    }
    parts.extend(query.none_of.iter().filter_map(|_| placeholder.next()).map(|p| format!("!!{p}")));
    let sql = parts.join(" && ");
    let mut built = diesel::sql_query(format!("SELECT ({sql})::text AS q")).into_boxed::<diesel::pg::Pg>();
    for t in terms {
        built = built.bind::<Text, _>(t.as_str());
    }
    Ok(built.get_result::<Built>(c)?.q)
}

macro_rules! bound {
    ($sql:expr, $q:expr, $scope:expr) => {
        diesel::sql_query($sql)
            .bind::<Text, _>($q)
            .bind::<Array<BigInt>, _>($scope.workspaces)
            .bind::<Bool, _>($scope.site)
            .bind::<Nullable<BigInt>, _>($scope.request_id)
            .bind::<Nullable<BigInt>, _>($scope.campaign_id)
    };
}

pub(super) fn page(
    c: &mut PgConnection,
    q: &str,
    scope: &SearchScope,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<HitRow>> {
    Ok(bound!(PAGE, q, scope)
        .bind::<BigInt, _>(RANKED)
        .bind::<BigInt, _>(limit)
        .bind::<BigInt, _>(offset)
        .load(c)?)
}

pub(super) fn count(c: &mut PgConnection, q: &str, scope: &SearchScope) -> StoreResult<Counts> {
    // The planner does not count the cost of reading each row's tsvector, which is stored
    // apart from the row (TOAST): it scans the whole table to count a common word (715 ms at
    // 100,000 replies) where the GIN index finds the rows without reading any (130 ms).
    Ok(c.transaction(|c| {
        diesel::sql_query("SET LOCAL enable_seqscan = off").execute(c)?;
        bound!(COUNT, q, scope).get_result::<Counts>(c)
    })?)
}

/// The text's headline when the text matched (its lexemes weigh B), else the subject's or
/// the file name's.
pub(super) fn snippets(c: &mut PgConnection, q: &str, kind: Kind, ids: &[i64]) -> StoreResult<Vec<Marked>> {
    let sql = match kind {
        Kind::Attachment => {
            "SELECT id, CASE WHEN ts_filter(search, '{b}') @@ q \
                THEN ts_headline('foitrack_english', left(extracted_text, 100000), q, $2) \
                ELSE ts_headline('foitrack_english', coalesce(filename, ''), q, $2) END AS snippet \
             FROM inbound_attachments, CAST($1 AS tsquery) q WHERE id = ANY($3)"
        }
        Kind::Message => {
            "SELECT id, CASE WHEN ts_filter(search, '{b}') @@ q \
                THEN ts_headline('foitrack_english', left(body_text, 100000), q, $2) \
                ELSE ts_headline('foitrack_english', subject, q, $2) END AS snippet \
             FROM inbound_messages, CAST($1 AS tsquery) q WHERE id = ANY($3)"
        }
    };
    let options = format!(
        "StartSel=\"{MARK_START}\", StopSel=\"{MARK_END}\", MaxWords={SNIPPET_WORDS}, MinWords={}, \
         MaxFragments=2, FragmentDelimiter=\" … \"",
        SNIPPET_WORDS / 2
    );
    Ok(diesel::sql_query(sql)
        .bind::<Text, _>(q)
        .bind::<Text, _>(options)
        .bind::<Array<BigInt>, _>(ids)
        .load(c)?)
}
