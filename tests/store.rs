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

#[test]
fn migrations_apply_once_on_both_backends() {
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![(format!("sqlite://{}", dir.path().join("m.db").display()), None)];
    let admin = std::env::var("FOITRACK_TEST_DATABASE_URL").ok();
    match &admin {
        Some(admin_url) => {
            let name = format!("foitrack_store_{}", std::process::id());
            let mut admin_conn = diesel::PgConnection::establish(admin_url).unwrap();
            diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut admin_conn).unwrap();
            let base = admin_url.rsplit_once('/').unwrap().0;
            urls.push((format!("{base}/{name}"), Some(name)));
        }
        None => eprintln!("skipped on PostgreSQL: set FOITRACK_TEST_DATABASE_URL to run it"),
    }
    for (url, pg_name) in urls {
        let db = Db::connect(&url, 2, Duration::from_secs(5)).unwrap();
        assert_eq!(db.migrate().unwrap().len(), 5, "{url}");
        assert!(db.migrate().unwrap().is_empty(), "{url}");
        db.ping().unwrap();
        drop(db);
        if let (Some(name), Some(admin_url)) = (pg_name, &admin) {
            let mut admin_conn = diesel::PgConnection::establish(admin_url).unwrap();
            diesel::sql_query(format!("DROP DATABASE {name} WITH (FORCE)")).execute(&mut admin_conn).unwrap();
        }
    }
}

#[test]
fn an_unreachable_database_is_reported_with_its_cause() {
    let err = Db::open("postgres://nobody@127.0.0.1:1/none", 1, Duration::from_secs(1)).err().unwrap();
    let text = err.to_string();
    assert!(text.starts_with("the database could not be reached"), "{text}");
    assert!(text.to_lowercase().contains("connect"), "{text}");
}
