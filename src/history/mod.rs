//! The tamper-evident audit trail: every change to governance data leaves a row, in the same
//! transaction, whose hash covers its contents and the row before it, sealed with a key kept outside
//! the database. Editing or removing a row breaks the chain, and `ohgov verify-log` finds the first
//! break.

pub mod key;
pub mod memo;
pub mod rules;
pub mod store;

pub use key::{install_key, HistoryKey};
pub use rules::{ChainBreak, Change, Entry, Sealing, GENESIS_HASH};
