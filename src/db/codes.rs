//! Closed lists in the database. A code read back that is not in its list fails the read with
//! [`UnknownCode`], never a default: an unknown regulator read as "none" would give a false "all
//! clear". `FromSql` cannot know which table or row it is reading, so [`explain`], the one place
//! pages and commands send a failed read through, finds the rows holding codes outside the list
//! and names the table, each row and its value.

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::DbConnection;

/// What every `vocabulary!` type is, for code that reads any closed list the same way (the
/// catalogue's loader checks each of its lists with one function).
pub trait Vocabulary: Sized + Copy + 'static {
    /// The list's name in messages.
    const LIST: &'static str;
    /// Every code, in the list's order.
    const CODES: &'static [&'static str];
    /// A code exactly as written, or the error naming the list and the value.
    fn from_code(code: &str) -> Result<Self, UnknownCode>;
    fn as_str(self) -> &'static str;
}

/// A column that stores a closed list's codes, and the key column that names its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredIn {
    pub table: &'static str,
    pub key: &'static str,
    pub column: &'static str,
}

/// A stored code that is not in its list: the error a `vocabulary!` type's `FromSql` returns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a {list} code (one of {})", codes.join(", "))]
pub struct UnknownCode {
    /// The list's name ("regulator").
    pub list: &'static str,
    pub value: String,
    /// Every code the list has.
    pub codes: &'static [&'static str],
    /// The columns the list is stored in.
    pub stored_in: &'static [StoredIn],
}

/// One row holding a code outside its list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRow {
    pub table: &'static str,
    pub key: &'static str,
    pub column: &'static str,
    /// The row's key, as text.
    pub id: String,
    pub value: String,
}

/// A failed read traced to the rows that caused it: what pages log and commands print.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct UnknownCodeRows {
    pub list: &'static str,
    pub codes: &'static [&'static str],
    /// At least one row.
    pub rows: Vec<BadRow>,
}

impl std::fmt::Display for UnknownCodeRows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows: Vec<String> = self
            .rows
            .iter()
            .map(|r| format!("table {}, row {} = {}: {} is {:?}", r.table, r.key, r.id, r.column, r.value))
            .collect();
        write!(f, "a stored {} code is not in the list ({}): {}", self.list, self.codes.join(", "), rows.join("; "))
    }
}

/// The [`UnknownCode`] behind an error, looking through diesel's wrapping and any error's sources.
pub fn unknown_code<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a UnknownCode> {
    let mut next = Some(error);
    while let Some(error) = next {
        if let Some(code) = error.downcast_ref::<UnknownCode>() {
            return Some(code);
        }
        // diesel's `source()` skips the deserialisation error itself, so open it here.
        if let Some(diesel::result::Error::DeserializationError(inner)) = error.downcast_ref::<diesel::result::Error>()
        {
            let inner: &(dyn std::error::Error + 'static) = &**inner;
            if let Some(code) = unknown_code(inner) {
                return Some(code);
            }
        }
        next = error.source();
    }
    None
}

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    value: String,
}

/// How many bad rows a message names at most, per column.
const ROWS_NAMED: usize = 20;

/// The rows of every column the list is stored in whose code is not in the list.
pub fn rows_outside(conn: &mut DbConnection, code: &UnknownCode) -> QueryResult<Vec<BadRow>> {
    // The names and codes come from the `vocabulary!` invocations in the source, never from input;
    // quotes are doubled all the same.
    let quoted: Vec<String> = code.codes.iter().map(|c| format!("'{}'", c.replace('\'', "''"))).collect();
    let mut rows = Vec::new();
    for place in code.stored_in {
        let sql = format!(
            "SELECT CAST({key} AS TEXT) AS id, {column} AS value FROM {table} WHERE {column} NOT IN ({codes}) \
             ORDER BY {key} LIMIT {ROWS_NAMED}",
            key = place.key,
            column = place.column,
            table = place.table,
            codes = quoted.join(", "),
        );
        let found: Vec<Found> = diesel::sql_query(sql).load(conn)?;
        rows.extend(found.into_iter().map(|f| BadRow {
            table: place.table,
            key: place.key,
            column: place.column,
            id: f.id,
            value: f.value,
        }));
    }
    Ok(rows)
}

/// The one place a failed read is traced: when `error` was caused by a stored code outside its
/// list, the rows holding such codes, by table, row and value. None for any other error, or when
/// the rows cannot be found (the code then came from no stored column).
pub fn explain(conn: &mut DbConnection, error: &(dyn std::error::Error + 'static)) -> Option<UnknownCodeRows> {
    let code = unknown_code(error)?;
    match rows_outside(conn, code) {
        Ok(rows) if !rows.is_empty() => Some(UnknownCodeRows { list: code.list, codes: code.codes, rows }),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(error = %e, list = code.list, "could not find the rows holding an unknown code");
            None
        }
    }
}
