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
    /// A nurse's revalidation record for the cycle ending on their revalidation date; null when
    /// none is recorded (or they are not a nurse).
    pub nmc_revalidation: Option<RevalidationDocument>,
    pub staff_number: &'a str,
    pub tier: &'a str,
}

/// What a nurse has recorded towards revalidation beyond CPD. The names and PINs of the people
/// involved stay on the person's page.
#[derive(Debug, Serialize)]
pub struct RevalidationDocument {
    pub confirmed_on: Option<NaiveDate>,
    pub confirmer_role: Option<&'static str>,
    pub cycle_end: NaiveDate,
    pub discussion_on: Option<NaiveDate>,
    pub feedback_pieces: i32,
    pub practice_hours: i32,
}

impl WorkforceReport {
    /// The workforce document: each person's staff number, discipline, tier, issue codes and
    /// revalidation record, and the totals for each code.
    pub fn to_json(&self, provider_id: ProviderId) -> WorkforceDocument<'_> {
        WorkforceDocument {
            as_of: self.as_of,
            people: self
                .people
                .iter()
                .map(|p| PersonDocument {
                    discipline: p.staff.discipline.as_ref(),
                    issues: &p.issues,
                    nmc_revalidation: p.revalidation.as_ref().map(|r| RevalidationDocument {
                        confirmed_on: r.confirmed_on,
                        confirmer_role: r.confirmer_role.map(|role| role.as_str()),
                        cycle_end: r.cycle_end,
                        discussion_on: r.discussion_on,
                        feedback_pieces: r.feedback_pieces,
                        practice_hours: r.practice_hours,
                    }),
                    staff_number: &p.staff.staff_number,
                    tier: p.staff.tier.as_ref(),
                })
                .collect(),
            provider_id,
            totals: self.totals.iter().map(|(issue, n)| (issue.code(), *n)).collect(),
        }
    }
}
