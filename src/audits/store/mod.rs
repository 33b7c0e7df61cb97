//! The audit programme's tables, read and written here only: one transaction per save with its
//! history row. Split by subject; each file owns the writes of its subject.

pub mod actions;
pub mod audits;
pub mod plans;
pub mod reports;
pub mod sign_off;
