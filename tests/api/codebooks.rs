//! A workspace's codebooks over HTTP, on both backends: versions, checks, roles.

use serde_json::{Value, json};

use crate::helpers::{TestDb, spawn_app};
use crate::on_both_backends;

/// A small valid codebook with this key, as JSON.
pub fn small(key: &str) -> Value {
    json!({"key": key, "title": "Small", "questions": [
        {"key": "offers", "label": "Offers it?", "type": "yes_no_unclear"},
        {"key": "provider", "label": "Who provides it?", "type": "single",
         "applies_when": {"question": "offers", "is": ["yes"]},
         "codes": [{"key": "in_house", "label": "In-house"}, {"key": "external", "label": "External"}]}
    ]})
}

fn shipped() -> Value {
    let book =
        foitrack::domain::codebook::Codebook::from_toml(foitrack::domain::codebook::ABT_CODEBOOK).unwrap();
    serde_json::to_value(book).unwrap()
}

async fn versions_are_kept_and_identical_saves_change_nothing(db: &TestDb) {
    let app = spawn_app(db).await;
    let first = app.post("/api/v1/codebooks", &json!({"codebook": shipped()})).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let v1 = first.body.clone();
    assert_eq!(
        (v1["key"].as_str(), v1["version"].as_i64(), v1["workspace"].as_str()),
        (Some("abt"), Some(1), Some("default"))
    );
    assert_eq!(v1["codebook"]["questions"][3]["key"], "provider");
    assert_eq!(v1["codebook"]["questions"][0]["rules"][0]["code"], "yes");

    let again = app.post("/api/v1/codebooks", &json!({"codebook": shipped()})).await;
    assert_eq!((again.status, again.body["id"].clone()), (200, v1["id"].clone()), "{}", again.body);

    let mut changed = shipped();
    changed["title"] = json!("Active bystander training, second wave");
    let second = app.post("/api/v1/codebooks", &json!({"workspace": "default", "codebook": changed})).await;
    assert_eq!(second.status, 201, "{}", second.body);
    assert_eq!(second.body["version"], 2);

    let list = app.get("/api/v1/codebooks").await;
    let versions: Vec<i64> =
        list.ok().as_array().unwrap().iter().map(|c| c["version"].as_i64().unwrap()).collect();
    assert_eq!(versions, [2, 1]);
    assert!(list.body[0].get("codebook").is_none(), "the list leaves the questions out");
    let old = app.get(&format!("/api/v1/codebooks/{}", v1["id"])).await;
    assert_eq!(old.ok()["title"], "Active bystander training in NHS trusts");
    assert_eq!(old.body["codebook"], v1["codebook"]);
    app.get("/api/v1/codebooks/999999").await.problem(404, "not-found");
    app.stop().await;
}
on_both_backends!(versions_are_kept_and_identical_saves_change_nothing);

async fn a_bad_codebook_is_refused_with_where_each_problem_is(db: &TestDb) {
    let app = spawn_app(db).await;
    let mut bad = small("Bad Key");
    bad["questions"][1]["applies_when"]["is"] = json!(["maybe"]);
    bad["questions"][1]["rules"] = json!([{"code": "nowhere", "patterns": ["(open"]}]);
    let r = app.post("/api/v1/codebooks", &json!({"codebook": bad})).await;
    r.problem(422, "validation");
    let fields: Vec<&str> =
        r.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"key"), "{fields:?}");
    assert!(fields.contains(&"questions.provider.applies_when"), "{fields:?}");
    assert!(fields.contains(&"questions.provider.rules.0"), "{fields:?}");

    let unknown = app.post("/api/v1/codebooks", &json!({"codebook": small("ok"), "colour": "red"})).await;
    unknown.problem(422, "validation");
    let nul = app
        .post(
            "/api/v1/codebooks",
            &json!({"codebook": {"key": "k", "title": "A\u{0}B", "questions": small("k")["questions"]}}),
        )
        .await;
    nul.problem(422, "validation");
    let elsewhere =
        app.post("/api/v1/codebooks", &json!({"workspace": "nowhere", "codebook": small("ok")})).await;
    elsewhere.problem(404, "not-found");
    assert_eq!(app.get("/api/v1/codebooks").await.ok().as_array().unwrap().len(), 0, "nothing was stored");

    let (viewer, _) = app.user("viewer@example.org", "viewer", Some("default")).await;
    let as_viewer = app.post_as(&viewer, "/api/v1/codebooks", &json!({"codebook": small("ok")})).await;
    as_viewer.problem(403, "forbidden");
    app.stop().await;
}
on_both_backends!(a_bad_codebook_is_refused_with_where_each_problem_is);
