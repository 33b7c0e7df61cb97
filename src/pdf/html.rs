//! The same [`super::Document`] as HTML: a fragment for the web page of the annual quality report,
//! and a whole page with print CSS (page numbers, repeated table headers) for comparison with the
//! HTML-to-PDF tools peers use (benches). (Issue 14: written here.)
