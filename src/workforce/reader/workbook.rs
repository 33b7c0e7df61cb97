//! Excel (.xlsx) workbooks, read with calamine: one sheet (the first unless one is named), its
//! first non-blank row the header, each later row by the number Excel shows beside it. Cells come
//! as text the way the person sees them: numbers without a trailing ".0", date cells as ISO dates,
//! formulas as the values Excel saved with them (never evaluated), and an error cell (`#REF!`) as a
//! bad row.
//!
//! A workbook is a ZIP package, and an upload is hostile: the package's unpacked size is measured
//! before calamine opens it (a small file can unpack to gigabytes), the rows and columns are
//! capped, and a panic inside calamine on a malformed file is caught and said as a damaged file.

use std::io::{Cursor, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{DataRef, ExcelDateTime, Reader, Xlsx, XlsxError};
use chrono::{Datelike, NaiveDate};

use super::{Row, Table};
use crate::workforce::import::RowError;

/// The most rows a sheet may have: more than Excel's own 1,048,576 is not a real sheet.
pub const MAX_ROWS: u32 = 1_100_000;
/// The most columns a sheet may use.
pub const MAX_COLUMNS: u32 = 200;
/// The most a package may unpack to, all its parts together.
const MAX_UNPACKED: u64 = 1 << 30;
/// The most parts a package may hold; a workbook has a few dozen.
const MAX_PARTS: usize = 10_000;
/// The most text the rows of one sheet may hold.
const MAX_TEXT: usize = 256 << 20;

const DAMAGED: &str = "the workbook is damaged or incomplete: open it in Excel and save it again as .xlsx";

fn refused(message: impl Into<String>) -> RowError {
    RowError::at_line(1, message)
}

/// Opens a workbook's sheet (the first when `sheet` is `None` or blank) and reads its rows.
pub(super) fn open(bytes: &[u8], sheet: Option<&str>) -> Result<Table<'static>, RowError> {
    check_package(bytes).map_err(refused)?;
    // calamine trusts the package's XML in places; a file made to break it must not take the
    // request (or the command) down with it.
    match catch_unwind(AssertUnwindSafe(|| read(bytes, sheet))) {
        Ok(read) => read,
        Err(_) => Err(refused(DAMAGED)),
    }
}

/// Checks the ZIP package is whole, is an Excel workbook, and unpacks to a sane size, by unpacking
/// each part into nothing: its declared size cannot be trusted.
fn check_package(bytes: &[u8]) -> Result<(), String> {
    check_package_within(bytes, MAX_UNPACKED)
}

fn check_package_within(bytes: &[u8], most: u64) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| DAMAGED.to_string())?;
    if zip.len() > MAX_PARTS {
        return Err(format!(
            "the file holds more than {MAX_PARTS} parts, which no workbook does: save it again as .xlsx"
        ));
    }
    if let Ok(mut mimetype) = zip.by_name("mimetype") {
        let mut kind = String::new();
        // Only a name is wanted; an unreadable one is judged below as any other part.
        let _ = (&mut mimetype).take(200).read_to_string(&mut kind);
        if kind.contains("opendocument") {
            return Err("the file is an OpenDocument spreadsheet (.ods): save it as .xlsx or CSV".into());
        }
    }
    if zip.index_for_name("[Content_Types].xml").is_none()
        || !zip.file_names().any(|n| n.is_ok_and(|n| n.starts_with("xl/")))
    {
        return Err(
            "the file is a ZIP archive or another Office file, not an Excel workbook: choose the .xlsx or CSV file"
                .into(),
        );
    }
    let mut total: u64 = 0;
    for index in 0..zip.len() {
        let mut part = zip.by_index(index).map_err(|_| DAMAGED.to_string())?;
        let room = most - total;
        total +=
            std::io::copy(&mut (&mut part).take(room + 1), &mut std::io::sink()).map_err(|_| DAMAGED.to_string())?;
        if total > most {
            return Err(format!(
                "the workbook unpacks to more than {} MB, too much to import: split it, or save it as CSV",
                most >> 20
            ));
        }
    }
    Ok(())
}

/// A sheet's rows as read, kept compactly: every cell's text end to end in one string.
#[derive(Default)]
struct Collected {
    text: String,
    /// Where each kept cell's text ends in `text`.
    ends: Vec<u32>,
    /// Whether each kept cell was a number cell.
    numeric: Vec<bool>,
    rows: Vec<Stored>,
}

