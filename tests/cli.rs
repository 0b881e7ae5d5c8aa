//! The command line, run as a researcher would run it: the real binary on a fresh SQLite file.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ODS_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/nhs-trusts-etr.csv");

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_foitrack"));
        cmd.current_dir(self.dir.path())
            .env_remove("RUST_LOG")
            .env("FOITRACK__DATABASE__URL", format!("sqlite://{}", self.path("t.db").display()));
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    /// Runs and expects success; returns standard output.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects failure with `code`; returns standard error.
    fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stderr).unwrap()
    }

    /// Imports `csv` (headed), adds an admin and creates campaign 1 (prefix T-1) to every body.
    fn campaign_to(&self, csv: &str) {
        std::fs::write(self.path("bodies.csv"), csv).unwrap();
        self.ok(&["authorities", "import", "bodies.csv"]);
        self.ok(&["user", "add", "--email", "lead@uni.ac.uk", "--role", "admin"]);
        std::fs::write(self.path("body.txt"), "Dear {{authority.name}}\n").unwrap();
        let create = ["campaigns", "create", "--title", "T", "--prefix", "T-1", "--subject", "S"];
        self.ok(&[&create[..], &["--body-file", "body.txt", "--all"]].concat());
    }

    fn import_trusts(&self) -> String {
        self.ok(&[
            "authorities",
            "import",
            "--format",
            "ods-etr",
            "--as-of",
            "2021-12-01",
            "--region-required",
            ODS_FILE,
        ])
    }
}

#[test]
fn importing_the_nhs_trusts_twice_changes_nothing_the_second_time() {
    let cli = Cli::new();
    let first = cli.import_trusts();
    assert!(first.contains("209 inserted, 0 updated, 0 unchanged, 0 rejected"), "{first}");
    let second = cli.import_trusts();
    assert!(second.contains("0 inserted, 0 updated, 209 unchanged"), "{second}");
    assert!(second.contains("Nothing changed"), "{second}");
    let listed = cli.ok(&["authorities", "list", "--region", "London", "--json"]);
    let page: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert!(page["total"].as_i64().unwrap() > 0);
}

#[test]
fn broken_csv_rows_are_listed_and_good_rows_kept() {
    let cli = Cli::new();
    std::fs::write(
        cli.path("bodies.csv"),
        "name,email\nGood Trust,foi@good.nhs.uk\nBad Trust,nope\n,x@y.org\n",
    )
    .unwrap();
    let out = cli.ok(&["authorities", "import", "bodies.csv"]);
    assert!(out.contains("1 inserted"), "{out}");
    assert!(out.contains("line 3: \"nope\" is not an email address"), "{out}");
    assert!(out.contains("line 4: the name is empty"), "{out}");
    let missing = cli.fails(&["authorities", "import", "missing.csv"], 1);
    assert!(missing.contains("cannot read missing.csv"), "{missing}");
    std::fs::write(cli.path("headless.csv"), "title\nx\n").unwrap();
    let headless = cli.fails(&["authorities", "import", "headless.csv"], 65);
    assert!(headless.contains("no \"name\" column"), "{headless}");
    // The file: an unclosed quote on line 3 loses nothing after it.
    std::fs::write(
        cli.path("uq.csv"),
        "name,email\nA Trust,a@a.org\n\"Broken,b@b.org\nC Trust,c@c.org\nD Trust,d@d.org\n",
    )
    .unwrap();
    let out = cli.ok(&["authorities", "import", "uq.csv"]);
    assert!(out.contains("3 inserted") && out.contains("1 rejected"), "{out}");
    assert!(out.contains("line 3: a field runs over several lines"), "{out}");
    std::fs::write(cli.path("five.csv"), "a,b,c,d,e\r\nf,g,h,i,j\r\n").unwrap();
    let five = cli.fails(&["authorities", "import", "five.csv", "--format", "ods-etr"], 65);
    assert!(
        five.contains("this does not look like an ODS etr.csv: rows have 5 columns, 27 expected"),
        "{five}"
    );
}

#[test]
fn a_survey_from_the_command_line() {
    let cli = Cli::new();
    cli.import_trusts();
    std::fs::write(cli.path("body.txt"), "Dear {{authority.name}},\nPlease quote {{request.reference}}.\n")
        .unwrap();
    let needs_admin = cli.fails(
        &["campaigns", "create", "--title", "T", "--subject", "S", "--body-file", "body.txt", "--all"],
        66,
    );
    assert!(needs_admin.contains("foitrack user add"), "{needs_admin}");
    let added = cli.ok(&["user", "add", "--email", "lead@uni.ac.uk", "--name", "Lead", "--role", "admin"]);
    assert!(added.contains("API token (shown once"), "{added}");
    let created = cli.ok(&[
        "campaigns",
        "create",
        "--title",
        "Active bystander training",
        "--prefix",
        "ABT-2021",
        "--subject",
        "FOI request [{{request.reference}}]",
        "--body-file",
        "body.txt",
        "--all",
    ]);
    assert!(created.contains("209 request(s)"), "{created}");
    let logged = cli.ok(&["campaigns", "log-sent", "1", "--sent-at", "2021-12-06T10:00"]);
    assert!(logged.contains("Logged 209 request(s) as sent"), "{logged}");
    let acked = cli.ok(&[
        "requests",
        "event",
        "ABT-2021-0001",
        "acknowledged",
        "--on",
        "2021-12-07",
        "--body-reference",
        "FOI-4242",
    ]);
    assert!(acked.contains("Recorded acknowledged on 2021-12-07"), "{acked}");
    cli.ok(&[
        "requests",
        "event",
        "abt-2021-0002",
        "response_received",
        "--on",
        "2021-12-20",
        "--outcome",
        "not-held",
    ]);

    let overdue =
        cli.ok(&["requests", "list", "--overdue", "--campaign", "1", "--as-of", "2022-01-10", "--json"]);
    let page: serde_json::Value = serde_json::from_str(&overdue).unwrap();
    assert_eq!(page["total"], 208);
    let table = cli.ok(&["requests", "list", "--overdue", "--as-of", "2022-01-10", "--per-page", "2"]);
    assert!(table.starts_with("ID  REFERENCE"), "{table}");
    assert!(table.contains("2 of 208"), "{table}");
    let shown = cli.ok(&["requests", "show", "ABT-2021-0001", "--as-of", "2022-01-10"]);
    assert!(shown.contains("status overdue"), "{shown}");
    assert!(shown.contains("their reference FOI-4242"), "{shown}");
    let reversed = cli.ok(&["requests", "list", "--sort", "-due_on", "--per-page", "1", "--json"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&reversed).unwrap()["items"].as_array().unwrap().len(),
        1
    );
    let found = cli.ok(&["requests", "list", "--search", "4242", "--json"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&found).unwrap()["total"], 1);
    let progress = cli.ok(&["campaigns", "show", "1", "--as-of", "2022-01-10"]);
    assert!(progress.contains("overdue                  208"), "{progress}");
    assert!(progress.contains("not_held                 1"), "{progress}");

    let senseless =
        cli.fails(&["requests", "event", "ABT-2021-0003", "clarification_sent", "--on", "2021-12-09"], 1);
    assert!(senseless.contains("can only be recorded after the body asked for one"), "{senseless}");
    let bad_status = cli.fails(&["requests", "list", "--status", "lost"], 65);
    assert!(bad_status.contains("\"lost\" is not a known status"), "{bad_status}");
    let unknown = cli.fails(&["requests", "show", "XYZ-1"], 66);
    assert!(unknown.contains("No request has the reference XYZ-1"), "{unknown}");
    let bad_kind = cli.fails(&["requests", "event", "1", "telepathy"], 1);
    assert!(bad_kind.contains("not a known event kind"), "{bad_kind}");

    let token = cli.ok(&["token", "create", "--user", "LEAD@uni.ac.uk", "--json"]);
    let id = serde_json::from_str::<serde_json::Value>(&token).unwrap()["id"].as_i64().unwrap();
    assert!(cli.ok(&["token", "revoke", &id.to_string()]).contains("revoked"));
    cli.fails(&["token", "revoke", &id.to_string()], 1);
}

