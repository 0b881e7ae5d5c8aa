//! Creating a campaign and acting on its requests from its page, on both backends: the form
//! kept when refused, the bulk actions on the ticked requests or on all, and chasing switched
//! on and off; a viewer may do none of it.

use crate::coding_pages::signed_in;
use crate::helpers::{TestDb, spawn_app};
use crate::on_both_backends;

async fn a_campaign_is_created_and_sent_from_its_pages(db: &TestDb) {
    let app = spawn_app(db).await;
    let csv = "name,email,region\nAlpha Trust,foi@alpha.nhs.uk,London\nBeta Trust,foi@beta.nhs.uk,London\nGamma Trust,,North West\n";
    app.post_raw("/api/v1/authorities/import", "text/csv", csv).await.ok();
    let admin = signed_in(&app, "admin@example.org").await;
    let form = admin.get("/campaigns/new").await;
    assert_eq!(form.status, 200, "{}", form.text);
    assert!(form.text.contains("Dear {{authority.name}},"), "the letter starts from a sample");
    assert!(form.text.contains("<option value=\"default\""), "{}", form.text);

    // Refused with the form as it was typed; nothing made.
    let letter = "Dear {{authority.nme}},\r\nPlease tell us.";
    let typo =
        [("title", "Bystanders"), ("subject", "FOI {{request.reference}}"), ("body", letter), ("all", "yes")];
    let refused = admin.post("/campaigns/new", "same-origin", &typo).await;
    assert_eq!(refused.status, 422);
    assert!(refused.text.contains("authority.nme"), "{}", refused.text);
    assert!(refused.text.contains("value=\"Bystanders\""), "{}", refused.text);
    let untitled =
        admin.post("/campaigns/new", "same-origin", &[("subject", "x"), ("body", "y"), ("all", "yes")]).await;
    assert_eq!(untitled.status, 422, "{}", untitled.text);
    assert_eq!(app.get("/api/v1/campaigns").await.ok()["total"], 0, "nothing was created");

    // Made for the bodies of one region, with its requests.
    let london = [
        ("title", "Bystanders"),
        ("prefix", "BYS-2026"),
        ("regime", "foia"),
        ("subject", "FOI {{request.reference}}"),
        ("body", "Dear {{authority.name}},\r\nPlease tell us."),
        ("regions", "London"),
    ];
    let made = admin.post("/campaigns/new", "same-origin", &london).await;
    assert_eq!(made.status, 303, "{}", made.text);
    let page = admin.get(&made.location).await;
    assert!(page.text.contains("2 request(s) under foia"), "{}", page.text);
    let campaign: i64 = made.location.rsplit('/').next().unwrap().parse().unwrap();
    let requests = app.get(&format!("/api/v1/requests?campaign={campaign}&sort=reference")).await;
    let ids: Vec<String> = requests.ok()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap().to_string())
        .collect();
    let status = |i: usize| {
        let app = &app;
        let id = ids[i].clone();
        async move { app.get(&format!("/api/v1/requests/{id}")).await.ok()["status"].clone() }
    };

    // Bulk: a bad date does nothing; the ticked one is sent by email; the rest logged as sent.
    let sent = format!("/campaigns/{campaign}/sent");
    let bad = admin.post(&sent, "same-origin", &[("request", &ids[0]), ("sent_at", "tomorrow-ish")]).await;
    assert_eq!(bad.status, 303);
    let said = admin.get(&bad.location).await;
    assert!(said.text.contains("Nothing was done:"), "{}", said.text);
    assert_eq!(status(0).await, "draft");
    let queued =
        admin.post(&format!("/campaigns/{campaign}/send"), "same-origin", &[("request", &ids[1])]).await;
    let said = admin.get(&queued.location).await;
    assert!(said.text.contains("Queued 1 message(s) to send"), "{}", said.text);
    let logged = admin.post(&sent, "same-origin", &[("request", &ids[0]), ("sent_at", "2026-12-01")]).await;
    let said = admin.get(&logged.location).await;
    assert!(said.text.contains("Logged 1 request(s) as sent; 0 left as they were."), "{}", said.text);
    assert_eq!(status(0).await, "awaiting_response");
    assert!(!admin.get(&logged.location).await.text.contains("Logged 1"), "said once");

    // Chasing on, then off.
    let chase = format!("/campaigns/{campaign}/chasers");
    let on = admin.post(&chase, "same-origin", &[("enabled", "yes")]).await;
    let said = admin.get(&on.location).await;
    assert!(said.text.contains("Late bodies will be chased.") && said.text.contains("Stop chasing"));
    assert_eq!(app.get(&format!("/api/v1/campaigns/{campaign}")).await.ok()["chasers_enabled"], true);
    admin.post(&chase, "same-origin", &[("enabled", "no")]).await;
    assert_eq!(app.get(&format!("/api/v1/campaigns/{campaign}")).await.ok()["chasers_enabled"], false);

    // A viewer sees the campaign but may change nothing.
    app.user("viewer@example.org", "viewer", Some("default")).await;
    let viewer = signed_in(&app, "viewer@example.org").await;
    assert_eq!(viewer.get("/campaigns/new").await.status, 403);
    assert_eq!(viewer.post("/campaigns/new", "same-origin", &london).await.status, 403);
    assert_eq!(viewer.post(&chase, "same-origin", &[("enabled", "yes")]).await.status, 403);
    assert_eq!(viewer.post(&sent, "same-origin", &[("sent_at", "2026-12-01")]).await.status, 403);
    assert_eq!(status(1).await, "draft", "the viewer logged nothing");
    app.stop().await;
}
on_both_backends!(a_campaign_is_created_and_sent_from_its_pages);
