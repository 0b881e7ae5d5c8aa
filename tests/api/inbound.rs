//! Incoming mail through `POST /api/v1/inbound`, on the corpus in tests/fixtures/mail: three
//! requests really sent (through the outbox, to files), then every reply, auto-reply, bounce
//! and oddity of the corpus delivered with an ingest token, each landing where the corpus
//! README says it must.

use std::collections::HashMap;
use std::time::Duration;

use foitrack::mail::{MailTarget, Mailer};
use foitrack::service::outbox::{MailConfig, reply_address};
use foitrack::service::users::TokenRights;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, TestDb, spawn_app_with};
use crate::on_both_backends;

pub(crate) const SECRET: &str = "inbound-test-secret";
pub(crate) const DOMAIN: &str = "replies.example.org";
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mail");

/// The corpus's world: requests 1 to 3 of campaign ABT-2021, sent to Alpha, Beta and Gamma
/// trusts, with Gamma's own reference `FOI 056-2022` recorded on request 3.
pub(crate) struct World {
    pub(crate) app: TestApp,
    /// Request ids, by the corpus's request number (1 to 3).
    pub(crate) ids: [i64; 3],
    /// Our outgoing Message-IDs, by request number.
    msgids: [String; 3],
    ingest: String,
    _mail_dir: tempfile::TempDir,
}

pub(crate) async fn world(db: &TestDb) -> World {
    world_with(db, |_| {}).await
}

/// The world, on settings `adjust` changes.
pub(crate) async fn world_with(db: &TestDb, adjust: impl FnOnce(&mut foitrack::config::Settings)) -> World {
    let app = spawn_app_with(db, |s| {
        s.mail.reply_secret = SECRET.into();
        s.mail.reply_domain = DOMAIN.into();
        adjust(s);
    })
    .await;
    let csv = "name,email\nAlpha Trust,foi@alpha-trust.nhs.uk\nBeta Trust,foi@beta-trust.nhs.uk\nGamma Trust,foi@gamma-trust.nhs.uk\n";
    app.post_raw("/api/v1/authorities/import", "text/csv", csv).await.ok();
    let campaign = app
        .post("/api/v1/campaigns", &json!({
            "title": "Active bystander training", "reference_prefix": "ABT-2021",
            "subject_template": "Freedom of Information request", "body_template": "Dear {{authority.name}},",
            "targets": {"all": true}
        }))
        .await;
    let campaign = campaign.ok()["id"].as_i64().unwrap();
    app.post(&format!("/api/v1/campaigns/{campaign}/send"), &json!({"rate_per_minute": 600000})).await.ok();
    let mail_dir = tempfile::tempdir().unwrap();
    let service = app.service.clone().with_mail(MailConfig {
        reply_secret: SECRET.into(),
        reply_domain: DOMAIN.into(),
        first_retry: Duration::from_millis(1),
        ..MailConfig::default()
    });
    let mailer = Mailer::new(
        MailTarget::parse(&format!("file://{}", mail_dir.path().display())).unwrap(),
        Duration::from_secs(10),
    )
    .unwrap();
    tokio::task::spawn_blocking(move || service.deliver_due(&mailer, "w", 20).unwrap()).await.unwrap();

    let mut ids = [0; 3];
    let mut msgids: [String; 3] = Default::default();
    let outbox = app.get("/api/v1/outbox").await;
    for (n, reference) in ["ABT-2021-0001", "ABT-2021-0002", "ABT-2021-0003"].iter().enumerate() {
        let found = app.get(&format!("/api/v1/requests?q={reference}")).await;
        let request = &found.ok()["items"][0];
        assert_eq!(request["status"], "awaiting_response", "{request}");
        ids[n] = request["id"].as_i64().unwrap();
        let message =
            outbox.ok()["items"].as_array().unwrap().iter().find(|m| m["request_id"] == ids[n]).unwrap();
        msgids[n] = format!("<{}>", message["message_id"].as_str().unwrap());
    }
    let ack = json!({"kind": "acknowledged", "body_reference": "FOI 056-2022"});
    app.post(&format!("/api/v1/requests/{}/events", ids[2]), &ack).await.ok();
    let rights = TokenRights::Ingest { workspace: None };
    let ingest =
        app.service.create_token(None, Some("admin@example.org"), Some("mail"), &rights).unwrap().token;
    World { app, ids, msgids, ingest, _mail_dir: mail_dir }
}

