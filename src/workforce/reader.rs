//! The one reader of every import's file (staff, CPD, supervision, quality indicator values): the
//! bytes as a spreadsheet, a header row and then rows of text, each row knowing where it is in the
//! file as the person who made it sees it. Which of ohgov's fields a column holds is decided after
//! this, by `import` (the names as written, or a saved mapping).
//!
//! Rows are handed out one at a time, so a long file is never held twice in memory.

use super::import::RowError;

/// One row of the file, its values as text in the file's own column order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The row's line (a CSV, header on line 1) or row number (a sheet, header on row 1).
    pub line: u64,
    pub values: Vec<String>,
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
    /// The rows after the header; blank rows are left out. An unreadable row is an error at its
    /// place; reading goes on where it can.
    pub rows: Box<dyn Iterator<Item = Result<Row, RowError>> + 'a>,
}

/// Opens a file's bytes. `sheet` picks a workbook's sheet (the first when `None`); a CSV has none.
/// A file that cannot be read at all is refused with what to do about it.
pub fn open<'a>(bytes: &'a [u8], sheet: Option<&str>) -> Result<Table<'a>, RowError> {
    let _ = sheet;
    open_csv(bytes)
}

fn open_csv(bytes: &[u8]) -> Result<Table<'_>, RowError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        return Err(RowError::at_line(1, "the file is not UTF-8 text: save it as CSV UTF-8"));
    }
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers.iter().map(|h| h.trim().to_string()).collect(),
        Err(e) => return Err(RowError::at_line(1, format!("the header row cannot be read: {e}"))),
    };
    let width = headers.len();
    let mut lines = LineCounter::new(bytes);
    let mut record = csv::StringRecord::new();
    let mut finished = false;
    let rows = std::iter::from_fn(move || loop {
        if finished {
            return None;
        }
        match reader.read_record(&mut record) {
            Ok(false) => return None,
            Ok(true) => {
                // The reader's position after a record is just past its last byte (or past its line
                // end); a quoted value may span lines, so count back over the line ends inside it.
                let inside: usize = record.iter().map(|v| v.matches('\n').count()).sum();
                let line = lines.line_of(reader.position().byte().saturating_sub(1)).saturating_sub(inside as u64);
                if record.iter().all(|v| v.trim().is_empty()) {
                    continue;
                }
                if record.len() != width {
                    return Some(Err(RowError::at_line(
                        line,
                        format!("{} values where the header has {width} columns", record.len()),
                    )));
                }
                return Some(Ok(Row { line, values: record.iter().map(|v| v.trim().to_string()).collect() }));
            }
            Err(e) => {
                finished = true;
                let line = lines.line_of(reader.position().byte());
                return Some(Err(RowError::at_line(line, format!("the rest of the file cannot be read: {e}"))));
            }
        }
    });
    Ok(Table { headers, sheet: None, read_as: "CSV, UTF-8".into(), rows: Box::new(rows) })
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
