//! The chain's arithmetic: what a row's hash covers, how it is sealed, and how a sequence of rows is
//! judged. Pure.

use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::key::HistoryKey;
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

/// How a row's hash is made. (No `Debug`: it may hold the key.)
#[derive(Clone, Copy)]
pub enum Sealing<'a> {
    /// Plain SHA-256, as rows were written before the trail was keyed. Anyone who can write the
    /// database can recompute it, so it is accepted only below the key's `keyed_from`.
    Plain,
    /// HMAC-SHA256 under the history key, which is kept outside the database: a copy of the
    /// database alone cannot make it.
    Keyed(&'a [u8]),
}

/// The hash of a row: over every field except its own hash, and over the previous row's hash,
/// sealed as `sealing` says.
#[allow(clippy::too_many_arguments)]
pub fn row_hash(
    sealing: Sealing,
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
    let canonical = canonical.to_string();
    match sealing {
        Sealing::Plain => hex::encode(Sha256::digest(canonical.as_bytes())),
        Sealing::Keyed(secret) => {
            let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
            mac.update(canonical.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
    }
}

impl ChainRow {
    fn computed_hash(&self, sealing: Sealing) -> String {
        row_hash(
            sealing,
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
    /// A row the key must seal carries a plain SHA-256 hash: it was written, or rewritten, by
    /// someone without the key.
    Unkeyed { id: i32, keyed_from: i32 },
    /// The first row the key must seal does not match under it, so nothing shows the key is this
    /// trail's: the key file is another trail's, or that row was altered.
    KeyMismatch { id: i32 },
    /// The trail ends before the row the key was made to continue from: the newest rows were
    /// removed.
    EndsBeforeKey { rows: u64, keyed_from: i32 },
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
            ChainBreak::Unkeyed { id, keyed_from } => write!(
                f,
                "history row {id} has a plain SHA-256 hash, but every row from {keyed_from} on is sealed with \
                 the history key: it was rewritten by someone without the key"
            ),
            ChainBreak::KeyMismatch { id } => write!(
                f,
                "row {id}, the first row the key seals, is not sealed with this key: the key file belongs to \
                 another trail, or row {id} was altered"
            ),
            ChainBreak::EndsBeforeKey { rows, keyed_from } => write!(
                f,
                "the trail has {rows} rows, but it had {} when its history key was made: the newest rows \
                 were removed",
                keyed_from - 1
            ),
        }
    }
}

/// Walks rows in id order under one key, carrying what the next row must continue from. Rows below
/// the key's `keyed_from` were written before the trail was keyed and are checked as plain SHA-256;
/// every row from it on must carry the key's HMAC.
#[derive(Debug, Clone)]
pub struct ChainWalk<'k> {
    key: &'k HistoryKey,
    pub next_id: i32,
    pub previous_hash: String,
    pub rows: u64,
    /// Whether a row sealed with the key has matched yet, which shows the key is this trail's.
    key_matched: bool,
}

impl<'k> ChainWalk<'k> {
    /// A walk from the first row.
    pub fn new(key: &'k HistoryKey) -> Self {
        Self { key, next_id: 1, previous_hash: GENESIS_HASH.to_string(), rows: 0, key_matched: false }
    }

    /// How row `id` must be sealed.
    fn sealing(&self, id: i32) -> Sealing<'k> {
        if id < self.key.keyed_from() {
            Sealing::Plain
        } else {
            Sealing::Keyed(self.key.secret())
        }
    }

    /// Judges the next row; on success the walk moves past it.
    pub fn step(&mut self, row: &ChainRow) -> Result<(), ChainBreak> {
        if row.id != self.next_id {
            return Err(ChainBreak::Missing { expected: self.next_id, found: row.id });
        }
        let sealing = self.sealing(row.id);
        if row.computed_hash(sealing) != row.row_hash {
            if let Sealing::Keyed(_) = sealing {
                if row.computed_hash(Sealing::Plain) == row.row_hash {
                    return Err(ChainBreak::Unkeyed { id: row.id, keyed_from: self.key.keyed_from() });
                }
                if !self.key_matched {
                    return Err(ChainBreak::KeyMismatch { id: row.id });
                }
            }
            return Err(ChainBreak::Altered { id: row.id });
        }
        if row.previous_hash != self.previous_hash {
            return Err(ChainBreak::Unlinked { id: row.id });
        }
        if let Sealing::Keyed(_) = sealing {
            self.key_matched = true;
        }
        self.next_id += 1;
        self.previous_hash = row.row_hash.clone();
        self.rows += 1;
        Ok(())
    }

    /// After the last row: the trail must reach at least the rows it had when the key was made.
    pub fn finish(&self) -> Result<(), ChainBreak> {
        let keyed_from = self.key.keyed_from();
        if self.rows < u64::try_from(keyed_from - 1).unwrap_or(0) {
            return Err(ChainBreak::EndsBeforeKey { rows: self.rows, keyed_from });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(keyed_from: i32) -> HistoryKey {
        HistoryKey::new([7; 32], keyed_from)
    }

    /// `n` rows, those below `key.keyed_from()` plain, the rest sealed with `key`.
    fn chain(n: i32, key: &HistoryKey) -> Vec<ChainRow> {
        let mut previous = GENESIS_HASH.to_string();
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_hms_micro_opt(9, 30, 0, 123_456).unwrap();
        (1..=n)
            .map(|id| {
                let mut row = ChainRow {
                    id,
                    recorded_at: at,
                    user_id: Some(1),
                    organisation_id: Some(2),
                    entity: "assessment".into(),
                    entity_id: "GF1".into(),
                    action: "update".into(),
                    changes: changes_json(&[Change {
                        field: "result".into(),
                        before: serde_json::Value::Null,
                        after: serde_json::json!("met"),
                    }]),
                    previous_hash: previous.clone(),
                    row_hash: String::new(),
                };
                row.row_hash = row.computed_hash(ChainWalk::new(key).sealing(id));
                previous = row.row_hash.clone();
                row
            })
            .collect()
    }

    fn walk(rows: &[ChainRow], key: &HistoryKey) -> Result<u64, ChainBreak> {
        let mut walk = ChainWalk::new(key);
        for row in rows {
            walk.step(row)?;
        }
        walk.finish()?;
        Ok(walk.rows)
    }

    /// Edits row `at` and re-hashes it and every row after it, each sealed as `sealing` says, as
    /// someone who can write the database would.
    fn rewrite_from(rows: &mut [ChainRow], at: usize, sealing: Sealing) {
        rows[at].changes = rows[at].changes.replace("met", "not met");
        for i in at..rows.len() {
            if i > 0 {
                rows[i].previous_hash = rows[i - 1].row_hash.clone();
            }
            rows[i].row_hash = rows[i].computed_hash(sealing);
        }
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(walk(&chain(5, &key(1)), &key(1)), Ok(5));
        assert_eq!(walk(&[], &key(1)), Ok(0));
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
            let mut rows = chain(5, &key(1));
            edit(&mut rows[2]);
            assert_eq!(walk(&rows, &key(1)), Err(ChainBreak::Altered { id: 3 }));
        }
    }

    #[test]
    fn a_removed_row_is_found() {
        let mut rows = chain(5, &key(1));
        rows.remove(1);
        assert_eq!(walk(&rows, &key(1)), Err(ChainBreak::Missing { expected: 2, found: 3 }));
    }

    #[test]
    fn a_rehashed_row_is_found_by_the_next_one() {
        let key = key(1);
        let mut rows = chain(5, &key);
        rows[2].changes = rows[2].changes.replace("met", "not met");
        rows[2].row_hash = rows[2].computed_hash(Sealing::Keyed(key.secret()));
        assert_eq!(walk(&rows, &key), Err(ChainBreak::Unlinked { id: 4 }));
    }

    #[test]
    fn a_tail_rewritten_without_the_key_is_found_at_its_first_row() {
        let mut rows = chain(5, &key(1));
        rewrite_from(&mut rows, 2, Sealing::Plain);
        assert_eq!(walk(&rows, &key(1)), Err(ChainBreak::Unkeyed { id: 3, keyed_from: 1 }));
    }

    #[test]
    fn only_the_key_makes_a_rewritten_tail_pass() {
        let mut rows = chain(5, &key(1));
        rewrite_from(&mut rows, 2, Sealing::Keyed(key(1).secret()));
        assert_eq!(walk(&rows, &key(1)), Ok(5), "the key's holder can rewrite: the key is what protects");
        let other = HistoryKey::new([8; 32], 1);
        assert_eq!(walk(&rows, &other), Err(ChainBreak::KeyMismatch { id: 1 }), "another key matches nothing");
    }

    #[test]
    fn a_row_forged_with_another_key_after_the_key_matched_is_altered() {
        let mut rows = chain(5, &key(1));
        rewrite_from(&mut rows, 2, Sealing::Keyed(&[9; 32]));
        assert_eq!(walk(&rows, &key(1)), Err(ChainBreak::Altered { id: 3 }));
    }

    #[test]
    fn rows_before_keyed_from_are_plain_and_rows_from_it_are_sealed() {
        let key = key(4);
        let rows = chain(6, &key);
        assert_eq!(walk(&rows, &key), Ok(6), "three plain rows, then three sealed");
        // The same trail written wholly plain, as before the key: row 4 on must be sealed.
        let plain = chain(6, &HistoryKey::new([7; 32], 7));
        assert_eq!(walk(&plain, &key), Err(ChainBreak::Unkeyed { id: 4, keyed_from: 4 }));
        // A legacy row edited and the rest rewritten plain: still caught, at the first sealed row.
        let mut rows = chain(6, &key);
        rewrite_from(&mut rows, 1, Sealing::Plain);
        assert_eq!(walk(&rows, &key), Err(ChainBreak::Unkeyed { id: 4, keyed_from: 4 }));
    }

    #[test]
    fn a_trail_shorter_than_when_the_key_was_made_is_cut() {
        let key = key(4);
        let rows = chain(6, &key);
        assert_eq!(walk(&rows[..3], &key), Ok(3), "the rows the trail had when the key was made");
        assert_eq!(walk(&rows[..2], &key), Err(ChainBreak::EndsBeforeKey { rows: 2, keyed_from: 4 }));
    }

    #[test]
    fn a_keyed_hash_is_the_hmac_of_the_canonical_row() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap().and_hms_opt(3, 4, 5).unwrap();
        let fields = |sealing| row_hash(sealing, 1, at, None, Some(2), "e", "1", "create", "{}", GENESIS_HASH);
        let canonical = format!(r#"[1,"2026-01-02T03:04:05.000000Z",null,2,"e","1","create","{{}}","{GENESIS_HASH}"]"#);
        assert_eq!(fields(Sealing::Plain), hex::encode(Sha256::digest(canonical.as_bytes())));
        let mut mac = Hmac::<Sha256>::new_from_slice(b"secret").unwrap();
        mac.update(canonical.as_bytes());
        assert_eq!(fields(Sealing::Keyed(b"secret")), hex::encode(mac.finalize().into_bytes()));
        assert_ne!(fields(Sealing::Keyed(b"secret")), fields(Sealing::Keyed(b"secreT")));
    }

    #[test]
    fn instants_keep_microseconds_only() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap().and_hms_nano_opt(9, 0, 0, 123_456_789).unwrap();
        assert_eq!(to_stored_precision(at).and_utc().timestamp_subsec_nanos(), 123_456_000);
    }
}
