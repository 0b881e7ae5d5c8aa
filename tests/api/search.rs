//! `GET /api/v1/search` over replies of the corpus delivered through the webhook: words,
//! stems, phrases, alternatives and exclusions; attachments; filters; the holding pens;
//! another workspace's replies; and queries that must be refused or must not break the index.
//! Thousands of replies stored straight into the store, and searched there, show which hits a
//! phrase ranks.

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::helpers::TestDb;
use crate::inbound::{World, renamed, world};
use crate::on_both_backends;

fn search(q: &str, extra: &[(&str, &str)]) -> String {
    let mut url = reqwest::Url::parse("http://x/api/v1/search").unwrap();
    url.query_pairs_mut().append_pair("q", q).extend_pairs(extra);
    format!("{}?{}", url.path(), url.query().unwrap())
}

/// The corpus replies searched below: a plain reply to request 1, a reply to requests 1 and 2,
/// an inline uuencoded note to request 3, and an unmatched message in the site's pen.
async fn delivered(db: &TestDb) -> World {
    let w = world(db).await;
    for file in ["response_plain.eml", "several_requests.eml", "uuencoded.eml", "unmatched.eml"] {
        assert_eq!(w.deliver(w.expand(file)).await.status, 202, "{file}");
    }
    w
}

async fn waiting(app: &TestApp) -> i64 {
    app.get("/api/v1/holding-pen").await.ok()["items"][0]["id"].as_i64().unwrap()
}

/// SQLite's own check that its search indexes hold exactly what their views say; `None` when
/// they do, or on PostgreSQL, whose generated columns cannot disagree with their rows.
fn index_problem(app: &TestApp) -> Option<String> {
    use diesel::RunQueryDsl;
    let mut conn = app.service.db().conn().unwrap();
    let foitrack::store::AnyConnection::Sqlite(c) = &mut *conn else { return None };
    ["inbound_messages_search", "inbound_attachments_search"].iter().find_map(|table| {
        let check = format!("INSERT INTO {table} ({table}, rank) VALUES ('integrity-check', 1)");
        diesel::sql_query(check).execute(c).err().map(|e| format!("{table}: {e}"))
    })
}

/// (references, attachment file name) of each hit, in order.
fn hits(page: &Value) -> Vec<(Vec<String>, Option<String>)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let refs = h["requests"].as_array().unwrap();
            let refs = refs.iter().map(|r| r["reference"].as_str().unwrap().to_string()).collect();
            (refs, h["attachment"]["filename"].as_str().map(str::to_string))
        })
        .collect()
}

fn refs(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The highlighted passages of a hit, lower-cased.
fn highlighted(hit: &Value) -> Vec<String> {
    let text: Vec<char> = hit["snippet"].as_str().unwrap().chars().collect();
    hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (a, b) = (r[0].as_u64().unwrap() as usize, r[1].as_u64().unwrap() as usize);
            text[a..b].iter().collect::<String>().to_lowercase()
        })
        .collect()
}

