//! Appending to the chain and walking it.

use chrono::Utc;
use diesel::prelude::*;

use super::key::{self, HistoryKey, KeyError};
use super::rules::{self, ChainBreak, ChainRow, ChainWalk, Change, Entry, Sealing, GENESIS_HASH};
use crate::db::schema::history;
use crate::db::DbConnection;
use crate::db::UserId;
use crate::db::{Direction, Page};

/// A value as it is written into a history row.
pub fn json<T: serde::Serialize>(value: T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// Changes of a newly created record: every field from nothing to its value.
pub fn created(fields: Vec<(&str, serde_json::Value)>) -> Vec<Change> {
    fields
        .into_iter()
        .map(|(field, after)| Change { field: field.into(), before: serde_json::Value::Null, after })
        .collect()
}

/// Writes the history row of a newly created record: every field from nothing to its value.
pub fn record_created(
    conn: &mut DbConnection,
    by: Option<UserId>,
    organisation_id: Option<i32>,
    entity: &str,
    id: i32,
    fields: Vec<(&str, serde_json::Value)>,
) -> QueryResult<i32> {
    record(
        conn,
        &Entry {
            user_id: by,
            organisation_id,
            entity: entity.into(),
            entity_id: id.to_string(),
            action: "create".into(),
            changes: created(fields),
        },
    )
}

/// The fields that differ between a record's old and new values, for an update's history row.
#[derive(Debug, Default)]
pub struct Diff(pub Vec<Change>);

impl Diff {
    /// Notes the field when its value changed.
    pub fn field<B: serde::Serialize, A: serde::Serialize>(&mut self, name: &str, before: B, after: A) -> &mut Self {
        let (before, after) = (json(before), json(after));
        if before != after {
            self.0.push(Change { field: name.into(), before, after });
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Writes the history row of a change to an existing record, with the action in the field's words
/// ("update", "supersede", "accept").
pub fn record_action(
    conn: &mut DbConnection,
    by: Option<UserId>,
    organisation_id: Option<i32>,
    entity: &str,
    id: i32,
    action: &str,
    changes: Diff,
) -> QueryResult<i32> {
    record(
        conn,
        &Entry {
            user_id: by,
            organisation_id,
            entity: entity.into(),
            entity_id: id.to_string(),
            action: action.into(),
            changes: changes.0,
        },
    )
}

/// Rows read at a time while verifying, so a long trail is never held in memory whole.
const VERIFY_PAGE: i64 = 2_000;

/// Appends one row, sealed with the process's history key ([`key::install_key`]). Call it inside
/// the transaction that makes the change, so both are written or neither is. Returns the row's id.
/// Without an installed key, or with a key made for a longer trail, it fails with the
/// [`KeyError`] and writes nothing.
pub fn record(conn: &mut DbConnection, entry: &Entry) -> QueryResult<i32> {
    let key = key::installed_key().map_err(unsealable)?;
    lock_chain(conn)?;
    let last: Option<(i32, String)> =
        history::table.select((history::id, history::row_hash)).order(history::id.desc()).first(conn).optional()?;
    let (id, previous_hash) = match last {
        Some((id, hash)) => (id + 1, hash),
        None => (1, GENESIS_HASH.to_string()),
    };
    if id < key.keyed_from() {
        return Err(unsealable(KeyError::BeforeKeyedFrom { id, keyed_from: key.keyed_from() }));
    }
    let recorded_at = rules::to_stored_precision(Utc::now().naive_utc());
    let changes = rules::changes_json(&entry.changes);
    let row_hash = rules::row_hash(
        Sealing::Keyed(key.secret()),
        id,
        recorded_at,
        entry.user_id.map(|u| u.0),
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

/// A row that cannot be sealed fails its transaction like a database error (the stores' callers
/// need no new error case); the message is the [`KeyError`]'s.
fn unsealable(error: KeyError) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(Box::new(error))
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
    /// The first row sealed with the key; the rows before it predate the key.
    pub keyed_from: i32,
}

/// A `history` row, column for column.
pub type StoredRow =
    (i32, chrono::NaiveDateTime, Option<i32>, Option<i32>, String, String, String, String, String, String);

/// Walks every row in order under `key` (given, not the installed one, so that the trail can be
/// checked against any key file). Ok with the count and the last hash, or the first break.
pub fn verify(conn: &mut DbConnection, key: &HistoryKey) -> QueryResult<Result<Verified, ChainBreak>> {
    let mut walk = ChainWalk::new(key);
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
    if let Err(chain_break) = walk.finish() {
        return Ok(Err(chain_break));
    }
    Ok(Ok(Verified { rows: walk.rows, last_hash: walk.previous_hash, keyed_from: key.keyed_from() }))
}

/// Why a head recorded outside the database no longer holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadMismatch {
    /// Row N is no longer in the trail: the tail was cut off.
    Gone { id: i32 },
    /// Row N is there with another hash: it, or a row before it, was rewritten.
    Differs { id: i32, found: String },
}

impl std::fmt::Display for HeadMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Gone { id } => write!(f, "expected head row {id} is gone: the newest rows were removed"),
            Self::Differs { id, found } => {
                write!(f, "expected head row {id} has hash {found}, not the one expected: the trail was rewritten")
            }
        }
    }
}

/// The history row of a provider's on/off setting (sharing the pack with commissioners, a
/// submitter signing off their own plan): the setting's one field, before (off when it was never
/// set) and after, as a "create" the first time and an "update" after that.
pub fn record_setting(
    conn: &mut DbConnection,
    by: crate::db::UserId,
    provider_id: crate::db::ProviderId,
    entity: &str,
    field: &str,
    before: Option<bool>,
    after: bool,
) -> QueryResult<i32> {
    record(
        conn,
        &Entry {
            user_id: Some(by),
            organisation_id: Some(provider_id.0),
            entity: entity.into(),
            entity_id: provider_id.to_string(),
            action: if before.is_some() { "update" } else { "create" }.into(),
            changes: vec![Change { field: field.into(), before: json(before.unwrap_or(false)), after: json(after) }],
        },
    )
}

/// The trail's head: the newest row's number and hash, `N:HASH` as `verify-log` prints it. A
/// document states it, so a reader can later check (`verify-log --expect-head`) that the trail it
/// was made from has not been rewritten. `None` for an empty trail.
pub fn head(conn: &mut DbConnection) -> QueryResult<Option<(i32, String)>> {
    history::table.order(history::id.desc()).select((history::id, history::row_hash)).first(conn).optional()
}

/// Checks that row `id` is still in the trail with `hash`, the head recorded earlier.
pub fn check_head(conn: &mut DbConnection, id: i32, hash: &str) -> QueryResult<Result<(), HeadMismatch>> {
    let found: Option<String> = history::table.find(id).select(history::row_hash).first(conn).optional()?;
    Ok(match found {
        None => Err(HeadMismatch::Gone { id }),
        Some(found) if !found.eq_ignore_ascii_case(hash) => Err(HeadMismatch::Differs { id, found }),
        Some(_) => Ok(()),
    })
}

/// One line of a provider's history page.
#[derive(Debug, Clone, serde::Serialize, Queryable)]
pub struct HistoryLine {
    pub id: i32,
    pub recorded_at: chrono::NaiveDateTime,
    pub user_name: Option<String>,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub changes: String,
}

/// A provider's history page: one page of its lines, and the entities and people to filter by.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub lines: Page<HistoryLine>,
    pub entities: Vec<String>,
    pub people: Vec<(i32, String)>,
}

