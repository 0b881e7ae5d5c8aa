//! The OpenAPI document tells the truth: what it declares is what the server serves. Schemathesis
//! (`.ci/schemathesis`) probes this at large; these tests pin the promises one by one.

use std::collections::HashSet;

use serde_json::Value;

use crate::helpers::{TestDb, spawn_app};

fn document() -> Value {
    serde_json::from_str(&foitrack::http::openapi::document()).unwrap()
}

const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Every operation of the document: (path, method, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                all.push((path.clone(), method.to_string(), op.clone()));
            }
        }
    }
    all
}

/// A response, with a `$ref` to `components/responses` followed.
fn resolve<'a>(doc: &'a Value, response: &'a Value) -> &'a Value {
    match response["$ref"].as_str() {
        Some(r) => &doc["components"]["responses"][r.rsplit('/').next().unwrap()],
        None => response,
    }
}

#[test]
fn operation_ids_are_unique_and_named() {
    let doc = document();
    let mut seen = HashSet::new();
    for (path, method, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path} has an id"));
        assert!(seen.insert(id.to_string()), "operation id {id} is used twice");
        assert!(id.contains('_') || id == "health", "{id} names its object (list_requests, not list)");
    }
}

#[test]
fn errors_are_declared_as_problem_json_with_the_framework_statuses() {
    let doc = document();
    for (path, method, op) in operations(&doc) {
        let responses = op["responses"].as_object().unwrap();
        for (status, response) in responses {
            let content = resolve(&doc, response)["content"].as_object();
            if status.starts_with('4') || (status.starts_with('5') && path != "/healthz") {
                let types: Vec<&String> = content.unwrap().keys().collect();
                assert_eq!(types, ["application/problem+json"], "{method} {path} {status}");
            }
        }
        let declares = |status: &str| responses.contains_key(status);
        if op.get("security").is_some() {
            assert!(declares("401") && declares("503"), "{method} {path} declares 401 and 503");
        }
        if op.get("requestBody").is_some() {
            assert!(declares("400") && declares("413"), "{method} {path} declares 400 and 413");
        }
        if op["requestBody"]["content"].get("application/json").is_some() && !path.ends_with("/import") {
            assert!(declares("415") && declares("422"), "{method} {path} declares 415 and 422");
        }
        if path.contains('{') {
            assert!(declares("404"), "{method} {path} declares 404");
        }
    }
}

/// The query limits the service enforces are in the schema, so a client is not refused for a
/// value the document allows (`/deadline?days=0`).
#[test]
fn query_limits_are_declared() {
    let doc = document();
    let param = |path: &str, name: &str| -> Value {
        doc["paths"][path]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{path} has {name}"))["schema"]
            .clone()
    };
    assert_eq!(param("/api/v1/deadline", "days")["minimum"], 1);
    assert_eq!(param("/api/v1/deadline", "days")["maximum"], 1000);
    for path in ["/api/v1/requests", "/api/v1/authorities", "/api/v1/campaigns", "/api/v1/outbox"] {
        assert_eq!(param(path, "page")["minimum"], 1, "{path} page");
        assert_eq!(param(path, "per_page")["minimum"], 1, "{path} per_page");
        assert_eq!(param(path, "per_page")["maximum"], 500, "{path} per_page");
    }
    let received = &doc["components"]["schemas"]["DateInput"];
    assert_eq!(param("/api/v1/deadline", "received")["$ref"], "#/components/schemas/DateInput");
    assert_eq!(received["format"], "date");
    let pattern = received["pattern"].as_str().expect("a date pattern");
    assert!(pattern.starts_with('^') && pattern.ends_with('$'), "{pattern}");
    assert!(pattern.contains("199") && pattern.contains("20"), "the years 1990-2099: {pattern}");
}

/// A method a path does not answer gets `405` with the methods it does answer, not `404`.
#[actix_rt::test]
async fn undeclared_methods_get_405_with_allow() {
    let db = TestDb::sqlite();
    let app = spawn_app(&db).await;
    let doc = document();
    for (path, item) in doc["paths"].as_object().unwrap() {
        let declared: Vec<String> =
            METHODS.iter().filter(|m| item.get(**m).is_some()).map(|m| m.to_uppercase()).collect();
        let url = app.url(&path.replace("{id}", "1"));
        let response =
            app.client.request(reqwest::Method::TRACE, &url).bearer_auth(&app.token).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 405, "TRACE {path}");
        let allow = response.headers()["allow"].to_str().unwrap().to_string();
        assert_eq!(allow, declared.join(", "), "Allow of {path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
    app.stop().await;
}

/// A JSON body must be an object: serde would otherwise read a struct from an array of its
/// fields in order (`[null, null]`), which the document does not allow.
#[actix_rt::test]
async fn a_json_array_is_not_an_object_body() {
    let db = TestDb::sqlite();
    let app = spawn_app(&db).await;
    for path in ["/api/v1/tokens", "/api/v1/users", "/api/v1/campaigns", "/api/v1/requests"] {
        let reply = app.post_raw(path, "application/json", "[null, null]").await;
        assert!(reply.problem(422, "validation").contains("expected a map"), "{path}: {}", reply.body);
    }
    let tokens = app.get("/api/v1/tokens").await;
    assert_eq!(tokens.ok().as_array().map(Vec::len), Some(1), "no token was made: {}", tokens.body);
    app.stop().await;
}
