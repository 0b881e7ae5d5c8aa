//! The web pages in a real headless Chromium, driven through its chromedriver (fantoccini).
//! Where Chromium is not installed the tests say they were skipped and why, unless
//! `FOITRACK_TEST_BROWSER=required` (as CI sets it). Screenshots go to `target/screenshots/`.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use crate::helpers::{TestDb, spawn_app_with};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A chromedriver with its Chromium, in a process group of their own: dropping it kills the
/// whole group, so no browser outlives a test, even one that fails.
pub struct Browser {
    pub client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Option<Self> {
        let required = std::env::var("FOITRACK_TEST_BROWSER").as_deref() == Ok("required");
        if let Some(missing) = [CHROMIUM, CHROMEDRIVER].into_iter().find(|p| !Path::new(p).exists()) {
            let why = format!("{missing} is not installed (apt-get install chromium chromium-driver)");
            assert!(!required, "FOITRACK_TEST_BROWSER=required, but {why}");
            eprintln!("skipped: {why}");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut driver = Command::new(CHROMEDRIVER);
        driver.arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null());
        // SAFETY: setpgid in the child before exec only moves it into a new process group.
        unsafe {
            driver.pre_exec(|| {
                libc::setpgid(0, 0);
                Ok(())
            });
        }
        let driver = driver.spawn().expect("chromedriver starts");
        let profile = tempfile::tempdir().unwrap();
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({"binary": CHROMIUM, "args": [
                "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,900", format!("--user-data-dir={}", profile.path().display())
            ]}),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last = None;
        for _ in 0..100 {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&url).await {
                Ok(client) => return Some(Self { client, driver, _profile: profile }),
                Err(e) => last = Some(e.to_string()),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = Self::killed(driver).wait();
        panic!("chromedriver did not start a session: {}", last.unwrap_or_default());
    }

    fn killed(driver: Child) -> Child {
        // SAFETY: kill only sends a signal, to the process group the driver leads.
        unsafe { libc::kill(-(driver.id() as i32), libc::SIGKILL) };
        driver
    }

    /// Saves a screenshot of the page as `target/screenshots/NAME.png`.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }

    /// Runs axe-core on the page and fails on any WCAG 2 A or AA violation. axe-core comes from
    /// the npm registry (`.ci/run` installs it and names it in `FOITRACK_TEST_AXE`); without it
    /// the check says it was skipped, unless the browser is required.
    pub async fn assert_accessible(&self, page: &str) {
        let Some(axe) = axe_source() else { return };
        self.client.execute(&axe, Vec::new()).await.unwrap();
        let run = "const done = arguments[arguments.length - 1];
            axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
              .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' (' + v.nodes.map(n => n.target.join(' ')).join(', ') + ')')))
              .catch(e => done(['axe failed: ' + e]));";
        let found = self.client.execute_async(run, Vec::new()).await.unwrap();
        assert_eq!(found, json!([]), "accessibility problems on the {page} page");
    }

    /// Ends the browser session; dropping the rest ends the driver.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }

    /// Signs in on the sign-in page the browser was sent to, and waits for the page it asked for
    /// to show `then`.
    pub async fn sign_in(&self, email: &str, password: &str, then: Locator<'_>) {
        let b = &self.client;
        assert_eq!(b.current_url().await.unwrap().path(), "/sign-in", "sent to sign in first");
        b.find(Locator::Id("email")).await.unwrap().send_keys(email).await.unwrap();
        b.find(Locator::Id("password")).await.unwrap().send_keys(password).await.unwrap();
        b.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();
        self.shown(then).await;
    }

    /// Presses a key on the page, as a person would, wherever the focus is.
    pub async fn press(&self, key: char) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client.perform_actions(keys).await.unwrap();
    }

    /// The element, once the page shows it (at most ten seconds).
    pub async fn shown(&self, locator: Locator<'_>) -> fantoccini::elements::Element {
        self.client.wait().at_most(Duration::from_secs(10)).for_element(locator).await.unwrap()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // SAFETY: as in `killed`; after `close` the group is already gone and this does nothing.
        unsafe { libc::kill(-(self.driver.id() as i32), libc::SIGKILL) };
        let _ = self.driver.wait();
    }
}

/// axe-core's script, from `FOITRACK_TEST_AXE` or where `.ci/run` installs it.
fn axe_source() -> Option<String> {
    let path = std::env::var("FOITRACK_TEST_AXE").map(PathBuf::from).unwrap_or_else(|_| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/axe/node_modules/axe-core/axe.min.js")
    });
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(e) => {
            let required = std::env::var("FOITRACK_TEST_BROWSER").as_deref() == Ok("required");
            assert!(
                !required,
                "FOITRACK_TEST_BROWSER=required, but axe-core is not at {}: {e}",
                path.display()
            );
            eprintln!(
                "skipped the accessibility check: axe-core is not at {} (npm install axe-core)",
                path.display()
            );
            None
        }
    }
}

