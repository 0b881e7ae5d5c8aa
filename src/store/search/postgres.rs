//! Search on PostgreSQL: `@@` a tsquery on the generated `search` columns, found through their
//! GIN indexes, ranked by `ts_rank_cd`. The tsquery is built from the parse, one
//! `phraseto_tsquery` a term, so that grouping is the parse's and no text is read as syntax. A
//! query with a phrase also gets a loose tsquery without word order, for finding its newest
//! matches without checking every candidate (`newest_phrase_matches`).

use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Nullable, Text};

use super::{CHECKED_FIRST, Counts, HitRow, Kind, Marked, RANKED, SNIPPET_WORDS, SearchScope};
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

macro_rules! page_order {
    ($limit:literal, $offset:literal) => {
        concat!(
            "ORDER BY rank DESC, inbound_id DESC, attachment_id NULLS FIRST LIMIT ",
            $limit,
            " OFFSET ",
            $offset
        )
    };
}

/// The newest matches of each table ($6 of them), ranked; then the page ($7, $8). Ranked
/// after the limit: each read of `search` fetches a tsvector from TOAST (a few µs), so
/// ranking every match as well would read each twice.
const PAGE: &str = concat!(
    "SELECT * FROM ((SELECT newest.id AS inbound_id, NULL::int8 AS attachment_id, \
                            ts_rank_cd(newest.search, CAST($1 AS tsquery))::float8 AS rank FROM (",
    messages!("m.id, m.search", " ORDER BY m.id DESC LIMIT $6"),
    ") newest) UNION ALL (SELECT newest.inbound_id, newest.id, \
                                 ts_rank_cd(newest.search, CAST($1 AS tsquery))::float8 FROM (",
    attachments!("a.inbound_id, a.id, a.search", " ORDER BY a.id DESC LIMIT $6"),
    ") newest)) hits ",
    page_order!("$7", "$8")
);

/// A phrase's matches, found newest first (see [`newest_phrase_matches`]), ranked; then the
/// page. $1 the query, $2 the messages, $3 the attachments.
const PHRASE_PAGE: &str = concat!(
    "SELECT * FROM ((SELECT m.id AS inbound_id, NULL::int8 AS attachment_id, \
                            ts_rank_cd(m.search, q)::float8 AS rank \
                     FROM inbound_messages m, CAST($1 AS tsquery) q WHERE m.id = ANY($2)) \
                    UNION ALL (SELECT a.inbound_id, a.id, ts_rank_cd(a.search, q)::float8 \
                     FROM inbound_attachments a, CAST($1 AS tsquery) q WHERE a.id = ANY($3))) hits ",
    page_order!("$4", "$5")
);

// The newest candidates ($6 of them) of a phrase's loose query ($1), each with whether it
// matches the query itself ($7).
macro_rules! candidates {
    ($newest:expr) => {
        concat!(
            "SELECT newest.id, newest.search @@ CAST($7 AS tsquery) AS matched FROM (",
            $newest,
            ") newest"
        )
    };
}
const MESSAGE_CANDIDATES: &str = candidates!(messages!("m.id, m.search", " ORDER BY m.id DESC LIMIT $6"));
const ATTACHMENT_CANDIDATES: &str =
    candidates!(attachments!("a.id, a.search", " ORDER BY a.id DESC LIMIT $6"));

/// The newest matches older than $6, at most $7 of them.
const OLDER_MESSAGES: &str = messages!("m.id", " AND m.id < $6 ORDER BY m.id DESC LIMIT $7");
const OLDER_ATTACHMENTS: &str = attachments!("a.id", " AND a.id < $6 ORDER BY a.id DESC LIMIT $7");

const COUNT: &str = concat!(
    "SELECT (",
    messages!("count(*)", ""),
    ") AS messages, (",
    attachments!("count(*)", ""),
    ") AS attachments"
);

/// A query as PostgreSQL runs it: PostgreSQL stems the terms and writes the tsquery once,
/// for the page, its count and its snippets, which read it back with a cast.
#[derive(Debug, Clone, QueryableByName)]
pub(super) struct Tsquery {
    /// Each group's alternatives `||`, the groups `&&`, each exclusion `&& !!`.
    #[diesel(sql_type = Text)]
    pub(super) exact: String,
    /// When a term is a phrase: the same groups with each phrase's words `&` instead of in
    /// order (`<->`), and no exclusions. Its matches include the query's, and the GIN index
    /// finds them without reading any row's tsvector, where a phrase's order is checked on
    /// every candidate's.
    #[diesel(sql_type = Nullable<Text>)]
    loose: Option<String>,
}

