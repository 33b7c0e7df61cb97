//! CSV imports of staff, CPD and supervision, from the web page and `ohgov import`. A file is read
//! and checked whole first; a file with any bad row is refused with its bad rows listed by line (the
//! first [`BAD_ROWS_LISTED`], then how many more), and nothing is written. A CPD file, which may
//! have a million rows, is checked and written in two streaming passes (`cpd_file`). Re-importing
//! staff updates people in place by staff number.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::cpd_file::{self, CpdFile};
use super::model::{NewCpd, NewStaff, NewSupervision, StaffInput, SupervisionInput};
use super::store;
use crate::db::schema::{cpd_records, pending_imports};
use crate::db::ProviderId;
use crate::db::StaffId;
use crate::db::StoreError;
use crate::db::UserId;
use crate::db::{self, DbConnection};
use crate::evidence::model::Upload;
use crate::form::FieldErrors;
use crate::history::store::json;

crate::vocabulary! {
    /// What a file holds.
    pub enum ImportKind {
        Staff => ("staff", "Staff"),
        Cpd => ("cpd", "CPD records"),
        Supervision => ("supervision", "Supervision sessions"),
        /// Quality indicator values: previewed and confirmed here, checked and written by
        /// `quality::import`.
        Kpis => ("kpis", "Quality indicator values"),
    }
    name = "import kind", stored_in = [pending_imports.kind, import_mappings.kind];
}

impl ImportKind {
    /// The kinds the workforce import page offers and checks.
    pub const WORKFORCE: [ImportKind; 3] = [ImportKind::Staff, ImportKind::Cpd, ImportKind::Supervision];

    /// The file's columns, in the order the documentation gives them.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::Staff => &[
                "staff_number",
                "full_name",
                "email",
                "discipline",
                "regulator",
                "registration_number",
                "registration_renewal",
                "revalidation_due",
                "last_appraisal",
                "responsible_officer",
                "start_date",
                "leaving_date",
                "fte",
            ],
            ImportKind::Cpd => &["staff_number", "date", "title", "hours", "participatory", "reflective"],
            ImportKind::Supervision => &[
                "date",
                "kind",
                "supervisor_staff_number",
                "attendee_staff_numbers",
                "minutes",
                "cases_discussed",
                "escalated_gp",
                "escalated_clinical",
                "escalated_specialist",
            ],
            ImportKind::Kpis => &["kpi_code", "period_start", "period_end", "numerator", "denominator", "value"],
        }
    }

    /// The columns that hold dates: a number cell there in a workbook is Excel's serial day number
    /// (a date typed into a cell formatted as a number), read as the day it counts to.
    pub fn date_columns(self) -> &'static [&'static str] {
        match self {
            ImportKind::Staff => {
                &["registration_renewal", "revalidation_due", "last_appraisal", "start_date", "leaving_date"]
            }
            ImportKind::Cpd | ImportKind::Supervision => &["date"],
            ImportKind::Kpis => &["period_start", "period_end"],
        }
    }
}

/// A bad row: where it is in the file as the person who made it sees it (a CSV's line, the header
/// being line 1; a workbook's sheet and row) and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    /// The workbook's sheet; `None` for a CSV.
    pub sheet: Option<String>,
    pub message: String,
}

impl RowError {
    /// A bad line of a CSV file.
    pub fn at_line(line: u64, message: impl Into<String>) -> Self {
        RowError { line, sheet: None, message: message.into() }
    }

    /// The last entry of a list cut at [`BAD_ROWS_LISTED`]: how many more bad rows the file has.
    /// It has no place in the file (line 0).
    pub fn more(n: usize) -> Self {
        let rows = if n == 1 { "bad row" } else { "bad rows" };
        RowError::at_line(0, format!("and {} more {rows}", thousands(n)))
    }

    /// Whether this is the "and N more bad rows" that ends a cut list.
    pub fn is_more(&self) -> bool {
        self.line == 0
    }

    /// Where the row is, in words: "line 5", or "sheet Staff, row 5".
    pub fn place(&self) -> String {
        match &self.sheet {
            Some(sheet) => format!("sheet {sheet}, row {}", self.line),
            None => format!("line {}", self.line),
        }
    }
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_more() {
            return f.write_str(&self.message);
        }
        write!(f, "{}: {}", self.place(), self.message)
    }
}

/// The most bad rows a refusal lists; the rest are counted ("and 3,500 more bad rows"), so a long
/// file of garbage neither fills the page nor the memory with its messages.
pub const BAD_ROWS_LISTED: usize = 1_000;

/// A count with its thousands separated, as the error list says it: "998,999".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut said = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            said.push(',');
        }
        said.push(digit);
    }
    said
}

/// Bad rows as a file is read: the first [`BAD_ROWS_LISTED`] kept, the rest only counted.
#[derive(Debug, Default)]
pub(super) struct BadRows {
    listed: Vec<RowError>,
    more: usize,
}

