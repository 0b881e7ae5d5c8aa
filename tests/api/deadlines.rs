//! The calculator, request clocks and bank holiday updates over HTTP.

use serde_json::json;

use crate::helpers::{TestDb, spawn_app};
use crate::on_both_backends;

const BUNDLED: &str = include_str!("../../config/uk-bank-holidays.json");

/// The bundled feed with one more English bank holiday on Wednesday 5 January 2022.
fn feed_with_extra_day() -> String {
    let mut feed: serde_json::Value = serde_json::from_str(BUNDLED).unwrap();
    feed["england-and-wales"]["events"]
        .as_array_mut()
        .unwrap()
        .push(json!({"title": "Extra bank holiday", "date": "2022-01-05", "notes": "", "bunting": true}));
    feed.to_string()
}

async fn the_calculator_shows_its_working(db: &TestDb) {
    let app = spawn_app(db).await;
    let r = app.get("/api/v1/deadline?regime=foia&received=2021-12-06").await;
    let v = r.ok();
    assert_eq!(v["regime"], "foia");
    assert_eq!(v["received_on"], "2021-12-06");
    assert_eq!(v["due_on"], "2022-01-07");
    assert_eq!(v["very_overdue_on"], "2022-02-04");
    let skipped = v["skipped"].as_array().unwrap();
    let scottish = skipped.iter().find(|s| s["date"] == "2022-01-04").unwrap();
    assert_eq!(scottish["reason"], "2nd January (substitute day)");
    assert_eq!(scottish["divisions"], json!(["scotland"]));
    assert_eq!(skipped.len(), 12);

    let foisa = app.get("/api/v1/deadline?regime=foisa&received=2022-03-15").await;
    assert_eq!(foisa.ok()["due_on"], "2022-04-12");
    let ten = app.get("/api/v1/deadline?received=2021-12-06&days=10").await;
    assert_eq!(ten.ok()["due_on"], "2021-12-20");
    assert_eq!(ten.ok()["regime"], "foia");

    app.get("/api/v1/deadline?regime=gdpr&received=2021-12-06").await.problem(422, "validation");
    let bad = app.get("/api/v1/deadline?received=2021-02-30").await;
    assert!(bad.problem(422, "validation").contains("is not a date"));
    let missing = app.get("/api/v1/deadline").await;
    assert_eq!(missing.problem(422, "validation"), "received: give the date of receipt, as YYYY-MM-DD");
    app.get("/api/v1/deadline?received=2021-12-06&days=0").await.problem(422, "validation");
    app.get("/api/v1/deadline?received=2021-12-06&days=-1").await.problem(422, "validation");

    let regimes = app.get("/api/v1/regimes").await;
    let names: Vec<&str> =
        regimes.ok().as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["eir", "eisr", "foia", "foisa"]);
    app.stop().await;
}
on_both_backends!(the_calculator_shows_its_working);

