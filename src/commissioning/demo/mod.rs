//! The commissioning area's part of the fictional service: customer reviews and ESR declarations
//! (`seed`), and the generated providers of `ohgov demo --scale N` (`scale`).

use chrono::NaiveDate;

use crate::db::{DbConnection, StoreError};

pub mod scale;

/// Seeds the demo's customer reviews and ESR declarations, given today's date.
pub fn seed(_conn: &mut DbConnection, _today: NaiveDate) -> Result<(), StoreError> {
    Ok(())
}
