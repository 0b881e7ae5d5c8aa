//! Bad input gets a clear problem response and changes nothing.

use serde_json::json;

use crate::helpers::{TestDb, join_all, spawn_app};
use crate::on_both_backends;

async fn malformed_requests_get_problem_responses(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = app.nhs_campaign().await;
    let id = app.first_request(campaign).await;

    let broken = app.post_raw("/api/v1/campaigns", "application/json", "{\"title\": ").await;
    assert!(broken.problem(400, "bad-request").starts_with("The body is not valid JSON"));

    let unknown_field = app
        .post(
            &format!("/api/v1/requests/{id}/events"),
            &json!({"kind": "note", "note": "x", "colour": "red"}),
        )
        .await;
    assert!(unknown_field.problem(422, "validation").contains("unknown field `colour`"));

    let bad_kind = app.post(&format!("/api/v1/requests/{id}/events"), &json!({"kind": "telepathy"})).await;
    assert!(bad_kind.problem(422, "validation").contains("telepathy"));

    let bad_date = app
        .post(
            &format!("/api/v1/requests/{id}/events"),
            &json!({"kind": "note", "note": "x", "occurred_on": "2021-02-30"}),
        )
        .await;
    assert!(
        bad_date.problem(422, "validation").contains("\"2021-02-30\" is not a date: write it as YYYY-MM-DD")
    );

    let bad_sent_at =
        app.post(&format!("/api/v1/requests/{id}/sent"), &json!({"sent_at": "06/12/2021"})).await;
    bad_sent_at.problem(422, "validation");
    assert_eq!(bad_sent_at.body["errors"][0]["field"], "sent_at");
    let future_sent_at =
        app.post(&format!("/api/v1/requests/{id}/sent"), &json!({"sent_at": "2099-01-01"})).await;
    future_sent_at.problem(422, "validation");
    let bad_address = app
        .post(
            &format!("/api/v1/requests/{id}/sent"),
            &json!({"sent_at": "2021-12-06", "address": "not-an-email"}),
        )
        .await;
    assert_eq!(bad_address.body["errors"][0]["field"], "address");

    let wrong_type = app.post_raw("/api/v1/campaigns", "text/plain", "{}").await;
    wrong_type.problem(415, "unsupported-media-type");

    let huge = format!("{{\"title\": \"{}\"}}", "x".repeat(70_000));
    let too_big = app.post_raw("/api/v1/campaigns", "application/json", huge).await;
    too_big.problem(413, "payload-too-large");

    app.get("/api/v1/requests/999999").await.problem(404, "not-found");
    app.get("/api/v1/requests/abc").await.problem(404, "not-found");
    app.get("/api/v1/campaigns/999999").await.problem(404, "not-found");
    app.get("/api/v1/authorities/999999").await.problem(404, "not-found");
    app.post("/api/v1/requests/999999/events", &json!({"kind": "note", "note": "x"}))
        .await
        .problem(404, "not-found");
    app.get("/api/v1/nowhere").await.problem(404, "not-found");

    let bad_status = app.get("/api/v1/requests?status=lost").await;
    assert!(bad_status.problem(422, "validation").contains("\"lost\" is not a known status"));
    app.get("/api/v1/requests?per_page=1000").await.problem(422, "validation");
    app.get("/api/v1/requests?page=0").await.problem(422, "validation");
    app.get("/api/v1/requests?sort=colour").await.problem(422, "validation");
    let tomorrow = app.get("/api/v1/requests?due_before=tomorrow").await;
    assert!(tomorrow.problem(422, "validation").contains("\"tomorrow\" is not a date"));
    app.get("/api/v1/requests?campaing=1").await.problem(422, "validation");

    // None of it touched the request.
    let r = app.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(r.ok()["events"], json!([]));
    assert_eq!(r.ok()["status"], "draft");
    app.stop().await;
}
on_both_backends!(malformed_requests_get_problem_responses);

