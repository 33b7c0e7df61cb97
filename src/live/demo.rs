//! The live area's part of the fictional service: a snapshot of the records each live check reads,
//! taken by the demo manager, so the library and the standards' pages show them beside the rest of
//! the evidence (the evidence pack takes fresh ones when it is made). A second run on the same day
//! finds the records unchanged and adds nothing.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::users;
use crate::db::{DbConnection, UserId};

/// The demo manager, who takes the snapshots.
const MANAGER_EMAIL: &str = "manager@northshire-oh.example";

/// Takes the demo provider's snapshots as of `today`.
pub fn seed(conn: &mut DbConnection, today: NaiveDate) -> anyhow::Result<()> {
    let Some(provider_id) = crate::accounts::demo::demo_provider(conn)? else { return Ok(()) };
    let manager: Option<i32> =
        users::table.filter(users::email.eq(MANAGER_EMAIL)).select(users::id).first(conn).optional()?;
    super::store::snapshots::take(conn, manager.map(UserId), provider_id, None, today)?;
    Ok(())
}
