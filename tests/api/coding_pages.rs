//! Coding on the pages, on both backends, as a browser without JavaScript uses them: the coding
//! workspace with blind double coding and evidence, the disagreements and their decision, the
//! report with its charts, and the downloads. Every refused form stores nothing and comes back
//! with what was typed.

use serde_json::Value;

use crate::codings::{plan_two_coders, question};
use crate::helpers::{TestApp, TestDb};
use crate::inbound::world;
use crate::on_both_backends;
use crate::pages::{Browser, PASSWORD};

pub(crate) async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    app.service.set_password(None, email, PASSWORD).unwrap();
    let b = Browser::new(app);
    let token = b.form_token().await;
    let me = [("email", email), ("password", PASSWORD), ("token", &token), ("next", "/")];
    assert_eq!(b.post("/sign-in", "same-origin", &me).await.status, 303, "{email} signs in");
    b
}

/// One coder's answer to `offers_abt`, as the API shows it to the coder.
async fn mine(app: &TestApp, token: &str, request: i64) -> Value {
    let view = app.get_as(token, &format!("/api/v1/requests/{request}/codings")).await;
    question(view.ok(), "offers_abt")["mine"].clone()
}

async fn coders_code_and_a_researcher_decides_on_the_pages(db: &TestDb) {
    let w = world(db).await;
    let app = &w.app;
    let request = w.ids[0];
    let campaign =
        app.get(&format!("/api/v1/requests/{request}")).await.ok()["campaign_id"].as_i64().unwrap();
    let message = w.deliver(w.expand("response_plain.eml")).await.body["id"].as_i64().unwrap();
    // Without a coding plan, the request page offers no coding, which would only be refused.
    let unplanned = signed_in(app, "admin@example.org").await.get(&format!("/requests/{request}")).await;
    assert!(!unplanned.text.contains("Code its reply"), "{}", unplanned.text);
    let (one_token, _) = plan_two_coders(app, campaign).await;
    let planned = signed_in(app, "admin@example.org").await.get(&format!("/requests/{request}")).await;
    assert!(
        planned.text.contains(&format!("href=\"/requests/{request}/code\">Code its reply")),
        "{}",
        planned.text
    );
    // A viewer reads the coding sheet, with no button that would be refused.
    app.user("viewer@example.org", "viewer", None).await;
    let read_only =
        signed_in(app, "viewer@example.org").await.get(&format!("/requests/{request}/code")).await;
    assert_eq!(read_only.status, 200);
    assert!(read_only.text.contains("You can read this coding, not answer"), "{}", read_only.text);
    assert!(!read_only.text.contains("Save my answers"));
    let text = app.get(&format!("/api/v1/requests/{request}")).await.ok()["incoming"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    let phrase = "We do not run a course of that name";
    let start = text[..text.find(phrase).unwrap()].chars().count();
    let passage = format!("{message}:{start}-{}", start + phrase.chars().count());

    // The coder's dashboard points at the reply waiting for them; the researcher's, at the
    // response no one has classified.
    let one = signed_in(app, "one@example.org").await;
    let home = one.get("/").await;
    assert!(
        home.text.contains(&format!("href=\"/requests/{request}/code\">start coding</a>")),
        "{}",
        home.text
    );
    assert!(home.text.contains("<strong>1</strong> replies for you to code"), "{}", home.text);
    let admin = signed_in(app, "admin@example.org").await;
    let home = admin.get("/").await;
    assert!(home.text.contains("<strong>1</strong> replies to classify"), "{}", home.text);
    assert!(
        home.text.contains(&format!(
            "<td><a href=\"/requests/{request}\">ABT-2021-0001</a></td><td>foi@alpha-trust.nhs.uk</td>"
        )),
        "{}",
        home.text
    );
    assert!(home.text.contains("No coding plan names you."));

    // The sheet: the reply to quote from, the codebook's questions, the rules' suggestions.
    let code = format!("/requests/{request}/code");
    let sheet = one.get(&code).await;
    assert_eq!(sheet.status, 200, "{}", sheet.text);
    assert!(sheet.text.contains(phrase), "the reply's text is there to quote");
    assert!(sheet.text.contains(&format!("data-message=\"{message}\"")));
    assert!(sheet.text.contains("name=\"answer.offers_abt\" value=\"no\""));
    assert!(sheet.text.contains("<mark title=\"suggests"), "suggested passages are marked");
    assert!(sheet.text.contains("Suggested: <strong>"), "{}", sheet.text);
    assert!(sheet.text.contains("<script src=\"/static/app.js\" defer></script>"));

    // Mistakes come back with what was typed, each named by its question; nothing is stored.
    let typed =
        [("answer.offers_abt", "no"), ("evidence.offers_abt", "here"), ("memo.offers_abt", "kept memo")];
    let bad = one.post(&code, "same-origin", &typed).await;
    assert_eq!(bad.status, 422);
    assert!(bad.text.contains("the evidence &#34;here&#34; is not a passage"), "{}", bad.text);
    assert!(bad.text.contains("kept memo") && bad.text.contains("value=\"no\" checked"), "{}", bad.text);
    let far = format!("{message}:0-999999");
    let too_long =
        one.post(&code, "same-origin", &[("answer.offers_abt", "no"), ("evidence.offers_abt", &far)]).await;
    assert_eq!(too_long.status, 422);
    assert!(
        too_long.text.contains("active bystander training to its staff? (evidence): a passage is at most"),
        "{}",
        too_long.text
    );
    let nothing = one.post(&code, "same-origin", &[("memo.offers_abt", "")]).await;
    assert_eq!(nothing.status, 422);
    assert!(nothing.text.contains("Answer at least one question"), "{}", nothing.text);
    let forged = one.post(&code, "cross-site", &[("answer.offers_abt", "no")]).await;
    assert_eq!(forged.status, 403, "a form from another site is refused");
    assert_eq!(mine(app, &one_token, request).await, Value::Null, "nothing was stored");

    // Saved with its evidence and memo, then shown as the coder's answer.
    let answer =
        [("answer.offers_abt", "no"), ("evidence.offers_abt", &passage), ("memo.offers_abt", "says so")];
    let saved = one.post(&code, "same-origin", &answer).await;
    assert_eq!((saved.status, saved.location.as_str()), (303, code.as_str()));
    let after = one.get(&saved.location).await;
    assert!(one.get("/").await.text.contains("<strong>0</strong> replies for you to code"));
    assert!(after.text.contains("Your answers are saved."));
    assert!(after.text.contains("Your answer: <strong>No</strong>"), "{}", after.text);
    assert!(after.text.contains(&format!("<blockquote>{phrase}</blockquote>")));
    let stored = mine(app, &one_token, request).await;
    assert_eq!((stored["codes"][0].as_str(), stored["memo"].as_str()), (Some("no"), Some("says so")));
    assert_eq!(stored["evidence"][0]["quote"], phrase);
    let again = one.post(&code, "same-origin", &[("answer.offers_abt", "yes")]).await;
    assert_eq!(again.status, 422);
    assert!(again.text.contains("you have already answered offers_abt"), "{}", again.text);

    // The second coder codes blind: the first answer is only counted, until they answer.
    let two = signed_in(app, "two@example.org").await;
    let blind = two.get(&code).await;
    assert!(blind.text.contains("1 other answer(s), shown once you have answered."), "{}", blind.text);
    assert!(!blind.text.contains("one@example.org: <strong>"), "another coder's answer stays hidden");
    assert_eq!(two.post(&code, "same-origin", &[("answer.offers_abt", "yes")]).await.status, 303);
    let open = two.get(&code).await;
    assert!(open.text.contains("one@example.org: <strong>No</strong>"), "{}", open.text);

    // The researcher decides the disagreement, with a reason; without one, nothing is decided.
    let list_path = format!("/campaigns/{campaign}/disagreements");
    let list = admin.get(&list_path).await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert!(list.text.contains(&format!("action=\"/requests/{request}/adjudicate\"")), "{}", list.text);
    assert!(list.text.contains("one@example.org") && list.text.contains("two@example.org"));
    let decide = format!("/requests/{request}/adjudicate");
    let campaign_id = campaign.to_string();
    let mut decision =
        vec![("question", "offers_abt"), ("campaign", &campaign_id), ("codes", "no"), ("rationale", "  ")];
    let bare = admin.post(&decide, "same-origin", &decision).await;
    assert_eq!(bare.status, 422);
    assert!(bare.text.contains("say why this answer"), "{}", bare.text);
    assert!(
        bare.text.contains(&format!("action=\"/requests/{request}/adjudicate\"")),
        "the list is shown again"
    );
    let lots = [
        ("question", "offers_abt"),
        ("campaign", campaign_id.as_str()),
        ("number", "lots"),
        ("rationale", "x"),
    ];
    let not_a_number = admin.post(&decide, "same-origin", &lots).await;
    assert_eq!(not_a_number.status, 422);
    assert!(not_a_number.text.contains("must be a number"), "shown on the list: {}", not_a_number.text);
    decision[3] = ("rationale", "The letter says no such course is run.");
    let decided = admin.post(&decide, "same-origin", &decision).await;
    assert_eq!(decided.status, 303);
    assert_eq!(decided.location, list_path);
    let done = admin.get(&decided.location).await;
    assert!(done.text.contains("The decision on ABT-2021-0001 is recorded."), "{}", done.text);
    assert!(done.text.contains("every disagreement is decided"), "{}", done.text);
    let again = admin.get(&list_path).await;
    assert!(!again.text.contains("is recorded"), "what was done is said once");

    // The report: the table with its denominators, the charts, agreement, and the downloads.
    let report = admin.get(&format!("/campaigns/{campaign}/report")).await;
    assert_eq!(report.status, 200, "{}", report.text);
    assert!(report.text.contains("Does the trust offer active bystander training to its staff?"));
    assert!(
        report.text.contains("Percentages out of 0 bodies that responded; 1 answered."),
        "{}",
        report.text
    );
    assert!(report.text.matches("<svg").count() >= 2, "the responses chart and a question's chart");
    assert!(report.text.contains("Krippendorff's alpha"));
    let csv = admin.get(&format!("/campaigns/{campaign}/report.csv")).await;
    assert_eq!(csv.status, 200);
    assert!(csv.text.contains("offers_abt"), "{}", csv.text);
    assert_downloaded(&csv, &format!("campaign-{campaign}-report.csv"));
    let zip = admin.get(&format!("/campaigns/{campaign}/data.zip")).await;
    assert_eq!((zip.status, zip.headers["content-type"].to_str().unwrap()), (200, "application/zip"));
    assert_downloaded(&zip, &format!("campaign-{campaign}-data.zip"));
    let codebook = report.text.split("href=\"/codebooks/").nth(1).unwrap().split('/').next().unwrap();
    let qdc = admin.get(&format!("/codebooks/{codebook}/qdc")).await;
    assert!(qdc.text.contains("<CodeBook"), "{}", qdc.text);
    assert_downloaded(&qdc, "abt-v1.qdc");
    w.app.stop().await;
}
on_both_backends!(coders_code_and_a_researcher_decides_on_the_pages);

fn assert_downloaded(got: &crate::pages::Got, name: &str) {
    let disposition = got.headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with(&format!("attachment; filename=\"{name}\"")), "{disposition}");
    assert_eq!(got.headers["x-content-type-options"], "nosniff");
}

