//! Layout and drawing. (Issue 14: the builder is written here.)

use super::{Document, RenderError};

pub(super) fn draw(_document: &Document) -> Result<Vec<u8>, RenderError> {
    Err(RenderError::Assembly("the PDF builder is not written yet".into()))
}
