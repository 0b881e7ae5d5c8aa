//! Accounts in a real headless Chromium: an administrator adds a colleague on the People page,
//! the colleague chooses a password from the mailed link and signs in, an owner adds a member,
//! and the header's switcher narrows the pages to one workspace. axe-core checks every page.

use fantoccini::Locator;

use crate::account_pages::{deliver, link_in};
use crate::browser::Browser;
use crate::helpers::{TestDb, spawn_app_with};

const PASSWORD: &str = "correct horse battery";

async fn a_colleague_is_added_and_chooses_a_password(db: &TestDb) {
    let Some(browser) = Browser::start().await else { return };
    let app = spawn_app_with(db, |s| {
        s.server.secure_cookies = true;
        s.server.public_url = crate::account_pages::SITE.into();
    })
    .await;
    app.nhs_campaign().await;
    app.service.set_password(None, "admin@example.org", PASSWORD).unwrap();
    let b = &browser.client;

    b.goto(&app.url("/users")).await.unwrap();
    browser.sign_in("admin@example.org", PASSWORD, Locator::Id("add-person")).await;
    browser.screenshot("people").await;
    browser.assert_accessible("people").await;
    b.find(Locator::Id("email")).await.unwrap().send_keys("bea@uni.ac.uk").await.unwrap();
    b.find(Locator::Id("name")).await.unwrap().send_keys("Bea Lee").await.unwrap();
    b.find(Locator::Css("#add-person + form button[type=submit]")).await.unwrap().click().await.unwrap();
    let said = browser.shown(Locator::Css(".saved")).await;
    assert!(said.text().await.unwrap().starts_with("bea@uni.ac.uk can now use foitrack"));

    // A second workspace, then the switcher in the header narrows the campaigns to it.
    b.goto(&app.url("/workspaces")).await.unwrap();
    browser.shown(Locator::Id("new-workspace")).await;
    b.find(Locator::Id("slug")).await.unwrap().send_keys("press").await.unwrap();
    b.find(Locator::Id("name")).await.unwrap().send_keys("Press desk").await.unwrap();
    b.find(Locator::Id("owner")).await.unwrap().send_keys("admin@example.org").await.unwrap();
    b.find(Locator::Css("#new-workspace + form button[type=submit]")).await.unwrap().click().await.unwrap();
    browser.shown(Locator::Css(".saved")).await;
    browser.screenshot("workspaces").await;
    browser.assert_accessible("workspaces").await;
    b.find(Locator::LinkText("Members of Press desk")).await.unwrap().click().await.unwrap();
    browser.shown(Locator::Id("add-member")).await;
    b.find(Locator::Id("email")).await.unwrap().send_keys("bea@uni.ac.uk").await.unwrap();
    b.find(Locator::Css("#add-member + form button[type=submit]")).await.unwrap().click().await.unwrap();
    let joined = browser.shown(Locator::Css(".saved")).await;
    assert_eq!(joined.text().await.unwrap(), "bea@uni.ac.uk joined as coder.");
    browser.screenshot("members").await;
    browser.assert_accessible("members").await;

    b.find(Locator::LinkText("Campaigns")).await.unwrap().click().await.unwrap();
    browser.shown(Locator::LinkText("Active bystander training")).await;
    b.find(Locator::Css("#switch-workspace option[value=press]")).await.unwrap().click().await.unwrap();
    b.find(Locator::Css(".switcher button")).await.unwrap().click().await.unwrap();
    browser.shown(Locator::Css(".counts")).await;
    b.find(Locator::LinkText("Campaigns")).await.unwrap().click().await.unwrap();
    browser.shown(Locator::Css("main h1")).await;
    let source = b.source().await.unwrap();
    assert!(!source.contains("Active bystander training"), "narrowed to the press desk");
    b.find(Locator::Css(".sign-out button")).await.unwrap().click().await.unwrap();
    browser.shown(Locator::Id("password")).await;

    // Bea's link, from the mail the outbox sent through a real SMTP server.
    let mail = deliver(&app).await;
    assert_eq!(mail.len(), 1);
    b.goto(&app.url(&link_in(&mail[0]))).await.unwrap();
    browser.shown(Locator::Id("again")).await;
    browser.screenshot("choose-password").await;
    browser.assert_accessible("choose a password").await;
    b.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    b.find(Locator::Id("again")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    b.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
    let told = browser.shown(Locator::Css(".saved")).await;
    assert_eq!(told.text().await.unwrap(), "The password of bea@uni.ac.uk is set: sign in with it.");
    b.find(Locator::Id("email")).await.unwrap().send_keys("bea@uni.ac.uk").await.unwrap();
    b.find(Locator::Id("password")).await.unwrap().send_keys(PASSWORD).await.unwrap();
    b.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
    browser.shown(Locator::Css(".counts")).await;
    b.find(Locator::Css(".sign-out button")).await.unwrap().click().await.unwrap();
    browser.shown(Locator::Id("password")).await;

    b.find(Locator::LinkText("Forgotten your password, or never had one?"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    browser.shown(Locator::Css("form[action='/forgot-password']")).await;
    browser.assert_accessible("forgotten password").await;
    browser.close().await;
    app.stop().await;
}

#[actix_rt::test]
async fn a_colleague_is_added_and_chooses_a_password_in_chromium() {
    a_colleague_is_added_and_chooses_a_password(&TestDb::sqlite()).await;
}
