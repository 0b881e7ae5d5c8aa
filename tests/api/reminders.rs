//! The daily digest: one per person, each lapse once, re-armed by a new clock, and safe to run
//! from two instances at once.

use std::time::Duration;

use chrono::NaiveDate;
use foitrack::mail::{MailTarget, Mailer};
use serde_json::json;

use crate::helpers::{TestApp, TestDb, spawn_app};
use crate::on_both_backends;
use crate::smtp::{self, Inbox, header};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The survey sent on 6 December 2021, with a researcher watching it.
async fn sent_survey(app: &TestApp) -> i64 {
    let campaign = app.nhs_campaign().await;
    app.post("/api/v1/users", &json!({"email": "watcher@example.org", "role": "researcher"})).await.ok();
    let watch = app
        .post(
            &format!("/api/v1/campaigns/{campaign}/watchers"),
            &json!({"user_email": "watcher@example.org"}),
        )
        .await;
    assert_eq!(watch.status, 204);
    app.post(
        &format!("/api/v1/campaigns/{campaign}/watchers"),
        &json!({"user_email": "watcher@example.org"}),
    )
    .await
    .problem(409, "conflict");
    app.post(&format!("/api/v1/campaigns/{campaign}/sent"), &json!({"sent_at": "2021-12-06"})).await.ok();
    campaign
}

async fn each_lapse_is_reported_once_per_person(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = sent_survey(&app).await;
    let dry = app.post("/api/v1/reminders/run?dry_run=true&as_of=2022-01-05", &json!({})).await;
    let digests = dry.ok()["digests"].as_array().unwrap().clone();
    assert_eq!(digests.len(), 2, "the owner and the watcher");
    assert_eq!(digests[0]["items"].as_array().unwrap().len(), 209);
    assert_eq!(digests[0]["items"][0]["kind"], "due_soon");
    assert!(digests[0]["body"].as_str().unwrap().contains("Due within 3 working days (209):"));

    let first = app.post("/api/v1/reminders/run?as_of=2022-01-05", &json!({})).await;
    assert_eq!(first.ok()["digests"].as_array().unwrap().len(), 2);
    let again = app.post("/api/v1/reminders/run?as_of=2022-01-05", &json!({})).await;
    assert_eq!(again.ok()["digests"], json!([]), "run twice on one day: one digest each");

    // Late now: a new kind of lapse.
    let late = app.post("/api/v1/reminders/run?as_of=2022-01-10", &json!({})).await;
    assert_eq!(late.ok()["digests"][0]["items"][0]["kind"], "overdue");

    // A clarification restarts the clock, which re-arms the alert for that request.
    let page = app.get(&format!("/api/v1/requests?campaign={campaign}&sort=reference&per_page=1")).await;
    let id = page.ok()["items"][0]["id"].as_i64().unwrap();
    let events = format!("/api/v1/requests/{id}/events");
    app.post(&events, &json!({"kind": "clarification_requested", "occurred_on": "2022-01-11"})).await.ok();
    app.post(&events, &json!({"kind": "clarification_sent", "occurred_on": "2022-01-12"})).await.ok();
    let rearmed = app.post("/api/v1/reminders/run?as_of=2022-02-10", &json!({})).await;
    let items = rearmed.ok()["digests"][0]["items"].as_array().unwrap().clone();
    let mine: Vec<&serde_json::Value> = items.iter().filter(|i| i["request_id"] == id).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["kind"], "overdue");
    assert_eq!(mine[0]["date"], "2022-02-09");
    assert!(items.iter().filter(|i| i["request_id"] != id).all(|i| i["kind"] == "very_overdue"));

    // The digests go out with the headers of automatic mail.
    let (url, inbox) = smtp::start(Inbox::default());
    let service = app.service.clone();
    let mailer = Mailer::new(MailTarget::parse(&url).unwrap(), Duration::from_secs(10)).unwrap();
    tokio::task::spawn_blocking(move || while service.deliver_due(&mailer, "w", 50).unwrap().sent > 0 {})
        .await
        .unwrap();
    let messages = inbox.lock().unwrap().messages.clone();
    assert_eq!(messages.len(), 6, "three runs with news, two people each");
    assert_eq!(header(&messages[0], "Auto-Submitted"), Some("auto-generated"));
    assert!(header(&messages[0], "List-Unsubscribe").unwrap().starts_with("<mailto:"));
    assert!(messages.iter().any(|m| header(m, "To") == Some("watcher@example.org")));
    app.stop().await;
}
on_both_backends!(each_lapse_is_reported_once_per_person);