#[test]
fn bad_arguments_and_settings_are_explained() {
    let cli = Cli::new();
    let bad_date = cli.fails(&["requests", "list", "--as-of", "2021-13-01"], 2);
    assert!(bad_date.contains("invalid value '2021-13-01'"), "{bad_date}");
    let bad_url = cli.command().args(["--database", "mysql://x/y", "authorities", "list"]).output().unwrap();
    assert_eq!(bad_url.status.code(), Some(78));
    assert!(String::from_utf8_lossy(&bad_url.stderr).contains("is not a database URL foitrack understands"));
    std::fs::write(cli.path("typo.toml"), "[server]\nlisten_on = \"x\"\n").unwrap();
    let typo = cli.fails(&["--config", "typo.toml", "migrate"], 78);
    assert!(typo.contains("listen_on"), "{typo}");
    std::fs::write(cli.path("raw.toml"), "[inbound]\nraw_directory = \"typo.toml/raw\"\n").unwrap();
    let raw = cli.fails(&["--config", "raw.toml", "authorities", "list"], 78);
    assert!(raw.contains("inbound.raw_directory") && raw.contains("typo.toml/raw"), "{raw}");
    let migrated = cli.ok(&["migrate"]);
    let shipped =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite")).unwrap().count();
    assert!(migrated.contains(&format!("Applied {shipped} migration")), "{migrated}");
    assert!(cli.ok(&["migrate"]).contains("up to date"));
}

#[test]
fn serve_starts_explains_first_sign_in_and_answers() {
    let cli = Cli::new();
    let (mut child, address, seen) = start_serve(&cli);
    assert!(seen.contains("foitrack user add --email"), "{seen}");
    let health = get(&format!("{address}/healthz"));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains("\"database\":\"reachable\""), "{health}");
    assert!(Path::new(&cli.path("t.db")).exists());
}

/// Starts `serve` on a free port and reads its start-up lines until it says where it listens:
/// the process, its address and what it printed until then.
fn start_serve(cli: &Cli) -> (std::process::Child, String, String) {
    let mut child = cli
        .command()
        .args(["serve"])
        .env("FOITRACK__SERVER__LISTEN", "127.0.0.1:0")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = String::new();
    let address = loop {
        let line = lines.next().expect("serve printed its address").unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if let Some(rest) = line.strip_prefix("foitrack is running at ") {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    // Keep reading, so that the service's later log lines neither fill the pipe nor meet a
    // closed one.
    std::thread::spawn(move || lines.for_each(drop));
    (child, address, seen)
}

/// A minimal HTTP GET over a TCP socket, so this test needs no async runtime.
fn get(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').map(|(h, p)| (h, format!("/{p}"))).unwrap();
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn the_deadline_calculator_explains_itself() {
    let cli = Cli::new();
    let out = cli.ok(&["deadline", "--regime", "foia", "--received", "2021-12-06"]);
    assert!(out.contains("Due 2022-01-07: 20 working days after receipt."), "{out}");
    assert!(out.contains("Very overdue after 2022-02-04."), "{out}");
    assert!(out.contains("2022-01-04 2nd January (substitute day) — scotland"), "{out}");
    let json: serde_json::Value = serde_json::from_str(&cli.ok(&[
        "deadline",
        "--regime",
        "foisa",
        "--received",
        "2022-03-15",
        "--json",
    ]))
    .unwrap();
    for key in ["regime", "received_on", "due_on", "very_overdue_on", "skipped"] {
        assert!(json.get(key).is_some(), "{key} in {json}");
    }
    assert_eq!(json["due_on"], "2022-04-12");
    assert_eq!(
        json["skipped"][0],
        serde_json::json!({"date": "2022-03-19", "reason": "Saturday", "divisions": []})
    );
    let days = cli.ok(&["deadline", "--received", "2021-12-06", "--days", "10", "--json"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&days).unwrap()["due_on"], "2021-12-20");

    let unknown = cli.fails(&["deadline", "--regime", "gdpr", "--received", "2021-12-06"], 65);
    assert!(
        unknown.contains("\"gdpr\" is not a known regime; use one of: eir, eisr, foia, foisa"),
        "{unknown}"
    );
    let bad = cli.fails(&["deadline", "--received", "06/12/2021"], 2);
    assert!(bad.contains("invalid value '06/12/2021'"), "{bad}");
    cli.fails(&["deadline", "--regime", "foia"], 2);
    assert!(cli.ok(&["regimes"]).contains("foisa  20 working days"));
}

#[test]
fn custom_regimes_come_from_the_settings() {
    let cli = Cli::new();
    std::fs::write(
        cli.path("foitrack.toml"),
        "[regimes.schools]\nbased_on = \"foia\"\nvery_overdue_days = 60\ndescription = \"FOIA, schools\"\n",
    )
    .unwrap();
    let out = cli.ok(&["deadline", "--regime", "schools", "--received", "2021-12-06", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["due_on"], "2022-01-07");
    assert_eq!(json["very_overdue_on"], "2022-03-04");
    std::fs::write(cli.path("foitrack.toml"), "[regimes.schools]\nbased_on = \"foia\"\nresponse_days = 0\n")
        .unwrap();
    cli.fails(&["regimes"], 78);
}

#[test]
fn importing_bank_holidays_moves_open_deadlines() {
    let cli = Cli::new();
    cli.import_trusts();
    cli.ok(&["user", "add", "--email", "lead@uni.ac.uk", "--role", "admin"]);
    std::fs::write(cli.path("body.txt"), "Dear {{authority.name}}\n").unwrap();
    cli.ok(&[
        "campaigns",
        "create",
        "--title",
        "T",
        "--prefix",
        "T-1",
        "--subject",
        "S",
        "--body-file",
        "body.txt",
        "--all",
    ]);
    cli.ok(&["campaigns", "log-sent", "1", "--sent-at", "2021-12-06"]);
    let mut feed: serde_json::Value =
        serde_json::from_str(include_str!("../config/uk-bank-holidays.json")).unwrap();
    feed["scotland"]["events"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"title": "Extra day", "date": "2022-01-05", "notes": ""}));
    std::fs::write(cli.path("holidays.json"), feed.to_string()).unwrap();

    let dry = cli.ok(&["holidays", "import", "holidays.json", "--dry-run"]);
    assert!(dry.contains("Would add 1 bank holiday(s) and would remove 0"), "{dry}");
    assert!(dry.contains("+ 2022-01-05 Extra day — scotland"), "{dry}");
    let done = cli.ok(&["holidays", "import", "holidays.json"]);
    assert!(done.contains("Deadlines moved on 209 open request(s)"), "{done}");
    let clock = cli.ok(&["requests", "deadline", "T-1-0001"]);
    assert!(clock.contains("due 2022-01-10"), "{clock}");
    assert!(clock.contains("deadline_recalculated"), "{clock}");
    assert!(clock.contains("2022-01-05 Extra day — scotland"), "{clock}");
    std::fs::write(cli.path("broken.json"), "{}").unwrap();
    let broken = cli.fails(&["holidays", "import", "broken.json"], 65);
    assert!(broken.contains("has no \"england-and-wales\" division"), "{broken}");
}

/// A feed server for `holidays update`: answers every connection on a port of its own from
/// `routes` (path, status line, body), 404 for any other path. It lives as long as the test.
fn serve_files(routes: Vec<(&'static str, &'static str, String)>) -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 4096];
            let n = stream.read(&mut buf).unwrap_or(0);
            let request = String::from_utf8_lossy(&buf[..n]);
            let path = request.split_whitespace().nth(1).unwrap_or("/").to_string();
            let (status, body) = routes
                .iter()
                .find(|(p, _, _)| *p == path)
                .map(|(_, s, b)| (*s, b.clone()))
                .unwrap_or(("404 Not Found", "not here".into()));
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    base
}

