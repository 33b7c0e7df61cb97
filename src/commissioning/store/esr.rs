//! The provider's ESR declaration: how its information system exchanges data with ESR.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::commissioning::model::{EsrInput, EsrInterface};
use crate::db::schema::esr_declarations;
use crate::db::{self, DbConnection, ProviderId, StoreError, UserId};
use crate::history::store::{json, record_action, record_created, Diff};

/// The declaration as its page shows it. The evidence is kept as its series, so a newer version
/// of the document still shows it; `evidence_id` is that series' current version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declaration {
    pub interface: EsrInterface,
    pub declared_on: NaiveDate,
    pub evidence_series_id: Option<i32>,
    pub evidence_id: Option<i32>,
    pub evidence_title: Option<String>,
}

/// The provider's declaration, if it has made one. Two queries at most.
pub fn declaration(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Option<Declaration>> {
    let found: Option<(EsrInterface, NaiveDate, Option<i32>)> = esr_declarations::table
        .find(provider_id)
        .select((esr_declarations::interface, esr_declarations::declared_on, esr_declarations::evidence_series_id))
        .first(conn)
        .optional()?;
    let Some((interface, declared_on, evidence_series_id)) = found else { return Ok(None) };
    let current = match evidence_series_id {
        Some(series) => crate::evidence::store::current_of_series(conn, provider_id, series)?,
        None => None,
    };
    let (evidence_id, evidence_title) = current.map_or((None, None), |(id, title)| (Some(id), Some(title)));
    Ok(Some(Declaration { interface, declared_on, evidence_series_id, evidence_id, evidence_title }))
}

/// Saves the provider's declaration (made or changed), with its history row. The evidence item,
/// when one is named, must be a current item of the provider's own library.
pub fn save(
    conn: &mut DbConnection,
    by: UserId,
    provider_id: ProviderId,
    input: &EsrInput,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    let declared = input.parse(today)?;
    db::write_transaction(conn, |conn| {
        let series = match declared.evidence_id {
            Some(item) => Some(crate::evidence::store::current_series(conn, provider_id, item)?.ok_or_else(|| {
                StoreError::invalid("evidence_id", "Choose one of the service's current evidence items")
            })?),
            None => None,
        };
        let before: Option<(EsrInterface, NaiveDate, Option<i32>)> = esr_declarations::table
            .find(provider_id)
            .select((esr_declarations::interface, esr_declarations::declared_on, esr_declarations::evidence_series_id))
            .first(conn)
            .optional()?;
        let now = crate::history::rules::to_stored_precision(now);
        let values = (
            esr_declarations::interface.eq(declared.interface),
            esr_declarations::declared_on.eq(declared.declared_on),
            esr_declarations::evidence_series_id.eq(series),
            esr_declarations::updated_at.eq(now),
            esr_declarations::updated_by.eq(Some(by)),
        );
        match before {
            None => {
                diesel::insert_into(esr_declarations::table)
                    .values((esr_declarations::provider_id.eq(provider_id), values))
                    .execute(conn)?;
                record_created(
                    conn,
                    Some(by),
                    Some(provider_id.0),
                    "esr_declaration",
                    provider_id.0,
                    vec![
                        ("interface", json(declared.interface.as_str())),
                        ("declared_on", json(declared.declared_on)),
                        ("evidence_id", json(series)),
                    ],
                )?;
            }
            Some((interface, declared_on, evidence)) => {
                let mut changes = Diff::default();
                if interface != declared.interface {
                    changes.field("interface", interface.as_str(), declared.interface.as_str());
                }
                if declared_on != declared.declared_on {
                    changes.field("declared_on", declared_on, declared.declared_on);
                }
                if evidence != series {
                    changes.field("evidence_id", evidence, series);
                }
                if changes.is_empty() {
                    return Ok(());
                }
                diesel::update(esr_declarations::table.find(provider_id)).set(values).execute(conn)?;
                record_action(
                    conn,
                    Some(by),
                    Some(provider_id.0),
                    "esr_declaration",
                    provider_id.0,
                    "update",
                    changes,
                )?;
            }
        }
        Ok(())
    })
}
