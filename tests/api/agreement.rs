//! The agreement calculator over HTTP: the same statistics as `foitrack agreement`.

use super::helpers::{TestApp, TestDb, spawn_app};

/// Krippendorff's (2011) four observers and twelve units, in the long shape; unit 12 has one
/// coding, and C's empty value for it means "not coded".
const RELIABILITY: &str = "unit,coder,value\n\
    1,A,1\n1,B,1\n1,D,1\n2,A,2\n2,B,2\n2,C,3\n2,D,2\n3,A,3\n3,B,3\n3,C,3\n3,D,3\n\
    4,A,3\n4,B,3\n4,C,3\n4,D,3\n5,A,2\n5,B,2\n5,C,2\n5,D,2\n6,A,1\n6,B,2\n6,C,3\n6,D,4\n\
    7,A,4\n7,B,4\n7,C,4\n7,D,4\n8,A,1\n8,B,1\n8,C,2\n8,D,1\n9,A,2\n9,B,2\n9,C,2\n9,D,2\n\
    10,B,5\n10,C,5\n10,D,5\n11,C,1\n11,D,1\n12,B,3\n12,C,\n";

fn near(value: &serde_json::Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 5e-4)
}

async fn app() -> TestApp {
    spawn_app(&TestDb::sqlite()).await
}

#[actix_rt::test]
async fn the_published_reliability_data_gives_the_published_figures() {
    let app = app().await;
    let r = app.post_raw("/api/v1/agreement", "text/csv", RELIABILITY).await;
    let body = r.ok();
    assert_eq!(
        (body["units"].as_u64(), body["pairable_units"].as_u64(), body["coders"].as_u64()),
        (Some(12), Some(11), Some(4))
    );
    assert_eq!(body["level"], "nominal");
    assert!(near(&body["krippendorff_alpha"], 0.743), "{body}");
    assert!(near(&body["gwet_ac1"], 0.7754), "{body}");
    assert!(near(&body["percent_agreement"], 81.818), "{body}");
    assert!(body["cohen_kappa"].is_null());
    assert!(body["reasons"]["cohen_kappa"].as_str().unwrap().contains("exactly two coders"));
    let ci = &body["krippendorff_alpha_ci"];
    assert!(ci["low"].as_f64().unwrap() < 0.743 && ci["high"].as_f64().unwrap() > 0.743, "{ci}");
    assert_eq!(ci["level"], 0.95);
    assert!(body["per_code"].is_null());

    let interval = app.post_raw("/api/v1/agreement?level=interval", "text/csv", RELIABILITY).await;
    let body = interval.ok();
    assert!(near(&body["krippendorff_alpha"], 0.849), "{body}");
    assert!(body["gwet_ac1"].is_null() && body["reasons"]["gwet_ac1"].is_string());
    app.stop().await;
}

#[actix_rt::test]
async fn several_codes_per_unit_get_figures_per_code() {
    let app = app().await;
    let file = "unit,coder,value\nr1,A,a;b\nr1,B,a;b\nr2,A,a\nr2,B,\"a; b\"\nr3,A,c\nr3,B,c\n";
    let r = app.post_raw("/api/v1/agreement", "text/csv", file).await;
    let body = r.ok();
    let per_code = body["per_code"].as_array().expect("per_code");
    let codes: Vec<&str> = per_code.iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["a", "b", "c"]);
    assert!(near(&per_code[0]["percent_agreement"], 100.0), "{body}");
    assert!(near(&per_code[1]["percent_agreement"], 200.0 / 3.0), "{body}");
    assert!(near(&body["percent_agreement"], 200.0 / 3.0), "{body}");
    app.stop().await;
}

#[actix_rt::test]
async fn a_bad_file_is_refused_whole_with_each_line() {
    let app = app().await;
    let bad = "unit,coder,value\n1,A,yes\n1,A,no\n,B,yes\n2,B,yes\n";
    let r = app.post_raw("/api/v1/agreement", "text/csv", bad).await;
    r.problem(422, "validation");
    let fields: Vec<&str> =
        r.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["line 3", "line 4"], "{}", r.body);

    let header = app.post_raw("/api/v1/agreement", "text/csv", "id,rater,code\n1,A,x\n").await;
    assert!(header.problem(422, "validation").contains("unit, coder and value"));
    let words =
        app.post_raw("/api/v1/agreement?level=interval", "text/csv", "unit,coder,value\n1,A,many\n").await;
    assert!(words.problem(422, "validation").contains("not a number"));
    let level = app.post_raw("/api/v1/agreement?level=ordinal", "text/csv", RELIABILITY).await;
    assert!(level.problem(422, "validation").contains("nominal"));
    let binary = app.post_raw("/api/v1/agreement", "text/csv", vec![0xff_u8, 0xfe, 0, 1, b'\n', 0x80]).await;
    binary.problem(422, "validation");
    app.stop().await;
}

#[actix_rt::test]
async fn only_a_signed_in_user_may_use_it() {
    let app = app().await;
    let anonymous = reqwest::Client::new()
        .post(app.url("/api/v1/agreement"))
        .header("content-type", "text/csv")
        .body(RELIABILITY)
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    app.stop().await;
}
