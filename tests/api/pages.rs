//! The web pages over HTTP, on both backends, as a browser without JavaScript sees them: signing
//! in and out, the dashboard, and the refusals that protect them (forged forms, wrong
//! passwords). The same in a real Chromium is in tests/browser.rs.

use reqwest::redirect::Policy;
use serde_json::json;

use crate::helpers::{TestApp, TestDb, spawn_app};
use crate::on_both_backends;

pub(crate) const PASSWORD: &str = "correct horse battery";

/// What a page request got: its status, where it redirects, its text and its headers.
pub(crate) struct Got {
    pub(crate) status: u16,
    pub(crate) location: String,
    pub(crate) text: String,
    pub(crate) headers: reqwest::header::HeaderMap,
}

async fn got(response: reqwest::Response) -> Got {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let location = headers.get("location").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    Got { status, location, text: response.text().await.unwrap(), headers }
}

/// A browser: keeps cookies, does not follow redirects (so the test sees each one), and says its
/// forms come from the same site, as browsers do in `Sec-Fetch-Site`.
pub(crate) struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
}

impl<'a> Browser<'a> {
    pub(crate) fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            client: reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap(),
        }
    }

    pub(crate) async fn get(&self, path: &str) -> Got {
        got(self.client.get(self.app.url(path)).send().await.unwrap()).await
    }

    pub(crate) async fn post(&self, path: &str, site: &str, form: &[(&str, &str)]) -> Got {
        let request = self.client.post(self.app.url(path)).header("sec-fetch-site", site).form(form);
        got(request.send().await.unwrap()).await
    }

    /// Posts a form with a file, as `multipart/form-data`.
    pub(crate) async fn upload(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, Vec<u8>)>,
    ) -> Got {
        let mut form = reqwest::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        if let Some((name, bytes)) = file {
            form = form.part("file", reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()));
        }
        let request =
            self.client.post(self.app.url(path)).header("sec-fetch-site", "same-origin").multipart(form);
        got(request.send().await.unwrap()).await
    }

    /// The sign-in form's token, read from the page as a browser would submit it.
    pub(crate) async fn form_token(&self) -> String {
        let form = self.get("/sign-in").await;
        let at = form.text.find("name=\"token\" value=\"").expect("a token in the form") + 20;
        form.text[at..at + 32].to_string()
    }
}