async fn replies_and_attachments_are_found_with_their_requests(db: &TestDb) {
    let w = delivered(db).await;
    let app = &w.app;

    // A phrase, with the request and a snippet that marks the words.
    let found = app.get(&search(r#""not held""#, &[])).await;
    let found = found.ok();
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(hits(found), vec![(refs(&["ABT-2021-0001"]), None)]);
    let hit = &found["items"][0];
    assert!(hit["snippet"].as_str().unwrap().contains("not held"), "{hit}");
    // SQLite marks the phrase, PostgreSQL each of its words wherever they are.
    assert!(highlighted(hit).join(" ").contains("not held"), "{hit}");
    assert!(hit["rank"].as_f64().unwrap() > 0.0);
    assert_eq!(hit["outcome"], "response");
    assert_eq!(hit["from"], "foi@alpha-trust.nhs.uk");

    // Stems: "trained" is found by "training" and the other way round; the note is an
    // attachment of request 3's reply.
    let found = app.get(&search("staff training", &[])).await;
    let found = hits(found.ok());
    assert!(found.contains(&(refs(&["ABT-2021-0003"]), Some("note.txt".into()))), "{found:?}");
    assert!(found.contains(&(refs(&["ABT-2021-0001", "ABT-2021-0002"]), None)), "{found:?}");

    // Alternatives and exclusions.
    let either = app.get(&search("intervening OR 2000", &[])).await;
    assert_eq!(either.ok()["total"], 2, "{}", either.body);
    let without = app.get(&search("bystander -region", &[])).await;
    let without = hits(without.ok());
    assert!(without.contains(&(refs(&["ABT-2021-0001"]), None)), "{without:?}");
    assert!(
        !without.iter().any(|(r, _)| r.len() == 2),
        "the shared service's reply names its region: {without:?}"
    );

    // OR binds tighter than the space, and an exclusion applies to the whole search, on both
    // stores: (intervening or held) and trust; (region or intervening) without trust.
    let grouped = app.get(&search("intervening OR held trust", &[])).await;
    assert_eq!(hits(grouped.ok()), vec![(refs(&["ABT-2021-0001"]), None)]);
    let excluded = app.get(&search("region OR intervening -trust", &[])).await;
    assert_eq!(hits(excluded.ok()), vec![(vec![], None)], "only the pen's message has no Trust");

    // The site-wide pen is searched for a site administrator, and its message has no requests.
    let pen = app.get(&search("intervening safely", &[])).await;
    assert_eq!(hits(pen.ok()), vec![(vec![], None)]);
    let in_default = app.get(&search("intervening safely", &[("workspace", "default")])).await;
    assert_eq!(in_default.ok()["total"], 0, "a named workspace leaves out the site's pen");

    // Filters: one request, one campaign; an unknown id is a 404.
    let request = w.ids[1].to_string();
    let only = app.get(&search("bystander", &[("request", &request)])).await;
    assert_eq!(hits(only.ok()), vec![(refs(&["ABT-2021-0001", "ABT-2021-0002"]), None)]);
    let campaign = app.get(&format!("/api/v1/requests/{}", w.ids[0])).await.ok()["campaign_id"].clone();
    let campaign = campaign.as_i64().unwrap().to_string();
    let in_campaign = app.get(&search("bystander", &[("campaign", &campaign)])).await;
    assert_eq!(in_campaign.ok()["total"], 2, "{}", in_campaign.body);
    app.get(&search("bystander", &[("request", "999999")])).await.problem(404, "not-found");
    app.get(&search("bystander", &[("campaign", "999999")])).await.problem(404, "not-found");

    // Paging keeps the order.
    let all = app.get(&search("trust", &[])).await;
    let all = hits(all.ok());
    assert!(all.len() >= 3, "{all:?}");
    let second = app.get(&search("trust", &[("page", "2"), ("per_page", "1")])).await;
    assert_eq!(hits(second.ok()), vec![all[1].clone()]);

    // Nothing for a member of another workspace, even for a word in every reply.
    app.user("b-owner@example.org", "researcher", None).await;
    let ws = json!({"slug": "team-b", "name": "Team B", "owner": "b-owner@example.org"});
    app.post("/api/v1/workspaces", &ws).await.ok();
    let (outsider, _) = app.user("b-viewer@example.org", "viewer", Some("team-b")).await;
    let seen = app.get_as(&outsider, &search("trust", &[])).await;
    assert_eq!(
        (seen.ok()["total"].as_i64(), seen.body["items"].as_array().map(Vec::len)),
        (Some(0), Some(0))
    );
    let request = w.ids[0].to_string();
    app.get_as(&outsider, &search("trust", &[("request", &request)])).await.problem(404, "not-found");
}
on_both_backends!(replies_and_attachments_are_found_with_their_requests);

/// Phrases, read page by page, within a request and excluded, on both stores; and the same
/// answer whether the count is read beside the page, on a spare connection, or after it.
async fn phrases_are_counted_and_paged_as_words_are(db: &TestDb) {
    let w = delivered(db).await;
    let app = &w.app;
    let gamma = refs(&["ABT-2021-0003"]);
    // In request 3's message and in its attachment.
    let all = app.get(&search(r#""gamma trust""#, &[])).await;
    let all = all.ok();
    assert_eq!((all["total"].as_i64(), all["ranked"].as_i64()), (Some(2), Some(2)), "{all}");
    let mut found = hits(all);
    found.sort();
    assert_eq!(found, vec![(gamma.clone(), None), (gamma.clone(), Some("note.txt".into()))]);
    // One by one, in the same order, and past the end: no hits, the same total.
    for page in 1..=3 {
        let one =
            app.get(&search(r#""gamma trust""#, &[("page", &page.to_string()), ("per_page", "1")])).await;
        let one = one.ok();
        assert_eq!(one["total"], 2, "page {page}: {one}");
        let expected: Vec<_> = hits(all).into_iter().skip(page - 1).take(1).collect();
        assert_eq!(hits(one), expected, "page {page}");
    }
    // Within one request: the reply to requests 1 and 2 has "the Trust", and so does request
    // 1's own reply.
    assert_eq!(app.get(&search(r#""the trust""#, &[])).await.ok()["total"], 2);
    let request = w.ids[1].to_string();
    let within = app.get(&search(r#""the trust""#, &[("request", &request)])).await;
    assert_eq!(hits(within.ok()), vec![(refs(&["ABT-2021-0001", "ABT-2021-0002"]), None)]);
    // Excluded: "trust" without "the trust" leaves request 3's message and its attachment.
    let without = app.get(&search(r#"trust -"the trust""#, &[])).await;
    let mut without = hits(without.ok());
    without.sort();
    assert_eq!(without, found);
    // Another team sees none of it, and its total says so.
    app.user("b-owner@example.org", "researcher", None).await;
    let ws = json!({"slug": "team-b", "name": "Team B", "owner": "b-owner@example.org"});
    app.post("/api/v1/workspaces", &ws).await.ok();
    let (outsider, _) = app.user("b-viewer@example.org", "viewer", Some("team-b")).await;
    let seen = app.get_as(&outsider, &search(r#""gamma trust""#, &[])).await;
    assert_eq!((seen.ok()["total"].as_i64(), hits(&seen.body)), (Some(0), vec![]));
    // No connection to spare: every idle one is held but the one the search takes.
    let admin = app.service.authenticate(&app.token).unwrap();
    let query = foitrack::service::search::SearchQuery { q: "trust".into(), ..Default::default() };
    let beside = app.service.search(&admin, &query).unwrap();
    let held: Vec<_> = std::iter::from_fn(|| app.service.db().spare_conn()).collect();
    assert!(!held.is_empty(), "the pool had connections to spare");
    assert!(app.service.db().spare_conn().is_none());
    let after = app.service.search(&admin, &query).unwrap();
    let messages = |page: &foitrack::service::search::SearchPage| -> Vec<_> {
        page.items.iter().map(|h| (h.message, h.attachment.as_ref().map(|a| a.position))).collect()
    };
    assert_eq!((after.total, messages(&after)), (beside.total, messages(&beside)));
    assert_eq!(after.total, 4, "three messages and an attachment");
    drop(held);
}
on_both_backends!(phrases_are_counted_and_paged_as_words_are);

/// A phrase whose words are in more replies than it is. PostgreSQL checks the newest replies
/// with its words first, and the older ones only when too few of those match; either way the
/// ranked hits are the phrase's newest matches, messages and attachments alike, on both stores.
async fn a_phrase_ranks_its_newest_matches_wherever_they_are(db: &TestDb) {
    use diesel::Connection;
    use foitrack::store::search::{self as store, CHECKED_FIRST, RANKED, SearchScope};
    let app = crate::helpers::spawn_app(db).await;
    let by = app.service.authenticate(&app.token).unwrap().user_id;
    let mut conn = app.service.db().conn().unwrap();
    let workspace = foitrack::store::workspaces::by_slug(&mut conn, "default").unwrap().unwrap().id;
    // Two in three replies have "not held"; the others its words out of order. Each has an
    // attachment saying the same.
    let replies = RANKED * 5 / 3;
    assert!(replies > CHECKED_FIRST && CHECKED_FIRST * 2 / 3 < RANKED, "both ways are taken");
    let phrased = |n: i64| n % 3 != 0;
    let ids = conn
        .transaction(|c| {
            (0..replies).map(|n| bulk_reply(c, by, workspace, n, phrased(n))).collect::<Result<Vec<_>, _>>()
        })
        .unwrap();
    // The newest reply with the phrase is discarded: found no more, counted no more.
    let gone = *ids.last().unwrap();
    assert!(phrased(replies - 1));
    let at = chrono::Utc::now().naive_utc();
    assert!(foitrack::store::inbound::discard(&mut conn, gone, by, at, "test").unwrap());
    let scope = SearchScope { workspaces: &[workspace], site: false, request_id: None, campaign_id: None };
    let mut ranked = |q: &str| {
        let query = foitrack::domain::search::Query::parse(q).unwrap();
        let prepared = store::prepare(&mut conn, &query).unwrap();
        let total = store::count(&mut conn, &prepared, &scope).unwrap().total();
        let hits = store::page(&mut conn, &prepared, &scope, 4 * RANKED, 0).unwrap();
        assert!(hits.windows(2).all(|w| w[0].rank >= w[1].rank), "{q}: best first");
        let of = |files: bool| {
            let mut found: Vec<i64> =
                hits.iter().filter(|h| h.attachment_id.is_some() == files).map(|h| h.inbound_id).collect();
            found.sort_unstable_by(|a, b| b.cmp(a));
            found
        };
        (total, of(false), of(true))
    };
    // The newest replies, with or without the phrase, their attachments the same.
    let newest = |with: Option<bool>| -> (i64, Vec<i64>, Vec<i64>) {
        let matching: Vec<i64> = (0..replies)
            .filter(|&n| with.is_none_or(|p| phrased(n) == p) && ids[n as usize] != gone)
            .map(|n| ids[n as usize])
            .rev()
            .collect();
        let shown: Vec<i64> = matching.iter().copied().take(RANKED as usize).collect();
        (2 * matching.len() as i64, shown.clone(), shown)
    };
    // Two in three of the newest replies with its words have the phrase: too few, so the
    // older ones are checked too.
    same(r#""not held""#, ranked(r#""not held""#), newest(Some(true)));
    // Left out, it leaves a third of the replies, all found.
    same("it -\"not held\"", ranked(r#"it -"not held""#), newest(Some(false)));
    // Every reply has this one: the newest suffice.
    same(r#""it is""#, ranked(r#""it is""#), newest(None));
}

/// The same total and hits, told apart first by their count and ends rather than by
/// thousands of ids.
fn same(q: &str, found: (i64, Vec<i64>, Vec<i64>), wanted: (i64, Vec<i64>, Vec<i64>)) {
    let ends = |ids: &[i64]| (ids.len(), ids.first().copied(), ids.last().copied());
    assert_eq!(
        (found.0, ends(&found.1), ends(&found.2)),
        (wanted.0, ends(&wanted.1), ends(&wanted.2)),
        "{q}: total, then messages and attachments (how many, newest, oldest)"
    );
    assert!(found == wanted, "{q}: the same ends but other hits between");
}
on_both_backends!(a_phrase_ranks_its_newest_matches_wherever_they_are);

/// A reply stored straight into the workspace, with one attachment of the same text; the
/// reply's id returned.
fn bulk_reply(
    c: &mut foitrack::store::AnyConnection,
    by: i64,
    workspace: i64,
    n: i64,
    phrased: bool,
) -> foitrack::store::StoreResult<i64> {
    use foitrack::domain::inbound::{Extraction, MatchedBy, Outcome};
    use foitrack::store::inbound::{self, NewAttachment, NewInbound};
    let body = if phrased { "It is not held." } else { "Held? It is not." };
    let at = chrono::NaiveDate::from_ymd_opt(2022, 1, 10).unwrap().and_hms_opt(9, 0, 0).unwrap();
    let sha = format!("{n:064x}");
    let id = inbound::insert(
        c,
        &NewInbound {
            sha256: &sha,
            message_id: Some(&format!("<bulk.{n}@trust.nhs.uk>")),
            workspace_id: Some(workspace),
            source: "test",
            outcome: Outcome::Response,
            matched_by: MatchedBy::SubjectReference,
            reason: None,
            delivery_status: None,
            from_address: Some("foi@trust.nhs.uk"),
            subject: "RE: Freedom of Information request",
            sent_at: None,
            received_at: at + chrono::Duration::seconds(n),
            body_text: body,
            body_html: None,
            suggestions: "[]",
            size: body.len() as i64,
            raw: b"",
            raw_in_directory: false,
            received_by: by,
        },
    )?;
    inbound::insert_attachment(
        c,
        &NewAttachment {
            inbound_id: id,
            position: 1,
            filename: Some("reply.txt"),
            declared_type: "text/plain",
            content_type: "text/plain",
            size: body.len() as i64,
            sha256: &sha,
            data: body.as_bytes(),
            extraction: Extraction::Ok,
            extraction_error: None,
            extracted_text: Some(body),
        },
    )?;
    Ok(id)
}

async fn assigning_and_discarding_move_a_message_in_the_index(db: &TestDb) {
    let w = delivered(db).await;
    let app = &w.app;
    // Assigned: found with its request, in its request's workspace.
    let id = waiting(app).await;
    let assign = json!({"request_id": w.ids[0]});
    app.post(&format!("/api/v1/holding-pen/{id}/assign"), &assign).await.ok();
    let found = app.get(&search("intervening", &[("workspace", "default")])).await;
    assert_eq!(hits(found.ok()), vec![(refs(&["ABT-2021-0001"]), None)]);
    // Discarded: found no more.
    let again = renamed(w.expand("unmatched.eml"), "again");
    assert_eq!(w.deliver(again).await.status, 202);
    let id = waiting(app).await;
    app.post(&format!("/api/v1/holding-pen/{id}/discard"), &json!({"reason": "not ours"})).await;
    let found = app.get(&search("intervening", &[])).await;
    assert_eq!(found.ok()["total"], 1, "only the assigned one: {}", found.body);
    if let Some(problem) = index_problem(app) {
        panic!("the search index no longer matches the messages: {problem}");
    }
}
on_both_backends!(assigning_and_discarding_move_a_message_in_the_index);

async fn bad_and_hostile_queries_get_a_clear_answer(db: &TestDb) {
    let w = delivered(db).await;
    let app = &w.app;
    let refused = |reply: crate::helpers::Reply| {
        reply.problem(422, "validation");
        assert_eq!(reply.body["errors"][0]["field"], "q", "{}", reply.body);
        reply.body["errors"][0]["message"].as_str().unwrap().to_string()
    };
    for q in ["", "   ", r#"" " -- ..."#] {
        let why = refused(app.get(&search(q, &[])).await);
        assert!(why.contains("say what to look for"), "{q:?}: {why}");
    }
    assert!(refused(app.get(&search("-trust", &[])).await).contains("only words to leave out"));
    assert!(refused(app.get(&search(&"held ".repeat(120), &[])).await).contains("at most 500 characters"));
    let missing = app.get("/api/v1/search").await;
    assert!(matches!(missing.status, 400 | 422), "{}", missing.body);
    // Each of these is an operator or a syntax error to FTS5 or to_tsquery when passed raw.
    for q in [
        r#"NEAR(held trust)"#,
        "subject:held",
        "held*",
        "(held",
        "held AND",
        "^held",
        "'held",
        "held:*",
        "!held",
        "held & trust | x",
        r#"held""#,
        "held\0trust",
        "\u{E000}held",
    ] {
        let found = app.get(&search(q, &[])).await;
        assert_eq!(found.status, 200, "{q}: {}", found.body);
    }
    app.get(&search("held", &[("per_page", "0")])).await.problem(422, "validation");
    let unknown = app.get(&search("held", &[("bogus", "1")])).await;
    assert!(matches!(unknown.status, 400 | 422), "{}", unknown.body);
}
on_both_backends!(bad_and_hostile_queries_get_a_clear_answer);

/// A body of 480,000 characters of distinct words (about 1.9 MB of them in a tsvector, where
/// PostgreSQL takes at most 1 MB) is stored; its first words are found, and its last, past
/// the 100,000 characters indexed, are not. A stray snippet mark in it fakes nothing.
async fn a_huge_hostile_reply_is_stored_and_searchable(db: &TestDb) {
    let w = world(db).await;
    let words: String = (0..160_000u32)
        .map(|i| {
            let a = char::from_u32(0x4E00 + i % 20_000).unwrap();
            let b = char::from_u32(0x4E00 + i / 20_000).unwrap();
            format!("{a}{b} ")
        })
        .collect();
    let body = format!("Zebracorn \u{E000}marked\u{E001} reply.\n{words}\nAfterlimit.");
    let raw = format!(
        "From: foi@alpha-trust.nhs.uk\r\nTo: someone@example.org\r\nSubject: Huge\r\nMessage-ID: <huge@alpha>\r\n\
         Content-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    );
    // Larger than the webhook takes in the tests: through the service, as `foitrack ingest`.
    let by = w.app.get("/api/v1/me").await.ok()["user_id"].as_i64().unwrap();
    let service = w.app.service.clone();
    let stored = tokio::task::spawn_blocking(move || {
        let arrival =
            foitrack::service::ingest::Arrival { raw: raw.as_bytes(), source: "huge.eml", pen: None, by };
        service.ingest(arrival)
    });
    let stored = stored.await.unwrap().unwrap();
    assert_eq!(stored.outcome, foitrack::domain::inbound::Outcome::Response, "{stored:?}");
    let found = w.app.get(&search("zebracorn", &[])).await;
    let found = found.ok();
    assert_eq!(found["total"], 1, "{found}");
    let hit = &found["items"][0];
    assert!(!hit["snippet"].as_str().unwrap().contains(['\u{E000}', '\u{E001}']), "{hit}");
    assert_eq!(highlighted(hit), ["zebracorn"], "{hit}");
    assert_eq!(w.app.get(&search("afterlimit", &[])).await.ok()["total"], 0);
}
on_both_backends!(a_huge_hostile_reply_is_stored_and_searchable);

/// A reply addressed to requests of two teams belongs to both: each team's search finds it,
/// each seeing only its own request on the hit, and the index stays whole.
async fn a_reply_to_two_teams_is_found_by_each(db: &TestDb) {
    use crate::inbound::{DOMAIN, SECRET};
    use foitrack::service::outbox::reply_address;
    let w = world(db).await;
    let app = &w.app;
    let (b_owner, _) = app.user("b-owner@example.org", "researcher", None).await;
    let ws = json!({"slug": "team-b", "name": "Team B", "owner": "b-owner@example.org"});
    app.post("/api/v1/workspaces", &ws).await.ok();
    // The owner is in the default workspace too; this viewer only in team B.
    let (b_viewer, _) = app.user("b-only@example.org", "viewer", Some("team-b")).await;
    let study = json!({
        "title": "Team B study", "reference_prefix": "TB-2021", "subject_template": "FOI",
        "body_template": "Dear {{authority.name}},", "targets": {"all": true}, "workspace": "team-b"
    });
    let campaign = app.post_as(&b_owner, "/api/v1/campaigns", &study).await.ok()["id"].as_i64().unwrap();
    let page = app
        .get_as(&b_owner, &format!("/api/v1/requests?campaign={campaign}&sort=reference&per_page=1"))
        .await;
    let b_request = page.ok()["items"][0]["id"].as_i64().unwrap();
    let b_reference = page.body["items"][0]["reference"].as_str().unwrap().to_string();
    let raw = format!(
        "From: FOI Office <foi@alpha-trust.nhs.uk>\r\nTo: {}\r\nCc: {}\r\nSubject: Your two requests\r\n\
         Date: Tue, 18 Jan 2022 09:00:00 +0000\r\nMessage-ID: <both.teams@alpha-trust.nhs.uk>\r\n\r\n\
         We answer both teams at once: no zebracorn training was given.\r\n",
        reply_address(SECRET, DOMAIN, w.ids[0]),
        reply_address(SECRET, DOMAIN, b_request),
    );
    let stored = w.deliver(raw.into_bytes()).await;
    let mut matched: Vec<String> =
        stored.body["requests"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_string()).collect();
    matched.sort();
    assert_eq!(matched, ["ABT-2021-0001".to_string(), b_reference.clone()], "{}", stored.body);

    for (token, reference) in [(&app.token, "ABT-2021-0001"), (&b_viewer, b_reference.as_str())] {
        let found = app.get_as(token, &search("zebracorn", &[])).await;
        assert_eq!(found.ok()["total"], 1, "{reference}: {}", found.body);
        let hit: Vec<&str> = found.body["items"][0]["requests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["reference"].as_str().unwrap())
            .collect();
        assert_eq!(hit, [reference], "each team sees only its own request");
    }
    assert_eq!(index_problem(app), None);
    w.app.stop().await;
}
on_both_backends!(a_reply_to_two_teams_is_found_by_each);
