//! The one reader of every import's file (staff, CPD, supervision, quality indicator values): the
//! bytes as a spreadsheet, a header row and then rows of text, each row knowing where it is in the
//! file as the person who made it sees it. Which of ohgov's fields a column holds is decided after
//! this, by `import` (the names as written, or a saved mapping).
//!
//! Rows are handed out one at a time, so a long file is never held twice in memory.
//!
//! What a file is comes from its bytes, never its name: a ZIP package is an Excel workbook (read
//! by `workbook`), an OLE file is an old `.xls` (refused: save it as .xlsx or CSV), and text is a
//! CSV, UTF-8 when it decodes as UTF-8 and Windows-1252 (what Excel's "CSV (Comma delimited)"
//! writes) when it does not.

mod workbook;

pub(crate) use workbook::serial_date;

use super::import::RowError;

/// One row of the file, its values as text in the file's own column order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row's line (a CSV, header on line 1) or row number (a sheet, header on row 1).
    pub line: u64,
    pub values: Vec<String>,
    /// Which of `values` (by index) were number cells of a workbook: in a date column they are
    /// Excel's serial day numbers. Always empty for a CSV.
    pub numbers: Vec<usize>,
}

/// A file opened for reading: its header row as written, how it was read (said in the preview),
/// and its rows.
pub struct Table<'a> {
    /// The header row, each name as the file has it, trimmed.
    pub headers: Vec<String>,
    /// The sheet the rows come from, for a workbook: rows are then named "sheet Staff, row 5".
    pub sheet: Option<String>,
    /// How the file was read, for the preview: "CSV, UTF-8".
    pub read_as: String,
    /// A workbook that counts its days from 1904 (old Mac Excel) rather than 1900, for turning
    /// serial day numbers into dates.
    pub epoch_1904: bool,
    /// The rows after the header; blank rows are left out. An unreadable row is an error at its
    /// place; reading goes on where it can.
    pub rows: Box<dyn Iterator<Item = Result<Row, RowError>> + 'a>,
}

/// Opens a file's bytes. `sheet` picks a workbook's sheet (the first when `None`); a CSV has none.
/// A file that cannot be read at all is refused with what to do about it.
pub fn open<'a>(bytes: &'a [u8], sheet: Option<&str>) -> Result<Table<'a>, RowError> {
    match format_of(bytes).map_err(|message| RowError::at_line(1, message))? {
        Format::Workbook => workbook::open(bytes, sheet),
        Format::Csv => match sheet.map(str::trim).filter(|s| !s.is_empty()) {
            Some(_) => Err(RowError::at_line(1, CSV_HAS_NO_SHEETS)),
            None => open_csv(bytes),
        },
    }
}

/// Checks a file to import can be read at all, for the upload's file field: what it is, and for a
/// workbook, that its package is whole and opens. Its rows are judged when it is read.
pub fn check(bytes: &[u8]) -> Result<Format, String> {
    let format = format_of(bytes)?;
    if format == Format::Workbook {
        workbook::sheet_names(bytes)?;
    }
    Ok(format)
}

/// Checks the sheet named for a file (blank is the first) is one the file has, for the sheet
/// field: a CSV has none, and an unknown sheet is refused naming the workbook's sheets.
pub fn check_sheet(bytes: &[u8], sheet: Option<&str>) -> Result<(), String> {
    let Some(wanted) = sheet.map(str::trim).filter(|s| !s.is_empty()) else { return Ok(()) };
    match format_of(bytes)? {
        Format::Csv => Err(CSV_HAS_NO_SHEETS.into()),
        Format::Workbook => workbook::pick(&workbook::sheet_names(bytes)?, Some(wanted)).map(|_| ()),
    }
}

/// What is said when a sheet is named for a CSV file.
pub const CSV_HAS_NO_SHEETS: &str = "a CSV file has no sheets: leave the sheet blank, or choose the Excel workbook";

/// What a file to import is, judged from its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Text, to be read as CSV.
    Csv,
    /// A ZIP package, to be read as an Excel (.xlsx) workbook.
    Workbook,
}

