//! The documents ohgov makes (issue 14): the SEQOHS evidence pack for assessors, the annual quality
//! report for the board and commissioners, and the signed audit plan for the clinical governance
//! committee. Each is gathered from the areas' stores into a [`crate::pdf::Document`] here, and
//! drawn by [`crate::pdf`]. This module sits with `pdf` among the outputs because it reads many
//! areas, and it owns the records only documents have: the quality report's own words and its
//! approved, frozen versions, and whether the pack is shared with commissioners.

pub mod comparison;
pub mod demo;
pub mod pack;
pub mod plan;
pub mod report;
pub mod routes;
pub mod rules;
pub mod store;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use crate::pdf::{self, Document, RenderError};
use crate::web::AppError;

/// A drawn document, ready to send or keep.
#[derive(Debug, Clone)]
pub struct Made {
    pub bytes: Vec<u8>,
    /// The SHA-256 of `bytes`, in lower-case hex: what the history records, and what the reader
    /// can check.
    pub sha256: String,
    pub file_name: String,
}

/// Draws `document` as the file `file_name`.
pub fn make(document: &Document, file_name: String) -> Result<Made, RenderError> {
    let bytes = pdf::render(document)?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(Made { bytes, sha256, file_name })
}

/// [`make`] on the blocking thread pool, so other people's pages stay quick while a large pack is
/// drawn.
pub async fn make_off_thread(document: Document, file_name: String) -> Result<Made, AppError> {
    actix_web::web::block(move || make(&document, file_name))
        .await
        .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// A file name that says what the document is:
/// `northshire-oh-service-seqohs-pack-2026-12-01.pdf`. Letters and digits are kept (accents
/// dropped to their base letter where they have one), everything else becomes one hyphen.
pub fn file_name(provider_name: &str, what: &str, day: NaiveDate) -> String {
    format!("{}-{}-{}.pdf", slug(provider_name), slug(what), day.format("%Y-%m-%d"))
}

/// A name as letters, digits and single hyphens, for file names and anchors.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(plain_letter) {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        "document".to_string()
    } else {
        trimmed.to_string()
    }
}

/// The base letter of the accented letters a UK provider's name may hold (Chloé, Siân, Ynys Môn).
fn plain_letter(c: char) -> Option<char> {
    Some(match c {
        'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
        'è' | 'é' | 'ê' | 'ë' => 'e',
        'ì' | 'í' | 'î' | 'ï' => 'i',
        'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
        'ù' | 'ú' | 'û' | 'ü' => 'u',
        'ŵ' => 'w',
        'ŷ' | 'ÿ' | 'ý' => 'y',
        'ç' => 'c',
        'ñ' => 'n',
        '’' | '\'' => return None,
        other if other.is_uppercase() => return plain_letter(other.to_lowercase().next()?).or(Some(other)),
        other => other,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_name_says_whose_document_it_is_what_and_when() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("date");
        assert_eq!(
            file_name("Northshire OH Service", "SEQOHS pack", day),
            "northshire-oh-service-seqohs-pack-2026-12-01.pdf"
        );
        assert_eq!(
            file_name("Ysbyty Môn & St Siân’s", "quality report 2025-26", day),
            "ysbyty-mon-st-sians-quality-report-2025-26-2026-12-01.pdf"
        );
        assert_eq!(file_name("---", "pack", day), "document-pack-2026-12-01.pdf");
    }
}
