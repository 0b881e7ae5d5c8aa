//! Storage: one diesel schema over SQLite (the embedded default) or PostgreSQL, chosen from the
//! database URL, behind an r2d2 pool. Migrations for each backend are compiled into the binary
//! and applied at start.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub mod answer_moves;
pub mod authorities;
pub mod campaigns;
pub mod codebooks;
pub mod codings;
pub mod dates;
pub mod events;
pub mod holidays;
pub mod inbound;
pub mod models;
pub mod outbox;
pub mod password_resets;
pub mod raw_files;
pub mod reminders;
pub mod report;
pub mod requests;
pub mod schema;
pub mod search;
mod sqlite_tuning;
pub mod users;
pub mod workspaces;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend. PostgreSQL comes first because diesel's `establish` tries
/// variants in order and SQLite accepts any string as a file name; we never call that `establish`
/// ourselves (see [`Manager`]) but keep the safe order.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Runs a query on the backend's own connection instead of through [`AnyConnection`]: the
/// query is written once and compiled for each backend.
///
/// Why: diesel's `MultiConnection` wraps every query in a type that writes the query's whole SQL
/// text again on every pass over it (the check that it may be cached, the collection of its
/// binds), at every run; under load that was the largest cost of a read (docs/performance.md,
/// "The third round"). On the backend's own connection those passes only walk the query.
/// Used for the queries every API request runs; the rest go through `AnyConnection`.
///
/// `|c|` only names the connection: this is not a closure, so a `?` or `return` inside acts
/// on the enclosing function.
macro_rules! native {
    ($conn:expr, |$c:ident| $query:expr) => {
        match $conn {
            $crate::store::AnyConnection::Postgres($c) => $query,
            $crate::store::AnyConnection::Sqlite($c) => $query,
        }
    };
}
pub(crate) use native;

/// The cause of a store error, kept as its `source`.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No connection could be made; the source says why (refused, unknown host, bad password…).
    #[error("the database could not be reached")]
    Unavailable(#[source] Cause),
    #[error("a database query failed")]
    Query(#[from] diesel::result::Error),
    #[error("the database could not be migrated")]
    Migration(#[source] Cause),
    #[error(
        "\"{0}\" is not a database URL foitrack understands: use sqlite://FILE, a file path, or postgres://USER@HOST/DB"
    )]
    BadUrl(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Where the database is, decided once from the URL's scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Sqlite(String),
    Postgres(String),
}

impl Target {
    pub fn parse(url: &str) -> StoreResult<Self> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Target::Postgres(url.to_string()));
        }
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
        if path.is_empty() || path.contains("://") {
            return Err(StoreError::BadUrl(url.to_string()));
        }
        Ok(Target::Sqlite(path.to_string()))
    }

    /// The URL as it may be shown: any password replaced by `***`.
    pub fn redacted(url: &str) -> String {
        match url::Url::parse(url) {
            Ok(mut parsed) if parsed.password().is_some() => {
                let _ = parsed.set_password(Some("***"));
                parsed.to_string()
            }
            _ => url.to_string(),
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Target::Sqlite(_) => Backend::Sqlite,
            Target::Postgres(_) => Backend::Postgres,
        }
    }
}

/// Opens connections for the pool. SQLite gets WAL (readers never wait for the writer), a busy
/// timeout (writers queue instead of failing), `synchronous = NORMAL` (safe with WAL) and foreign
/// keys, on every connection, since these are per-connection settings.
#[derive(Debug, Clone)]
pub struct Manager {
    target: Target,
    busy_timeout: Duration,
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, r2d2::Error> {
        match &self.target {
            Target::Postgres(url) => diesel::PgConnection::establish(url)
                .map(AnyConnection::Postgres)
                .map_err(r2d2::Error::ConnectionError),
            Target::Sqlite(path) => {
                sqlite_tuning::apply_once();
                let mut conn =
                    diesel::SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                    self.busy_timeout.as_millis()
                ))
                .map_err(r2d2::Error::QueryError)?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    /// A connection left inside a failed transaction is dropped rather than reused.
    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        diesel::r2d2::R2D2Connection::is_broken(conn)
    }
}

pub type Conn = PooledConnection<Manager>;

/// The pool and which backend it talks to.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
    known_workspaces: workspaces::KnownWorkspaces,
}

impl Db {
    /// Connects and applies pending migrations.
    pub fn open(url: &str, pool_size: u32, busy_timeout: Duration) -> StoreResult<Self> {
        let db = Self::connect(url, pool_size, busy_timeout)?;
        db.migrate()?;
        Ok(db)
    }