impl BadRows {
    pub(super) fn push(&mut self, error: RowError) {
        if self.listed.len() < BAD_ROWS_LISTED {
            self.listed.push(error);
        } else {
            self.more += 1;
        }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// The list a refusal gives, each row placed in `sheet` (a workbook's), ending with how many
    /// more there are when it was cut.
    pub(super) fn into_list(self, sheet: &Option<String>) -> Vec<RowError> {
        let mut listed = self.listed;
        for e in &mut listed {
            if e.sheet.is_none() {
                e.sheet.clone_from(sheet);
            }
        }
        if self.more > 0 {
            listed.push(RowError::more(self.more));
        }
        listed
    }
}

/// A whole list of bad rows cut to [`BAD_ROWS_LISTED`], with how many more there are.
fn cut(errors: Vec<RowError>) -> Vec<RowError> {
    let mut bad = BadRows::default();
    for e in errors {
        bad.push(e);
    }
    bad.into_list(&None)
}

/// How many bad rows a refusal lists, in words: "3 bad rows", or "more than 1,000 bad rows" for a
/// cut list (whose last entry says how many more).
pub fn bad_rows_in_words(rows: &[RowError]) -> String {
    match rows.last() {
        Some(last) if last.is_more() => format!("more than {} bad rows", thousands(rows.len() - 1)),
        _ => crate::words::counted(rows.len(), "bad row", "bad rows"),
    }
}

/// How a kept file is to be read: which sheet of a workbook, which saved column mapping, and
/// whether a staff file is a full extract. Kept with the preview (`pending_imports.read_as`) so
/// the confirmation reads the file exactly as the preview did.
#[derive(Debug, Clone, Default, PartialEq, serde::Deserialize, Serialize)]
#[serde(default)]
pub struct ReadAs {
    /// A workbook's sheet by name; the first sheet when `None`.
    pub sheet: Option<String>,
    /// The columns and values of a file whose headers are not ohgov's own.
    pub mapping: Option<super::mapping::ColumnMapping>,
    /// A staff file that lists everyone still employed, dated: people it leaves out are marked as
    /// having left on that date.
    pub full_extract_dated: Option<NaiveDate>,
}

/// The values a closed-list column accepts, code and label, for a row whose value is not one: a
/// file is written with codes, and the label says which code is meant.
fn accepted_in(field: &str) -> Option<String> {
    use super::model::{Discipline, Regulator, SupervisionKind};
    match field {
        "discipline" => Some(Discipline::accepted()),
        "regulator" => Some(Regulator::accepted()),
        "kind" => Some(SupervisionKind::accepted()),
        _ => None,
    }
}

pub(super) fn row_error(line: u64, errors: FieldErrors) -> RowError {
    let message = errors
        .0
        .iter()
        .map(|(field, message)| {
            // A refused choice (see `form::choice_refusal`) lists labels for a form; a file is
            // written with codes, so here it lists both.
            let refused = message.split_once(": choose ").map(|(head, _)| head);
            let refused = refused.or(message.starts_with("Choose ").then_some(message.as_str()));
            match (refused, accepted_in(field)) {
                (Some(head), Some(accepted)) => format!("{field}: {head}: use one of {accepted}"),
                _ => format!("{field}: {message}"),
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    RowError::at_line(line, message)
}

/// Reads a file into rows of values in `columns` order, each with its line. Headers match
/// without regard to case or surrounding spaces; a byte-order mark and CRLF line ends are accepted;
/// missing and unknown columns are refused.
pub fn read_rows(bytes: &[u8], columns: &[&str]) -> Result<Vec<(u64, Vec<String>)>, Vec<RowError>> {
    read_rows_as(bytes, columns, &ReadAs::default())
}

/// [`read_rows`], reading the file as `read_as` says (its sheet, its column mapping). Every bad row
/// is listed, by its place in the file.
pub fn read_rows_as(
    bytes: &[u8],
    columns: &[&str],
    read_as: &ReadAs,
) -> Result<Vec<(u64, Vec<String>)>, Vec<RowError>> {
    read_file(bytes, columns, read_as).map(|(_, rows)| rows)
}

/// [`read_rows_as`], with how the file was read.
pub fn read_file(bytes: &[u8], columns: &[&str], read_as: &ReadAs) -> Result<(FileRead, Rows), Vec<RowError>> {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let read = for_each_row(bytes, columns, read_as, |row| {
        match row {
            Ok(row) => rows.push(row),
            Err(e) => errors.push(e),
        };
    })?;
    if errors.is_empty() {
        Ok((read, rows))
    } else {
        Err(errors)
    }
}

/// A file's rows, each with its line (or row) and its values in the kind's column order.
pub type Rows = Vec<(u64, Vec<String>)>;

/// How a file was read: the sheet its rows came from (a workbook's) and the words the preview says.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileRead {
    pub sheet: Option<String>,
    /// "CSV, UTF-8", "CSV, Windows-1252", "Excel workbook, sheet Staff".
    pub read_as: String,
}

/// Hands each row of the file to `each`, its values in `columns` order, without keeping them: the
/// way a long file is checked and then written in two passes. The outer error is a file that
/// cannot be read at all (its header, or no rows), before any row was handed out.
pub fn for_each_row(
    bytes: &[u8],
    columns: &[&str],
    read_as: &ReadAs,
    mut each: impl FnMut(Result<(u64, Vec<String>), RowError>),
) -> Result<FileRead, Vec<RowError>> {
    let table = super::reader::open(bytes, read_as.sheet.as_deref()).map_err(|e| vec![e])?;
    let sheet = table.sheet.clone();
    let read_as_words = table.read_as.clone();
    let epoch_1904 = table.epoch_1904;
    let dates: Vec<bool> =
        columns.iter().map(|c| ImportKind::ALL.iter().any(|k| k.date_columns().contains(c))).collect();
    let index = match &read_as.mapping {
        Some(mapping) => mapping.index(&table.headers, columns),
        None => index_by_name(&table.headers, columns),
    }
    .map_err(|message| vec![RowError { line: 1, sheet: sheet.clone(), message }])?;
    // A file whose columns are ohgov's, in ohgov's order, hands its rows on as they were read.
    let as_read = read_as.mapping.is_none()
        && table.headers.len() == columns.len()
        && index.iter().enumerate().all(|(i, at)| *at == Some(i));
    let mut any = false;
    for row in table.rows {
        any = true;
        each(row.map(|row| {
            if as_read && row.numbers.is_empty() && row.values.len() == columns.len() {
                return (row.line, row.values);
            }
            let mut values: Vec<String> =
                index.iter().map(|i| i.and_then(|i| row.values.get(i)).cloned().unwrap_or_default()).collect();
            serial_dates(&mut values, &index, &dates, &row.numbers, epoch_1904);
            if let Some(mapping) = &read_as.mapping {
                mapping.translate(columns, &mut values);
            }
            (row.line, values)
        }));
    }
    if !any {
        return Err(vec![RowError { line: 2, sheet, message: "the file has a header but no rows".into() }]);
    }
    Ok(FileRead { sheet, read_as: read_as_words })
}

/// Turns a workbook's number cells in date columns (`dates`, by field) into the days they count
/// to, once the columns are in the kind's order (`index`: the file's column of each field);
/// `numbers` names the file's number cells, and is empty for a CSV.
fn serial_dates(values: &mut [String], index: &[Option<usize>], dates: &[bool], numbers: &[usize], epoch_1904: bool) {
    if numbers.is_empty() {
        return;
    }
    for ((value, column), is_date) in values.iter_mut().zip(index).zip(dates) {
        if *is_date && column.is_some_and(|c| numbers.contains(&c)) {
            if let Some(date) = super::reader::serial_date(value, epoch_1904) {
                *value = date;
            }
        }
    }
}

/// Which of the file's columns holds each of `columns`, matched by name without regard to case;
/// missing and unknown columns are refused in one message.
pub(crate) fn index_by_name(headers: &[String], columns: &[&str]) -> Result<Vec<Option<usize>>, String> {
    let headers: Vec<String> = headers.iter().map(|h| h.trim().to_ascii_lowercase()).collect();
    let mut problems = Vec::new();
    let missing: Vec<&str> = columns.iter().filter(|c| !headers.iter().any(|h| h == *c)).copied().collect();
    if !missing.is_empty() {
        problems.push(format!("missing column(s) {}", missing.join(", ")));
    }
    let unknown: Vec<&str> =
        headers.iter().filter(|h| !h.is_empty() && !columns.contains(&h.as_str())).map(String::as_str).collect();
    if !unknown.is_empty() {
        problems.push(format!("unknown column(s) {}; the columns are {}", unknown.join(", "), columns.join(", ")));
    }
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    Ok(columns.iter().map(|c| headers.iter().position(|h| h == c)).collect())
}

/// Someone a full staff extract no longer lists: marked as having left on the extract's date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leaver {
    pub staff_number: String,
    pub full_name: String,
    pub left_on: NaiveDate,
}

/// A checked file, ready to write.
#[derive(Debug, Clone)]
pub enum Prepared {
    /// The file's people, each with its line; and, for a full extract, the people it leaves out.
    Staff {
        rows: Vec<(u64, NewStaff)>,
        leavers: Vec<Leaver>,
    },
    /// CPD records in hand, each with its line (the demo's).
    Cpd(Vec<(u64, StaffId, NewCpd)>),
    /// A CPD file, checked without keeping its rows: written by reading it again.
    CpdFile(CpdFile),
    Supervision(Vec<(u64, NewSupervision, StaffId, Vec<StaffId>)>),
}

impl Prepared {
    pub fn len(&self) -> usize {
        match self {
            Prepared::Staff { rows, .. } => rows.len(),
            Prepared::Cpd(rows) => rows.len(),
            Prepared::CpdFile(file) => file.rows,
            Prepared::Supervision(rows) => rows.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn field<'a>(values: &'a [String], columns: &[&str], name: &str) -> &'a str {
    columns.iter().position(|c| *c == name).and_then(|i| values.get(i)).map(String::as_str).unwrap_or("")
}

/// Reads and checks a whole file against the provider's people and the regulators' rules. The
/// outer error is the database's; the inner one lists every bad row.
pub fn prepare(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    kind: ImportKind,
    bytes: &[u8],
    today: NaiveDate,
) -> QueryResult<Result<Prepared, Vec<RowError>>> {
    prepare_as(conn, provider_id, kind, bytes, &ReadAs::default(), today)
}

/// [`prepare`], reading the file as `read_as` says.
pub fn prepare_as(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    kind: ImportKind,
    bytes: &[u8],
    read_as: &ReadAs,
    today: NaiveDate,
) -> QueryResult<Result<Prepared, Vec<RowError>>> {
    Ok(prepare_read(conn, provider_id, kind, bytes, read_as, today)?.map(|(prepared, _)| prepared))
}

/// [`prepare_as`], with how the file was read (its sheet, its encoding), for the preview to say.
pub fn prepare_read(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    kind: ImportKind,
    bytes: &[u8],
    read_as: &ReadAs,
    today: NaiveDate,
) -> QueryResult<Result<(Prepared, FileRead), Vec<RowError>>> {
    let columns = kind.columns();
    if kind == ImportKind::Cpd {
        // A CPD file may have a million rows: checked as it is read, none of them kept.
        return Ok(cpd_file::check(conn, provider_id, bytes, read_as, today)?
            .map(|(checked, read)| (Prepared::CpdFile(CpdFile::new(checked, bytes, read_as, today)), read)));
    }
    let (read, rows) = match read_file(bytes, columns, read_as) {
        Ok(read) => read,
        Err(errors) => return Ok(Err(cut(errors))),
    };
    let mut errors = Vec::new();
    let prepared = match kind {
        ImportKind::Staff => {
            let regulations = store::regulations(conn)?;
            // A mapping that leaves a field out keeps each known person's value of it.
            let absent: Vec<&str> = match &read_as.mapping {
                Some(mapping) => columns.iter().filter(|c| !mapping.columns.contains_key(**c)).copied().collect(),
                None => Vec::new(),
            };
            let current: HashMap<String, StaffInput> = if absent.is_empty() {
                HashMap::new()
            } else {
                store::staff_list(conn, provider_id)?
                    .into_iter()
                    .map(|s| (s.staff_number.clone(), s.as_input()))
                    .collect()
            };
            let mut seen: HashMap<String, u64> = HashMap::new();
            let mut good = Vec::new();
            for (line, values) in rows {
                let get = |name| field(&values, columns, name).to_string();
                let mut input = StaffInput {
                    staff_number: get("staff_number"),
                    full_name: get("full_name"),
                    email: get("email"),
                    discipline: get("discipline"),
                    regulator: get("regulator"),
                    registration_number: get("registration_number"),
                    registration_renewal: get("registration_renewal"),
                    revalidation_due: get("revalidation_due"),
                    last_appraisal: get("last_appraisal"),
                    responsible_officer: get("responsible_officer"),
                    start_date: get("start_date"),
                    leaving_date: get("leaving_date"),
                    fte: get("fte"),
                    ..Default::default()
                };
                if let Some(known) = current.get(input.staff_number.trim()) {
                    keep_absent(&mut input, known, &absent);
                }
                match input.parse(&regulations) {
                    Ok(person) => {
                        if let Some(first) = seen.insert(person.staff_number.clone(), line) {
                            errors.push(RowError::at_line(
                                line,
                                format!("staff_number: {} appears again (first on line {first})", person.staff_number),
                            ));
                        }
                        good.push((line, person));
                    }
                    Err(e) => errors.push(row_error(line, e)),
                }
            }
            Prepared::Staff { rows: good, leavers: Vec::new() }
        }
        ImportKind::Cpd => unreachable!("a CPD file is checked as it is read, above"),
        ImportKind::Supervision => {
            let people = store::staff_numbers(conn, provider_id)?;
            let mut good = Vec::new();
            for (line, values) in rows {
                let get = |name| field(&values, columns, name).to_string();
                let input = SupervisionInput {
                    date: get("date"),
                    kind: get("kind"),
                    supervisor_staff_number: get("supervisor_staff_number"),
                    attendee_staff_numbers: get("attendee_staff_numbers"),
                    minutes: get("minutes"),
                    cases_discussed: get("cases_discussed"),
                    escalated_gp: get("escalated_gp"),
                    escalated_clinical: get("escalated_clinical"),
                    escalated_specialist: get("escalated_specialist"),
                };
                match input
                    .parse(today)
                    .and_then(|s| store::resolve_session(&people, &s).map(|(sup, att)| (s, sup, att)))
                {
                    Ok((session, supervisor, attendees)) => good.push((line, session, supervisor, attendees)),
                    Err(e) => errors.push(row_error(line, e)),
                }
            }
            Prepared::Supervision(good)
        }
        ImportKind::Kpis => {
            return Ok(Err(vec![RowError::at_line(
                1,
                "quality indicator values are imported from the quality indicators page",
            )]))
        }
    };
    if errors.is_empty() {
        let prepared = match (prepared, read_as.full_extract_dated) {
            (Prepared::Staff { rows, .. }, Some(day)) => {
                let leavers = leavers(conn, provider_id, &rows, day)?;
                Prepared::Staff { rows, leavers }
            }
            (prepared, _) => prepared,
        };
        Ok(Ok((prepared, read)))
    } else {
        errors.sort_by_key(|e| e.line);
        for e in &mut errors {
            e.sheet.clone_from(&read.sheet);
        }
        Ok(Err(cut(errors)))
    }
}

/// The people in post on the extract's day whom a full extract does not list.
fn leavers(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    rows: &[(u64, NewStaff)],
    day: NaiveDate,
) -> QueryResult<Vec<Leaver>> {
    let listed: HashSet<&str> = rows.iter().map(|(_, person)| person.staff_number.as_str()).collect();
    Ok(store::in_post_on(conn, provider_id, day)?
        .into_iter()
        .filter(|(number, _)| !listed.contains(number.as_str()))
        .map(|(staff_number, full_name)| Leaver { staff_number, full_name, left_on: day })
        .collect())
}

/// Whether a file is a full staff extract, and its date, from the import form's or the command
/// line's choice: only a staff file can be one; the date is required (people it leaves out are
/// marked as having left on it) and may not be in the future.
pub fn full_extract_dated(
    full_extract: bool,
    extract_date: &str,
    kind: ImportKind,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, FieldErrors> {
    if !full_extract {
        return Ok(None);
    }
    if kind != ImportKind::Staff {
        return Err(FieldErrors::one("full_extract", "Only a staff file can be a full extract"));
    }
    let mut errors = FieldErrors::default();
    let day = crate::form::required_date(
        &mut errors,
        "extract_date",
        extract_date,
        "Enter the date the extract was run: people it does not list are marked as having left on it",
    );
    if let Some(day) = day.filter(|day| *day > today) {
        errors.add("extract_date", format!("The extract's date, {}, is in the future", crate::words::long_date(day)));
    }
    errors.into_result()?;
    Ok(day)
}

/// Copies into a file's row the fields its mapping leaves out, from the person as recorded: a file
/// without an email column does not blank anyone's email.
fn keep_absent(input: &mut StaffInput, known: &StaffInput, absent: &[&str]) {
    for name in absent {
        let (to, from) = match *name {
            "full_name" => (&mut input.full_name, &known.full_name),
            "email" => (&mut input.email, &known.email),
            "discipline" => (&mut input.discipline, &known.discipline),
            "regulator" => (&mut input.regulator, &known.regulator),
            "registration_number" => (&mut input.registration_number, &known.registration_number),
            "registration_renewal" => (&mut input.registration_renewal, &known.registration_renewal),
            "revalidation_due" => (&mut input.revalidation_due, &known.revalidation_due),
            "last_appraisal" => (&mut input.last_appraisal, &known.last_appraisal),
            "responsible_officer" => (&mut input.responsible_officer, &known.responsible_officer),
            "start_date" => (&mut input.start_date, &known.start_date),
            "leaving_date" => (&mut input.leaving_date, &known.leaving_date),
            "fte" => (&mut input.fte, &known.fte),
            _ => continue,
        };
        to.clone_from(from);
    }
}

/// What an import wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// People a full extract no longer listed, marked as having left.
    pub left: usize,
}

impl ImportReport {
    /// The confirmation after an import, in the kind's own words: "12 people added, 3 updated".
    pub fn in_words(&self, kind: ImportKind) -> String {
        use crate::words::counted;
        match kind {
            ImportKind::Staff => {
                let mut said = match self.created {
                    0 => "No one added".to_string(),
                    n => format!("{} added", counted(n, "person", "people")),
                };
                if self.updated > 0 {
                    said.push_str(&format!(", {} updated", self.updated));
                }
                if self.unchanged > 0 {
                    said.push_str(&format!(", {} unchanged", self.unchanged));
                }
                if self.left > 0 {
                    said.push_str(&format!(", {} marked as having left", counted(self.left, "person", "people")));
                }
                said
            }
            ImportKind::Cpd => format!("{} added", counted(self.created, "CPD entry", "CPD entries")),
            ImportKind::Supervision => {
                format!("{} added", counted(self.created, "supervision session", "supervision sessions"))
            }
            ImportKind::Kpis => format!(
                "{} recorded",
                counted(
                    self.created + self.updated + self.unchanged,
                    "quality indicator value",
                    "quality indicator values"
                )
            ),
        }
    }
}

/// CPD rows handed to the database between progress reports; `db::insert_batch` splits them into
/// statements under the bound-value limit.
const CPD_PROGRESS_STEP: usize = 10_000;

fn insert_cpd(conn: &mut DbConnection, by: Option<UserId>, rows: &[(u64, StaffId, NewCpd)]) -> QueryResult<usize> {
    let now = chrono::Utc::now().naive_utc();
    let values: Vec<_> = rows
        .iter()
        .map(|(_, staff_id, cpd)| {
            (
                cpd_records::staff_id.eq(*staff_id),
                cpd_records::activity_date.eq(cpd.date),
                cpd_records::title.eq(cpd.title.as_str()),
                cpd_records::activity_type.eq(cpd.activity_type),
                cpd_records::hours.eq(cpd.hours),
                cpd_records::participatory.eq(cpd.participatory),
                cpd_records::reflective.eq(cpd.reflective),
                cpd_records::created_at.eq(now),
                cpd_records::created_by.eq(by),
            )
        })
        .collect();
    db::insert_batch(conn, cpd_records::table, &values)
}

/// Writes a checked file in one transaction, with its history: a row per person for staff (each
/// change before and after), and one row for the file (its SHA-256 and counts) for every kind.
/// `progress` hears how many rows are done.
pub fn commit(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    prepared: &Prepared,
    file_sha256: &str,
    progress: &mut dyn FnMut(usize),
) -> Result<ImportReport, StoreError> {
    db::write_transaction(conn, |conn| write(conn, by, provider_id, prepared, file_sha256, progress))
}

/// The writing of [`commit`], inside a transaction the caller holds.
fn write(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    prepared: &Prepared,
    file_sha256: &str,
    progress: &mut dyn FnMut(usize),
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport { rows: prepared.len(), ..Default::default() };
    let kind = match prepared {
        Prepared::Staff { rows, leavers } => {
            let existing: HashMap<String, store::StaffRecord> =
                store::staff_list(conn, provider_id)?.into_iter().map(|s| (s.staff_number.clone(), s)).collect();
            for (done, (_, person)) in rows.iter().enumerate() {
                match existing.get(&person.staff_number) {
                    Some(current) => {
                        if store::update_staff_row(conn, by, provider_id, current, person)? {
                            report.updated += 1;
                        } else {
                            report.unchanged += 1;
                        }
                    }
                    None => {
                        store::insert_staff(conn, by, provider_id, person)?;
                        report.created += 1;
                    }
                }
                progress(done + 1);
            }
            for leaver in leavers {
                if store::mark_left(conn, by, provider_id, &leaver.staff_number, leaver.left_on)? {
                    report.left += 1;
                }
            }
            ImportKind::Staff
        }
        Prepared::CpdFile(file) => {
            report.created =
                cpd_file::write(conn, by, provider_id, &file.content, &file.read_as, file.today, progress)?;
            ImportKind::Cpd
        }
        Prepared::Cpd(rows) => {
            let mut done = 0;
            for step in rows.chunks(CPD_PROGRESS_STEP) {
                done += insert_cpd(conn, by, step)?;
                progress(done);
            }
            report.created = done;
            ImportKind::Cpd
        }
        Prepared::Supervision(rows) => {
            for (done, (_, session, supervisor, attendees)) in rows.iter().enumerate() {
                store::insert_session(conn, by, provider_id, session, *supervisor, attendees)?;
                progress(done + 1);
            }
            report.created = rows.len();
            ImportKind::Supervision
        }
    };
    record_import(conn, by, provider_id, kind, &report, file_sha256)?;
    Ok(report)
}

/// The history line of an imported file: its SHA-256 and counts.
fn record_import(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    kind: ImportKind,
    report: &ImportReport,
    file_sha256: &str,
) -> Result<(), StoreError> {
    crate::history::store::record(
        conn,
        &crate::history::Entry {
            user_id: by,
            organisation_id: Some(provider_id.0),
            entity: "import".into(),
            entity_id: kind.as_str().into(),
            action: "import".into(),
            changes: crate::history::store::created(
                vec![
                    ("file_sha256", json(file_sha256)),
                    ("rows", json(report.rows)),
                    ("created", json(report.created)),
                    ("updated", json(report.updated)),
                    ("unchanged", json(report.unchanged)),
                ]
                .into_iter()
                .chain((kind == ImportKind::Staff).then(|| ("left", json(report.left))))
                .collect(),
            ),
        },
    )?;
    Ok(())
}

/// How long a previewed file waits for its confirmation. After that it cannot be confirmed, and
/// the sweep deletes it: it holds people's names, emails and registration numbers.
pub const PENDING_HOURS: i64 = 24;

/// What a confirmation that cannot be used says: the preview was another session's, or replaced,
/// or already confirmed.
pub const NOT_PREVIEWED: &str = "This file was not checked in this session: upload it again to see its preview";

/// What a confirmation says after the preview expired.
pub const PREVIEW_EXPIRED: &str =
    "This preview has expired (previews are kept for 24 hours): upload the file again to see its preview";

/// The stored form of a session's import token: the database alone cannot confirm anyone's preview.
fn session_key(session_token: &str) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(session_token.as_bytes()))
}

/// The file an import form sent (`web::form::UploadForm`'s file), a CSV or an Excel (.xlsx)
/// workbook judged by its bytes: its size, that it can be read at all (`reader::check`), and its
/// SHA-256; or what to say at the file field. Its rows are left to the reader. Every import reads
/// its file through here: the workforce's and the quality indicators'.
pub fn csv_upload(
    file: Option<(String, Vec<u8>)>,
    too_large: bool,
    limit: usize,
    max_upload_mb: usize,
) -> Result<Upload, String> {
    use super::reader::Format;
    let content = match file {
        _ if too_large => return Err(format!("The file must be smaller than {max_upload_mb} MB")),
        Some((_, content)) if !content.is_empty() => content,
        _ => return Err("Choose a CSV or Excel (.xlsx) file to import".into()),
    };
    if content.len() > limit {
        return Err(format!("The file must be smaller than {} MB", limit / (1024 * 1024)));
    }
    let (file_name, media_type) = match super::reader::check(&content).map_err(|why| sentence(&why))? {
        Format::Csv => ("import.csv", "text/csv"),
        Format::Workbook => ("import.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    };
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&content));
    Ok(Upload { file_name: file_name.into(), media_type: media_type.into(), sha256, content })
}

/// The sheet an import form named, checked against the file for the sheet field: blank for a CSV,
/// and for a workbook one of its sheets (blank is the first). `None` when the field was blank.
pub fn upload_sheet(upload: &Upload, sheet: &str) -> Result<Option<String>, String> {
    let sheet = Some(sheet.trim()).filter(|s| !s.is_empty());
    super::reader::check_sheet(&upload.content, sheet).map_err(|why| sentence(&why))?;
    Ok(sheet.map(str::to_string))
}

/// A reader's refusal ("the file is …", said after a line's place) as a sentence on its own.
fn sentence(why: &str) -> String {
    let mut chars = why.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Keeps a checked file for the session that previewed it until `now` + [`PENDING_HOURS`],
/// replacing that session's earlier preview: the file (stored once by its hash) and the pending
/// row are written together.
pub fn hold(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    session_token: &str,
    kind: ImportKind,
    upload: &Upload,
    read_as: &ReadAs,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let session = session_key(session_token);
    let read_as =
        serde_json::to_string(read_as).map_err(|e| StoreError::Invalid(FieldErrors::one("file", e.to_string())))?;
    let now = now.naive_utc();
    db::write_transaction(conn, |conn| {
        crate::evidence::store::store_blob(conn, upload)?;
        diesel::delete(pending_imports::table.filter(pending_imports::session_token_sha256.eq(&session)))
            .execute(conn)?;
        diesel::insert_into(pending_imports::table)
            .values((
                pending_imports::provider_id.eq(provider_id),
                pending_imports::session_token_sha256.eq(&session),
                pending_imports::kind.eq(kind),
                pending_imports::sha256.eq(&upload.sha256),
                pending_imports::created_at.eq(now),
                pending_imports::expires_at.eq(now + chrono::Duration::hours(PENDING_HOURS)),
                pending_imports::read_as.eq(&read_as),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// This session's held file (for this provider, as this kind) and how it is to be read: the file a
/// mapping page was shown for, read again when the mapping is posted. `None` when there is no such
/// file, or its 24 hours are over.
pub fn held(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    session_token: &str,
    kind: ImportKind,
    sha256: &str,
    now: DateTime<Utc>,
) -> Result<Option<(Vec<u8>, ReadAs)>, StoreError> {
    let pending: Option<(NaiveDateTime, String)> = pending_imports::table
        .filter(pending_imports::session_token_sha256.eq(session_key(session_token)))
        .filter(pending_imports::provider_id.eq(provider_id))
        .filter(pending_imports::kind.eq(kind))
        .filter(pending_imports::sha256.eq(sha256))
        .select((pending_imports::expires_at, pending_imports::read_as))
        .first(conn)
        .optional()?;
    let Some((_, read_as)) = pending.filter(|(expires_at, _)| *expires_at > now.naive_utc()) else {
        return Ok(None);
    };
    let read_as: ReadAs = serde_json::from_str(&read_as).unwrap_or_default();
    Ok(crate::evidence::store::blob_content(conn, sha256)?.map(|content| (content, read_as)))
}

/// Confirms the session's previewed file: checks it again (the data may have changed since the
/// preview) and writes it, deleting the pending row in the same transaction, so a confirmation is
/// used once. A file this session did not preview (for this provider, as this kind), or whose
/// preview expired, is refused as a conflict and nothing is written.
#[allow(clippy::too_many_arguments)]
pub fn confirm(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    session_token: &str,
    kind: ImportKind,
    sha256: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Result<ImportReport, Vec<RowError>>, StoreError> {
    confirm_with(conn, provider_id, session_token, kind, sha256, now, |conn, content, read_as| {
        if kind == ImportKind::Cpd {
            // Checked again as it is, then written: two passes over the file, its rows not held.
            let checked = cpd_file::check(conn, provider_id, content, read_as, today)?;
            let rows = match checked {
                Ok((checked, _)) => checked.rows,
                Err(rows) => return Ok(Err(rows)),
            };
            let created = cpd_file::write(conn, by, provider_id, content, read_as, today, &mut |_| {})?;
            let report = ImportReport { rows, created, ..Default::default() };
            record_import(conn, by, provider_id, ImportKind::Cpd, &report, sha256)?;
            return Ok(Ok(report));
        }
        let prepared = match prepare_as(conn, provider_id, kind, content, read_as, today)? {
            Ok(prepared) => prepared,
            Err(rows) => return Ok(Err(rows)),
        };
        Ok(Ok(write(conn, by, provider_id, &prepared, sha256, &mut |_| {})?))
    })
}

/// The confirmation of any kind of previewed file, for the area that checks and writes it: finds
/// this session's preview of `sha256` (for this provider, as this kind), hands its content and how
/// the preview read it to `work` (which checks it again and writes it), and when `work` wrote, deletes the pending row and
/// the file in the same transaction. No preview, or an expired one, is a conflict, and `work` is
/// not called.
pub fn confirm_with<R>(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    session_token: &str,
    kind: ImportKind,
    sha256: &str,
    now: DateTime<Utc>,
    work: impl FnOnce(&mut DbConnection, &[u8], &ReadAs) -> Result<Result<R, Vec<RowError>>, StoreError>,
) -> Result<Result<R, Vec<RowError>>, StoreError> {
    let session = session_key(session_token);
    db::write_transaction(conn, |conn| {
        let pending: Option<(i32, NaiveDateTime, String)> = pending_imports::table
            .filter(pending_imports::session_token_sha256.eq(&session))
            .filter(pending_imports::provider_id.eq(provider_id))
            .filter(pending_imports::kind.eq(kind))
            .filter(pending_imports::sha256.eq(sha256))
            .select((pending_imports::id, pending_imports::expires_at, pending_imports::read_as))
            .first(conn)
            .optional()?;
        let Some((id, expires_at, read_as)) = pending else { return Err(StoreError::Conflict(NOT_PREVIEWED.into())) };
        // Written by `hold` from a `ReadAs`; a document this binary cannot read is read as plainly.
        let read_as: ReadAs = serde_json::from_str(&read_as).unwrap_or_default();
        if expires_at <= now.naive_utc() {
            return Err(StoreError::Conflict(PREVIEW_EXPIRED.into()));
        }
        let Some(content) = crate::evidence::store::blob_content(conn, sha256)? else {
            return Err(StoreError::NotFound);
        };
        let written = match work(conn, &content, &read_as)? {
            Ok(written) => written,
            Err(rows) => return Ok(Err(rows)),
        };
        diesel::delete(pending_imports::table.find(id)).execute(conn)?;
        // The rows are in the records now, and the history keeps the file's hash: the file itself,
        // names and registration numbers, is not kept.
        delete_unwanted_files(conn)?;
        Ok(Ok(written))
    })
}

/// Why a confirmation wrote nothing, as the import page says it.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// No live preview of the file in this session (409), rather than a file that fails (422).
    pub conflict: bool,
    pub file_error: String,
    pub rows: Vec<RowError>,
}

impl Refusal {
    /// The status the import page is shown again with: 409 when there is no preview to confirm,
    /// 422 when the file fails its checks.
    pub fn status(&self) -> actix_web::http::StatusCode {
        if self.conflict {
            actix_web::http::StatusCode::CONFLICT
        } else {
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
        }
    }
}

/// A confirmation's outcome (`confirm`, `confirm_with`) with its refusal in words, for every
/// import's page: a preview that is missing, expired or already confirmed, said as it is; or a file
/// that no longer passes its checks (the data changed since the preview), with every bad line.
pub fn refusal_in_words<R>(
    confirmed: Result<Result<R, Vec<RowError>>, StoreError>,
) -> Result<Result<R, Refusal>, StoreError> {
    match confirmed {
        Err(StoreError::Conflict(why)) => Ok(Err(Refusal { conflict: true, file_error: why, rows: Vec::new() })),
        Err(other) => Err(other),
        Ok(Err(rows)) => Ok(Err(Refusal {
            conflict: false,
            file_error: "The file no longer passes its checks; nothing was imported".to_string(),
            rows,
        })),
        Ok(Ok(written)) => Ok(Ok(written)),
    }
}

/// What a sweep deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    pub pending_imports: usize,
    pub files: usize,
}

/// Deletes the previews that expired by `now`, then every stored file nothing refers to any more:
/// not an evidence item and not a preview still pending. An import file holds names, emails and
/// registration numbers; once imported or abandoned it is not kept.
pub fn sweep(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<Swept, StoreError> {
    db::write_transaction(conn, |conn| {
        let pending_imports =
            diesel::delete(pending_imports::table.filter(pending_imports::expires_at.le(now.naive_utc())))
                .execute(conn)?;
        let files = delete_unwanted_files(conn)?;
        Ok(Swept { pending_imports, files })
    })
}

/// Deletes the stored files that neither evidence nor a pending preview refers to.
fn delete_unwanted_files(conn: &mut DbConnection) -> QueryResult<usize> {
    let wanted: HashSet<String> =
        pending_imports::table.select(pending_imports::sha256).distinct().load::<String>(conn)?.into_iter().collect();
    crate::evidence::store::delete_unreferenced_blobs(conn, &wanted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_says_what_it_wrote_in_words() {
        let staff = ImportReport { rows: 15, created: 12, updated: 3, ..Default::default() };
        assert_eq!(staff.in_words(ImportKind::Staff), "12 people added, 3 updated");
        let again = ImportReport { rows: 15, created: 1, unchanged: 14, ..Default::default() };
        assert_eq!(again.in_words(ImportKind::Staff), "1 person added, 14 unchanged");
        let renewed = ImportReport { rows: 5, created: 0, updated: 3, unchanged: 2, ..Default::default() };
        assert_eq!(renewed.in_words(ImportKind::Staff), "No one added, 3 updated, 2 unchanged");
        let extract = ImportReport { rows: 5, unchanged: 5, left: 2, ..Default::default() };
        assert_eq!(extract.in_words(ImportKind::Staff), "No one added, 5 unchanged, 2 people marked as having left");
        let cpd = ImportReport { rows: 1, created: 1, ..Default::default() };
        assert_eq!(cpd.in_words(ImportKind::Cpd), "1 CPD entry added");
        let sessions = ImportReport { rows: 2, created: 2, ..Default::default() };
        assert_eq!(sessions.in_words(ImportKind::Supervision), "2 supervision sessions added");
    }

    #[test]
    fn a_full_extract_is_a_staff_file_with_a_date_not_in_the_future() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(full_extract_dated(false, "", ImportKind::Staff, today), Ok(None));
        assert_eq!(
            full_extract_dated(true, "30/11/2026", ImportKind::Staff, today),
            Ok(NaiveDate::from_ymd_opt(2026, 11, 30))
        );
        let missing = full_extract_dated(true, " ", ImportKind::Staff, today).unwrap_err();
        assert!(missing.get("extract_date").is_some_and(|m| m.starts_with("Enter the date the extract was run")));
        let future = full_extract_dated(true, "2026-12-04", ImportKind::Staff, today).unwrap_err();
        assert_eq!(future.get("extract_date"), Some("The extract's date, 4 December 2026, is in the future"));
        let cpd = full_extract_dated(true, "2026-11-30", ImportKind::Cpd, today).unwrap_err();
        assert_eq!(cpd.get("full_extract"), Some("Only a staff file can be a full extract"));
    }

    #[test]
    fn headers_match_loosely_and_bad_shapes_name_their_line() {
        let file = "\u{feff} Staff_Number ,DATE,title,Hours,participatory,reflective\r\nA1,23/11/2026,Course,2,yes,n\r\n\r\nA2,2026-11-20,Reading\r\n";
        let errors = read_rows(file.as_bytes(), ImportKind::Cpd.columns()).unwrap_err();
        assert_eq!(errors, vec![RowError::at_line(4, "3 values where the header has 6 columns")]);
        let good = "staff_number,date,title,hours,participatory,reflective\nA1,23/11/2026,\"Course, day 1\",2,yes,n\n";
        let rows = read_rows(good.as_bytes(), ImportKind::Cpd.columns()).unwrap();
        assert_eq!(
            rows,
            vec![(
                2,
                vec!["A1", "23/11/2026", "Course, day 1", "2", "yes", "n"].into_iter().map(String::from).collect()
            )]
        );
    }

    #[test]
    fn missing_and_unknown_columns_are_refused_at_the_header() {
        let errors = read_rows(b"staff_number,date,titel\nA1,2026-01-01,x\n", ImportKind::Cpd.columns()).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 1);
        assert!(errors[0].message.contains("missing column(s) title, hours, participatory, reflective"));
        assert!(errors[0].message.contains("unknown column(s) titel"));
        // Not UTF-8: read as Windows-1252, as Excel's "CSV (Comma delimited)" writes it.
        let latin1 = read_file(b"staff_number\nChlo\xe9 \xa3\n", &["staff_number"], &ReadAs::default()).unwrap();
        assert_eq!(latin1.0.read_as, "CSV, Windows-1252");
        assert_eq!(latin1.1, vec![(2, vec!["Chloé £".to_string()])]);
        assert!(read_rows(b"staff_number\n", &["staff_number"]).unwrap_err()[0].message.contains("no rows"));
    }
}
