//! Imports of public bodies: files larger than a read and a batch, dry runs beside a writer,
//! the gate that lets only a few run at once, and a file that changes while it is read.

use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::mpsc;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, SqliteConnection};
use foitrack::domain::import::{ImportFormat, ImportOptions};
use foitrack::service::ServiceError;
use foitrack::service::authority_import::Quiet;
use serde_json::Value;

use crate::helpers::{TestDb, spawn_app, spawn_app_with};
use crate::on_both_backends;

/// Holds, from a connection of its own, what a real import must take: SQLite's write lock, or
/// PostgreSQL's import lock. Released when dropped.
struct HeldLock {
    release: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

fn hold_import_lock(url: &str) -> HeldLock {
    let (ready_tx, ready) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    let url = url.to_string();
    let thread = std::thread::spawn(move || {
        let hold = |conn: &mut dyn SimpleConnection, begin: &str| {
            conn.batch_execute(begin).expect("take the lock");
            ready_tx.send(()).unwrap();
            released.recv().ok();
            conn.batch_execute("ROLLBACK").expect("let go of the lock");
        };
        match url.strip_prefix("sqlite://") {
            Some(path) => hold(&mut SqliteConnection::establish(path).unwrap(), "BEGIN IMMEDIATE"),
            None => hold(
                &mut PgConnection::establish(&url).unwrap(),
                "BEGIN; SELECT pg_advisory_xact_lock(7466, 1);",
            ),
        }
    });
    ready.recv().expect("the lock is held");
    HeldLock { release: Some(release), thread: Some(thread) }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        drop(self.release.take());
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
    }
}

/// A headed CSV of coded bodies `Body 0000 NHS Trust` (R0000) onwards, leaving out `skip`.
fn bodies(n: usize, skip: Option<usize>) -> String {
    let mut csv = String::from("name,email,ods_code,tags\n");
    for i in (0..n).filter(|&i| Some(i) != skip) {
        csv.push_str(&format!("Body {i:04} NHS Trust,foi{i}@body{i}.nhs.uk,R{i:04},acute\n"));
    }
    csv
}

fn without_dry_run(mut summary: Value) -> Value {
    summary.as_object_mut().unwrap().remove("dry_run");
    summary
}

async fn a_dry_run_beside_a_writer_says_exactly_what_the_import_then_does(db: &TestDb) {
    let app = spawn_app(db).await;
    // Stored first: 1,500 coded bodies and two without a code.
    let first = format!("{}Old Council,,,\nSpare Council,,,\n", bodies(1_500, None));
    let stored = app.post_raw("/api/v1/authorities/import", "text/csv", first).await;
    assert_eq!(stored.ok()["inserted"], 1_502, "{}", stored.body);

    // The second file is larger than one read (64 KiB) and than one batch (500 rows): 2,999
    // coded rows (1,500 of them new), then a rename, a row for the body the rename changes, an
    // update by name, a coded row after an uncoded one of the same name, and a new body.
    let mut second = bodies(3_000, Some(1));
    second.push_str("Renamed Trust,,R0001,\n"); // line 3001
    second.push_str("body 0001 nhs trust,,,\n"); // the stored name of the body line 3001 changes
    second.push_str("Spare Council,,,council\n"); // line 3003
    second.push_str("Spare Council,,RX99,\n"); // repeats line 3003
    second.push_str("Brand New Council,,,\n");
    assert!(second.len() > 64 * 1024);

    let dry = {
        let _lock = hold_import_lock(&db.url);
        let dry = app.post_raw("/api/v1/authorities/import?dry_run=true", "text/csv", second.clone()).await;
        dry.ok().clone()
    };
    let real = app.post_raw("/api/v1/authorities/import", "text/csv", second.clone()).await;
    let real = real.ok().clone();
    assert_eq!(dry["dry_run"], true);
    assert_eq!(without_dry_run(dry), without_dry_run(real.clone()), "the dry run told the truth");

    assert_eq!(real["inserted"], 1_501, "{real}");
    assert_eq!(real["updated"], 2, "the rename and the council's tag: {real}");
    assert_eq!(real["unchanged"], 1_499);
    assert_eq!(real["rows"], 3_004);
    let rejected = real["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2, "{real}");
    assert_eq!(rejected[0]["line"], 3_002);
    assert_eq!(rejected[0]["reason"], "matches the same stored body as line 3001 (Body 0001 NHS Trust)");
    assert_eq!(rejected[1]["line"], 3_004);
    assert_eq!(rejected[1]["reason"], "repeats the body on line 3003 (Spare Council)");

    let renamed = app.get("/api/v1/authorities?q=R0001").await;
    assert_eq!(renamed.ok()["items"][0]["name"], "Renamed Trust");
    assert_eq!(renamed.ok()["items"][0]["email"], "foi1@body1.nhs.uk", "the stored email is kept");
    let council = app.get("/api/v1/authorities?q=spare%20council").await;
    assert_eq!(council.ok()["items"][0]["tags"], serde_json::json!(["council"]));
    assert_eq!(app.get("/api/v1/authorities?per_page=1").await.ok()["total"], 1_502 + 1_501);
    app.stop().await;
}
on_both_backends!(a_dry_run_beside_a_writer_says_exactly_what_the_import_then_does);

/// Sends an import's headers and the start of its body, and holds the rest back.
fn start_slow_upload(app: &crate::helpers::TestApp, body: &[u8], sent: usize) -> std::net::TcpStream {
    let address = app.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST /api/v1/authorities/import?dry_run=true HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: text/csv\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        app.token,
        body.len()
    )
    .unwrap();
    stream.write_all(&body[..sent]).unwrap();
    stream
}