pub(super) fn tsquery(c: &mut PgConnection, query: &Query) -> StoreResult<Tsquery> {
    let terms: Vec<&String> = query.all_of.iter().flatten().chain(&query.none_of).collect();
    let placeholders = |f: &'static str| (1..).map(move |n| format!("{f}('foitrack_english', ${n})"));
    let (mut phrase, mut plain) = (placeholders("phraseto_tsquery"), placeholders("plainto_tsquery"));
    let (mut exact, mut loose) = (Vec::new(), Vec::new());
    for group in &query.all_of {
        let alternatives: Vec<String> = group.iter().filter_map(|_| phrase.next()).collect();
        exact.push(format!("({})", alternatives.join(" || ")));
        let alternatives: Vec<String> = group.iter().filter_map(|_| plain.next()).collect();
        loose.push(format!("({})", alternatives.join(" || ")));
    }
    exact.extend(query.none_of.iter().filter_map(|_| phrase.next()).map(|p| format!("!!{p}")));
    // A term of several words is a phrase; `numnode` counts its words and the `&`s between.
    let phrases: Vec<String> =
        placeholders("plainto_tsquery").take(terms.len()).map(|p| format!("numnode({p}) > 1")).collect();
    let sql = format!(
        "SELECT ({})::text AS exact, CASE WHEN {} THEN ({})::text END AS loose",
        exact.join(" && "),
        phrases.join(" OR "),
        loose.join(" && ")
    );
    let mut built = diesel::sql_query(sql).into_boxed::<diesel::pg::Pg>();
    for t in terms {
        built = built.bind::<Text, _>(t.as_str());
    }
    Ok(built.get_result(c)?)
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
    q: &Tsquery,
    scope: &SearchScope,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<HitRow>> {
    let Some(loose) = &q.loose else {
        return Ok(bound!(PAGE, &q.exact, scope)
            .bind::<BigInt, _>(RANKED)
            .bind::<BigInt, _>(limit)
            .bind::<BigInt, _>(offset)
            .load(c)?);
    };
    let messages = newest_phrase_matches(c, Kind::Message, q, loose, scope)?;
    let attachments = newest_phrase_matches(c, Kind::Attachment, q, loose, scope)?;
    Ok(diesel::sql_query(PHRASE_PAGE)
        .bind::<Text, _>(&q.exact)
        .bind::<Array<BigInt>, _>(messages)
        .bind::<Array<BigInt>, _>(attachments)
        .bind::<BigInt, _>(limit)
        .bind::<BigInt, _>(offset)
        .load(c)?)
}

#[derive(QueryableByName)]
struct Candidate {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Bool)]
    matched: bool,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The ids of a phrase's [`RANKED`] newest matches in one table. The index cannot check a
/// phrase's word order, so PostgreSQL reads the tsvector of every row that has its words (from
/// TOAST, a few µs each), and finds the newest matches only after checking them all: 10,016
/// of them for a phrase in 10% of 100,000 replies, most never shown. Here the newest
/// [`CHECKED_FIRST`] rows with its words are checked first; only if too few of them match are
/// the older ones checked, all at once, as before.
fn newest_phrase_matches(
    c: &mut PgConnection,
    kind: Kind,
    q: &Tsquery,
    loose: &str,
    scope: &SearchScope,
) -> StoreResult<Vec<i64>> {
    let (candidates, older) = match kind {
        Kind::Message => (MESSAGE_CANDIDATES, OLDER_MESSAGES),
        Kind::Attachment => (ATTACHMENT_CANDIDATES, OLDER_ATTACHMENTS),
    };
    let candidates: Vec<Candidate> = bound!(candidates, loose, scope)
        .bind::<BigInt, _>(CHECKED_FIRST)
        .bind::<Text, _>(&q.exact)
        .load(c)?;
    let mut ids: Vec<i64> = candidates.iter().filter(|c| c.matched).map(|c| c.id).collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.truncate(RANKED as usize);
    let wanted = RANKED - ids.len() as i64;
    // Fewer candidates than asked for are all there are.
    let oldest = candidates.iter().map(|c| c.id).min();
    if let Some(oldest) = oldest
        && wanted > 0
        && candidates.len() as i64 == CHECKED_FIRST
    {
        let older: Vec<Id> =
            bound!(older, &q.exact, scope).bind::<BigInt, _>(oldest).bind::<BigInt, _>(wanted).load(c)?;
        ids.extend(older.into_iter().map(|o| o.id));
    }
    Ok(ids)
}

pub(super) fn count(c: &mut PgConnection, q: &Tsquery, scope: &SearchScope) -> StoreResult<Counts> {
    // The planner does not count the cost of reading each row's tsvector, which is stored
    // apart from the row (TOAST): it scans the whole table to count a common word (715 ms at
    // 100,000 replies) where the GIN index finds the rows without reading any (130 ms).
    Ok(c.transaction(|c| {
        diesel::sql_query("SET LOCAL enable_seqscan = off").execute(c)?;
        bound!(COUNT, &q.exact, scope).get_result::<Counts>(c)
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
