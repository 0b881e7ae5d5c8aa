//! The NHS bystander-training survey, from import to an overdue list, and a restart.

use serde_json::json;

use crate::helpers::spawn_app;
use crate::on_both_backends;

async fn survey_from_import_to_overdue_list(db: &crate::helpers::TestDb) {
    let app = spawn_app(db).await;

    let first = app.import_nhs_trusts().await;
    let summary = first.ok();
    assert_eq!(summary["inserted"], 209);
    assert_eq!(summary["rejected"], json!([]));
    let again = app.import_nhs_trusts().await;
    assert_eq!(again.ok()["inserted"], 0);
    assert_eq!(again.ok()["updated"], 0);
    assert_eq!(again.ok()["unchanged"], 209);

    let london =
        app.get("/api/v1/authorities?region=london&per_page=1").await.ok()["total"].as_i64().unwrap();
    assert!(london > 0 && london < 209, "{london}");

    let campaign = app.nhs_campaign().await;
    let shown = app.get(&format!("/api/v1/campaigns/{campaign}")).await;
    assert_eq!(shown.ok()["request_count"], 209);
    assert_eq!(shown.ok()["by_status"]["draft"], 209);

    let page = app.get(&format!("/api/v1/requests?campaign={campaign}&sort=reference&per_page=3")).await;
    let items = page.ok()["items"].as_array().unwrap().clone();
    assert_eq!(page.ok()["total"], 209);
    assert_eq!(items[0]["reference"], "ABT-2021-0001");
    assert_eq!(items[2]["reference"], "ABT-2021-0003");
    let detail = app.get(&format!("/api/v1/requests/{}", items[0]["id"])).await;
    let body = detail.ok()["body"].as_str().unwrap().to_string();
    assert!(
        body.starts_with(&format!("Dear {},", items[0]["authority"]["name"].as_str().unwrap())),
        "{body}"
    );
    assert_eq!(detail.ok()["subject"], "Freedom of Information request [ABT-2021-0001]");

    // All sent on Monday 6 December 2021 at 10:00.
    let sent = app
        .post(&format!("/api/v1/campaigns/{campaign}/sent"), &json!({"sent_at": "2021-12-06T10:00:00Z"}))
        .await;
    assert_eq!(sent.ok()["logged"].as_array().unwrap().len(), 209);
    let again = app
        .post(&format!("/api/v1/campaigns/{campaign}/sent"), &json!({"sent_at": "2021-12-06T10:00:00Z"}))
        .await;
    assert_eq!(again.ok()["skipped"].as_array().unwrap().len(), 209);
    assert_eq!(again.ok()["skipped"][0]["reason"], "already sent on 2021-12-06");

    let id = |i: usize| items[i]["id"].as_i64().unwrap();
    let (acked, answered, clarified) = (id(0), id(1), id(2));
    app.post(
        &format!("/api/v1/requests/{acked}/events"),
        &json!({
            "kind": "acknowledged", "occurred_on": "2021-12-07", "body_reference": "FOI/21/0999"
        }),
    )
    .await
    .ok();
    app.post(&format!("/api/v1/requests/{answered}/events"), &json!({
        "kind": "response_received", "occurred_on": "2021-12-20", "outcome": "partial", "exemptions": ["s.12", "s.40(2)"]
    })).await.ok();
    app.post(
        &format!("/api/v1/requests/{clarified}/events"),
        &json!({"kind": "clarification_requested", "occurred_on": "2021-12-08"}),
    )
    .await
    .ok();

    let on = async |day: &str, id: i64| app.get(&format!("/api/v1/requests/{id}?as_of={day}")).await;
    let r = on("2022-01-07", acked).await;
    assert_eq!(r.ok()["status"], "awaiting_response");
    assert_eq!(r.ok()["due_on"], "2022-01-07");
    assert_eq!(r.ok()["very_overdue_on"], "2022-02-04");
    assert_eq!(r.ok()["body_reference"], "FOI/21/0999");
    assert_eq!(r.ok()["sent_on"], "2021-12-06");
    assert_eq!(on("2022-01-10", acked).await.ok()["status"], "overdue");
    assert_eq!(on("2022-02-07", acked).await.ok()["status"], "very_overdue");
    assert_eq!(on("2022-01-10", answered).await.ok()["status"], "partially_answered");
    let waiting = on("2022-01-10", clarified).await;
    assert_eq!(waiting.ok()["status"], "awaiting_clarification");
    assert_eq!(waiting.ok()["due_on"], serde_json::Value::Null);

    app.post(
        &format!("/api/v1/requests/{clarified}/events"),
        &json!({"kind": "clarification_sent", "occurred_on": "2022-01-10"}),
    )
    .await
    .ok();
    let restarted = on("2022-01-10", clarified).await;
    assert_eq!(restarted.ok()["status"], "awaiting_response");
    assert_eq!(restarted.ok()["clock_started_on"], "2022-01-10");
    assert_eq!(restarted.ok()["due_on"], "2022-02-07");

    // The overdue list on 10 January 2022: everything but the answered and the clarified one.
    let overdue = app
        .get(&format!("/api/v1/requests?campaign={campaign}&overdue=true&as_of=2022-01-10&per_page=500"))
        .await;
    assert_eq!(overdue.ok()["total"], 207);
    let refs: Vec<&str> =
        overdue.ok()["items"].as_array().unwrap().iter().map(|r| r["reference"].as_str().unwrap()).collect();
    assert!(!refs.contains(&"ABT-2021-0002") && !refs.contains(&"ABT-2021-0003"));
    assert_eq!(app.get("/api/v1/requests?status=very_overdue&as_of=2022-02-07").await.ok()["total"], 207);
    assert_eq!(app.get("/api/v1/requests?status=overdue&as_of=2022-02-07").await.ok()["total"], 0);
    assert_eq!(app.get("/api/v1/requests?status=awaiting_response&as_of=2022-02-07").await.ok()["total"], 1);

    let progress = app.get(&format!("/api/v1/campaigns/{campaign}?as_of=2022-01-10")).await;
    let by_status = &progress.ok()["by_status"];
    assert_eq!(by_status["overdue"], 207);
    assert_eq!(by_status["partially_answered"], 1);
    assert_eq!(by_status["awaiting_response"], 1);
    assert_eq!(by_status["draft"], 0);
    // And the same day as the lists above: very overdue, counted apart from overdue.
    let progress = app.get(&format!("/api/v1/campaigns/{campaign}?as_of=2022-02-07")).await;
    let by_status = &progress.ok()["by_status"];
    let late = (&by_status["very_overdue"], &by_status["overdue"], &by_status["awaiting_response"]);
    assert_eq!(late, (&json!(207), &json!(0), &json!(1)), "{by_status}");

    let found = app.get("/api/v1/requests?q=foi/21/09").await;
    assert_eq!(found.ok()["total"], 1);
    assert_eq!(found.ok()["items"][0]["id"], acked);
    let in_london = app.get(&format!("/api/v1/requests?region=London&campaign={campaign}")).await;
    assert_eq!(in_london.ok()["total"], london);
    let due_window = app.get("/api/v1/requests?due_after=2022-02-01&due_before=2022-02-28").await;
    assert_eq!(due_window.ok()["total"], 1);
    let second_page = app.get("/api/v1/requests?sort=reference&page=2&per_page=100").await;
    assert_eq!(second_page.ok()["items"][0]["reference"], "ABT-2021-0101");

    // A restart finds everything where it was.
    let service = app.service.clone();
    app.stop().await;
    drop(service);
    let app = spawn_app(db).await;
    let r = app.get(&format!("/api/v1/requests/{acked}?as_of=2022-01-10")).await;
    assert_eq!(r.ok()["status"], "overdue");
    assert_eq!(r.ok()["events"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.get(&format!("/api/v1/campaigns/{campaign}?as_of=2022-01-10")).await.ok()["by_status"]["overdue"],
        207
    );
    app.stop().await;
}
on_both_backends!(survey_from_import_to_overdue_list);

async fn health_reports_the_database(db: &crate::helpers::TestDb) {
    let app = spawn_app(db).await;
    let response = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "reachable");
    app.stop().await;
}
on_both_backends!(health_reports_the_database);