/// The bundled feed with its years after `last` left out.
fn feed_until(last: i32) -> serde_json::Value {
    let mut feed: serde_json::Value =
        serde_json::from_str(include_str!("../config/uk-bank-holidays.json")).unwrap();
    for division in ["england-and-wales", "scotland", "northern-ireland"] {
        feed[division]["events"]
            .as_array_mut()
            .unwrap()
            .retain(|e| e["date"].as_str().unwrap()[..4].parse::<i32>().unwrap() <= last);
    }
    feed
}

#[test]
fn holidays_update_downloads_the_feed_and_applies_it() {
    let cli = Cli::new();
    cli.campaign_to("code,name,email\nA1,Body A,foi@a.example\n");
    cli.ok(&["campaigns", "log-sent", "1", "--sent-at", "2021-12-06"]);
    let mut feed: serde_json::Value =
        serde_json::from_str(include_str!("../config/uk-bank-holidays.json")).unwrap();
    feed["scotland"]["events"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"title": "Extra day", "date": "2022-01-05", "notes": ""}));
    let base = serve_files(vec![
        ("/bank-holidays.json", "200 OK", feed.to_string()),
        ("/page.html", "200 OK", "<html><body>Bank holidays</body></html>".into()),
        ("/broken", "500 Internal Server Error", "oops".into()),
    ]);
    let url = format!("{base}/bank-holidays.json");

    let dry = cli.ok(&["holidays", "update", "--url", &url, "--dry-run"]);
    assert!(dry.contains("Would add 1 bank holiday(s) and would remove 0"), "{dry}");
    assert!(cli.ok(&["requests", "deadline", "T-1-0001"]).contains("due 2022-01-07"));
    // The configured URL is the default.
    let done = cli
        .command()
        .args(["holidays", "update"])
        .env("FOITRACK__HOLIDAYS__FEED_URL", &url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&done.stdout);
    assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
    assert!(stdout.contains("Deadlines moved on 1 open request(s): T-1-0001"), "{stdout}");
    assert!(cli.ok(&["requests", "deadline", "T-1-0001"]).contains("due 2022-01-10"));
    assert!(cli.ok(&["holidays", "update", "--url", &url]).contains("Added 0 bank holiday(s)"));

    let missing = cli.fails(&["holidays", "update", "--url", &format!("{base}/gone.json")], 69);
    assert!(
        missing.contains(&format!("Could not download {base}/gone.json: the server answered HTTP 404")),
        "{missing}"
    );
    let failing = cli.fails(&["holidays", "update", "--url", &format!("{base}/broken")], 69);
    assert!(failing.contains("HTTP 500"), "{failing}");
    let html = cli.fails(&["holidays", "update", "--url", &format!("{base}/page.html")], 65);
    assert!(html.contains("not the gov.uk bank-holidays JSON format"), "{html}");
    assert!(html.contains("page.html"), "{html}");
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/x.json", listener.local_addr().unwrap())
    };
    let refused = cli.fails(&["holidays", "update", "--url", &closed], 69);
    assert!(refused.contains(&format!("Could not download {closed}")), "{refused}");
    let nonsense = cli.fails(&["holidays", "update", "--url", "not a url"], 65);
    assert!(nonsense.contains("not a URL"), "{nonsense}");
}

#[test]
fn serve_warns_when_the_holiday_data_runs_out() {
    let cli = Cli::new();
    cli.ok(&["user", "add", "--email", "lead@uni.ac.uk", "--role", "admin"]);
    std::fs::write(cli.path("old.json"), feed_until(2020).to_string()).unwrap();
    cli.ok(&["holidays", "import", "old.json"]);
    let (mut child, address, seen) = start_serve(&cli);
    let health = get(&format!("{address}/healthz"));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(seen.contains("Warning: The bank holiday data in force ends with 2020."), "{seen}");
    assert!(seen.contains("foitrack holidays update"), "{seen}");
    assert!(health.contains("\"warnings\":[\"The bank holiday data in force ends with 2020."), "{health}");
}

#[path = "api/smtp.rs"]
#[allow(dead_code)]
mod smtp;