/// Which of a provider's history entries a page lists.
#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    /// Only this kind of record (`staff`, `evidence`).
    pub entity: Option<String>,
    /// Only this person's changes.
    pub user_id: Option<i32>,
    /// Recorded at or after this instant (UTC, as stored).
    pub from: Option<chrono::NaiveDateTime>,
    /// Recorded before this instant.
    pub before: Option<chrono::NaiveDateTime>,
    /// Found in the record's id, the person's name or the changes, in any case.
    pub search: String,
}

/// The columns a provider's history sorts by. The changes themselves are not a sort: they are a
/// record of fields, not one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistorySort {
    When,
    Who,
    /// The kind of record, then its id.
    Record,
    /// The action (create, update, link).
    Change,
}

/// One page of a provider's history, filtered, sorted and paged in SQL (newest first within any
/// other order, the entry's id last, so every entry is on exactly one page); with the entities and
/// users there are to filter by. Four queries.
pub fn for_organisation(
    conn: &mut DbConnection,
    organisation_id: i32,
    filter: &HistoryFilter,
    sort: HistorySort,
    dir: Direction,
    page: i64,
) -> QueryResult<HistoryPage> {
    use crate::db::page::{contains_pattern, lower, lower_nullable};
    use crate::db::schema::users;
    let query = || {
        let mut query = history::table
            .left_join(users::table.on(users::id.nullable().eq(history::user_id)))
            .filter(history::organisation_id.eq(organisation_id))
            .into_boxed();
        if let Some(entity) = &filter.entity {
            query = query.filter(history::entity.eq(entity.clone()));
        }
        if let Some(user_id) = filter.user_id {
            query = query.filter(history::user_id.eq(user_id));
        }
        if let Some(from) = filter.from {
            query = query.filter(history::recorded_at.ge(from));
        }
        if let Some(before) = filter.before {
            query = query.filter(history::recorded_at.lt(before));
        }
        if !filter.search.is_empty() {
            let pattern = contains_pattern(&filter.search);
            query = query.filter(
                lower(history::entity_id)
                    .like(lower(pattern.clone()))
                    .escape('\\')
                    .or(lower(history::changes).like(lower(pattern.clone())).escape('\\'))
                    .or(lower_nullable(users::name.nullable()).like(lower(pattern).nullable()).escape('\\')),
            );
        }
        query
    };
    let total: i64 = query().count().get_result(conn)?;
    let lines = Page::fetch(page, total, |offset, limit| {
        let selected = query().select((
            history::id,
            history::recorded_at,
            users::name.nullable(),
            history::entity,
            history::entity_id,
            history::action,
            history::changes,
        ));
        let desc = dir == Direction::Descending;
        let ordered = match (sort, desc) {
            (HistorySort::When, false) => selected.order(history::id.asc()),
            (HistorySort::When, true) => selected.order(history::id.desc()),
            // Changes made by the system (no one signed in) last, whichever way.
            (HistorySort::Who, false) => selected.order(users::name.is_null()).then_order_by(users::name.asc()),
            (HistorySort::Who, true) => selected.order(users::name.is_null()).then_order_by(users::name.desc()),
            (HistorySort::Record, false) => {
                selected.order(history::entity.asc()).then_order_by(history::entity_id.asc())
            }
            (HistorySort::Record, true) => {
                selected.order(history::entity.desc()).then_order_by(history::entity_id.desc())
            }
            (HistorySort::Change, false) => selected.order(history::action.asc()),
            (HistorySort::Change, true) => selected.order(history::action.desc()),
        };
        ordered.then_order_by(history::id.desc()).offset(offset).limit(limit).load(conn)
    })?;
    let entities: Vec<String> = history::table
        .filter(history::organisation_id.eq(organisation_id))
        .select(history::entity)
        .distinct()
        .order(history::entity)
        .load(conn)?;
    let people: Vec<(i32, String)> = users::table
        .filter(
            users::id
                .nullable()
                .eq_any(history::table.filter(history::organisation_id.eq(organisation_id)).select(history::user_id)),
        )
        .select((users::id, users::name))
        .order(users::name)
        .load(conn)?;
    Ok(HistoryPage { lines, entities, people })
}