async fn two_instances_reminding_at_once_send_one_digest(db: &TestDb) {
    let app = spawn_app(db).await;
    sent_survey(&app).await;
    let runs: Vec<_> = (0..2)
        .map(|_| {
            let service = app.service.clone();
            std::thread::spawn(move || service.remind(None, d("2022-01-10"), false).unwrap().digests.len())
        })
        .collect();
    let counts: Vec<usize> = runs.into_iter().map(|r| r.join().unwrap()).collect();
    assert_eq!(counts.iter().sum::<usize>(), 2, "one digest per person in all: {counts:?}");
    assert_eq!(app.get("/api/v1/outbox?per_page=1").await.ok()["total"], 2);
    let viewer = app.post("/api/v1/users", &json!({"email": "v@example.org", "role": "viewer"})).await;
    let token = viewer.ok()["token"]["token"].as_str().unwrap().to_string();
    app.post_as(&token, "/api/v1/reminders/run", &json!({})).await.problem(403, "forbidden");
    app.stop().await;
}
on_both_backends!(two_instances_reminding_at_once_send_one_digest);

async fn late_bodies_are_chased_once_and_never_after_replying(db: &TestDb) {
    let app = spawn_app(db).await;
    let csv = "name,email\nAlpha Trust,foi@alpha.nhs.uk\nBeta Trust,foi@beta.nhs.uk\nGamma Trust,\n";
    app.post_raw("/api/v1/authorities/import", "text/csv", csv).await.ok();
    let created = app
        .post(
            "/api/v1/campaigns",
            &json!({
                "title": "Chased", "reference_prefix": "CH-1", "subject_template": "FOI request",
                "body_template": "Dear {{authority.name}}, please…", "targets": {"all": true}
            }),
        )
        .await;
    let campaign = created.ok()["id"].as_i64().unwrap();
    assert_eq!(created.ok()["chasers_enabled"], false, "off by default");
    app.post(&format!("/api/v1/campaigns/{campaign}/sent"), &json!({"sent_at": "2021-12-06"})).await.ok();
    let off = app.post("/api/v1/reminders/run?dry_run=true&as_of=2022-01-20", &json!({})).await;
    assert_eq!(off.ok()["chasers"], json!([]));

    for bad in [0, 201, 5000] {
        let refused = app
            .post(
                &format!("/api/v1/campaigns/{campaign}/chasers"),
                &json!({"enabled": true, "after_working_days": bad}),
            )
            .await;
        assert_eq!(
            refused.problem(422, "validation"),
            format!("after_working_days: must be between 1 and 200 working days; {bad} is not")
        );
    }
    let unchanged = app.get(&format!("/api/v1/campaigns/{campaign}")).await;
    assert_eq!(unchanged.ok()["chase_after_working_days"], 5, "a refused value changes nothing");
    assert_eq!(unchanged.ok()["chasers_enabled"], false);
    let on = app
        .post(
            &format!("/api/v1/campaigns/{campaign}/chasers"),
            &json!({"enabled": true, "after_working_days": 5}),
        )
        .await;
    assert_eq!(on.status, 204);
    // Due 7 January: on the 13th it is 4 working days late, on the 14th 5.
    let early = app.post("/api/v1/reminders/run?as_of=2022-01-13", &json!({})).await;
    assert_eq!(early.ok()["chasers"], json!([]));
    let due = app.post("/api/v1/reminders/run?as_of=2022-01-14", &json!({})).await;
    let chasers = due.ok()["chasers"].as_array().unwrap().clone();
    assert_eq!(chasers.len(), 2);
    assert_eq!(chasers[0]["kind"], "chaser");
    assert_eq!(chasers[0]["subject"], "Overdue: Freedom of Information request [CH-1-0001]");
    assert_eq!(due.ok()["chasers_without_email"][0]["reference"], "CH-1-0003");
    let again = app.post("/api/v1/reminders/run?as_of=2022-01-14", &json!({})).await;
    assert_eq!(again.ok()["chasers"], json!([]), "never twice for the same lapse");

    // Alpha replies before its chaser goes: the chaser is cancelled.
    let alpha = chasers[0]["request_id"].as_i64().unwrap();
    let beta = chasers[1]["request_id"].as_i64().unwrap();
    app.post(
        &format!("/api/v1/requests/{alpha}/events"),
        &json!({"kind": "response_received", "occurred_on": "2022-01-14", "outcome": "full"}),
    )
    .await
    .ok();
    let (url, inbox) = smtp::start(Inbox::default());
    let service = app.service.clone();
    let mailer = Mailer::new(MailTarget::parse(&url).unwrap(), Duration::from_secs(10)).unwrap();
    let deliver = move || while service.deliver_due(&mailer, "w", 50).unwrap().sent > 0 {};
    tokio::task::spawn_blocking(deliver.clone()).await.unwrap();
    let to: Vec<String> =
        inbox.lock().unwrap().messages.iter().filter_map(|m| header(m, "To").map(str::to_string)).collect();
    assert!(to.contains(&"foi@beta.nhs.uk".to_string()));
    assert!(!to.contains(&"foi@alpha.nhs.uk".to_string()), "a body that replied is not chased");
    let cancelled = app.get("/api/v1/outbox?state=cancelled").await;
    assert!(
        cancelled.ok()["items"][0]["last_error"].as_str().unwrap().contains("no longer awaiting a response")
    );
    let beta_events = app.get(&format!("/api/v1/requests/{beta}/events")).await;
    assert!(
        beta_events
            .ok()
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["note"].as_str().is_some_and(|n| n.starts_with("Chaser sent")))
    );

    // Very overdue after 4 February: a request for internal review, recorded on the timeline.
    let review = app.post("/api/v1/reminders/run?as_of=2022-02-07", &json!({})).await;
    let queued = review.ok()["chasers"].as_array().unwrap().clone();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0]["kind"], "review_request");
    tokio::task::spawn_blocking(deliver).await.unwrap();
    let after = app.get(&format!("/api/v1/requests/{beta}")).await;
    assert_eq!(after.ok()["status"], "internal_review");
    app.stop().await;
}
on_both_backends!(late_bodies_are_chased_once_and_never_after_replying);