impl World {
    /// A fixture with its placeholders expanded for this world.
    pub(crate) fn expand(&self, name: &str) -> Vec<u8> {
        let raw = std::fs::read(format!("{FIXTURES}/{name}")).unwrap();
        let mut text = unsafe_latin1(&raw);
        for n in 1..=3 {
            let id = self.ids[n - 1];
            let good = reply_address(SECRET, DOMAIN, id);
            let (local, _) = good.split_once('@').unwrap();
            let mut near = local.to_string().into_bytes();
            let last = near.len() - 1;
            near[last] = if near[last] == b'0' { b'1' } else { b'0' };
            let near = format!("{}@{DOMAIN}", String::from_utf8(near).unwrap());
            text = text
                .replace(&format!("{{{{reply:{n}}}}}"), &good)
                .replace(&format!("{{{{reply_upper:{n}}}}}"), &good.to_uppercase())
                .replace(&format!("{{{{reply_domain:{n}}}}}"), &format!("{local}@replies.example.com"))
                .replace(&format!("{{{{reply_nearmiss:{n}}}}}"), &near)
                .replace(&format!("{{{{msgid:{n}}}}}"), &self.msgids[n - 1]);
        }
        text.chars().map(|c| c as u32 as u8).collect()
    }

    pub(crate) async fn deliver(&self, raw: Vec<u8>) -> Reply {
        let request = self
            .app
            .client
            .post(self.app.url("/api/v1/inbound"))
            .bearer_auth(&self.ingest)
            .header("content-type", "message/rfc822")
            .body(raw);
        TestApp::reply_of(request.send().await.unwrap()).await
    }

    fn references(&self, numbers: &[usize]) -> Vec<String> {
        numbers.iter().map(|n| format!("ABT-2021-000{n}")).collect()
    }
}

