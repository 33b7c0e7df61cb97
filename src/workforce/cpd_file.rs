//! A CPD file of any length (a million rows and more), checked and written in two streaming passes
//! so that neither holds the file's rows: the check reads every row and keeps only a count, the
//! first rows for the preview and the bad rows (the first thousand); the write reads the file
//! again, checks each row again against the people as they are then, and inserts the rows in
//! fixed-size batches inside the caller's transaction. Issue 19's benchmark (`benches/import_scale`).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sqlite::Sqlite;

use super::import::{for_each_row, row_error, BadRows, FileRead, ImportKind, ReadAs, RowError};
use super::model::{CpdInput, CpdType, NewCpd, Tier};
use super::store;
use crate::db::schema::cpd_records;
use crate::db::{self, DbConnection, ProviderId, StaffId, StoreError, UserId};
use crate::form::{FieldErrors, FIRST_YEAR, LAST_YEAR};

/// The rows a preview shows.
pub const PREVIEW_ROWS: usize = 20;

/// Rows in one insert statement. Always this many (the last few rows of a file go in a statement
/// of their own), so the statement is prepared once and then found in diesel's cache.
const BATCH: usize = 256;

/// Files of at least this many rows are written with the CPD indexes dropped and built again
/// afterwards, on SQLite: one sort beats a million insertions into a B-tree.
const REBUILD_INDEXES_FROM_ROWS: usize = 200_000;

/// Pages of SQLite's cache while a CPD file is written (the default is 2 MB): the table's and the
/// index's pages stay in memory until the commit.
const WRITE_CACHE_KIB: i64 = 32 * 1024;

/// A CPD file that passed its checks, without its rows: how many there are, the first few for the
/// preview, and the file itself (shared, not copied) for the write, which reads it again.
#[derive(Clone)]
pub struct CpdFile {
    /// How many records the file holds.
    pub rows: usize,
    /// The first [`PREVIEW_ROWS`] records, each with its line.
    pub first: Vec<(u64, NewCpd)>,
    pub(super) content: Arc<[u8]>,
    pub(super) read_as: ReadAs,
    pub(super) today: NaiveDate,
}

impl std::fmt::Debug for CpdFile {
    /// The file's size rather than its bytes: a checked file may be 40 MB.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CpdFile")
            .field("rows", &self.rows)
            .field("first", &self.first)
            .field("bytes", &self.content.len())
            .field("read_as", &self.read_as)
            .field("today", &self.today)
            .finish()
    }
}

impl CpdFile {
    /// A checked file's bytes kept for its write, read as the check read them.
    pub(super) fn new(checked: Checked, content: &[u8], read_as: &ReadAs, today: NaiveDate) -> Self {
        CpdFile {
            rows: checked.rows,
            first: checked.first,
            content: Arc::from(content),
            read_as: read_as.clone(),
            today,
        }
    }
}

/// What the check pass keeps of a good file.
#[derive(Debug)]
pub(super) struct Checked {
    pub rows: usize,
    pub first: Vec<(u64, NewCpd)>,
}

/// The people a CPD file may name: the provider's, by staff number.
type People = HashMap<String, (StaffId, Tier)>;

/// Checks every row of a CPD file against the provider's people and the rules of a CPD record,
/// keeping none of them. The outer error is the database's; the inner one lists the bad rows (at
/// most [`super::import::BAD_ROWS_LISTED`], then how many more).
pub(super) fn check(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    content: &[u8],
    read_as: &ReadAs,
    today: NaiveDate,
) -> QueryResult<Result<(Checked, FileRead), Vec<RowError>>> {
    let people = store::staff_numbers(conn, provider_id)?;
    let mut bad = BadRows::default();
    let mut checked = Checked { rows: 0, first: Vec::new() };
    let read = for_each_row(content, ImportKind::Cpd.columns(), read_as, |row| match row {
        Err(e) => bad.push(e),
        Ok((line, mut values)) => match check_row(&people, &mut values, today) {
            Ok((_, cpd)) => {
                checked.rows += 1;
                if checked.first.len() < PREVIEW_ROWS {
                    checked.first.push((line, cpd));
                }
            }
            Err(e) => bad.push(row_error(line, e)),
        },
    });
    let read = match read {
        Ok(read) => read,
        Err(errors) => return Ok(Err(errors)),
    };
    if bad.is_empty() {
        Ok(Ok((checked, read)))
    } else {
        Ok(Err(bad.into_list(&read.sheet)))
    }
}

