//! Coding a campaign over HTTP, on both backends: the plan, blind double coding with evidence,
//! disagreements and their adjudication, coded spreadsheets in and out, and the mistakes
//! refused with nothing written.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDb, spawn_app};
use crate::inbound::world;
use crate::on_both_backends;

pub(crate) fn shipped() -> Value {
    let book =
        foitrack::domain::codebook::Codebook::from_toml(foitrack::domain::codebook::ABT_CODEBOOK).unwrap();
    serde_json::to_value(book).unwrap()
}

/// Saves the shipped codebook in the default workspace, adds two coders, and plans the
/// campaign's coding with both of them on every reply. Returns the coders' tokens.
pub(crate) async fn plan_two_coders(app: &TestApp, campaign: i64) -> (String, String) {
    let book =
        app.post("/api/v1/codebooks", &json!({"codebook": shipped()})).await.ok()["id"].as_i64().unwrap();
    let (one, _) = app.user("one@example.org", "coder", Some("default")).await;
    let (two, _) = app.user("two@example.org", "coder", Some("default")).await;
    let plan = json!({"codebook": book, "coders": ["one@example.org", "two@example.org"],
                      "double_coded_percent": 100, "seed": 7});
    let set =
        app.call_as("PUT", &app.token, &format!("/api/v1/campaigns/{campaign}/coding"), Some(&plan)).await;
    assert_eq!(set.ok()["seed"], 7);
    (one, two)
}

pub(crate) fn question<'a>(view: &'a Value, key: &str) -> &'a Value {
    view["questions"].as_array().unwrap().iter().find(|q| q["question"] == key).unwrap()
}

