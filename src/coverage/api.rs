//! The coverage document `GET /api/v1/providers/{id}/coverage` serves and `ohgov coverage --json`
//! prints, as types. Fields are in alphabetical order, as the document has always been printed.

use chrono::NaiveDate;
use serde::Serialize;

use super::model::{CoverageKind, Delivery};
use super::rules::{CoverageState, Totals};
use super::store::{totals, CoverageRow};
use crate::db::ProviderId;

#[derive(Debug, Serialize)]
pub struct CoverageDocument<'a> {
    pub provider_id: ProviderId,
    pub rows: Vec<RowDocument<'a>>,
    pub totals: Totals,
}

/// One core service or sub-specialism.
#[derive(Debug, Serialize)]
pub struct RowDocument<'a> {
    pub ends_on: Option<NaiveDate>,
    pub kind: CoverageKind,
    pub lead: Option<&'a str>,
    /// Delivered only in part (core services only).
    pub partial: bool,
    pub partner: Option<&'a str>,
    pub reference: &'a str,
    pub state: CoverageState,
    pub title: &'a str,
}

/// The coverage document for a provider's sixteen rows.
pub fn to_json(provider_id: ProviderId, rows: &[CoverageRow]) -> CoverageDocument<'_> {
    CoverageDocument {
        provider_id,
        rows: rows
            .iter()
            .map(|r| RowDocument {
                ends_on: r.ends_on,
                kind: r.kind,
                lead: r.lead_name.as_deref(),
                partial: r.delivery == Some(Delivery::Partial),
                partner: r.partner_name.as_deref(),
                reference: &r.reference,
                state: r.state,
                title: &r.title,
            })
            .collect(),
        totals: totals(rows),
    }
}
