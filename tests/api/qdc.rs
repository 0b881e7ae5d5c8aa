//! Codebooks as REFI-QDA `.qdc` files over HTTP, on both backends: the export validated against
//! the standard's schema by xmllint, imports from foitrack and from other tools, and bad files.

use std::process::Command;

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDb, spawn_app};
use crate::on_both_backends;

/// The standard's schema; see tests/fixtures/refi-qda/README.md for where it comes from.
const SCHEMA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/refi-qda/Codebook.xsd");

/// Whether xmllint finds `xml` valid against the schema, with what it said; `None`, said on
/// standard error, where xmllint is not installed, unless `FOITRACK_TEST_XMLLINT=required` (as
/// CI sets it).
fn validate(xml: &str) -> Option<(bool, String)> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("codebook.qdc");
    std::fs::write(&file, xml).unwrap();
    match Command::new("xmllint").args(["--noout", "--schema", SCHEMA]).arg(&file).output() {
        Ok(out) => Some((out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())),
        Err(e) => {
            let required = std::env::var("FOITRACK_TEST_XMLLINT").as_deref() == Ok("required");
            assert!(!required, "FOITRACK_TEST_XMLLINT=required, but xmllint cannot run: {e}");
            eprintln!("skipped: xmllint is not installed (apt-get install libxml2-utils)");
            None
        }
    }
}

fn shipped() -> Value {
    let book =
        foitrack::domain::codebook::Codebook::from_toml(foitrack::domain::codebook::ABT_CODEBOOK).unwrap();
    serde_json::to_value(book).unwrap()
}

/// The export of codebook `id`: its text and Content-Disposition, after checking the type.
async fn export(app: &TestApp, id: &Value) -> (String, String) {
    let response = app
        .client
        .get(app.url(&format!("/api/v1/codebooks/{id}/qdc")))
        .bearer_auth(&app.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let header = |name: &str| response.headers()[name].to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "application/xml; charset=utf-8");
    let disposition = header("content-disposition");
    (response.text().await.unwrap(), disposition)
}

async fn import(app: &TestApp, query: &str, xml: impl Into<reqwest::Body>) -> crate::helpers::Reply {
    app.post_raw(&format!("/api/v1/codebooks/qdc?{query}"), "application/xml", xml).await
}

async fn the_study_codebook_goes_out_valid_and_comes_back_with_edits_made_elsewhere(db: &TestDb) {
    let app = spawn_app(db).await;
    let saved = app.post("/api/v1/codebooks", &json!({"codebook": shipped()})).await;
    let v1 = saved.ok()["id"].clone();

    let (xml, disposition) = export(&app, &v1).await;
    assert_eq!(disposition, "attachment; filename=\"abt-v1.qdc\"");
    if let Some((valid, said)) = validate(&xml) {
        assert!(valid, "the export is not valid against Codebook.xsd: {said}\n{xml}");
        let (broken, _) = validate(&xml.replacen("guid=\"", "guid=\"x", 1)).unwrap();
        assert!(!broken, "the schema check must catch a malformed GUID");
    }
    assert!(xml.contains("name=\"Does the trust offer active bystander training to its staff?\""));
    assert_eq!(export(&app, &v1).await.0, xml, "the same codebook, the same file: GUIDs are stable");

    // The file read back unchanged is the same codebook: nothing stored.
    let same = import(&app, "key=abt", xml.clone()).await;
    assert_eq!((same.status, &same.body["id"], &same.body["notes"]), (200, &v1, &json!([])), "{}", same.body);

    // Renamed and extended in another tool, then carried back: a new version that keeps the
    // question's key, type, condition and rules.
    let edited = xml.replace("name=\"An external provider\"", "name=\"An outside provider\"").replace(
        "name=\"Both\" isCodable=\"true\"",
        "name=\"Both\" isCodable=\"true\"><Description>Own staff and a provider</Description></Code>\
         <Code guid=\"{0A0A0A0A-1111-2222-3333-444444444444}\" name=\"A charity\" isCodable=\"true\"",
    );
    let v2 = import(&app, "key=abt", edited).await;
    assert_eq!(v2.status, 201, "{}", v2.body);
    assert_eq!((v2.body["version"].as_i64(), v2.body["stored"].as_bool()), (Some(2), Some(true)));
    assert_eq!(v2.body["notes"], json!(["code provider.a_charity is new"]));
    let provider = &v2.body["codebook"]["questions"][3];
    let before = &shipped()["questions"][3];
    assert_eq!((&provider["key"], &provider["type"]), (&before["key"], &before["type"]));
    assert_eq!((&provider["applies_when"], &provider["rules"]), (&before["applies_when"], &before["rules"]));
    let codes: Vec<(&str, &str)> = provider["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["key"].as_str().unwrap(), c["label"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes,
        [
            ("in_house", "The trust's own staff"),
            ("external", "An outside provider"),
            ("both", "Both"),
            ("a_charity", "A charity"),
            ("unknown", "Not stated"),
        ]
    );
    assert_eq!(provider["codes"][2]["description"], "Own staff and a provider");
    assert_eq!(
        v2.body["codebook"]["questions"].as_array().unwrap().len(),
        shipped()["questions"].as_array().unwrap().len()
    );
    app.stop().await;
}
on_both_backends!(the_study_codebook_goes_out_valid_and_comes_back_with_edits_made_elsewhere);

