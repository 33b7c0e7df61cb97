//! Reading multipart uploads (evidence files, import files) with a size limit, so an oversized
//! file is refused without being held in memory. `web::form::UploadForm` is its one user.

use actix_multipart::Multipart;
use futures_util::StreamExt;

/// The longest text field an upload form may carry (the description's 20,000 characters, encoded).
const TEXT_FIELD_LIMIT: usize = 256 * 1024;
/// All the text fields of one form together: no form of ours comes near it.
const TEXT_TOTAL_LIMIT: usize = 1024 * 1024;

/// An upload form as received: its text fields, and its file if one was chosen.
#[derive(Default)]
pub struct Submitted {
    /// The text fields, by name, in the order sent.
    pub fields: Vec<(String, String)>,
    pub file: Option<(String, Vec<u8>)>,
    /// The file was larger than the limit; it was read to the end and thrown away.
    pub too_large: bool,
    /// The body was not a well-formed upload.
    pub malformed: Option<String>,
}

/// Reads a multipart body. A file over `limit` bytes is drained (so the browser sees our answer,
/// not a broken connection) and not kept; a text field over its limit marks the body malformed.
pub async fn read_upload(mut payload: Multipart, limit: usize) -> Submitted {
    let mut submitted = Submitted::default();
    while let Some(field) = payload.next().await {
        let mut field = match field {
            Ok(field) => field,
            Err(error) => {
                submitted.malformed = Some(error.to_string());
                return submitted;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.content_disposition().and_then(|d| d.get_filename()).map(str::to_string);
        // Only the one file part our forms send is kept; any other is read through and dropped.
        let keep = match &file_name {
            Some(_) => name == "file" && submitted.file.is_none() && !submitted.too_large,
            None => true,
        };
        let text_so_far: usize = submitted.fields.iter().map(|(k, v)| k.len() + v.len()).sum();
        let mut bytes = Vec::new();
        let mut over = false;
        while let Some(chunk) = field.next().await {
            match chunk {
                Ok(chunk) if !keep => drop(chunk),
                Ok(chunk) => {
                    let cap = if file_name.is_some() {
                        limit
                    } else {
                        TEXT_FIELD_LIMIT.min(TEXT_TOTAL_LIMIT.saturating_sub(text_so_far))
                    };
                    if bytes.len() + chunk.len() > cap {
                        over = true;
                    }
                    if !over {
                        bytes.extend_from_slice(&chunk);
                    }
                }
                Err(error) => {
                    submitted.malformed = Some(error.to_string());
                    return submitted;
                }
            }
        }
        match file_name {
            Some(_) if !keep => {}
            Some(file_name) if name == "file" => {
                if over {
                    submitted.too_large = true;
                } else if !(file_name.is_empty() && bytes.is_empty()) {
                    submitted.file = Some((file_name, bytes));
                }
            }
            Some(_) => {}
            None if over => submitted.malformed = Some(format!("field {name} is too long")),
            None => submitted.fields.push((name, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    submitted
}