    /// Connects without touching the schema.
    pub fn connect(url: &str, pool_size: u32, busy_timeout: Duration) -> StoreResult<Self> {
        let target = Target::parse(url)?;
        let backend = target.backend();
        let manager = Manager { target, busy_timeout };
        // One direct connection first: the pool would only report a time-out, this says why.
        manager.connect().map_err(|e| StoreError::Unavailable(e.into()))?;
        let pool = Pool::builder()
            .max_size(pool_size.max(1))
            // r2d2 pings every connection it hands out: a round trip per checkout, which a
            // PostgreSQL server that may restart needs, and a local SQLite file does not.
            .test_on_check_out(backend == Backend::Postgres)
            .connection_timeout(Duration::from_secs(10))
            .build(manager)
            .map_err(|e| StoreError::Unavailable(e.into()))?;
        Ok(Self { pool, backend, known_workspaces: workspaces::KnownWorkspaces::default() })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// How many workspaces this database held when last counted: see
    /// [`workspaces::KnownWorkspaces`].
    pub fn known_workspaces(&self) -> &workspaces::KnownWorkspaces {
        &self.known_workspaces
    }

    pub fn conn(&self) -> StoreResult<Conn> {
        self.pool.get().map_err(|e| StoreError::Unavailable(e.into()))
    }

    /// A second connection for work that can as well wait for the one in hand: only while
    /// another stays idle for whoever asks next, so that it never makes a request wait.
    pub fn spare_conn(&self) -> Option<Conn> {
        if self.pool.state().idle_connections < 2 {
            return None;
        }
        self.pool.try_get()
    }

    /// Applies the migrations this binary carries that the database has not seen yet.
    pub fn migrate(&self) -> StoreResult<Vec<String>> {
        let mut conn = self.conn()?;
        let applied = match &mut *conn {
            AnyConnection::Sqlite(c) => {
                c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.iter().map(|m| m.to_string()).collect())
            }
            AnyConnection::Postgres(c) => c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.iter().map(|m| m.to_string()).collect()),
        };
        applied.map_err(StoreError::Migration)
    }

    /// Runs `SELECT 1`, for the health check.
    pub fn ping(&self) -> StoreResult<()> {
        let mut conn = self.conn()?;
        conn.batch_execute("SELECT 1").map_err(StoreError::Query)
    }
}

/// A transaction that only reads, and sees the data as it was at its first read, in every
/// statement: readers run beside a writer and take no row locks. On SQLite that is any
/// transaction in WAL mode; PostgreSQL's default (`READ COMMITTED`) gives each statement its own
/// snapshot, so there it is `REPEATABLE READ, READ ONLY`, which never fails to serialise. Within
/// an open transaction it is a savepoint of that one, with that one's isolation.
pub fn read_transaction<T, E>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    // The transaction is begun on the PostgreSQL connection itself, the one way diesel offers
    // to begin with our own SQL; the enum's manager then commits it, as it delegates to that
    // same connection's state.
    type Manager = <AnyConnection as Connection>::TransactionManager;
    let AnyConnection::Postgres(pg) = conn else { return conn.transaction(f) };
    match AnsiTransactionManager::begin_transaction_sql(
        pg,
        "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
    ) {
        Err(diesel::result::Error::AlreadyInTransaction) => return conn.transaction(f),
        begun => begun?,
    }
    match f(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn)?;
            Ok(value)
        }
        // As diesel's own `transaction`: the first error is the one worth reporting.
        Err(error) => match Manager::rollback_transaction(conn) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

