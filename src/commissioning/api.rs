//! The JSON documents of the commissioner's view, as typed structs: the figures of the comparison
//! page for every contracted provider, with the seventeen key questions answered.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::model::{Answer, ProviderFacts};
use super::rules::comparison::{Figures, Problem};
use super::store::facts::ComparisonRow;
use crate::db::ProviderId;

/// `GET /api/v1/commissioners/{id}/providers`.
#[derive(Debug, Serialize)]
pub struct ProvidersDocument<'a> {
    pub commissioner: Commissioner<'a>,
    pub as_of: NaiveDate,
    pub providers: Vec<ProviderDocument<'a>>,
}

/// The commissioner the document is for.
#[derive(Debug, Serialize)]
pub struct Commissioner<'a> {
    pub id: i32,
    pub name: &'a str,
}

/// One contracted provider: its figures as the page shows them, the facts they come from, and the
/// key questions answered.
#[derive(Debug, Serialize)]
pub struct ProviderDocument<'a> {
    pub id: ProviderId,
    pub name: &'a str,
    pub figures: &'a Figures,
    /// The problems a commissioner would act on, as stable codes (`not_accredited`, `gaps`, ...).
    pub problems: &'a [Problem],
    /// The last confirmed customer review with this commissioner, and whether the next is overdue.
    pub last_customer_review: Option<NaiveDate>,
    pub customer_review_overdue: bool,
    /// How many standards the provider marked met that its own records contradict (a live check
    /// fails with no exception in force), and which.
    pub contradicted_standards: usize,
    pub contradicted_by_records: &'a [String],
    pub facts: &'a ProviderFacts,
    pub key_questions: Vec<Answer>,
}

impl<'a> ProvidersDocument<'a> {
    /// The document for `rows`, each provider's key questions answered from its facts.
    pub fn new(
        commissioner_id: i32,
        name: &'a str,
        as_of: NaiveDate,
        rows: &'a [ComparisonRow],
        contradicted: &'a HashMap<ProviderId, Vec<String>>,
    ) -> Self {
        ProvidersDocument {
            commissioner: Commissioner { id: commissioner_id, name },
            as_of,
            providers: rows
                .iter()
                .map(|row| {
                    let references = contradicted.get(&row.facts.provider_id).map_or(&[][..], Vec::as_slice);
                    ProviderDocument {
                        id: row.facts.provider_id,
                        name: &row.facts.name,
                        figures: &row.figures,
                        problems: &row.figures.problems,
                        last_customer_review: row.last_review,
                        customer_review_overdue: row.review_overdue,
                        contradicted_standards: references.len(),
                        contradicted_by_records: references,
                        facts: &row.facts,
                        key_questions: super::rules::questions::answers(&row.facts),
                    }
                })
                .collect(),
        }
    }
}
