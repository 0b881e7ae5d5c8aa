//! Sending a campaign by email through a real SMTP server: every message arrives exactly once,
//! with the headers replies are matched by, through refusals and with two workers at once.

use std::collections::BTreeSet;
use std::time::Duration;

use foitrack::mail::{MailTarget, Mailer};
use foitrack::service::Service;
use foitrack::service::outbox::MailConfig;
use serde_json::json;

use crate::helpers::{TestApp, TestDb, spawn_app};
use crate::on_both_backends;
use crate::smtp::{self, Inbox, header};

/// Fifty bodies with FOI addresses, a campaign to all of them, queued to go at once.
async fn queue_fifty(app: &TestApp) -> i64 {
    let mut csv = String::from("name,email\n");
    for i in 0..50 {
        csv.push_str(&format!("Trust {i:02},foi{i:02}@trust{i:02}.nhs.uk\n"));
    }
    csv.push_str("Trust without email,\n");
    app.post_raw("/api/v1/authorities/import", "text/csv", csv).await.ok();
    let campaign = app
        .post("/api/v1/campaigns", &json!({
            "title": "Bystander training", "reference_prefix": "BT-2021",
            "subject_template": "Freedom of Information request", "body_template": "Dear {{authority.name}},\nPlease…",
            "targets": {"all": true}
        }))
        .await;
    let id = campaign.ok()["id"].as_i64().unwrap();
    let dry = app.post(&format!("/api/v1/campaigns/{id}/send"), &json!({"dry_run": true})).await;
    assert_eq!(dry.ok()["queued"].as_array().unwrap().len(), 50);
    assert!(dry.ok()["queued"][0]["body"].as_str().unwrap().starts_with("Dear Trust 00,"));
    assert_eq!(app.get("/api/v1/outbox").await.ok()["total"], 0, "a dry run queues nothing");
    let sent = app.post(&format!("/api/v1/campaigns/{id}/send"), &json!({"rate_per_minute": 600000})).await;
    assert_eq!(sent.ok()["queued"].as_array().unwrap().len(), 50);
    assert_eq!(sent.ok()["no_email"][0]["reason"], "the body has no email address");
    id
}

fn service_for(app: &TestApp) -> Service {
    app.service.clone().with_mail(MailConfig {
        first_retry: Duration::from_millis(1),
        lease: Duration::from_secs(60),
        ..MailConfig::default()
    })
}

fn mailer(url: &str) -> Mailer {
    Mailer::new(MailTarget::parse(url).unwrap(), Duration::from_secs(10)).unwrap()
}