/// Writes a checked CPD file inside the caller's transaction: reads it again, checks each row again
/// (the people may have changed since the check), and inserts the rows in batches of [`BATCH`].
/// Any row that no longer passes is a conflict, and the caller's transaction writes nothing.
pub(super) fn write(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    content: &[u8],
    read_as: &ReadAs,
    today: NaiveDate,
    progress: &mut dyn FnMut(usize),
) -> Result<usize, StoreError> {
    let people = store::staff_numbers(conn, provider_id)?;
    let tuning = Tuning::begin(conn, content.len())?;
    let written = write_rows(conn, by, &people, content, read_as, today, progress);
    // The write's own error, if any, is the one to report; the tuning is undone either way.
    let ended = tuning.end(conn, written.is_ok());
    let done = written?;
    ended?;
    Ok(done)
}

/// The rows of [`write`], with SQLite tuned.
#[allow(clippy::too_many_arguments)]
fn write_rows(
    conn: &mut DbConnection,
    by: Option<UserId>,
    people: &People,
    content: &[u8],
    read_as: &ReadAs,
    today: NaiveDate,
    progress: &mut dyn FnMut(usize),
) -> Result<usize, StoreError> {
    let now = Stamp::new(chrono::Utc::now().naive_utc());
    let mut batch: Vec<(StaffId, NewCpd)> = Vec::with_capacity(BATCH);
    let mut done = 0;
    let mut bad = BadRows::default();
    let mut failed: Option<diesel::result::Error> = None;
    let read = for_each_row(content, ImportKind::Cpd.columns(), read_as, |row| {
        if failed.is_some() {
            return;
        }
        match row {
            Err(e) => bad.push(e),
            Ok((line, mut values)) => match check_row(people, &mut values, today) {
                Ok(record) if bad.is_empty() => {
                    batch.push(record);
                    if batch.len() == BATCH {
                        match insert_full_batch(conn, by, now, &mut batch) {
                            Ok(written) => {
                                done += written;
                                progress(done);
                            }
                            Err(e) => failed = Some(e),
                        }
                        batch.clear();
                    }
                }
                Ok(_) => {}
                Err(e) => bad.push(row_error(line, e)),
            },
        }
    });
    if let Some(e) = failed {
        return Err(e.into());
    }
    let read = match read {
        Ok(read) => read,
        Err(errors) => return Err(changed(errors)),
    };
    if !bad.is_empty() {
        return Err(changed(bad.into_list(&read.sheet)));
    }
    done += insert_rest(conn, by, now, &batch)?;
    progress(done);
    Ok(done)
}

/// The refusal of a write whose file no longer passes the checks it passed: the people changed
/// in between.
fn changed(rows: Vec<RowError>) -> StoreError {
    let first: Vec<String> = rows.iter().take(3).map(ToString::to_string).collect();
    StoreError::Conflict(format!(
        "The file no longer passes its checks (the staff records changed since it was checked), so nothing was \
         imported: {}{}",
        first.join("; "),
        if rows.len() > first.len() { "; and more" } else { "" }
    ))
}

/// One CPD row checked: the person it names and the record. The common row (an ISO or UK date, a
/// plain yes or no) is read without copying its values; any other row, and every bad one, goes
/// through [`CpdInput::parse`], so the rules and their words are the form's.
fn check_row(people: &People, values: &mut [String], today: NaiveDate) -> Result<(StaffId, NewCpd), FieldErrors> {
    let number = values.first().map(|v| v.trim()).unwrap_or("");
    let person = people.get(number).map(|p| p.0);
    if let Some(staff_id) = person {
        if let Some(cpd) = quick(values, today) {
            return Ok((staff_id, cpd));
        }
    }
    let get = |i: usize| values.get(i).cloned().unwrap_or_default();
    let input = CpdInput {
        date: get(1),
        title: get(2),
        activity_type: String::new(),
        hours: get(3),
        participatory: get(4),
        reflective: get(5),
    };
    match (input.parse(today), person) {
        (Ok(cpd), Some(staff_id)) => Ok((staff_id, cpd)),
        (parsed, _) => {
            let mut e = parsed.err().unwrap_or_default();
            if person.is_none() {
                let number = values.first().map(|v| v.trim()).unwrap_or("");
                e.add("staff_number", format!("there is no one with staff number {number:?}"));
            }
            Err(e)
        }
    }
}

