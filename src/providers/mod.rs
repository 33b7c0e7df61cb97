//! The provider's own pages: the overview at `/providers/{id}`, which reads the figures of every
//! other area (readiness, coverage, workforce), and the provider's audit trail. It sits above the
//! areas it reads, so no area needs to know about it.

mod history;
pub mod history_words;
pub mod routes;