async fn campaigns_refuse_bad_definitions(db: &TestDb) {
    let app = spawn_app(db).await;
    app.nhs_campaign().await;
    let base = json!({
        "title": "Second survey", "subject_template": "FOI [{{request.reference}}]",
        "body_template": "Dear {{authority.name}}", "targets": {"all": true}
    });
    let with = |key: &str, value: serde_json::Value| {
        let mut b = base.clone();
        b[key] = value;
        b
    };
    let typo = app.post("/api/v1/campaigns", &with("body_template", json!("Dear {{authority.nmae}}"))).await;
    assert!(typo.problem(422, "validation").contains("unknown placeholder {{authority.nmae}}"));
    let taken = app.post("/api/v1/campaigns", &with("reference_prefix", json!("ABT-2021"))).await;
    assert!(taken.problem(409, "conflict").contains("ABT-2021"));
    let bad_prefix = app.post("/api/v1/campaigns", &with("reference_prefix", json!("a b"))).await;
    assert_eq!(
        bad_prefix.problem(422, "validation"),
        "reference_prefix: \"a b\" cannot be a reference prefix: use 2 to 20 capital letters, digits and dashes, starting with a letter (such as ABT-2021)"
    );
    let nobody = app.post("/api/v1/campaigns", &with("targets", json!({}))).await;
    nobody.problem(422, "validation");
    let nowhere = app
        .post(
            "/api/v1/campaigns",
            &with("targets", json!({"regions": ["Atlantis"], "authority_ids": [999999]})),
        )
        .await;
    nowhere.problem(422, "validation");
    assert_eq!(nowhere.body["errors"].as_array().unwrap().len(), 2);
    let bad_regime = app.post("/api/v1/campaigns", &with("regime", json!("gdpr"))).await;
    bad_regime.problem(422, "validation");
    let empty_title = app.post("/api/v1/campaigns", &with("title", json!("  "))).await;
    assert_eq!(empty_title.body["errors"][0]["field"], "title");
    assert_eq!(app.get("/api/v1/campaigns").await.ok()["total"], 1, "no half-made campaign");
    // The default prefix of a second campaign with the same initials gets a letter.
    let second = app.post("/api/v1/campaigns", &with("title", json!("Active bystander training"))).await;
    let prefix = second.ok()["reference_prefix"].as_str().unwrap().to_string();
    assert!(prefix.starts_with("ABT-") && prefix != "ABT-2021", "{prefix}");
    app.stop().await;
}
on_both_backends!(campaigns_refuse_bad_definitions);

async fn imports_keep_good_rows_and_report_bad_ones(db: &TestDb) {
    let app = spawn_app(db).await;
    let csv = "name,email,region,ods_code,tags,notes\n\
               Barts Health NHS Trust,foi@bartshealth.nhs.uk,Y56,R1H,acute;teaching,x\n\
               ,nobody@nowhere.org,,,,\n\
               Bad Email Trust,not-an-email,,,,\n\
               Barts Again,foi@barts.nhs.uk,,R1H,,\n\
               Leeds Council,foi@leeds.gov.uk,North East and Yorkshire,,council,\n";
    let result = app.post_raw("/api/v1/authorities/import?format=csv", "text/csv", csv).await;
    let s = result.ok();
    assert_eq!(s["inserted"], 2);
    let rejected = s["rejected"].as_array().unwrap();
    let lines: Vec<i64> = rejected.iter().map(|r| r["line"].as_i64().unwrap()).collect();
    assert_eq!(lines, [3, 4, 5]);
    assert_eq!(rejected[1]["reason"], "\"not-an-email\" is not an email address");
    assert!(rejected[2]["reason"].as_str().unwrap().contains("repeats the body on line 2"));

    let tagged = app.get("/api/v1/authorities?tag=teaching").await;
    assert_eq!(tagged.ok()["total"], 1);
    assert_eq!(tagged.ok()["items"][0]["region"], "London");

    // The ODS import then adds the trusts and keeps the email the CSV gave Barts.
    app.import_nhs_trusts().await.ok();
    let barts = app.get("/api/v1/authorities?q=R1H").await;
    assert_eq!(barts.ok()["items"][0]["email"], "foi@bartshealth.nhs.uk");

    let no_name =
        app.post_raw("/api/v1/authorities/import?format=csv", "text/csv", "title,email\nx,y@z.org\n").await;
    assert!(no_name.problem(422, "validation").contains("no \"name\" column"));
    let bad_format = app.post_raw("/api/v1/authorities/import?format=xlsx", "text/csv", "name\nx\n").await;
    assert_eq!(
        bad_format.problem(422, "validation"),
        "format: \"xlsx\" is not a known import format; use one of: ods-etr, csv"
    );
    let as_of_csv =
        app.post_raw("/api/v1/authorities/import?format=csv&as_of=2021-12-01", "text/csv", "name\nx\n").await;
    as_of_csv.problem(422, "validation");
    // An unclosed quote is one rejected row, and the rows after it are still imported.
    let unclosed = "name,email\r\nQ1 Trust,q1@a.org\r\n\"Q2 Broken,q2@b.org\r\nQ3 Trust,q3@c.org\r\n";
    let s = app.post_raw("/api/v1/authorities/import?format=csv", "text/csv", unclosed).await;
    assert_eq!(s.ok()["inserted"], 2);
    assert_eq!(s.ok()["rejected"][0]["line"], 3);
    assert_eq!(s.ok()["rows"], 3);
    assert_eq!(app.get("/api/v1/authorities?q=q3%20trust").await.ok()["total"], 1);
    // A file none of whose rows can be used is refused whole, in one sentence.
    let five =
        app.post_raw("/api/v1/authorities/import?format=ods-etr", "text/csv", "a,b,c,d,e\nf,g,h,i,j\n").await;
    assert_eq!(
        five.problem(422, "validation"),
        "The file cannot be imported: this does not look like an ODS etr.csv: rows have 5 columns, 27 expected."
    );
    let too_big = app.post_raw("/api/v1/authorities/import", "text/csv", vec![b'a'; 1_000_001]).await;
    too_big.problem(413, "payload-too-large");
    let dry = app
        .post_raw("/api/v1/authorities/import?format=csv&dry_run=true", "text/csv", "name\nNew Body\n")
        .await;
    assert_eq!(dry.ok()["inserted"], 1);
    assert_eq!(dry.ok()["dry_run"], true);
    assert_eq!(
        app.get("/api/v1/authorities?q=new%20body").await.ok()["total"],
        0,
        "a dry run writes nothing"
    );
    app.stop().await;
}
on_both_backends!(imports_keep_good_rows_and_report_bad_ones);