/// [`CpdInput::parse`] of a row written the common way, or `None` to leave it to that: a date
/// 2026-11-23 or 23/11/2026, yes/no words, hours as a plain number. Accepts only rows `parse`
/// accepts, giving the same record; the title is moved out of `values`.
fn quick(values: &mut [String], today: NaiveDate) -> Option<NewCpd> {
    let [_, date, title, hours, participatory, reflective] = values else { return None };
    let date = quick_date(date.trim().as_bytes())?;
    if date > today || !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        return None;
    }
    let trimmed = title.trim();
    if trimmed.is_empty() || (trimmed.len() > 300 && trimmed.chars().count() > 300) {
        return None;
    }
    let participatory = quick_yes_no(participatory.trim())?;
    let reflective = quick_yes_no(reflective.trim())?;
    if reflective && participatory {
        return None;
    }
    let hours = match (reflective, hours.trim()) {
        (true, "" | "0") => 0.0,
        (true, _) => return None,
        (false, text) => match text.parse::<f64>() {
            Ok(hours) if hours > 0.0 && hours <= 100.0 => hours,
            _ => return None,
        },
    };
    let title = if trimmed.len() == title.len() { std::mem::take(title) } else { trimmed.to_string() };
    Some(NewCpd { date, title, activity_type: CpdType::Other, hours, participatory, reflective })
}

/// A date written exactly 2026-11-23 or 23/11/2026; anything else is left to the full reader.
fn quick_date(text: &[u8]) -> Option<NaiveDate> {
    fn number(digits: &[u8]) -> Option<u32> {
        digits.iter().try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
    }
    match text {
        [y @ .., b'-', m1, m2, b'-', d1, d2] if y.len() == 4 => {
            NaiveDate::from_ymd_opt(i32::try_from(number(y)?).ok()?, number(&[*m1, *m2])?, number(&[*d1, *d2])?)
        }
        [d1, d2, b'/', m1, m2, b'/', y @ ..] if y.len() == 4 => {
            NaiveDate::from_ymd_opt(i32::try_from(number(y)?).ok()?, number(&[*m1, *m2])?, number(&[*d1, *d2])?)
        }
        _ => None,
    }
}

/// The yes/no words `model::yes_no` reads, in any case; `None` for anything else.
fn quick_yes_no(text: &str) -> Option<bool> {
    const YES: [&str; 5] = ["yes", "y", "true", "1", "on"];
    const NO: [&str; 5] = ["no", "n", "false", "0", ""];
    if YES.iter().any(|w| w.eq_ignore_ascii_case(text)) {
        Some(true)
    } else if NO.iter().any(|w| w.eq_ignore_ascii_case(text)) {
        Some(false)
    } else {
        None
    }
}

/// Inserts exactly [`BATCH`] rows in one statement of a fixed shape, prepared once per connection.
fn insert_full_batch(
    conn: &mut DbConnection,
    by: Option<UserId>,
    now: Stamp,
    rows: &mut [(StaffId, NewCpd)],
) -> QueryResult<usize> {
    if rows.len() != BATCH {
        return insert_rest(conn, by, now, rows);
    }
    // A cached statement's values own their text (its type outlives any one batch): the titles
    // are moved in, not copied.
    let values: [_; BATCH] = std::array::from_fn(|i| {
        let (staff_id, cpd) = &mut rows[i];
        let title = std::mem::take(&mut cpd.title);
        values_of(*staff_id, cpd, title, by, now)
    });
    let statement = diesel::insert_into(cpd_records::table).values(&values);
    match conn {
        DbConnection::Sqlite(c) => statement.execute(c),
        DbConnection::Postgres(c) => statement.execute(c),
    }
}

/// Inserts the last rows of a file, fewer than [`BATCH`].
fn insert_rest(
    conn: &mut DbConnection,
    by: Option<UserId>,
    now: Stamp,
    rows: &[(StaffId, NewCpd)],
) -> QueryResult<usize> {
    let values: Vec<_> =
        rows.iter().map(|(staff_id, cpd)| values_of(*staff_id, cpd, cpd.title.as_str(), by, now)).collect();
    db::insert_batch(conn, cpd_records::table, &values)
}

/// A date bound as SQLite keeps it, "2026-11-23", written by hand once per row: through
/// `NaiveDate`'s own `to_sql`, chrono's general formatter took a tenth of a million-row write. On
/// PostgreSQL it is bound as the date itself.
#[derive(Debug, Clone, Copy, diesel::AsExpression)]
#[diesel(sql_type = diesel::sql_types::Date)]
struct Day {
    date: NaiveDate,
    text: [u8; 10],
}