/// Each organisation's newest history row after row `after` (None: rows naming no organisation,
/// such as the catalogue's), grouped in SQL: what changed since, for a reader keeping figures
/// derived from the records (the commissioner's comparison). One query.
pub fn newest_by_organisation_after(
    conn: &mut DbConnection,
    after: i32,
) -> QueryResult<std::collections::HashMap<Option<i32>, i32>> {
    Ok(history::table
        .filter(history::id.gt(after))
        .group_by(history::organisation_id)
        .select((history::organisation_id, diesel::dsl::max(history::id)))
        .load::<(Option<i32>, Option<i32>)>(conn)?
        .into_iter()
        .filter_map(|(organisation, id)| Some((organisation, id?)))
        .collect())
}

/// The last time each of many organisations recorded `action` on `entity` `entity_id` (the staff
/// import is entity "import", id "staff"), by organisation. One query, the latest taken in SQL.
pub fn last_recorded_for(
    conn: &mut DbConnection,
    organisations: &[i32],
    entity: &str,
    entity_id: &str,
) -> QueryResult<std::collections::HashMap<i32, chrono::NaiveDateTime>> {
    Ok(history::table
        .filter(history::organisation_id.eq_any(organisations))
        .filter(history::entity.eq(entity))
        .filter(history::entity_id.eq(entity_id))
        .group_by(history::organisation_id)
        .select((history::organisation_id, diesel::dsl::max(history::recorded_at)))
        .load::<(Option<i32>, Option<chrono::NaiveDateTime>)>(conn)?
        .into_iter()
        .filter_map(|(organisation, at)| Some((organisation?, at?)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// No unit test of the library installs a history key (the integration tests' support does, in
    /// their own processes), so here `record` runs as in an entry point that forgot to load it.
    #[test]
    fn without_an_installed_key_record_fails_and_writes_nothing() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let target = crate::db::DatabaseTarget::Sqlite(dir.path().join("history.db"));
        let mut conn = crate::db::establish(&target).expect("open");
        crate::db::run_migrations(&mut conn).expect("migrate");
        let entry = Entry {
            user_id: None,
            organisation_id: None,
            entity: "catalogue".into(),
            entity_id: "seqohs-2023".into(),
            action: "load".into(),
            changes: Vec::new(),
        };
        let error = crate::db::write_transaction(&mut conn, |c| record(c, &entry)).expect_err("no key, no row");
        let diesel::result::Error::QueryBuilderError(cause) = &error else { panic!("unexpected error: {error:?}") };
        assert_eq!(cause.downcast_ref::<KeyError>(), Some(&KeyError::NotInstalled));
        assert!(error.to_string().contains("no history key is installed"), "{error}");
        let rows: i64 = history::table.count().get_result(&mut conn).expect("count");
        assert_eq!(rows, 0);
    }
}
