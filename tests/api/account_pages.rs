//! Accounts on the pages, on both backends: choosing a password by a link mailed through the
//! outbox to a real SMTP server, the administrators' People page, the workspaces with their
//! members, and the switcher that narrows the lists to one workspace.

use std::time::Duration;

use crate::coding_pages::signed_in;
use crate::helpers::{TestApp, TestDb, spawn_app_with};
use crate::on_both_backends;
use crate::pages::{Browser, Got, PASSWORD};
use crate::smtp;
use foitrack::mail::{MailTarget, Mailer};

pub(crate) const SITE: &str = "https://foi.example.org";
const NEW: &str = "a new password of hers";

pub(crate) async fn app(db: &TestDb) -> TestApp {
    spawn_app_with(db, |s| s.server.public_url = format!("{SITE}/")).await
}

/// Delivers the outbox to a real SMTP server and returns what it accepted.
pub(crate) async fn deliver(app: &TestApp) -> Vec<String> {
    let (url, inbox) = smtp::start(smtp::Inbox::default());
    let mailer = Mailer::new(MailTarget::parse(&url).unwrap(), Duration::from_secs(10)).unwrap();
    let service = app.service.clone();
    tokio::task::spawn_blocking(move || service.deliver_due(&mailer, "test", 50).unwrap()).await.unwrap();
    inbox.lock().unwrap().messages.clone()
}

/// The path of the one password link in a message, checked to start with the site's address.
pub(crate) fn link_in(message: &str) -> String {
    // Quoted-printable may wrap a long line; the link is whole once the soft breaks are gone.
    let text = message.replace("=\r\n", "").replace("=\n", "");
    let at = text.find(&format!("{SITE}/reset-password/")).expect("a link to the site") + SITE.len();
    text[at..].split_whitespace().next().unwrap().to_string()
}

/// The password-link mail kept in the outbox: id and body.
fn reset_mail(app: &TestApp) -> Vec<(i64, String)> {
    use diesel::prelude::*;
    use foitrack::domain::vocab::OutboxKind;
    use foitrack::store::schema::outbox;
    let mut conn = app.service.db().conn().unwrap();
    outbox::table
        .filter(outbox::kind.eq(OutboxKind::PasswordReset))
        .order(outbox::id)
        .select((outbox::id, outbox::body))
        .load(&mut *conn)
        .unwrap()
}

/// Moves every password link's end into the past, as if the hour had gone by.
fn expire_links(app: &TestApp) {
    use diesel::prelude::*;
    use foitrack::store::schema::password_resets;
    let mut conn = app.service.db().conn().unwrap();
    let past = chrono::Utc::now().naive_utc() - chrono::Duration::minutes(1);
    diesel::update(password_resets::table)
        .set(password_resets::expires_at.eq(past))
        .execute(&mut *conn)
        .unwrap();
}

async fn ask(b: &Browser<'_>, email: &str) -> Got {
    b.post("/forgot-password", "same-origin", &[("email", email)]).await
}