async fn a_request_explains_its_clock(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = app.nhs_campaign().await;
    let id = app.first_request(campaign).await;
    let events = format!("/api/v1/requests/{id}/events");
    app.post(&format!("/api/v1/requests/{id}/sent"), &json!({"sent_at": "2021-12-02", "channel": "post"}))
        .await
        .ok();
    app.post(&events, &json!({"kind": "clarification_requested", "occurred_on": "2021-12-08"})).await.ok();
    app.post(&events, &json!({"kind": "clarification_sent", "occurred_on": "2022-01-10"})).await.ok();
    app.post(&events, &json!({"kind": "extension_claimed", "occurred_on": "2022-02-01"})).await.ok();

    let clock = app.get(&format!("/api/v1/requests/{id}/deadline?as_of=2022-02-10")).await;
    let c = clock.ok();
    assert_eq!(c["received_on"], "2021-12-06", "posted on Thursday, received two working days later");
    assert_eq!(c["clock_started_on"], "2022-01-10");
    assert_eq!(c["original_due_on"], "2022-02-07");
    assert_eq!(c["due_on"], "2022-03-07");
    assert_eq!(c["status"], "awaiting_response");
    let steps = c["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 4);
    assert!(steps[0]["effect"].as_str().unwrap().contains("posted, so received 2 working days later"));
    assert_eq!(
        steps[3]["effect"],
        "Extension claimed: due 2022-03-07 (20 further working days) instead of 2022-02-07."
    );
    let shown = app.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(shown.ok()["original_due_on"], "2022-02-07");
    assert_eq!(shown.ok()["received_on"], "2021-12-06");

    let override_receipt = app.get(&format!("/api/v1/requests/{}/deadline", id + 1)).await;
    assert_eq!(override_receipt.ok()["steps"], json!([]));
    app.post(
        &format!("/api/v1/requests/{}/sent", id + 1),
        &json!({"sent_at": "2021-12-03", "received_on": "2021-12-06"}),
    )
    .await
    .ok();
    assert_eq!(app.get(&format!("/api/v1/requests/{}", id + 1)).await.ok()["due_on"], "2022-01-07");
    app.get("/api/v1/requests/999999/deadline").await.problem(404, "not-found");
    app.stop().await;
}
on_both_backends!(a_request_explains_its_clock);

async fn new_bank_holidays_move_open_deadlines(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = app.nhs_campaign().await;
    app.post(&format!("/api/v1/campaigns/{campaign}/sent"), &json!({"sent_at": "2021-12-06"})).await.ok();
    let page = app.get(&format!("/api/v1/requests?campaign={campaign}&sort=reference&per_page=2")).await;
    let (open, answered) =
        (page.ok()["items"][0]["id"].as_i64().unwrap(), page.ok()["items"][1]["id"].as_i64().unwrap());
    app.post(
        &format!("/api/v1/requests/{answered}/events"),
        &json!({"kind": "response_received", "occurred_on": "2021-12-20", "outcome": "full"}),
    )
    .await
    .ok();

    let viewer = app.post("/api/v1/users", &json!({"email": "v@example.org", "role": "researcher"})).await;
    let researcher = viewer.ok()["token"]["token"].as_str().unwrap().to_string();
    let refused = app
        .client
        .post(app.url("/api/v1/holidays/import"))
        .bearer_auth(&researcher)
        .body(feed_with_extra_day())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    let broken =
        app.post_raw("/api/v1/holidays/import", "application/json", "{\"england-and-wales\": 1}").await;
    assert!(broken.problem(422, "validation").starts_with("The file cannot be used"));

    let dry =
        app.post_raw("/api/v1/holidays/import?dry_run=true", "application/json", feed_with_extra_day()).await;
    assert_eq!(dry.ok()["added"][0]["date"], "2022-01-05");
    assert_eq!(dry.ok()["requests_updated"].as_array().unwrap().len(), 208);
    assert_eq!(
        app.get(&format!("/api/v1/requests/{open}")).await.ok()["due_on"],
        "2022-01-07",
        "a dry run changes nothing"
    );

    let done = app.post_raw("/api/v1/holidays/import", "application/json", feed_with_extra_day()).await;
    assert_eq!(done.ok()["requests_updated"].as_array().unwrap().len(), 208);
    assert_eq!(done.ok()["removed"], json!([]));
    let moved = app.get(&format!("/api/v1/requests/{open}")).await;
    assert_eq!(moved.ok()["due_on"], "2022-01-10");
    let last = moved.ok()["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["kind"], "deadline_recalculated");
    assert!(last["note"].as_str().unwrap().contains("due 2022-01-07 → 2022-01-10"), "{last}");
    let untouched = app.get(&format!("/api/v1/requests/{answered}")).await;
    assert_eq!(untouched.ok()["due_on"], "2022-01-07");
    assert_eq!(untouched.ok()["events"].as_array().unwrap().len(), 2);
    // The calculator and new events follow the new holidays.
    assert_eq!(app.get("/api/v1/deadline?received=2021-12-06").await.ok()["due_on"], "2022-01-10");
    let by_hand =
        app.post(&format!("/api/v1/requests/{open}/events"), &json!({"kind": "deadline_recalculated"})).await;
    by_hand.problem(422, "validation");
    // A second import of the same file changes nothing more.
    let again = app.post_raw("/api/v1/holidays/import", "application/json", feed_with_extra_day()).await;
    assert_eq!(again.ok()["requests_updated"], json!([]));
    assert_eq!(again.ok()["added"], json!([]));
    app.stop().await;
}
on_both_backends!(new_bank_holidays_move_open_deadlines);
