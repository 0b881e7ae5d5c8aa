//! Coding in a real headless Chromium: a coder selects a passage of a reply and presses E to
//! attach it as evidence, saves, and presses N for the next reply; a researcher decides the
//! disagreement, finds the report's chart bars, searches, and opens the holding pen. axe-core
//! checks every page on the way.

use fantoccini::Locator;
use serde_json::json;

use crate::browser::Browser;
use crate::codings::plan_two_coders;
use crate::helpers::TestDb;
use crate::inbound::world_with;

const PASSWORD: &str = "correct horse battery";

/// Selects the first occurrence of `phrase` in the reply's text, as a mouse would.
const SELECT: &str = "const phrase = arguments[0];
    const pre = document.querySelector('pre.source');
    const walker = document.createTreeWalker(pre, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.data.indexOf(phrase);
      if (at >= 0) {
        const range = document.createRange();
        range.setStart(node, at);
        range.setEnd(node, at + phrase.length);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        return true;
      }
    }
    return false;";

async fn a_coder_codes_by_selecting_a_passage(db: &TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let w = world_with(db, |s| s.server.secure_cookies = true).await;
    let app = &w.app;
    let (first, second) = (w.ids[0], w.ids[1]);
    let campaign = app.get(&format!("/api/v1/requests/{first}")).await.ok()["campaign_id"].as_i64().unwrap();
    let (_, two) = plan_two_coders(app, campaign).await;
    let message = w.deliver(w.expand("response_plain.eml")).await.body["id"].as_i64().unwrap();
    w.deliver(w.expand("response_pdf.eml")).await;
    let text = app.get(&format!("/api/v1/requests/{first}")).await.ok()["incoming"][0]["text"]
        .as_str()
        .unwrap()
        .to_string();
    let phrase = "We do not run a course of that name";
    let start = text[..text.find(phrase).unwrap()].chars().count();
    let token = format!("{message}:{start}-{}", start + phrase.chars().count());
    for who in ["one@example.org", "admin@example.org"] {
        app.service.set_password(None, who, PASSWORD).unwrap();
    }
    let b = &browser.client;

    // The coder goes straight to the reply, by way of signing in.
    b.goto(&app.url(&format!("/requests/{first}/code"))).await.unwrap();
    browser.sign_in("one@example.org", PASSWORD, Locator::Css("pre.source")).await;
    browser.screenshot("coding").await;
    browser.assert_accessible("coding").await;

    // Select the words, press E: they become the evidence of the question in hand.
    let selected = b.execute(SELECT, vec![json!(phrase)]).await.unwrap();
    assert_eq!(selected, json!(true), "the phrase is in the reply");
    browser.press('e').await;
    let evidence = b.find(Locator::Id("evidence-offers_abt")).await.unwrap();
    assert_eq!(evidence.prop("value").await.unwrap().as_deref(), Some(token.as_str()));
    let quoted = browser.shown(Locator::Css("#q-offers_abt .quotes li")).await;
    assert_eq!(quoted.text().await.unwrap(), format!("“{phrase}”"));
    b.find(Locator::Css("#q-offers_abt input[value=no]")).await.unwrap().click().await.unwrap();
    // A mark on this page's window: it survives a partial update, not a new page.
    b.execute("window.stayed = true; return true;", vec![]).await.unwrap();
    b.find(Locator::Css("#coding button[type=submit]")).await.unwrap().click().await.unwrap();
    browser.shown(Locator::Css(".saved")).await;
    let stayed = b.execute("return window.stayed === true;", vec![]).await.unwrap();
    assert_eq!(stayed, json!(true), "saved in the background: only the main part was replaced");
    let focused = b.execute("return document.activeElement.className;", vec![]).await.unwrap();
    assert_eq!(focused, json!("saved"), "the message takes the focus");
    let kept = b.find(Locator::Css("#q-offers_abt blockquote")).await.unwrap();
    assert_eq!(kept.text().await.unwrap(), phrase, "the answer is saved with its passage");

    // N goes to the next reply in the coder's queue.
    browser.press('n').await;
    browser.shown(Locator::Id("previous")).await;
    assert_eq!(b.current_url().await.unwrap().path(), format!("/requests/{second}/code"));

    // The other coder disagrees; the researcher decides, then reads the report.
    let yes = json!({"answers": [{"question": "offers_abt", "codes": ["yes"]}]});
    app.post_as(&two, &format!("/api/v1/requests/{first}/codings"), &yes).await.ok();
    b.find(Locator::Css(".sign-out button")).await.unwrap().click().await.unwrap();
    browser.shown(Locator::Id("password")).await;
    b.goto(&app.url(&format!("/campaigns/{campaign}/disagreements"))).await.unwrap();
    browser.sign_in("admin@example.org", PASSWORD, Locator::Css("form.decide")).await;
    browser.screenshot("disagreements").await;
    browser.assert_accessible("disagreements").await;
    b.find(Locator::Css("form.decide input[value=no]")).await.unwrap().click().await.unwrap();
    b.find(Locator::Css("form.decide textarea")).await.unwrap().send_keys("No course is run.").await.unwrap();
    b.find(Locator::Css("form.decide button")).await.unwrap().click().await.unwrap();
    let recorded = browser.shown(Locator::Css(".saved")).await;
    assert_eq!(recorded.text().await.unwrap(), "The decision on ABT-2021-0001 is recorded.");

    b.goto(&app.url(&format!("/campaigns/{campaign}/report"))).await.unwrap();
    browser.shown(Locator::Css("#q-offers_abt")).await;
    let bars = b.find_all(Locator::Css(".chart svg rect")).await.unwrap();
    assert!(bars.len() > 2, "the report's charts have their bars");
    browser.screenshot("report").await;
    browser.assert_accessible("report").await;

    // Search finds the words, highlighted; the holding pen offers where a stray reply belongs.
    b.find(Locator::LinkText("Search")).await.unwrap().click().await.unwrap();
    browser.shown(Locator::Id("q")).await.send_keys("course outside").await.unwrap();
    b.find(Locator::Css("form[role=search] button")).await.unwrap().click().await.unwrap();
    let marked = browser.shown(Locator::Css(".snippet mark")).await;
    assert_eq!(marked.text().await.unwrap(), "course");
    browser.screenshot("search").await;
    browser.assert_accessible("search").await;
    w.deliver(w.expand("unmatched.eml")).await;
    b.find(Locator::LinkText("Holding pen")).await.unwrap().click().await.unwrap();
    let offer = browser.shown(Locator::Css(".suggestions button")).await;
    assert_eq!(offer.text().await.unwrap(), "Assign to ABT-2021-0001");
    browser.screenshot("holding-pen").await;
    browser.assert_accessible("holding pen").await;

    // The request with its reply: the classification form, the suggestion ticked in advance.
    b.goto(&app.url(&format!("/requests/{first}"))).await.unwrap();
    let suggested = browser.shown(Locator::Css("input[name=classification]:checked")).await;
    assert_eq!(suggested.attr("value").await.unwrap().as_deref(), Some("not_held"));
    browser.screenshot("request-replied").await;
    browser.assert_accessible("request with a reply to classify").await;
    b.execute("window.stayed = true; return true;", vec![]).await.unwrap();
    b.find(Locator::Css("form[action$=classify] button")).await.unwrap().click().await.unwrap();
    let said = browser.shown(Locator::Css(".saved")).await;
    assert_eq!(said.text().await.unwrap(), "The reply is classified: not held.");
    let stayed = b.execute("return window.stayed === true;", vec![]).await.unwrap();
    assert_eq!(stayed, json!(true), "classified in the background");
    assert_eq!(b.current_url().await.unwrap().path(), format!("/requests/{first}"));
    browser.assert_accessible("request with its reply classified").await;
    browser.close().await;
    w.app.stop().await;
}

#[actix_rt::test]
async fn a_coder_codes_by_selecting_a_passage_in_chromium() {
    a_coder_codes_by_selecting_a_passage(&TestDb::sqlite()).await;
}
