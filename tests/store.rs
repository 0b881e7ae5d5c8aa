//! The store on its own: connection settings and migrations, on SQLite and PostgreSQL.

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use foitrack::store::{AnyConnection, Backend, Db};

#[derive(QueryableByName)]
struct Mode {
    #[diesel(sql_type = Text)]
    journal_mode: String,
}

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = BigInt)]
    foreign_keys: i64,
}

#[test]
fn sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let db = Db::open(&url, 2, Duration::from_millis(1234)).unwrap();
    assert_eq!(db.backend(), Backend::Sqlite);
    let mut conn = db.conn().unwrap();
    let conn: &mut AnyConnection = &mut conn;
    let mode: Mode = diesel::sql_query("PRAGMA journal_mode").get_result(conn).unwrap();
    assert_eq!(mode.journal_mode, "wal");
    let fk: Flag = diesel::sql_query("PRAGMA foreign_keys").get_result(conn).unwrap();
    assert_eq!(fk.foreign_keys, 1);
    // A request for a body that does not exist breaks a foreign key.
    let orphan = diesel::sql_query(
        "INSERT INTO requests (authority_id, reference, subject, body, regime, state, created_at, updated_at) \
         VALUES (999, 'X-1', 's', 'b', 'foia', 'draft', '2021-12-06 00:00:00', '2021-12-06 00:00:00')",
    )
    .execute(conn);
    assert!(orphan.is_err());
}

/// A fresh database on each backend the tests can reach: (URL, PostgreSQL name to drop).
struct Scratch {
    urls: Vec<(String, Option<String>)>,
    admin: Option<String>,
    _dir: tempfile::TempDir,
}

impl Scratch {
    fn new(label: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut urls = vec![(format!("sqlite://{}", dir.path().join(format!("{label}.db")).display()), None)];
        let admin = std::env::var("FOITRACK_TEST_DATABASE_URL").ok();
        match &admin {
            Some(admin_url) => {
                let name = format!("foitrack_{label}_{}", std::process::id());
                let mut admin_conn = diesel::PgConnection::establish(admin_url).unwrap();
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin_conn)
                    .unwrap();
                diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin_conn).unwrap();
                let base = admin_url.rsplit_once('/').unwrap().0;
                urls.push((format!("{base}/{name}"), Some(name)));
            }
            None => eprintln!("skipped on PostgreSQL: set FOITRACK_TEST_DATABASE_URL to run it"),
        }
        Self { urls, admin, _dir: dir }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for (_, name) in &self.urls {
            if let (Some(name), Some(admin_url)) = (name, &self.admin)
                && let Ok(mut admin_conn) = diesel::PgConnection::establish(admin_url)
            {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut admin_conn);
            }
        }
    }
}

/// The migrations shipped for a backend, counted from the source tree so that adding one does
/// not need this test changed.
fn shipped(backend: &str) -> usize {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
    std::fs::read_dir(dir).unwrap().filter(|e| e.as_ref().unwrap().path().is_dir()).count()
}

