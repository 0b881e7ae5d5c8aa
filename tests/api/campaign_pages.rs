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
        ("to", "regions"),
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
    let none = admin.post(&sent, "same-origin", &[("sent_at", "2026-12-01")]).await;
    let said = admin.get(&none.location).await;
    assert!(
        said.text.contains("Nothing was done: tick the requests to act on"),
        "never all by default: {}",
        said.text
    );
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
    assert_eq!(
        viewer.post(&sent, "same-origin", &[("all", "yes"), ("sent_at", "2026-12-01")]).await.status,
        403
    );
    assert_eq!(status(1).await, "draft", "the viewer logged nothing");
    app.stop().await;
}
on_both_backends!(a_campaign_is_created_and_sent_from_its_pages);

/// Bodies imported from their page: checked first, then imported; a file too large, no file, a
/// kind of file there is none of, or a viewer's upload changes nothing.
async fn bodies_are_imported_from_their_page(db: &TestDb) {
    let app = crate::helpers::spawn_app_with(db, |s| s.server.upload_limit_bytes = 4_000).await;
    let admin = signed_in(&app, "admin@example.org").await;
    let form = admin.get("/bodies/import").await;
    assert_eq!(form.status, 200);
    assert!(form.text.contains("enctype=\"multipart/form-data\""));
    let csv = b"name,email,region\nAlpha Trust,foi@alpha.nhs.uk,London\nBeta Trust,not-an-address,London\nGamma Trust,foi@gamma.nhs.uk,\n".to_vec();
    let total = || async { app.get("/api/v1/authorities").await.ok()["total"].clone() };

    let checked = admin
        .upload("/bodies/import", &[("format", "csv"), ("dry_run", "yes")], Some(("bodies.csv", csv.clone())))
        .await;
    assert_eq!(checked.status, 200, "{}", checked.text);
    assert!(checked.text.contains("Checked: nothing was written"), "{}", checked.text);
    assert!(checked.text.contains("3 row(s): 2 new"), "{}", checked.text);
    assert!(checked.text.contains("<td>3</td>"), "the refused row is named by its line: {}", checked.text);
    assert_eq!(total().await, 0);

    let nothing = admin.upload("/bodies/import", &[("format", "csv")], None).await;
    assert_eq!(nothing.status, 422);
    assert!(nothing.text.contains("Choose a file to import."));
    let odd = admin.upload("/bodies/import", &[("format", "xlsx")], Some(("b.csv", csv.clone()))).await;
    assert_eq!(odd.status, 422, "{}", odd.text);
    let huge = admin.upload("/bodies/import", &[], Some(("big.csv", vec![b'a'; 5_000]))).await;
    assert_eq!(huge.status, 413, "{}", huge.text);
    app.user("viewer@example.org", "viewer", Some("default")).await;
    let viewer = signed_in(&app, "viewer@example.org").await;
    let refused = viewer.upload("/bodies/import", &[], Some(("bodies.csv", csv.clone()))).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(total().await, 0, "nothing was imported");

    let imported = admin.upload("/bodies/import", &[("format", "csv")], Some(("bodies.csv", csv))).await;
    assert_eq!(imported.status, 200, "{}", imported.text);
    assert!(imported.text.contains("Imported"), "{}", imported.text);
    assert_eq!(total().await, 2);
    app.stop().await;
}
on_both_backends!(bodies_are_imported_from_their_page);
