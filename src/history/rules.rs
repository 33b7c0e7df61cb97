//! The chain's arithmetic: what a row's hash covers, and how a sequence of rows is judged. Pure.

use chrono::NaiveDateTime;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::UserId;

/// The `previous_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One field's value before and after a change (JSON, so any field type fits).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// What a change to governance data says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Who made the change; None for the system itself (start-up, a command run by the operator).
    pub user_id: Option<UserId>,
    /// Whose data it is; None for shared data such as the catalogue.
    pub organisation_id: Option<i32>,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub changes: Vec<Change>,
}

/// A stored row as the hash sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainRow {
    pub id: i32,
    pub recorded_at: NaiveDateTime,
    pub user_id: Option<i32>,
    pub organisation_id: Option<i32>,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub changes: String,
    pub previous_hash: String,
    pub row_hash: String,
}

/// The changes as stored: a JSON object of field -> {before, after}, fields in the order given.
pub fn changes_json(changes: &[Change]) -> String {
    let object: serde_json::Map<String, serde_json::Value> = changes
        .iter()
        .map(|c| (c.field.clone(), serde_json::json!({ "before": c.before, "after": c.after })))
        .collect();
    serde_json::Value::Object(object).to_string()
}

/// Instants are kept to the microsecond, the finest both backends store, so a row read back hashes
/// as it did when written.
pub fn to_stored_precision(instant: NaiveDateTime) -> NaiveDateTime {
    let micros = instant.and_utc().timestamp_micros();
    chrono::DateTime::from_timestamp_micros(micros).map(|t| t.naive_utc()).unwrap_or(instant)
}

/// SHA-256 over every field of the row except its own hash, and over the previous row's hash.
#[allow(clippy::too_many_arguments)]
pub fn row_hash(
    id: i32,
    recorded_at: NaiveDateTime,
    user_id: Option<i32>,
    organisation_id: Option<i32>,
    entity: &str,
    entity_id: &str,
    action: &str,
    changes: &str,
    previous_hash: &str,
) -> String {
    // A JSON array gives every field an unambiguous boundary.
    let canonical = serde_json::json!([
        id,
        recorded_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        user_id,
        organisation_id,
        entity,
        entity_id,
        action,
        changes,
        previous_hash,
    ]);
    hex::encode(Sha256::digest(canonical.to_string().as_bytes()))
}

impl ChainRow {
    fn computed_hash(&self) -> String {
        row_hash(
            self.id,
            self.recorded_at,
            self.user_id,
            self.organisation_id,
            &self.entity,
            &self.entity_id,
            &self.action,
            &self.changes,
            &self.previous_hash,
        )
    }
}

/// The first place the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The row's contents no longer match its hash: it was edited.
    Altered { id: i32 },
    /// Rows are missing: the chain expected row `expected` and found row `found`.
    Missing { expected: i32, found: i32 },
    /// The row does not point at the hash of the row before it: that row was replaced or
    /// re-hashed.
    Unlinked { id: i32 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Altered { id } => {
                write!(f, "history row {id} was altered: its contents no longer match its hash")
            }
            ChainBreak::Missing { expected, found } => {
                write!(f, "history row {expected} is missing: the chain jumps to row {found}")
            }
            ChainBreak::Unlinked { id } => write!(
                f,
                "history row {id} does not follow the row before it: row {} was replaced or re-hashed",
                id - 1
            ),
        }
    }
}

/// Walks rows in id order, carrying what the next row must continue from.
#[derive(Debug, Clone)]
pub struct ChainWalk {
    pub next_id: i32,
    pub previous_hash: String,
    pub rows: u64,
}

impl Default for ChainWalk {
    fn default() -> Self {
        Self { next_id: 1, previous_hash: GENESIS_HASH.to_string(), rows: 0 }
    }
}

impl ChainWalk {
    /// Judges the next row; on success the walk moves past it.
    pub fn step(&mut self, row: &ChainRow) -> Result<(), ChainBreak> {
        if row.id != self.next_id {
            return Err(ChainBreak::Missing { expected: self.next_id, found: row.id });
        }
        if row.computed_hash() != row.row_hash {
            return Err(ChainBreak::Altered { id: row.id });
        }
        if row.previous_hash != self.previous_hash {
            return Err(ChainBreak::Unlinked { id: row.id });
        }
        self.next_id += 1;
        self.previous_hash = row.row_hash.clone();
        self.rows += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i32) -> Vec<ChainRow> {
        let mut previous = GENESIS_HASH.to_string();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_hms_micro_opt(9, 30, 0, 123_456).unwrap();
        (1..=n)
            .map(|id| {
                let changes = changes_json(&[Change {
                    field: "result".into(),
                    before: serde_json::Value::Null,
                    after: serde_json::json!("met"),
                }]);
                let hash = row_hash(id, at, Some(1), Some(2), "assessment", "GF1", "update", &changes, &previous);
                let row = ChainRow {
                    id,
                    recorded_at: at,
                    user_id: Some(1),
                    organisation_id: Some(2),
                    entity: "assessment".into(),
                    entity_id: "GF1".into(),
                    action: "update".into(),
                    changes,
                    previous_hash: previous.clone(),
                    row_hash: hash.clone(),
                };
                previous = hash;
                row
            })
            .collect()
    }

    fn walk(rows: &[ChainRow]) -> Result<u64, ChainBreak> {
        let mut walk = ChainWalk::default();
        for row in rows {
            walk.step(row)?;
        }
        Ok(walk.rows)
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(walk(&chain(5)), Ok(5));
        assert_eq!(walk(&[]), Ok(0));
    }

    #[test]
    fn an_edited_field_is_found_at_its_row() {
        for edit in [
            |r: &mut ChainRow| r.changes = r.changes.replace("met", "not met"),
            |r: &mut ChainRow| r.user_id = Some(99),
            |r: &mut ChainRow| r.organisation_id = None,
            |r: &mut ChainRow| r.recorded_at += chrono::Duration::microseconds(1),
            |r: &mut ChainRow| r.action = "delete".into(),
        ] {
            let mut rows = chain(5);
            edit(&mut rows[2]);
            assert_eq!(walk(&rows), Err(ChainBreak::Altered { id: 3 }));
        }
    }

    #[test]
    fn a_removed_row_is_found() {
        let mut rows = chain(5);
        rows.remove(1);
        assert_eq!(walk(&rows), Err(ChainBreak::Missing { expected: 2, found: 3 }));
    }

    #[test]
    fn a_rehashed_row_is_found_by_the_next_one() {
        let mut rows = chain(5);
        rows[2].changes = rows[2].changes.replace("met", "not met");
        rows[2].row_hash = rows[2].computed_hash();
        assert_eq!(walk(&rows), Err(ChainBreak::Unlinked { id: 4 }));
    }

    #[test]
    fn instants_keep_microseconds_only() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_hms_nano_opt(9, 0, 0, 123_456_789).unwrap();
        assert_eq!(to_stored_precision(at).and_utc().timestamp_subsec_nanos(), 123_456_000);
    }
}
