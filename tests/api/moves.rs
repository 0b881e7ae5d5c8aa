//! Moving a campaign's answers forward to a newer codebook version, on both backends: renamed
//! and merged codes carried, adjudications too, answers that no longer fit left behind until
//! coded again, and the report counting the new codes.

use serde_json::{Value, json};

use crate::codings::{plan_two_coders, question, shipped};
use crate::helpers::{TestApp, TestDb, spawn_app};
use crate::on_both_backends;

/// The study's codebook with `provider`'s `both` merged into `in_house` and `unknown` renamed
/// `not_stated`, and `plans`' `developing` dropped with nothing in its place.
fn second_version() -> Value {
    let mut book = shipped();
    for q in book["questions"].as_array_mut().unwrap() {
        let codes: Vec<Value> = match q["key"].as_str().unwrap() {
            "provider" => vec![
                json!({"key": "in_house", "label": "The trust's own staff, alone or with a provider", "replaces": ["both"]}),
                json!({"key": "external", "label": "An external provider"}),
                json!({"key": "not_stated", "label": "Not stated", "replaces": ["unknown"]}),
            ],
            "plans" => {
                q["codes"].as_array().unwrap().iter().filter(|c| c["key"] != "developing").cloned().collect()
            }
            _ => continue,
        };
        let keys: Vec<Value> = codes.iter().map(|c| c["key"].clone()).collect();
        q["codes"] = json!(codes);
        if let Some(rules) = q["rules"].as_array_mut() {
            rules.retain(|r| keys.contains(&r["code"]));
        }
    }
    book
}

/// The ids of the campaign's first `n` requests, by reference.
async fn requests(app: &TestApp, campaign: i64, n: usize) -> Vec<(i64, String)> {
    let page = app.get(&format!("/api/v1/requests?campaign={campaign}&sort=reference&per_page={n}")).await;
    page.ok()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_i64().unwrap(), r["reference"].as_str().unwrap().to_string()))
        .collect()
}

async fn view(app: &TestApp, request: i64) -> crate::helpers::Reply {
    app.get(&format!("/api/v1/requests/{request}/codings")).await
}

