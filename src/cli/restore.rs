//! `ohgov restore FILE`: puts an SQLite backup (`ohgov backup`) back as the database
//! `DATABASE_URL` names. Stop the service first.
//!
//! Everything that can refuse is checked before the database is touched: FILE is an ohgov database
//! of a schema this binary knows, the target holds no data (unless `--force`), the history key file
//! is there. The copy is then migrated forward and its audit trail verified beside the target, and
//! only a copy that passes is renamed into place (stale `-wal`/`-shm` files removed first, so SQLite
//! cannot replay the old database's log onto it).

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::backup::{self, open_plain, row_count, table_names};
use crate::config;
use crate::db::{self, DatabaseTarget, DbConnection};
use crate::history::{self, ChainBreak};

#[derive(clap::Args)]
pub struct RestoreArgs {
    /// The backup to restore, made by `ohgov backup`.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Replace a database that holds data (users, organisations or history).
    #[arg(long)]
    pub force: bool,
}

/// Diesel's record of the migrations applied: what makes a file an ohgov database.
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

pub fn run(database_url: Option<String>, args: RestoreArgs) -> anyhow::Result<()> {
    let url = super::database_url(database_url);
    let DatabaseTarget::Sqlite(target) = DatabaseTarget::parse(&url)? else {
        anyhow::bail!(
            "ohgov restore puts back an SQLite backup; for PostgreSQL restore a pg_dump with its own tool: \
             pg_restore --clean --if-exists --dbname=DATABASE_URL ohgov.dump (see README, Operations)"
        );
    };
    check_backup(&args.file)?;
    if !args.force {
        if let Some(held) = data_held(&target)? {
            anyhow::bail!("{} holds data ({held}); give --force to replace it", target.display());
        }
    }
    // Read, never made: a key made now would call every restored row older than the key.
    let key_file = config::history_key_file(&url);
    let key = history::key::load(&key_file)?;

    let temp = backup::temp_beside(&target)?;
    let prepared = prepare(&args.file, &temp, &key);
    let (migrated, verified) = match prepared {
        Ok(done) => done,
        Err(error) => {
            remove_with_log(&temp);
            return Err(error);
        }
    };
    for stale in [sidecar(&target, "-wal"), sidecar(&target, "-shm")] {
        if stale.exists() {
            std::fs::remove_file(&stale).with_context(|| format!("removing {}", stale.display()))?;
        }
    }
    std::fs::rename(&temp, &target).with_context(|| format!("moving the restored copy to {}", target.display()))?;
    backup::sync_parent(&target);
    let contents = backup::contents_of(&target)?;
    println!("restored {} into {}", args.file.display(), target.display());
    println!("{} tables, {} rows", contents.tables, contents.rows);
    if migrated > 0 {
        println!("migrated forward: {migrated} migrations applied");
    }
    println!("history intact: {} rows, last hash {}", verified.rows, verified.last_hash);
    println!("head: {}:{}", verified.rows, verified.last_hash);
    Ok(())
}

/// Refuses a FILE that is not an ohgov SQLite database, or one made by a newer release.
fn check_backup(file: &Path) -> anyhow::Result<()> {
    if !file.is_file() {
        anyhow::bail!("{} is not a file", file.display());
    }
    let not_ours = || format!("{} is not an ohgov database", file.display());
    let mut conn = open_plain(file).with_context(not_ours)?;
    let tables = table_names(&mut conn).with_context(|| format!("{}: not an SQLite database", not_ours()))?;
    if !tables.iter().any(|t| t == MIGRATIONS_TABLE) || !tables.iter().any(|t| t == "history") {
        anyhow::bail!("{}: it has no ohgov migrations table", not_ours());
    }
    let newer = db::unknown_migrations(&mut DbConnection::Sqlite(conn))?;
    if !newer.is_empty() {
        anyhow::bail!(
            "{} was made by a newer ohgov (migrations {} are unknown to this one); restore it with that release",
            file.display(),
            newer.join(", ")
        );
    }
    Ok(())
}

/// What data the target database holds, in words, or None when it has none (or does not exist).
fn data_held(target: &Path) -> anyhow::Result<Option<String>> {
    if !target.exists() || std::fs::metadata(target).map(|m| m.len()).unwrap_or(0) == 0 {
        return Ok(None);
    }
    let unreadable =
        || format!("{} exists and cannot be read as an ohgov database; give --force to replace it", target.display());
    let mut conn = open_plain(target).with_context(unreadable)?;
    let tables = table_names(&mut conn).with_context(unreadable)?;
    let mut held = Vec::new();
    for table in ["users", "organisations", "history"] {
        if tables.iter().any(|t| t == table) {
            let rows = row_count(&mut conn, table).with_context(unreadable)?;
            if rows > 0 {
                held.push(format!("{rows} {table} rows"));
            }
        }
    }
    Ok((!held.is_empty()).then(|| held.join(", ")))
}

/// Copies FILE to `temp`, migrates it forward and verifies its audit trail under `key`; leaves it
/// self-contained (no WAL), ready to be renamed into place.
fn prepare(file: &Path, temp: &Path, key: &history::HistoryKey) -> anyhow::Result<(usize, history::store::Verified)> {
    std::fs::copy(file, temp).with_context(|| format!("copying {} to {}", file.display(), temp.display()))?;
    let mut conn = db::establish(&DatabaseTarget::Sqlite(temp.to_path_buf()))?;
    let migrated = db::run_migrations(&mut conn)?;
    let verified = match history::store::verify(&mut conn, key)? {
        Ok(verified) => verified,
        Err(chain_break @ ChainBreak::KeyMismatch { .. }) => anyhow::bail!(
            "the backup's audit trail does not match the history key file: {chain_break}; nothing was restored"
        ),
        Err(chain_break) => {
            anyhow::bail!("the backup's audit trail is broken: {chain_break}; nothing was restored")
        }
    };
    // Out of WAL mode: the log is folded into the file, so the file alone is the database.
    if let DbConnection::Sqlite(c) = &mut conn {
        diesel::connection::SimpleConnection::batch_execute(c, "PRAGMA journal_mode = DELETE;")?;
    }
    drop(conn);
    backup::sync_file(temp)?;
    Ok((migrated, verified))
}

/// `target` with `suffix` added to its name (SQLite's `-wal` and `-shm`).
fn sidecar(target: &Path, suffix: &str) -> PathBuf {
    let mut name = target.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_with_log(path: &Path) {
    for file in [path.to_path_buf(), sidecar(path, "-wal"), sidecar(path, "-shm")] {
        if file.exists() {
            if let Err(error) = std::fs::remove_file(&file) {
                tracing::warn!(path = %file.display(), %error, "could not remove a temporary file");
            }
        }
    }
}