/// Digests go only to members of the campaign's workspace: a watcher who leaves it hears
/// nothing more from that day, and no one outside it can be made a watcher.
async fn digests_go_only_to_members_of_the_workspace(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = sent_survey(&app).await;
    let digests = |reply: &crate::helpers::Reply| -> Vec<String> {
        let mut to: Vec<String> = reply.ok()["digests"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["to"].as_str().unwrap().to_string())
            .collect();
        to.sort();
        to
    };
    let both = app.post("/api/v1/reminders/run?dry_run=true&as_of=2022-01-05", &json!({})).await;
    assert_eq!(digests(&both), ["admin@example.org", "watcher@example.org"]);
    assert_eq!(both.ok()["digests"][0]["workspace"], "default");
    // Another team's member cannot watch the campaign.
    app.post("/api/v1/workspaces", &json!({"slug": "other", "name": "Other", "owner": "admin@example.org"}))
        .await
        .ok();
    app.post(
        "/api/v1/users",
        &json!({"email": "outsider@example.org", "role": "researcher", "workspace": "other"}),
    )
    .await
    .ok();
    let outsider = app
        .post(
            &format!("/api/v1/campaigns/{campaign}/watchers"),
            &json!({"user_email": "outsider@example.org"}),
        )
        .await;
    assert!(outsider.problem(422, "validation").contains("not a member"));
    // The watcher leaves the workspace: the next run leaves them out.
    let members = app.get("/api/v1/workspaces/default/members").await;
    let watcher = members
        .ok()
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "watcher@example.org")
        .unwrap()["user_id"]
        .as_i64()
        .unwrap();
    let left = app.delete(&format!("/api/v1/workspaces/default/members/{watcher}")).await;
    assert_eq!(left.status, 204, "{}", left.body);
    let after = app.post("/api/v1/reminders/run?dry_run=true&as_of=2022-01-05", &json!({})).await;
    assert_eq!(digests(&after), ["admin@example.org"]);
    // An archived workspace sends no reminders at all.
    app.call_as("PATCH", &app.token, "/api/v1/workspaces/default", Some(&json!({"archived": true})))
        .await
        .ok();
    let archived = app.post("/api/v1/reminders/run?dry_run=true&as_of=2022-01-05", &json!({})).await;
    assert_eq!(archived.ok()["digests"], json!([]));
    app.stop().await;
}
on_both_backends!(digests_go_only_to_members_of_the_workspace);

