//! The one connection type over SQLite and PostgreSQL, its pool, and the embedded migrations.
//!
//! The backend is chosen from the URL's scheme, never by trial: a mistyped PostgreSQL URL must fail
//! loudly rather than quietly create an SQLite file named after it.

pub mod codes;
pub mod error;
pub mod ids;
pub mod page;
pub mod schema;

pub use error::{StoreError, StoreResult};
pub use ids::{ProviderId, StaffId, UserId};
pub use page::{Direction, Page};

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::insertable::Insertable;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{InsertStatement, QueryFragment};
use diesel::query_dsl::methods::ExecuteDsl;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// How long an SQLite writer waits for another writer before giving up.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

/// A connection to either backend; everything above `db/` works through this type only. The derive
/// also makes `MultiBackend`, its backend, which a type implements `FromSql` and `ToSql` for to be
/// read and written through it (see `vocabulary!`).
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

pub type DbPool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

/// Errors from opening, migrating or using the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database URL {0:?} is not usable: {1}")]
    Url(String, String),
    #[error("could not connect to the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("no database connection available: {0}")]
    Pool(#[from] r2d2::Error),
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("migration failed: {0}")]
    Migration(String),
}

/// Which backend a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    /// A file path (`./ohgov.db`, `sqlite:///var/lib/ohgov.db`, `sqlite://ohgov.db`).
    Sqlite(PathBuf),
    /// A libpq URL (`postgres://…` or `postgresql://…`).
    Postgres(String),
}

impl DatabaseTarget {
    /// Reads `DATABASE_URL`'s forms: `postgres://` or `postgresql://` for PostgreSQL, `sqlite://` or a
    /// plain path for SQLite.
    pub fn parse(url: &str) -> Result<Self, DbError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(DbError::Url(url.into(), "it is empty".into()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseTarget::Postgres(url.to_string()));
        }
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(DbError::Url(url.into(), "no file path after sqlite://".into()));
            }
            return Ok(DatabaseTarget::Sqlite(PathBuf::from(path)));
        }
        if let Some((scheme, _)) = url.split_once("://") {
            return Err(DbError::Url(url.into(), format!("unknown scheme {scheme:?}: use postgres:// or sqlite://")));
        }
        Ok(DatabaseTarget::Sqlite(PathBuf::from(url)))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseTarget::Sqlite(_) => "sqlite",
            DatabaseTarget::Postgres(_) => "postgres",
        }
    }
}

/// The r2d2 manager: opens the backend the URL names and applies SQLite's per-connection settings.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    target: DatabaseTarget,
}

impl ConnectionManager {
    pub fn new(target: DatabaseTarget) -> Self {
        Self { target }
    }
}

/// Durability and integrity settings every SQLite connection gets before first use. This is
/// governance evidence: a committed write must survive a power cut (`synchronous=FULL`).
const SQLITE_SETUP: &str = "PRAGMA journal_mode = WAL; \
     PRAGMA synchronous = FULL; \
     PRAGMA foreign_keys = ON;";

