//! A file sent for download: the evidence as uploaded, the documents ohgov makes, and every list
//! as CSV or as an Excel workbook ([`Sheet`]). A list's page offers its rows by its own address
//! with `?format=csv` or `?format=xlsx` ([`requested`], [`links`]), so the download passes the
//! same access check and applies the same filters, search and order as the page.

use actix_web::http::header::{self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue};
use actix_web::{HttpRequest, HttpResponse};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use super::AppError;
pub use crate::db::page::MOST_DOWNLOADED;

/// The download's `Content-Disposition`: the name as given, with a plain ASCII form for clients
/// that do not read the UTF-8 one.
pub fn attachment(file_name: &str) -> ContentDisposition {
    let ascii: String =
        file_name.chars().map(|c| if c.is_ascii() && !c.is_ascii_control() { c } else { '_' }).collect();
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: file_name.as_bytes().to_vec(),
            }),
        ],
    }
}

/// A private file: its type, its name, and never kept by a shared cache.
pub fn file_response(media_type: &str, file_name: &str, content: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, media_type.to_string()))
        .insert_header(attachment(file_name))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(content)
}

/// A cell as a CSV file may carry it to a spreadsheet: one that begins with `=`, `+`, `-`, `@`, a
/// tab or a carriage return is a formula a spreadsheet would run (CSV injection), so it is written
/// after an apostrophe, which shows it as the text it is.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// One cell of a list's row, typed so a workbook holds a date as a date and a figure as a number.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Date(NaiveDate),
    Blank,
}

impl Cell {
    /// Text, or a blank cell for none or an empty text.
    pub fn text(value: impl Into<String>) -> Cell {
        let value = value.into();
        if value.is_empty() {
            Cell::Blank
        } else {
            Cell::Text(value)
        }
    }

    /// Text that may be missing.
    pub fn maybe_text(value: Option<impl Into<String>>) -> Cell {
        value.map(Cell::text).unwrap_or(Cell::Blank)
    }

    /// A date that may be missing.
    pub fn maybe_date(value: Option<NaiveDate>) -> Cell {
        value.map(Cell::Date).unwrap_or(Cell::Blank)
    }

    /// A figure that may be missing.
    pub fn maybe_number(value: Option<f64>) -> Cell {
        value.map(Cell::Number).unwrap_or(Cell::Blank)
    }

    /// The cell as CSV writes it: dates as `2026-12-03`, which every spreadsheet reads as a date,
    /// whole numbers without a decimal point.
    fn as_csv(&self) -> String {
        match self {
            Cell::Text(text) => spreadsheet_safe(text).into_owned(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{n:.0}"),
            Cell::Number(n) => n.to_string(),
            Cell::Date(date) => date.format("%Y-%m-%d").to_string(),
            Cell::Blank => String::new(),
        }
    }

    /// Characters the cell shows, for the column's width.
    fn shown_width(&self) -> usize {
        match self {
            Cell::Text(text) => text.lines().map(|l| l.chars().count()).max().unwrap_or(0),
            Cell::Number(_) => 10,
            Cell::Date(_) => 11,
            Cell::Blank => 0,
        }
    }
}

/// A list as a table of typed cells: what the page shows, every row of it (up to
/// [`MOST_DOWNLOADED`]), with the same column headers.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The worksheet's name, and the file's first word ("workforce", "history").
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Said after the rows: that the list had more rows than a download holds.
    pub note: Option<String>,
}

impl Sheet {
    pub fn new(name: &str, headers: &[&str]) -> Sheet {
        Sheet {
            name: name.to_string(),
            headers: headers.iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
            note: None,
        }
    }

    /// Adds a row.
    pub fn push(&mut self, row: Vec<Cell>) {
        self.rows.push(row);
    }

    /// Says in the file when the list held more rows (`total`) than it does, rather than cutting
    /// it silently.
    pub fn noting_total(mut self, total: i64) -> Sheet {
        let held = self.rows.len();
        if usize::try_from(total).is_ok_and(|total| total > held) {
            self.note = Some(format!(
                "This file holds the first {} of {} rows. Narrow the list with its filters to download the rest.",
                thousands(held as i64),
                thousands(total)
            ));
        }
        self
    }
}

/// 250000 as "250,000".
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// The two kinds of file a list downloads as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