/// A campaign to every body of the world, logged as sent a minute ago by `channel`.
async fn send_by_hand(app: &TestApp, prefix: &str, channel: &str) {
    let campaign = app
        .post(
            "/api/v1/campaigns",
            &json!({
                "title": format!("{prefix} by {channel}"), "reference_prefix": prefix,
                "subject_template": "FOI request", "body_template": "Dear {{authority.name}},",
                "targets": {"all": true}
            }),
        )
        .await;
    let id = campaign.ok()["id"].as_i64().unwrap();
    let a_minute_ago = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    let sent = json!({"sent_at": a_minute_ago, "channel": channel});
    app.post(&format!("/api/v1/campaigns/{id}/sent"), &sent).await.ok();
}

/// A bounce that marks a body's address failing is in the next digest, once, for each request
/// that went to that address: sent through the outbox, or logged as sent by email by hand; not
/// for one sent by post, nor one logged to the workspace's own contact for the body, nor for the
/// other bodies' requests.
async fn a_bounced_address_is_in_the_digest_once(db: &TestDb) {
    let w = crate::inbound::world(db).await;
    let today = foitrack::domain::london::today();
    let run = |dry: bool| format!("/api/v1/reminders/run?dry_run={dry}&as_of={today}");
    send_by_hand(&w.app, "HAND-2021", "email").await;
    send_by_hand(&w.app, "POST-2021", "post").await;
    let quiet = w.app.post(&run(true), &json!({})).await;
    assert_eq!(quiet.ok()["digests"], json!([]), "nothing to report before the bounce");

    let bounced = w.deliver(w.expand("bounce_dsn.eml")).await;
    assert_eq!(bounced.body["outcome"], "bounce", "{}", bounced.body);
    let dry = w.app.post(&run(true), &json!({})).await;
    let digest = &dry.ok()["digests"][0];
    let items: Vec<(&str, &str, &str)> = digest["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap(), i["reference"].as_str().unwrap(), i["body"].as_str().unwrap()))
        .collect();
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(
        items.iter().all(|(kind, _, body)| *kind == "address_failing" && *body == "Gamma Trust"),
        "{items:?}"
    );
    assert_eq!(items[0].1, "ABT-2021-0003", "through the outbox");
    assert!(items[1].1.starts_with("HAND-2021-"), "logged as sent by email: {items:?}");
    assert_eq!(digest["items"][0]["date"], today.to_string(), "the day it was marked");
    let body = digest["body"].as_str().unwrap();
    assert!(body.contains("Mail to the body's address failed: correct it with an import (2):"), "{body}");
    assert!(body.contains("ABT-2021-0003  Gamma Trust"), "{body}");

    // Logged as sent by email after the workspace took a contact of its own for Gamma: it went
    // to that contact, not to the failing address, and is not reported.
    let gamma = w.app.get(&format!("/api/v1/requests/{}", w.ids[2])).await.ok()["authority"]["id"].clone();
    let contact = format!("/api/v1/workspaces/default/contacts/{gamma}");
    let officer = json!({"email": "officer@gamma-trust.nhs.uk"});
    let put =
        w.app.client.put(w.app.url(&contact)).bearer_auth(&w.app.token).json(&officer).send().await.unwrap();
    assert_eq!(put.status(), 200);
    send_by_hand(&w.app, "OFFICER-2021", "email").await;
    let with_contact = w.app.post(&run(true), &json!({})).await;
    let refs: Vec<&str> = with_contact.ok()["digests"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["reference"].as_str().unwrap())
        .collect();
    assert_eq!(refs.len(), 2, "{refs:?}");
    assert!(!refs.iter().any(|r| r.starts_with("OFFICER")), "{refs:?}");

    let sent = w.app.post(&run(false), &json!({})).await;
    assert_eq!(sent.ok()["digests"].as_array().unwrap().len(), 1);
    let again = w.app.post(&run(false), &json!({})).await;
    assert_eq!(again.ok()["digests"], json!([]), "each failure once");
    // A second bounce to the address already failing is not a new failure.
    let twice = w.deliver(crate::inbound::renamed(w.expand("bounce_dsn.eml"), "again")).await;
    assert_eq!(twice.body["outcome"], "bounce", "{}", twice.body);
    let after = w.app.post(&run(false), &json!({})).await;
    assert_eq!(after.ok()["digests"], json!([]), "still the same failure");
    w.app.stop().await;
}
on_both_backends!(a_bounced_address_is_in_the_digest_once);
