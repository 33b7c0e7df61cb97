//! CSV files of quality indicator values, from the web page and `ohgov import kpis`: the columns
//! `kpi_code, period_start, period_end, numerator, denominator, value`. The file is read and
//! checked whole (`workforce::import::read_rows`, the same reader as the workforce files); a file
//! with any bad line is refused with every bad line named, and nothing is written. A value for a
//! period that already has one replaces it, with a history row holding both.

use std::collections::HashMap;

use diesel::prelude::*;

use super::model::{NewValue, ValueInput};
use super::rules::Period;
use super::store::{self, KpiLine};
use crate::db::{self, DbConnection, ProviderId, StoreError, UserId};
use crate::history::store::{created, json, record, Diff};
use crate::history::Entry;
use crate::workforce::import::{read_file, FileRead, ImportKind, ImportReport, ReadAs, RowError};

/// One checked line.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: u64,
    pub kpi: KpiLine,
    pub value: NewValue,
}

/// The most lines a file may hold: 20 years of monthly values for every KPI, with room to spare.
/// More is not a KPI file.
pub const MAX_ROWS: usize = 10_000;

/// A cell a spreadsheet would run as a formula (`=`, `+`, `@`, a tab or carriage return first, or
/// `-` not starting a number). Refused rather than stored, so the figures never carry one back out.
fn formula_like(cell: &str) -> bool {
    match cell.chars().next() {
        Some('=' | '+' | '@' | '\t' | '\r') => true,
        Some('-') => cell[1..].parse::<f64>().is_err(),
        _ => false,
    }
}

fn row_error(line: u64, errors: crate::form::FieldErrors) -> RowError {
    let message = errors.0.iter().map(|(field, message)| format!("{field}: {message}")).collect::<Vec<_>>().join("; ");
    RowError::at_line(line, message)
}

/// Reads and checks a whole file against the KPI definitions. The outer error is the database's;
/// the inner one lists every bad line.
pub fn prepare(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    bytes: &[u8],
) -> QueryResult<Result<Vec<Row>, Vec<RowError>>> {
    Ok(prepare_read(conn, provider_id, bytes, &ReadAs::default())?.map(|(rows, _)| rows))
}

/// A checked file's rows, with how the file was read.
pub type Checked = (Vec<Row>, FileRead);

/// [`prepare`], reading the file as `read_as` says (a workbook's sheet), with how it was read for
/// the preview to say.
pub fn prepare_read(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    bytes: &[u8],
    read_as: &ReadAs,
) -> QueryResult<Result<Checked, Vec<RowError>>> {
    let columns = ImportKind::Kpis.columns();
    let (read, rows) = match read_file(bytes, columns, read_as) {
        Ok(read) => read,
        Err(errors) => return Ok(Err(errors)),
    };
    if rows.len() > MAX_ROWS {
        return Ok(Err(vec![RowError::at_line(
            1,
            format!("the file has {} rows; a KPI file holds at most {MAX_ROWS}", rows.len()),
        )]));
    }
    let kpis: HashMap<String, KpiLine> =
        store::definitions(conn, provider_id)?.into_iter().map(|k| (k.reference.to_ascii_uppercase(), k)).collect();
    let mut errors = Vec::new();
    let mut good = Vec::with_capacity(rows.len());
    let mut seen: HashMap<(i32, Period), u64> = HashMap::new();
    for (line, values) in rows {
        let get = |name: &str| {
            columns.iter().position(|c| *c == name).and_then(|i| values.get(i)).cloned().unwrap_or_default()
        };
        if let Some((column, _)) = columns.iter().zip(&values).find(|(_, cell)| formula_like(cell)) {
            errors.push(RowError::at_line(
                line,
                format!("{column}: the cell looks like a spreadsheet formula: save the figures as values"),
            ));
            continue;
        }
        let code = get("kpi_code");
        let kpi = kpis.get(&code.trim().to_ascii_uppercase());
        let input = ValueInput {
            period_start: get("period_start"),
            period_end: get("period_end"),
            numerator: get("numerator"),
            denominator: get("denominator"),
            value: get("value"),
        };
        let Some(kpi) = kpi else {
            let message = if code.trim().is_empty() {
                "kpi_code: give the KPI's code, such as M-APPT".to_string()
            } else {
                format!(
                    "kpi_code: there is no KPI {:?}; the codes are those of the KPI pages, such as M-APPT",
                    code.trim()
                )
            };
            errors.push(RowError::at_line(line, message));
            continue;
        };
        match input.parse(kpi.unit) {
            Ok(value) => {
                if let Some(first) = seen.insert((kpi.node_id, value.period), line) {
                    errors.push(RowError::at_line(
                        line,
                        format!("{} for {} appears again (first on line {first})", kpi.reference, value.period.label()),
                    ));
                } else {
                    good.push(Row { line, kpi: kpi.clone(), value });
                }
            }
            Err(e) => errors.push(row_error(line, e)),
        }
    }
    if errors.is_empty() {
        Ok(Ok((good, read)))
    } else {
        errors.sort_by_key(|e| e.line);
        for e in &mut errors {
            e.sheet.clone_from(&read.sheet);
        }
        Ok(Err(errors))
    }
}

