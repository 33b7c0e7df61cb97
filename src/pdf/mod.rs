//! A small document builder (issue 14): A4 pages with margins, a running header and footer with
//! "Page n of N", headings that feed a contents page and the PDF outline, paragraphs and tables
//! that break across pages, status badges and vector charts; attached PDF documents merged after
//! the body. Content is a [`Document`] ([`model`]); [`render`] lays it out and draws it with
//! printpdf, then lopdf merges the attachments and writes the outline and the language.

mod assemble;
pub mod chart;
mod fonts;
pub mod html;
pub mod merge;
pub mod model;
mod render;
mod subset;

pub use model::*;

/// Why a document could not be drawn. Content never causes this (text is drawn whatever it
/// holds); only a fault in the builder or its font does.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the document's font could not be read: {0}")]
    Font(String),
    #[error("the document could not be assembled: {0}")]
    Assembly(String),
}

/// The document as PDF bytes.
pub fn render(document: &Document) -> Result<Vec<u8>, RenderError> {
    render::draw(document)
}
