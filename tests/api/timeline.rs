//! Events over HTTP: refusals that explain themselves, retractions, and concurrent writers.

use serde_json::json;

use crate::helpers::{TestApp, TestDb, join_all, spawn_app};
use crate::on_both_backends;

async fn first_request(app: &TestApp) -> i64 {
    let campaign = app.nhs_campaign().await;
    let page = app.get(&format!("/api/v1/requests?campaign={campaign}&sort=reference&per_page=1")).await;
    page.ok()["items"][0]["id"].as_i64().unwrap()
}

async fn senseless_events_are_refused_with_a_reason(db: &TestDb) {
    let app = spawn_app(db).await;
    let id = first_request(&app).await;
    let events = format!("/api/v1/requests/{id}/events");

    let early = app
        .post(&events, &json!({"kind": "response_received", "occurred_on": "2021-12-20", "outcome": "full"}))
        .await;
    let detail = early.problem(409, "conflict");
    assert_eq!(
        detail,
        "The request has not been sent yet, so a response cannot be recorded; log it as sent first."
    );

    app.post(
        &format!("/api/v1/requests/{id}/sent"),
        &json!({"sent_at": "2021-12-06", "channel": "email", "address": "foi@trust.nhs.uk"}),
    )
    .await
    .ok();
    let twice = app.post(&format!("/api/v1/requests/{id}/sent"), &json!({"sent_at": "2021-12-07"})).await;
    assert_eq!(twice.problem(409, "conflict"), "The request was already recorded as sent on 2021-12-06.");

    let before = app.post(&events, &json!({"kind": "acknowledged", "occurred_on": "2021-12-01"})).await;
    assert_eq!(
        before.problem(409, "conflict"),
        "An acknowledgement cannot be dated 2021-12-01: the request was only sent on 2021-12-06."
    );

    let unasked =
        app.post(&events, &json!({"kind": "clarification_sent", "occurred_on": "2021-12-09"})).await;
    assert!(unasked.problem(409, "conflict").contains("after the body asked for one"));

    let future = app.post(&events, &json!({"kind": "acknowledged", "occurred_on": "2099-01-01"})).await;
    assert!(future.problem(409, "conflict").contains("in the future"));

    let no_outcome =
        app.post(&events, &json!({"kind": "response_received", "occurred_on": "2021-12-20"})).await;
    no_outcome.problem(422, "validation");
    assert_eq!(no_outcome.body["errors"][0]["field"], "outcome");

    let misplaced = app.post(&events, &json!({"kind": "acknowledged", "outcome": "full"})).await;
    misplaced.problem(422, "validation");
    assert_eq!(misplaced.body["errors"][0]["field"], "outcome");

    let sent_by_event = app.post(&events, &json!({"kind": "sent"})).await;
    assert!(sent_by_event.problem(422, "validation").contains("/sent"));

    // Nothing above changed the request.
    let r = app.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(r.ok()["events"].as_array().unwrap().len(), 1);
    assert_eq!(r.ok()["sent_to"], "foi@trust.nhs.uk");
    app.stop().await;
}
on_both_backends!(senseless_events_are_refused_with_a_reason);