pub fn establish(target: &DatabaseTarget) -> Result<DbConnection, DbError> {
    match target {
        DatabaseTarget::Postgres(url) => Ok(DbConnection::Postgres(diesel::PgConnection::establish(url)?)),
        DatabaseTarget::Sqlite(path) => {
            let path = path
                .to_str()
                .ok_or_else(|| DbError::Url(path.display().to_string(), "the path is not valid UTF-8".into()))?;
            let mut conn = diesel::SqliteConnection::establish(path)?;
            // busy_timeout first, so that switching to WAL waits for a concurrent opener.
            conn.batch_execute(&format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};"))?;
            conn.batch_execute(SQLITE_SETUP)?;
            Ok(DbConnection::Sqlite(conn))
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = DbError;

    fn connect(&self) -> Result<DbConnection, DbError> {
        establish(&self.target)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), DbError> {
        conn.batch_execute("SELECT 1").map_err(DbError::from)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        <DbConnection as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

/// Opens a pool, creating the SQLite file if needed.
pub fn pool(target: &DatabaseTarget, max_size: u32) -> Result<DbPool, DbError> {
    Ok(r2d2::Pool::builder()
        .max_size(max_size)
        .connection_timeout(Duration::from_secs(10))
        .build(ConnectionManager::new(target.clone()))?)
}

/// Applies every pending migration of the connection's backend. Returns how many were applied.
pub fn run_migrations(conn: &mut DbConnection) -> Result<usize, DbError> {
    let applied = match conn {
        DbConnection::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    applied.map_err(|e| DbError::Migration(e.to_string()))
}

/// The migrations a database records as applied that this binary does not know: a database made
/// by a newer release, which this one must not take on (`ohgov restore` refuses it).
pub fn unknown_migrations(conn: &mut DbConnection) -> Result<Vec<String>, DbError> {
    use diesel::migration::MigrationSource;
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
    let (applied, known): (Vec<String>, Vec<String>) = match conn {
        DbConnection::Postgres(c) => (
            c.applied_migrations().map_err(failed)?.iter().map(|v| v.to_string()).collect(),
            MigrationSource::<Pg>::migrations(&POSTGRES_MIGRATIONS)
                .map_err(failed)?
                .iter()
                .map(|m| m.name().version().to_string())
                .collect(),
        ),
        DbConnection::Sqlite(c) => (
            c.applied_migrations().map_err(failed)?.iter().map(|v| v.to_string()).collect(),
            MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
                .map_err(failed)?
                .iter()
                .map(|m| m.name().version().to_string())
                .collect(),
        ),
    };
    Ok(applied.into_iter().filter(|version| !known.contains(version)).collect())
}

/// Runs `work` in a transaction that holds the write lock from its first statement.
///
/// On SQLite a deferred transaction that reads and then writes fails at once with SQLITE_BUSY when
/// another writer got in first; `BEGIN IMMEDIATE` makes it wait on `busy_timeout` instead. On
/// PostgreSQL this is an ordinary transaction.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConnection::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match work(conn) {
        Ok(value) => {
            <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(error)
        }
    }
}

diesel::define_sql_function! {
    /// SQLite's id of the row this connection inserted last.
    fn last_insert_rowid() -> diesel::sql_types::BigInt;
}

diesel::define_sql_function! {
    /// PostgreSQL's value of the sequence this session advanced last.
    fn lastval() -> diesel::sql_types::BigInt;
}

/// The id of the row this connection inserted last. Both functions are per-connection, so another
/// session's insert cannot be seen. (MultiConnection has no `RETURNING`.)
pub fn last_insert_id(conn: &mut DbConnection) -> QueryResult<i32> {
    let id: i64 = match conn {
        DbConnection::Sqlite(c) => diesel::select(last_insert_rowid()).get_result(c)?,
        DbConnection::Postgres(c) => diesel::select(lastval()).get_result(c)?,
    };
    i32::try_from(id).map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))
}

/// The most values one statement may bind on either backend: SQLite's limit (32,766 by default
/// since 3.32, and the bundled library keeps the default) is below PostgreSQL's 65,535.
pub const MAX_BOUND_VALUES: usize = 32_766;

/// Inserts `rows` into `table` with as few statements as the bound-value limit allows; returns how
/// many rows were written. Every insert of several rows goes through here.
///
/// diesel 2.3's `MultiConnection` cannot run a multi-row insert: its derived backend refuses SQLite's
/// batch insert (`insert_into(t).values(&rows)` does not compile for `DbConnection`). Each backend's
/// own connection can, so each chunk is handed to the connection underneath ([`BatchRow`]).
pub fn insert_batch<T: Copy, R: BatchRow<T>>(conn: &mut DbConnection, table: T, rows: &[R]) -> QueryResult<usize> {
    let Some(first) = rows.first() else { return Ok(0) };
    let per_statement = (MAX_BOUND_VALUES / R::columns(table, first).max(1)).max(1);
    let mut written = 0;
    for chunk in rows.chunks(per_statement) {
        written += R::insert_chunk(conn, table, chunk)?;
    }
    Ok(written)
}

/// A row [`insert_batch`] can write to table `T` on both backends: any tuple of `column.eq(value)`
/// or `Insertable` struct diesel can insert many at a time on SQLite and on PostgreSQL.
///
/// (A trait rather than bounds on `insert_batch` itself: bounds on `&[R]` there send the compiler
/// round diesel's `Insertable` impls before it knows `R`, and it gives up.)
pub trait BatchRow<T>: Sized {
    /// Writes `rows` in one statement on the connection underneath.
    fn insert_chunk(conn: &mut DbConnection, table: T, rows: &[Self]) -> QueryResult<usize>;

    /// How many values one row binds at most: the columns its insert names.
    fn columns(table: T, row: &Self) -> usize;
}

impl<T, R> BatchRow<T> for R
where
    T: Table + Copy,
    for<'a> &'a [R]: Insertable<T>,
    for<'a> InsertStatement<T, <&'a [R] as Insertable<T>>::Values>:
        ExecuteDsl<diesel::SqliteConnection> + ExecuteDsl<diesel::PgConnection> + QueryFragment<Pg>,
{
    fn insert_chunk(conn: &mut DbConnection, table: T, rows: &[R]) -> QueryResult<usize> {
        let statement = diesel::insert_into(table).values(rows);
        match conn {
            DbConnection::Sqlite(c) => statement.execute(c),
            DbConnection::Postgres(c) => statement.execute(c),
        }
    }

    fn columns(table: T, row: &R) -> usize {
        columns_of(&diesel::insert_into(table).values(std::slice::from_ref(row)))
    }
}

/// How many columns a one-row insert names: at most one bound value each. Read from the statement's
/// SQL, because diesel does not expose the count; a statement it cannot read is taken to be as wide
/// as a wide table, so the chunks stay under the limit either way.
fn columns_of<Q: QueryFragment<Pg>>(statement: &Q) -> usize {
    const WIDE: usize = 64;
    let sql = diesel::debug_query::<Pg, _>(statement).to_string();
    let head = sql.split(" VALUES ").next().unwrap_or_default();
    match head.rfind('(') {
        Some(open) => head[open..].matches(',').count() + 1,
        None => WIDE,
    }
}

/// Which backend a live connection talks to, for messages and the health check.
pub fn backend_name(conn: &DbConnection) -> &'static str {
    match conn {
        DbConnection::Postgres(_) => "postgres",
        DbConnection::Sqlite(_) => "sqlite",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_backend_by_scheme() {
        assert_eq!(DatabaseTarget::parse("ohgov.db").unwrap(), DatabaseTarget::Sqlite("ohgov.db".into()));
        assert_eq!(
            DatabaseTarget::parse("sqlite:///var/lib/ohgov/ohgov.db").unwrap(),
            DatabaseTarget::Sqlite("/var/lib/ohgov/ohgov.db".into())
        );
        assert_eq!(
            DatabaseTarget::parse("postgres://ohgov@127.0.0.1/ohgov").unwrap(),
            DatabaseTarget::Postgres("postgres://ohgov@127.0.0.1/ohgov".into())
        );
        assert!(matches!(DatabaseTarget::parse("postgresql://db/ohgov"), Ok(DatabaseTarget::Postgres(_))));
    }

    #[test]
    fn unknown_schemes_and_empty_urls_are_refused() {
        assert!(DatabaseTarget::parse("mysql://localhost/ohgov").is_err());
        assert!(DatabaseTarget::parse("   ").is_err());
        assert!(DatabaseTarget::parse("sqlite://").is_err());
    }
}
