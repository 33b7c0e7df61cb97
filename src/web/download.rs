//! A file sent for download: the evidence as uploaded, and the documents ohgov makes.

use actix_web::http::header::{self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue};
use actix_web::HttpResponse;

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

#[cfg(test)]
mod tests {
    use super::spreadsheet_safe;

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
