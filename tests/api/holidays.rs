//! Holiday rules kept fresh: stored deadlines brought up to a new build's rules once, and
//! warnings when the holiday data in force runs out.

use chrono::NaiveDate;
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use foitrack::service::Service;
use foitrack::store::Db;
use serde_json::json;

use crate::helpers::{TestDb, spawn_app};
use crate::on_both_backends;

/// Runs SQL straight on the test database, as an older build would have left it.
fn execute(db: &TestDb, sql: &str) {
    match db.url.strip_prefix("sqlite://") {
        Some(path) => diesel::sql_query(sql).execute(&mut SqliteConnection::establish(path).unwrap()),
        None => diesel::sql_query(sql).execute(&mut PgConnection::establish(&db.url).unwrap()),
    }
    .unwrap();
}

fn open(db: &TestDb) -> Service {
    Service::new(Db::open(&db.url, 2, std::time::Duration::from_secs(5)).unwrap(), Vec::new()).unwrap()
}

async fn a_new_build_recalculates_stored_deadlines_once(db: &TestDb) {
    let app = spawn_app(db).await;
    assert_eq!(app.service.refresh_holiday_rules().unwrap(), Vec::<String>::new(), "nothing stored yet");
    let campaign = app.nhs_campaign().await;
    app.post(&format!("/api/v1/campaigns/{campaign}/sent"), &json!({"sent_at": "2026-06-01"})).await.ok();
    let id = app.first_request(campaign).await;
    assert_eq!(app.get(&format!("/api/v1/requests/{id}")).await.ok()["due_on"], "2026-06-30");
    // An older build knew nothing of 15 June 2026 and stored its own fingerprint.
    execute(db, &format!("UPDATE requests SET due_on = '2026-06-29' WHERE id = {id}"));
    execute(db, "UPDATE holiday_rules SET fingerprint = 'an older build'");

    // Two instances start together; exactly one does the work.
    let (a, b) = (open(db), open(db));
    let (first, second) = std::thread::scope(|s| {
        let one = s.spawn(|| a.refresh_holiday_rules().unwrap());
        let two = s.spawn(|| b.refresh_holiday_rules().unwrap());
        (one.join().unwrap(), two.join().unwrap())
    });
    let mut moved = [first, second].concat();
    moved.sort();
    assert_eq!(moved, vec!["ABT-2021-0001".to_string()]);

    let request = app.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(request.ok()["due_on"], "2026-06-30");
    let events = request.ok()["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[1]["kind"], "deadline_recalculated");
    assert!(events[1]["note"].as_str().unwrap().contains("due 2026-06-29 → 2026-06-30"), "{}", events[1]);
    assert_eq!(open(db).refresh_holiday_rules().unwrap(), Vec::<String>::new(), "only once");
    // A rolling upgrade or a rollback: another build's rules were applied after this one's. This
    // build starting again must not flip the deadlines back.
    execute(db, &format!("UPDATE requests SET due_on = '2026-06-29' WHERE id = {id}"));
    execute(
        db,
        "INSERT INTO holiday_rules (fingerprint, applied_at) VALUES ('a later build', '2026-12-01 00:00:00')",
    );
    assert_eq!(open(db).refresh_holiday_rules().unwrap(), Vec::<String>::new(), "once per build, ever");
    execute(db, &format!("UPDATE requests SET due_on = '2026-06-30' WHERE id = {id}"));
    // The other requests were right already and carry no new event.
    let other = app.get(&format!("/api/v1/requests/{}", id + 1)).await;
    assert_eq!(other.ok()["events"].as_array().unwrap().len(), 1);
    app.stop().await;
}
on_both_backends!(a_new_build_recalculates_stored_deadlines_once);

async fn healthz_warns_when_the_holiday_data_runs_out(db: &TestDb) {
    let app = spawn_app(db).await;
    let day = |s: &str| s.parse::<NaiveDate>().unwrap();
    // The bundled feed lists 2019–2027.
    assert_eq!(app.service.warnings(day("2026-12-31")).unwrap(), Vec::<String>::new());
    let late = app.service.warnings(day("2027-01-01")).unwrap();
    assert_eq!(late.len(), 1);
    assert!(late[0].starts_with("The bank holiday data in force ends with 2027."), "{late:?}");

    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    let body: serde_json::Value = health.json().await.unwrap();
    let today = foitrack::domain::london::today();
    assert_eq!(body["warnings"], json!(app.service.warnings(today).unwrap()));

    let mut feed: serde_json::Value =
        serde_json::from_str(include_str!("../../config/uk-bank-holidays.json")).unwrap();
    for division in ["england-and-wales", "scotland", "northern-ireland"] {
        feed[division]["events"].as_array_mut().unwrap().retain(|e| e["date"].as_str().unwrap() < "2021");
    }
    app.post_raw("/api/v1/holidays/import", "application/json", feed.to_string()).await.ok();
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let body: serde_json::Value = health.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    let warning = body["warnings"][0].as_str().unwrap();
    assert!(warning.starts_with("The bank holiday data in force ends with 2020."), "{body}");
    assert!(warning.contains("foitrack holidays update"), "{body}");
    app.stop().await;
}
on_both_backends!(healthz_warns_when_the_holiday_data_runs_out);