async fn a_forgotten_password_is_chosen_again_by_a_mailed_link(db: &TestDb) {
    let app = app(db).await;
    app.user("ada@uni.ac.uk", "researcher", None).await;
    // Ada is signed in somewhere with the password she is about to forget.
    let elsewhere = signed_in(&app, "ada@uni.ac.uk").await;
    let b = Browser::new(&app);
    let sign_in = b.get("/sign-in").await;
    assert!(sign_in.text.contains("href=\"/forgot-password\""), "{}", sign_in.text);
    assert_eq!(b.get("/forgot-password").await.status, 200);

    let known = ask(&b, "Ada@Uni.ac.uk").await;
    let unknown = ask(&b, "nobody@uni.ac.uk").await;
    let garbled = ask(&b, "not an address").await;
    for answer in [&known, &unknown, &garbled] {
        assert_eq!(answer.status, 200);
        assert!(answer.text.contains("If an account has that email address, a link"), "{}", answer.text);
    }
    assert_eq!(known.text, unknown.text, "the answer does not tell who has an account");

    let outbox = app.get("/api/v1/outbox").await;
    assert_eq!(outbox.ok()["total"], 0, "no workspace's outbox shows a reset link: {:?}", outbox.ok());
    let mail = deliver(&app).await;
    assert_eq!(mail.len(), 1, "one mail, to the one account");
    assert_eq!(smtp::header(&mail[0], "To"), Some("ada@uni.ac.uk"));
    assert_eq!(smtp::header(&mail[0], "Auto-Submitted"), Some("auto-generated"));
    let link = link_in(&mail[0]);
    let kept = reset_mail(&app);
    assert_eq!(kept.len(), 1);
    assert!(
        !kept[0].1.contains("reset-password"),
        "once sent, the mail no longer holds the link: {}",
        kept[0].1
    );
    for action in ["retry", "cancel"] {
        let path = format!("/api/v1/outbox/{}/{action}", kept[0].0);
        assert_eq!(app.post(&path, &serde_json::json!({})).await.status, 404, "{path}: no team's message");
    }

    let secret = link.rsplit('/').next().unwrap().to_string();
    let near = format!("/reset-password/{}{}", &secret[..63], if secret.ends_with('0') { '1' } else { '0' });
    assert_eq!(b.get(&near).await.status, 404, "one character off is no link");
    let capitals = b.get(&format!("/reset-password/{}", secret.to_uppercase())).await;
    assert_eq!(capitals.status, 200, "a link retyped in capitals still opens");
    for odd in ["/reset-password/0123", &format!("/reset-password/{secret}0"), "/reset-password/%00"] {
        assert_eq!(b.get(odd).await.status, 404, "{odd}");
    }

    let form = b.get(&link).await;
    assert_eq!(form.status, 200);
    assert!(form.text.contains("<strong>ada@uni.ac.uk</strong>"), "{}", form.text);
    let differ = b.post(&link, "same-origin", &[("password", NEW), ("again", "something else")]).await;
    assert_eq!(differ.status, 422);
    assert!(differ.text.contains("the two passwords differ"), "{}", differ.text);
    let short = b.post(&link, "same-origin", &[("password", "hunter2"), ("again", "hunter2")]).await;
    assert_eq!(short.status, 422);
    assert!(short.text.contains("10 to 1000 characters"), "{}", short.text);
    let forged = b.post(&link, "cross-site", &[("password", NEW), ("again", NEW)]).await;
    assert_eq!(forged.status, 403, "a form from another site sets nothing");
    assert!(app.service.sign_in("ada@uni.ac.uk", PASSWORD).is_ok(), "nothing changed yet");

    let set = b.post(&link, "same-origin", &[("password", NEW), ("again", NEW)]).await;
    assert_eq!((set.status, set.location.as_str()), (303, "/sign-in"));
    let told = b.get("/sign-in").await;
    assert!(told.text.contains("The password of ada@uni.ac.uk is set: sign in with it."), "{}", told.text);
    assert!(app.service.sign_in("ada@uni.ac.uk", NEW).is_ok(), "the new password signs in");
    assert!(app.service.sign_in("ada@uni.ac.uk", PASSWORD).is_err(), "the old one no longer does");
    let ended = elsewhere.get("/").await;
    assert_eq!(ended.status, 303, "the session signed in with the old password has ended");

    for spent in
        [b.get(&link).await, b.post(&link, "same-origin", &[("password", NEW), ("again", NEW)]).await]
    {
        assert_eq!(spent.status, 404, "a link works once");
        assert!(spent.text.contains("has expired or has already been used"), "{}", spent.text);
    }

    // Three links an hour per account; a fourth ask is answered the same and sends nothing.
    for _ in 0..2 {
        assert_eq!(ask(&b, "ada@uni.ac.uk").await.status, 200);
    }
    let over = ask(&b, "ada@uni.ac.uk").await;
    assert_eq!((over.status, &over.text), (200, &unknown.text), "over the limit, the same answer");
    let mail = deliver(&app).await;
    assert_eq!(mail.len(), 2, "one link already sent this hour, so two more");
    let (older, newer) = (link_in(&mail[0]), link_in(&mail[1]));
    let set = b
        .post(&newer, "same-origin", &[("password", "a second good one"), ("again", "a second good one")])
        .await;
    assert_eq!(set.status, 303);
    assert_eq!(b.get(&older).await.status, 404, "using one link spends the others");
    app.stop().await;
}
on_both_backends!(a_forgotten_password_is_chosen_again_by_a_mailed_link);

async fn an_expired_link_opens_nothing_and_is_not_sent(db: &TestDb) {
    let app = app(db).await;
    app.user("ada@uni.ac.uk", "researcher", None).await;
    let b = Browser::new(&app);
    ask(&b, "ada@uni.ac.uk").await;
    let link = link_in(&deliver(&app).await[0]);
    ask(&b, "ada@uni.ac.uk").await;
    expire_links(&app);
    let dead = b.get(&link).await;
    assert_eq!(dead.status, 404);
    assert!(dead.text.contains("has expired or has already been used"), "{}", dead.text);
    let refused = b.post(&link, "same-origin", &[("password", NEW), ("again", NEW)]).await;
    assert_eq!(refused.status, 404);
    assert!(app.service.sign_in("ada@uni.ac.uk", NEW).is_err(), "no password was set");
    assert!(deliver(&app).await.is_empty(), "the mail of a link that expired before it went is not sent");
    let kept = reset_mail(&app);
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|(_, body)| !body.contains("reset-password")), "{kept:?}");
    app.stop().await;
}
on_both_backends!(an_expired_link_opens_nothing_and_is_not_sent);

