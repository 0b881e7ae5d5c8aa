//! Text search in references (`GET /api/v1/requests?q=`): our reference or the body's, anywhere
//! in either, whatever the case, with the text taken literally. Three characters or more come
//! from a trigram index on both stores, which must find what a scan of every row would.

use serde_json::json;

use crate::helpers::{TestApp, spawn_app};
use crate::on_both_backends;

async fn total(app: &TestApp, q: &str) -> i64 {
    let q = urlencoding(q);
    let found = app.get(&format!("/api/v1/requests?q={q}&per_page=1")).await;
    found.ok()["total"].as_i64().expect("a total")
}

fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' { (b as char).to_string() } else { format!("%{b:02X}") }
        })
        .collect()
}

/// Runs an FTS5 command on SQLite's trigram index; `false` on PostgreSQL, which has none.
fn fts(app: &TestApp, command: &str) -> bool {
    use diesel::RunQueryDsl;
    let mut conn = app.service.db().conn().unwrap();
    let foitrack::store::AnyConnection::Sqlite(c) = &mut *conn else { return false };
    let sql = match command {
        "integrity-check" => {
            format!("INSERT INTO requests_references (requests_references, rank) VALUES ('{command}', 1)")
        }
        _ => format!("INSERT INTO requests_references (requests_references) VALUES ('{command}')"),
    };
    diesel::sql_query(sql).execute(c).unwrap();
    true
}

async fn acknowledge(app: &TestApp, id: i64, on: &str, reference: &str) {
    let ack = app
        .post(
            &format!("/api/v1/requests/{id}/events"),
            &json!({"kind": "acknowledged", "occurred_on": on, "body_reference": reference}),
        )
        .await;
    assert!(ack.status < 300, "{}", ack.body);
}

async fn references_are_found_from_any_part_of_them(db: &crate::helpers::TestDb) {
    let app = spawn_app(db).await;
    let campaign = app.nhs_campaign().await;
    let page = app.get(&format!("/api/v1/requests?campaign={campaign}&sort=reference&per_page=3")).await;
    let ids: Vec<i64> =
        page.ok()["items"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();

    // Ours, 209 of them: ABT-2021-0001 … ABT-2021-0209.
    assert_eq!(total(&app, "ABT-2021-0042").await, 1);
    assert_eq!(total(&app, "abt-2021-0042").await, 1, "any case");
    assert_eq!(total(&app, "2021-004").await, 10, "0040 to 0049");
    assert_eq!(total(&app, "0042").await, 1);
    assert_eq!(total(&app, "42").await, 2, "two characters, looked for row by row: 0042 and 0142");
    assert_eq!(total(&app, "20_1").await, 0, "an underscore is itself, not any character");
    assert_eq!(total(&app, "20%1").await, 0, "a percent sign is itself");
    assert_eq!(total(&app, "ABT-2021-0042X").await, 0);

    let at = json!({"sent_at": "2021-12-06T10:00:00Z"});
    assert_eq!(app.post(&format!("/api/v1/campaigns/{campaign}/sent"), &at).await.status, 200);

    // The bodies' own, with quotes and lower case in them.
    acknowledge(&app, ids[0], "2021-12-07", "Our ref \"FOI\"/21/0999").await;
    acknowledge(&app, ids[1], "2021-12-08", "foi-2021-77").await;
    assert_eq!(total(&app, "\"FOI\"/21").await, 1, "quotes are searched as themselves");
    assert_eq!(total(&app, "FOI-2021").await, 1);
    assert_eq!(total(&app, "foi").await, 2);
    assert_eq!(total(&app, "\"").await, 1, "one character");

    // A body that renumbers its case is found by the new number only.
    let again = app
        .post(
            &format!("/api/v1/requests/{}/events", ids[1]),
            &json!({"kind": "acknowledged", "occurred_on": "2021-12-09", "body_reference": "CASE-555"}),
        )
        .await;
    assert!(again.status < 300, "{}", again.body);
    assert_eq!(total(&app, "case-555").await, 1);
    assert_eq!(total(&app, "2021-77").await, 0, "the old number is no longer indexed");

    // On SQLite the search goes through the index: emptied, it finds nothing of three
    // characters or more, and rebuilt from the table (as the migration does), all again.
    if fts(&app, "delete-all") {
        assert_eq!(total(&app, "ABT-2021-0042").await, 0, "the index answers, not a scan");
        assert_eq!(total(&app, "42").await, 2, "two characters are looked for row by row");
        fts(&app, "rebuild");
        assert_eq!(total(&app, "ABT-2021-0042").await, 1);
        assert_eq!(total(&app, "case-555").await, 1);
        assert!(fts(&app, "integrity-check"), "the index holds what the table says");
    }

    // And within one campaign, and one workspace.
    let within = app.get(&format!("/api/v1/requests?q=2021-00&campaign={campaign}&workspace=default")).await;
    assert_eq!(within.ok()["total"], 99, "0001 to 0099");
    app.stop().await;
}
on_both_backends!(references_are_found_from_any_part_of_them);