enum Stored {
    /// A row's cells: `width` of them from cell `first`.
    Cells {
        line: u32,
        first: u32,
        width: u32,
    },
    Problem {
        line: u32,
        message: String,
    },
}

impl Collected {
    fn cell(&self, index: usize) -> &str {
        let start = if index == 0 { 0 } else { self.ends[index - 1] as usize };
        &self.text[start..self.ends[index] as usize]
    }
}

/// One cell as read: its column, its text, whether it was a number.
struct Cell {
    column: u32,
    text: String,
    number: bool,
}

/// What a cell holds, as text; an error cell is `Err` with what Excel shows.
fn cell_text(value: DataRef<'_>) -> Result<(String, bool), String> {
    Ok(match value {
        DataRef::Empty => (String::new(), false),
        DataRef::Int(i) => (i.to_string(), true),
        DataRef::Float(f) => (number_text(f), true),
        DataRef::String(s) => (s, false),
        DataRef::SharedString(s) => (s.to_string(), false),
        DataRef::Bool(b) => ((if b { "TRUE" } else { "FALSE" }).to_string(), false),
        DataRef::DateTime(d) => (date_text(&d), false),
        DataRef::DateTimeIso(s) => {
            let date = s.get(..10).filter(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").is_ok());
            (date.map(str::to_string).unwrap_or(s), false)
        }
        DataRef::DurationIso(s) => (s, false),
        DataRef::Error(e) => return Err(e.to_string()),
    })
}

/// A number as Excel shows it in a General cell: whole numbers without ".0", and at most 15
/// significant digits, so a formula's 0.30000000000000004 is 0.3.
fn number_text(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    let shown: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    if shown.fract() == 0.0 && shown.abs() < 1e15 {
        format!("{}", shown as i64)
    } else {
        format!("{shown}")
    }
}

/// A date cell as an ISO date (its time of day, if any, left off: every date ohgov reads is a
/// day); a time alone as "14:30"; a duration as hours and minutes.
fn date_text(date: &ExcelDateTime) -> String {
    let value = date.as_f64();
    if date.is_duration() {
        let minutes = (value * 24.0 * 60.0).round() as i64;
        return format!("{}:{:02}", minutes / 60, (minutes % 60).abs());
    }
    let (year, month, day, hour, minute, _, _) = date.to_ymd_hms_milli();
    if value < 1.0 {
        format!("{hour:02}:{minute:02}")
    } else {
        format!("{year:04}-{month:02}-{day:02}")
    }
}

/// A column's letters as Excel heads it: 0 is A, 26 is AA.
fn column_letters(mut column: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    letters.reverse();
    String::from_utf8_lossy(&letters).into_owned()
}

/// Excel's serial day number (a number cell in a date column) as an ISO date, or `None` when it
/// is not a day between 1901 and 2100, for the date check to refuse as written.
pub(crate) fn serial_date(text: &str, epoch_1904: bool) -> Option<String> {
    let serial: f64 = text.trim().parse().ok()?;
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return None;
    }
    // Day 1 of the 1900 system is 1 January 1900, counting Lotus's 29 February 1900 that never
    // was: from March 1900 on, day N is N days after 30 December 1899.
    let base = if epoch_1904 { NaiveDate::from_ymd_opt(1904, 1, 1)? } else { NaiveDate::from_ymd_opt(1899, 12, 30)? };
    let date = base.checked_add_days(chrono::Days::new(serial.floor() as u64))?;
    (1901..=2100).contains(&date.year()).then(|| date.format("%Y-%m-%d").to_string())
}

/// The workbook's sheets, in order, for a check before reading: the package checked and opened
/// as [`open`] does.
pub(super) fn sheet_names(bytes: &[u8]) -> Result<Vec<String>, String> {
    check_package(bytes)?;
    match catch_unwind(AssertUnwindSafe(|| book(bytes).map(|book| book.sheet_names()))) {
        Ok(names) => names,
        Err(_) => Err(DAMAGED.into()),
    }
}

fn book(bytes: &[u8]) -> Result<Xlsx<Cursor<&[u8]>>, String> {
    Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        match e {
            XlsxError::Password => "the workbook is password-protected: save a copy without the password",
            _ => DAMAGED,
        }
        .to_string()
    })
}

