//! The request page's forms, on both backends: a reply classified with its suggestion ticked
//! in advance, an event recorded and retracted; every refused form (no choice, a wrong date, a
//! kind that is none, a reply classified twice, a viewer, another site) records nothing and
//! says why.

use crate::coding_pages::signed_in;
use crate::helpers::TestDb;
use crate::inbound::world;
use crate::on_both_backends;

async fn a_reply_is_classified_and_events_recorded_from_the_request_page(db: &TestDb) {
    let w = world(db).await;
    let app = &w.app;
    let request = w.ids[0];
    let message = w.deliver(w.expand("response_plain.eml")).await.body["id"].as_i64().unwrap();
    let admin = signed_in(app, "admin@example.org").await;
    let path = format!("/requests/{request}");
    let page = admin.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("value=\"not_held\" checked> not held (suggested)"), "{}", page.text);
    assert!(page.text.contains("Suggested from the words"), "the suggestion says why");
    assert!(page.text.contains("<title>ABT-2021-0001 · foitrack</title>"), "{}", page.text);
    assert_eq!(page.text.matches("What is the reply").count(), 1, "one form per reply");
    let classify = format!("/requests/{request}/replies/{message}/classify");
    let events = || async { app.get(&format!("/api/v1/requests/{request}/events")).await.ok().clone() };
    let before = events().await;

    // Refused, each with why; nothing recorded.
    let none = admin.post(&classify, "same-origin", &[("classification", "")]).await;
    assert_eq!(none.status, 422);
    assert!(none.text.contains("Say what the reply is."), "{}", none.text);
    let wrong_day = admin
        .post(&classify, "same-origin", &[("classification", "not_held"), ("occurred_on", "4/1/2022")])
        .await;
    assert_eq!(wrong_day.status, 422);
    assert!(wrong_day.text.contains("is not a date for the date"), "{}", wrong_day.text);
    let forged = admin.post(&classify, "cross-site", &[("classification", "not_held")]).await;
    assert_eq!(forged.status, 403);
    app.user("viewer@example.org", "viewer", Some("default")).await;
    let looker = signed_in(app, "viewer@example.org").await;
    let refused = looker.post(&classify, "same-origin", &[("classification", "not_held")]).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(events().await, before, "nothing was recorded");

    // Classified: the response is on the timeline, and the form is gone.
    let done =
        admin.post(&classify, "same-origin", &[("classification", "not_held"), ("exemptions", "")]).await;
    assert_eq!(done.status, 303, "{}", done.text);
    let after = admin.get(&done.location).await;
    assert!(after.text.contains("The reply is classified: not held."), "{}", after.text);
    assert!(!after.text.contains("What is the reply"), "classified replies are not asked about again");
    let timeline = app.get(&format!("/api/v1/requests/{request}")).await;
    assert_eq!(timeline.ok()["incoming"][0]["classification"], "not_held");
    assert_eq!(timeline.ok()["status"], "not_held", "{}", timeline.body);
    let twice = admin.post(&classify, "same-origin", &[("classification", "full")]).await;
    assert_eq!(twice.status, 422, "{}", twice.text);
    assert!(twice.text.contains("already"), "{}", twice.text);

    // An event recorded, then retracted; a mistyped one is refused with what was typed kept.
    let record = format!("/requests/{request}/events");
    let typo = [("kind", "note"), ("occurred_on", "yesterday"), ("note", "Called the FOI officer")];
    let refused = admin.post(&record, "same-origin", &typo).await;
    assert_eq!(refused.status, 422);
    assert!(refused.text.contains("Called the FOI officer</textarea>"), "{}", refused.text);
    let odd = admin.post(&record, "same-origin", &[("kind", "party")]).await;
    assert_eq!(odd.status, 422, "{}", odd.text);
    let noted =
        admin.post(&record, "same-origin", &[("kind", "note"), ("note", "Called the FOI officer")]).await;
    assert_eq!(noted.status, 303, "{}", noted.text);
    let shown = admin.get(&noted.location).await;
    assert!(shown.text.contains("Recorded: note on"), "{}", shown.text);
    assert!(shown.text.contains("<td>Called the FOI officer"), "{}", shown.text);
    let listed = events().await;
    let note =
        listed.as_array().unwrap().iter().find(|e| e["kind"] == "note").unwrap()["id"].as_i64().unwrap();
    let note_id = note.to_string();
    let retracted = admin.post(&record, "same-origin", &[("retracts", &note_id)]).await;
    assert_eq!(retracted.status, 303, "{}", retracted.text);
    assert!(admin.get(&path).await.text.contains("note (retracted)"));
    w.app.stop().await;
}
on_both_backends!(a_reply_is_classified_and_events_recorded_from_the_request_page);