async fn researchers_sign_in_and_see_what_is_late(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = app.nhs_campaign().await;
    let sent = json!({"sent_at": "2021-12-06T10:00:00Z"});
    app.post(&format!("/api/v1/campaigns/{campaign}/sent"), &sent).await.ok();
    app.service.set_password(None, "admin@example.org", PASSWORD).unwrap();
    let b = Browser::new(&app);

    let first = b.get("/").await;
    assert_eq!((first.status, first.location.as_str()), (303, "/sign-in?next=%2F"));
    let form = b.get("/sign-in?next=/").await;
    assert_eq!(form.status, 200);
    assert!(form.text.contains("<label for=\"password\">Password</label>"), "{}", form.text);
    let csp = form.headers["content-security-policy"].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(form.headers["x-content-type-options"], "nosniff");

    let token = b.form_token().await;
    let wrong = [
        ("email", "admin@example.org"),
        ("password", "wrong horse battery"),
        ("token", &token),
        ("next", "/"),
    ];
    let refused = b.post("/sign-in", "same-origin", &wrong).await;
    assert_eq!(refused.status, 401);
    assert!(refused.text.contains("That email address and password do not match an account."));
    assert!(refused.text.contains("value=\"admin@example.org\""), "the email is kept for a second try");
    let nobody = [("email", "nobody@example.org"), ("password", PASSWORD), ("token", &token), ("next", "/")];
    let unknown = b.post("/sign-in", "same-origin", &nobody).await;
    assert_eq!(unknown.status, 401, "an unknown address is refused in the same words");
    assert!(unknown.text.contains("That email address and password do not match an account."));

    let right = [("email", "Admin@Example.org"), ("password", PASSWORD), ("token", &token), ("next", "/")];
    let nowhere = b.post("/no-such-page", "cross-site", &right).await;
    assert_eq!(nowhere.status, 404, "an unknown path is not found, whoever sends it");
    let forged = b.post("/sign-in", "cross-site", &right).await;
    assert_eq!(forged.status, 403, "a form from another site");
    assert!(forged.text.contains("was not sent from foitrack"));
    let stale = [("email", "admin@example.org"), ("password", PASSWORD), ("token", "0123"), ("next", "/")];
    assert_eq!(b.post("/sign-in", "same-origin", &stale).await.status, 403, "a token not of this session");
    let away = [
        ("email", "admin@example.org"),
        ("password", PASSWORD),
        ("token", &token),
        ("next", "//evil.example"),
    ];
    let signed = b.post("/sign-in", "same-origin", &away).await;
    assert_eq!((signed.status, signed.location.as_str()), (303, "/"), "never sent to another site");

    let dashboard = b.get("/").await;
    assert_eq!(dashboard.status, 200);
    assert!(dashboard.text.contains("<strong>209</strong> very overdue"), "{}", dashboard.text);
    let first = app.first_request(campaign).await;
    let linked = format!("<td><a href=\"/requests/{first}\">ABT-2021-0001</a></td>");
    assert!(dashboard.text.contains(&linked), "{}", dashboard.text);
    assert!(dashboard.text.contains("and 184 more."), "25 shown of 209");
    assert!(dashboard.text.contains("<span>admin@example.org</span>"));
    assert_eq!(dashboard.headers["cache-control"], "no-store");

    let campaigns = b.get("/campaigns").await;
    assert!(
        campaigns.text.contains(&format!("<a href=\"/campaigns/{campaign}\">Active bystander training</a>")),
        "{}",
        campaigns.text
    );
    let progress = b.get(&format!("/campaigns/{campaign}")).await;
    assert_eq!(progress.status, 200);
    assert!(
        progress.text.contains("<svg") && progress.text.contains("Requests by status"),
        "the progress chart"
    );
    assert!(
        progress.text.contains(&format!(
            "<td><a href=\"/campaigns/{campaign}?status=very_overdue\">very overdue</a></td><td>209</td>"
        )),
        "{}",
        progress.text
    );
    assert!(progress.text.contains("50 of 209 request(s), by reference"));
    assert!(progress.text.contains(&format!("href=\"/campaigns/{campaign}?page=2\" rel=\"next\"")));
    let late = b.get(&format!("/campaigns/{campaign}?status=very_overdue&page=5")).await;
    assert!(late.text.contains("9 of 209 request(s)") && late.text.contains("rel=\"prev\""), "{}", late.text);
    let odd = b.get(&format!("/campaigns/{campaign}?status=lost")).await;
    assert_eq!(odd.status, 422, "{}", odd.text);
    let request_id = app.first_request(campaign).await;
    let story = b.get(&format!("/requests/{request_id}")).await;
    assert_eq!(story.status, 200);
    assert!(story.text.contains("<h1>ABT-2021-0001: AIREDALE NHS FOUNDATION TRUST</h1>"), "{}", story.text);
    assert!(story.text.contains("How the deadline was worked out"));
    assert!(
        story.text.contains("<td>27 Dec 2021</td><td>Christmas Day (substitute day)</td>"),
        "{}",
        story.text
    );
    assert_eq!(b.get("/requests/999999").await.status, 404);
    assert_eq!(b.get("/campaigns/999999").await.status, 404);

    let calculated = b.get("/deadlines?regime=foia&received=2021-12-06").await;
    assert_eq!(calculated.status, 200);
    assert!(calculated.text.contains("<h2 id=\"due\">Due on 7 Jan 2022</h2>"), "{}", calculated.text);
    assert!(
        calculated.text.contains("<td>27 Dec 2021</td><td>Christmas Day (substitute day)</td>"),
        "{}",
        calculated.text
    );
    assert!(calculated.text.contains("<option value=\"foisa\">"), "every regime is offered");
    let wrong = b.get("/deadlines?regime=foia&received=6/12/2021").await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.text.contains("is not a date: write it as YYYY-MM-DD"), "{}", wrong.text);
    let nowhere = b.get("/deadlines?regime=narnia&received=2021-12-06").await;
    assert_eq!(nowhere.status, 422, "{}", nowhere.text);
    assert_eq!(b.get("/deadlines").await.status, 200, "the empty form");

    assert_eq!(b.post("/sign-out", "cross-site", &[]).await.status, 403);
    assert_eq!(b.get("/").await.status, 200, "still signed in after a forged sign-out");
    let out = b.post("/sign-out", "same-origin", &[]).await;
    assert_eq!((out.status, out.location.as_str()), (303, "/sign-in"));
    assert_eq!(b.get("/").await.status, 303);

    let css = b.get("/static/app.css").await;
    assert_eq!(css.headers["content-type"], "text/css; charset=utf-8");
    let js = b.get("/static/app.js").await;
    assert_eq!(js.headers["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(js.headers["x-content-type-options"], "nosniff");
    // Every asset a page loads, together, within the 100 KB.
    assert!(css.text.len() + js.text.len() < 100_000, "{} + {} bytes", css.text.len(), js.text.len());
    app.stop().await;
}
on_both_backends!(researchers_sign_in_and_see_what_is_late);

/// Every page, as a member of another workspace sees it: the route matrix of the pages. A page
/// not classified here fails the test until it is.
async fn every_page_keeps_to_its_workspace(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = app.nhs_campaign().await;
    app.post(&format!("/api/v1/campaigns/{campaign}/sent"), &json!({"sent_at": "2021-12-06T10:00:00Z"}))
        .await
        .ok();
    let request = app.first_request(campaign).await;
    // The API's matrix puts a reply in each workspace's pen; here, one that is not waiting.
    let pen = 999_999;
    let codebook = app.post("/api/v1/codebooks", &json!({"codebook": crate::codings::shipped()})).await.ok()
        ["id"]
        .as_i64()
        .unwrap();
    let other = json!({"slug": "other", "name": "Other", "owner": "admin@example.org"});
    app.post("/api/v1/workspaces", &other).await.ok();
    app.user("outsider@example.org", "researcher", Some("other")).await;
    app.service.set_password(None, "outsider@example.org", PASSWORD).unwrap();
    let admin = app.service.local_actor(None).unwrap().user_id;
    let b = Browser::new(&app);
    let token = b.form_token().await;
    let me = [("email", "outsider@example.org"), ("password", PASSWORD), ("token", &token), ("next", "/")];
    assert_eq!(b.post("/sign-in", "same-origin", &me).await.status, 303);

    let mut sign_out = false;
    for &(method, path) in foitrack::http::pages::PAGE_ROUTES {
        let got = match (method, path) {
            ("get", "/campaigns/{id}") => b.get(&format!("/campaigns/{campaign}")).await,
            ("get", "/requests/{id}" | "/requests/{id}/code") => {
                b.get(&path.replace("{id}", &request.to_string())).await
            }
            ("get", "/requests/{id}/attachments/{message}/{position}") => {
                b.get(&format!("/requests/{request}/attachments/1/0")).await
            }
            (
                "get",
                "/campaigns/{id}/disagreements"
                | "/campaigns/{id}/report"
                | "/campaigns/{id}/report.csv"
                | "/campaigns/{id}/data.zip",
            ) => b.get(&path.replace("{id}", &campaign.to_string())).await,
            ("get", "/codebooks/{id}/qdc") => b.get(&format!("/codebooks/{codebook}/qdc")).await,
            ("get", "/campaigns/new" | "/bodies/import") => b.get(path).await,
            ("post", "/bodies/import") => {
                // The register is shared: an outsider who may import, imports into it.
                let csv = b"name,email\nDelta Trust,foi@delta.nhs.uk\n".to_vec();
                b.upload(path, &[("dry_run", "yes")], Some(("b.csv", csv))).await
            }
            ("post", "/campaigns/new") => {
                let untitled = b.post(path, "same-origin", &[("subject", "x"), ("body", "y")]).await;
                assert_eq!(untitled.status, 422, "{}", untitled.text);
                continue;
            }
            ("post", "/campaigns/{id}/sent" | "/campaigns/{id}/send" | "/campaigns/{id}/chasers") => {
                let path = path.replace("{id}", &campaign.to_string());
                b.post(&path, "same-origin", &[("all", "yes"), ("enabled", "yes")]).await
            }
            ("post", "/requests/{id}/events") => {
                b.post(&format!("/requests/{request}/events"), "same-origin", &[("kind", "note")]).await
            }
            ("post", "/requests/{id}/replies/{message}/classify") => {
                let path = format!("/requests/{request}/replies/1/classify");
                b.post(&path, "same-origin", &[("classification", "full")]).await
            }
            ("post", "/requests/{id}/code") => {
                let answer = [("answer.offers_abt", "no")];
                b.post(&format!("/requests/{request}/code"), "same-origin", &answer).await
            }
            ("post", "/requests/{id}/adjudicate") => {
                let decision = [("question", "offers_abt"), ("codes", "no"), ("rationale", "because")];
                b.post(&format!("/requests/{request}/adjudicate"), "same-origin", &decision).await
            }
            ("get", "/" | "/campaigns" | "/deadlines" | "/sign-in" | "/holding-pen") => b.get(path).await,
            ("get", "/search") => b.get("/search?q=course").await,
            ("post", "/holding-pen/{id}/assign") => {
                let request_id = request.to_string();
                b.post(&format!("/holding-pen/{pen}/assign"), "same-origin", &[("request_id", &request_id)])
                    .await
            }
            ("post", "/holding-pen/{id}/discard") => {
                b.post(&format!("/holding-pen/{pen}/discard"), "same-origin", &[("reason", "spam")]).await
            }
            ("post", "/sign-in") => {
                let wrong =
                    [("email", "admin@example.org"), ("password", "a guess at it"), ("token", &token)];
                let refused = b.post(path, "same-origin", &wrong).await;
                assert_eq!(refused.status, 401, "signing in as someone else takes their password");
                continue;
            }
            ("post", "/sign-out") => {
                sign_out = true;
                continue;
            }
            ("get", "/forgot-password" | "/workspaces") => b.get(path).await,
            ("post", "/forgot-password") => {
                b.post(path, "same-origin", &[("email", "admin@example.org")]).await
            }
            ("get" | "post", "/reset-password/{token}") => {
                let link = format!("/reset-password/{}", "ab".repeat(32));
                let dead = match method {
                    "get" => b.get(&link).await,
                    _ => b.post(&link, "same-origin", &[("password", PASSWORD), ("again", PASSWORD)]).await,
                };
                assert_eq!(dead.status, 404, "{method} {path}: a link never sent");
                continue;
            }
            ("post", "/workspaces" | "/users" | "/users/{id}/role" | "/users/{id}/password-link") => {
                let path = path.replace("{id}", &admin.to_string());
                let form = [
                    ("slug", "mine"),
                    ("name", "Mine"),
                    ("owner", "outsider@example.org"),
                    ("email", "new@example.org"),
                    ("role", "admin"),
                    ("workspace", "other"),
                ];
                let refused = b.post(&path, "same-origin", &form).await;
                assert_eq!(
                    refused.status, 403,
                    "{method} {path} is for site administrators: {}",
                    refused.text
                );
                continue;
            }
            ("get", "/users") => {
                assert_eq!(b.get(path).await.status, 403, "only site administrators see everyone");
                continue;
            }
            ("post", "/switch-workspace") => {
                let other = b.post(path, "same-origin", &[("workspace", "default")]).await;
                assert_eq!(other.status, 404, "switching to another team's workspace");
                continue;
            }
            ("get", "/workspaces/{slug}/members") => b.get("/workspaces/default/members").await,
            ("post", "/workspaces/{slug}/members") => {
                let join = [("email", "outsider@example.org"), ("role", "owner")];
                b.post("/workspaces/default/members", "same-origin", &join).await
            }
            ("post", "/workspaces/{slug}/members/{id}/role" | "/workspaces/{slug}/members/{id}/remove") => {
                let path = path.replace("{slug}", "default").replace("{id}", &admin.to_string());
                b.post(&path, "same-origin", &[("role", "viewer")]).await
            }
            other => {
                panic!("the page {other:?} is not in the matrix: say what a member of another workspace gets")
            }
        };
        if path.contains("{id}") || path.contains("{slug}") {
            assert_eq!(got.status, 404, "{method} {path} showed another workspace's object");
            assert!(got.text.contains("Not Found"), "{}", got.text);
        } else {
            assert_eq!(got.status, 200, "{method} {path}");
        }
        for secret in ["ABT-2021", "Active bystander training", "AIREDALE", "/workspaces/default/"] {
            assert!(!got.text.contains(secret), "{method} {path} showed {secret}");
        }
    }
    assert!(sign_out, "signing out is in the matrix");
    assert_eq!(b.post("/sign-out", "same-origin", &[]).await.status, 303);
    assert_eq!(b.get("/").await.status, 303);
    app.stop().await;
}
on_both_backends!(every_page_keeps_to_its_workspace);

/// Five wrong passwords hold the account back, even from the right one, without it being
/// checked; the page says for how long.
async fn guessing_a_password_is_held_back(db: &TestDb) {
    let app = spawn_app(db).await;
    app.service.set_password(None, "admin@example.org", PASSWORD).unwrap();
    let b = Browser::new(&app);
    let token = b.form_token().await;
    for _ in 0..foitrack::http::pages::throttle::PER_ACCOUNT {
        let wrong = [("email", "Admin@example.org"), ("password", "a guess at it"), ("token", &token)];
        assert_eq!(b.post("/sign-in", "same-origin", &wrong).await.status, 401);
    }
    let right = [("email", "admin@example.org"), ("password", PASSWORD), ("token", &token), ("next", "/")];
    let held = b.post("/sign-in", "same-origin", &right).await;
    assert_eq!(held.status, 429, "{}", held.text);
    assert!(held.text.contains("Too many wrong passwords. Try again in 15 minute(s)"), "{}", held.text);
    assert_eq!(b.get("/").await.status, 303, "not signed in");
    app.stop().await;
}
on_both_backends!(guessing_a_password_is_held_back);