/// The sheet to read: the one named (exactly, or else without regard to case), or the first.
pub(super) fn pick(names: &[String], sheet: Option<&str>) -> Result<String, String> {
    match sheet.map(str::trim).filter(|s| !s.is_empty()) {
        None => names.first().cloned().ok_or_else(|| "the workbook has no sheets".to_string()),
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .or_else(|| names.iter().find(|n| n.trim().eq_ignore_ascii_case(wanted)))
            .cloned()
            .ok_or_else(|| {
                format!("the workbook has no sheet {wanted:?}; its sheets are {}", crate::words::listed(names))
            }),
    }
}

fn read(bytes: &[u8], sheet: Option<&str>) -> Result<Table<'static>, RowError> {
    let mut book = book(bytes).map_err(refused)?;
    let name = pick(&book.sheet_names(), sheet).map_err(refused)?;
    let epoch_1904 = book.has_1904_epoch();
    let at = |line: u32, message: String| RowError { line: u64::from(line), sheet: Some(name.clone()), message };
    let mut cells = book.worksheet_cells_reader(&name).map_err(|e| match e {
        XlsxError::NotAWorksheet(_) => at(1, "the sheet is a chart, not a worksheet: choose a sheet of rows".into()),
        _ => at(1, DAMAGED.into()),
    })?;
    let mut collected = Collected::default();
    let mut headers: Option<Vec<String>> = None;
    let mut row: Vec<Cell> = Vec::new();
    let mut row_index: Option<u32> = None;
    let mut error: Option<(u32, String)> = None;
    loop {
        let next = cells.next_cell().map_err(|_| {
            let line = row_index.map_or(1, |r| r + 1);
            at(line, format!("the sheet cannot be read from here on: {DAMAGED}"))
        })?;
        let position = next.as_ref().map(|c| c.get_position());
        if position.map(|p| p.0) != row_index {
            if let Some(index) = row_index {
                finish_row(&mut collected, &mut headers, index + 1, std::mem::take(&mut row), error.take())
                    .map_err(|message| at(index + 1, message))?;
            }
            row_index = position.map(|p| p.0);
        }
        let Some(cell) = next else { break };
        let (index, column) = cell.get_position();
        if index >= MAX_ROWS {
            return Err(at(
                index + 1,
                format!("the sheet has more than {MAX_ROWS} rows, too many to import: split it"),
            ));
        }
        match cell_text(cell.get_value().clone()) {
            Ok((text, _)) if text.trim().is_empty() => {}
            Ok((text, number)) => {
                if column >= MAX_COLUMNS {
                    return Err(at(
                        index + 1,
                        format!(
                            "column {} has a value; a sheet to import uses at most {MAX_COLUMNS} columns (A to {})",
                            column_letters(column),
                            column_letters(MAX_COLUMNS - 1)
                        ),
                    ));
                }
                row.push(Cell { column, text: text.trim().to_string(), number });
            }
            Err(shown) => {
                if error.is_none() {
                    error = Some((column, shown));
                }
            }
        }
    }
    let Some(headers) = headers else {
        return Err(at(1, "the sheet is empty: its first row should name the columns".into()));
    };
    let sheet = name.clone();
    let mut next = 0;
    let rows = std::iter::from_fn(move || {
        let stored = collected.rows.get(next)?;
        next += 1;
        Some(match stored {
            Stored::Problem { line, message } => {
                Err(RowError { line: u64::from(*line), sheet: Some(sheet.clone()), message: message.clone() })
            }
            Stored::Cells { line, first, width } => {
                let span = *first as usize..(*first + *width) as usize;
                let values = span.clone().map(|i| collected.cell(i).to_string()).collect();
                let numbers = span.enumerate().filter(|(_, i)| collected.numeric[*i]).map(|(at, _)| at).collect();
                Ok(Row { line: u64::from(*line), values, numbers })
            }
        })
    });
    Ok(Table {
        headers,
        read_as: format!("Excel workbook, sheet {name}"),
        sheet: Some(name),
        epoch_1904,
        rows: Box::new(rows),
    })
}