/// Judges what a file is from its first bytes; a file no import can read (an old `.xls`, UTF-16
/// text, a picture or a program) is refused with what to do about it. Whether a ZIP package
/// really is a workbook, and whether text is good CSV, is found when it is read.
pub fn format_of(bytes: &[u8]) -> Result<Format, String> {
    const OLE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Ok(Format::Workbook);
    }
    if bytes.starts_with(OLE) {
        return Err("the file is an older Excel workbook (.xls) or another Office file: save it as .xlsx or CSV".into());
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err("the file is UTF-16 text (Excel's \"Unicode Text\"): save it as .xlsx or CSV".into());
    }
    // Text of any 8-bit encoding has no NUL bytes; a picture, a PDF or a program has them early.
    let start = &bytes[..bytes.len().min(8192)];
    if start.contains(&0) || bytes.starts_with(b"%PDF") {
        return Err("the file is not a CSV file or an Excel workbook: save it as .xlsx or CSV".into());
    }
    Ok(Format::Csv)
}

/// The text encodings a CSV may be in.
#[derive(Clone, Copy)]
enum Encoding {
    Utf8,
    /// What Excel's "CSV (Comma delimited)" writes on Windows in the UK: one byte per character,
    /// "é" as 0xE9 and "£" as 0xA3.
    Windows1252,
}

impl Encoding {
    fn decode(self, field: &[u8]) -> std::borrow::Cow<'_, str> {
        match self {
            // The whole file was checked as UTF-8 before this is chosen.
            Encoding::Utf8 => String::from_utf8_lossy(field),
            Encoding::Windows1252 => encoding_rs::WINDOWS_1252.decode_without_bom_handling(field).0,
        }
    }
}

fn open_csv(bytes: &[u8]) -> Result<Table<'_>, RowError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // Windows-1252 keeps ASCII where it is, so the commas, quotes and line ends are the same bytes
    // in either encoding: the CSV is split as bytes and each value decoded.
    let (encoding, read_as) = match std::str::from_utf8(bytes) {
        Ok(_) => (Encoding::Utf8, "CSV, UTF-8"),
        Err(_) => (Encoding::Windows1252, "CSV, Windows-1252"),
    };
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = match reader.byte_headers() {
        Ok(headers) => headers.iter().map(|h| encoding.decode(h).trim().to_string()).collect(),
        Err(e) => return Err(RowError::at_line(1, format!("the header row cannot be read: {e}"))),
    };
    let width = headers.len();
    let mut lines = LineCounter::new(bytes);
    let mut record = csv::ByteRecord::new();
    let mut finished = false;
    let rows = std::iter::from_fn(move || loop {
        if finished {
            return None;
        }
        match reader.read_byte_record(&mut record) {
            Ok(false) => return None,
            Ok(true) => {
                // The reader's position after a record is just past its last byte (or past its line
                // end); a quoted value may span lines, so count back over the line ends inside it.
                let inside: usize = record.iter().map(|v| v.iter().filter(|b| **b == b'\n').count()).sum();
                let line = lines.line_of(reader.position().byte().saturating_sub(1)).saturating_sub(inside as u64);
                if record.iter().all(|v| v.trim_ascii().is_empty()) {
                    continue;
                }
                if record.len() != width {
                    return Some(Err(RowError::at_line(
                        line,
                        format!("{} values where the header has {width} columns", record.len()),
                    )));
                }
                let values = record.iter().map(|v| encoding.decode(v).trim().to_string()).collect();
                return Some(Ok(Row { line, values, numbers: Vec::new() }));
            }
            Err(e) => {
                finished = true;
                let line = lines.line_of(reader.position().byte());
                return Some(Err(RowError::at_line(line, format!("the rest of the file cannot be read: {e}"))));
            }
        }
    });
    Ok(Table { headers, sheet: None, read_as: read_as.into(), epoch_1904: false, rows: Box::new(rows) })
}

/// Turns byte offsets, which only grow, into line numbers without keeping every line's start.
struct LineCounter<'a> {
    bytes: &'a [u8],
    scanned: usize,
    line_ends_before: u64,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        LineCounter { bytes, scanned: 0, line_ends_before: 0 }
    }

    /// The line (from 1) holding byte `at`; `at` never goes back.
    fn line_of(&mut self, at: u64) -> u64 {
        let at = (at as usize).min(self.bytes.len());
        if at > self.scanned {
            self.line_ends_before += self.bytes[self.scanned..at].iter().filter(|b| **b == b'\n').count() as u64;
            self.scanned = at;
        }
        self.line_ends_before + 1
    }
}