/// Delivers until nothing is pending (or gives up after a while).
fn deliver_all(service: &Service, mailer: &Mailer, worker: &str) {
    let admin = service.local_actor(None).unwrap();
    let count =
        |state| service.list_outbox(&admin, None, Some(state), None, Default::default()).unwrap().total;
    for _ in 0..400 {
        service.deliver_due(mailer, worker, 20).unwrap();
        let pending = count("pending") + count("sending");
        if pending == 0 {
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("messages still pending");
}

fn assert_each_once(messages: &[String]) {
    let to: BTreeSet<&str> = messages.iter().map(|m| header(m, "To").unwrap()).collect();
    assert_eq!((messages.len(), to.len()), (50, 50), "each body exactly once");
    let ids: BTreeSet<&str> = messages.iter().map(|m| header(m, "Message-ID").unwrap()).collect();
    assert_eq!(ids.len(), 50);
}

async fn a_campaign_arrives_once_per_body_with_its_headers(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = queue_fifty(&app).await;
    let (url, inbox) = smtp::start(Inbox::default());
    let service = service_for(&app);
    let mailer = mailer(&url);
    tokio::task::spawn_blocking(move || deliver_all(&service, &mailer, "worker-1")).await.unwrap();

    let messages = inbox.lock().unwrap().messages.clone();
    assert_each_once(&messages);
    let first = messages.iter().find(|m| header(m, "To") == Some("foi00@trust00.nhs.uk")).unwrap();
    assert_eq!(header(first, "Subject"), Some("Freedom of Information request [BT-2021-0001]"));
    assert!(header(first, "Reply-To").unwrap().starts_with("foi+"), "{first}");
    assert!(header(first, "Reply-To").unwrap().ends_with("@localhost"), "{first}");
    assert!(header(first, "Date").is_some());
    assert!(first.contains("Dear Trust 00,"));
    let message_id = header(first, "Message-ID").unwrap().trim_matches(['<', '>']).to_string();

    let page = app.get(&format!("/api/v1/requests?campaign={campaign}&sort=reference&per_page=1")).await;
    let request = page.ok()["items"][0].clone();
    assert_eq!(request["status"], "awaiting_response");
    assert_eq!(request["sent_to"], "foi00@trust00.nhs.uk");
    let detail = app.get(&format!("/api/v1/requests/{}", request["id"])).await;
    assert_eq!(detail.ok()["events"][0]["details"]["message_id"], message_id);
    let outbox = app.get("/api/v1/outbox?state=sent&per_page=100").await;
    assert_eq!(outbox.ok()["total"], 50);

    let again = app.post(&format!("/api/v1/campaigns/{campaign}/send"), &json!({})).await;
    assert_eq!(again.ok()["queued"], json!([]));
    assert_eq!(again.ok()["skipped"][0]["reason"], "it is awaiting response");
    app.stop().await;
}
on_both_backends!(a_campaign_arrives_once_per_body_with_its_headers);

async fn a_server_that_refuses_for_a_while_loses_nothing(db: &TestDb) {
    let app = spawn_app(db).await;
    queue_fifty(&app).await;
    let (url, inbox) = smtp::start(Inbox { refuse: 12, ..Default::default() });
    let service = service_for(&app);
    let mailer = mailer(&url);
    tokio::task::spawn_blocking(move || deliver_all(&service, &mailer, "worker-1")).await.unwrap();
    assert_each_once(&inbox.lock().unwrap().messages);
    let sent = app.get("/api/v1/outbox?state=sent&per_page=100").await;
    let retried: Vec<&serde_json::Value> = sent.ok()["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["attempts"].as_i64().unwrap() > 1)
        .collect();
    assert!(!retried.is_empty(), "some messages needed more than one attempt");
    assert!(retried[0]["last_error"].is_null(), "a delivered message keeps no error");
    app.stop().await;
}
on_both_backends!(a_server_that_refuses_for_a_while_loses_nothing);

async fn two_workers_never_send_a_message_twice(db: &TestDb) {
    let app = spawn_app(db).await;
    queue_fifty(&app).await;
    let (url, inbox) = smtp::start(Inbox::default());
    let workers: Vec<_> = ["worker-a", "worker-b"]
        .into_iter()
        .map(|name| {
            let (service, mailer) = (service_for(&app), mailer(&url));
            std::thread::spawn(move || deliver_all(&service, &mailer, name))
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    assert_each_once(&inbox.lock().unwrap().messages);
    app.stop().await;
}
on_both_backends!(two_workers_never_send_a_message_twice);

async fn the_outbox_can_be_steered(db: &TestDb) {
    let app = spawn_app(db).await;
    queue_fifty(&app).await;
    let first = app.get("/api/v1/outbox?per_page=1").await.ok()["items"][0]["id"].as_i64().unwrap();
    let cancelled = app.post(&format!("/api/v1/outbox/{first}/cancel"), &json!({})).await;
    assert_eq!(cancelled.ok()["state"], "cancelled");
    app.post(&format!("/api/v1/outbox/{first}/cancel"), &json!({})).await.problem(409, "conflict");
    app.post(&format!("/api/v1/outbox/{first}/retry"), &json!({})).await.problem(409, "conflict");
    app.post("/api/v1/outbox/999999/retry", &json!({})).await.problem(404, "not-found");
    // A request withdrawn after it was queued is not emailed.
    let second = app.get("/api/v1/outbox?per_page=2").await.ok()["items"][1]["request_id"].as_i64().unwrap();
    app.post(&format!("/api/v1/requests/{second}/events"), &json!({"kind": "withdrawn"})).await.ok();
    let (url, inbox) = smtp::start(Inbox::default());
    let service = service_for(&app);
    let mailer = mailer(&url);
    tokio::task::spawn_blocking(move || deliver_all(&service, &mailer, "w")).await.unwrap();
    assert_eq!(inbox.lock().unwrap().messages.len(), 48, "the cancelled and the withdrawn never went");
    let withdrawn = app.get("/api/v1/outbox?state=cancelled&per_page=5").await;
    assert!(
        withdrawn.ok()["items"][1]["last_error"].as_str().unwrap().contains("already withdrawn"),
        "{}",
        withdrawn.body
    );
    app.get("/api/v1/outbox?state=lost").await.problem(422, "validation");
    app.post("/api/v1/campaigns/1/send", &json!({"rate_per_minute": 0})).await.problem(422, "validation");
    app.stop().await;
}
on_both_backends!(the_outbox_can_be_steered);

async fn a_dead_mail_server_keeps_every_message_pending(db: &TestDb) {
    let app = spawn_app(db).await;
    queue_fifty(&app).await;
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://{}", closed.local_addr().unwrap());
    drop(closed);
    // Retries an hour away, so that one round tries each message once.
    let service = app
        .service
        .clone()
        .with_mail(MailConfig { first_retry: Duration::from_secs(3600), ..MailConfig::default() });
    let dead = mailer(&url);
    let report =
        tokio::task::spawn_blocking(move || service.deliver_due(&dead, "w", 100).unwrap()).await.unwrap();
    assert_eq!((report.sent, report.retrying, report.failed), (0, 50, 0));
    let pending = app.get("/api/v1/outbox?state=pending&per_page=1").await;
    assert_eq!(pending.ok()["total"], 50);
    assert!(pending.ok()["items"][0]["last_error"].as_str().unwrap().contains("did not accept"));
    assert_eq!(
        app.get("/api/v1/requests?status=draft&per_page=1").await.ok()["total"],
        51,
        "nothing recorded as sent"
    );
    app.stop().await;
}
on_both_backends!(a_dead_mail_server_keeps_every_message_pending);

async fn a_permanent_refusal_fails_at_once_and_marks_the_address(db: &TestDb) {
    let app = spawn_app(db).await;
    queue_fifty(&app).await;
    let refused = "foi07@trust07.nhs.uk";
    // A few 451s first, for other messages: those are still retried.
    let (url, inbox) =
        smtp::start(Inbox { refuse: 5, reject: vec![refused.to_string()], ..Default::default() });
    let service = service_for(&app);
    let mailer = mailer(&url);
    tokio::task::spawn_blocking(move || deliver_all(&service, &mailer, "worker-1")).await.unwrap();

    let (messages, rejected) = {
        let inbox = inbox.lock().unwrap();
        (inbox.messages.clone(), inbox.rejected.clone())
    };
    assert_eq!(messages.len(), 49, "every other body got its message");
    assert!(messages.iter().all(|m| header(m, "To") != Some(refused)));
    assert_eq!(rejected, [refused], "a 550 is not tried again");
    let sent = app.get("/api/v1/outbox?state=sent&per_page=100").await;
    let sent = sent.ok()["items"].as_array().unwrap().clone();
    assert!(sent.iter().any(|m| m["attempts"].as_i64().unwrap() > 1), "the 451s were retried");

    let failed = app.get("/api/v1/outbox?state=failed").await;
    assert_eq!(failed.ok()["total"], 1);
    let message = &failed.ok()["items"][0];
    assert_eq!((&message["to"], &message["attempts"]), (&json!(refused), &json!(1)));
    let error = message["last_error"].as_str().unwrap();
    assert!(error.contains("refused the message for good"), "{error}");
    assert!(error.contains("550") && error.contains("No such user here"), "{error}");

    let request = message["request_id"].as_i64().unwrap();
    let detail = app.get(&format!("/api/v1/requests/{request}")).await;
    let detail = detail.ok().clone();
    assert_eq!(detail["status"], "draft", "a refused request is not sent");
    let failing = &detail["authority"]["email_failing"];
    assert!(failing["reason"].as_str().unwrap().contains("No such user here"), "{detail}");
    assert!(failing["at"].is_string());
    let note = detail["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(note["kind"], "note");
    assert!(note["note"].as_str().unwrap().contains(&format!("refused the email to {refused} for good")));
    let body = detail["authority"]["id"].as_i64().unwrap();
    let listed = app.get(&format!("/api/v1/requests?authority={body}")).await;
    assert_eq!(&listed.ok()["items"][0]["authority"]["email_failing"], failing);
    let shown = app.get(&format!("/api/v1/authorities/{body}")).await;
    assert_eq!(&shown.ok()["email_failing"], failing);
    let other = app.get(&format!("/api/v1/requests/{}", sent[0]["request_id"])).await;
    assert!(other.ok()["authority"]["email_failing"].is_null());

    // The same address imported again keeps the mark; a new address clears it.
    let import = |email: &str| format!("name,email\nTrust 07,{email}\n");
    app.post_raw("/api/v1/authorities/import", "text/csv", import(refused)).await.ok();
    assert_eq!(&app.get(&format!("/api/v1/authorities/{body}")).await.ok()["email_failing"], failing);
    app.post_raw("/api/v1/authorities/import", "text/csv", import("foi@trust07.nhs.uk")).await.ok();
    assert!(app.get(&format!("/api/v1/authorities/{body}")).await.ok()["email_failing"].is_null());
    let detail = app.get(&format!("/api/v1/requests/{request}")).await;
    assert!(detail.ok()["authority"]["email_failing"].is_null());
    app.stop().await;
}
on_both_backends!(a_permanent_refusal_fails_at_once_and_marks_the_address);

/// A 5xx about policy (our sender, our domain, our content) is final too, but says nothing about
/// the body's address: the message fails at once and the address is not marked.
async fn a_policy_refusal_fails_without_blaming_the_address(db: &TestDb) {
    let app = spawn_app(db).await;
    queue_fifty(&app).await;
    let denied = "foi07@trust07.nhs.uk";
    let (url, inbox) = smtp::start(Inbox { deny: vec![denied.to_string()], ..Default::default() });
    let service = service_for(&app);
    let mailer = mailer(&url);
    tokio::task::spawn_blocking(move || deliver_all(&service, &mailer, "worker-1")).await.unwrap();
    assert_eq!(inbox.lock().unwrap().rejected, [denied], "not tried again");

    let failed = app.get("/api/v1/outbox?state=failed").await;
    assert_eq!(failed.ok()["total"], 1);
    let message = &failed.ok()["items"][0];
    assert_eq!((&message["to"], &message["attempts"]), (&json!(denied), &json!(1)));
    assert!(message["last_error"].as_str().unwrap().contains("5.7.1"), "{message}");
    let detail = app.get(&format!("/api/v1/requests/{}", message["request_id"])).await;
    assert!(detail.ok()["authority"]["email_failing"].is_null(), "{}", detail.ok());
    assert!(detail.ok()["events"].as_array().unwrap().is_empty(), "no note: {}", detail.ok());
    app.stop().await;
}
on_both_backends!(a_policy_refusal_fails_without_blaming_the_address);