async fn only_so_many_imports_run_at_once_and_the_next_is_told_when_to_come_back(db: &TestDb) {
    let app = spawn_app_with(db, |s| {
        s.server.concurrent_imports = 1;
        s.server.import_wait_seconds = 1;
    })
    .await;
    let body = b"name\nSlow Trust\n";
    let mut slow = start_slow_upload(&app, body, 5);
    // Once the slow upload holds the only slot, another import waits a second and is refused.
    let mut refused = None;
    for _ in 0..30 {
        let reply = app
            .client
            .post(app.url("/api/v1/authorities/import?dry_run=true"))
            .bearer_auth(&app.token)
            .body("name\nQuick Trust\n")
            .send()
            .await
            .unwrap();
        if reply.status() == 429 {
            refused = Some(reply);
            break;
        }
        assert_eq!(reply.status(), 200);
    }
    let refused = refused.expect("an import was refused while the slot was taken");
    assert_eq!(refused.headers()["retry-after"], "10");
    assert_eq!(refused.headers()["content-type"], "application/problem+json");
    let problem: Value = refused.json().await.unwrap();
    assert_eq!(problem["type"], "urn:foitrack:problem:too-many-requests");
    assert!(problem["detail"].as_str().unwrap().contains("try again in 10 seconds"), "{problem}");

    // The slow upload ends, its import runs, and the slot is free again.
    slow.write_all(&body[5..]).unwrap();
    let mut answer = String::new();
    slow.read_to_string(&mut answer).ok();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let after =
        app.post_raw("/api/v1/authorities/import?dry_run=true", "text/csv", "name\nQuick Trust\n").await;
    assert_eq!(after.ok()["inserted"], 1);
    app.stop().await;
}
on_both_backends!(only_so_many_imports_run_at_once_and_the_next_is_told_when_to_come_back);

/// A file whose bytes differ every time it is read from the start, as a spreadsheet program
/// saving over it would make it.
struct ChangingFile {
    reads: u32,
    bytes: std::io::Cursor<Vec<u8>>,
}

impl Read for ChangingFile {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        self.bytes.read(out)
    }
}

impl Seek for ChangingFile {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        if to == SeekFrom::Start(0) {
            self.reads += 1;
            self.bytes =
                std::io::Cursor::new(format!("name\nTrust read {} times\n", self.reads).into_bytes());
        }
        self.bytes.seek(to)
    }
}

async fn a_file_that_changes_while_it_is_imported_is_refused_whole(db: &TestDb) {
    let app = spawn_app(db).await;
    let options = ImportOptions { format: ImportFormat::Csv, as_of: None, region_required: false };
    let mut file = ChangingFile { reads: 0, bytes: std::io::Cursor::new(Vec::new()) };
    let result = app.service.import_authorities(None, &mut file, options, false, &mut Quiet);
    assert!(
        matches!(&result, Err(ServiceError::Conflict(detail)) if detail.contains("changed while it was being imported")),
        "{result:?}"
    );
    assert_eq!(app.get("/api/v1/authorities?per_page=1").await.ok()["total"], 0, "nothing was written");
    app.stop().await;
}
on_both_backends!(a_file_that_changes_while_it_is_imported_is_refused_whole);