async fn a_researcher_signs_in_and_sees_an_overdue_request(db: &TestDb) {
    let Some(browser) = Browser::start().await else { return };
    // As served by default: the session cookie is Secure, which browsers keep for 127.0.0.1 too.
    let app = spawn_app_with(db, |s| s.server.secure_cookies = true).await;
    let campaign = app.nhs_campaign().await;
    app.post(&format!("/api/v1/campaigns/{campaign}/sent"), &json!({"sent_at": "2021-12-06T10:00:00Z"}))
        .await
        .ok();
    app.service.set_password(None, "admin@example.org", "correct horse battery").unwrap();
    let b = &browser.client;

    b.goto(&app.url("/")).await.unwrap();
    assert_eq!(b.current_url().await.unwrap().path(), "/sign-in", "sent to sign in first");
    browser.screenshot("sign-in").await;
    browser.assert_accessible("sign-in").await;
    b.find(Locator::Id("email")).await.unwrap().send_keys("admin@example.org").await.unwrap();
    b.find(Locator::Id("password")).await.unwrap().send_keys("correct horse battery").await.unwrap();
    b.find(Locator::Css("form button[type=submit]")).await.unwrap().click().await.unwrap();

    // The dashboard's counts, which the sign-in page has not: the new page has arrived.
    browser.shown(Locator::Css(".counts")).await;
    let heading = b.find(Locator::Css("main h1")).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "What needs you today");
    assert_eq!(b.current_url().await.unwrap().path(), "/");
    let first = b.find(Locator::Css("#very-overdue tbody tr td")).await.unwrap();
    assert_eq!(first.text().await.unwrap(), "ABT-2021-0001");
    let count = b.find(Locator::Css(".counts li:first-child strong")).await.unwrap();
    assert_eq!(count.text().await.unwrap(), "209");
    browser.screenshot("dashboard").await;
    browser.assert_accessible("dashboard").await;

    // From the campaigns to one campaign's progress, then to one request's story.
    b.find(Locator::LinkText("Campaigns")).await.unwrap().click().await.unwrap();
    browser.shown(Locator::LinkText("Active bystander training")).await.click().await.unwrap();
    browser.shown(Locator::Css(".chart svg")).await;
    let bars = b.find_all(Locator::Css(".chart svg rect")).await.unwrap();
    assert!(bars.len() > 2, "the progress chart has its bars");
    browser.screenshot("campaign").await;
    browser.assert_accessible("campaign").await;
    b.find(Locator::LinkText("ABT-2021-0001")).await.unwrap().click().await.unwrap();
    let clock = browser.shown(Locator::Id("clock")).await;
    assert_eq!(clock.text().await.unwrap(), "How the deadline was worked out");
    browser.screenshot("request").await;
    browser.assert_accessible("request").await;

    // Bodies from a file, through the import page.
    let file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    std::fs::write(file.path(), "name,email,region\nEpsilon Council,foi@epsilon.gov.uk,London\n").unwrap();
    b.goto(&app.url("/bodies/import")).await.unwrap();
    browser.shown(Locator::Id("file")).await.send_keys(&file.path().display().to_string()).await.unwrap();
    browser.screenshot("import-bodies").await;
    browser.assert_accessible("import bodies").await;
    b.find(Locator::Css("form.panel button[type=submit]")).await.unwrap().click().await.unwrap();
    let result = browser.shown(Locator::Id("result")).await;
    assert_eq!(result.text().await.unwrap(), "Imported");
    let counts = b.find(Locator::Css("[role=status] p")).await.unwrap().text().await.unwrap();
    assert!(counts.starts_with("1 row(s): 1 new"), "{counts}");

    // A new campaign from its form, then every request of it logged as sent at once.
    b.goto(&app.url("/campaigns/new")).await.unwrap();
    browser.shown(Locator::Id("title")).await.send_keys("Staff networks").await.unwrap();
    browser.screenshot("new-campaign").await;
    browser.assert_accessible("new campaign").await;
    b.find(Locator::Css("form.panel button[type=submit]")).await.unwrap().click().await.unwrap();
    browser.shown(Locator::Css("#bulk")).await;
    let heading = b.find(Locator::Css("main h1")).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "Staff networks");
    b.find(Locator::Css("#bulk input[name=all]")).await.unwrap().click().await.unwrap();
    b.execute("window.stayed = true; return true;", vec![]).await.unwrap();
    b.find(Locator::Css("#bulk button[type=submit]")).await.unwrap().click().await.unwrap();
    let said = browser.shown(Locator::Css(".saved")).await;
    assert_eq!(said.text().await.unwrap(), "Logged 210 request(s) as sent; 0 left as they were.");
    let stayed = b.execute("return window.stayed === true;", vec![]).await.unwrap();
    assert_eq!(stayed, json!(true), "logged in the background, by the form's own action");

    b.goto(&app.url("/deadlines?regime=foia&received=2021-12-06")).await.unwrap();
    let due = browser.shown(Locator::Id("due")).await;
    assert_eq!(due.text().await.unwrap(), "Due on 7 Jan 2022");
    browser.screenshot("deadlines").await;
    browser.assert_accessible("deadline calculator").await;

    b.find(Locator::Css(".sign-out button")).await.unwrap().click().await.unwrap();
    browser.shown(Locator::Id("password")).await;
    assert_eq!(b.current_url().await.unwrap().path(), "/sign-in");
    browser.close().await;
    app.stop().await;
}

#[actix_rt::test]
async fn a_researcher_signs_in_and_sees_an_overdue_request_in_chromium() {
    a_researcher_signs_in_and_sees_an_overdue_request(&TestDb::sqlite()).await;
}
