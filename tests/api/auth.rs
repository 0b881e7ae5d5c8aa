//! Tokens and roles.

use serde_json::json;

use crate::helpers::{TestDb, spawn_app};
use crate::on_both_backends;

async fn every_api_route_needs_a_valid_token(db: &TestDb) {
    let app = spawn_app(db).await;
    let anonymous = app.client.get(app.url("/api/v1/requests")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    assert_eq!(anonymous.headers()["content-type"], "application/problem+json");
    app.get_as("ft_not-a-real-token", "/api/v1/requests").await.problem(401, "unauthorized");
    let basic =
        app.client.get(app.url("/api/v1/me")).header("authorization", "Basic YTpi").send().await.unwrap();
    assert_eq!(basic.status(), 401);
    // A write or an upload with a token that is not valid does nothing: the token is checked in
    // the same call as the work, and before an upload is read.
    let stranger = "ft_not-a-real-token";
    let campaign = json!({"title": "Sneaky", "reference_prefix": "SNK", "subject_template": "FOI",
        "body_template": "Dear {{authority.name}}", "targets": {"all": true}});
    app.post_as(stranger, "/api/v1/campaigns", &campaign).await.problem(401, "unauthorized");
    let upload = app
        .client
        .post(app.url("/api/v1/authorities/import"))
        .bearer_auth(stranger)
        .body("name,email\nA Trust,a@a.org\n")
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 401);
    assert_eq!(app.get("/api/v1/campaigns").await.ok()["total"], 0);
    assert_eq!(app.get("/api/v1/authorities").await.ok()["total"], 0);
    // Open routes.
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
    assert_eq!(app.client.get(app.url("/api/v1/openapi.json")).send().await.unwrap().status(), 200);
    app.stop().await;
}
on_both_backends!(every_api_route_needs_a_valid_token);

async fn roles_limit_what_a_token_can_do(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = app.nhs_campaign().await;
    let viewer = app
        .post("/api/v1/users", &json!({"email": "viewer@example.org", "name": "Vi", "role": "viewer"}))
        .await;
    assert_eq!(viewer.status, 201);
    let viewer_token = viewer.ok()["token"]["token"].as_str().unwrap().to_string();
    let coder = app.post("/api/v1/users", &json!({"email": "coder@example.org", "role": "coder"})).await;
    let coder_token = coder.ok()["token"]["token"].as_str().unwrap().to_string();
    let dup = app.post("/api/v1/users", &json!({"email": "VIEWER@example.org", "role": "viewer"})).await;
    dup.problem(409, "conflict");
    app.post("/api/v1/users", &json!({"email": "nobody", "role": "viewer"})).await.problem(422, "validation");

    assert_eq!(app.get_as(&viewer_token, "/api/v1/me").await.ok()["role"], "viewer");
    let id = app
        .get_as(&viewer_token, &format!("/api/v1/requests?campaign={campaign}&per_page=1"))
        .await
        .ok()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let refused = app
        .post_as(&viewer_token, &format!("/api/v1/requests/{id}/sent"), &json!({"sent_at": "2021-12-06"}))
        .await;
    assert!(refused.problem(403, "forbidden").contains("viewer"));
    let no_campaign = app
        .post_as(
            &coder_token,
            "/api/v1/campaigns",
            &json!({"title": "x", "subject_template": "x", "body_template": "x", "targets": {"all": true}}),
        )
        .await;
    no_campaign.problem(403, "forbidden");
    app.post_as(&coder_token, &format!("/api/v1/requests/{id}/sent"), &json!({"sent_at": "2021-12-06"}))
        .await
        .ok();
    app.post_as(&viewer_token, "/api/v1/users", &json!({"email": "x@example.org", "role": "admin"}))
        .await
        .problem(403, "forbidden");
    app.get_as(&viewer_token, "/api/v1/users").await.problem(403, "forbidden");

    // A second token for yourself, then revoke the first.
    let second = app.post_as(&viewer_token, "/api/v1/tokens", &json!({"label": "laptop"})).await;
    let second_token = second.ok()["token"].as_str().unwrap().to_string();
    let tokens = app.get_as(&second_token, "/api/v1/tokens").await;
    let first_id = tokens.ok()[0]["id"].as_i64().unwrap();
    assert_eq!(tokens.ok().as_array().unwrap().len(), 2);
    let other =
        app.post_as(&viewer_token, "/api/v1/tokens", &json!({"user_email": "admin@example.org"})).await;
    other.problem(403, "forbidden");
    // Nobody's address gets the same answer, so it does not reveal who has an account.
    let nobody =
        app.post_as(&viewer_token, "/api/v1/tokens", &json!({"user_email": "nobody@example.org"})).await;
    nobody.problem(403, "forbidden");
    let revoke = app
        .client
        .delete(app.url(&format!("/api/v1/tokens/{first_id}")))
        .bearer_auth(&second_token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 204);
    app.get_as(&viewer_token, "/api/v1/me").await.problem(401, "unauthorized");
    assert_eq!(app.get_as(&second_token, "/api/v1/me").await.ok()["email"], "viewer@example.org");
    app.delete(&format!("/api/v1/tokens/{first_id}")).await.problem(409, "conflict");
    app.delete("/api/v1/tokens/999999").await.problem(404, "not-found");
    app.stop().await;
}
on_both_backends!(roles_limit_what_a_token_can_do);