impl Day {
    /// A checked CPD date, whose year has four digits (1900 to 2100).
    fn new(date: NaiveDate) -> Day {
        let mut text = *b"0000-00-00";
        let put = |text: &mut [u8], at: usize, digits: usize, mut n: u32| {
            for i in (0..digits).rev() {
                text[at + i] = b'0' + (n % 10) as u8;
                n /= 10;
            }
        };
        put(&mut text, 0, 4, u32::try_from(date.year()).unwrap_or(0));
        put(&mut text, 5, 2, date.month());
        put(&mut text, 8, 2, date.day());
        Day { date, text }
    }
}

impl ToSql<diesel::sql_types::Date, Sqlite> for Day {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        // A year outside four digits is refused by the checks; bound as chrono would, just in case.
        if !(0..=9999).contains(&self.date.year()) {
            return <NaiveDate as ToSql<diesel::sql_types::Date, Sqlite>>::to_sql(&self.date, out);
        }
        out.set_value(std::str::from_utf8(&self.text)?);
        Ok(IsNull::No)
    }
}

impl ToSql<diesel::sql_types::Date, Pg> for Day {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <NaiveDate as ToSql<diesel::sql_types::Date, Pg>>::to_sql(&self.date, out)
    }
}

/// The moment a file's records are written, formatted once for SQLite as `NaiveDateTime`'s own
/// `to_sql` formats it, and bound by reference to that text for every row.
#[derive(Debug, Clone, Copy, diesel::AsExpression)]
#[diesel(sql_type = diesel::sql_types::Timestamp)]
struct Stamp {
    at: NaiveDateTime,
    text: [u8; 32],
    len: usize,
}

impl Stamp {
    fn new(at: NaiveDateTime) -> Stamp {
        let formatted = at.format("%F %T%.f").to_string();
        let mut text = [0u8; 32];
        let len = formatted.len().min(32);
        text[..len].copy_from_slice(&formatted.as_bytes()[..len]);
        Stamp { at, text, len: if formatted.len() <= 32 { len } else { 0 } }
    }
}

impl ToSql<diesel::sql_types::Timestamp, Sqlite> for Stamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        if self.len == 0 {
            return <NaiveDateTime as ToSql<diesel::sql_types::Timestamp, Sqlite>>::to_sql(&self.at, out);
        }
        out.set_value(std::str::from_utf8(&self.text[..self.len])?);
        Ok(IsNull::No)
    }
}

impl ToSql<diesel::sql_types::Timestamp, Pg> for Stamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <NaiveDateTime as ToSql<diesel::sql_types::Timestamp, Pg>>::to_sql(&self.at, out)
    }
}

/// A CPD record as the insert binds it.
#[allow(clippy::type_complexity)]
fn values_of<T: diesel::expression::AsExpression<diesel::sql_types::Text>>(
    staff_id: StaffId,
    cpd: &NewCpd,
    title: T,
    by: Option<UserId>,
    now: Stamp,
) -> (
    diesel::dsl::Eq<cpd_records::staff_id, StaffId>,
    diesel::dsl::Eq<cpd_records::activity_date, Day>,
    diesel::dsl::Eq<cpd_records::title, T>,
    diesel::dsl::Eq<cpd_records::activity_type, CpdType>,
    diesel::dsl::Eq<cpd_records::hours, f64>,
    diesel::dsl::Eq<cpd_records::participatory, bool>,
    diesel::dsl::Eq<cpd_records::reflective, bool>,
    diesel::dsl::Eq<cpd_records::created_at, Stamp>,
    diesel::dsl::Eq<cpd_records::created_by, Option<UserId>>,
) {
    (
        cpd_records::staff_id.eq(staff_id),
        cpd_records::activity_date.eq(Day::new(cpd.date)),
        cpd_records::title.eq(title),
        cpd_records::activity_type.eq(cpd.activity_type),
        cpd_records::hours.eq(cpd.hours),
        cpd_records::participatory.eq(cpd.participatory),
        cpd_records::reflective.eq(cpd.reflective),
        cpd_records::created_at.eq(now),
        cpd_records::created_by.eq(by),
    )
}

/// SQLite's settings for a long write, undone when it ends: a bigger cache, and for a very long
/// file the CPD indexes dropped, to be built again (in the same transaction) once the rows are in.
struct Tuning {
    cache_size: Option<i64>,
    indexes: Vec<String>,
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    sql: String,
}

