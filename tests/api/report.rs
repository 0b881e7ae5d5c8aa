//! The study's table rebuilt from the data, on both backends: 209 trusts asked, 199 replies
//! logged, one coder's spreadsheet imported, a second coder double-coding over the API, a
//! disagreement adjudicated, and the report's counts, denominators and regions checked.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestDb, spawn_app};
use crate::on_both_backends;

/// Each request's id and reference, in reference order, and the ids of London's.
async fn requests_of(app: &TestApp, campaign: i64) -> (Vec<(i64, String)>, HashSet<i64>) {
    let all = app.get(&format!("/api/v1/requests?campaign={campaign}&sort=reference&per_page=500")).await;
    let all = all.ok()["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_i64().unwrap(), r["reference"].as_str().unwrap().to_string()))
        .collect();
    let london = app.get(&format!("/api/v1/requests?campaign={campaign}&region=london&per_page=500")).await;
    let london = london.ok()["items"].as_array().unwrap().iter().map(|r| r["id"].as_i64().unwrap()).collect();
    (all, london)
}

fn code<'a>(q: &'a Value, key: &str) -> &'a Value {
    q["codes"].as_array().unwrap().iter().find(|c| c["key"] == key).unwrap()
}

async fn the_studys_table_is_a_query(db: &TestDb) {
    let app = spawn_app(db).await;
    let campaign = app.nhs_campaign().await;
    let (requests, london) = requests_of(&app, campaign).await;
    assert_eq!(requests.len(), 209);
    app.post(&format!("/api/v1/campaigns/{campaign}/sent"), &json!({"sent_at": "2021-12-06T10:00:00Z"}))
        .await
        .ok();
    // 199 replies: 151 within the 20 working days, 48 after.
    let responded = &requests[..199];
    for (n, (id, _)) in responded.iter().enumerate() {
        let on = if n < 151 { "2021-12-20" } else { "2022-02-01" };
        let event = json!({"kind": "response_received", "occurred_on": on, "outcome": "full"});
        app.post(&format!("/api/v1/requests/{id}/events"), &event).await.ok();
    }

    // 35 offer training, London first; 5 of them address sexual harassment directly, 27 use
    // external providers, 1 has a standalone module; 23 of the 164 without it plan it.
    let mut order: Vec<&(i64, String)> = responded.iter().filter(|(id, _)| london.contains(id)).collect();
    let london_yes = order.len().min(20);
    order.truncate(london_yes);
    order.extend(responded.iter().filter(|(id, _)| !london.contains(id)).take(35 - london_yes));
    let yes: HashSet<i64> = order.iter().map(|(id, _)| *id).collect();
    let mut csv =
        String::from("reference,offers_abt,sh_content,standalone_sh_module,provider,plans,staff_completed\n");
    let (mut n_yes, mut n_no) = (0, 0);
    for (id, reference) in responded {
        if yes.contains(id) {
            let sh = if n_yes < 5 { "direct" } else { "general" };
            let module = if n_yes == 0 { "yes" } else { "no" };
            let provider = if n_yes < 27 { "external" } else { "in_house" };
            csv += &format!("{reference},yes,{sh},{module},{provider},,{}\n", 10 * (n_yes + 1));
            n_yes += 1;
        } else {
            let plans = if n_no < 23 { "yes" } else { "no" };
            csv += &format!("{reference},no,,,,{plans},\n");
            n_no += 1;
        }
    }
    let book = serde_json::to_value(
        foitrack::domain::codebook::Codebook::from_toml(foitrack::domain::codebook::ABT_CODEBOOK).unwrap(),
    )
    .unwrap();
    let book = app.post("/api/v1/codebooks", &json!({"codebook": book})).await.ok()["id"].as_i64().unwrap();
    let (two, _) = app.user("two@example.org", "coder", Some("default")).await;
    app.user("one@example.org", "coder", Some("default")).await;
    let plan = json!({"codebook": book, "coders": ["one@example.org", "two@example.org"], "double_coded_percent": 5, "seed": 11});
    app.call_as("PUT", &app.token, &format!("/api/v1/campaigns/{campaign}/coding"), Some(&plan)).await.ok();
    let import = format!("/api/v1/campaigns/{campaign}/codings/import?coder=one@example.org");
    let imported = app.post_raw(&import, "text/csv", csv).await;
    assert_eq!(
        (imported.ok()["stored_rows"].as_i64(), imported.ok()["problems"].clone()),
        (Some(199), json!([]))
    );

    // Coder two double-codes offers_abt for ten replies, and disagrees once.
    for (n, (id, _)) in responded.iter().take(10).enumerate() {
        let truth = if yes.contains(id) { "yes" } else { "no" };
        let given = if n == 3 { if truth == "yes" { "no" } else { "yes" } } else { truth };
        let answers = json!({"answers": [{"question": "offers_abt", "codes": [given]}]});
        let posted = app.post_as(&two, &format!("/api/v1/requests/{id}/codings"), &answers).await;
        assert_eq!(posted.status, 201, "{}", posted.body);
    }
    // Agreement, question by question: ten replies coded twice, one disagreement.
    let agreement = app.get(&format!("/api/v1/campaigns/{campaign}/agreement")).await;
    let offers = &agreement.ok()["questions"][0];
    assert_eq!(offers["question"], "offers_abt");
    let got = (offers["units"].as_i64(), offers["pairable_units"].as_i64(), offers["coders"].as_i64());
    assert_eq!(got, (Some(199), Some(10), Some(2)), "{offers}");
    assert_eq!(offers["percent_agreement"], 90.0, "{offers}");
    assert!(offers["cohen_kappa"].is_number() && offers["gwet_ac1"].is_number(), "{offers}");
    let provider =
        agreement.body["questions"].as_array().unwrap().iter().find(|q| q["question"] == "provider").unwrap();
    assert_eq!(provider["pairable_units"], 0);
    assert!(
        provider["krippendorff_alpha"].is_null() && provider["reasons"]["krippendorff_alpha"].is_string(),
        "{provider}"
    );
    let report_path = format!("/api/v1/campaigns/{campaign}/report");
    let before = app.get(&report_path).await;
    let offers = &before.ok()["questions"][0];
    assert_eq!((offers["key"].as_str(), offers["undecided"].as_i64()), (Some("offers_abt"), Some(1)));
    assert_eq!(
        code(offers, "yes")["count"].as_i64().unwrap() + code(offers, "no")["count"].as_i64().unwrap(),
        198
    );
    let (disputed, _) = &responded[3];
    let truth = if yes.contains(disputed) { "yes" } else { "no" };
    let decision =
        json!({"question": "offers_abt", "codes": [truth], "rationale": "Checked the letter again."});
    app.post(&format!("/api/v1/requests/{disputed}/adjudications"), &decision).await.ok();

    let report = app.get(&report_path).await;
    let r = report.ok();
    assert_eq!(
        r["responses"],
        json!({"bodies": 209, "sent": 209, "responded": 199, "outstanding": 10, "on_time": 151, "late": 48,
               "response_rate": 95.2, "median_working_days": 10.0, "lower_quartile_working_days": 10.0,
               "upper_quartile_working_days": 10.0}),
    );
    let q = |key: &str| r["questions"].as_array().unwrap().iter().find(|q| q["key"] == key).unwrap().clone();
    let offers = q("offers_abt");
    assert_eq!(
        (offers["denominator"].as_i64(), offers["applies_to"].as_str(), offers["undecided"].as_i64()),
        (Some(199), Some("responded"), Some(0))
    );
    assert_eq!(code(&offers, "yes"), &json!({"key": "yes", "label": "Yes", "count": 35, "percent": 17.6}));
    assert_eq!(code(&offers, "no")["count"], 164);
    assert_eq!(offers["by_london"]["London"]["yes"].as_i64(), Some(london_yes as i64));
    assert_eq!(offers["by_region"]["London"]["yes"].as_i64(), Some(london_yes as i64));
    let sh = q("sh_content");
    assert_eq!((sh["denominator"].as_i64(), sh["applies_to"].as_str()), (Some(35), Some("applicable")));
    assert_eq!(
        (code(&sh, "direct")["count"].as_i64(), code(&sh, "general")["count"].as_i64()),
        (Some(5), Some(30))
    );
    assert_eq!(code(&q("standalone_sh_module"), "yes")["count"], 1);
    assert_eq!(code(&q("provider"), "external")["count"], 27);
    let plans = q("plans");
    assert_eq!(
        (
            plans["denominator"].as_i64(),
            code(&plans, "yes")["count"].as_i64(),
            code(&plans, "yes")["percent"].as_f64()
        ),
        (Some(164), Some(23), Some(14.0))
    );
    let staff = q("staff_completed");
    assert_eq!(
        staff["numbers"],
        json!({"count": 35, "min": 10.0, "lower_quartile": 95.0, "median": 180.0, "upper_quartile": 265.0, "max": 350.0})
    );
    assert_eq!(q("outcome")["answered"], 0);

    // The same table as CSV, by region.
    let csv = app.get(&format!("{report_path}?format=csv&by=region")).await;
    let text = csv.body.as_str().unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.starts_with("question,code,label,applies_to,denominator,count,percent,region:"),
        "{header}"
    );
    assert!(
        header.contains(",region:London,") && header.ends_with(",london:London,london:Rest of England"),
        "{header}"
    );
    assert_eq!(header.matches("region:London").count(), 1, "{header}");
    assert!(text.lines().any(|l| l.starts_with("offers_abt,yes,Yes,responded,199,35,17.6,")), "{text}");
    app.get(&format!("{report_path}?format=pdf")).await.problem(422, "validation");
    app.get("/api/v1/campaigns/999999/report").await.problem(404, "not-found");

    // The charts over HTTP, the same the command line writes: 35 yes in the offers chart.
    let chart = |name: &str| format!("/api/v1/campaigns/{campaign}/charts/{name}");
    let offers =
        app.client.get(app.url(&chart("offers_abt.svg"))).bearer_auth(&app.token).send().await.unwrap();
    assert_eq!(offers.status(), 200);
    let header = |name: &str| offers.headers()[name].to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "image/svg+xml; charset=utf-8");
    assert_eq!(header("x-content-type-options"), "nosniff");
    let svg = offers.text().await.unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("-title\">Does the trust offer"), "{svg}");
    assert!(svg.contains("London: Yes 20, No 12;"), "the description gives the figures: {svg}");
    let weekly = app.get(&chart("responses.svg")).await;
    assert!(weekly.body.as_str().unwrap().contains("Responses per week"));
    let unknown = app.get(&chart("nothing.svg")).await.problem(404, "not-found");
    assert!(unknown.contains("its charts are responses.svg, offers_abt.svg"), "{unknown}");
    app.stop().await;
}
on_both_backends!(the_studys_table_is_a_query);