async fn administrators_add_people_who_choose_their_own_password(db: &TestDb) {
    let app = app(db).await;
    let admin = signed_in(&app, "admin@example.org").await;
    let people = admin.get("/users").await;
    assert_eq!(people.status, 200);
    assert!(people.text.contains("admin@example.org"), "{}", people.text);

    let add = [
        ("email", "Bea@Uni.ac.uk"),
        ("name", "Bea Coder"),
        ("role", "coder"),
        ("workspace", "default"),
        ("send_link", "yes"),
    ];
    let added = admin.post("/users", "same-origin", &add).await;
    assert_eq!((added.status, added.location.as_str()), (303, "/users"), "{}", added.text);
    let listed = admin.get("/users").await;
    assert!(
        listed.text.contains("bea@uni.ac.uk can now use foitrack; a link to choose a password"),
        "{}",
        listed.text
    );
    assert!(listed.text.contains("default (coder)"), "{}", listed.text);
    let again = admin.post("/users", "same-origin", &add).await;
    assert_eq!(again.status, 422, "{}", again.text);
    assert!(
        again.text.contains("already exists") && again.text.contains("value=\"Bea Coder\""),
        "{}",
        again.text
    );
    let odd = admin
        .post(
            "/users",
            "same-origin",
            &[("email", "cy@uni.ac.uk"), ("role", "boss"), ("workspace", "default")],
        )
        .await;
    assert_eq!(odd.status, 422);
    assert!(odd.text.contains("is not a known role; use one of: admin, researcher"), "{}", odd.text);

    let mail = deliver(&app).await;
    assert_eq!(mail.len(), 1);
    assert!(mail[0].contains("A site administrator sent you this link"), "{}", mail[0]);
    let bea = Browser::new(&app);
    let link = link_in(&mail[0]);
    assert_eq!(
        bea.post(&link, "same-origin", &[("password", PASSWORD), ("again", PASSWORD)]).await.status,
        303
    );
    let token = bea.form_token().await;
    let me = [("email", "bea@uni.ac.uk"), ("password", PASSWORD), ("token", &token), ("next", "/")];
    assert_eq!(bea.post("/sign-in", "same-origin", &me).await.status, 303, "Bea signs in");
    let denied = bea.get("/users").await;
    assert_eq!(denied.status, 403, "only site administrators see everyone");
    assert!(!bea.get("/").await.text.contains("href=\"/users\""), "nor are they shown the link");

    let accounts = app.service.accounts(&app.service.local_actor(None).unwrap()).unwrap();
    let bea_id = accounts.iter().find(|a| a.user.email == "bea@uni.ac.uk").unwrap().user.id;
    let admin_id = accounts.iter().find(|a| a.user.email == "admin@example.org").unwrap().user.id;
    assert_eq!(
        bea.post(&format!("/users/{bea_id}/role"), "same-origin", &[("role", "admin")]).await.status,
        403
    );
    let last = admin.post(&format!("/users/{admin_id}/role"), "same-origin", &[("role", "viewer")]).await;
    assert_eq!(last.status, 422);
    assert!(last.text.contains("the only site administrator"), "{}", last.text);
    let promoted = admin.post(&format!("/users/{bea_id}/role"), "same-origin", &[("role", "admin")]).await;
    assert_eq!(promoted.status, 303);
    assert!(admin.get("/users").await.text.contains("bea@uni.ac.uk is now admin for the site."));
    let link = admin.post(&format!("/users/{bea_id}/password-link"), "same-origin", &[]).await;
    assert_eq!(link.status, 303);
    assert_eq!(admin.post("/users/999999/password-link", "same-origin", &[]).await.status, 404);
    assert_eq!(deliver(&app).await.len(), 1, "the new link was mailed");
    app.stop().await;
}
on_both_backends!(administrators_add_people_who_choose_their_own_password);

