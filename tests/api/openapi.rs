//! The served OpenAPI document is generated from the code; docs/openapi.json must match it.
//! After changing the API, refresh the copy with `UPDATE_OPENAPI=1 cargo test openapi`.

#[test]
fn docs_openapi_json_is_in_step_with_the_code() {
    let generated = foitrack::http::openapi::document();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json");
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let kept = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        kept == generated,
        "docs/openapi.json is out of date; run `UPDATE_OPENAPI=1 cargo test openapi` and commit it"
    );
    let doc: serde_json::Value = serde_json::from_str(&generated).unwrap();
    for path in [
        "/api/v1/requests",
        "/api/v1/requests/{id}/events",
        "/api/v1/authorities/import",
        "/api/v1/campaigns/{id}/sent",
        "/healthz",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}