#[test]
fn a_delivery_killed_mid_batch_resumes_without_duplicates() {
    let cli = Cli::new();
    let mut csv = String::from("name,email\n");
    for i in 0..10 {
        csv.push_str(&format!("Trust {i},foi{i}@trust{i}.nhs.uk\n"));
    }
    cli.campaign_to(&csv);
    let queued = cli.ok(&["campaigns", "send", "1", "--rate", "600000/min"]);
    assert!(queued.contains("Queued 10 message(s)"), "{queued}");

    // The server holds the fourth message at DATA; the sender is killed while it waits.
    let (url, inbox) = smtp::start(smtp::Inbox { hold_at: Some(3), ..Default::default() });
    let deliver = || {
        let mut cmd = cli.command();
        cmd.args(["outbox", "deliver"])
            .env("FOITRACK__MAIL__URL", &url)
            .env("FOITRACK__MAIL__LEASE_SECONDS", "1");
        cmd
    };
    let mut child = deliver().stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    for _ in 0..500 {
        if inbox.lock().unwrap().holding {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(inbox.lock().unwrap().holding, "the sender reached the fourth message");
    child.kill().unwrap();
    child.wait().unwrap();
    inbox.lock().unwrap().hold_at = None;
    assert_eq!(inbox.lock().unwrap().messages.len(), 3);

    // After the dead worker's lease runs out, a new run sends the rest, and nothing twice.
    std::thread::sleep(std::time::Duration::from_millis(1200));
    let out = deliver().output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let messages = inbox.lock().unwrap().messages.clone();
    let mut to: Vec<&str> = messages.iter().map(|m| smtp::header(m, "To").unwrap()).collect();
    to.sort();
    to.dedup();
    assert_eq!((messages.len(), to.len()), (10, 10), "each body exactly once");
    let listed: serde_json::Value =
        serde_json::from_str(&cli.ok(&["outbox", "list", "--state", "sent", "--json"])).unwrap();
    assert_eq!(listed["total"], 10);
    let shown = cli.ok(&["requests", "list", "--status", "awaiting_response", "--json"]);
    assert_eq!(serde_json::from_str::<serde_json::Value>(&shown).unwrap()["total"], 10);
}

#[test]
fn an_address_refused_for_good_shows_on_the_request() {
    let cli = Cli::new();
    cli.campaign_to("name,email\nA Trust,foi@a.nhs.uk\nB Trust,nobody@b.nhs.uk\n");
    cli.ok(&["campaigns", "send", "1", "--rate", "600000/min"]);
    let (url, inbox) =
        smtp::start(smtp::Inbox { reject: vec!["nobody@b.nhs.uk".into()], ..Default::default() });
    let out = cli.command().args(["outbox", "deliver"]).env("FOITRACK__MAIL__URL", &url).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("1 failed for good"), "{text}");
    assert_eq!(inbox.lock().unwrap().rejected.len(), 1, "tried once");
    let shown = cli.ok(&["requests", "show", "T-1-0002"]);
    assert!(shown.contains("B Trust"), "{shown}");
    assert!(shown.contains("the body's email address is failing: refused for good on"), "{shown}");
    assert!(shown.contains("550") && shown.contains("No such user here"), "{shown}");
    assert!(!cli.ok(&["requests", "show", "T-1-0001"]).contains("failing"));
}

#[test]
fn a_broken_template_stops_the_service_at_start() {
    let cli = Cli::new();
    std::fs::create_dir_all(cli.path("config/templates")).unwrap();
    std::fs::write(cli.path("config/templates/review.body.txt"), "Dear {{ authority.nmae }}").unwrap();
    let err = cli.fails(&["serve"], 1);
    assert!(err.contains("review.body.txt cannot be filled in"), "{err}");
}

#[test]
fn serve_delivers_in_the_background_while_send_waits() {
    let cli = Cli::new();
    cli.campaign_to("name,email\nA Trust,foi@a.nhs.uk\nB Trust,foi@b.nhs.uk\nC Trust,foi@c.nhs.uk\n");
    let (url, inbox) = smtp::start(smtp::Inbox::default());
    let mut serve = cli
        .command()
        .args(["serve"])
        .env("FOITRACK__SERVER__LISTEN", "127.0.0.1:0")
        .env("FOITRACK__MAIL__URL", &url)
        .env("FOITRACK__REMINDERS__ENABLED", "false")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(serve.stderr.take().unwrap()).lines();
    let mut seen = String::new();
    while !seen.contains("foitrack is running at") {
        seen.push_str(&lines.next().expect("serve starts").unwrap());
        seen.push('\n');
    }
    assert!(seen.contains(&format!("Outgoing mail goes to {url}")), "{seen}");
    let out = cli.ok(&["campaigns", "send", "1", "--rate", "600000", "--wait"]);
    serve.kill().unwrap();
    serve.wait().unwrap();
    assert!(out.contains("Queued 3 message(s)"), "{out}");
    assert!(out.contains("All sent."), "{out}");
    assert_eq!(inbox.lock().unwrap().messages.len(), 3);
}

#[test]
fn outbox_deliver_reports_cancelled_messages_and_logs_refusals() {
    let cli = Cli::new();
    cli.campaign_to("name,email\nA Trust,foi@a.nhs.uk\nB Trust,foi@b.nhs.uk\n");
    cli.ok(&["campaigns", "send", "1", "--rate", "600000"]);
    cli.ok(&["requests", "event", "T-1-0001", "withdrawn"]);
    // Nothing listens on port 1: the one message still wanted is refused and waits for a retry.
    let out = cli
        .command()
        .args(["outbox", "deliver", "--json"])
        .env("FOITRACK__MAIL__URL", "smtp://127.0.0.1:1")
        .env("FOITRACK__MAIL__TIMEOUT_SECONDS", "5")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report, serde_json::json!({"sent": 0, "retrying": 1, "failed": 0, "cancelled": 1}));
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("WARN") && log.contains("delivery failed"), "the warning is shown: {log}");
}

/// Text stored before control characters were refused (or by another tool), as a hostile
/// tester would leave it: written straight into the database.
fn store_hostile_text(cli: &Cli, name: &str, subject: &str) {
    use diesel::prelude::*;
    use diesel::sql_types::Text;
    let mut conn = diesel::SqliteConnection::establish(cli.path("t.db").to_str().unwrap()).unwrap();
    diesel::sql_query("UPDATE authorities SET name = ?").bind::<Text, _>(name).execute(&mut conn).unwrap();
    diesel::sql_query("UPDATE requests SET subject = ?, body = ?")
        .bind::<Text, _>(subject)
        .bind::<Text, _>(format!("Dear {name}\n"))
        .execute(&mut conn)
        .unwrap();
}

/// Nothing a terminal would act on: no C0 control but the line break, no DEL, no C1 control.
fn assert_terminal_safe(out: &str) {
    let bad: Vec<char> = out.chars().filter(|c| c.is_control() && *c != '\n').collect();
    assert!(bad.is_empty(), "raw controls {bad:?} in:\n{out}");
}