async fn owners_manage_members_and_everyone_switches_workspace(db: &TestDb) {
    let app = app(db).await;
    let campaign = app.nhs_campaign().await;
    app.user("owner@uni.ac.uk", "researcher", None).await;
    app.user("cy@uni.ac.uk", "viewer", None).await;
    let admin = signed_in(&app, "admin@example.org").await;
    let made = [("slug", "press"), ("name", "Press desk"), ("owner", "owner@uni.ac.uk")];
    assert_eq!(admin.post("/workspaces", "same-origin", &made).await.status, 303);
    let clash = admin.post("/workspaces", "same-origin", &made).await;
    assert_eq!(clash.status, 422);
    assert!(
        clash.text.contains("already exists") && clash.text.contains("value=\"Press desk\""),
        "{}",
        clash.text
    );

    let owner = signed_in(&app, "owner@uni.ac.uk").await;
    let spaces = owner.get("/workspaces").await;
    assert!(
        spaces.text.contains("Press desk") && spaces.text.contains("Members of Press desk"),
        "{}",
        spaces.text
    );
    assert!(!spaces.text.contains("Create a workspace"), "only administrators create them");
    let add = [("email", "cy@uni.ac.uk"), ("role", "coder")];
    let added = owner.post("/workspaces/press/members", "same-origin", &add).await;
    assert_eq!((added.status, added.location.as_str()), (303, "/workspaces/press/members"));
    let members = owner.get("/workspaces/press/members").await;
    assert!(members.text.contains("cy@uni.ac.uk joined as coder."), "{}", members.text);
    let twice = owner.post("/workspaces/press/members", "same-origin", &add).await;
    assert_eq!(twice.status, 422);
    assert!(twice.text.contains("already a member"), "{}", twice.text);
    let nobody = owner
        .post("/workspaces/press/members", "same-origin", &[("email", "x@uni.ac.uk"), ("role", "coder")])
        .await;
    assert_eq!(nobody.status, 422, "{}", nobody.text);

    let ids = app.service.accounts(&app.service.local_actor(None).unwrap()).unwrap();
    let id_of = |email: &str| ids.iter().find(|a| a.user.email == email).unwrap().user.id;
    let (cy, own) = (id_of("cy@uni.ac.uk"), id_of("owner@uni.ac.uk"));
    let last = owner
        .post(&format!("/workspaces/press/members/{own}/role"), "same-origin", &[("role", "viewer")])
        .await;
    assert_eq!(last.status, 422);
    assert!(last.text.contains("last owner") || last.text.contains("only owner"), "{}", last.text);
    let changed = owner
        .post(&format!("/workspaces/press/members/{cy}/role"), "same-origin", &[("role", "researcher")])
        .await;
    assert_eq!(changed.status, 303);

    // Cy is now in two workspaces: the switcher narrows the lists to one, and back.
    let cy_b = signed_in(&app, "cy@uni.ac.uk").await;
    let all = cy_b.get("/campaigns").await;
    assert!(
        all.text.contains("id=\"switch-workspace\"") && all.text.contains("Active bystander"),
        "{}",
        all.text
    );
    let to_press = cy_b.post("/switch-workspace", "same-origin", &[("workspace", "press")]).await;
    assert_eq!((to_press.status, to_press.location.as_str()), (303, "/"));
    let press = cy_b.get("/campaigns").await;
    assert!(!press.text.contains("Active bystander"), "the other workspace's campaign is not listed");
    assert!(press.text.contains("<option value=\"press\" selected>"), "{}", press.text);
    assert_eq!(cy_b.get(&format!("/campaigns/{campaign}")).await.status, 200, "a link still opens");
    assert_eq!(
        cy_b.post("/switch-workspace", "same-origin", &[("workspace", "elsewhere")]).await.status,
        404
    );
    assert_eq!(cy_b.post("/switch-workspace", "same-origin", &[("workspace", "")]).await.status, 303);
    assert!(cy_b.get("/campaigns").await.text.contains("Active bystander"), "all workspaces again");

    // A member who is not an owner sees the members but cannot change them; anyone may leave.
    let demoted = owner
        .post(&format!("/workspaces/press/members/{cy}/role"), "same-origin", &[("role", "coder")])
        .await;
    assert_eq!(demoted.status, 303);
    let cy_press = cy_b
        .post(&format!("/workspaces/press/members/{own}/role"), "same-origin", &[("role", "viewer")])
        .await;
    assert_eq!(cy_press.status, 403, "a coder changes no one's role");
    let cy_remove = cy_b.post(&format!("/workspaces/press/members/{own}/remove"), "same-origin", &[]).await;
    assert_eq!(cy_remove.status, 403, "nor removes anyone");
    let read_only = cy_b.get("/workspaces/default/members").await;
    assert_eq!(read_only.status, 200);
    assert!(!read_only.text.contains("Add a member") && read_only.text.contains("Leave this workspace"));
    let refused = cy_b
        .post(
            "/workspaces/default/members",
            "same-origin",
            &[("email", "owner@uni.ac.uk"), ("role", "owner")],
        )
        .await;
    assert_eq!(refused.status, 403);
    let left = cy_b.post(&format!("/workspaces/default/members/{cy}/remove"), "same-origin", &[]).await;
    assert_eq!((left.status, left.location.as_str()), (303, "/workspaces"));
    assert_eq!(cy_b.get(&format!("/campaigns/{campaign}")).await.status, 404, "gone at once");
    let members = app.get("/api/v1/workspaces/default/members").await;
    assert!(!members.ok().to_string().contains("cy@uni.ac.uk"), "{:?}", members.body);
    app.stop().await;
}
on_both_backends!(owners_manage_members_and_everyone_switches_workspace);