async fn nul_characters_are_refused_on_both_databases(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = app.nhs_campaign().await;
    let id = app.first_request(campaign).await;
    let note =
        app.post(&format!("/api/v1/requests/{id}/events"), &json!({"kind": "note", "note": "a\u{0}b"})).await;
    assert!(note.problem(422, "validation").contains("NUL"));
    let search = app.get("/api/v1/requests?q=%00").await;
    assert!(search.status == 200 || search.status == 422, "{}", search.body);
    let region = app.get("/api/v1/authorities?region=%00x").await;
    assert!(region.status == 200 || region.status == 422, "{}", region.body);
    app.stop().await;
}
on_both_backends!(nul_characters_are_refused_on_both_databases);

async fn concurrent_imports_and_odd_rows_do_not_duplicate_bodies(db: &TestDb) {
    let app = spawn_app(db).await;
    let mut csv = String::from("name,ods_code\nBar Trust,RZZ1\nbar trust,\n");
    for i in 0..300 {
        csv.push_str(&format!("Body {i},\n"));
    }
    let mut replies = join_all(
        [csv.clone(), csv.clone()]
            .into_iter()
            .map(|body| app.post_raw("/api/v1/authorities/import", "text/csv", body)),
    )
    .await;
    let (b, a) = (replies.pop().unwrap(), replies.pop().unwrap());
    b.ok();
    assert_eq!(a.ok()["rejected"][0]["reason"], "repeats the body on line 2 (bar trust)");
    assert_eq!(app.get("/api/v1/authorities?per_page=1").await.ok()["total"], 301);
    let again = app.post_raw("/api/v1/authorities/import", "text/csv", csv).await;
    assert_eq!(again.ok()["unchanged"], 301, "a re-run changes nothing: {}", again.body);
    assert_eq!(again.ok()["updated"], 0);
    app.stop().await;
}
on_both_backends!(concurrent_imports_and_odd_rows_do_not_duplicate_bodies);

async fn dates_lengths_and_spellings_at_the_edges(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = app.nhs_campaign().await;
    let id = app.first_request(campaign).await;
    let far = app.get("/api/v1/deadline?received=%2B262142-12-01").await;
    far.problem(422, "validation");
    let old = app.post(&format!("/api/v1/requests/{id}/sent"), &json!({"sent_at": "-5000-01-01"})).await;
    old.problem(422, "validation");
    app.get("/api/v1/requests?due_before=1000-01-01").await.problem(422, "validation");
    // Spelled as on the command line.
    app.post(&format!("/api/v1/requests/{id}/sent"), &json!({"sent_at": "2021-12-06", "channel": "EMAIL"}))
        .await
        .ok();
    let long = app
        .post(
            &format!("/api/v1/requests/{id}/events"),
            &json!({"kind": "Acknowledged", "body_reference": "x".repeat(201)}),
        )
        .await;
    assert_eq!(
        long.problem(422, "validation"),
        "body_reference: must be at most 200 characters long (it has 201)"
    );
    let late = app
        .post(
            &format!("/api/v1/requests/{id}/events"),
            &json!({"kind": "extension_claimed", "occurred_on": "2022-02-01"}),
        )
        .await;
    assert!(late.problem(409, "conflict").contains("must be claimed by the due date, 2022-01-07"));
    app.stop().await;
}
on_both_backends!(dates_lengths_and_spellings_at_the_edges);

/// An id that is not a number is a 404 that says so in words, without the parser's internals.
async fn ids_that_are_not_numbers_are_explained(db: &TestDb) {
    let app = spawn_app(db).await;
    for (path, wanted) in [
        ("/api/v1/requests/abc", "No request has the id `abc`; ids are numbers."),
        ("/api/v1/requests/abc/events", "No request has the id `abc`; ids are numbers."),
        ("/api/v1/requests/1.5/deadline", "No request has the id `1.5`; ids are numbers."),
        ("/api/v1/campaigns/x", "No campaign has the id `x`; ids are numbers."),
        ("/api/v1/authorities/ABC", "No public body has the id `ABC`; ids are numbers."),
    ] {
        let detail = app.get(path).await.problem(404, "not-found");
        assert_eq!(detail, wanted, "{path}");
    }
    for (path, wanted) in [
        ("/api/v1/outbox/abc/retry", "No message has the id `abc`; ids are numbers."),
        ("/api/v1/campaigns/abc/send", "No campaign has the id `abc`; ids are numbers."),
    ] {
        let detail = app.post(path, &json!({})).await.problem(404, "not-found");
        assert_eq!(detail, wanted, "{path}");
    }
    let detail = app.delete("/api/v1/tokens/abc").await.problem(404, "not-found");
    assert_eq!(detail, "No token has the id `abc`; ids are numbers.");
    app.stop().await;
}
on_both_backends!(ids_that_are_not_numbers_are_explained);
