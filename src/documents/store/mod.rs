//! The documents' own records: the quality report's words and approved versions (`reports`), and
//! what a provider shares with its commissioners (`settings`).

pub mod reports;
pub mod settings;
