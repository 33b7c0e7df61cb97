//! Saved column mappings (`import_mappings`): made once by a manager for a provider and a kind of
//! file, found again by the file's headers, changed and deleted from their own pages. Every change
//! is in the history ("Column mapping ESR monthly staff report changed").

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::import::ImportKind;
use super::mapping::{self, ClosedList, ColumnMapping};
use crate::db::page::Direction;
use crate::db::schema::import_mappings;
use crate::db::{self, DbConnection, ProviderId, StoreError, UserId};
use crate::history::store::{json, record, Diff};
use crate::history::Entry;

/// A mapping as saved.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SavedMapping {
    pub id: i32,
    pub kind: ImportKind,
    pub name: String,
    /// The headers of the file it was made for, as written there.
    pub headers: Vec<String>,
    pub mapping: ColumnMapping,
    pub updated_at: NaiveDateTime,
}

type Row = (i32, ImportKind, String, String, String, NaiveDateTime);

fn columns() -> (
    import_mappings::id,
    import_mappings::kind,
    import_mappings::name,
    import_mappings::headers,
    import_mappings::mapping,
    import_mappings::updated_at,
) {
    (
        import_mappings::id,
        import_mappings::kind,
        import_mappings::name,
        import_mappings::headers,
        import_mappings::mapping,
        import_mappings::updated_at,
    )
}

fn saved((id, kind, name, headers, mapping, updated_at): Row) -> SavedMapping {
    SavedMapping {
        id,
        kind,
        name,
        // Written by `save` from these same types; a document this binary cannot read is empty,
        // and reading with an empty mapping refuses the file at its header.
        headers: serde_json::from_str(&headers).unwrap_or_default(),
        mapping: serde_json::from_str(&mapping).unwrap_or_default(),
        updated_at,
    }
}

/// The provider's mapping for a kind of file with exactly these headers (in any order, any case).
pub fn for_headers(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    kind: ImportKind,
    headers: &[String],
) -> QueryResult<Option<SavedMapping>> {
    let row: Option<Row> = import_mappings::table
        .filter(import_mappings::provider_id.eq(provider_id))
        .filter(import_mappings::kind.eq(kind))
        .filter(import_mappings::fingerprint.eq(mapping::fingerprint(headers)))
        .select(columns())
        .first(conn)
        .optional()?;
    Ok(row.map(saved))
}

/// The provider's mapping for a kind of file by its name, without regard to case or surrounding
/// spaces: what `ohgov import --mapping NAME` reads with.
pub fn by_name(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    kind: ImportKind,
    name: &str,
) -> QueryResult<Option<SavedMapping>> {
    let wanted = name.trim().to_lowercase();
    let rows: Vec<Row> = import_mappings::table
        .filter(import_mappings::provider_id.eq(provider_id))
        .filter(import_mappings::kind.eq(kind))
        .select(columns())
        .load(conn)?;
    Ok(rows.into_iter().find(|row| row.2.to_lowercase() == wanted).map(saved))
}

fn names_and_ids(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    kind: ImportKind,
) -> QueryResult<Vec<(i32, String)>> {
    import_mappings::table
        .filter(import_mappings::provider_id.eq(provider_id))
        .filter(import_mappings::kind.eq(kind))
        .order((import_mappings::name.asc(), import_mappings::id.asc()))
        .select((import_mappings::id, import_mappings::name))
        .load(conn)
}

/// The names of the provider's mappings for a kind of file, A to Z: what the command line offers
/// when a file's headers do not match.
pub fn names(conn: &mut DbConnection, provider_id: ProviderId, kind: ImportKind) -> QueryResult<Vec<String>> {
    Ok(names_and_ids(conn, provider_id, kind)?.into_iter().map(|(_, name)| name).collect())
}

/// One of the provider's mappings; another provider's is not found.
pub fn get(conn: &mut DbConnection, provider_id: ProviderId, id: i32) -> Result<SavedMapping, StoreError> {
    let row: Option<Row> = import_mappings::table
        .filter(import_mappings::provider_id.eq(provider_id))
        .filter(import_mappings::id.eq(id))
        .select(columns())
        .first(conn)
        .optional()?;
    row.map(saved).ok_or(StoreError::NotFound)
}

