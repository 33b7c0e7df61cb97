//! Why a store did not save: the one refusal type every area's store returns, so every handler and
//! command turns a refusal into the same answer.

use crate::form::FieldErrors;

/// Why a save did not happen. Nothing is written in any case: each store saves in one transaction.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The input breaks a rule the store checks (a date before another, an item of another
    /// provider's): shown at its field.
    #[error(transparent)]
    Invalid(#[from] FieldErrors),
    /// The record the change is for does not exist (or is not this provider's). Said on purpose by
    /// the store; an unexpected `diesel::NotFound` stays a database fault.
    #[error("not found")]
    NotFound,
    /// The change cannot be made in the record's present state (a step out of order, an import
    /// already confirmed); the words say why.
    #[error("{0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
}

impl StoreError {
    /// One problem at one field.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid(FieldErrors::one(field, message))
    }
}

/// A store's answer.
pub type StoreResult<T> = Result<T, StoreError>;
