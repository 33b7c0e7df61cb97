//! Attached PDF documents, read once with lopdf: an encrypted or damaged file is refused here with
//! the reason in words, so the pack lists it as unreadable (with its hash) and is still made.

/// An attached PDF that lopdf read, ready to be merged after a document's body.
#[derive(Debug, Clone)]
pub struct AttachedPdf {
    pub(crate) document: lopdf::Document,
    /// Its number of pages.
    pub pages: u32,
}

/// Why an attached "PDF" cannot be merged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreadable {
    #[error("it is encrypted")]
    Encrypted,
    #[error("it could not be read as a PDF ({0})")]
    Damaged(String),
    #[error("it has no pages")]
    NoPages,
}

/// Reads an attached file as a PDF to merge.
pub fn read(bytes: &[u8]) -> Result<AttachedPdf, Unreadable> {
    let document = lopdf::Document::load_mem(bytes).map_err(|e| Unreadable::Damaged(e.to_string()))?;
    if document.is_encrypted() {
        return Err(Unreadable::Encrypted);
    }
    let pages = document.get_pages().len() as u32;
    if pages == 0 {
        return Err(Unreadable::NoPages);
    }
    Ok(AttachedPdf { document, pages })
}