/// Writes a checked file in one transaction: new values in batches, each replaced value with its
/// history row (before and after), and one history row for the file (its SHA-256 and counts).
pub fn commit(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    rows: &[Row],
    file_sha256: &str,
) -> Result<ImportReport, StoreError> {
    db::write_transaction(conn, |conn| write(conn, by, provider_id, rows, file_sha256))
}

/// The writing of [`commit`], inside a transaction the caller holds.
pub fn write(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    rows: &[Row],
    file_sha256: &str,
) -> Result<ImportReport, StoreError> {
    let wanted: Vec<(i32, Period)> = rows.iter().map(|r| (r.kpi.node_id, r.value.period)).collect();
    let stored = store::stored_for(conn, provider_id, &wanted)?;
    let mut report = ImportReport { rows: rows.len(), ..Default::default() };
    let mut new = Vec::new();
    for row in rows {
        match stored.get(&(row.kpi.node_id, row.value.period)) {
            None => new.push((row.kpi.node_id, row.value)),
            Some(&(_, n, d, v)) => {
                let f = row.value.figure;
                let mut diff = Diff::default();
                diff.field("numerator", n, f.numerator)
                    .field("denominator", d, f.denominator)
                    .field("value", v, f.value);
                if diff.is_empty() {
                    report.unchanged += 1;
                } else {
                    store::write_value(conn, by, provider_id, &row.kpi, &row.value)?;
                    report.updated += 1;
                }
            }
        }
    }
    report.created = store::insert_values(conn, by, provider_id, &new)?;
    record(
        conn,
        &Entry {
            user_id: by,
            organisation_id: Some(provider_id.0),
            entity: "import".into(),
            entity_id: ImportKind::Kpis.as_str().into(),
            action: "import".into(),
            changes: created(vec![
                ("file_sha256", json(file_sha256)),
                ("rows", json(report.rows)),
                ("created", json(report.created)),
                ("updated", json(report.updated)),
                ("unchanged", json(report.unchanged)),
            ]),
        },
    )?;
    Ok(report)
}

/// The first lines of a checked file, as the preview shows them.
pub fn preview(rows: &[Row]) -> Vec<(u64, String)> {
    rows.iter()
        .take(20)
        .map(|r| {
            let f = r.value.figure;
            let counts = match (f.numerator, f.denominator) {
                (Some(n), Some(d)) => format!(" ({n} of {d})"),
                _ => String::new(),
            };
            (r.line, format!("{}: {}{counts} for {}", r.kpi.title, r.kpi.with_unit(f.value), r.value.period.label()))
        })
        .collect()
}

/// The confirmation after an import: "24 quality indicator values recorded".
pub fn in_words(report: &ImportReport) -> String {
    report.in_words(ImportKind::Kpis)
}
