//! What a provider lets its commissioners download: the evidence pack, only once a manager shares
//! it (no row: not shared).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::document_settings;
use crate::db::{self, DbConnection, ProviderId, StoreResult, UserId};
use crate::history::rules::to_stored_precision;
use crate::history::store::record_setting;

/// The history's name for these settings (`providers::history_words` says it in words).
pub const SETTINGS_ENTITY: &str = "document_settings";

/// Whether the provider shares its evidence pack with its commissioners (not unless a manager
/// said so).
pub fn pack_shared(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<bool> {
    Ok(document_settings::table
        .filter(document_settings::provider_id.eq(provider_id))
        .select(document_settings::pack_shared_with_commissioners)
        .first(conn)
        .optional()?
        .unwrap_or(false))
}

/// Shares the evidence pack with the provider's commissioners, or stops sharing it, with its
/// history row (before and after) in the same transaction. Returns whether it changed; setting it
/// to what it is writes nothing.
pub fn set_pack_shared(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    by: UserId,
    shared: bool,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    let at = to_stored_precision(now);
    db::write_transaction(conn, |conn| {
        let saved: Option<bool> = document_settings::table
            .filter(document_settings::provider_id.eq(provider_id))
            .select(document_settings::pack_shared_with_commissioners)
            .first(conn)
            .optional()?;
        if saved.unwrap_or(false) == shared {
            return Ok(false);
        }
        let values = (
            document_settings::pack_shared_with_commissioners.eq(shared),
            document_settings::updated_at.eq(at),
            document_settings::updated_by.eq(Some(by)),
        );
        if saved.is_some() {
            diesel::update(document_settings::table.filter(document_settings::provider_id.eq(provider_id)))
                .set(values)
                .execute(conn)?;
        } else {
            diesel::insert_into(document_settings::table)
                .values((document_settings::provider_id.eq(provider_id), values))
                .execute(conn)?;
        }
        record_setting(conn, by, provider_id, SETTINGS_ENTITY, "pack_shared_with_commissioners", saved, shared)?;
        Ok(true)
    })
}