/// What is wrong with a mapping's name, if anything: it must be given, in at most 100 characters.
/// The pages ask it beside their other checks, so every problem shows at once; saving asks again.
pub(super) fn name_problem(name: &str) -> Option<&'static str> {
    let name = name.trim();
    if name.is_empty() {
        Some("Name the mapping, like \"ESR monthly staff report\"")
    } else if name.chars().count() > 100 {
        Some("The name must be 100 characters or fewer")
    } else {
        None
    }
}

/// A mapping's name, checked ([`name_problem`]) and trimmed.
fn checked_name(name: &str) -> Result<String, StoreError> {
    match name_problem(name) {
        Some(problem) => Err(StoreError::invalid("name", problem)),
        None => Ok(name.trim().to_string()),
    }
}

fn name_taken(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    kind: ImportKind,
    name: &str,
    except: Option<i32>,
) -> QueryResult<bool> {
    let wanted = name.to_lowercase();
    Ok(names_and_ids(conn, provider_id, kind)?
        .into_iter()
        .any(|(id, n)| n.to_lowercase() == wanted && Some(id) != except))
}

/// Each mapped column in words, in the kind's field order: "Staff number: Employee Number".
pub fn columns_in_words(kind: ImportKind, mapping: &ColumnMapping) -> Vec<String> {
    kind.columns()
        .iter()
        .filter_map(|field| mapping.columns.get(*field).map(|h| format!("{}: {h}", mapping::field_label(field))))
        .collect()
}

/// Each value mapping in words: "Regulator: Nursing & Midwifery Council is NMC".
pub fn values_in_words(kind: ImportKind, mapping: &ColumnMapping) -> Vec<String> {
    let mut said = Vec::new();
    for (field, codes) in &mapping.values {
        let choices = ClosedList::of(kind, field).map(ClosedList::choices).unwrap_or_default();
        for (value, code) in codes {
            let label = choices.iter().find(|(c, _)| c == code).map_or(code.as_str(), |(_, l)| *l);
            said.push(format!("{}: {value} is {label}", mapping::field_label(field)));
        }
    }
    said
}

fn history(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    name: &str,
    action: &str,
    changes: Vec<crate::history::Change>,
) -> QueryResult<i32> {
    record(
        conn,
        &Entry {
            user_id: by,
            organisation_id: Some(provider_id.0),
            entity: "import_mapping".into(),
            entity_id: name.to_string(),
            action: action.into(),
            changes,
        },
    )
}

fn document<T: Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::invalid("name", e.to_string()))
}

/// Saves a new mapping for the provider's files of a kind with these headers. The name must be new
/// among the provider's mappings of the kind, and no other mapping may read the same headers.
#[allow(clippy::too_many_arguments)]
pub fn save(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    kind: ImportKind,
    name: &str,
    headers: &[String],
    column_mapping: &ColumnMapping,
    now: NaiveDateTime,
) -> Result<i32, StoreError> {
    let name = checked_name(name)?;
    let (headers_json, mapping_json) = (document(&headers)?, document(column_mapping)?);
    db::write_transaction(conn, |conn| {
        if name_taken(conn, provider_id, kind, &name, None)? {
            return Err(StoreError::invalid(
                "name",
                format!("There is already a mapping called {name:?}: choose another name"),
            ));
        }
        if let Some(other) = for_headers(conn, provider_id, kind, headers)? {
            return Err(StoreError::invalid(
                "name",
                format!("The mapping {:?} already reads files with these columns: change it instead", other.name),
            ));
        }
        diesel::insert_into(import_mappings::table)
            .values((
                import_mappings::provider_id.eq(provider_id),
                import_mappings::kind.eq(kind),
                import_mappings::name.eq(&name),
                import_mappings::fingerprint.eq(mapping::fingerprint(headers)),
                import_mappings::headers.eq(&headers_json),
                import_mappings::mapping.eq(&mapping_json),
                import_mappings::created_at.eq(now),
                import_mappings::updated_at.eq(now),
                import_mappings::updated_by.eq(by),
            ))
            .execute(conn)?;
        let id = db::last_insert_id(conn)?;
        let changes = crate::history::store::created(vec![
            ("name", json(&name)),
            ("kind", json(kind.label())),
            ("columns", json(columns_in_words(kind, column_mapping))),
            ("values", json(values_in_words(kind, column_mapping))),
        ]);
        history(conn, by, provider_id, &name, "create", changes)?;
        Ok(id)
    })
}

