//! Loading and saving coverage: one query for the whole table, one transaction per change.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::model::{Coverage, CoverageKind, Delivery};
use super::rules::{self, CoverageState, Totals};
use crate::catalogue::model::NodeKind;
use crate::db::schema::{catalogue_nodes, catalogues, service_coverage, users};
use crate::db::ProviderId;
use crate::db::StoreError;
use crate::db::UserId;
use crate::db::{self, DbConnection};
use crate::history::store::{record, Diff};
use crate::history::Entry;

/// One of the sixteen rows: the catalogue's service or sub-specialism and what is recorded for it.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageRow {
    pub node_id: i32,
    pub kind: CoverageKind,
    pub reference: String,
    pub title: String,
    pub guidance: String,
    pub delivery: Option<Delivery>,
    pub partner_name: Option<String>,
    pub agreement_reference: Option<String>,
    pub partner_contact: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub included: Option<String>,
    pub excluded: Option<String>,
    pub lead_name: Option<String>,
    pub notes: String,
    pub updated_at: Option<NaiveDateTime>,
    pub updated_by: Option<String>,
    pub state: CoverageState,
}

impl CoverageRow {
    /// The saved record as the form's starting values.
    pub fn as_input(&self) -> super::model::CoverageInput {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let day = crate::form::form_date_or_blank;
        super::model::CoverageInput {
            delivery: self.delivery.map(|d| d.as_str().to_string()).unwrap_or_default(),
            partner_name: text(&self.partner_name),
            agreement_reference: text(&self.agreement_reference),
            partner_contact: text(&self.partner_contact),
            starts_on: day(self.starts_on),
            ends_on: day(self.ends_on),
            included: text(&self.included),
            excluded: text(&self.excluded),
            lead_name: text(&self.lead_name),
            notes: self.notes.clone(),
        }
    }
}

type Saved = (
    i32,
    Delivery,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    NaiveDateTime,
    Option<String>,
);

/// The provider's sixteen rows, core services first, each judged as of `today`. Two queries.
pub fn coverage(conn: &mut DbConnection, provider_id: ProviderId, today: NaiveDate) -> QueryResult<Vec<CoverageRow>> {
    let nodes: Vec<(i32, NodeKind, String, String, String)> = catalogue_nodes::table
        .inner_join(catalogues::table)
        .filter(catalogue_nodes::kind.eq_any([NodeKind::CoreService, NodeKind::Subspecialism]))
        .filter(catalogue_nodes::retired.eq(false))
        .select((
            catalogue_nodes::id,
            catalogue_nodes::kind,
            catalogue_nodes::reference,
            catalogue_nodes::title,
            catalogue_nodes::guidance,
        ))
        .order((catalogue_nodes::kind, catalogue_nodes::position, catalogue_nodes::id))
        .load(conn)?;
    let saved: HashMap<i32, Saved> = service_coverage::table
        .left_join(users::table.on(users::id.nullable().eq(service_coverage::updated_by)))
        .filter(service_coverage::provider_id.eq(provider_id))
        .select((
            service_coverage::node_id,
            service_coverage::delivery,
            service_coverage::partner_name,
            service_coverage::agreement_reference,
            service_coverage::partner_contact,
            service_coverage::starts_on,
            service_coverage::ends_on,
            service_coverage::included,
            service_coverage::excluded,
            service_coverage::lead_name,
            service_coverage::notes,
            service_coverage::updated_at,
            users::name.nullable(),
        ))
        .load::<Saved>(conn)?
        .into_iter()
        .map(|row| (row.0, row))
        .collect();
    Ok(nodes
        .into_iter()
        .filter_map(|(node_id, kind, reference, title, guidance)| {
            let kind = CoverageKind::of_node(kind)?;
            let row = saved.get(&node_id).cloned();
            let delivery = row.as_ref().map(|r| r.1);
            let starts_on = row.as_ref().and_then(|r| r.5);
            let ends_on = row.as_ref().and_then(|r| r.6);
            Some(CoverageRow {
                node_id,
                kind,
                reference,
                title,
                guidance,
                delivery,
                partner_name: row.as_ref().and_then(|r| r.2.clone()),
                agreement_reference: row.as_ref().and_then(|r| r.3.clone()),
                partner_contact: row.as_ref().and_then(|r| r.4.clone()),
                starts_on,
                ends_on,
                included: row.as_ref().and_then(|r| r.7.clone()),
                excluded: row.as_ref().and_then(|r| r.8.clone()),
                lead_name: row.as_ref().and_then(|r| r.9.clone()),
                notes: row.as_ref().map(|r| r.10.clone()).unwrap_or_default(),
                updated_at: row.as_ref().map(|r| r.11),
                updated_by: row.as_ref().and_then(|r| r.12.clone()),
                state: rules::state(delivery, starts_on, ends_on, today),
            })
        })
        .collect())
}