impl Tuning {
    /// Tunes a SQLite connection for a file of `bytes` bytes; PostgreSQL is left as it is.
    fn begin(conn: &mut DbConnection, bytes: usize) -> QueryResult<Tuning> {
        let mut tuning = Tuning { cache_size: None, indexes: Vec::new() };
        if !matches!(conn, DbConnection::Sqlite(_)) {
            return Ok(tuning);
        }
        let cache: Number = diesel::sql_query("SELECT cache_size AS n FROM pragma_cache_size()").get_result(conn)?;
        tuning.cache_size = Some(cache.n);
        diesel::sql_query(format!("PRAGMA cache_size = -{WRITE_CACHE_KIB}")).execute(conn)?;
        // A CPD row takes about 40 bytes of a file; below the threshold the indexes are kept.
        if bytes / 40 >= REBUILD_INDEXES_FROM_ROWS {
            let indexes: Vec<Named> = diesel::sql_query(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cpd_records' \
                 AND sql IS NOT NULL",
            )
            .load(conn)?;
            for index in indexes {
                diesel::sql_query(format!("DROP INDEX \"{}\"", index.name.replace('"', "\"\""))).execute(conn)?;
                tuning.indexes.push(index.sql);
            }
        }
        Ok(tuning)
    }

    /// Builds the dropped indexes again when the rows were `written` (otherwise the transaction is
    /// rolled back, dropping included) and puts the cache back.
    fn end(self, conn: &mut DbConnection, written: bool) -> QueryResult<()> {
        if written {
            for sql in &self.indexes {
                diesel::sql_query(sql.as_str()).execute(conn)?;
            }
        }
        if let Some(pages) = self.cache_size {
            diesel::sql_query(format!("PRAGMA cache_size = {pages}")).execute(conn)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(values: [&str; 6]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn dates_and_moments_are_bound_as_chrono_writes_them() {
        for (y, m, d) in [(1900, 1, 1), (2026, 11, 23), (2100, 12, 31), (2027, 2, 9)] {
            let date = NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
            assert_eq!(std::str::from_utf8(&Day::new(date).text).ok(), Some(date.format("%F").to_string().as_str()));
        }
        let at = NaiveDate::from_ymd_opt(2026, 12, 3).and_then(|d| d.and_hms_micro_opt(3, 54, 17, 556_237));
        let at = at.unwrap_or_default();
        let stamp = Stamp::new(at);
        assert_eq!(std::str::from_utf8(&stamp.text[..stamp.len]).ok(), Some("2026-12-03 03:54:17.556237"));
    }

    #[test]
    fn the_quick_reading_agrees_with_the_form_rules() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default();
        let cases = [
            ["A1", "2026-11-23", "Course", "2", "yes", "n"],
            ["A1", "23/11/2026", " Course ", "1.5", "NO", "no"],
            ["A1", "2026-11-23", "Reflection", "", "no", "Y"],
            ["A1", "2026-11-23", "Reflection", "0", "", "true"],
            ["A1", "2026-02-30", "Course", "2", "yes", "n"],
            ["A1", "2026-12-02", "Future", "2", "yes", "n"],
            ["A1", "1899-12-31", "Old", "2", "yes", "n"],
            ["A1", "2026-1-5", "Short date", "2", "yes", "n"],
            ["A1", "2026-11-23", "", "2", "yes", "n"],
            ["A1", "2026-11-23", "Course", "0", "yes", "n"],
            ["A1", "2026-11-23", "Course", "100.5", "yes", "n"],
            ["A1", "2026-11-23", "Course", "NaN", "yes", "n"],
            ["A1", "2026-11-23", "Course", "2", "maybe", "n"],
            ["A1", "2026-11-23", "Both", "", "yes", "yes"],
            ["A1", "2026-11-23", "Reflective with hours", "2", "no", "yes"],
        ];
        for case in cases {
            let mut values = row(case);
            let quick = quick(&mut values, today);
            let input = CpdInput {
                date: case[1].into(),
                title: case[2].into(),
                activity_type: String::new(),
                hours: case[3].into(),
                participatory: case[4].into(),
                reflective: case[5].into(),
            };
            match (quick, input.parse(today)) {
                (Some(quick), Ok(full)) => assert_eq!(quick, full, "{case:?}"),
                (Some(quick), Err(e)) => panic!("{case:?}: quick read {quick:?}, the form refuses {e:?}"),
                (None, _) => {}
            }
        }
        let mut common = row(["A1", "2026-11-23", "Course", "2", "yes", "n"]);
        assert!(quick(&mut common, today).is_some(), "the common row is read quickly");
        let mut uk = row(["A1", "23/11/2026", "Course", "2", "yes", "n"]);
        assert!(quick(&mut uk, today).is_some(), "a UK date is read quickly");
    }
}
