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
