//! The holding pen and search as pages, on both backends: a reply that matched nothing is
//! assigned to its suggested request or by reference, or set aside; refused forms change
//! nothing; search shows each hit's passage with the words highlighted.

use crate::coding_pages::signed_in;
use crate::helpers::TestDb;
use crate::inbound::{renamed, world};
use crate::on_both_backends;

async fn the_holding_pen_is_emptied_from_its_page(db: &TestDb) {
    let w = world(db).await;
    let first = w.deliver(w.expand("unmatched.eml")).await.body["id"].as_i64().unwrap();
    let second = w.deliver(renamed(w.expand("unmatched.eml"), "second")).await.body["id"].as_i64().unwrap();
    let admin = signed_in(&w.app, "admin@example.org").await;
    let pen = admin.get("/holding-pen").await;
    assert_eq!(pen.status, 200, "{}", pen.text);
    assert!(pen.text.contains("2 replies match no request yet"), "{}", pen.text);
    assert!(pen.text.contains("Assign to ABT-2021-0001"), "the suggestion is offered");
    let ids = w.ids[0].to_string();

    // Refused, with why, and nothing changed: an unknown reference, a blank reason.
    let unknown = admin
        .post(&format!("/holding-pen/{first}/assign"), "same-origin", &[("reference", "ABT-1999-0001")])
        .await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.text.contains("No request of yours has the reference ABT-1999-0001"), "{}", unknown.text);
    let blank =
        admin.post(&format!("/holding-pen/{second}/discard"), "same-origin", &[("reason", " ")]).await;
    assert_eq!(blank.status, 422);
    assert!(blank.text.contains("say why the message is set aside"), "{}", blank.text);
    let forged =
        admin.post(&format!("/holding-pen/{first}/assign"), "cross-site", &[("request_id", &ids)]).await;
    assert_eq!(forged.status, 403);
    assert_eq!(w.app.get("/api/v1/holding-pen").await.ok()["total"], 2, "nothing left the pen");

    // Assigned by its suggestion's button, and the other by its reference typed.
    let assigned =
        admin.post(&format!("/holding-pen/{first}/assign"), "same-origin", &[("request_id", &ids)]).await;
    assert_eq!(assigned.status, 303, "{}", assigned.text);
    let after = admin.get(&assigned.location).await;
    assert!(after.text.contains("is now on its request"), "{}", after.text);
    assert!(after.text.contains("1 reply matches no request yet"), "{}", after.text);
    let timeline = w.app.get(&format!("/api/v1/requests/{}", w.ids[0])).await;
    assert_eq!(timeline.ok()["incoming"][0]["matched_by"], "researcher");
    let again =
        admin.post(&format!("/holding-pen/{first}/assign"), "same-origin", &[("request_id", &ids)]).await;
    assert_eq!(again.status, 404, "an assigned reply is no longer waiting");
    let by_reference = admin
        .post(&format!("/holding-pen/{second}/assign"), "same-origin", &[("reference", "abt-2021-0002")])
        .await;
    assert_eq!(by_reference.status, 303, "{}", by_reference.text);
    assert_eq!(w.app.get("/api/v1/holding-pen").await.ok()["total"], 0);
    let linked = w.app.get(&format!("/api/v1/requests/{}", w.ids[1])).await;
    assert_eq!(linked.ok()["incoming"].as_array().unwrap().len(), 1);
    w.app.stop().await;
}
on_both_backends!(the_holding_pen_is_emptied_from_its_page);

async fn replies_are_searched_from_the_search_page(db: &TestDb) {
    let w = world(db).await;
    w.deliver(w.expand("response_plain.eml")).await;
    let admin = signed_in(&w.app, "admin@example.org").await;
    let empty = admin.get("/search").await;
    assert_eq!(empty.status, 200);
    assert!(empty.text.contains("name=\"q\"") && !empty.text.contains("role=\"status\""));
    let found = admin.get("/search?q=course+outside").await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert!(found.text.contains("1 reply or attachment matches."), "{}", found.text);
    assert!(found.text.contains("<mark>course</mark>"), "{}", found.text);
    assert!(found.text.contains(&format!("<a href=\"/requests/{}\">ABT-2021-0001</a>", w.ids[0])));
    let none = admin.get("/search?q=zeppelin").await;
    assert!(none.text.contains("0 replies and attachments match."), "{}", none.text);
    let bad = admin.get("/search?q=-only").await;
    assert_eq!(bad.status, 422, "{}", bad.text);
    assert!(bad.text.contains("class=\"problem\""), "{}", bad.text);
    w.app.stop().await;
}
on_both_backends!(replies_are_searched_from_the_search_page);