#[test]
fn stored_text_cannot_drive_the_terminal() {
    let cli = Cli::new();
    cli.campaign_to("name,email\nA Trust,foi@a.nhs.uk\n");
    let hostile = "Esc \u{1b}[31mRED\u{1b}[0m \u{1b}]0;pwned\u{7} Trust\u{9b}";
    store_hostile_text(&cli, hostile, "FOI\r\nBcc: x@evil.example\u{1b}[2J");
    let escaped = "Esc \\u{1b}[31mRED\\u{1b}[0m \\u{1b}]0;pwned\\u{7} Trust\\u{9b}";
    let listed = cli.ok(&["authorities", "list"]);
    assert_terminal_safe(&listed);
    assert!(listed.contains(escaped), "{listed}");
    let json = cli.ok(&["authorities", "list", "--json"]);
    assert_terminal_safe(&json.replace('\n', ""));
    let page: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(page["items"][0]["name"], hostile, "--json is still the same JSON");
    let shown = cli.ok(&["requests", "show", "T-1-0001"]);
    assert_terminal_safe(&shown);
    assert!(shown.contains("subject: FOI\\u{d}\\u{a}Bcc: x@evil.example\\u{1b}[2J"), "{shown}");
    let preview = cli.ok(&["campaigns", "send", "1", "--dry-run"]);
    assert_terminal_safe(&preview);
    // The preview shows the real message's headers, one a line, and no others.
    let headers: Vec<&str> = preview.lines().take_while(|l| !l.is_empty()).collect();
    let names: Vec<&str> = headers.iter().map(|h| h.split_once(": ").unwrap().0).collect();
    for wanted in ["From", "To", "Reply-To", "Subject", "Message-ID", "Date", "Content-Type"] {
        assert!(names.contains(&wanted), "{wanted} missing from {headers:?}");
    }
    assert!(!names.contains(&"Bcc"), "{headers:?}");
    assert!(preview.contains("Dear Esc \\u{1b}[31mRED"), "the body is escaped too: {preview}");
    cli.ok(&["campaigns", "send", "1", "--rate", "600000/min"]);
    let outbox = cli.ok(&["outbox", "list"]);
    assert_terminal_safe(&outbox);
    assert!(outbox.contains("FOI\\u{d}\\u{a}Bcc"), "{outbox}");
}

#[test]
fn a_chaser_delay_out_of_range_is_refused() {
    let cli = Cli::new();
    cli.campaign_to("name,email\nA Trust,foi@a.nhs.uk\n");
    for bad in ["0", "201"] {
        let err = cli.fails(&["campaigns", "chasers", "1", "--on", "--after", bad], 65);
        assert!(
            err.contains(&format!(
                "after_working_days: must be between 1 and 200 working days; {bad} is not"
            )),
            "{err}"
        );
    }
    let ok = cli.ok(&["campaigns", "chasers", "1", "--on", "--after", "200"]);
    assert!(ok.contains("200 working days"), "{ok}");
}

#[test]
fn workspaces_keep_teams_apart_at_the_command_line() {
    let cli = Cli::new();
    cli.campaign_to("Name,Email\nTrust A,foi@a.example\nTrust B,foi@b.example\n");
    // One workspace: nothing changes for a single team.
    assert!(cli.ok(&["campaigns", "list"]).contains("T-1"));
    let created = cli.ok(&["workspace", "create", "team-b", "--name", "Team B", "--owner", "lead@uni.ac.uk"]);
    assert!(created.contains("Created the workspace team-b"), "{created}");
    // Two: commands that need one ask which, and list them.
    let asks = cli.fails(&["campaigns", "list"], 65);
    assert!(asks.contains("several workspaces") && asks.contains("default, team-b"), "{asks}");
    assert!(cli.ok(&["--workspace", "default", "campaigns", "list"]).contains("T-1"));
    assert!(!cli.ok(&["--workspace", "team-b", "campaigns", "list"]).contains("T-1"));
    let unknown = cli.fails(&["--workspace", "team-z", "requests", "list"], 66);
    assert!(unknown.contains("team-z"), "{unknown}");
    // A member of team-b only: A's request is not found, as if it did not exist.
    cli.ok(&["--workspace", "team-b", "user", "add", "--email", "b@uni.ac.uk", "--role", "coder"]);
    let hidden = cli.fails(&["--as", "b@uni.ac.uk", "requests", "show", "T-1-0001"], 66);
    assert!(hidden.contains("No request has the reference T-1-0001"), "{hidden}");
    let by_id = cli.fails(&["--as", "b@uni.ac.uk", "requests", "show", "1"], 66);
    assert!(by_id.contains("No request has the id 1"), "{by_id}");
    let members = cli.ok(&["workspace", "members", "team-b"]);
    assert!(members.contains("lead@uni.ac.uk") && members.contains("owner"), "{members}");
    assert!(members.contains("b@uni.ac.uk") && members.contains("coder"), "{members}");
    // The coder may not manage members; the last owner may not leave.
    let refused = cli.fails(
        &[
            "--as",
            "b@uni.ac.uk",
            "workspace",
            "add-member",
            "default",
            "--email",
            "b@uni.ac.uk",
            "--role",
            "owner",
        ],
        66,
    );
    assert!(refused.contains("No workspace of yours has the slug default"), "{refused}");
    let last = cli.fails(&["workspace", "remove-member", "team-b", "--email", "lead@uni.ac.uk"], 1);
    assert!(last.contains("last owner"), "{last}");
    cli.ok(&["workspace", "set-role", "team-b", "--email", "b@uni.ac.uk", "--role", "owner"]);
    cli.ok(&["workspace", "remove-member", "team-b", "--email", "lead@uni.ac.uk"]);
    let listed = cli.ok(&["workspace", "list", "--json"]);
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let team_b = listed.as_array().unwrap().iter().find(|w| w["slug"] == "team-b").unwrap();
    assert!(team_b["role"].is_null(), "the site administrator sees it, as a non-member: {team_b}");
    // Now the lead has one workspace again, and needs no flag.
    assert!(cli.ok(&["campaigns", "list"]).contains("T-1"));
}

