//! The records the live checks read, gathered for one provider from the other areas' stores.

use chrono::NaiveDate;
use diesel::QueryResult;

use crate::db::{DbConnection, ProviderId};

/// Everything the live checks read about one provider on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct Records {
    pub provider_id: ProviderId,
    pub as_of: NaiveDate,
}

/// The provider's records as of `today`, in a fixed number of queries whatever its size.
pub fn gather(_conn: &mut DbConnection, provider_id: ProviderId, today: NaiveDate) -> QueryResult<Records> {
    Ok(Records { provider_id, as_of: today })
}