/// Bytes as chars one to one, so that placeholders can be replaced in any encoding.
fn unsafe_latin1(raw: &[u8]) -> String {
    raw.iter().map(|&b| b as char).collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

/// File, outcome, the corpus's request numbers, and how they were matched: the README's table.
const EXPECTED: &[(&str, &str, &[usize], &str)] = &[
    ("response_plain.eml", "response", &[1], "reply_address"),
    ("response_pdf.eml", "response", &[2], "reply_address"),
    ("response_docx_xlsx.eml", "response", &[3], "reply_address"),
    ("several_requests.eml", "response", &[1, 2], "reply_address"),
    ("in_reply_to.eml", "response", &[1], "in_reply_to"),
    ("subject_reference.eml", "response", &[2], "subject_reference"),
    ("body_reference.eml", "response", &[3], "body_reference"),
    ("retyped_upper.eml", "response", &[1], "reply_address"),
    ("retyped_domain.eml", "response", &[1], "reply_address"),
    ("near_miss.eml", "response", &[1], "guess"),
    ("unmatched.eml", "response", &[], "none"),
    ("similar_subject.eml", "response", &[], "none"),
    ("ooo_outlook.eml", "auto_reply", &[1], "reply_address"),
    ("ooo_exchange_subject_only.eml", "auto_reply", &[2], "reply_address"),
    ("ooo_lotus.eml", "auto_reply", &[3], "reply_address"),
    ("autoreply_precedence.eml", "auto_reply", &[1], "reply_address"),
    ("ack_with_reference.eml", "acknowledgement", &[3], "reply_address"),
    ("bounce_dsn.eml", "bounce", &[3], "in_reply_to"),
    ("bounce_exim.eml", "bounce", &[2], "reply_address"),
    ("bounce_microsoft.eml", "bounce", &[1], "in_reply_to"),
    ("delay_dsn.eml", "auto_reply", &[1], "in_reply_to"),
    ("forwarded.eml", "response", &[1], "subject_reference"),
    ("broken_mime.eml", "response", &[1], "reply_address"),
    ("charset_windows1252.eml", "response", &[2], "reply_address"),
    ("charset_utf7.eml", "response", &[3], "reply_address"),
    ("charset_subject_rfc2047.eml", "response", &[1], "subject_reference"),
    ("no_extension_attachment.eml", "response", &[2], "reply_address"),
    ("uuencoded.eml", "response", &[3], "reply_address"),
    ("zip_attachment.eml", "response", &[1], "reply_address"),
];

async fn every_message_of_the_corpus_lands_where_it_belongs(db: &TestDb) {
    let w = world(db).await;
    let mut seen = HashMap::new();
    for (file, outcome, requests, matched_by) in EXPECTED {
        let reply = w.deliver(w.expand(file)).await;
        assert_eq!(reply.status, 202, "{file}: {}", reply.body);
        let body = reply.body;
        let what = format!("{file}: {body}");
        assert_eq!(body["outcome"], *outcome, "{what}");
        assert_eq!(strings(&body["requests"]), w.references(requests), "{what}");
        assert_eq!(body["matched_by"], *matched_by, "{what}");
        assert_eq!(body["source"], "webhook", "{what}");
        assert!(body["message_id"].as_str().unwrap().starts_with('<'), "{what}");
        seen.insert(*file, body);
    }
    // What the messages say, as read.
    let attachments = |file: &str| seen[file]["attachments"].as_array().unwrap().clone();
    let pdf = attachments("no_extension_attachment.eml");
    assert_eq!(
        (pdf[0]["filename"].as_str(), pdf[0]["content_type"].as_str()),
        (Some("scan"), Some("application/pdf"))
    );
    let uu = attachments("uuencoded.eml");
    assert_eq!((uu[0]["filename"].as_str(), uu[0]["extraction"].as_str()), (Some("note.txt"), Some("ok")));
    assert_eq!(uu[0]["text_chars"], 107);
    let office = attachments("response_docx_xlsx.eml");
    let types: Vec<&str> = office.iter().map(|a| a["content_type"].as_str().unwrap()).collect();
    assert!(types.iter().any(|t| t.ends_with("wordprocessingml.document")), "{types:?}");
    assert!(types.iter().any(|t| t.ends_with("spreadsheetml.sheet")), "{types:?}");
    assert_eq!(attachments("broken_mime.eml")[0]["filename"], "note.txt", "the part after the lost boundary");
    assert_eq!(seen["bounce_dsn.eml"]["delivery_status"], "5.1.1");
    assert_eq!(seen["delay_dsn.eml"]["delivery_status"], "4.4.7");
    let pen = &seen["unmatched.eml"]["suggestions"][0];
    assert_eq!(
        (pen["reference"].as_str(), pen["reason"].as_str()),
        (Some("ABT-2021-0001"), Some("sent from the domain of this request's body"))
    );
    let alike: Vec<(&str, &str)> = seen["similar_subject.eml"]["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["reference"].as_str().unwrap(), s["reason"].as_str().unwrap()))
        .collect();
    let reason = "a subject like the one sent for this request";
    assert_eq!(alike, [("ABT-2021-0001", reason), ("ABT-2021-0002", reason), ("ABT-2021-0003", reason)]);

    // Request 1's timeline lists what came back for it, with how each was matched.
    let one = w.app.get(&format!("/api/v1/requests/{}", w.ids[0])).await;
    let incoming = one.ok()["incoming"].as_array().unwrap().clone();
    // Beside what came back, what went out: the request itself, sent through the outbox.
    let out = one.body["outgoing"].as_array().unwrap();
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!((out[0]["kind"].as_str(), out[0]["state"].as_str()), (Some("request"), Some("sent")));
    assert_eq!(format!("<{}>", out[0]["message_id"].as_str().unwrap()), w.msgids[0]);
    assert_eq!(out[0]["to"], "foi@alpha-trust.nhs.uk");
    let by: Vec<&str> = incoming.iter().map(|m| m["matched_by"].as_str().unwrap()).collect();
    assert!(by.contains(&"guess") && by.contains(&"in_reply_to") && by.contains(&"reply_address"), "{by:?}");
    let shared = incoming.iter().find(|m| m["from"] == "foi.sharedservice@nhs.net").unwrap();
    assert_eq!(shared["sender_mismatch"], true, "nhs.net is not Alpha's domain");
    let own =
        incoming.iter().find(|m| m["subject"].as_str().unwrap().starts_with("Re: Your request")).unwrap();
    assert_eq!(own["sender_mismatch"], false);
    let zip = incoming.iter().find(|m| m["attachments"][0]["filename"] == "documents.zip").unwrap();
    // An archive's text is its members', each under its name.
    assert_eq!(zip["attachments"][0]["content_type"], "application/zip", "{zip}");
    assert_eq!(zip["attachments"][0]["extraction"], "ok", "{zip}");
    let found = w.app.get("/api/v1/search?q=bystander+covering").await;
    let hit = &found.ok()["items"][0];
    assert_eq!(hit["attachment"]["filename"], "documents.zip", "{hit}");

    // A letter's HTML is kept, sanitised; plain text mail has none.
    let three = w.app.get(&format!("/api/v1/requests/{}", w.ids[2])).await;
    let three = three.ok()["incoming"].as_array().unwrap().clone();
    let letter = three.iter().find(|m| m["attachments"].as_array().is_some_and(|a| a.len() == 2)).unwrap();
    let html = letter["html"].as_str().expect("the letter's HTML");
    assert!(html.contains("active bystander training to 42 members"), "{html}");
    for gone in ["<script", "onclick", "javascript:", "tracker", "<img", "<style"] {
        assert!(!html.contains(gone), "{gone} in {html}");
    }
    assert!(own.get("html").is_none(), "{own}");

    // What they caused: the acknowledgement's reference, the bounce's failing address.
    let events = w.app.get(&format!("/api/v1/requests/{}/events", w.ids[2])).await;
    let acks: Vec<&Value> =
        events.ok().as_array().unwrap().iter().filter(|e| e["kind"] == "acknowledged").collect();
    assert_eq!(acks.len(), 2, "one recorded by hand, one from the automatic acknowledgement");
    assert_eq!(acks[1]["details"]["body_reference"], "FOI 056-2022");
    let gamma = w.app.get(&format!("/api/v1/requests/{}", w.ids[2])).await;
    let body_id = gamma.ok()["authority"]["id"].as_i64().unwrap();
    let gamma_body = w.app.get(&format!("/api/v1/authorities/{body_id}")).await;
    assert!(
        gamma_body.ok()["email_failing"]["reason"].as_str().unwrap().contains("5.1.1"),
        "{}",
        gamma_body.body
    );
    let alpha = w.app.get(&format!("/api/v1/requests/{}", w.ids[0])).await;
    let alpha_body = alpha.ok()["authority"]["id"].as_i64().unwrap();
    assert!(
        w.app.get(&format!("/api/v1/authorities/{alpha_body}")).await.ok()["email_failing"]["reason"]
            .as_str()
            .unwrap()
            .contains("5.4.1"),
        "Microsoft's bounce marks Alpha"
    );
    w.app.stop().await;
}
on_both_backends!(every_message_of_the_corpus_lands_where_it_belongs);

async fn a_message_is_stored_once_however_often_it_arrives(db: &TestDb) {
    let w = world(db).await;
    let first = w.deliver(w.expand("response_plain.eml")).await;
    assert_eq!(first.body["outcome"], "response");
    let again = w.deliver(w.expand("response_plain.eml")).await;
    assert_eq!(again.status, 202);
    assert_eq!(
        (again.body["outcome"].as_str(), again.body["id"].as_i64()),
        (Some("duplicate"), first.body["id"].as_i64())
    );
    assert_eq!(strings(&again.body["requests"]), w.references(&[1]), "it says where the first went");
    // The same Message-ID with other bytes (a copy re-sent through another server) is the same.
    let mut resent = b"X-Forwarded-By: relay\n".to_vec();
    resent.extend(w.expand("response_plain.eml"));
    assert_eq!(w.deliver(resent).await.body["outcome"], "duplicate");
    // Two deliveries at once store it once.
    let raw = w.expand("response_pdf.eml");
    let (a, b) = tokio::join!(w.deliver(raw.clone()), w.deliver(raw));
    let mut outcomes =
        [a.body["outcome"].as_str().unwrap().to_string(), b.body["outcome"].as_str().unwrap().to_string()];
    outcomes.sort();
    assert_eq!(outcomes, ["duplicate", "response"], "{} {}", a.body, b.body);
    assert_eq!(a.body["id"], b.body["id"]);
    w.app.stop().await;
}
on_both_backends!(a_message_is_stored_once_however_often_it_arrives);

async fn bad_bytes_and_wrong_tokens_get_clear_answers(db: &TestDb) {
    let w = world(db).await;
    for file in ["not_a_message.bin", "empty.eml"] {
        let detail = w.deliver(w.expand(file)).await.problem(422, "validation");
        assert!(detail.starts_with("This is not a mail message: "), "{detail}");
        assert!(detail.contains("stored as rejected incoming message"), "stored all the same: {detail}");
        // Stored once: the same bytes again are a duplicate of the rejected message.
        assert_eq!(w.deliver(w.expand(file)).await.body["outcome"], "duplicate");
    }
    // NUL bytes, a huge Message-ID and a header that never ends: stored, never a 500.
    let hostile = format!(
        "From: a\0b@x.org\nMessage-ID: <{}@x>\nSubject: \0\u{1}odd\nX-Long: {}\n\nbody\0text\n",
        "m".repeat(5000),
        "y".repeat(100_000)
    );
    let reply = w.deliver(hostile.into_bytes()).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    assert_eq!(reply.body["message_id"], Value::Null, "too long to keep as one");
    // NUL in every header a lookup binds, and thousands of references: stored, looked up within
    // bounds.
    let refs: String = (0..5000).map(|i| format!(" ZZ-2021-{i:04}")).collect();
    let nul = format!(
        "From: Bob <bob@x\0.org>\nTo: foi+1\0-abc@x\nIn-Reply-To: <a\0b@x>\nReferences: <c\0d@x>\nMessage-ID: <n\0ul@x>\nSubject: Our ref: FOI\0 1{refs}\nX-Failed-Recipients: a\0@b.org\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: text/plain; name=\"n\0.txt\"\nContent-Disposition: attachment; filename=\"n\0.txt\"\n\nfile\n--b--\n"
    );
    let reply = w.deliver(nul.into_bytes()).await;
    assert_eq!(reply.status, 202, "{}", reply.body);
    // A bounce that names a request only by a reference anyone can type marks nothing.
    let forged = "From: MAILER-DAEMON@evil.example\nTo: foi@research.example.ac.uk\nMessage-ID: <forged@evil.example>\nSubject: Undeliverable: ABT-2021-0002\nX-Failed-Recipients: foi@beta-trust.nhs.uk\n\n550 5.1.1 no such user\n";
    let reply = w.deliver(forged.as_bytes().to_vec()).await;
    assert_eq!(
        (reply.body["outcome"].as_str(), reply.body["matched_by"].as_str()),
        (Some("bounce"), Some("subject_reference"))
    );
    let beta = w.app.get(&format!("/api/v1/requests/{}", w.ids[1])).await;
    assert_eq!(beta.ok()["authority"]["email_failing"], Value::Null, "{}", beta.body);
    // Over the upload limit (1 MB in the tests): 413, and nothing stored.
    let big = format!("From: a@x.org\nSubject: big\n\n{}\n", "x".repeat(1_100_000));
    w.deliver(big.into_bytes()).await.problem(413, "payload-too-large");
    // An ordinary token cannot deliver mail, and an ingest token can do nothing else.
    let refused = w
        .app
        .client
        .post(w.app.url("/api/v1/inbound"))
        .bearer_auth(&w.app.token)
        .body(w.expand("response_plain.eml"))
        .send()
        .await
        .unwrap();
    TestApp::reply_of(refused).await.problem(403, "forbidden");
    w.app.get_as(&w.ingest, "/api/v1/me").await.problem(403, "forbidden");
    w.app.get_as(&w.ingest, "/api/v1/requests").await.problem(403, "forbidden");
    let nobody = w.app.client.post(w.app.url("/api/v1/inbound")).body("x").send().await.unwrap();
    TestApp::reply_of(nobody).await.problem(401, "unauthorized");
    w.app.stop().await;
}
on_both_backends!(bad_bytes_and_wrong_tokens_get_clear_answers);

/// A copy of a fixture with another Message-ID, so it is stored as a message of its own.
pub(crate) fn renamed(raw: Vec<u8>, tag: &str) -> Vec<u8> {
    let text = unsafe_latin1(&raw);
    let (head, rest) = text.split_once("Message-ID: <").unwrap();
    format!("{head}Message-ID: <{tag}.{rest}").chars().map(|c| c as u32 as u8).collect()
}

async fn the_holding_pen_is_emptied_by_assigning_and_discarding(db: &TestDb) {
    let w = world(db).await;
    let first = w.deliver(w.expand("unmatched.eml")).await;
    let id = first.body["id"].as_i64().unwrap();
    let pen = w.app.get("/api/v1/holding-pen").await;
    assert_eq!(pen.ok()["total"], 1, "{}", pen.body);
    let waiting = &pen.body["items"][0];
    assert_eq!((waiting["id"].as_i64(), waiting["in_site_pen"].as_bool()), (Some(id), Some(true)));
    assert_eq!(waiting["suggestions"][0]["reference"], "ABT-2021-0001");
    assert!(waiting["preview"].as_str().unwrap().len() > 10, "{waiting}");

    // Assigned: out of the pen, linked as a researcher's match.
    let assign = json!({"request_id": w.ids[0]});
    let assigned = w.app.post(&format!("/api/v1/holding-pen/{id}/assign"), &assign).await;
    assert_eq!(assigned.ok()["id"], id);
    assert_eq!(w.app.get("/api/v1/holding-pen").await.ok()["total"], 0);
    let again = w.deliver(w.expand("unmatched.eml")).await;
    assert_eq!(strings(&again.body["requests"]), w.references(&[1]));
    assert_eq!(again.body["matched_by"], "researcher");
    w.app.post(&format!("/api/v1/holding-pen/{id}/assign"), &assign).await.problem(404, "not-found");

    // Discarded, with a reason: out of the pen for good, still stored.
    let other = w.deliver(renamed(w.expand("unmatched.eml"), "second")).await;
    let other = other.body["id"].as_i64().unwrap();
    let discard = format!("/api/v1/holding-pen/{other}/discard");
    w.app.post(&discard, &json!({"reason": ""})).await.problem(422, "validation");
    w.app.post(&discard, &json!({"reason": "a newsletter"})).await;
    assert_eq!(w.app.get("/api/v1/holding-pen").await.ok()["total"], 0);
    w.app.post(&discard, &json!({"reason": "twice"})).await.problem(404, "not-found");
    w.app.post("/api/v1/holding-pen/999999/assign", &assign).await.problem(404, "not-found");

    // A workspace's pen: only its members see it, and a viewer may not work it.
    w.app.user("b-owner@example.org", "researcher", None).await;
    let ws = json!({"slug": "team-b", "name": "Team B", "owner": "b-owner@example.org"});
    w.app.post("/api/v1/workspaces", &ws).await.ok();
    let (viewer, _) = w.app.user("b-viewer@example.org", "viewer", Some("team-b")).await;
    let rights = TokenRights::Ingest { workspace: Some("team-b".into()) };
    let team_b_mail =
        w.app.service.create_token(None, Some("admin@example.org"), None, &rights).unwrap().token;
    let raw = renamed(w.expand("unmatched.eml"), "third");
    let request = w.app.client.post(w.app.url("/api/v1/inbound")).bearer_auth(&team_b_mail).body(raw);
    let third = TestApp::reply_of(request.send().await.unwrap()).await;
    let third = third.body["id"].as_i64().unwrap();
    let seen = w.app.get_as(&viewer, "/api/v1/holding-pen").await;
    assert_eq!(
        (seen.ok()["total"].as_i64(), seen.body["items"][0]["in_site_pen"].as_bool()),
        (Some(1), Some(false))
    );
    assert_eq!(seen.body["items"][0]["id"], third);
    let none_of_b = w.app.get("/api/v1/holding-pen").await;
    assert_eq!(none_of_b.ok()["total"], 0, "the admin is not in team-b: {}", none_of_b.body);
    let refused = w
        .app
        .post_as(&viewer, &format!("/api/v1/holding-pen/{third}/discard"), &json!({"reason": "x"}))
        .await;
    assert!(refused.problem(403, "forbidden").contains("viewer"));
    w.app.stop().await;
}
on_both_backends!(the_holding_pen_is_emptied_by_assigning_and_discarding);

/// Mail files are stored in batches (`foitrack ingest`'s `Batcher`): every message reported,
/// in order, however the batches fall; a message larger than a batch's bytes is one of its own.
async fn batches_keep_every_message_in_order(db: &TestDb) {
    use foitrack::service::ingest::{BATCH_BYTES, BATCH_MESSAGES, Batcher};
    let w = world(db).await;
    let admin = w.app.service.local_actor(Some("admin@example.org")).unwrap().user_id;
    let plain = w.expand("response_plain.eml");
    let service = w.app.service.clone();
    let reports = tokio::task::spawn_blocking(move || {
        let mut batcher = Batcher::new(&service, None, admin);
        let mut reports = Vec::new();
        let n = BATCH_MESSAGES * 2 + 7;
        for i in 0..n {
            let mut raw = renamed(plain.clone(), &format!("batch{i}"));
            if i == 150 {
                // A message of more than a batch's bytes, in the middle of a batch.
                raw.extend(std::iter::repeat_n(b'x', BATCH_BYTES + 10));
            }
            reports.extend(batcher.push(format!("mbox#{i}"), raw));
        }
        reports.extend(batcher.flush());
        reports
    })
    .await
    .unwrap();
    assert_eq!(reports.len(), BATCH_MESSAGES * 2 + 7);
    for (i, (source, report)) in reports.iter().enumerate() {
        assert_eq!(source, &format!("mbox#{i}"));
        let report = report.as_ref().unwrap();
        assert_eq!((report.source.as_str(), report.outcome.as_str()), (source.as_str(), "response"), "{i}");
    }
}
on_both_backends!(batches_keep_every_message_in_order);

/// A batch that cannot be stored together is stored a message at a time, so that only the
/// message at fault is lost, and every other is reported in its place. The fault is a trigger
/// of the test's own that refuses one subject.
async fn a_batch_with_one_bad_message_loses_only_that_one(db: &TestDb) {
    use diesel::RunQueryDsl;
    use foitrack::service::ingest::Batcher;
    let w = world(db).await;
    {
        let mut conn = w.app.service.db().conn().unwrap();
        match &mut *conn {
            foitrack::store::AnyConnection::Sqlite(c) => diesel::sql_query(
                "CREATE TRIGGER poison BEFORE INSERT ON inbound_messages WHEN new.subject = 'poison' \
                 BEGIN SELECT RAISE(ABORT, 'the test refuses this message'); END",
            )
            .execute(c),
            foitrack::store::AnyConnection::Postgres(c) => diesel::connection::SimpleConnection::batch_execute(
                c,
                "CREATE FUNCTION poison() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
                 IF new.subject = 'poison' THEN RAISE EXCEPTION 'the test refuses this message'; END IF; \
                 RETURN new; END $$; \
                 CREATE TRIGGER poison BEFORE INSERT ON inbound_messages FOR EACH ROW EXECUTE FUNCTION poison()",
            )
            .map(|()| 0),
        }
        .unwrap();
    }
    let admin = w.app.service.local_actor(Some("admin@example.org")).unwrap().user_id;
    let plain = w.expand("response_plain.eml");
    let service = w.app.service.clone();
    let reports = tokio::task::spawn_blocking(move || {
        let mut batcher = Batcher::new(&service, None, admin);
        let mut reports = Vec::new();
        for i in 0..6 {
            let mut raw = renamed(plain.clone(), &format!("fallback{i}"));
            if i == 3 {
                let text = String::from_utf8(raw).unwrap();
                let (head, rest) = text.split_once("Subject: ").unwrap();
                let (_, rest) = rest.split_once('\n').unwrap();
                raw = format!("{head}Subject: poison\n{rest}").into_bytes();
            }
            reports.extend(batcher.push(format!("mbox#{i}"), raw));
        }
        reports.extend(batcher.flush());
        reports
    })
    .await
    .unwrap();
    let got: Vec<(String, bool)> = reports.iter().map(|(s, r)| (s.clone(), r.is_ok())).collect();
    let want: Vec<(String, bool)> = (0..6).map(|i| (format!("mbox#{i}"), i != 3)).collect();
    assert_eq!(got, want, "only the refused message fails, and each report is in its place");
    let one = w.app.get(&format!("/api/v1/requests/{}", w.ids[0])).await;
    assert_eq!(one.ok()["incoming"].as_array().unwrap().len(), 5, "the five others are stored");
    w.app.stop().await;
}
on_both_backends!(a_batch_with_one_bad_message_loses_only_that_one);