#[test]
fn ingest_reads_mbox_and_maildir_and_a_second_run_changes_nothing() {
    let cli = Cli::new();
    let bodies = "Name,Email\nAlpha Trust,foi@alpha-trust.nhs.uk\nBeta Trust,foi@beta-trust.nhs.uk\n";
    std::fs::write(cli.path("bodies.csv"), bodies).unwrap();
    cli.ok(&["authorities", "import", "bodies.csv"]);
    cli.ok(&["user", "add", "--email", "lead@uni.ac.uk", "--role", "admin"]);
    std::fs::write(cli.path("body.txt"), "Dear {{authority.name}}\n").unwrap();
    let create = ["campaigns", "create", "--title", "T", "--prefix", "ABT-2021", "--subject", "S"];
    cli.ok(&[&create[..], &["--body-file", "body.txt", "--all"]].concat());
    let mail = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mail");
    let (mbox, maildir) = (format!("{mail}/mbox/replies.mbox"), format!("{mail}/maildir"));
    let out: Value = serde_json::from_str(&cli.ok(&["ingest", &mbox, &maildir, "--json"])).unwrap();
    // The placeholders are left as they are: only references and headers can match here.
    assert_eq!(
        out["summary"],
        json!({"messages": 7, "matched": 3, "holding_pen": 1, "duplicates": 0, "auto_replies": 2, "bounces": 1, "rejected": 0})
    );
    let got: Vec<(String, String, Value, String)> = out["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let source = m["source"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
            (
                source,
                m["outcome"].as_str().unwrap().into(),
                m["requests"].clone(),
                m["matched_by"].as_str().unwrap().into(),
            )
        })
        .collect();
    let row = |s: &str, o: &str, r: Value, m: &str| (s.to_string(), o.to_string(), r, m.to_string());
    assert_eq!(
        got,
        vec![
            row("replies.mbox#1", "response", json!(["ABT-2021-0001"]), "subject_reference"),
            row("replies.mbox#2", "response", json!(["ABT-2021-0002"]), "subject_reference"),
            row("replies.mbox#3", "response", json!([]), "none"),
            row("replies.mbox#4", "auto_reply", json!(["ABT-2021-0001"]), "subject_reference"),
            row("replies.mbox#5", "bounce", json!([]), "none"),
            row("1700000000.M1P1.host:2,S", "response", json!(["ABT-2021-0002"]), "subject_reference"),
            row("1700000001.M2P2.host", "auto_reply", json!([]), "none"),
        ]
    );
    assert_eq!(out["messages"][0]["message_id"].as_str().map(|m| m.starts_with('<')), Some(true));
    // Again: every message is a duplicate, and says where it went the first time.
    let again: Value = serde_json::from_str(&cli.ok(&["ingest", &mbox, &maildir, "--json"])).unwrap();
    assert_eq!(again["summary"]["duplicates"], 7);
    assert_eq!(again["messages"][0]["requests"], json!(["ABT-2021-0001"]));
    // Bytes that are not mail are stored as rejected, which is still a success; the table
    // speaks to a person.
    let table = cli.ok(&["ingest", &format!("{mail}/not_a_message.bin")]);
    assert!(table.contains("rejected") && table.contains("do not begin with a mail header"), "{table}");
    assert!(table.contains("1 message(s)") && table.contains("1 rejected"), "{table}");
    // The same message twice in one file, so in one batch: stored once.
    let one = "From a@b Mon Jan  3 10:00:00 2022\nFrom: foi@alpha-trust.nhs.uk\nSubject: twice\nMessage-ID: <twice@alpha>\n\nHello\n\n";
    std::fs::write(cli.path("twice.mbox"), one.repeat(2)).unwrap();
    let twice: Value = serde_json::from_str(&cli.ok(&["ingest", "twice.mbox", "--json"])).unwrap();
    assert_eq!(
        (twice["summary"]["messages"].as_u64(), twice["summary"]["duplicates"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(twice["messages"][1]["outcome"], "duplicate");
    let missing = cli.fails(&["ingest", "no-such.mbox"], 66);
    assert!(missing.contains("no-such.mbox"), "{missing}");

    // What was taken in can be searched, as the API searches it.
    let found: Value = serde_json::from_str(&cli.ok(&["search", "\"not held\"", "--json"])).unwrap();
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["items"][0]["requests"][0]["reference"], "ABT-2021-0001");
    let shown = cli.ok(&["search", "not", "held", "--request", "ABT-2021-0001"]);
    assert!(shown.contains("1. ABT-2021-0001") && shown.contains("[not] [held]"), "{shown}");
    assert!(shown.contains("1 of 1 hit(s)."), "{shown}");
    assert!(cli.ok(&["search", "zebracorn"]).contains("Nothing matches."));
    let refused = cli.fails(&["search", "--", "-spam"], 65);
    assert!(refused.contains("only words to leave out"), "{refused}");
    let unknown = cli.fails(&["search", "held", "--request", "ABT-2021-0999"], 66);
    assert!(unknown.contains("ABT-2021-0999"), "{unknown}");

    // The request shows its replies, with what each seems to say and the words that say it.
    let shown = cli.ok(&["requests", "show", "ABT-2021-0001"]);
    let incoming = shown.split_once("incoming:\n").map(|(_, rest)| rest).unwrap_or_else(|| panic!("{shown}"));
    assert!(incoming.contains("response by subject_reference from foi@alpha-trust.nhs.uk"), "{shown}");
    assert!(incoming.contains("RE: Freedom of Information request ABT-2021-0001"), "{shown}");
    assert!(
        incoming.contains("looks like not_held: \"is not held\" in the message: I can confirm that the information you asked for is not held by the Trust."),
        "{shown}"
    );
    // And the researcher says what it is, which records the response on the timeline.
    let bad = cli.fails(&["requests", "classify", "ABT-2021-0001", "1", "maybe"], 1);
    assert!(bad.contains("not_a_response"), "{bad}");
    cli.ok(&["requests", "log-sent", "ABT-2021-0001", "--sent-at", "2021-12-06"]);
    let done = cli.ok(&["requests", "classify", "ABT-2021-0001", "1", "not_held"]);
    assert!(
        done.starts_with("Message 1 is not_held: recorded response_received on 2022-01-04 (event "),
        "{done}"
    );
    assert!(done.contains("ABT-2021-0001 is now not_held."), "{done}");
    let twice = cli.fails(&["requests", "classify", "ABT-2021-0001", "1", "full"], 1);
    assert!(twice.contains("classified already, as not_held"), "{twice}");
}

#[test]
fn agreement_reads_a_long_csv_without_a_database() {
    let cli = Cli::new();
    let mut file = String::from("unit,coder,value\n");
    // Cohen's 50 proposals: 20 both yes, 5 and 10 split, 15 both no. κ = 0.4.
    for (times, a, b) in [(20, "yes", "yes"), (5, "yes", "no"), (10, "no", "yes"), (15, "no", "no")] {
        for i in 0..times {
            let unit = format!("{a}{b}{i}");
            file.push_str(&format!("{unit},first,{a}\n{unit},second,{b}\n"));
        }
    }
    std::fs::write(cli.path("codings.csv"), &file).unwrap();
    let text = cli.ok(&["agreement", "codings.csv"]);
    assert!(text.contains("50 unit(s), 50 coded by two coders or more; 2 coder(s)"), "{text}");
    assert!(text.contains("Percentage agreement  70.0%"), "{text}");
    assert!(text.contains("Cohen's kappa         0.400"), "{text}");
    let out: Value = serde_json::from_str(&cli.ok(&["agreement", "codings.csv", "--json"])).unwrap();
    assert!((out["cohen_kappa"].as_f64().unwrap() - 0.4).abs() < 1e-9, "{out}");
    assert_eq!(out["reasons"], json!({}));
    assert!(!cli.path("t.db").exists(), "the calculator opened a database");

    std::fs::write(cli.path("bad.csv"), "unit,coder,value\n1,A,x\n1,A,y\n2,,z\n").unwrap();
    let err = cli.fails(&["agreement", "bad.csv"], 65);
    assert!(err.contains("bad.csv, line 3: A already coded 1 on line 2"), "{err}");
    assert!(err.contains("bad.csv, line 4:"), "{err}");
    let err = cli.fails(&["agreement", "missing.csv"], 1);
    assert!(err.contains("cannot read missing.csv"), "{err}");
}

#[test]
fn codebook_files_are_checked_and_shown_without_a_database() {
    let cli = Cli::new();
    let shipped = cli.ok(&["codebook", "show"]);
    assert!(shipped.starts_with("abt: Active bystander training in NHS trusts"), "{shipped}");
    assert!(shipped.contains("provider (single, when offers_abt is yes)"), "{shipped}");
    let as_json: Value = serde_json::from_str(&cli.ok(&["codebook", "show", "--json"])).unwrap();
    assert_eq!(as_json["questions"][0]["key"], "offers_abt");
    assert_eq!(as_json["questions"][3]["applies_when"], json!({"question": "offers_abt", "is": ["yes"]}));

    let good = "key = \"mine\"\ntitle = \"Mine\"\n[[questions]]\nkey = \"q\"\nlabel = \"Q?\"\ntype = \"yes_no_unclear\"\n";
    std::fs::write(cli.path("mine.toml"), good).unwrap();
    let checked = cli.ok(&["codebook", "check", "mine.toml"]);
    assert!(
        checked.contains("mine.toml is a usable codebook: \"mine\", 1 question(s), 3 code(s)."),
        "{checked}"
    );

    let bad = "key = \"mine\"\ntitle = \"Mine\"\n[[questions]]\nkey = \"q\"\nlabel = \"Q?\"\ntype = \"single\"\n\
               applies_when = { question = \"q\", is = [\"yes\"] }\ncodes = [{ key = \"a\", label = \"A\" }]\n";
    std::fs::write(cli.path("bad.toml"), bad).unwrap();
    let err = cli.fails(&["codebook", "check", "bad.toml"], 65);
    assert!(err.contains("bad.toml, questions.q: a choice question needs at least two codes"), "{err}");
    assert!(
        err.contains("bad.toml, questions.q.applies_when: \"q\" is not a question listed before this one"),
        "{err}"
    );
    std::fs::write(cli.path("broken.toml"), "key = \n").unwrap();
    let err = cli.fails(&["codebook", "check", "broken.toml"], 65);
    assert!(err.contains("broken.toml, line 1: cannot be read as a codebook"), "{err}");
    assert!(!cli.path("t.db").exists(), "a codebook command opened a database");
}

#[test]
fn codebook_rules_suggest_codes_for_a_text() {
    let cli = Cli::new();
    std::fs::write(
        cli.path("reply.txt"),
        "The Trust does not provide active bystander training, and has no plans to introduce it.",
    )
    .unwrap();
    let table = cli.ok(&["codebook", "suggest", "reply.txt"]);
    assert!(table.contains("offers_abt  no"), "{table}");
    assert!(table.contains("plans       no"), "{table}");
    assert!(table.contains("Suggestions only: nothing is coded."), "{table}");
    let out: Value = serde_json::from_str(&cli.ok(&["codebook", "suggest", "reply.txt", "--json"])).unwrap();
    assert_eq!(out[0]["question"], "offers_abt");
    assert_eq!(out[0]["quote"], "does not provide active bystander");
    assert_eq!((out[0]["start"].as_u64(), out[0]["end"].as_u64()), (Some(10), Some(43)));
    let err = cli.fails(&["codebook", "suggest", "missing.txt"], 1);
    assert!(err.contains("cannot read missing.txt"), "{err}");
}

#[test]
fn codebooks_are_stored_in_the_workspace_with_versions() {
    let cli = Cli::new();
    cli.ok(&["user", "add", "--email", "lead@uni.ac.uk", "--role", "admin"]);
    let book = "key = \"mine\"\ntitle = \"Mine\"\n[[questions]]\nkey = \"q\"\nlabel = \"Q?\"\ntype = \"yes_no_unclear\"\n";
    std::fs::write(cli.path("mine.toml"), book).unwrap();
    let stored = cli.ok(&["codebook", "import", "mine.toml"]);
    assert!(stored.starts_with("Stored mine as version 1 in default (id 1)."), "{stored}");
    let same = cli.ok(&["codebook", "import", "mine.toml"]);
    assert!(same.starts_with("Nothing changed: mine.toml is the same as its version 1 in default"), "{same}");
    std::fs::write(cli.path("mine.toml"), book.replace("Q?", "Q, again?")).unwrap();
    let v2: Value = serde_json::from_str(&cli.ok(&["codebook", "import", "mine.toml", "--json"])).unwrap();
    assert_eq!(v2["stored"], true);
    assert_eq!(
        (v2["version"].as_i64(), v2["codebook"]["questions"][0]["label"].as_str()),
        (Some(2), Some("Q, again?"))
    );
    let list = cli.ok(&["codebook", "list"]);
    let rows: Vec<&str> = list.lines().skip(1).collect();
    assert!(
        rows[0].starts_with("2   default    mine  2") && rows[1].starts_with("1   default    mine  1"),
        "{list}"
    );
    std::fs::write(cli.path("bad.toml"), "key = \"x\"\ntitle = \"X\"\nquestions = []\n").unwrap();
    let err = cli.fails(&["codebook", "import", "bad.toml"], 65);
    assert!(err.contains("bad.toml, questions: a codebook needs at least one question"), "{err}");
}

#[test]
fn a_password_for_the_web_pages_is_piped_in_and_checked() {
    use std::io::Write;
    let cli = Cli::new();
    cli.ok(&["user", "add", "--email", "lead@uni.ac.uk", "--role", "admin"]);
    let piped = |email: &str, password: &str| {
        let mut child = cli
            .command()
            .args(["user", "password", "--email", email])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(format!("{password}\n").as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let set = piped("lead@uni.ac.uk", "correct horse battery");
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    assert_eq!(
        String::from_utf8_lossy(&set.stdout),
        "Set the password of lead@uni.ac.uk; they can sign in to the web pages now.\n"
    );
    let short = piped("lead@uni.ac.uk", "hunter2");
    assert_eq!(short.status.code(), Some(65));
    assert!(String::from_utf8_lossy(&short.stderr).contains("password must be 10 to 1000 characters long"));
    let nobody = piped("nobody@uni.ac.uk", "correct horse battery");
    assert_eq!(nobody.status.code(), Some(66), "{}", String::from_utf8_lossy(&nobody.stderr));
}

#[test]
fn codebooks_go_out_to_and_come_back_from_other_qualitative_tools() {
    let cli = Cli::new();
    cli.ok(&["user", "add", "--email", "lead@uni.ac.uk", "--role", "admin"]);
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/config/codebooks/abt.toml");
    cli.ok(&["codebook", "import", shipped]);
    let qdc = cli.ok(&["codebook", "export", "1"]);
    assert!(qdc.starts_with(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<CodeBook xmlns=\"urn:QDA-XML:codebook:1.0\""
    ));
    let json: Value =
        serde_json::from_str(&cli.ok(&["codebook", "export", "1", "--format", "json"])).unwrap();
    assert_eq!(json["codebook"]["key"], "abt");

    // Relabelled in NVivo and saved under another name: --key says which codebook it is.
    std::fs::write(cli.path("from nvivo.qdc"), qdc.replace("name=\"Not stated\"", "name=\"Not said\""))
        .unwrap();
    let checked = cli.ok(&["codebook", "check", "from nvivo.qdc"]);
    assert!(checked.contains("is a usable codebook: \"from_nvivo\""), "{checked}");
    let stored = cli.ok(&["codebook", "import", "from nvivo.qdc", "--key", "abt"]);
    assert!(stored.contains("Stored abt as version 2 in default (id 2)."), "{stored}");
    let v2: Value = serde_json::from_str(&cli.ok(&["codebook", "export", "2", "--format", "json"])).unwrap();
    assert_eq!(v2["codebook"]["questions"][3]["codes"][3]["label"], "Not said");
    assert_eq!(v2["codebook"]["questions"][3]["applies_when"]["question"], "offers_abt");

    let err = cli.fails(&["codebook", "import", shipped, "--key", "other"], 65);
    assert!(err.contains("--key and --title are for .qdc files"), "{err}");
    std::fs::write(cli.path("broken.qdc"), "<CodeBook><Codes>").unwrap();
    let err = cli.fails(&["codebook", "import", "broken.qdc"], 65);
    assert!(
        err.contains("broken.qdc: is not a REFI-QDA codebook: it ends before its elements are closed"),
        "{err}"
    );
    let err = cli.fails(&["codebook", "export", "99"], 66);
    assert!(err.contains("No codebook of yours has the id 99"), "{err}");
}

#[test]
fn a_campaign_is_coded_from_a_spreadsheet_at_the_command_line() {
    let cli = Cli::new();
    cli.campaign_to("name,email\nAlpha,a@x.example\nBeta,b@x.example\nGamma,c@x.example\n");
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/config/codebooks/abt.toml");
    cli.ok(&["codebook", "import", shipped]);
    let none = cli.fails(&["codings", "plan", "--campaign", "1"], 1);
    assert!(none.contains("has no coding plan yet") && none.contains("foitrack codings plan"), "{none}");
    let plan = cli.ok(&[
        "codings",
        "plan",
        "--campaign",
        "1",
        "--codebook",
        "1",
        "--coder",
        "lead@uni.ac.uk",
        "--seed",
        "3",
    ]);
    assert!(plan.contains("abt version 1 (id 1); 0% of replies by two coders (seed 3)"), "{plan}");
    assert!(plan.contains("3 request(s), 0 of them given to two coders."), "{plan}");
    let stranger =
        cli.fails(&["codings", "plan", "--campaign", "1", "--codebook", "1", "--coder", "x@y.example"], 65);
    assert!(stranger.contains("x@y.example is not a member of this campaign's workspace"), "{stranger}");

    let coded =
        "reference,offers_abt,provider,notes\nT-1-0001,yes,external,\nT-1-0002,no,external,\nT-1-9999,no,,\n";
    std::fs::write(cli.path("coded.csv"), coded).unwrap();
    let import = ["codings", "import", "--campaign", "1", "--coder", "lead@uni.ac.uk", "coded.csv"];
    let out = cli.ok(&import);
    assert!(
        out.contains("3 row(s) by lead@uni.ac.uk; 1 stored (2 answer(s) new, 0 already there), 2 left out."),
        "{out}"
    );
    assert!(out.contains("Columns that are not questions, ignored: notes"), "{out}");
    assert!(out.contains("line 3, provider: provider does not apply to this reply"), "{out}");
    assert!(out.contains("line 4: no request of campaign 1 has the reference T-1-9999"), "{out}");
    let again: Value = serde_json::from_str(&cli.ok(&[&import[..], &["--json"]].concat())).unwrap();
    assert_eq!((again["codings"].as_i64(), again["unchanged"].as_i64()), (Some(0), Some(2)), "{again}");

    let export = cli.ok(&["codings", "export", "--campaign", "1"]);
    let lines: Vec<&str> = export.lines().collect();
    assert!(lines[0].starts_with("reference,ods_code,body,offers_abt,sh_content"), "{export}");
    assert_eq!(lines[1], "T-1-0001,,Alpha,yes,,,external,,,,,,", "{export}");
    assert_eq!(lines.len(), 4);
    let report = cli.ok(&["report", "--campaign", "1", "--by", "region"]);
    assert!(
        report.contains("Campaign 1 (abt version 1): 3 bodies, 0 sent, 0 responded (-), 0 outstanding."),
        "{report}"
    );
    assert!(
        report.contains("provider: Who provides the training?\n  out of 1 bodies it applies to; 0 undecided"),
        "{report}"
    );
    let as_json: Value = serde_json::from_str(&cli.ok(&["report", "--campaign", "1", "--json"])).unwrap();
    assert_eq!(
        as_json["questions"][0]["codes"][0],
        json!({"key": "yes", "label": "Yes", "count": 1, "percent": null})
    );
    let out = cli.run(&["report", "--campaign", "1", "--charts", "charts"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("Wrote 10 chart(s) into charts."), "{out:?}");
    let chart = std::fs::read_to_string(cli.path("charts/offers_abt.svg")).unwrap();
    assert!(chart.contains("-title\">Does the trust offer active bystander training"), "{chart}");
    assert!(chart.contains("-desc\">Unknown: Yes 1, No 0</desc>"), "{chart}");
    assert!(cli.path("charts/responses.svg").exists());
    let as_csv = cli.ok(&["report", "--campaign", "1", "--csv"]);
    assert!(as_csv.lines().any(|l| l == "offers_abt,yes,Yes,responded,0,1,"), "{as_csv}");
    let wrote = cli.ok(&["codings", "package", "--campaign", "1", "--output", "pkg"]);
    assert!(wrote.starts_with("Wrote 5 files into pkg"), "{wrote}");
    let descriptor: Value =
        serde_json::from_str(&std::fs::read_to_string(cli.path("pkg/datapackage.json")).unwrap()).unwrap();
    assert_eq!(descriptor["resources"][0]["path"], "final_codes.csv");
    assert_eq!(std::fs::read_to_string(cli.path("pkg/final_codes.csv")).unwrap(), export);
    let open = cli.ok(&["codings", "disagreements", "--campaign", "1"]);
    assert_eq!(open.trim(), "No disagreement is waiting for a decision.");
    let missing =
        cli.fails(&["codings", "import", "--campaign", "1", "--coder", "lead@uni.ac.uk", "gone.csv"], 1);
    assert!(missing.contains("cannot read gone.csv"), "{missing}");
    let other =
        cli.fails(&["codings", "import", "--campaign", "7", "--coder", "lead@uni.ac.uk", "coded.csv"], 66);
    assert!(other.contains("No campaign has the id 7"), "{other}");
}