/// Runs `f` in a transaction that holds the write lock from its first statement. On SQLite a
/// transaction that starts by reading cannot always be upgraded to a writer later (it fails with
/// "database is locked" instead of waiting), so we take the lock first; PostgreSQL locks rows.
pub fn write_transaction<T, E>(
    conn: &mut AnyConnection,
    f: impl FnOnce(&mut AnyConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    conn.transaction(|conn| {
        if matches!(conn, AnyConnection::Sqlite(_)) {
            use schema::write_lock::dsl::*;
            diesel::update(write_lock.filter(id.eq(1))).set(writes.eq(writes + 1)).execute(conn)?;
        }
        f(conn)
    })
}

diesel::define_sql_function! {
    /// SQL `lower()`, the same on both backends for the ASCII text we compare.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Escapes `%`, `_` and the escape character itself for a `LIKE … ESCAPE '\'` pattern.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Operations that must not run twice at once. SQLite's single writer already guarantees that;
/// on PostgreSQL, where several instances may write, they take a transaction-scoped advisory lock.
#[derive(Debug, Clone, Copy)]
pub enum Exclusive {
    /// Importing bodies: two at once would both insert the same new body.
    AuthorityImport = 1,
    /// Creating a campaign: two at once could pick the same reference prefix.
    CampaignCreation = 2,
    /// Changing the bank holidays.
    HolidayImport = 3,
    /// Sending reminders: two instances at once must not send the same digest.
    Reminders = 4,
    /// Saving a codebook: two saves of one key at once would both take the next version.
    CodebookSave = 5,
}

/// Waits until no other transaction holds `what`, and holds it until this transaction ends.
pub fn exclusive(conn: &mut AnyConnection, what: Exclusive) -> Result<(), diesel::result::Error> {
    if let AnyConnection::Postgres(c) = conn {
        diesel::sql_query(format!("SELECT pg_advisory_xact_lock(7466, {})", what as i32)).execute(c)?;
    }
    Ok(())
}

/// Holds a campaign's coding lock until the transaction ends (PostgreSQL; SQLite's single
/// writer already orders them): shared while answers are read or written under its plan,
/// exclusive while the plan changes, so no answer is stored under a plan being replaced.
pub fn lock_coding(
    conn: &mut AnyConnection,
    campaign_id: i64,
    exclusive: bool,
) -> Result<(), diesel::result::Error> {
    if let AnyConnection::Postgres(c) = conn {
        let call = if exclusive { "pg_advisory_xact_lock" } else { "pg_advisory_xact_lock_shared" };
        diesel::sql_query(format!("SELECT {call}(7467, CAST($1 % 2147483647 AS INTEGER))"))
            .bind::<diesel::sql_types::BigInt, _>(campaign_id)
            .execute(c)?;
    }
    Ok(())
}

/// What a failed statement means for the caller, read from the error's kind rather than its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// A unique constraint refused a second copy.
    Duplicate,
    /// Another writer held the database (SQLite, after the busy timeout) or PostgreSQL could not
    /// serialise the transaction: trying again later may work.
    Busy,
    /// Anything else: a fault of ours.
    Other,
}

/// Classifies a diesel error by its kind. Diesel reduces SQLite errors to their kind and the text
/// SQLite gives for the error code (`sqlite3_errmsg`), so a busy database is recognised by that
/// text being exactly SQLite's own wording for `SQLITE_BUSY` or `SQLITE_LOCKED`
/// (`sqlite3_errstr`), not by searching messages. Diesel does not pass PostgreSQL's SQLSTATE on
/// for codes it does not map (22021 for NUL among them), so NUL is refused before it reaches the
/// database (`service::check_text`) and such an error stays `Other`.
pub fn classify(e: &diesel::result::Error) -> Fault {
    use diesel::result::{DatabaseErrorKind as Kind, Error};
    match e {
        Error::DatabaseError(Kind::UniqueViolation, _) => Fault::Duplicate,
        Error::DatabaseError(Kind::SerializationFailure, _) => Fault::Busy,
        Error::DatabaseError(Kind::Unknown, info) if is_sqlite_busy(info.message()) => Fault::Busy,
        _ => Fault::Other,
    }
}

fn is_sqlite_busy(message: &str) -> bool {
    [libsqlite3_sys::SQLITE_BUSY, libsqlite3_sys::SQLITE_LOCKED].into_iter().any(|code| {
        // SAFETY: sqlite3_errstr returns a pointer to a static, NUL-terminated English string for
        // any code, valid for the life of the program.
        let text = unsafe { std::ffi::CStr::from_ptr(libsqlite3_sys::sqlite3_errstr(code)) };
        text.to_bytes() == message.as_bytes()
    })
}

/// Whether an error is a violated unique constraint (a duplicate).
pub fn is_unique_violation(e: &diesel::result::Error) -> bool {
    classify(e) == Fault::Duplicate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_keeps_no_memory_statistics() {
        let dir = tempfile::tempdir().unwrap();
        let db =
            Db::open(&format!("sqlite://{}", dir.path().join("t.db").display()), 1, Duration::from_secs(1))
                .unwrap();
        db.ping().unwrap();
        // SAFETY: reads a counter; with the statistics off SQLite keeps it at zero.
        assert_eq!(unsafe { libsqlite3_sys::sqlite3_memory_used() }, 0);
    }

    #[test]
    fn the_url_scheme_picks_the_backend() {
        assert_eq!(Target::parse("sqlite://foitrack.db").unwrap(), Target::Sqlite("foitrack.db".into()));
        assert_eq!(Target::parse("sqlite:///var/lib/f.db").unwrap(), Target::Sqlite("/var/lib/f.db".into()));
        assert_eq!(Target::parse("data/f.db").unwrap(), Target::Sqlite("data/f.db".into()));
        assert_eq!(Target::parse("postgres://u@h/db").unwrap().backend(), Backend::Postgres);
        assert_eq!(Target::parse("postgresql://u@h/db").unwrap().backend(), Backend::Postgres);
        assert!(Target::parse("mysql://u@h/db").is_err());
        assert!(Target::parse("").is_err());
        assert_eq!(Target::redacted("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(Target::redacted("sqlite://foitrack.db"), "sqlite://foitrack.db");
    }
}