impl FileFormat {
    fn extension(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Xlsx => "xlsx",
        }
    }

    fn media_type(self) -> &'static str {
        match self {
            FileFormat::Csv => "text/csv; charset=utf-8",
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// The file a list's address asks for (`?format=csv` or `?format=xlsx`); None for the page (any
/// other value too, read as leniently as the rest of a list's address).
pub fn requested(req: &HttpRequest) -> Option<FileFormat> {
    form_urlencoded::parse(req.query_string().as_bytes()).find(|(k, _)| k == "format").and_then(|(_, v)| {
        match v.trim() {
            "csv" => Some(FileFormat::Csv),
            "xlsx" => Some(FileFormat::Xlsx),
            _ => None,
        }
    })
}

/// The links a page's `downloads` macro (`templates/list.html`) shows: this page's own address,
/// its filters, search and order kept, its page number dropped (a download holds every page).
#[derive(Debug, Clone, Serialize)]
pub struct DownloadLinks {
    pub csv: String,
    pub xlsx: String,
    /// Said beside the links when the list is longer than a download holds.
    pub note: Option<String>,
}

impl DownloadLinks {
    /// Says beside the links, before anyone downloads, that a list of `total` rows is longer
    /// than a file holds.
    pub fn noting_total(mut self, total: i64) -> DownloadLinks {
        if total > MOST_DOWNLOADED {
            self.note = Some(format!(
                "A download holds the first {} of these {} rows: narrow the list with its filters for the rest.",
                thousands(MOST_DOWNLOADED),
                thousands(total)
            ));
        }
        self
    }
}

/// [`DownloadLinks`] for the page being answered.
pub fn links(req: &HttpRequest) -> DownloadLinks {
    links_with(req, &[])
}

/// [`DownloadLinks`] for a second list on the page, named by parameters of its own
/// (`list=actions`), which replace any of the same name.
pub fn links_with(req: &HttpRequest, extra: &[(&str, &str)]) -> DownloadLinks {
    let link = |format: &str| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in form_urlencoded::parse(req.query_string().as_bytes()) {
            let replaced = extra.iter().any(|(extra, _)| *extra == name);
            if name != "page" && name != "format" && !replaced && !value.trim().is_empty() {
                query.append_pair(&name, &value);
            }
        }
        for (name, value) in extra {
            query.append_pair(name, value);
        }
        query.append_pair("format", format);
        format!("{}?{}", req.path(), query.finish())
    };
    DownloadLinks { csv: link("csv"), xlsx: link("xlsx"), note: None }
}

/// The list as CSV: UTF-8 with a byte-order mark (so Excel reads "Chloé" as written), a header
/// row, each text cell a spreadsheet would run as a formula written as text.
pub fn to_csv(sheet: &Sheet) -> Result<Vec<u8>, csv::Error> {
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(&mut out);
        writer.write_record(sheet.headers.iter().map(|h| spreadsheet_safe(h).into_owned()))?;
        for row in &sheet.rows {
            writer.write_record(row.iter().map(Cell::as_csv))?;
        }
        if let Some(note) = &sheet.note {
            writer.write_record([spreadsheet_safe(note).into_owned()])?;
        }
        writer.flush()?;
    }
    Ok(out)
}

/// Excel's longest text in a cell.
const LONGEST_CELL: usize = 32_767;

/// A worksheet's name as Excel allows it: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(name: &str) -> String {
    let name: String = name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    if name.trim().is_empty() {
        "Sheet1".to_string()
    } else {
        name
    }
}

/// The list as an Excel workbook: one worksheet, a bold header row frozen in view, dates as date
/// cells shown as `dd/mm/yyyy`, figures as numbers, and text always as text (never a formula).
pub fn to_xlsx(sheet: &Sheet) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let note_format = Format::new().set_italic();
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet_name(&sheet.name))?;
    let mut widths: Vec<usize> = sheet.headers.iter().map(|h| h.chars().count()).collect();
    for (col, header) in sheet.headers.iter().enumerate() {
        worksheet.write_string_with_format(0, col_number(col)?, header, &bold)?;
    }
    for (index, row) in sheet.rows.iter().enumerate() {
        let at = row_number(index + 1)?;
        for (col, cell) in row.iter().enumerate() {
            if widths.len() <= col {
                widths.resize(col + 1, 0);
            }
            widths[col] = widths[col].max(cell.shown_width());
            let col = col_number(col)?;
            match cell {
                Cell::Text(text) => {
                    let text: String = text.chars().take(LONGEST_CELL).collect();
                    worksheet.write_string(at, col, text)?;
                }
                Cell::Number(n) => {
                    worksheet.write_number(at, col, *n)?;
                }
                Cell::Date(date) => {
                    match u16::try_from(date.year())
                        .ok()
                        .and_then(|year| ExcelDateTime::from_ymd(year, date.month() as u8, date.day() as u8).ok())
                    {
                        Some(day) => worksheet.write_datetime_with_format(at, col, day, &date_format)?,
                        // A year Excel cannot hold (before 1900) is written as the text it is.
                        None => worksheet.write_string(at, col, date.format("%Y-%m-%d").to_string())?,
                    };
                }
                Cell::Blank => {}
            }
        }
    }
    if let Some(note) = &sheet.note {
        worksheet.write_string_with_format(row_number(sheet.rows.len() + 2)?, 0, note, &note_format)?;
    }
    for (col, width) in widths.iter().enumerate() {
        worksheet.set_column_width(col_number(col)?, (*width).clamp(8, 60) as f64 + 2.0)?;
    }
    worksheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}