/// The totals of the rows' states.
pub fn totals(rows: &[CoverageRow]) -> Totals {
    rules::totals(rows.iter().map(|r| r.state))
}

/// Saves the record for one core service or sub-specialism. Returns false when the reference is
/// neither.
pub fn save(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    reference: &str,
    coverage: &Coverage,
    today: NaiveDate,
) -> Result<(), StoreError> {
    db::write_transaction(conn, |conn| {
        let Some(current) = coverage_row(conn, provider_id, reference, today)? else {
            return Err(StoreError::NotFound);
        };
        let mut diff = Diff::default();
        diff.field("delivery", current.delivery.map(Delivery::as_str), coverage.delivery.map(Delivery::as_str))
            .field("partner_name", &current.partner_name, &coverage.partner_name)
            .field("agreement_reference", &current.agreement_reference, &coverage.agreement_reference)
            .field("partner_contact", &current.partner_contact, &coverage.partner_contact)
            .field("starts_on", current.starts_on, coverage.starts_on)
            .field("ends_on", current.ends_on, coverage.ends_on)
            .field("included", &current.included, &coverage.included)
            .field("excluded", &current.excluded, &coverage.excluded)
            .field("lead_name", &current.lead_name, &coverage.lead_name)
            .field("notes", &current.notes, &coverage.notes);
        if diff.is_empty() {
            return Ok(());
        }
        let values = (
            service_coverage::delivery.eq(coverage.delivery.unwrap_or(Delivery::NotAvailable)),
            service_coverage::partner_name.eq(&coverage.partner_name),
            service_coverage::agreement_reference.eq(&coverage.agreement_reference),
            service_coverage::partner_contact.eq(&coverage.partner_contact),
            service_coverage::starts_on.eq(coverage.starts_on),
            service_coverage::ends_on.eq(coverage.ends_on),
            service_coverage::included.eq(&coverage.included),
            service_coverage::excluded.eq(&coverage.excluded),
            service_coverage::lead_name.eq(&coverage.lead_name),
            service_coverage::notes.eq(&coverage.notes),
            service_coverage::updated_at.eq(Utc::now().naive_utc()),
            service_coverage::updated_by.eq(by),
        );
        let action = if current.updated_at.is_some() {
            diesel::update(
                service_coverage::table
                    .filter(service_coverage::provider_id.eq(provider_id))
                    .filter(service_coverage::node_id.eq(current.node_id)),
            )
            .set(values)
            .execute(conn)?;
            "update"
        } else {
            diesel::insert_into(service_coverage::table)
                .values((
                    service_coverage::provider_id.eq(provider_id),
                    service_coverage::node_id.eq(current.node_id),
                    values,
                ))
                .execute(conn)?;
            "create"
        };
        record(
            conn,
            &Entry {
                user_id: by,
                organisation_id: Some(provider_id.0),
                entity: "coverage".into(),
                entity_id: reference.to_string(),
                action: action.into(),
                changes: diff.0,
            },
        )?;
        Ok(())
    })
}

