//! Classifying replies: `POST /api/v1/requests/{id}/incoming/{message}/classify` records the
//! event the answer means, once, beside the suggestion the request shows.

use serde_json::{Value, json};

use crate::helpers::TestDb;
use crate::inbound::world;
use crate::on_both_backends;

async fn a_reply_is_classified_once_and_records_its_event(db: &TestDb) {
    let w = world(db).await;
    let request = w.ids[0];
    let delivered = w.deliver(w.expand("response_plain.eml")).await;
    assert_eq!(delivered.status, 202, "{}", delivered.body);
    let message = delivered.body["id"].as_i64().unwrap();
    let classify = |m: i64, body: Value| {
        let app = &w.app;
        async move { app.post(&format!("/api/v1/requests/{request}/incoming/{m}/classify"), &body).await }
    };

    // Before: a suggestion, no classification.
    let shown = w.app.get(&format!("/api/v1/requests/{request}")).await;
    let incoming = &shown.ok()["incoming"][0];
    assert_eq!(incoming["classification"], Value::Null, "{incoming}");
    assert_eq!(incoming["suggestion"]["classification"], "not_held", "{incoming}");

    // Mistakes are refused, naming the field, and change nothing.
    classify(message, json!({"classification": "maybe"})).await.problem(422, "validation");
    let detail = classify(message, json!({"classification": "not_a_response", "exemptions": ["s.12"]}))
        .await
        .problem(422, "validation");
    assert!(detail.contains("exemptions"), "{detail}");
    let detail = classify(message, json!({"classification": "extension", "exemptions": ["s.12"]}))
        .await
        .problem(422, "validation");
    assert!(detail.contains("exemptions"), "{detail}");
    classify(999_999, json!({"classification": "full"})).await.problem(404, "not-found");
    // A message of the holding pen is no reply to this request.
    let pen = w.deliver(w.expand("unmatched.eml")).await.body["id"].as_i64().unwrap();
    classify(pen, json!({"classification": "full"})).await.problem(404, "not-found");

    // Classified: the event is recorded with the outcome and exemptions, dated by the message.
    let done = classify(
        message,
        json!({"classification": "partial", "exemptions": ["s.40(2)"], "note": "Q2 answered"}),
    )
    .await;
    assert_eq!(done.status, 201, "{}", done.body);
    let event = &done.body["event"];
    assert_eq!(event["kind"], "response_received", "{event}");
    assert_eq!(event["details"]["outcome"], "partial");
    assert_eq!(event["details"]["exemptions"], json!(["s.40(2)"]));
    assert_eq!(event["note"], format!("Recorded from incoming message {message}.\nQ2 answered"));
    let event_id = event["id"].as_i64().unwrap();
    let shown = w.app.get(&format!("/api/v1/requests/{request}")).await;
    let body = shown.ok();
    assert_eq!(body["incoming"][0]["classification"], "partial");
    assert_eq!(body["incoming"][0]["classified_event"], event_id);
    assert!(body["events"].as_array().unwrap().iter().any(|e| e["id"] == event_id));
    assert_eq!(body["outcome"], "partial", "{body}");

    // Twice: refused, until the event is retracted.
    let detail = classify(message, json!({"classification": "full"})).await.problem(409, "conflict");
    assert!(detail.contains(&format!("retract event {event_id}")), "{detail}");
    let retraction = json!({"kind": "retraction", "retracts": event_id, "note": "not partial"});
    w.app.post(&format!("/api/v1/requests/{request}/events"), &retraction).await.ok();
    let shown = w.app.get(&format!("/api/v1/requests/{request}")).await;
    assert_eq!(
        shown.ok()["incoming"][0]["classification"],
        Value::Null,
        "a retracted classification is gone"
    );
    let again = classify(message, json!({"classification": "not_held"})).await;
    assert_eq!(again.ok()["event"]["details"]["outcome"], "not_held");

    // Not a response: classified, with nothing on the timeline.
    let second = w.deliver(w.expand("subject_reference.eml")).await;
    let (second_id, second_request) =
        (second.body["id"].as_i64().unwrap(), second.body["requests"][0].clone());
    let target = w
        .ids
        .iter()
        .zip(["ABT-2021-0001", "ABT-2021-0002", "ABT-2021-0003"])
        .find(|(_, r)| second_request == *r);
    let target = *target.expect("subject_reference.eml answers one of the world's requests").0;
    let before = w.app.get(&format!("/api/v1/requests/{target}/events")).await.ok().as_array().unwrap().len();
    let path = format!("/api/v1/requests/{target}/incoming/{second_id}/classify");
    let none = w.app.post(&path, &json!({"classification": "not_a_response"})).await;
    assert_eq!((none.status, none.body["event"].clone()), (201, Value::Null), "{}", none.body);
    let after = w.app.get(&format!("/api/v1/requests/{target}/events")).await.ok().as_array().unwrap().len();
    assert_eq!(before, after);
    // A reply said to be none may be classified again.
    let real = w.app.post(&path, &json!({"classification": "clarification_requested"})).await;
    assert_eq!(real.ok()["event"]["kind"], "clarification_requested");
}
on_both_backends!(a_reply_is_classified_once_and_records_its_event);
