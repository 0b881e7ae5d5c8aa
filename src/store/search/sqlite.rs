//! Search on SQLite: one FTS5 `MATCH` per table that names both the scopes the searcher may
//! see (the `scope` column's `w<workspace id>` tokens; `w0` is the site-wide pen) and the
//! query, kept to the text columns, so that no match is joined to its message to be checked.

use diesel::SqliteConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use super::{Counts, HitRow, Kind, Marked, RANKED, SNIPPET_WORDS, SearchScope};
use crate::domain::search::{MARK_END, MARK_START, Query};
use crate::store::StoreResult;

// The request and campaign filters; ?3 is the request id, ?4 the campaign id.
macro_rules! messages_of {
    ($id:expr) => {
        concat!(
            "(?3 IS NULL OR ",
            $id,
            " IN (SELECT inbound_id FROM inbound_links WHERE request_id = ?3)) \
             AND (?4 IS NULL OR ",
            $id,
            " IN (SELECT l.inbound_id FROM inbound_links l \
                JOIN requests r ON r.id = l.request_id WHERE r.campaign_id = ?4))"
        )
    };
}

// ?1 and ?2 are the MATCH expressions for messages and attachments. bm25 is lower for better
// matches; the scope column weighs nothing, the subject and file name three times the text.
macro_rules! messages {
    ($select:expr, $tail:expr) => {
        concat!(
            "SELECT ",
            $select,
            " FROM inbound_messages_search \
             WHERE inbound_messages_search MATCH ?1 AND ",
            messages_of!("rowid"),
            $tail
        )
    };
}
macro_rules! attachments {
    ($select:expr, $tail:expr) => {
        concat!(
            "SELECT ",
            $select,
            " FROM inbound_attachments_search \
             JOIN inbound_attachments a ON a.id = inbound_attachments_search.rowid \
             WHERE inbound_attachments_search MATCH ?2 AND ",
            messages_of!("a.inbound_id"),
            $tail
        )
    };
}

/// The newest matches of each table, ranked; then the page. The window's size is bound
/// (?5), and so are the page's (?6, ?7).
const PAGE: &str = concat!(
    "SELECT * FROM (SELECT * FROM (",
    messages!(
        "rowid AS inbound_id, NULL AS attachment_id, -bm25(inbound_messages_search, 0.0, 3.0, 1.0) AS rank",
        " ORDER BY rowid DESC LIMIT ?5"
    ),
    ") UNION ALL SELECT * FROM (",
    attachments!(
        "a.inbound_id, a.id, -bm25(inbound_attachments_search, 0.0, 3.0, 1.0)",
        " ORDER BY inbound_attachments_search.rowid DESC LIMIT ?5"
    ),
    ")) ORDER BY rank DESC, inbound_id DESC, attachment_id LIMIT ?6 OFFSET ?7"
);

const COUNT: &str = concat!(
    "SELECT (",
    messages!("count(*)", ""),
    ") AS messages, (",
    attachments!("count(*)", ""),
    ") AS attachments"
);

/// `scope : ("w1" OR "w2") AND {a b} : (query)`.
fn expression(query: &Query, scope: &SearchScope, columns: &str) -> String {
    let mut tokens: Vec<String> = scope.workspaces.iter().map(|id| format!("\"w{id}\"")).collect();
    if scope.site {
        tokens.push("\"w0\"".into());
    }
    format!("scope : ({}) AND {{{columns}}} : ({})", tokens.join(" OR "), query.to_fts5())
}

/// The two MATCH expressions, messages' then attachments', and the filters, bound.
macro_rules! bound {
    ($sql:expr, $query:expr, $scope:expr) => {
        diesel::sql_query($sql)
            .bind::<Text, _>(expression($query, $scope, "subject body_text"))
            .bind::<Text, _>(expression($query, $scope, "filename extracted_text"))
            .bind::<Nullable<BigInt>, _>($scope.request_id)
            .bind::<Nullable<BigInt>, _>($scope.campaign_id)
    };
}

pub(super) fn page(
    c: &mut SqliteConnection,
    query: &Query,
    scope: &SearchScope,
    limit: i64,
    offset: i64,
) -> StoreResult<Vec<HitRow>> {
    Ok(bound!(PAGE, query, scope)
        .bind::<BigInt, _>(RANKED)
        .bind::<BigInt, _>(limit)
        .bind::<BigInt, _>(offset)
        .load(c)?)
}

pub(super) fn count(c: &mut SqliteConnection, query: &Query, scope: &SearchScope) -> StoreResult<Counts> {
    Ok(bound!(COUNT, query, scope).get_result::<Counts>(c)?)
}

/// The text column's snippet when it holds a match, else the subject's or the file name's.
/// The scope column is never shown.
pub(super) fn snippets(
    c: &mut SqliteConnection,
    query: &Query,
    kind: Kind,
    ids: &[i64],
) -> StoreResult<Vec<Marked>> {
    let (table, columns) = match kind {
        Kind::Attachment => ("inbound_attachments_search", "filename extracted_text"),
        Kind::Message => ("inbound_messages_search", "subject body_text"),
    };
    let text = format!("snippet({table}, 2, ?1, ?2, '…', {SNIPPET_WORDS})");
    let sql = format!(
        "SELECT rowid AS id, CASE WHEN instr({text}, ?1) > 0 THEN {text} \
            ELSE snippet({table}, 1, ?1, ?2, '…', {SNIPPET_WORDS}) END AS snippet \
         FROM {table} WHERE {table} MATCH ?3 AND rowid IN (SELECT value FROM json_each(?4))"
    );
    Ok(diesel::sql_query(sql)
        .bind::<Text, _>(MARK_START.to_string())
        .bind::<Text, _>(MARK_END.to_string())
        .bind::<Text, _>(format!("{{{columns}}} : ({})", query.to_fts5()))
        .bind::<Text, _>(super::json_ids(ids))
        .load(c)?)
}