#[test]
fn migrations_apply_once_on_both_backends() {
    let scratch = Scratch::new("store");
    for (url, pg) in &scratch.urls {
        let db = Db::connect(url, 2, Duration::from_secs(5)).unwrap();
        let backend = if pg.is_some() { "postgres" } else { "sqlite" };
        assert_eq!(db.migrate().unwrap().len(), shipped(backend), "{url}");
        assert!(db.migrate().unwrap().is_empty(), "{url}");
        db.ping().unwrap();
    }
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Every table that migration 000007 rebuilds or constrains, with its columns, for a dump that
/// reads the same on both backends.
const TABLES: &[(&str, &str)] = &[
    ("users", "id, email, name, role, created_at"),
    (
        "requests",
        "id, campaign_id, authority_id, reference, subject, body, regime, state, sent_at, sent_on, channel, \
         sent_to, clock_started_on, due_on, very_overdue_on, review_due_on, body_reference, outcome, \
         responded_on, created_at, updated_at, received_on, original_due_on",
    ),
    ("events", "id, request_id, kind, occurred_on, details, note, recorded_by, recorded_at"),
    (
        "outbox",
        "id, kind, request_id, campaign_id, message_id, from_address, to_address, reply_to, subject, body, \
         state, attempts, next_attempt_at, leased_by, leased_until, last_error, sent_at, created_by, created_at",
    ),
    ("alerts", "id, request_id, kind, clock_key, user_id, outbox_id, created_at"),
    ("api_tokens", "id, user_id, token_hash, label, created_at, last_used_at, revoked_at"),
    ("campaign_watchers", "campaign_id, user_id"),
];

fn dump(conn: &mut AnyConnection) -> Vec<String> {
    let mut out = Vec::new();
    for (table, columns) in TABLES {
        let line = columns
            .split(',')
            .map(|c| format!("COALESCE(CAST({} AS TEXT), '-')", c.trim()))
            .collect::<Vec<_>>()
            .join(" || '|' || ");
        let rows: Vec<Line> =
            diesel::sql_query(format!("SELECT {line} AS line FROM {table} ORDER BY 1")).load(conn).unwrap();
        out.extend(rows.into_iter().map(|r| format!("{table}: {}", r.line)));
    }
    out
}

/// SQLite's indexes and triggers as written, which the rebuild must recreate exactly.
fn sqlite_schema_objects(conn: &mut AnyConnection) -> Vec<String> {
    let rows: Vec<Line> = diesel::sql_query(
        "SELECT type || ' ' || name || ': ' || sql AS line FROM sqlite_master \
         WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY name",
    )
    .load(conn)
    .unwrap();
    rows.into_iter().map(|r| r.line).collect()
}

const ROWS: &str = "\
INSERT INTO users (id, email, name, role, created_at) VALUES (1, 'a@example.org', 'A', 'admin', '2021-12-01 09:00:00'), (2, 'c@example.org', 'C', 'coder', '2021-12-01 09:00:00');
INSERT INTO api_tokens (id, user_id, token_hash, label, created_at) VALUES (1, 1, 'h', 'cli', '2021-12-01 09:00:00');
INSERT INTO authorities (id, name, name_key, email, tags, created_at, updated_at) VALUES (1, 'Trust', 'trust', 'foi@trust.example', ',acute,', '2021-12-01 09:00:00', '2021-12-01 09:00:00');
INSERT INTO campaigns (id, title, description, reference_prefix, subject_template, body_template, regime, created_by, created_at) VALUES (1, 'T', '', 'ABT-2021', 's', 'b', 'foia', 1, '2021-12-01 09:00:00');
INSERT INTO requests (id, campaign_id, authority_id, reference, subject, body, regime, state, sent_at, sent_on, channel, sent_to, due_on, outcome, created_at, updated_at, received_on) VALUES (1, 1, 1, 'ABT-2021-0001', 's', 'b', 'foia', 'answered', '2021-12-06 10:00:00', '2021-12-06', 'email', 'foi@trust.example', '2022-01-06', 'partial', '2021-12-01 09:00:00', '2021-12-20 09:00:00', '2021-12-06');
INSERT INTO events (id, request_id, kind, occurred_on, details, note, recorded_by, recorded_at) VALUES (1, 1, 'sent', '2021-12-06', '{}', NULL, 1, '2021-12-06 10:00:00'), (2, 1, 'response_received', '2021-12-20', '{\"outcome\":\"partial\"}', 'see PDF', 2, '2021-12-20 09:00:00');
INSERT INTO outbox (id, kind, request_id, campaign_id, message_id, from_address, to_address, subject, body, state, attempts, next_attempt_at, sent_at, created_by, created_at) VALUES (1, 'request', 1, 1, 'abt.1@x', 'f@x', 'foi@trust.example', 's', 'b', 'sent', 1, '2021-12-06 10:00:00', '2021-12-06 10:00:01', 1, '2021-12-06 10:00:00');
INSERT INTO campaign_watchers (campaign_id, user_id) VALUES (1, 2);
INSERT INTO alerts (id, request_id, kind, clock_key, user_id, outbox_id, created_at) VALUES (1, 1, 'overdue', '2022-01-06', 2, 1, '2022-01-07 07:00:00');
";

#[test]
fn the_enum_checks_keep_existing_data_indexes_and_counters() {
    use diesel::connection::SimpleConnection;
    use diesel::migration::MigrationSource;
    use diesel_migrations::{FileBasedMigrations, MigrationHarness};
    let scratch = Scratch::new("keep");
    for (url, pg) in &scratch.urls {
        let backend = if pg.is_some() { "postgres" } else { "sqlite" };
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(backend);
        let source = FileBasedMigrations::from_path(dir).unwrap();
        let db = Db::connect(url, 1, Duration::from_secs(5)).unwrap();
        let (before, objects_before) = {
            let mut conn = db.conn().unwrap();
            let conn: &mut AnyConnection = &mut conn;
            // The schema as of 000004, the last release before the checks, holding data.
            macro_rules! first_four {
                ($c:expr) => {{
                    $c.applied_migrations().unwrap(); // creates diesel's bookkeeping table
                    let mut all = MigrationSource::migrations(&source).unwrap();
                    all.sort_by_key(|m| m.name().to_string());
                    for m in all.iter().take(4) {
                        $c.run_migration(&**m).unwrap();
                    }
                }};
            }
            match conn {
                AnyConnection::Sqlite(c) => first_four!(c),
                AnyConnection::Postgres(c) => first_four!(c),
            }
            conn.batch_execute(ROWS).unwrap();
            if pg.is_some() {
                // Explicit ids leave PostgreSQL's sequences behind; a real database has them in step.
                for (table, _) in TABLES.iter().filter(|(t, _)| *t != "campaign_watchers") {
                    conn.batch_execute(&format!(
                        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    ))
                    .unwrap();
                }
            }
            let objects = if pg.is_none() { sqlite_schema_objects(conn) } else { Vec::new() };
            (dump(conn), objects)
        };
        assert!(!db.migrate().unwrap().is_empty(), "{url}: the later migrations apply");
        let mut conn = db.conn().unwrap();
        let conn: &mut AnyConnection = &mut conn;
        assert_eq!(dump(conn), before, "{url}: every row survives");
        if pg.is_none() {
            let after = sqlite_schema_objects(conn);
            for object in &objects_before {
                assert!(after.contains(object), "{url}: {object} is gone; have {after:#?}");
            }
            let fk: Flag = diesel::sql_query("PRAGMA foreign_keys").get_result(conn).unwrap();
            assert_eq!(fk.foreign_keys, 1, "foreign keys are back on");
        }
        // Migration 000008: everything is in the workspace `default`, and every user is a member
        // with the rights they had (the admin as owner).
        let placed: Line = diesel::sql_query(
            "SELECT (SELECT slug FROM workspaces WHERE id = (SELECT workspace_id FROM campaigns WHERE id = 1)) \
             || '|' || CAST((SELECT count(*) FROM requests WHERE workspace_id <> 1) AS TEXT) \
             || '|' || CAST((SELECT count(*) FROM outbox WHERE workspace_id <> 1) AS TEXT) AS line",
        )
        .get_result(conn)
        .unwrap();
        assert_eq!(placed.line, "default|0|0", "{url}");
        let members: Vec<Line> = diesel::sql_query(
            "SELECT u.email || ':' || m.role AS line FROM memberships m JOIN users u ON u.id = m.user_id \
             JOIN workspaces w ON w.id = m.workspace_id WHERE w.slug = 'default' ORDER BY 1",
        )
        .load(conn)
        .unwrap();
        let members: Vec<String> = members.into_iter().map(|l| l.line).collect();
        assert_eq!(members, ["a@example.org:owner", "c@example.org:coder"], "{url}");
        // The counters carry on past the copied rows.
        conn.batch_execute(
            "INSERT INTO users (email, name, role, created_at) VALUES ('n@example.org', 'N', 'viewer', '2021-12-02 09:00:00')",
        )
        .unwrap();
        let newest: Line =
            diesel::sql_query("SELECT CAST(max(id) AS TEXT) AS line FROM users").get_result(conn).unwrap();
        assert_eq!(newest.line, "3", "{url}");
    }
}

/// `ROWS` as written today: campaigns, requests and messages name their workspace (`default`, the
/// first), which PostgreSQL requires since migration 000008.
fn in_default_workspace(rows: &str) -> String {
    rows.lines()
        .map(|line| {
            let owned = ["INSERT INTO campaigns ", "INSERT INTO requests ", "INSERT INTO outbox "];
            if owned.iter().any(|p| line.starts_with(p)) {
                line.replacen(") VALUES (", ", workspace_id) VALUES (", 1).replacen(");", ", 1);", 1)
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn enum_columns_refuse_words_foitrack_does_not_know() {
    use diesel::connection::SimpleConnection;
    let scratch = Scratch::new("checks");
    for (url, _) in &scratch.urls {
        let db = Db::open(url, 1, Duration::from_secs(5)).unwrap();
        let mut conn = db.conn().unwrap();
        let conn: &mut AnyConnection = &mut conn;
        conn.batch_execute(&in_default_workspace(ROWS)).unwrap();
        // A reply linked to request 1, for the incoming mail's own words.
        conn.batch_execute(
            "INSERT INTO inbound_messages (id, sha256, workspace_id, source, outcome, matched_by, subject, \
             received_at, body_text, suggestions, size, raw, received_by) VALUES (1, 'ab', 1, 'test', 'response', \
             'reply_address', 'Re: FOI', '2022-01-07 07:00:00', 'Not held.', '[]', 0, '', 1);
             INSERT INTO inbound_links (inbound_id, request_id, matched_by, sender_mismatch, linked_at) \
             VALUES (1, 1, 'reply_address', false, '2022-01-07 07:00:00');",
        )
        .unwrap();
        let refused = [
            "UPDATE users SET role = 'overlord' WHERE id = 1",
            "UPDATE requests SET state = 'lost' WHERE id = 1",
            "UPDATE requests SET channel = 'fax' WHERE id = 1",
            "UPDATE requests SET outcome = 'maybe' WHERE id = 1",
            "UPDATE events SET kind = 'rumour' WHERE id = 1",
            "UPDATE outbox SET kind = 'spam' WHERE id = 1",
            "UPDATE outbox SET state = 'Sent' WHERE id = 1",
            "UPDATE alerts SET kind = 'late' WHERE id = 1",
            "UPDATE inbound_messages SET outcome = 'spam' WHERE id = 1",
            "UPDATE inbound_messages SET matched_by = 'luck' WHERE id = 1",
            "UPDATE inbound_links SET matched_by = 'none' WHERE inbound_id = 1",
            "UPDATE inbound_links SET classification = 'rude' WHERE inbound_id = 1",
        ];
        for sql in refused {
            let err = diesel::sql_query(sql).execute(conn).expect_err(sql);
            assert!(
                matches!(
                    err,
                    diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::CheckViolation,
                        _
                    )
                ),
                "{url}: {sql}: {err}"
            );
        }
        // NULL stays allowed where the column is optional, and every known word is accepted.
        diesel::sql_query("UPDATE requests SET channel = NULL, outcome = NULL WHERE id = 1")
            .execute(conn)
            .unwrap();
        for state in foitrack::domain::vocab::OutboxState::ALL {
            diesel::sql_query("UPDATE outbox SET state = $1 WHERE id = 1")
                .bind::<Text, _>(state.as_str())
                .execute(conn)
                .unwrap();
        }
        for class in foitrack::domain::inbound::suggest::Classification::ALL {
            diesel::sql_query("UPDATE inbound_links SET classification = $1 WHERE inbound_id = 1")
                .bind::<Text, _>(class.as_str())
                .execute(conn)
                .unwrap();
        }
        for kind in ["address_failing", "chaser", "review_request"] {
            diesel::sql_query("UPDATE alerts SET kind = $1 WHERE id = 1")
                .bind::<Text, _>(kind)
                .execute(conn)
                .unwrap();
        }
    }
}

#[derive(QueryableByName)]
struct Tls {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    ssl: bool,
}

/// The bundled libpq is built with OpenSSL: `sslmode=require` must give an encrypted connection.
#[test]
fn postgres_connections_can_require_tls() {
    let Ok(admin) = std::env::var("FOITRACK_TEST_DATABASE_URL") else {
        eprintln!("skipped on PostgreSQL: set FOITRACK_TEST_DATABASE_URL to run it");
        return;
    };
    let url = format!("{admin}{}sslmode=require", if admin.contains('?') { '&' } else { '?' });
    let db = Db::connect(&url, 1, Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("{url}: {e} (is ssl = on in the server's postgresql.conf?)"));
    let mut conn = db.conn().unwrap();
    let conn: &mut AnyConnection = &mut conn;
    let tls: Tls = diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .get_result(conn)
        .unwrap();
    assert!(tls.ssl, "the connection is not encrypted");
}

#[test]
fn an_unreachable_database_is_reported_with_its_cause() {
    let err = Db::open("postgres://nobody@127.0.0.1:1/none", 1, Duration::from_secs(1)).err().unwrap();
    assert_eq!(err.to_string(), "the database could not be reached");
    let cause = std::error::Error::source(&err).expect("the cause is kept").to_string();
    assert!(cause.to_lowercase().contains("connect"), "{cause}");
}

#[test]
fn a_busy_sqlite_database_is_recognised_by_its_error_kind() {
    use diesel::connection::SimpleConnection;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("busy.db").display());
    // No busy timeout: the second writer fails at once instead of queueing.
    let db = Db::open(&url, 2, Duration::from_millis(0)).unwrap();
    let mut holder = db.conn().unwrap();
    holder.batch_execute("BEGIN IMMEDIATE").unwrap();
    let mut other = db.conn().unwrap();
    let err =
        foitrack::store::write_transaction(&mut other, |_| Ok::<_, diesel::result::Error>(())).unwrap_err();
    assert_eq!(foitrack::store::classify(&err), foitrack::store::Fault::Busy, "{err}");
    let service_error = foitrack::service::ServiceError::from(err);
    assert!(matches!(service_error, foitrack::service::ServiceError::Unavailable { .. }), "{service_error}");
    holder.batch_execute("ROLLBACK").unwrap();
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn workspaces_in(conn: &mut AnyConnection) -> i64 {
    diesel::sql_query("SELECT count(*) AS n FROM workspaces").get_result::<Count>(conn).unwrap().n
}

/// A read transaction sees one snapshot in every statement (PostgreSQL's default would give each
/// its own), refuses to write, and still nests inside another transaction as a savepoint.
#[test]
fn a_read_transaction_sees_one_snapshot() {
    let scratch = Scratch::new("snapshot");
    for (url, pg) in &scratch.urls {
        let db = Db::open(url, 2, Duration::from_secs(5)).unwrap();
        let (mut reader, mut writer) = (db.conn().unwrap(), db.conn().unwrap());
        let seen = foitrack::store::read_transaction(&mut reader, |conn| {
            let before = workspaces_in(conn);
            diesel::sql_query("INSERT INTO workspaces (slug, name, created_at) VALUES ('new', 'New', '2026-12-07 06:00:00')")
                .execute(&mut *writer)
                .unwrap();
            Ok::<_, diesel::result::Error>((before, workspaces_in(conn)))
        })
        .unwrap();
        assert_eq!(seen.0, seen.1, "{url}: the second read saw the other connection's insert");
        assert_eq!(workspaces_in(&mut reader), seen.0 + 1, "{url}: after it, the insert shows");
        if pg.is_some() {
            let write = foitrack::store::read_transaction(&mut reader, |conn| {
                diesel::sql_query("DELETE FROM workspaces WHERE slug = 'new'").execute(conn)
            });
            let refused = write.expect_err("a read transaction wrote").to_string();
            assert!(refused.contains("read-only transaction"), "{url}: {refused}");
        }
        let nested = reader.transaction(|conn| {
            foitrack::store::read_transaction(conn, |conn| {
                Ok::<_, diesel::result::Error>(workspaces_in(conn))
            })
        });
        assert_eq!(nested.unwrap(), seen.0 + 1, "{url}");
    }
}

/// Whether a caller's workspaces are every workspace there is, archived ones included: the
/// answer that lets a list leave out its workspace filter. The hint follows the
/// latest count, whichever connection or caller made it.
#[test]
fn known_workspaces_are_counted_again_at_each_check() {
    use foitrack::store::workspaces::insert;
    let scratch = Scratch::new("known");
    for (url, _) in &scratch.urls {
        let db = Db::open(url, 2, Duration::from_secs(5)).unwrap();
        let known = db.known_workspaces();
        let mut conn = db.conn().unwrap();
        let conn: &mut AnyConnection = &mut conn;
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap().and_hms_opt(6, 0, 0).unwrap();
        assert!(
            !known.may_cover(conn, &[]).unwrap(),
            "{url}: uncounted, so counted: no workspaces of one's own"
        );
        assert!(known.may_cover(conn, &[1]).unwrap(), "{url}: one counted, one held");
        assert!(known.covers(conn, &[1]).unwrap(), "{url}: only default");
        assert!(known.covers(conn, &[1, 99]).unwrap(), "{url}: ids that name nothing change nothing");
        assert!(!known.covers(conn, &[]).unwrap(), "{url}: no workspaces of one's own");
        let b = insert(conn, "b", "B", at).unwrap().id;
        assert!(known.may_cover(conn, &[1]).unwrap(), "{url}: the hint is stale until the next count");
        assert!(!known.covers(conn, &[1]).unwrap(), "{url}: b is outside");
        assert!(!known.may_cover(conn, &[1]).unwrap(), "{url}: two counted now");
        assert!(known.covers(conn, &[1, b]).unwrap(), "{url}");
        assert!(
            db.clone().known_workspaces().may_cover(conn, &[1, b]).unwrap(),
            "{url}: one hint per database"
        );
        diesel::sql_query(format!("UPDATE workspaces SET archived_at = created_at WHERE id = {b}"))
            .execute(conn)
            .unwrap();
        assert!(!known.covers(conn, &[1]).unwrap(), "{url}: an archived workspace still counts");
    }
}