/// Keeps a finished row: the first non-blank one is the header; a blank one is left out; one with
/// an error cell, or a value in a column with no header, is a bad row. The outer error refuses the
/// whole sheet.
fn finish_row(
    collected: &mut Collected,
    headers: &mut Option<Vec<String>>,
    line: u32,
    row: Vec<Cell>,
    error: Option<(u32, String)>,
) -> Result<(), String> {
    let Some(headers) = headers else {
        if row.is_empty() && error.is_none() {
            return Ok(());
        }
        let width = row.iter().map(|c| c.column + 1).max().unwrap_or(0);
        let mut names = vec![String::new(); width as usize];
        for cell in row {
            names[cell.column as usize] = cell.text;
        }
        if let Some((column, shown)) = error {
            return Err(format!("the header row's column {} shows {shown}: name the column", column_letters(column)));
        }
        *headers = Some(names);
        return Ok(());
    };
    let column_name = |column: u32| match headers.get(column as usize).filter(|h| !h.is_empty()) {
        Some(header) => header.clone(),
        None => format!("column {}", column_letters(column)),
    };
    if let Some((column, shown)) = error {
        let message = format!(
            "{}: the cell shows {shown}, an error in the workbook: correct it (or type the value) and save the workbook again",
            column_name(column)
        );
        collected.rows.push(Stored::Problem { line, message });
        return Ok(());
    }
    if row.is_empty() {
        return Ok(());
    }
    let width = headers.len() as u32;
    if let Some(outside) = row.iter().find(|c| c.column >= width) {
        let message = format!(
            "column {} has a value ({:?}) but no header: name the column or clear it",
            column_letters(outside.column),
            outside.text
        );
        collected.rows.push(Stored::Problem { line, message });
        return Ok(());
    }
    if collected.text.len() > MAX_TEXT {
        return Err("the sheet holds more than 256 MB of text, too much to import: split it".into());
    }
    let first = collected.ends.len() as u32;
    let mut cells = row.into_iter().peekable();
    for column in 0..width {
        match cells.next_if(|c| c.column == column) {
            Some(cell) => {
                collected.text.push_str(&cell.text);
                collected.numeric.push(cell.number);
            }
            None => collected.numeric.push(false),
        }
        collected.ends.push(collected.text.len() as u32);
    }
    collected.rows.push(Stored::Cells { line, first, width });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(number_text(2.0), "2");
        assert_eq!(number_text(1.5), "1.5");
        assert_eq!(number_text(0.1 + 0.2), "0.3");
        assert_eq!(number_text(-3.0), "-3");
        assert_eq!(number_text(12345678.0), "12345678");
    }

    #[test]
    fn serial_days_are_dates_within_a_sane_range() {
        assert_eq!(serial_date("46349", false).as_deref(), Some("2026-11-23"));
        assert_eq!(serial_date("46349.75", false).as_deref(), Some("2026-11-23"));
        assert_eq!(serial_date("44887", true).as_deref(), Some("2026-11-23"));
        assert_eq!(serial_date("5", false), None);
        assert_eq!(serial_date("2958465", false), None);
        assert_eq!(serial_date("-1", false), None);
        assert_eq!(serial_date("soon", false), None);
    }

    /// A package of the given parts, each part's content deflated.
    fn package(parts: &[(&str, &[u8])]) -> Vec<u8> {
        use std::io::Write;
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, content) in parts {
            zip.start_file(*name, options).unwrap();
            zip.write_all(content).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_package_that_unpacks_too_far_is_refused_before_calamine_reads_it() {
        let bomb = vec![b'0'; 8 << 20];
        let file = package(&[("[Content_Types].xml", b"<Types/>"), ("xl/sharedStrings.xml", &bomb)]);
        assert!(file.len() < 100_000, "a small file");
        let refused = check_package_within(&file, 4 << 20).unwrap_err();
        assert!(refused.contains("unpacks to more than 4 MB"), "{refused}");
        assert!(check_package_within(&file, 16 << 20).is_ok());
    }

    #[test]
    fn a_zip_that_is_not_a_workbook_is_refused_and_a_broken_one_is_damaged() {
        let document = package(&[("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w/>")]);
        let refused = open(&document, None).err().unwrap();
        assert!(refused.message.contains("not an Excel workbook"), "{refused}");
        let ods = package(&[("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"), ("content.xml", b"<x/>")]);
        assert!(open(&ods, None).err().unwrap().message.contains("(.ods): save it as .xlsx or CSV"));
        // The parts a workbook names, but not a workbook's XML: refused, not a panic.
        let odd = package(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook><sheets><sheet name=\"A\" r:id=\"rId1\"/></sheets>"),
            ("xl/_rels/workbook.xml.rels", b"\xff\xfe<<<"),
        ]);
        assert!(open(&odd, None).is_err());
    }

    #[test]
    fn columns_are_lettered_as_excel_heads_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(199), "GR");
    }
}
