//! Saving organisations and contracts, each with its history row in the same transaction.

use chrono::Utc;
use diesel::prelude::*;

use super::model::{FieldErrors, NewContract, NewOrganisation, OrganisationKind};
use crate::db::schema::{catalogue_nodes, catalogues, contracts, organisations};
use crate::db::{self, DbConnection};
use crate::history::{self, Change, Entry};

/// Why a save did not happen. Nothing is written in either case.
#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error(transparent)]
    Invalid(#[from] FieldErrors),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
}

fn json<T: serde::Serialize>(value: T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// Changes of a newly created record: every field from nothing to its value.
fn created(fields: Vec<(&str, serde_json::Value)>) -> Vec<Change> {
    fields
        .into_iter()
        .map(|(field, after)| Change { field: field.into(), before: serde_json::Value::Null, after })
        .collect()
}

/// Creates an organisation; returns its id. `user_id` is who did it (None: the operator's command).
pub fn create_organisation(
    conn: &mut DbConnection,
    user_id: Option<i32>,
    org: &NewOrganisation,
) -> Result<i32, SaveError> {
    db::write_transaction(conn, |conn| {
        diesel::insert_into(organisations::table)
            .values((
                organisations::kind.eq(org.kind.as_str()),
                organisations::name.eq(&org.name),
                organisations::code.eq(&org.code),
                organisations::organisation_type.eq(&org.organisation_type),
                organisations::sites.eq(org.sites),
                organisations::created_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        let id = db::last_insert_id(conn)?;
        history::store::record(
            conn,
            &Entry {
                user_id,
                organisation_id: Some(id),
                entity: "organisation".into(),
                entity_id: id.to_string(),
                action: "create".into(),
                changes: created(vec![
                    ("kind", json(org.kind.as_str())),
                    ("name", json(&org.name)),
                    ("code", json(&org.code)),
                    ("organisation_type", json(&org.organisation_type)),
                    ("sites", json(org.sites)),
                ]),
            },
        )?;
        Ok(id)
    })
}

/// Creates a contract after checking its dates, that each side exists and is of the right kind,
/// and that every service named is a core service in the catalogue. Returns its id.
pub fn create_contract(
    conn: &mut DbConnection,
    user_id: Option<i32>,
    contract: &NewContract,
) -> Result<i32, SaveError> {
    contract.check()?;
    db::write_transaction(conn, |conn| {
        let kinds: Vec<(i32, String)> = organisations::table
            .filter(organisations::id.eq_any([contract.commissioner_id, contract.provider_id]))
            .select((organisations::id, organisations::kind))
            .load(conn)?;
        let kind_of =
            |id: i32| kinds.iter().find(|(k, _)| *k == id).and_then(|(_, kind)| OrganisationKind::parse(kind));
        let mut errors = FieldErrors::default();
        if kind_of(contract.commissioner_id) != Some(OrganisationKind::Commissioner) {
            errors.add("commissioner_id", format!("Organisation {} is not a commissioner", contract.commissioner_id));
        }
        if kind_of(contract.provider_id) != Some(OrganisationKind::Provider) {
            errors.add("provider_id", format!("Organisation {} is not a provider", contract.provider_id));
        }
        if !contract.services.is_empty() {
            let known: Vec<String> = catalogue_nodes::table
                .inner_join(catalogues::table)
                .filter(catalogues::kind.eq("core_services"))
                .filter(catalogue_nodes::retired.eq(false))
                .select(catalogue_nodes::reference)
                .load(conn)?;
            let unknown: Vec<&str> =
                contract.services.iter().filter(|s| !known.contains(s)).map(String::as_str).collect();
            if !unknown.is_empty() {
                errors.add("services", format!("Not core services: {}", unknown.join(", ")));
            }
        }
        if !errors.is_empty() {
            return Err(SaveError::Invalid(errors));
        }

        diesel::insert_into(contracts::table)
            .values((
                contracts::commissioner_id.eq(contract.commissioner_id),
                contracts::provider_id.eq(contract.provider_id),
                contracts::starts_on.eq(contract.starts_on),
                contracts::ends_on.eq(contract.ends_on),
                contracts::services.eq(json(&contract.services).to_string()),
                contracts::created_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        let id = db::last_insert_id(conn)?;
        history::store::record(
            conn,
            &Entry {
                user_id,
                organisation_id: Some(contract.provider_id),
                entity: "contract".into(),
                entity_id: id.to_string(),
                action: "create".into(),
                changes: created(vec![
                    ("commissioner_id", json(contract.commissioner_id)),
                    ("provider_id", json(contract.provider_id)),
                    ("starts_on", json(contract.starts_on)),
                    ("ends_on", json(contract.ends_on)),
                    ("services", json(&contract.services)),
                ]),
            },
        )?;
        Ok(id)
    })
}