async fn blind_double_coding_with_evidence_and_adjudication(db: &TestDb) {
    let w = world(db).await;
    let app = &w.app;
    let request = w.ids[0];
    let campaign =
        app.get(&format!("/api/v1/requests/{request}")).await.ok()["campaign_id"].as_i64().unwrap();
    let (one, two) = plan_two_coders(app, campaign).await;
    let plan = app.get_as(&one, &format!("/api/v1/campaigns/{campaign}/coding")).await;
    assert_eq!((plan.ok()["requests"].as_i64(), plan.ok()["double_coded"].as_i64()), (Some(3), Some(3)));
    assert_eq!(plan.ok()["per_coder"], json!({"one@example.org": 3, "two@example.org": 3}));

    // A reply to quote from.
    let delivered = w.deliver(w.expand("response_plain.eml")).await;
    let message = delivered.body["id"].as_i64().unwrap();
    let shown = app.get(&format!("/api/v1/requests/{request}")).await;
    let text = shown.ok()["incoming"][0]["text"].as_str().unwrap().to_string();
    let phrase = "We do not run a course of that name";
    let start = text[..text.find(phrase).unwrap()].chars().count();
    let end = start + phrase.chars().count();
    let codings = format!("/api/v1/requests/{request}/codings");

    // Mistakes are refused, each named, and nothing of the batch is stored.
    let mixed = json!({"answers": [
        {"question": "offers_abt", "codes": ["no"]},
        {"question": "provider", "codes": ["external"]},
        {"question": "plans", "codes": ["maybe"]},
        {"question": "staff_completed", "number": 3, "codes": ["yes"]},
        {"question": "offers_abt", "codes": ["no"]},
        {"question": "outcome", "codes": ["not_held"],
         "evidence": [{"message": message, "start": start, "end": end, "quote": "something else"}]},
    ]});
    let refused = app.post_as(&one, &codings, &mixed).await;
    let detail = refused.problem(422, "validation");
    let fields: Vec<&str> =
        refused.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(
        fields,
        ["answers[1]", "answers[2]", "answers[3]", "answers[4]", "answers[5].evidence[0]"],
        "{detail}"
    );
    assert!(
        detail.contains("provider does not apply") && detail.contains("\"maybe\" is not a code of plans"),
        "{detail}"
    );
    let nothing = app.get_as(&one, &codings).await;
    assert!(question(nothing.ok(), "offers_abt")["mine"].is_null(), "nothing of the batch was kept");
    // Not JSON, an unknown field, a viewer, another team's request, an unknown one.
    let broken =
        app.client.post(app.url(&codings)).bearer_auth(&one).header("content-type", "application/json");
    TestApp::reply_of(broken.body("{\"answers\": [").send().await.unwrap()).await.problem(400, "bad-request");
    app.post_as(&one, &codings, &json!({"answers": [], "extra": 1})).await.problem(422, "validation");
    let (viewer, _) = app.user("viewer@example.org", "viewer", Some("default")).await;
    let good = json!({"answers": [{"question": "offers_abt", "codes": ["no"]}]});
    app.post_as(&viewer, &codings, &good).await.problem(403, "forbidden");
    app.post_as(&one, "/api/v1/requests/999999/codings", &good).await.problem(404, "not-found");
    let (stranger, _) = app.user("three@example.org", "coder", Some("default")).await;
    let detail = app.post_as(&stranger, &codings, &good).await.problem(403, "forbidden");
    assert!(detail.contains("Only the coders named in campaign"), "{detail}");
    let huge = json!({"answers": [{"question": "staff_completed", "number": 1e300}]});
    assert!(app.post_as(&one, &codings, &huge).await.problem(422, "validation").contains("a number between"));

    // Coder one answers, quoting the reply.
    let answers = json!({"answers": [
        {"question": "offers_abt", "codes": ["no"], "memo": "says not held",
         "evidence": [{"message": message, "start": start, "end": end}]},
        {"question": "plans", "codes": ["no"]},
    ]});
    let mine = app.post_as(&one, &codings, &answers).await;
    assert_eq!(mine.status, 201, "{}", mine.body);
    let offers = question(&mine.body, "offers_abt");
    assert_eq!(offers["mine"]["evidence"][0]["quote"], phrase);
    assert_eq!(offers["mine"]["memo"], "says not held");
    assert_eq!(question(&mine.body, "provider")["applies"], "no");
    // Answering again is refused: a coder codes a question once.
    let again = app.post_as(&one, &codings, &good).await.problem(422, "validation");
    assert!(again.contains("already answered offers_abt"), "{again}");

    // Blind: two sees that one answered, not what.
    let before = app.get_as(&two, &codings).await;
    let offers = question(before.ok(), "offers_abt");
    assert_eq!((offers["others_hidden"].as_i64(), offers["others"].as_array().unwrap().len()), (Some(1), 0));
    assert!(offers["final_answer"].is_null(), "{offers}");
    // Nor does whether provider applies give away one's answer to offers_abt.
    assert_eq!(question(before.ok(), "provider")["applies"], "unknown");
    let after = app
        .post_as(
            &two,
            &codings,
            &json!({"answers": [
        {"question": "offers_abt", "codes": ["yes"]}, {"question": "provider", "codes": ["external"]}]}),
        )
        .await;
    let offers = question(&after.body, "offers_abt");
    assert_eq!(offers["others"][0]["coder"], "one@example.org", "{offers}");
    assert_eq!(offers["others"][0]["codes"], json!(["no"]));
    assert_eq!((offers["undecided"].as_bool(), offers["final_answer"].clone()), (Some(true), Value::Null));

    // The disagreement waits for a researcher; a coder may not adjudicate.
    let listed = app.get(&format!("/api/v1/campaigns/{campaign}/disagreements")).await;
    let open: Vec<(&str, &str)> = listed
        .ok()
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["reference"].as_str().unwrap(), d["question"].as_str().unwrap()))
        .collect();
    assert_eq!(open, [("ABT-2021-0001", "offers_abt")]);
    let adjudications = format!("/api/v1/requests/{request}/adjudications");
    let decision =
        json!({"question": "offers_abt", "codes": ["no"], "rationale": "The reply says it is not held."});
    app.post_as(&two, &adjudications, &decision).await.problem(403, "forbidden");
    let no_reason = json!({"question": "offers_abt", "codes": ["no"], "rationale": " "});
    app.post(&adjudications, &no_reason).await.problem(422, "validation");
    let single = json!({"question": "plans", "codes": ["no"], "rationale": "r"});
    assert!(
        app.post(&adjudications, &single).await.problem(409, "conflict").contains("nothing to adjudicate")
    );
    let decided = app.post(&adjudications, &decision).await;
    let offers = question(decided.ok(), "offers_abt");
    assert_eq!(
        (offers["final_answer"]["codes"].clone(), offers["basis"].clone()),
        (json!(["no"]), json!("adjudicated"))
    );
    assert_eq!(offers["adjudication"]["rationale"], "The reply says it is not held.");
    // With offers_abt final as no, provider no longer applies and plans does.
    let now = app.get(&codings).await;
    assert_eq!(question(now.ok(), "provider")["applies"], "no");
    assert_eq!(question(now.ok(), "plans")["final_answer"]["codes"], json!(["no"]));
    assert_eq!(question(now.ok(), "plans")["basis"], "single_coder");
    let listed = app.get(&format!("/api/v1/campaigns/{campaign}/disagreements")).await;
    assert_eq!(listed.ok(), &json!([]));
    // The export of final answers counts as the report does: provider no longer applies.
    let finals = app.get(&format!("/api/v1/campaigns/{campaign}/codings/export")).await;
    let line = finals.body.as_str().unwrap().lines().nth(1).unwrap().to_string();
    assert!(line.starts_with("ABT-2021-0001,,Alpha Trust,no,,,,,no,"), "{line}");
    // A coder coding beside another sees neither the final answers nor the rules' record.
    let path = format!("/api/v1/campaigns/{campaign}/codings/export?coder=two@example.org");
    app.get_as(&one, &path).await.problem(403, "forbidden");
    app.get_as(&one, &format!("/api/v1/campaigns/{campaign}/rules")).await.problem(403, "forbidden");

    // Once coding has started, the plan moves only to a newer version of its codebook, and the
    // final answers are decided again under it.
    let mut changed = shipped();
    changed["title"] = json!("Second wave");
    let v2 = app.post("/api/v1/codebooks", &json!({"codebook": changed})).await.ok()["id"].as_i64().unwrap();
    let plan_path = format!("/api/v1/campaigns/{campaign}/coding");
    let plan = |book: i64| json!({"codebook": book, "coders": ["one@example.org", "two@example.org"], "double_coded_percent": 100});
    let moved = app.call_as("PUT", &app.token, &plan_path, Some(&plan(v2))).await;
    assert_eq!(moved.ok()["seed"], 7, "a plan set again keeps its seed");
    let back = app.call_as("PUT", &app.token, &plan_path, Some(&plan(v2 - 1))).await;
    assert!(back.problem(409, "conflict").contains("newer version"));
    let again = app.get(&codings).await;
    assert_eq!(question(again.ok(), "offers_abt")["final_answer"]["codes"], json!(["no"]));
    assert_eq!(question(again.ok(), "plans")["basis"], "single_coder");
    let report = app.get(&format!("/api/v1/campaigns/{campaign}/report")).await;
    let offers = &report.ok()["questions"][0];
    assert_eq!(
        (offers["codes"][1]["key"].as_str(), offers["codes"][1]["count"].as_i64()),
        (Some("no"), Some(1))
    );
    assert_eq!(report.body["codebook"]["version"], 2);
    // The reply says "not held" and quotes our question about active bystander training: the
    // rules read its own words only, so they suggest nothing, and the no-rule missed its code.
    let rules = app.get(&format!("/api/v1/campaigns/{campaign}/rules")).await;
    assert_eq!(rules.ok()["replies"], 1);
    let rule = |code: &str| {
        rules.body["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["question"] == "offers_abt" && r["code"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(
        rule("no"),
        json!({"question": "offers_abt", "rule": 1, "code": "no", "true_positives": 0,
        "false_positives": 0, "false_negatives": 1, "precision": null, "recall": 0.0})
    );
    assert_eq!(rule("yes")["false_positives"], 0, "the quoted request is not read");
    w.app.stop().await;
}
on_both_backends!(blind_double_coding_with_evidence_and_adjudication);

