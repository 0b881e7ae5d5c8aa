//! Search on PostgreSQL: `@@` a tsquery on the generated `search` columns, found through their
//! GIN indexes, ranked by `ts_rank_cd`. The tsquery is built from the parse, one
//! `phraseto_tsquery` a term, so that grouping is the parse's and no text is read as syntax.

use diesel::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool, Double, Nullable, Text};

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

/// The newest matches of each table ($6 of them), ranked; then the page ($7, $8).
const PAGE: &str = concat!(
    "SELECT * FROM ((",
    messages!(
        "m.id AS inbound_id, NULL::int8 AS attachment_id, ts_rank_cd(m.search, q)::float8 AS rank",
        " ORDER BY m.id DESC LIMIT $6"
    ),
    ") UNION ALL (",
    attachments!("a.inbound_id, a.id, ts_rank_cd(a.search, q)::float8", " ORDER BY a.id DESC LIMIT $6"),
    ")) hits ORDER BY rank DESC, inbound_id DESC, attachment_id NULLS FIRST LIMIT $7 OFFSET $8"
);

const COUNT: &str = concat!(
    "SELECT (",
    messages!("count(*)", ""),
    ") AS messages, (",
    attachments!("count(*)", ""),
    ") AS attachments"
);

/// For a phrase: the matches of each table found once ($1 to $5 as above), counted, and the
/// newest $6 of each ranked into the page ($7, $8). Checking a phrase reads each candidate's
/// tsvector from TOAST to compare word positions (about 5 µs a row); [`PAGE`] and [`COUNT`]
/// would each do it, and the page would read it twice more, to check and to rank. One row per
/// hit with the counts beside it, or one row of counts alone when the page is empty.
const PHRASE: &str = concat!(
    "WITH mm AS MATERIALIZED (",
    messages!("m.id", ""),
    "), am AS MATERIALIZED (",
    attachments!("a.id", ""),
    "), hits AS ((SELECT m.id AS inbound_id, NULL::int8 AS attachment_id, \
                         ts_rank_cd(m.search, q)::float8 AS rank \
                  FROM inbound_messages m, CAST($1 AS tsquery) q \
                  WHERE m.id IN (SELECT id FROM mm ORDER BY id DESC LIMIT $6)) \
                 UNION ALL \
                 (SELECT a.inbound_id, a.id, ts_rank_cd(a.search, q)::float8 \
                  FROM inbound_attachments a, CAST($1 AS tsquery) q \
                  WHERE a.id IN (SELECT id FROM am ORDER BY id DESC LIMIT $6)) \
                 ORDER BY rank DESC, inbound_id DESC, attachment_id NULLS FIRST LIMIT $7 OFFSET $8) \
     SELECT c.messages, c.attachments, h.inbound_id, h.attachment_id, h.rank \
     FROM (SELECT (SELECT count(*) FROM mm) AS messages, (SELECT count(*) FROM am) AS attachments) c \
          LEFT JOIN hits h ON true \
     ORDER BY h.rank DESC, h.inbound_id DESC, h.attachment_id NULLS FIRST"
);

#[derive(QueryableByName)]
struct PhraseRow {
    #[diesel(sql_type = BigInt)]
    messages: i64,
    #[diesel(sql_type = BigInt)]
    attachments: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    inbound_id: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    attachment_id: Option<i64>,
    #[diesel(sql_type = Nullable<Double>)]
    rank: Option<f64>,
}

/// Whether a tsquery's text compares word positions (`<->`, `<2>`): outside its quoted
/// lexemes, where `'` is doubled.
fn positional(tsquery: &str) -> bool {
    let mut quoted = false;
    tsquery.chars().any(|c| {
        if c == '\'' {
            quoted = !quoted;
        }
        !quoted && c == '<'
    })
}

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

pub(super) fn search(
    c: &mut PgConnection,
    q: &str,
    scope: &SearchScope,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<HitRow>, Counts)> {
    macro_rules! bound {
        ($sql:expr) => {
            diesel::sql_query($sql)
                .bind::<Text, _>(q)
                .bind::<Array<BigInt>, _>(scope.workspaces)
                .bind::<Bool, _>(scope.site)
                .bind::<Nullable<BigInt>, _>(scope.request_id)
                .bind::<Nullable<BigInt>, _>(scope.campaign_id)
        };
    }
    // The planner does not count the cost of reading each row's tsvector, which is stored
    // apart from the row (TOAST): it scans the whole table to count a common word (715 ms at
    // 100,000 replies) where the GIN index finds the rows without reading any (130 ms).
    let no_seqscan = |c: &mut PgConnection| diesel::sql_query("SET LOCAL enable_seqscan = off").execute(c);
    if positional(q) {
        let rows: Vec<PhraseRow> = c.transaction(|c| {
            no_seqscan(c)?;
            bound!(PHRASE)
                .bind::<BigInt, _>(RANKED)
                .bind::<BigInt, _>(limit)
                .bind::<BigInt, _>(offset)
                .load(c)
        })?;
        let counts = rows
            .first()
            .map_or_else(Counts::default, |r| Counts { messages: r.messages, attachments: r.attachments });
        let hits = rows
            .into_iter()
            .filter_map(|r| {
                Some(HitRow { inbound_id: r.inbound_id?, attachment_id: r.attachment_id, rank: r.rank? })
            })
            .collect();
        return Ok((hits, counts));
    }
    let hits =
        bound!(PAGE).bind::<BigInt, _>(RANKED).bind::<BigInt, _>(limit).bind::<BigInt, _>(offset).load(c)?;
    let counts = c.transaction(|c| {
        no_seqscan(c)?;
        bound!(COUNT).get_result::<Counts>(c)
    })?;
    Ok((hits, counts))
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

#[cfg(test)]
mod tests {
    use super::positional;

    #[test]
    fn a_phrase_is_told_by_its_operators_outside_lexemes() {
        assert!(positional("'not' <-> 'held'"));
        assert!(positional("'a' <2> 'b' & 'c'"));
        assert!(!positional("'bystand' & 'train'"));
        assert!(!positional("'inform' | !'x'"));
        assert!(!positional("'a<->b' & 'it''s<'"), "within quotes, a doubled quote included");
        assert!(positional("'it''s' <-> 'x'"));
    }
}