fn row_number(index: usize) -> Result<u32, rust_xlsxwriter::XlsxError> {
    u32::try_from(index).map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError)
}

fn col_number(index: usize) -> Result<u16, rust_xlsxwriter::XlsxError> {
    u16::try_from(index).map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError)
}

/// The list as the file asked for, named for the list and the day
/// (`workforce-2026-12-03.xlsx`), sent as a private attachment.
pub fn sheet_response(sheet: &Sheet, format: FileFormat, today: NaiveDate) -> Result<HttpResponse, AppError> {
    let content = match format {
        FileFormat::Csv => to_csv(sheet).map_err(|e| AppError::Internal(format!("writing the CSV: {e}")))?,
        FileFormat::Xlsx => to_xlsx(sheet).map_err(|e| AppError::Internal(format!("writing the workbook: {e}")))?,
    };
    let stem: String = sheet
        .name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let file_name = format!("{stem}-{}.{}", today.format("%Y-%m-%d"), format.extension());
    Ok(file_response(format.media_type(), &file_name, content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_written_as_text() {
        for formula in ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(spreadsheet_safe(formula), format!("'{formula}"));
        }
        assert_eq!(spreadsheet_safe("Northfield OH"), "Northfield OH");
        assert_eq!(spreadsheet_safe("a=b"), "a=b");
        assert_eq!(spreadsheet_safe(""), "");
    }
}

#[cfg(test)]
mod sheet_tests {
    use super::*;

    fn sample() -> Sheet {
        let mut sheet = Sheet::new("Workforce", &["Name", "Renewal", "Hours"]);
        sheet.push(vec![
            Cell::text("Chloé Brown"),
            Cell::Date(NaiveDate::from_ymd_opt(2027, 3, 31).unwrap()),
            Cell::Number(37.5),
        ]);
        sheet.push(vec![Cell::text("=HYPERLINK(\"http://x\")"), Cell::Blank, Cell::Number(20.0)]);
        sheet
    }

    #[test]
    fn csv_has_a_byte_order_mark_typed_cells_and_no_formula() {
        let csv = String::from_utf8(to_csv(&sample()).unwrap()).unwrap();
        assert!(csv.starts_with('\u{feff}'));
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "Name,Renewal,Hours");
        assert_eq!(lines[1], "Chloé Brown,2027-03-31,37.5");
        assert_eq!(lines[2], "\"'=HYPERLINK(\"\"http://x\"\")\",,20");
    }

    #[test]
    fn a_list_longer_than_the_file_says_so() {
        let sheet = sample().noting_total(250_000);
        let csv = String::from_utf8(to_csv(&sheet).unwrap()).unwrap();
        assert!(csv.contains("first 2 of 250,000 rows"), "{csv}");
        assert!(sample().noting_total(2).note.is_none());
        let links = DownloadLinks { csv: String::new(), xlsx: String::new(), note: None };
        assert!(links.clone().noting_total(MOST_DOWNLOADED).note.is_none());
        let said = links.noting_total(MOST_DOWNLOADED + 1).note.unwrap();
        assert!(said.contains("first 100,000 of these 100,001 rows"), "{said}");
    }

    #[test]
    fn a_workbook_is_written_and_a_sheet_name_is_one_excel_allows() {
        let bytes = to_xlsx(&sample()).unwrap();
        assert!(bytes.starts_with(b"PK"));
        assert_eq!(sheet_name("Audit plan 2026/27: actions [all] and more words"), "Audit plan 202627 actions all a");
        assert_eq!(sheet_name("///"), "Sheet1");
    }
}
