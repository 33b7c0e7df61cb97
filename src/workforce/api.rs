//! The workforce document `GET /api/v1/providers/{id}/workforce` serves, as types. Fields are in
//! alphabetical order, as the document has always been printed.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::rules::Issue;
use super::store::WorkforceReport;
use crate::db::ProviderId;

#[derive(Debug, Serialize)]
pub struct WorkforceDocument<'a> {
    pub as_of: NaiveDate,
    pub people: Vec<PersonDocument<'a>>,
    pub provider_id: ProviderId,
    /// Each issue code's count, zero included.
    pub totals: BTreeMap<&'static str, usize>,
}

#[derive(Debug, Serialize)]
pub struct PersonDocument<'a> {
    pub discipline: &'a str,
    pub issues: &'a [Issue],
    pub staff_number: &'a str,
    pub tier: &'a str,
}

impl WorkforceReport {
    /// The workforce document: each person's staff number, discipline, tier and issue codes, and
    /// the totals for each code.
    pub fn to_json(&self, provider_id: ProviderId) -> WorkforceDocument<'_> {
        WorkforceDocument {
            as_of: self.as_of,
            people: self
                .people
                .iter()
                .map(|p| PersonDocument {
                    discipline: p.staff.discipline.as_ref(),
                    issues: &p.issues,
                    staff_number: &p.staff.staff_number,
                    tier: p.staff.tier.as_ref(),
                })
                .collect(),
            provider_id,
            totals: self.totals.iter().map(|(issue, n)| (issue.code(), *n)).collect(),
        }
    }
}
