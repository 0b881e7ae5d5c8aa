//! Workspaces keep teams apart. The route matrix walks every operation of the OpenAPI document,
//! so a route added later is covered (or fails here until it is classified): members of
//! workspace B, at every role, try to read and change workspace A's campaign, requests, events
//! and outbox message, get `404` (never `403`: no existence leaks), and A's data is unchanged.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDb, spawn_app};
use crate::on_both_backends;

/// Two teams: A with a campaign of two requests (one logged as sent, with a note; one queued to
/// send) and a private contact, and B with a member at each role.
struct Teams {
    a_owner: String,
    a_owner_id: i64,
    a_viewer: String,
    a_coder: String,
    a_researcher: String,
    /// B's members: (role, token).
    b: Vec<(&'static str, String)>,
    campaign: i64,
    requests: Vec<i64>,
    message: i64,
    authority: i64,
    a_owner_token_id: i64,
    /// A reply waiting in A's holding pen.
    pen_message: i64,
    /// A's codebook (its first version).
    codebook: i64,
}

async fn workspace(app: &TestApp, slug: &str) {
    let created = app
        .post("/api/v1/workspaces", &json!({"slug": slug, "name": slug, "owner": "admin@example.org"}))
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
}

/// A new member of `slug` with this workspace role.
async fn member(app: &TestApp, email: &str, slug: &str, role: &str) -> (String, i64) {
    let site_role = if role == "owner" { "researcher" } else { role };
    let (token, id) = app.user(email, site_role, Some(slug)).await;
    if role == "owner" {
        let path = format!("/api/v1/workspaces/{slug}/members/{id}");
        app.call_as("PATCH", &app.token, &path, Some(&json!({"role": "owner"}))).await.ok();
    }
    (token, id)
}

async fn two_teams(app: &TestApp) -> Teams {
    app.import_nhs_trusts().await.ok();
    workspace(app, "team-a").await;
    workspace(app, "team-b").await;
    let (a_owner, a_owner_id) = member(app, "a-owner@example.org", "team-a", "owner").await;
    let (a_viewer, _) = member(app, "a-viewer@example.org", "team-a", "viewer").await;
    let (a_coder, _) = member(app, "a-coder@example.org", "team-a", "coder").await;
    let (a_researcher, _) = member(app, "a-researcher@example.org", "team-a", "researcher").await;
    let mut b = Vec::new();
    for role in ["viewer", "coder", "researcher", "owner"] {
        b.push((role, member(app, &format!("b-{role}@example.org"), "team-b", role).await.0));
    }
    // The register's trusts have no email addresses; A keeps its own contacts for two of them.
    let bodies = app.get("/api/v1/authorities?per_page=2").await;
    let ids: Vec<i64> =
        bodies.ok()["items"].as_array().unwrap().iter().map(|a| a["id"].as_i64().unwrap()).collect();
    for (id, who) in ids.iter().zip(["officer", "officer2"]) {
        let contact = json!({"contact_name": "Ms FOI Officer", "email": format!("{who}@a.example")});
        let path = format!("/api/v1/workspaces/team-a/contacts/{id}");
        app.call_as("PUT", &a_owner, &path, Some(&contact)).await.ok();
    }
    let campaign = app
        .post_as(
            &a_owner,
            "/api/v1/campaigns",
            &json!({
                "workspace": "team-a", "title": "Team A survey", "reference_prefix": "TA-2021",
                "subject_template": "FOI [{{request.reference}}]", "body_template": "Dear {{authority.name}}",
                "targets": {"authority_ids": ids}
            }),
        )
        .await;
    let campaign = campaign.ok()["id"].as_i64().unwrap();
    let listed = app.get_as(&a_owner, &format!("/api/v1/requests?campaign={campaign}&sort=reference")).await;
    let requests: Vec<i64> =
        listed.ok()["items"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(requests.len(), 2);
    let sent = json!({"sent_at": "2021-12-06T10:00:00Z", "channel": "email", "address": "foi@a.example"});
    app.post_as(&a_owner, &format!("/api/v1/requests/{}/sent", requests[0]), &sent).await.ok();
    let note = json!({"kind": "note", "note": "phoned the FOI officer"});
    app.post_as(&a_owner, &format!("/api/v1/requests/{}/events", requests[0]), &note).await.ok();
    let queued = app.post_as(&a_owner, &format!("/api/v1/campaigns/{campaign}/send"), &json!({})).await;
    assert_eq!(queued.ok()["queued"].as_array().unwrap().len(), 1, "{}", queued.body);
    let outbox = app.get_as(&a_owner, "/api/v1/outbox?workspace=team-a").await;
    let message = outbox.ok()["items"][0]["id"].as_i64().unwrap();
    let tokens = app.get_as(&a_owner, "/api/v1/tokens").await;
    let a_owner_token_id = tokens.ok()[0]["id"].as_i64().unwrap();
    let rights = foitrack::service::users::TokenRights::Ingest { workspace: Some("team-a".into()) };
    let a_mail = app.service.create_token(None, Some("admin@example.org"), None, &rights).unwrap().token;
    let reply = "From: someone@trust.example\nTo: foi@a.example\nSubject: For team A\nMessage-ID: <a-pen@trust.example>\n\nHello\n";
    let delivered =
        app.client.post(app.url("/api/v1/inbound")).bearer_auth(&a_mail).body(reply).send().await.unwrap();
    let pen_message = TestApp::reply_of(delivered).await.ok()["id"].as_i64().unwrap();
    let book = json!({"workspace": "team-a", "codebook": crate::codebooks::small("team_a")});
    let codebook = app.post_as(&a_owner, "/api/v1/codebooks", &book).await.ok()["id"].as_i64().unwrap();
    let plan = json!({"codebook": codebook, "coders": ["a-coder@example.org"], "double_coded_percent": 100});
    let path = format!("/api/v1/campaigns/{campaign}/coding");
    app.call_as("PUT", &a_owner, &path, Some(&plan)).await.ok();
    let answers = json!({"answers": [{"question": "offers", "codes": ["yes"]}]});
    app.post_as(&a_coder, &format!("/api/v1/requests/{}/codings", requests[0]), &answers).await.ok();
    Teams {
        a_owner,
        a_owner_id,
        a_viewer,
        a_coder,
        a_researcher,
        b,
        campaign,
        requests,
        message,
        authority: ids[0],
        a_owner_token_id,
        pen_message,
        codebook,
    }
}

/// Everything of A's that B might reach, as A's owner reads it.
async fn snapshot(app: &TestApp, t: &Teams) -> Vec<Value> {
    let mut paths = vec![
        format!("/api/v1/campaigns/{}", t.campaign),
        "/api/v1/requests?workspace=team-a&per_page=500".to_string(),
        "/api/v1/outbox?workspace=team-a".to_string(),
        "/api/v1/workspaces/team-a".to_string(),
        "/api/v1/workspaces/team-a/members".to_string(),
        "/api/v1/workspaces/team-a/contacts".to_string(),
        "/api/v1/tokens".to_string(),
        "/api/v1/holding-pen?workspace=team-a".to_string(),
        "/api/v1/codebooks?workspace=team-a".to_string(),
        format!("/api/v1/codebooks/{}", t.codebook),
        format!("/api/v1/campaigns/{}/coding", t.campaign),
        format!("/api/v1/campaigns/{}/codings/export", t.campaign),
        format!("/api/v1/campaigns/{}/disagreements", t.campaign),
        format!("/api/v1/campaigns/{}/report", t.campaign),
        format!("/api/v1/campaigns/{}/agreement", t.campaign),
    ];
    for id in &t.requests {
        paths.push(format!("/api/v1/requests/{id}"));
        paths.push(format!("/api/v1/requests/{id}/codings"));
    }
    let mut out = Vec::new();
    for p in paths {
        out.push(app.get_as(&t.a_owner, &p).await.ok().clone());
    }
    out
}

/// What a member of B must get from an operation aimed at A.
enum Expect {
    /// `404`, exactly as for an object that does not exist.
    NotFound,
    /// A list: `200`, holding none of A's ids.
    NoneOfA,
    /// A site-wide operation with nothing of A's in it: one of these statuses.
    SiteWide(&'static [u16]),
}

/// How the matrix aims each operation at A: the path filled in, a valid body, what B gets.
/// An operation missing here fails the test until it is classified.
fn aim(op: &str, path: &str, t: &Teams) -> Option<(String, Option<Value>, Expect)> {
    use Expect::*;
    let id = match op {
        "show_campaign" | "log_campaign_sent" | "send_campaign" | "watch_campaign" | "set_chasers" => {
            t.campaign
        }
        "set_coding_plan"
        | "show_coding_plan"
        | "list_disagreements"
        | "import_codings"
        | "export_codings"
        | "campaign_report"
        | "campaign_agreement"
        | "campaign_data_package"
        | "campaign_report_chart"
        | "campaign_rule_quality" => t.campaign,
        "list_request_codings" | "submit_codings" | "adjudicate_coding" => t.requests[0],
        "show_request"
        | "list_request_events"
        | "record_event"
        | "log_request_sent"
        | "classify_reply"
        | "show_request_deadline" => t.requests[0],
        "retry_message" | "cancel_message" => t.message,
        "revoke_token" => t.a_owner_token_id,
        "show_authority" => t.authority,
        "assign_message" | "discard_message" => t.pen_message,
        "show_codebook" | "export_codebook_qdc" => t.codebook,
        _ => 0,
    };
    let filled = path
        .replace("{id}", &id.to_string())
        .replace("{message}", &t.pen_message.to_string())
        .replace("{slug}", "team-a")
        .replace("{user_id}", &t.a_owner_id.to_string())
        .replace("{authority_id}", &t.authority.to_string());
    let sent = json!({"sent_at": "2021-12-07T10:00:00Z"});
    let (path, body, expect) = match op {
        // A's objects, by id or by A's slug.
        "show_campaign" | "show_request" | "list_request_events" | "show_request_deadline" => {
            (filled, None, NotFound)
        }
        "retry_message" | "cancel_message" | "show_workspace" | "list_members" | "list_contacts" => {
            (filled, None, NotFound)
        }
        "remove_member" | "revoke_token" => (filled, None, NotFound),
        "log_campaign_sent" | "log_request_sent" => (filled, Some(sent), NotFound),
        "send_campaign" => (filled, Some(json!({})), NotFound),
        "watch_campaign" => {
            (filled, Some(json!({"user_email": "a-owner@example.org", "watch": false})), NotFound)
        }
        "set_chasers" => (filled, Some(json!({"enabled": true})), NotFound),
        "record_event" => (filled, Some(json!({"kind": "note", "note": "from B"})), NotFound),
        "change_workspace" => (filled, Some(json!({"name": "Taken over"})), NotFound),
        "add_member" => (filled, Some(json!({"email": "b-viewer@example.org", "role": "owner"})), NotFound),
        "change_member" => (filled, Some(json!({"role": "viewer"})), NotFound),
        "set_contact" => (filled, Some(json!({"email": "b@b.example"})), NotFound),
        // Creating in A, or listing A by name.
        "create_campaign" => (
            filled,
            Some(
                json!({"workspace": "team-a", "title": "B in A", "subject_template": "s", "body_template": "b",
                        "targets": {"authority_ids": [t.authority]}}),
            ),
            NotFound,
        ),
        "create_request" => (
            filled,
            Some(json!({"workspace": "team-a", "authority_id": t.authority, "subject": "s", "body": "b"})),
            NotFound,
        ),
        "list_campaigns" | "list_requests" | "list_outbox" | "list_holding_pen" | "list_codebooks" => {
            (filled, None, NoneOfA)
        }
        "show_codebook" | "export_codebook_qdc" => (filled, None, NotFound),
        "import_codebook_qdc" => (format!("{filled}?workspace=team-a&key=team_a"), None, NotFound),
        "save_codebook" => (
            filled,
            Some(json!({"workspace": "team-a", "codebook": crate::codebooks::small("team_a")})),
            NotFound,
        ),
        "show_coding_plan"
        | "list_disagreements"
        | "export_codings"
        | "list_request_codings"
        | "campaign_report"
        | "campaign_agreement"
        | "campaign_data_package"
        | "campaign_rule_quality" => (filled, None, NotFound),
        "campaign_report_chart" => (filled.replace("{name}", "responses.svg"), None, NotFound),
        "set_coding_plan" => (
            filled,
            Some(
                json!({"codebook": t.codebook, "coders": ["a-coder@example.org"], "double_coded_percent": 0}),
            ),
            NotFound,
        ),
        "submit_codings" => {
            (filled, Some(json!({"answers": [{"question": "offers", "codes": ["no"]}]})), NotFound)
        }
        "adjudicate_coding" => {
            (filled, Some(json!({"question": "offers", "codes": ["no"], "rationale": "from B"})), NotFound)
        }
        "import_codings" => (format!("{filled}?coder=a-coder@example.org"), None, NotFound),
        // The words of A's pen message, and of its subject.
        "search_incoming" => (format!("{filled}?q=hello+OR+team"), None, NoneOfA),
        "assign_message" => (filled, Some(json!({"request_id": t.requests[0]})), NotFound),
        "discard_message" => (filled, Some(json!({"reason": "from B"})), NotFound),
        "classify_reply" => (filled, Some(json!({"classification": "not_a_response"})), NotFound),
        // Site-wide: the register, the law, oneself, and what only site administrators do.
        "health" | "show_me" | "list_tokens" | "list_authorities" | "show_authority" | "list_regimes" => {
            (filled, None, SiteWide(&[200]))
        }
        "calculate_deadline" => (format!("{filled}?received=2021-12-06"), None, SiteWide(&[200])),
        "list_workspaces" => (filled, None, NoneOfA),
        "create_token" => (filled, Some(json!({"label": "mine"})), SiteWide(&[201])),
        "list_users" | "run_reminders" => (filled, None, SiteWide(&[403])),
        "add_user" => (filled, Some(json!({"email": "new@example.org", "role": "viewer"})), SiteWide(&[403])),
        "create_workspace" => (
            filled,
            Some(json!({"slug": "team-c", "name": "C", "owner": "b-owner@example.org"})),
            SiteWide(&[403]),
        ),
        // Uploads: a researcher may import bodies (not A's: the register is shared); only site
        // administrators change the bank holidays.
        "import_authorities" => (filled, None, SiteWide(&[400, 403, 415, 422])),
        "import_holidays" => (filled, None, SiteWide(&[403, 415])),
        // The calculator reads only its body: an empty one has no header line.
        "calculate_agreement" => (filled, None, SiteWide(&[422])),
        // Only a token made for incoming mail delivers it; B's ordinary tokens cannot.
        "deliver_inbound" => (filled, None, SiteWide(&[403])),
        _ => return None,
    };
    Some((path, body, expect))
}

/// The ids of A's objects, as they would appear in a list.
fn holds_a(body: &Value, t: &Teams, op: &str) -> bool {
    let items = body["items"].as_array().or(body.as_array()).cloned().unwrap_or_default();
    items.iter().any(|item| match op {
        "list_campaigns" => item["id"] == t.campaign,
        "list_requests" => t.requests.iter().any(|id| item["id"] == *id),
        "list_outbox" => item["id"] == t.message,
        "list_holding_pen" => item["id"] == t.pen_message,
        "search_incoming" => item["message"] == t.pen_message,
        "list_workspaces" => item["slug"] == "team-a",
        "list_codebooks" => item["id"] == t.codebook,
        _ => false,
    })
}

async fn route_matrix(db: &TestDb) {
    let app = spawn_app(db).await;
    let teams = two_teams(&app).await;
    let before = snapshot(&app, &teams).await;
    let doc: Value = serde_json::from_str(&foitrack::http::openapi::document()).unwrap();
    let mut tried = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let op_id = op["operationId"].as_str().unwrap();
            let Some((target, body, expect)) = aim(op_id, path, &teams) else {
                panic!(
                    "{method} {path} ({op_id}) is not classified: add it to `aim` in tests/api/workspaces.rs"
                );
            };
            for (role, token) in &teams.b {
                let reply = app.call_as(method, token, &target, body.as_ref()).await;
                let what =
                    format!("B's {role}: {method} {target} ({op_id}) -> {} {}", reply.status, reply.body);
                match expect {
                    Expect::NotFound => {
                        reply.problem(404, "not-found");
                        let detail = reply.body["detail"].as_str().unwrap();
                        assert!(!detail.contains("Team A survey") && !detail.contains("TA-2021"), "{what}");
                    }
                    Expect::NoneOfA => {
                        assert_eq!(reply.status, 200, "{what}");
                        assert!(!holds_a(&reply.body, &teams, op_id), "{what}");
                        // The same request shows A's object to A, so the check above means something.
                        let own = app.call_as(method, &teams.a_owner, &target, None).await;
                        assert!(holds_a(&own.body, &teams, op_id), "A's owner: {target} -> {}", own.body);
                        if op_id != "list_workspaces" {
                            let join = if target.contains('?') { '&' } else { '?' };
                            let named = format!("{target}{join}workspace=team-a");
                            app.call_as(method, token, &named, None).await.problem(404, "not-found");
                        }
                    }
                    Expect::SiteWide(allowed) => assert!(allowed.contains(&reply.status), "{what}"),
                }
                tried += 1;
            }
        }
    }
    assert!(tried >= 4 * 40, "the matrix walked {tried} attempts");
    assert_eq!(snapshot(&app, &teams).await, before, "A's data is unchanged");
    app.stop().await;
}
on_both_backends!(route_matrix);

/// Within A, each role has today's rights: a `403` names the role, and changes nothing.
async fn roles_within_a_workspace(db: &TestDb) {
    let app = spawn_app(db).await;
    let t = two_teams(&app).await;
    let request = t.requests[0];
    let note = json!({"kind": "note", "note": "a viewer's note"});
    let refused = app.post_as(&t.a_viewer, &format!("/api/v1/requests/{request}/events"), &note).await;
    let detail = refused.problem(403, "forbidden");
    assert!(detail.contains("team-a") && detail.contains("viewer"), "{detail}");
    app.post_as(&t.a_coder, &format!("/api/v1/requests/{request}/events"), &note).await.ok();
    let send = app.post_as(&t.a_coder, &format!("/api/v1/campaigns/{}/send", t.campaign), &json!({})).await;
    send.problem(403, "forbidden");
    let chasers = json!({"enabled": true});
    app.post_as(&t.a_researcher, &format!("/api/v1/campaigns/{}/chasers", t.campaign), &chasers).await.ok();
    // Only owners (and site administrators) manage members.
    let add = json!({"email": "b-viewer@example.org", "role": "viewer"});
    app.post_as(&t.a_researcher, "/api/v1/workspaces/team-a/members", &add).await.problem(403, "forbidden");
    let members = app.get_as(&t.a_viewer, "/api/v1/workspaces/team-a/members").await;
    assert_eq!(members.ok().as_array().unwrap().len(), 5, "admin and A's four members");
    app.stop().await;
}
on_both_backends!(roles_within_a_workspace);

/// Lists and filters see only the caller's workspaces; a member of both sees both, and the
/// `workspace` filter narrows to one.
async fn lists_are_scoped(db: &TestDb) {
    let app = spawn_app(db).await;
    let t = two_teams(&app).await;
    let (_, b_token) = &t.b[3];
    let b_campaign = app
        .post_as(b_token, "/api/v1/campaigns", &json!({
            "workspace": "team-b", "title": "Team B survey", "subject_template": "s", "body_template": "b",
            "targets": {"regions": ["London"]}
        }))
        .await;
    let b_campaign = b_campaign.ok()["id"].as_i64().unwrap();
    for query in ["", "?overdue=true", "?region=london", "?sort=-updated_at", "?q=TA-2021", "?status=draft"] {
        let seen = app.get_as(b_token, &format!("/api/v1/requests{query}")).await;
        assert!(!holds_a(seen.ok(), &t, "list_requests"), "{query}: {}", seen.body);
    }
    let mine = app.get_as(b_token, "/api/v1/campaigns").await;
    let ids: Vec<i64> =
        mine.ok()["items"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [b_campaign]);
    assert_eq!(mine.ok()["items"][0]["workspace"], "team-b");
    // The admin belongs to default, team-a and team-b: all of them, or one by name.
    let all = app.get("/api/v1/campaigns").await;
    assert_eq!(all.ok()["total"], 2);
    let only_a = app.get("/api/v1/campaigns?workspace=team-a").await;
    assert_eq!(only_a.ok()["items"][0]["id"], t.campaign);
    assert_eq!(only_a.ok()["total"], 1);
    let requests_a = app.get("/api/v1/requests?workspace=team-a").await;
    assert_eq!(requests_a.ok()["total"], 2);
    let unknown = app.get("/api/v1/requests?workspace=team-z").await;
    assert!(unknown.problem(404, "not-found").contains("team-z"));
    // By reference too: B cannot find A's request by its reference.
    let by_reference = app.get_as(b_token, "/api/v1/requests?q=TA-2021-0001").await;
    assert_eq!(by_reference.ok()["total"], 0);
    app.stop().await;
}
on_both_backends!(lists_are_scoped);

/// A member of every workspace lists every row without the workspace filter (the lists' fast
/// way), and gets exactly what each team lists for itself. Whether the caller is in every
/// workspace is checked after the list is read, not taken from the memberships read with their
/// token: a workspace made in between (here, after the caller was authenticated) stays hidden,
/// the list being read again with the filter.
async fn a_member_of_every_workspace_lists_them_all_and_no_newer_one(db: &TestDb) {
    let app = spawn_app(db).await;
    let t = two_teams(&app).await;
    let (_, b_token) = &t.b[3];
    let targets = json!({"regions": ["London"]});
    let b_campaign = json!({"workspace": "team-b", "title": "B", "subject_template": "s", "body_template": "b", "targets": targets});
    app.post_as(b_token, "/api/v1/campaigns", &b_campaign).await.ok();
    let total = |reply: crate::helpers::Reply| reply.ok()["total"].as_i64().unwrap();
    // Both the lists built per call and the overdue list's fixed-shape queries.
    for query in ["", "?sort=reference", "?status=draft", "?region=london", "?overdue=true"] {
        let path = format!("/api/v1/requests{query}");
        let a = total(app.get_as(&t.a_owner, &path).await);
        let b = total(app.get_as(b_token, &path).await);
        assert!(a + b > 0, "{query}");
        assert_eq!(total(app.get(&path).await), a + b, "{query}: the admin belongs to every workspace");
    }
    let stale = app.service.authenticate(&app.token).unwrap();
    workspace(&app, "team-c").await;
    let c_campaign = json!({"workspace": "team-c", "title": "C", "subject_template": "s", "body_template": "b",
                            "targets": {"authority_ids": [t.authority]}});
    let c_campaign = app.post("/api/v1/campaigns", &c_campaign).await.ok()["id"].as_i64().unwrap();
    let in_c = foitrack::service::requests::RequestQuery { campaign: Some(c_campaign), ..Default::default() };
    // The hint still says three workspaces, so the list is first read without the filter, and
    // team-c's request with it; the check after it counts four and reads again.
    let stale_ids: Vec<i64> = stale.workspaces.iter().map(|m| m.workspace_id).collect();
    let known = app.service.db().known_workspaces();
    let may_cover = || known.may_cover(&mut app.service.db().conn().unwrap(), &stale_ids).unwrap();
    assert!(may_cover(), "the hint is stale");
    assert_eq!(app.service.search_requests(&stale, &in_c).unwrap().total, 0);
    assert!(!may_cover(), "the check after the read counted team-c");
    let everything = foitrack::service::requests::RequestQuery::default();
    let before = app.service.search_requests(&stale, &everything).unwrap();
    assert!(before.items.iter().all(|r| r.campaign_id != Some(c_campaign)));
    let now = app.get(&format!("/api/v1/requests?campaign={c_campaign}")).await;
    assert_eq!(total(now), 1, "authenticated again, the admin is in team-c too");
    assert_eq!(total(app.get("/api/v1/requests").await), before.total + 1);
    app.stop().await;
}
on_both_backends!(a_member_of_every_workspace_lists_them_all_and_no_newer_one);

/// Workspaces and members: the clear 4xx of each mistake, and the last owner kept.
async fn workspace_mistakes(db: &TestDb) {
    let app = spawn_app(db).await;
    let dup = app
        .post(
            "/api/v1/workspaces",
            &json!({"slug": "default", "name": "Again", "owner": "admin@example.org"}),
        )
        .await;
    assert!(dup.problem(409, "conflict").contains("default"));
    let bad = app
        .post("/api/v1/workspaces", &json!({"slug": "Team A", "name": "A", "owner": "admin@example.org"}))
        .await;
    bad.problem(422, "validation");
    assert_eq!(bad.body["errors"][0]["field"], "slug");
    let nobody = app
        .post("/api/v1/workspaces", &json!({"slug": "team-x", "name": "X", "owner": "nobody@example.org"}))
        .await;
    assert!(nobody.problem(422, "validation").contains("nobody@example.org"));
    let unknown = app.get("/api/v1/workspaces/team-z/members").await;
    unknown.problem(404, "not-found");
    // Slugs that cannot exist are not found either, not a fault (PostgreSQL refuses a NUL).
    for path in
        ["/api/v1/workspaces/%20/contacts", "/api/v1/workspaces/a%00b/members", "/api/v1/workspaces/a%00b"]
    {
        app.get(path).await.problem(404, "not-found");
    }
    let nul = app
        .post("/api/v1/users", &json!({"email": "n@example.org", "role": "viewer", "workspace": "a\u{0}b"}))
        .await;
    nul.problem(404, "not-found");
    let (coder, _) = app.user("c@example.org", "coder", None).await;
    let twice = app
        .post("/api/v1/workspaces/default/members", &json!({"email": "c@example.org", "role": "viewer"}))
        .await;
    assert!(twice.problem(409, "conflict").contains("already a member"));
    let admin_id = app.get("/api/v1/me").await.ok()["user_id"].as_i64().unwrap();
    let demote = app
        .call_as(
            "PATCH",
            &app.token,
            &format!("/api/v1/workspaces/default/members/{admin_id}"),
            Some(&json!({"role": "viewer"})),
        )
        .await;
    assert!(demote.problem(409, "conflict").contains("last owner"));
    let leave = app
        .call_as("DELETE", &app.token, &format!("/api/v1/workspaces/default/members/{admin_id}"), None)
        .await;
    leave.problem(409, "conflict");
    // A member may leave by themselves, and then sees nothing of the workspace.
    let me = app.get_as(&coder, "/api/v1/me").await;
    assert_eq!(me.ok()["workspaces"][0]["workspace"], "default");
    let coder_id = me.ok()["user_id"].as_i64().unwrap();
    let left =
        app.call_as("DELETE", &coder, &format!("/api/v1/workspaces/default/members/{coder_id}"), None).await;
    assert_eq!(left.status, 204, "{}", left.body);
    app.get_as(&coder, "/api/v1/workspaces/default").await.problem(404, "not-found");
    // The token still works, for a user in no workspace at all.
    let me = app.get_as(&coder, "/api/v1/me").await;
    assert_eq!(me.ok()["workspaces"], json!([]), "{}", me.body);
    let create =
        json!({"title": "T", "subject_template": "s", "body_template": "b", "targets": {"all": true}});
    let homeless = app.post_as(&coder, "/api/v1/campaigns", &create).await;
    assert!(homeless.problem(422, "validation").contains("not a member of any workspace"));
    // With several workspaces, a creation must say which.
    app.post("/api/v1/workspaces", &json!({"slug": "team-b", "name": "B", "owner": "admin@example.org"}))
        .await
        .ok();
    let which = app.post("/api/v1/campaigns", &create).await;
    let detail = which.problem(422, "validation");
    assert!(detail.contains("default") && detail.contains("team-b"), "{detail}");
    // An archived workspace can be read but not changed.
    let archive = json!({"archived": true});
    app.call_as("PATCH", &app.token, "/api/v1/workspaces/team-b", Some(&archive)).await.ok();
    let archived = app
        .post(
            "/api/v1/campaigns",
            &json!({"workspace": "team-b", "title": "T", "subject_template": "s",
        "body_template": "b", "targets": {"all": true}}),
        )
        .await;
    assert!(archived.problem(409, "conflict").contains("archived"));
    app.stop().await;
}
on_both_backends!(workspace_mistakes);

/// A workspace's own contact for a body is where its mail goes; other teams still use the
/// register's address.
async fn private_contacts_override_the_register_for_their_workspace_only(db: &TestDb) {
    let app = spawn_app(db).await;
    let t = two_teams(&app).await;
    let preview = app
        .post_as(&t.a_owner, &format!("/api/v1/campaigns/{}/send", t.campaign), &json!({"dry_run": true}))
        .await;
    // The first request was logged as sent; the second is queued already: nothing new to send.
    assert_eq!(preview.ok()["queued"].as_array().unwrap().len(), 0, "{}", preview.body);
    let (_, b_owner) = &t.b[3];
    let make = |slug: &str| {
        json!({"workspace": slug, "title": format!("{slug} letters"), "subject_template": "s",
        "body_template": "To {{authority.email}}", "targets": {"authority_ids": [t.authority]}})
    };
    let a2 = app.post_as(&t.a_owner, "/api/v1/campaigns", &make("team-a")).await.ok()["id"].as_i64().unwrap();
    let b2 = app.post_as(b_owner, "/api/v1/campaigns", &make("team-b")).await.ok()["id"].as_i64().unwrap();
    let a_sends =
        app.post_as(&t.a_owner, &format!("/api/v1/campaigns/{a2}/send"), &json!({"dry_run": true})).await;
    assert_eq!(a_sends.ok()["queued"][0]["to"], "officer@a.example");
    let a_letters = app.get_as(&t.a_owner, &format!("/api/v1/requests?campaign={a2}")).await;
    let a_letter = a_letters.ok()["items"][0]["id"].as_i64().unwrap();
    let a_body = app.get_as(&t.a_owner, &format!("/api/v1/requests/{a_letter}")).await;
    assert_eq!(a_body.ok()["body"], "To officer@a.example", "templates see the contact too");
    // B has no contact for the body, and the register has no address for it.
    let b_sends =
        app.post_as(b_owner, &format!("/api/v1/campaigns/{b2}/send"), &json!({"dry_run": true})).await;
    assert_eq!(b_sends.ok()["queued"], json!([]), "{}", b_sends.body);
    assert_eq!(b_sends.ok()["no_email"].as_array().unwrap().len(), 1);
    let contacts = app.get_as(&t.a_viewer, "/api/v1/workspaces/team-a/contacts").await;
    assert_eq!(contacts.ok()[0]["contact_name"], "Ms FOI Officer");
    let cleared = app
        .call_as(
            "PUT",
            &t.a_owner,
            &format!("/api/v1/workspaces/team-a/contacts/{}", t.authority),
            Some(&json!({})),
        )
        .await;
    assert_eq!(cleared.status, 204);
    let bad = app
        .call_as(
            "PUT",
            &t.a_owner,
            &format!("/api/v1/workspaces/team-a/contacts/{}", t.authority),
            Some(&json!({"email": "not an address"})),
        )
        .await;
    bad.problem(422, "validation");
    app.stop().await;
}
on_both_backends!(private_contacts_override_the_register_for_their_workspace_only);

/// An archived workspace sends nothing, not even mail queued before: it waits until the
/// workspace is brought back.
async fn archived_workspaces_send_nothing(db: &TestDb) {
    let app = spawn_app(db).await;
    let _teams = two_teams(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let target = foitrack::mail::MailTarget::parse(&format!("file://{}", dir.path().display())).unwrap();
    let mailer = foitrack::mail::Mailer::new(target, std::time::Duration::from_secs(5)).unwrap();
    let archive = |archived: bool| json!({"archived": archived});
    app.call_as("PATCH", &app.token, "/api/v1/workspaces/team-a", Some(&archive(true))).await.ok();
    let service = app.service.clone();
    let sent =
        tokio::task::spawn_blocking(move || service.deliver_due(&mailer, "w", 10).unwrap()).await.unwrap();
    assert_eq!(sent.sent, 0, "nothing leaves an archived workspace");
    app.call_as("PATCH", &app.token, "/api/v1/workspaces/team-a", Some(&archive(false))).await.ok();
    let target = foitrack::mail::MailTarget::parse(&format!("file://{}", dir.path().display())).unwrap();
    let mailer = foitrack::mail::Mailer::new(target, std::time::Duration::from_secs(5)).unwrap();
    let service = app.service.clone();
    let sent =
        tokio::task::spawn_blocking(move || service.deliver_due(&mailer, "w", 10).unwrap()).await.unwrap();
    assert_eq!(sent.sent, 1, "the queued request goes once the workspace is back");
    app.stop().await;
}
on_both_backends!(archived_workspaces_send_nothing);