/// One row by reference, or None when it is neither a core service nor a sub-specialism.
pub fn coverage_row(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    reference: &str,
    today: NaiveDate,
) -> QueryResult<Option<CoverageRow>> {
    Ok(coverage(conn, provider_id, today)?.into_iter().find(|r| r.reference == reference))
}

/// One service of one provider, judged on a day, for the commissioner's comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLine {
    pub kind: CoverageKind,
    pub title: String,
    /// A delivery is recorded at all.
    pub recorded: bool,
    pub state: CoverageState,
    pub ends_on: Option<NaiveDate>,
}

/// Every core service and sub-specialism of each of many providers, judged as of `today` by
/// [`rules::state`], in the page's order. Two queries whatever the number of providers.
pub fn coverage_for_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
    today: NaiveDate,
) -> QueryResult<HashMap<ProviderId, Vec<ServiceLine>>> {
    let nodes: Vec<(i32, NodeKind, String)> = catalogue_nodes::table
        .inner_join(catalogues::table)
        .filter(catalogue_nodes::kind.eq_any([NodeKind::CoreService, NodeKind::Subspecialism]))
        .filter(catalogue_nodes::retired.eq(false))
        .select((catalogue_nodes::id, catalogue_nodes::kind, catalogue_nodes::title))
        .order((catalogue_nodes::kind, catalogue_nodes::position, catalogue_nodes::id))
        .load(conn)?;
    type Delivered = (Delivery, Option<NaiveDate>, Option<NaiveDate>);
    let saved: HashMap<(ProviderId, i32), Delivered> = service_coverage::table
        .filter(service_coverage::provider_id.eq_any(providers))
        .select((
            service_coverage::provider_id,
            service_coverage::node_id,
            service_coverage::delivery,
            service_coverage::starts_on,
            service_coverage::ends_on,
        ))
        .load::<(ProviderId, i32, Delivery, Option<NaiveDate>, Option<NaiveDate>)>(conn)?
        .into_iter()
        .map(|(provider, node, delivery, starts, ends)| ((provider, node), (delivery, starts, ends)))
        .collect();
    Ok(providers
        .iter()
        .map(|provider| {
            let lines = nodes
                .iter()
                .filter_map(|(node_id, kind, title)| {
                    let kind = CoverageKind::of_node(*kind)?;
                    let row = saved.get(&(*provider, *node_id));
                    Some(ServiceLine {
                        kind,
                        title: title.clone(),
                        recorded: row.is_some(),
                        state: rules::state(row.map(|r| r.0), row.and_then(|r| r.1), row.and_then(|r| r.2), today),
                        ends_on: row.and_then(|r| r.2),
                    })
                })
                .collect();
            (*provider, lines)
        })
        .collect())
}

/// A service delivered under an arrangement with another provider, and the day it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrangementEnding {
    pub provider_id: ProviderId,
    pub reference: String,
    pub title: String,
    pub partner_name: Option<String>,
    pub ends_on: NaiveDate,
}

/// Every provider's arrangements ending from `from` to `until` (inclusive), soonest first: what the
/// daily reminders tell managers. One query.
pub fn arrangements_ending(
    conn: &mut DbConnection,
    from: NaiveDate,
    until: NaiveDate,
) -> QueryResult<Vec<ArrangementEnding>> {
    type Row = (ProviderId, String, String, Option<String>, Option<NaiveDate>);
    let rows: Vec<Row> = service_coverage::table
        .inner_join(catalogue_nodes::table)
        .filter(service_coverage::delivery.eq(Delivery::Arrangement))
        .filter(service_coverage::ends_on.ge(from))
        .filter(service_coverage::ends_on.le(until))
        .select((
            service_coverage::provider_id,
            catalogue_nodes::reference,
            catalogue_nodes::title,
            service_coverage::partner_name,
            service_coverage::ends_on,
        ))
        .order((service_coverage::ends_on, service_coverage::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(provider_id, reference, title, partner_name, ends_on)| {
            Some(ArrangementEnding { provider_id, reference, title, partner_name, ends_on: ends_on? })
        })
        .collect())
}