/// A reply's attachments are downloaded as files under their (cleaned) names, never shown as
/// pages; one that is not there is a 404.
async fn attachments_are_downloaded_from_the_request_page(db: &TestDb) {
    let w = world(db).await;
    let app = &w.app;
    let request = w.ids[1];
    w.deliver(w.expand("response_pdf.eml")).await;
    let admin = signed_in(app, "admin@example.org").await;
    let page = admin.get(&format!("/requests/{request}")).await;
    assert_eq!(page.status, 200);
    let href = format!("/requests/{request}/attachments/");
    let link = page.text.split(&format!("href=\"{href}")).nth(1).expect("an attachment link");
    let path = format!("{href}{}", link.split('"').next().unwrap());
    assert!(page.text.contains("response.pdf (application/pdf"), "{}", page.text);
    let file = admin.get(&path).await;
    assert_eq!((file.status, file.headers["content-type"].to_str().unwrap()), (200, "application/pdf"));
    assert_downloaded(&file, "response.pdf");
    assert!(file.text.starts_with("%PDF"), "the file as it came");
    let missing = admin.get(&format!("{path}9")).await;
    assert_eq!(missing.status, 404);
    let elsewhere =
        admin.get(&format!("/requests/{}/attachments/{}", w.ids[0], link.split('"').next().unwrap())).await;
    assert_eq!(elsewhere.status, 404, "another request's attachment is not this one's");
    w.app.stop().await;
}
on_both_backends!(attachments_are_downloaded_from_the_request_page);
