//! Appending to the chain and walking it.

use chrono::Utc;
use diesel::prelude::*;

use super::rules::{self, ChainBreak, ChainRow, ChainWalk, Entry, GENESIS_HASH};
use crate::db::schema::history;
use crate::db::DbConnection;

/// Rows read at a time while verifying, so a long trail is never held in memory whole.
const VERIFY_PAGE: i64 = 2_000;

/// Appends one row. Call it inside the transaction that makes the change, so both are written or
/// neither is. Returns the row's id.
pub fn record(conn: &mut DbConnection, entry: &Entry) -> QueryResult<i32> {
    lock_chain(conn)?;
    let last: Option<(i32, String)> =
        history::table.select((history::id, history::row_hash)).order(history::id.desc()).first(conn).optional()?;
    let (id, previous_hash) = match last {
        Some((id, hash)) => (id + 1, hash),
        None => (1, GENESIS_HASH.to_string()),
    };
    let recorded_at = rules::to_stored_precision(Utc::now().naive_utc());
    let changes = rules::changes_json(&entry.changes);
    let row_hash = rules::row_hash(
        id,
        recorded_at,
        entry.user_id,
        entry.organisation_id,
        &entry.entity,
        &entry.entity_id,
        &entry.action,
        &changes,
        &previous_hash,
    );
    diesel::insert_into(history::table)
        .values((
            history::id.eq(id),
            history::recorded_at.eq(recorded_at),
            history::user_id.eq(entry.user_id),
            history::organisation_id.eq(entry.organisation_id),
            history::entity.eq(&entry.entity),
            history::entity_id.eq(&entry.entity_id),
            history::action.eq(&entry.action),
            history::changes.eq(&changes),
            history::previous_hash.eq(&previous_hash),
            history::row_hash.eq(&row_hash),
        ))
        .execute(conn)?;
    Ok(id)
}

diesel::define_sql_function! {
    /// Held until the transaction ends.
    fn pg_advisory_xact_lock(key: diesel::sql_types::BigInt);
}

/// Lock key for appending to the chain (any constant unique within the application).
const CHAIN_LOCK_KEY: i64 = 0x6f68_676f_7601;

/// Serialises appends so two writers cannot both continue from the same row. SQLite's
/// `BEGIN IMMEDIATE` (see `db::write_transaction`) already holds the only write lock there is.
fn lock_chain(conn: &mut DbConnection) -> QueryResult<()> {
    if let DbConnection::Postgres(c) = conn {
        diesel::select(pg_advisory_xact_lock(CHAIN_LOCK_KEY)).execute(c)?;
    }
    Ok(())
}

/// The result of walking the whole trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub rows: u64,
    pub last_hash: String,
}

/// A `history` row, column for column.
pub type StoredRow =
    (i32, chrono::NaiveDateTime, Option<i32>, Option<i32>, String, String, String, String, String, String);

/// Walks every row in order. Ok with the count and the last hash, or the first break.
pub fn verify(conn: &mut DbConnection) -> QueryResult<Result<Verified, ChainBreak>> {
    let mut walk = ChainWalk::default();
    let mut after = 0;
    loop {
        let page: Vec<StoredRow> =
            history::table.filter(history::id.gt(after)).order(history::id).limit(VERIFY_PAGE).load(conn)?;
        let Some(last) = page.last() else { break };
        after = last.0;
        for (id, recorded_at, user_id, organisation_id, entity, entity_id, action, changes, previous_hash, row_hash) in
            page
        {
            let row = ChainRow {
                id,
                recorded_at,
                user_id,
                organisation_id,
                entity,
                entity_id,
                action,
                changes,
                previous_hash,
                row_hash,
            };
            if let Err(chain_break) = walk.step(&row) {
                return Ok(Err(chain_break));
            }
        }
    }
    Ok(Ok(Verified { rows: walk.rows, last_hash: walk.previous_hash }))
}