async fn answers_move_forward_through_renames_and_merges(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = app.nhs_campaign().await;
    let (one, two) = plan_two_coders(&app, campaign).await;
    let ids = requests(&app, campaign, 3).await;
    let [(a, ra), (b, rb), (c, rc)] = [&ids[0], &ids[1], &ids[2]].map(|(i, r)| (*i, r.clone()));
    let import = |coder: &str| format!("/api/v1/campaigns/{campaign}/codings/import?coder={coder}");
    let sheet = |a_provider: &str, staff: &str| {
        format!(
            "reference,offers_abt,provider,plans,staff_completed\n\
             {ra},yes,{a_provider},,{staff}\n{rb},yes,unknown,,\n{rc},no,,developing,\n"
        )
    };
    app.post_raw(&import("one@example.org"), "text/csv", sheet("both", "120")).await.ok();
    app.post_raw(&import("two@example.org"), "text/csv", sheet("in_house", "")).await.ok();
    let decision = json!({"question": "provider", "codes": ["both"], "rationale": "Both are named."});
    app.post(&format!("/api/v1/requests/{a}/adjudications"), &decision).await.ok();

    let v2 = app.post("/api/v1/codebooks", &json!({"codebook": second_version()})).await;
    let v2 = v2.ok()["id"].as_i64().unwrap();
    let plan = json!({"codebook": v2, "coders": ["one@example.org", "two@example.org"], "double_coded_percent": 100});
    let moved =
        app.call_as("PUT", &app.token, &format!("/api/v1/campaigns/{campaign}/coding"), Some(&plan)).await;
    // 13 answers: all but the two to plans move (the number with them); the adjudication's
    // `both` becomes `in_house`.
    assert_eq!(
        moved.ok()["moved_forward"],
        json!({"codings": 11, "adjudications": 1, "left_behind": {"plans": 2}}),
        "{}",
        moved.body
    );
    let shown = app.get(&format!("/api/v1/campaigns/{campaign}/coding")).await;
    assert!(shown.ok().get("moved_forward").is_none(), "only the change itself reports a move");

    let at_a = view(&app, a).await;
    let provider = question(at_a.ok(), "provider");
    assert_eq!(provider["final_answer"]["codes"], json!(["in_house"]));
    assert_eq!(provider["adjudication"]["codes"], json!(["in_house"]));
    let coded: Vec<&Value> = provider["others"].as_array().unwrap().iter().map(|o| &o["codes"]).collect();
    assert_eq!(coded, [&json!(["in_house"]), &json!(["in_house"])], "the coders now agree");
    assert_eq!(question(&at_a.body, "staff_completed")["final_answer"]["number"], 120.0);
    let at_b = view(&app, b).await;
    assert_eq!(question(at_b.ok(), "provider")["final_answer"]["codes"], json!(["not_stated"]));
    let at_c = view(&app, c).await;
    let plans = question(at_c.ok(), "plans");
    assert_eq!((&plans["final_answer"], plans["others"].as_array().unwrap().len()), (&Value::Null, 0));

    // The report counts the new codes; the left-behind answers count nowhere.
    let report = app.get(&format!("/api/v1/campaigns/{campaign}/report")).await;
    let q = |key: &str| {
        report.body["questions"].as_array().unwrap().iter().find(|q| q["key"] == key).unwrap().clone()
    };
    let count = |q: &Value, code: &str| {
        q["codes"].as_array().unwrap().iter().find(|c| c["key"] == code).unwrap()["count"].clone()
    };
    assert_eq!(report.ok()["codebook"]["version"], 2);
    assert_eq!(
        (count(&q("provider"), "in_house"), count(&q("provider"), "not_stated")),
        (json!(1), json!(1))
    );
    assert!(q("plans")["codes"].as_array().unwrap().iter().all(|c| c["count"] == 0));

    // A coder codes the left-behind question again; the other's stale answer stays out of sight.
    let again = json!({"answers": [{"question": "plans", "codes": ["would_consider"]}]});
    let recoded = app.post_as(&one, &format!("/api/v1/requests/{c}/codings"), &again).await;
    let plans = question(recoded.ok(), "plans");
    assert_eq!(
        (&plans["mine"]["codes"], &plans["final_answer"]["codes"]),
        (&json!(["would_consider"]), &json!(["would_consider"]))
    );
    let twice = app.post_as(&one, &format!("/api/v1/requests/{c}/codings"), &again).await;
    twice.problem(422, "validation");
    assert!(
        twice.body["errors"][0]["message"].as_str().unwrap().starts_with("you have already answered plans")
    );
    let other = app
        .post_as(
            &two,
            &format!("/api/v1/requests/{c}/codings"),
            &json!({"answers": [{"question": "plans", "codes": ["no"]}]}),
        )
        .await;
    assert_eq!(question(other.ok(), "plans")["undecided"], true, "two coders, two answers");

    // Moving to the same version again moves nothing more.
    let same =
        app.call_as("PUT", &app.token, &format!("/api/v1/campaigns/{campaign}/coding"), Some(&plan)).await;
    assert!(same.ok().get("moved_forward").is_none(), "{}", same.body);
    app.stop().await;
}
on_both_backends!(answers_move_forward_through_renames_and_merges);

async fn a_version_that_replaces_badly_is_refused(db: &TestDb) {
    let app = spawn_app(db).await;
    let mut book = second_version();
    let provider =
        book["questions"].as_array_mut().unwrap().iter_mut().find(|q| q["key"] == "provider").unwrap();
    provider["codes"][1]["replaces"] = json!(["in_house", "both"]);
    let r = app.post("/api/v1/codebooks", &json!({"codebook": book})).await;
    r.problem(422, "validation");
    let messages: Vec<&str> =
        r.body["errors"].as_array().unwrap().iter().map(|e| e["message"].as_str().unwrap()).collect();
    assert!(
        messages.contains(&"it replaces \"in_house\", which is still a code of this question"),
        "{messages:?}"
    );
    assert!(
        messages.contains(&"\"both\" is replaced by two codes; an answer can move to only one"),
        "{messages:?}"
    );
    app.stop().await;
}
on_both_backends!(a_version_that_replaces_badly_is_refused);