async fn a_codebook_from_another_tool_becomes_questions_with_notes(db: &TestDb) {
    let app = spawn_app(db).await;
    // As ATLAS.ti writes it: a schema location naming 0:4, a set, and a hierarchy.
    let xml = r##"<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:QDA-XML:codebook:0:4 Codebook.xsd" origin="ATLAS.ti Win 23.4.0" xmlns="urn:QDA-XML:codebook:0:4">
  <Codes>
    <Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="Barriers" isCodable="false" color="#46AA00">
      <Description>Why training is not offered</Description>
      <Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55295" name="Cost" isCodable="true"/>
      <Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55296" name="Staff time" isCodable="true"/>
    </Code>
    <Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55297" name="Mentions London" isCodable="true"/>
  </Codes>
  <Sets><Set name="code group 1" guid="ECA18D76-2B8B-4F26-BC1D-19ECA19FB3F0"><MemberCode guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55295"/></Set></Sets>
</CodeBook>"##;
    let r = import(&app, "key=themes&title=Themes+from+ATLAS.ti&workspace=default", xml).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(
        (r.body["key"].as_str(), r.body["title"].as_str()),
        (Some("themes"), Some("Themes from ATLAS.ti"))
    );
    let questions = &r.body["codebook"]["questions"];
    assert_eq!(
        (&questions[0]["key"], &questions[0]["type"], &questions[0]["codes"][1]["key"]),
        (&json!("barriers"), &json!("multiple"), &json!("staff_time"))
    );
    assert_eq!(
        (&questions[1]["key"], &questions[1]["type"]),
        (&json!("mentions_london"), &json!("yes_no_unclear"))
    );
    let notes = r.body["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert_eq!(notes[0], "1 code set(s) left out: foitrack codebooks have no sets");
    app.stop().await;
}
on_both_backends!(a_codebook_from_another_tool_becomes_questions_with_notes);

async fn bad_qdc_files_are_refused_and_store_nothing(db: &TestDb) {
    let app = spawn_app(db).await;
    let one = r#"<CodeBook><Codes><Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294" name="a" isCodable="true"/></Codes></CodeBook>"#;
    let detail = |r: &crate::helpers::Reply| {
        r.problem(422, "validation");
        r.body.to_string()
    };
    let broken = import(&app, "key=k", "<CodeBook><Codes><Code name='a'></Codes>").await;
    assert!(detail(&broken).contains("XML is broken"), "{}", broken.body);
    let project = import(&app, "key=k", "<Project name='p'/>").await;
    assert!(detail(&project).contains("root element is Project"), "{}", project.body);
    let latin1 = import(&app, "key=k", b"<CodeBook name='\xe9'/>".to_vec()).await;
    assert!(detail(&latin1).contains("not UTF-8"), "{}", latin1.body);
    let entity = import(
        &app,
        "key=k",
        "<!DOCTYPE c [<!ENTITY x 'xxxxxxxx'><!ENTITY y '&x;&x;&x;&x;'>]><CodeBook><Codes>\
         <Code guid='1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294' name='a' isCodable='true'><Description>&y;</Description></Code>\
         </Codes></CodeBook>",
    )
    .await;
    assert!(detail(&entity).contains("entity &y;"), "{}", entity.body);
    let bad_key = import(&app, "key=Not+A+Key", one).await;
    assert!(detail(&bad_key).contains("cannot be a key"), "{}", bad_key.body);
    assert!(import(&app, "title=No+key", one).await.problem(422, "validation").contains("`key`"));
    import(&app, "key=k&colour=red", one).await.problem(422, "validation");
    let huge = format!("<CodeBook><Codes>{}</Codes></CodeBook>", " ".repeat(6 * 1024 * 1024));
    import(&app, "key=k", huge).await.problem(413, "payload-too-large");
    import(&app, "key=k&workspace=nowhere", one).await.problem(404, "not-found");
    let (viewer, _) = app.user("viewer@example.org", "viewer", Some("default")).await;
    let as_viewer = app
        .client
        .post(app.url("/api/v1/codebooks/qdc?key=k"))
        .bearer_auth(&viewer)
        .body(one)
        .send()
        .await
        .unwrap();
    TestApp::reply_of(as_viewer).await.problem(403, "forbidden");
    assert_eq!(app.get("/api/v1/codebooks").await.ok(), &json!([]), "nothing was stored");
    app.get("/api/v1/codebooks/999999/qdc").await.problem(404, "not-found");
    app.stop().await;
}
on_both_backends!(bad_qdc_files_are_refused_and_store_nothing);
