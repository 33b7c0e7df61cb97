//! `ohgov backup --out FILE`: an online copy of an SQLite database, taken while the service runs.
//!
//! SQLite's `VACUUM INTO` (the bundled libsqlite3) writes a consistent snapshot from one read
//! transaction, so writers in WAL mode carry on meanwhile and the copy holds every commit up to its
//! start and nothing after. Evidence files live in the `blobs` table, so they come with it; the key
//! files (session, history) are outside the database and are kept separately. PostgreSQL is backed
//! up with its own `pg_dump`, which this command points to.

use std::path::{Path, PathBuf};

use anyhow::Context;
use diesel::prelude::*;

use crate::db::{self, DatabaseTarget, DbConnection};

#[derive(clap::Args)]
pub struct BackupArgs {
    /// The file to write the copy to; refused when it exists, unless --force.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace FILE when it exists.
    #[arg(long)]
    pub force: bool,
}

/// What a database file holds, as `backup` reports it and `restore` checks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    pub tables: usize,
    pub rows: i64,
    /// The audit trail's head, `N:HASH`, or None when it has no rows.
    pub head: Option<(i32, String)>,
}

pub fn run(database_url: Option<String>, args: BackupArgs) -> anyhow::Result<()> {
    let url = super::database_url(database_url);
    let DatabaseTarget::Sqlite(source) = DatabaseTarget::parse(&url)? else {
        anyhow::bail!(
            "ohgov backup copies an SQLite database; for PostgreSQL use its own tool: \
             pg_dump --format=custom --file=ohgov.dump DATABASE_URL. The evidence files are in the \
             database (the blobs table), so nothing else of the database needs copying; keep the session \
             and history key files too, which are outside it (see README, Operations)"
        );
    };
    if !source.exists() {
        anyhow::bail!("there is no database at {}", source.display());
    }
    if args.out.exists() && !args.force {
        anyhow::bail!("{} exists; give --force to replace it", args.out.display());
    }
    let temp = temp_beside(&args.out)?;
    let written = copy_online(&source, &temp).and_then(|()| {
        let contents = contents_of(&temp)?;
        sync_file(&temp)?;
        Ok(contents)
    });
    let contents = match written {
        Ok(contents) => contents,
        Err(error) => {
            let _ = std::fs::remove_file(&temp);
            return Err(error);
        }
    };
    let placed = if args.force {
        std::fs::rename(&temp, &args.out).with_context(|| format!("moving the copy to {}", args.out.display()))
    } else {
        // A link fails when FILE appeared meanwhile, so an existing file is never replaced unasked.
        let linked = std::fs::hard_link(&temp, &args.out)
            .with_context(|| format!("{} could not be written (does it exist now?)", args.out.display()));
        let _ = std::fs::remove_file(&temp);
        linked
    };
    placed?;
    sync_parent(&args.out);
    let size = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    println!("backup written: {} ({size} bytes)", args.out.display());
    println!("{} tables, {} rows (evidence files included, in blobs)", contents.tables, contents.rows);
    match &contents.head {
        Some((id, hash)) => println!("history head: {id}:{hash}"),
        None => println!("history head: none (the audit trail is empty)"),
    }
    println!("keep the history key file with it: {}", crate::config::history_key_file(&url).display());
    Ok(())
}

/// A fresh name beside `path`, on the same file system so that a rename into place is atomic.
pub fn temp_beside(path: &Path) -> anyhow::Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| anyhow::anyhow!("{} is not a file name", path.display()))?
        .to_string_lossy()
        .into_owned();
    let temp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    if temp.exists() {
        std::fs::remove_file(&temp).with_context(|| format!("removing a stale {}", temp.display()))?;
    }
    Ok(temp)
}

/// `VACUUM INTO` from the live database to `temp`: one read transaction, so a consistent snapshot
/// however many writers are busy.
fn copy_online(source: &Path, temp: &Path) -> anyhow::Result<()> {
    let mut conn = db::establish(&DatabaseTarget::Sqlite(source.to_path_buf()))?;
    let DbConnection::Sqlite(conn) = &mut conn else {
        anyhow::bail!("{} did not open as SQLite", source.display());
    };
    let temp_text = temp.to_str().ok_or_else(|| anyhow::anyhow!("{} is not valid UTF-8", temp.display()))?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<diesel::sql_types::Text, _>(temp_text)
        .execute(conn)
        .with_context(|| format!("copying {} to {}", source.display(), temp.display()))?;
    Ok(())
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// An SQLite file opened as it is: none of the service's settings (WAL) are applied, so reading
/// it leaves it byte for byte as it was.
pub fn open_plain(path: &Path) -> anyhow::Result<diesel::SqliteConnection> {
    let text = path.to_str().ok_or_else(|| anyhow::anyhow!("{} is not valid UTF-8", path.display()))?;
    Ok(diesel::SqliteConnection::establish(text)?)
}

/// The tables of an SQLite database file (its own, not SQLite's), by name.
pub fn table_names(conn: &mut diesel::SqliteConnection) -> QueryResult<Vec<String>> {
    let names: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .load(conn)?;
    Ok(names.into_iter().map(|n| n.name).collect())
}

/// How many rows a table holds.
pub fn row_count(conn: &mut diesel::SqliteConnection, table: &str) -> QueryResult<i64> {
    let count: Count =
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM \"{}\"", table.replace('"', "\"\""))).get_result(conn)?;
    Ok(count.n)
}

/// The tables, rows and audit trail head of an SQLite database file.
pub fn contents_of(path: &Path) -> anyhow::Result<Contents> {
    let mut conn = open_plain(path)?;
    let tables = table_names(&mut conn)?;
    let mut rows = 0;
    for table in &tables {
        rows += row_count(&mut conn, table)?;
    }
    let mut conn = DbConnection::Sqlite(conn);
    let head = crate::history::store::head(&mut conn)?;
    Ok(Contents { tables: tables.len(), rows, head })
}

/// Flushes a written file to disk before it is renamed into place.
pub fn sync_file(path: &Path) -> anyhow::Result<()> {
    std::fs::File::open(path).and_then(|f| f.sync_all()).with_context(|| format!("flushing {}", path.display()))
}

/// Flushes the folder's entry for `path` (its rename) where the platform allows.
pub fn sync_parent(path: &Path) {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        let _ = std::fs::File::open(parent).and_then(|d| d.sync_all());
    }
}
