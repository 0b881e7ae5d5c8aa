//! Text that becomes one line (names, titles, subjects, references) holds no control character,
//! and every text field has a cap that the error names.

use serde_json::json;

use crate::helpers::{TestDb, spawn_app};
use crate::on_both_backends;

fn campaign(title: &str, subject: &str) -> serde_json::Value {
    json!({
        "title": title,
        "subject_template": subject,
        "body_template": "Dear {{authority.name}},\n\tplease tell us.\r\n",
        "targets": {"all": true}
    })
}

async fn control_characters_and_overlong_text_are_refused(db: &TestDb) {
    let app = spawn_app(db).await;
    let hostile = "Esc \u{1b}[31mRED\u{1b}[0m \u{1b}]0;pwned\u{7} Trust";
    let r = app.post("/api/v1/campaigns", &campaign(hostile, "FOI")).await;
    assert_eq!(
        r.problem(422, "validation"),
        "title: must be one line of text without control characters; it contains U+001B (escape)"
    );
    for (bad, named) in [
        ("\u{b}", "U+000B (a vertical tab)"),
        ("\u{c}", "U+000C (a form feed)"),
        ("\r\nBcc: x@y.org", "U+000D"),
    ] {
        let r = app.post("/api/v1/campaigns", &campaign("T", &format!("FOI{bad} request"))).await;
        let detail = r.problem(422, "validation");
        assert!(detail.starts_with("subject_template: ") && detail.contains(named), "{detail}");
    }
    let long = app.post("/api/v1/campaigns", &campaign(&"x".repeat(201), &"s".repeat(301))).await;
    assert_eq!(
        long.problem(422, "validation"),
        "title: must be at most 200 characters long (it has 201); \
         subject_template: must be at most 300 characters long (it has 301)"
    );
    let body = app
        .post("/api/v1/requests", &json!({"authority_id": 1, "subject": "S", "body": "b".repeat(50_001)}))
        .await;
    assert_eq!(body.problem(422, "validation"), "body: must be at most 50000 characters long (it has 50001)");
    let subject =
        app.post("/api/v1/requests", &json!({"authority_id": 1, "subject": "S\nX", "body": "b"})).await;
    assert!(subject.problem(422, "validation").starts_with("subject: must be one line"));
    let user =
        app.post("/api/v1/users", &json!({"email": "a@uni.ac.uk", "name": hostile, "role": "viewer"})).await;
    assert!(user.problem(422, "validation").starts_with("name: must be one line"));
    let label = app.post("/api/v1/tokens", &json!({"label": "ci\u{1b}[2J"})).await;
    assert!(label.problem(422, "validation").starts_with("label: must be one line"));
    // A body, with its line breaks and tabs, is fine; nothing above was stored.
    let campaigns = app.get("/api/v1/campaigns").await;
    assert_eq!(campaigns.ok()["total"], 0);
    app.stop().await;
}
on_both_backends!(control_characters_and_overlong_text_are_refused);

async fn event_references_are_one_line(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = app.nhs_campaign().await;
    let id = app.first_request(campaign).await;
    app.post(&format!("/api/v1/requests/{id}/sent"), &json!({"sent_at": "2021-12-06"})).await.ok();
    let r = app
        .post(
            &format!("/api/v1/requests/{id}/events"),
            &json!({"kind": "acknowledged", "body_reference": "FOI\u{1b}[8m-123"}),
        )
        .await;
    assert!(r.problem(422, "validation").starts_with("body_reference: must be one line"));
    let note = app
        .post(&format!("/api/v1/requests/{id}/events"), &json!({"kind": "note", "note": "x".repeat(20_001)}))
        .await;
    assert_eq!(note.problem(422, "validation"), "note: must be at most 20000 characters long (it has 20001)");
    app.stop().await;
}
on_both_backends!(event_references_are_one_line);

/// A NUL in a text filter used to turn the filter off (every body came back); it is refused,
/// as NUL in a body is.
async fn nul_in_a_filter_is_refused(db: &TestDb) {
    let app = spawn_app(db).await;
    app.import_nhs_trusts().await.ok();
    for path in [
        "/api/v1/authorities?q=%00zzz",
        "/api/v1/authorities?region=%00",
        "/api/v1/authorities?tag=a%00",
        "/api/v1/requests?q=%00zzz",
        "/api/v1/requests?region=%00London",
    ] {
        let r = app.get(path).await;
        assert!(r.problem(422, "validation").contains("NUL"), "{path}");
    }
    assert_eq!(app.get("/api/v1/authorities?q=zzz").await.ok()["total"], 0);
    app.stop().await;
}
on_both_backends!(nul_in_a_filter_is_refused);

/// A London time in the spring gap never happened: refused with the reason, not stored as UTC.
/// A time in the autumn hour that happens twice is read as British Summer Time.
async fn london_times_that_do_not_exist_are_refused(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = app.nhs_campaign().await;
    let id = app.first_request(campaign).await;
    let gap = app.post(&format!("/api/v1/requests/{id}/sent"), &json!({"sent_at": "2021-03-28T01:30"})).await;
    let detail = gap.problem(422, "validation");
    assert!(detail.starts_with("sent_at: 2021-03-28T01:30 does not exist in London"), "{detail}");
    let twice =
        app.post(&format!("/api/v1/requests/{id}/sent"), &json!({"sent_at": "2021-10-31T01:30"})).await;
    assert_eq!(twice.ok()["details"]["sent_at"], "2021-10-31T00:30:00Z");
    app.stop().await;
}
on_both_backends!(london_times_that_do_not_exist_are_refused);
