//! `ohgov demo --scale N`: N further providers, generated with realistic and varied records, all
//! contracted to the demo commissioner.
//!
//! Each area writes its own tables (`generate` at the end of each area's `demo.rs`); this file
//! orders them and writes the commissioning area's own part (ESR declarations, customer reviews).
//! Everything is deterministic by the provider's index, so a run is repeatable, and a second run
//! adds only the providers the first did not make.
//!
//! The generation writes its rows with `db::insert_batch`, a batch of providers per transaction,
//! and one history row per provider and area saying what was generated (entity `generated`), not
//! one per row: a thousand providers hold some four hundred thousand rows, and a trail of that many
//! "created" lines for fictional data would bury the real changes and take most of the run to seal.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;

use crate::accounts::demo::{vary, GeneratedProvider};
use crate::commissioning::model::{document_kinds, EsrInterface, ReviewSide};
use crate::db::schema::{customer_reviews, esr_declarations};
use crate::db::{DbConnection, StoreError};
use crate::history::store::json;
use crate::{accounts, assessment, audits, coverage, evidence, quality, workforce};

/// Providers written per transaction: big enough for long multi-row inserts, small enough that the
/// progress bar moves and a failure loses little.
const BATCH: usize = 25;

/// The documents each generated provider may hold: (document kind, title).
const DOCUMENTS: [(&str, &str); 8] = [
    (document_kinds::AUDIT_PLAN, "Clinical audit plan"),
    (document_kinds::STAFF_DEVELOPMENT_PLAN, "Staff development plan"),
    (document_kinds::SPECIALIST_TRAINING_PLAN, "Specialist training plan"),
    (document_kinds::SERVICE_DEVELOPMENT_PLAN, "Service development plan"),
    (document_kinds::EARLY_RETURN_TO_WORK_PROCESS, "Early return-to-work process"),
    (document_kinds::RESEARCH_DEVELOPMENT_PLAN, "Research and development plan"),
    (document_kinds::CONTINGENCY_PLAN, "Business continuity and contingency plan"),
    (document_kinds::INFORMATION_SHARING_AGREEMENT, "Information-sharing agreement (including immunisation status)"),
];

/// How many generated providers an earlier run made.
pub fn already_generated(conn: &mut DbConnection) -> Result<usize, StoreError> {
    Ok(accounts::demo::generated_count(conn)?)
}

/// Makes sure `count` generated providers exist, all contracted to the demo commissioner (the demo
/// must be built first), calling `progress` with the number made after each batch. Returns how
/// many this run made.
pub fn generate(
    conn: &mut DbConnection,
    count: usize,
    today: NaiveDate,
    progress: &mut dyn FnMut(usize),
) -> Result<usize, StoreError> {
    let Some(commissioner) = accounts::demo::demo_commissioner(conn)? else {
        return Err(StoreError::NotFound);
    };
    let start = accounts::demo::generated_count(conn)?;
    let mut made = 0;
    let mut next = start;
    while next < count {
        let batch = next..(next + BATCH).min(count);
        let size = batch.len();
        crate::db::write_transaction(conn, |conn| -> Result<(), StoreError> {
            let providers = accounts::demo::generate(conn, commissioner, batch.clone(), today)?;
            assessment::demo::generate(conn, &providers, today)?;
            coverage::demo::generate(conn, &providers, today)?;
            workforce::demo::generate(conn, &providers, today)?;
            evidence::demo::generate(conn, &providers, &DOCUMENTS, today)?;
            audits::demo::generate(conn, &providers, today)?;
            quality::demo::generate(conn, &providers, today)?;
            generate_own(conn, &providers, commissioner, today)?;
            Ok(())
        })?;
        next += size;
        made += size;
        progress(size);
    }
    Ok(made)
}

/// The commissioning area's own part: each provider's ESR declaration (most interfaced, some one
/// way or not at all, a few never declared) and its customer reviews with the demo commissioner
/// (the last held one to eleven months ago, so some are overdue; a few awaiting confirmation, a few
/// providers with none).
fn generate_own(
    conn: &mut DbConnection,
    providers: &[GeneratedProvider],
    commissioner: i32,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let now = chrono::Utc::now().naive_utc();
    let mut declarations = Vec::new();
    let mut reviews = Vec::new();
    for p in providers {
        let interface = match vary(p.index, 3000) {
            0..=54 => Some(EsrInterface::Bidirectional),
            55..=79 => Some(EsrInterface::OneWay),
            80..=93 => Some(EsrInterface::NotInterfaced),
            _ => None,
        };
        if let Some(interface) = interface {
            declarations.push((
                esr_declarations::provider_id.eq(p.id),
                esr_declarations::interface.eq(interface),
                esr_declarations::declared_on.eq(today - Duration::days(30 + vary(p.index, 3001) as i64 * 3)),
                esr_declarations::updated_at.eq(now),
                esr_declarations::updated_by.eq(Some(p.manager)),
            ));
        }
        let roll = vary(p.index, 3100);
        let held = if roll < 8 { 0 } else { 2 };
        for r in 0..held {
            // The newer review: one to eleven months ago; the older six months before it.
            let months = 1 + vary(p.index, 3101) % 11 + r * 6;
            let held_on = today - Duration::days(months as i64 * 30);
            let confirmed = r > 0 || roll >= 15;
            let side = if vary(p.index, 3102 + r) < 50 { ReviewSide::Provider } else { ReviewSide::Commissioner };
            reviews.push((
                customer_reviews::provider_id.eq(p.id),
                customer_reviews::commissioner_id.eq(commissioner),
                customer_reviews::held_on.eq(held_on),
                customer_reviews::attendees.eq(format!(
                    "{} (OH manager); Helen Marsh (commissioner)",
                    accounts::demo::generated_person(p.index * 2)
                )),
                customer_reviews::topics.eq("Referral turnaround; KPI report; staff flu vaccination campaign"),
                customer_reviews::outcomes.eq("Turnaround within the agreed standard; the KPI report is accepted."),
                customer_reviews::agreed_actions.eq("The provider to report management referral outcomes quarterly."),
                customer_reviews::recorded_side.eq(side),
                customer_reviews::recorded_by.eq(Some(p.manager)),
                customer_reviews::recorded_at.eq(now),
                customer_reviews::confirmed_by.eq(confirmed.then_some(p.clinical_director)),
                customer_reviews::confirmed_at.eq(confirmed.then_some(now)),
            ));
        }
        crate::accounts::demo::record_generated(
            conn,
            p,
            "commissioning",
            vec![("esr_interface", json(interface.map(|i| i.label()))), ("customer_reviews", json(held))],
        )?;
    }
    crate::db::insert_batch(conn, esr_declarations::table, &declarations)?;
    crate::db::insert_batch(conn, customer_reviews::table, &reviews)?;
    Ok(())
}
