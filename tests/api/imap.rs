//! Polling a real IMAP server: Debian's dovecot, started by the test from a minimal
//! configuration in a temporary directory (plain IMAP on a loopback port, one user). Messages
//! are appended, polled, stored and flagged; two pollers at once store each message once; and
//! the real `foitrack serve`, killed while it takes in a mailbox, loses and repeats nothing.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use foitrack::jobs::mailbox::{Delivery, poll};
use foitrack::mail::imap::{ImapError, ImapTarget, Mailbox, STORED_FLAG};

use crate::helpers::TestDb;
use crate::inbound::{renamed, world};
use crate::on_both_backends;

const USER: &str = "foi";
const PASSWORD: &str = "secret";

/// A dovecot of the test's own; stopped when dropped.
pub(crate) struct Dovecot {
    pub(crate) port: u16,
    /// Where it takes TLS from the start (imaps); the plain port offers STARTTLS.
    pub(crate) tls_port: u16,
    /// The certificate authority that signed its certificate (made by the test).
    pub(crate) ca_file: PathBuf,
    child: Child,
    _dir: tempfile::TempDir,
}

impl Dovecot {
    /// A running dovecot; `None`, said on standard error, where none is installed, unless
    /// `FOITRACK_TEST_DOVECOT=required` (as CI sets it).
    pub(crate) fn start() -> Option<Self> {
        let required = std::env::var("FOITRACK_TEST_DOVECOT").as_deref() == Ok("required");
        // SAFETY: geteuid only reads this process's user id.
        let root = unsafe { libc::geteuid() } == 0;
        let why = match dovecot_program() {
            Some(_) if !root => Some("dovecot needs root to run its mail processes as nobody"),
            Some(_) => None,
            None => Some("dovecot is not installed (apt-get install dovecot-imapd)"),
        };
        if let Some(why) = why {
            assert!(!required, "FOITRACK_TEST_DOVECOT=required, but {why}");
            eprintln!("skipped: {why}");
            return None;
        }
        let program = dovecot_program()?;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for sub in ["run", "state", "mail"] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
        }
        // Mail is kept as the unprivileged user dovecot runs mail processes as.
        assert!(
            Command::new("chown")
                .args(["-R", "nobody:nogroup"])
                .arg(root.join("mail"))
                .status()
                .unwrap()
                .success()
        );
        std::fs::write(root.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}::::::\n")).unwrap();
        make_certificates(root);
        let free = || TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let (port, tls_port) = (free(), free());
        let r = root.display();
        let config = format!(
            "protocols = imap\nlisten = 127.0.0.1\nbase_dir = {r}/run\nstate_dir = {r}/state\nlog_path = {r}/dovecot.log\n\
             ssl = yes\nssl_cert = <{r}/cert.pem\nssl_key = <{r}/key.pem\n\
             disable_plaintext_auth = no\nauth_mechanisms = plain login\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {r}/passwd\n}}\n\
             userdb {{\n  driver = static\n  args = uid=nobody gid=nogroup home={r}/mail/%u\n}}\n\
             mail_location = maildir:~/Maildir\n\
             service imap-login {{\n  chroot =\n  inet_listener imap {{\n    port = {port}\n  }}\n\
               inet_listener imaps {{\n    port = {tls_port}\n    ssl = yes\n  }}\n}}\n\
             service anvil {{\n  chroot =\n}}\n"
        );
        std::fs::write(root.join("dovecot.conf"), config).unwrap();
        let child = Command::new(program)
            .args(["-F", "-c"])
            .arg(root.join("dovecot.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dovecot starts");
        // Owned from here, so that a failure below stops it too.
        let ca_file = root.join("ca.pem");
        let mut dovecot = Self { port, tls_port, ca_file, child, _dir: dir };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            let log = || std::fs::read_to_string(dovecot._dir.path().join("dovecot.log")).unwrap_or_default();
            if let Ok(Some(status)) = dovecot.child.try_wait() {
                panic!("dovecot stopped ({status}) before it listened on port {port}:\n{}", log());
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "dovecot did not listen on {port}:\n{}",
                log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(dovecot)
    }

    pub(crate) fn url(&self) -> String {
        format!("imap://{USER}:{PASSWORD}@127.0.0.1:{}/INBOX?tls=none", self.port)
    }

    pub(crate) fn target(&self) -> ImapTarget {
        ImapTarget::parse(&self.url()).unwrap()
    }

    /// A session of the test's own, to put mail in and look at it.
    pub(crate) fn session(&self) -> imap::Session<imap::Connection> {
        let client = imap::ClientBuilder::new("127.0.0.1", self.port)
            .mode(imap::ConnectionMode::Plaintext)
            .connect()
            .unwrap();
        client.login(USER, PASSWORD).map_err(|(e, _)| e).unwrap()
    }

    pub(crate) fn append(&self, messages: &[Vec<u8>]) {
        let mut s = self.session();
        for m in messages {
            s.append("INBOX", m).finish().unwrap();
        }
        s.logout().unwrap();
    }

    /// How many messages of `folder` carry foitrack's flag, and how many it holds.
    pub(crate) fn stored(&self, folder: &str) -> (usize, usize) {
        let mut s = self.session();
        let all = s.select(folder).unwrap().exists as usize;
        let flagged = s.uid_search(format!("KEYWORD {STORED_FLAG}")).unwrap().len();
        s.logout().unwrap();
        (flagged, all)
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A certificate authority of the test's own, and a certificate it signed for 127.0.0.1, made
/// with the openssl command that dovecot's package brings (through ssl-cert).
fn make_certificates(dir: &Path) {
    let openssl = |args: &[&str]| {
        let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    openssl(
        &[
            &["req", "-x509"],
            &ec[..],
            &["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=foitrack test CA"],
        ]
        .concat(),
    );
    openssl(
        &[&["req"], &ec[..], &["-keyout", "key.pem", "-out", "cert.csr", "-subj", "/CN=127.0.0.1"]].concat(),
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName = IP:127.0.0.1, DNS:localhost\nbasicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "cert.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "cert.pem",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
    ]);
}

fn dovecot_program() -> Option<PathBuf> {
    ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"].iter().map(PathBuf::from).find(|p| p.exists())
}

async fn a_mailbox_is_polled_and_each_message_marked_once_stored(db: &TestDb) {
    let Some(dovecot) = Dovecot::start() else { return };
    let w = world(db).await;
    dovecot.append(&[w.expand("response_plain.eml"), w.expand("ooo_outlook.eml"), w.expand("unmatched.eml")]);
    let service = w.app.service.clone();
    let by = service.local_actor(Some("admin@example.org")).unwrap().user_id;
    let delivery = Delivery { by, pen: None };
    let target = dovecot.target();
    let polled = {
        let (service, target) = (service.clone(), target.clone());
        tokio::task::spawn_blocking(move || poll(&service, &target, None, delivery, &STOP).unwrap())
            .await
            .unwrap()
    };
    assert_eq!((polled.taken, polled.left), (3, 0));
    assert_eq!(dovecot.stored("INBOX"), (3, 3), "flagged, and never deleted");
    // Landed where they belong: the response on request 1, the unmatched one in the pen.
    let one = w.app.get(&format!("/api/v1/requests/{}", w.ids[0])).await;
    let outcomes: Vec<String> = one.ok()["incoming"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["outcome"].as_str().unwrap().to_string())
        .collect();
    assert!(outcomes.contains(&"response".to_string()), "{outcomes:?}");
    assert_eq!(w.app.get("/api/v1/holding-pen").await.ok()["total"], 1);
    // Again: nothing waits.
    let again = {
        let (service, target) = (service.clone(), target.clone());
        tokio::task::spawn_blocking(move || poll(&service, &target, None, delivery, &STOP).unwrap())
            .await
            .unwrap()
    };
    assert_eq!(again.taken, 0);
    // With a folder for what is done: moved there, flagged.
    dovecot.append(&[renamed(w.expand("unmatched.eml"), "moved")]);
    let moved = tokio::task::spawn_blocking(move || {
        poll(&service, &target, Some("Foitrack"), delivery, &STOP).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(moved.taken, 1);
    // The three stored before are moved too: the folder is for everything stored.
    assert_eq!(dovecot.stored("INBOX"), (0, 0));
    assert_eq!(dovecot.stored("Foitrack"), (4, 4));
    // A message stored whose move failed (flagged, still here) is moved by the next poll.
    dovecot.append(&[renamed(w.expand("unmatched.eml"), "stranded")]);
    let mut s = dovecot.session();
    s.select("INBOX").unwrap();
    let uid = s.uid_search("ALL").unwrap().into_iter().next().unwrap();
    s.uid_store(uid.to_string(), format!("+FLAGS.SILENT ({STORED_FLAG})")).unwrap();
    s.logout().unwrap();
    let service = w.app.service.clone();
    let target = dovecot.target();
    let swept = tokio::task::spawn_blocking(move || {
        poll(&service, &target, Some("Foitrack"), delivery, &STOP).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(swept.taken, 0);
    assert_eq!(dovecot.stored("Foitrack"), (5, 5));
    assert_eq!(dovecot.stored("INBOX"), (0, 0), "everything stored was moved");
    // A wrong password is an error naming the mailbox's login, not a panic.
    let wrong = ImapTarget::parse(&dovecot.url().replace(PASSWORD, "wrong")).unwrap();
    let service = w.app.service.clone();
    let err = tokio::task::spawn_blocking(move || poll(&service, &wrong, None, delivery, &STOP).unwrap_err())
        .await
        .unwrap();
    assert_eq!(err.to_string(), "the mailbox login failed");
}
on_both_backends!(a_mailbox_is_polled_and_each_message_marked_once_stored);

async fn two_pollers_store_each_message_once(db: &TestDb) {
    let Some(dovecot) = Dovecot::start() else { return };
    let w = world(db).await;
    let messages: Vec<Vec<u8>> =
        (0..40).map(|i| renamed(w.expand("unmatched.eml"), &format!("twice{i}"))).collect();
    dovecot.append(&messages);
    let by = w.app.service.local_actor(Some("admin@example.org")).unwrap().user_id;
    let pollers = (0..2).map(|_| {
        let (service, target) = (w.app.service.clone(), dovecot.target());
        tokio::task::spawn_blocking(move || {
            poll(&service, &target, None, Delivery { by, pen: None }, &STOP).unwrap()
        })
    });
    let mut taken = 0;
    for p in pollers.collect::<Vec<_>>() {
        taken += p.await.unwrap().taken;
    }
    // Each poller marks what it took; some messages both took, and one of them stored.
    assert!((40..=80).contains(&taken), "{taken}");
    assert_eq!(dovecot.stored("INBOX"), (40, 40));
    assert_eq!(w.app.get("/api/v1/holding-pen?per_page=100").await.ok()["total"], 40);
}
on_both_backends!(two_pollers_store_each_message_once);

/// The real `foitrack serve`, polling every second, is killed while it takes in 300 messages;
/// started again, it takes in the rest: every message stored once and flagged.
#[test]
fn serve_killed_while_taking_in_a_mailbox_loses_and_repeats_nothing() {
    let Some(dovecot) = Dovecot::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("foitrack.db");
    let template =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mail/unmatched.eml")).unwrap();
    let messages: Vec<Vec<u8>> = (0..300).map(|i| renamed(template.clone(), &format!("kill{i}"))).collect();
    dovecot.append(&messages);
    let foitrack = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_foitrack"));
        c.args(args)
            .current_dir(dir.path())
            .env("FOITRACK__DATABASE__URL", format!("sqlite://{}", db.display()))
            .env("FOITRACK__SERVER__LISTEN", "127.0.0.1:0")
            .env("FOITRACK__IMAP__URL", dovecot.url())
            .env("FOITRACK__IMAP__INTERVAL_SECONDS", "1")
            .env("FOITRACK__REMINDERS__ENABLED", "false")
            .env("FOITRACK__MAIL__URL", format!("file://{}", dir.path().join("out").display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    assert!(
        foitrack(&["user", "add", "--email", "admin@uni.ac.uk", "--role", "admin"])
            .status()
            .unwrap()
            .success()
    );
    let stored = || count_messages(&db);
    let mut serve = Running(foitrack(&["serve"]).spawn().unwrap());
    let started = Instant::now();
    while stored() < 20 {
        assert!(started.elapsed() < Duration::from_secs(60), "serve stored nothing");
        std::thread::sleep(Duration::from_millis(5));
    }
    serve.0.kill().unwrap();
    serve.0.wait().unwrap();
    let at_kill = stored();
    assert!(at_kill < 300, "the kill came too late to test anything ({at_kill} stored)");
    let mut serve = Running(foitrack(&["serve"]).spawn().unwrap());
    let started = Instant::now();
    while dovecot.stored("INBOX").0 < 300 {
        assert!(started.elapsed() < Duration::from_secs(120), "serve did not finish the mailbox");
        std::thread::sleep(Duration::from_millis(100));
    }
    serve.0.kill().unwrap();
    serve.0.wait().unwrap();
    assert_eq!(stored(), 300, "each message stored once (killed at {at_kill})");
    assert_eq!(dovecot.stored("INBOX"), (300, 300));
}

/// A `foitrack serve` that is killed if the test fails first.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Never set: these polls run to the end.
static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn count_messages(db: &Path) -> i64 {
    use diesel::prelude::*;
    let Ok(mut conn) = diesel::SqliteConnection::establish(&db.display().to_string()) else { return 0 };
    diesel::sql_query("PRAGMA busy_timeout = 5000").execute(&mut conn).ok();
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query("SELECT count(*) AS n FROM inbound_messages")
        .get_result::<N>(&mut conn)
        .map_or(0, |r| r.n)
}

/// The mailbox over TLS, both ways: imaps, and STARTTLS on the plain port. The server's
/// certificate is signed by the test's own authority, trusted through `imap.ca_file`; without
/// it, the connection is refused and says why.
async fn a_mailbox_is_polled_over_tls_with_the_site_s_own_authority(db: &TestDb) {
    let Some(dovecot) = Dovecot::start() else { return };
    let w = world(db).await;
    dovecot.append(&[w.expand("response_plain.eml")]);
    let service = w.app.service.clone();
    let delivery =
        Delivery { by: service.local_actor(Some("admin@example.org")).unwrap().user_id, pen: None };
    let ca = Some(dovecot.ca_file.clone());
    let imaps = format!("imaps://{USER}:{PASSWORD}@127.0.0.1:{}/INBOX", dovecot.tls_port);
    let starttls = format!("imap://{USER}:{PASSWORD}@127.0.0.1:{}/INBOX", dovecot.port);
    let timeout = Duration::from_secs(10);
    let trusted = ImapTarget::parse(&imaps).unwrap().with_connection(timeout, ca.clone());
    let polled = {
        let service = service.clone();
        tokio::task::spawn_blocking(move || poll(&service, &trusted, None, delivery, &STOP).unwrap())
            .await
            .unwrap()
    };
    assert_eq!((polled.taken, polled.left), (1, 0));
    assert_eq!(dovecot.stored("INBOX"), (1, 1));

    dovecot.append(&[renamed(w.expand("unmatched.eml"), "starttls")]);
    let upgraded = ImapTarget::parse(&starttls).unwrap().with_connection(timeout, ca);
    let polled = {
        let service = service.clone();
        tokio::task::spawn_blocking(move || poll(&service, &upgraded, None, delivery, &STOP).unwrap())
            .await
            .unwrap()
    };
    assert_eq!(polled.taken, 1);

    for url in [imaps, starttls] {
        let untrusted = ImapTarget::parse(&url).unwrap().with_connection(timeout, None);
        let err = Mailbox::open(&untrusted, None).err().expect("an unknown authority is refused");
        let why = format!("{err}");
        assert!(matches!(err, ImapError::Tls { .. }), "{url}: {why}");
        assert!(why.contains("127.0.0.1") && why.to_lowercase().contains("certificate"), "{why}");
    }
    let missing = ImapTarget::parse(&format!("imaps://{USER}:{PASSWORD}@127.0.0.1:{}/", dovecot.tls_port))
        .unwrap()
        .with_connection(timeout, Some("/nonexistent/ca.pem".into()));
    let why = Mailbox::open(&missing, None).err().unwrap().to_string();
    assert!(why.starts_with("imap.ca_file: /nonexistent/ca.pem"), "{why}");
    w.app.stop().await;
}
on_both_backends!(a_mailbox_is_polled_over_tls_with_the_site_s_own_authority);

/// A server that accepts the connection and then says nothing fails the poll after the
/// timeout, in plain text and in the TLS handshake alike, instead of holding it for good.
#[test]
fn a_server_that_never_answers_fails_within_the_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts and keeps every connection open, silent.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    let timeout = Duration::from_millis(300);
    let urls = [
        format!("imap://u:p@127.0.0.1:{port}/?tls=none"),
        format!("imap://u:p@127.0.0.1:{port}/"),
        format!("imaps://u:p@127.0.0.1:{port}/"),
    ];
    for url in urls {
        let target = ImapTarget::parse(&url).unwrap().with_connection(timeout, None);
        let err = Mailbox::open(&target, None).err().expect("no answer is an error");
        assert!(matches!(err, ImapError::Silent { .. }), "{url}: {err:?}");
        assert_eq!(
            err.to_string(),
            "the mail server 127.0.0.1 did not answer within 0.3 s (imap.timeout_seconds)"
        );
    }
}