/// Renames a mapping or changes its columns and values. Nothing changed writes nothing; returns
/// whether anything did.
pub fn update(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    id: i32,
    name: &str,
    column_mapping: &ColumnMapping,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let name = checked_name(name)?;
    let mapping_json = document(column_mapping)?;
    db::write_transaction(conn, |conn| {
        let current = get(conn, provider_id, id)?;
        if name_taken(conn, provider_id, current.kind, &name, Some(id))? {
            return Err(StoreError::invalid(
                "name",
                format!("There is already a mapping called {name:?}: choose another name"),
            ));
        }
        let kind = current.kind;
        let mut diff = Diff::default();
        diff.field("name", &current.name, &name)
            .field("columns", columns_in_words(kind, &current.mapping), columns_in_words(kind, column_mapping))
            .field("values", values_in_words(kind, &current.mapping), values_in_words(kind, column_mapping));
        if diff.is_empty() {
            return Ok(false);
        }
        diesel::update(import_mappings::table.find(id))
            .set((
                import_mappings::name.eq(&name),
                import_mappings::mapping.eq(&mapping_json),
                import_mappings::updated_at.eq(now),
                import_mappings::updated_by.eq(by),
            ))
            .execute(conn)?;
        history(conn, by, provider_id, &name, "update", diff.0)?;
        Ok(true)
    })
}

/// Deletes a mapping; files with its headers are asked about again. Returns its name.
pub fn delete(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    id: i32,
) -> Result<String, StoreError> {
    db::write_transaction(conn, |conn| {
        let current = get(conn, provider_id, id)?;
        diesel::delete(import_mappings::table.find(id)).execute(conn)?;
        let mut diff = Diff::default();
        diff.field("name", &current.name, None::<String>);
        history(conn, by, provider_id, &current.name, "delete", diff.0)?;
        Ok(current.name)
    })
}

/// How the list of mappings sorts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MappingSort {
    Name,
    Kind,
    Changed,
}

crate::sort_keys!(MappingSort, default Name, descending first [Changed],
    Name => "name", Kind => "kind", Changed => "changed");

/// One line of the list of mappings.
#[derive(Debug, Clone, Serialize)]
pub struct MappingLine {
    pub id: i32,
    pub name: String,
    pub kind: String,
    /// The mapped columns in words.
    pub columns: Vec<String>,
    pub updated_at: NaiveDateTime,
}

/// One page of the provider's mappings, searched by name, sorted and paged in SQL.
pub fn page(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    search: &str,
    sort: MappingSort,
    dir: Direction,
    page: i64,
) -> QueryResult<db::Page<MappingLine>> {
    use crate::db::page::{contains_pattern, lower};
    let query = || {
        let mut lines = import_mappings::table.filter(import_mappings::provider_id.eq(provider_id)).into_boxed();
        if !search.is_empty() {
            lines = lines.filter(lower(import_mappings::name).like(lower(contains_pattern(search))).escape('\\'));
        }
        lines
    };
    let total: i64 = query().count().get_result(conn)?;
    let page = db::Page::fetch(page, total, |offset, limit| {
        let selected = query().select(columns());
        let desc = dir == Direction::Descending;
        let ordered = match (sort, desc) {
            (MappingSort::Name, false) => selected.order(lower(import_mappings::name).asc()),
            (MappingSort::Name, true) => selected.order(lower(import_mappings::name).desc()),
            (MappingSort::Kind, false) => selected.order(import_mappings::kind.asc()),
            (MappingSort::Kind, true) => selected.order(import_mappings::kind.desc()),
            (MappingSort::Changed, false) => selected.order(import_mappings::updated_at.asc()),
            (MappingSort::Changed, true) => selected.order(import_mappings::updated_at.desc()),
        };
        let ordered = if desc {
            ordered.then_order_by(import_mappings::id.desc())
        } else {
            ordered.then_order_by(import_mappings::id.asc())
        };
        ordered.offset(offset).limit(limit).load::<Row>(conn)
    })?;
    Ok(page.map(|row| {
        let m = saved(row);
        MappingLine {
            id: m.id,
            columns: columns_in_words(m.kind, &m.mapping),
            name: m.name,
            kind: m.kind.label().to_string(),
            updated_at: m.updated_at,
        }
    }))
}