async fn coded_spreadsheets_in_and_out(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = app.nhs_campaign().await;
    let (_one, two) = plan_two_coders(&app, campaign).await;
    // The export's first columns name each request and its body.
    let export = format!("/api/v1/campaigns/{campaign}/codings/export");
    let blank = app.get(&export).await;
    assert_eq!(blank.content_type, "text/csv; charset=utf-8");
    let blank = blank.body.as_str().unwrap().to_string();
    let rows: Vec<Vec<String>> = blank.lines().map(|l| l.split(',').map(str::to_string).collect()).collect();
    assert!(rows[0].starts_with(&[
        "reference".into(),
        "ods_code".into(),
        "body".into(),
        "offers_abt".into()
    ]));
    assert_eq!(rows.len(), 1 + 209, "a row per trust");
    let ods: Vec<&str> = rows[1..7].iter().map(|r| r[1].as_str()).collect();

    let csv = format!(
        "ods_code,notes,offers_abt,provider,plans,staff_completed\n\
         {a},fine,yes,external,,120\n\
         {b},,no,,developing,\n\
         ZZZ,,no,,,\n\
         {c},,yes,in_house;external,,\n\
         {d},,no,external,,\n\
         {e},,maybe,,,\n\
         {a},,no,,,\n",
        a = ods[0],
        b = ods[1],
        c = ods[2],
        d = ods[3],
        e = ods[4]
    );
    let import = format!("/api/v1/campaigns/{campaign}/codings/import?coder=two@example.org");
    let report = app.post_raw(&import, "text/csv", csv.clone()).await;
    let r = report.ok().clone();
    assert_eq!(
        (r["rows"].as_i64(), r["stored_rows"].as_i64(), r["codings"].as_i64()),
        (Some(7), Some(2), Some(5)),
        "{r}"
    );
    assert_eq!(r["ignored_columns"], json!(["notes"]));
    let problems: Vec<(i64, Value)> = r["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["line"].as_i64().unwrap(), p["column"].clone()))
        .collect();
    assert_eq!(
        problems,
        [
            (4, Value::Null),
            (5, json!("provider")),
            (6, json!("provider")),
            (7, json!("offers_abt")),
            (8, Value::Null)
        ],
        "{r}"
    );
    // The same file again stores nothing more, and says what it already had.
    let again = app.post_raw(&import, "text/csv", csv).await;
    assert_eq!(
        (again.ok()["codings"].as_i64(), again.ok()["unchanged"].as_i64()),
        (Some(0), Some(5)),
        "{}",
        again.body
    );
    // A coder imports only as themselves; the file must name a key column.
    let as_one = app.client.post(app.url(&import)).bearer_auth(&two).header("content-type", "text/csv");
    let own =
        TestApp::reply_of(as_one.body(format!("ods_code,offers_abt\n{},no\n", ods[5])).send().await.unwrap())
            .await;
    assert_eq!(own.ok()["codings"], 1);
    let other = format!("/api/v1/campaigns/{campaign}/codings/import?coder=one@example.org");
    let for_one = app.client.post(app.url(&other)).bearer_auth(&two).body("ods_code,offers_abt\n");
    TestApp::reply_of(for_one.send().await.unwrap()).await.problem(403, "forbidden");
    let keyless = app.post_raw(&import, "text/csv", "name,offers_abt\nX,yes\n").await;
    assert!(keyless.problem(422, "validation").contains("reference or ods_code"));

    // Exported again, in the same shape: two's answers, and the final ones.
    let mine = app.get(&format!("{export}?coder=two@example.org")).await;
    let line = mine.body.as_str().unwrap().lines().find(|l| l.contains(ods[0])).unwrap().to_string();
    assert!(line.ends_with(",yes,,,external,,,,120,,"), "{line}");
    let finals = app.get(&export).await;
    let line = finals.body.as_str().unwrap().lines().find(|l| l.contains(ods[1])).unwrap().to_string();
    assert!(line.contains(",no,") && line.contains(",developing,"), "{line}");

    // The data package: every resource's columns are the ones its schema names.
    let zipped =
        app.client.get(app.url(&format!("/api/v1/campaigns/{campaign}/datapackage"))).bearer_auth(&app.token);
    let zipped = zipped.send().await.unwrap();
    assert_eq!(zipped.headers()["content-type"], "application/zip");
    let bytes = zipped.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut read = |name: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut text).unwrap();
        text
    };
    let descriptor: Value = serde_json::from_str(&read("datapackage.json")).unwrap();
    assert_eq!(descriptor["profile"], "tabular-data-package");
    for resource in descriptor["resources"].as_array().unwrap() {
        let csv = read(resource["path"].as_str().unwrap());
        let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        let fields: Vec<&str> = resource["schema"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(header, fields, "{}", resource["name"]);
    }
    assert_eq!(read("final_codes.csv"), finals.body.as_str().unwrap());
    let long = read("codings.csv");
    assert_eq!(long.lines().count(), 1 + 6, "{long}");
    assert!(
        long.lines()
            .any(|l| l.starts_with("ABT-2021-") && l.contains(",staff_completed,two@example.org,120,")),
        "{long}"
    );
    let dictionary = read("data_dictionary.csv");
    assert!(
        dictionary.contains("provider,Who provides the training?,single,offers_abt is yes,"),
        "{dictionary}"
    );
    let offers = &descriptor["resources"][0]["schema"]["fields"][3];
    assert_eq!(
        (offers["name"].as_str(), offers["constraints"]["enum"].clone()),
        (Some("offers_abt"), json!(["yes", "no"]))
    );
    app.stop().await;
}
on_both_backends!(coded_spreadsheets_in_and_out);