async fn a_mistake_is_retracted_not_deleted(db: &TestDb) {
    let app = spawn_app(db).await;
    let id = first_request(&app).await;
    let events = format!("/api/v1/requests/{id}/events");
    app.post(&format!("/api/v1/requests/{id}/sent"), &json!({"sent_at": "2021-12-06T09:00"})).await.ok();
    let wrong = app
        .post(
            &events,
            &json!({"kind": "response_received", "occurred_on": "2021-12-10", "outcome": "refused"}),
        )
        .await;
    let wrong_id = wrong.ok()["id"].as_i64().unwrap();
    assert_eq!(app.get(&format!("/api/v1/requests/{id}?as_of=2021-12-13")).await.ok()["status"], "refused");

    let retraction = app.post(&events, &json!({"kind": "retraction", "retracts": wrong_id, "note": "that reply was for another request"})).await;
    let retraction_id = retraction.ok()["id"].as_i64().unwrap();
    let r = app.get(&format!("/api/v1/requests/{id}?as_of=2021-12-13")).await;
    assert_eq!(r.ok()["status"], "awaiting_response");
    assert_eq!(r.ok()["outcome"], serde_json::Value::Null);
    let timeline = r.ok()["events"].as_array().unwrap();
    assert_eq!(timeline.len(), 3, "history is kept");
    assert_eq!(timeline[1]["retracted_by"], retraction_id);

    let again = app.post(&events, &json!({"kind": "retraction", "retracts": wrong_id})).await;
    assert_eq!(again.problem(409, "conflict"), format!("Event {wrong_id} has already been retracted."));
    let elsewhere = app.post(&events, &json!({"kind": "retraction", "retracts": 999_999})).await;
    elsewhere.problem(409, "conflict");
    app.stop().await;
}
on_both_backends!(a_mistake_is_retracted_not_deleted);

async fn concurrent_sendings_record_exactly_one(db: &TestDb) {
    let app = spawn_app(db).await;
    let id = first_request(&app).await;
    let path = format!("/api/v1/requests/{id}/sent");
    let attempts = (0..12).map(|i| {
        let day = format!("2021-12-{:02}", 1 + i);
        let app = &app;
        let path = path.clone();
        async move { app.post(&path, &json!({"sent_at": day})).await.status }
    });
    let statuses = join_all(attempts).await;
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
    let r = app.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(r.ok()["events"].as_array().unwrap().len(), 1);
    app.stop().await;
}
on_both_backends!(concurrent_sendings_record_exactly_one);

async fn a_request_outside_a_campaign(db: &TestDb) {
    let app = spawn_app(db).await;
    app.import_nhs_trusts().await.ok();
    let body = app.get("/api/v1/authorities?per_page=1").await.ok()["items"][0]["id"].as_i64().unwrap();
    let created = app
        .post(
            "/api/v1/requests",
            &json!({"authority_id": body, "subject": "Board papers", "body": "Please send…"}),
        )
        .await;
    assert_eq!(created.status, 201);
    let id = created.ok()["id"].as_i64().unwrap();
    assert_eq!(created.ok()["reference"], format!("REQ-{id:06}"));
    assert_eq!(created.ok()["status"], "draft");
    assert_eq!(created.ok()["campaign_id"], serde_json::Value::Null);
    let unknown =
        app.post("/api/v1/requests", &json!({"authority_id": 999_999, "subject": "x", "body": "y"})).await;
    unknown.problem(422, "validation");
    app.stop().await;
}
on_both_backends!(a_request_outside_a_campaign);

async fn bulk_sending_skips_withdrawn_drafts(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = app.nhs_campaign().await;
    let page = app.get(&format!("/api/v1/requests?campaign={campaign}&sort=reference&per_page=2")).await;
    let withdrawn = page.ok()["items"][0]["id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/requests/{withdrawn}/events"),
        &json!({"kind": "withdrawn", "note": "trust merged"}),
    )
    .await
    .ok();
    let sent =
        app.post(&format!("/api/v1/campaigns/{campaign}/sent"), &json!({"sent_at": "2021-12-06"})).await;
    assert_eq!(sent.ok()["logged"].as_array().unwrap().len(), 208);
    assert_eq!(sent.ok()["skipped"][0]["reason"], "withdrawn before it was sent");
    let outside = app
        .post(
            &format!("/api/v1/campaigns/{campaign}/sent"),
            &json!({"sent_at": "2021-12-06", "request_ids": [999_999]}),
        )
        .await;
    assert_eq!(outside.body["errors"][0]["field"], "request_ids");
    app.post(&format!("/api/v1/campaigns/{}/sent", campaign + 100), &json!({"sent_at": "2021-12-06"}))
        .await
        .problem(404, "not-found");
    app.stop().await;
}
on_both_backends!(bulk_sending_skips_withdrawn_drafts);
