//! The demo provider's coverage: most rows covered, the physiotherapy arrangement ending within
//! 90 days, health and wellbeing partly delivered, and no arrangement for research. Fictional.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;

use super::model::{CoverageInput, CoverageKind};
use super::store;
use crate::db::schema::service_coverage;
use crate::db::DbConnection;
use crate::db::StoreError;

/// (reference, kind, delivery, lead, partner, agreement reference, contact, start and end as days
/// from today, included, excluded).
type DemoRow = (
    &'static str,
    CoverageKind,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Option<(i64, i64)>,
    &'static str,
    &'static str,
);

const ROWS: [DemoRow; 16] = {
    use CoverageKind::{CoreService as C, Subspecialism as S};
    [
        ("PREV", C, "in_house", "Grace Okafor RN", "", "", "", None, "", ""),
        ("TIME", C, "in_house", "Dr Alasdair Finch", "", "", "", None, "", ""),
        (
            "REHAB",
            C,
            "arrangement",
            "Dr Alasdair Finch",
            "Northshire Physiotherapy Partners LLP",
            "NPP-2024-07",
            "referrals@npp.example",
            Some((-600, 45)),
            "",
            "",
        ),
        ("HAW", C, "in_house", "Grace Okafor RN", "", "", "", None, "", ""),
        (
            "HWB",
            C,
            "partial",
            "Priya Raman",
            "",
            "",
            "",
            None,
            "Health checks, the menopause clinic and the staff wellbeing hub.",
            "Financial wellbeing and weight management, which the trust's HR team commissions separately.",
        ),
        ("TT", C, "in_house", "Dr Alasdair Finch", "", "", "", None, "", ""),
        ("BBV", S, "in_house", "Grace Okafor RN", "", "", "", None, "", ""),
        (
            "TB",
            S,
            "arrangement",
            "",
            "Northshire Respiratory and TB Service",
            "",
            "tb.nurses@northshire-nhs.example",
            Some((-300, 430)),
            "",
            "",
        ),
        (
            "ASTHMA",
            S,
            "arrangement",
            "",
            "Midlands Occupational Lung Disease Clinic",
            "",
            "olds@midlands-lung.example",
            Some((-200, 530)),
            "",
            "",
        ),
        (
            "SSHP",
            S,
            "arrangement",
            "",
            "Practitioner Health (national service)",
            "",
            "via the GMC-registered doctor's own referral",
            Some((-900, 600)),
            "",
            "",
        ),
        (
            "RAD",
            S,
            "arrangement",
            "",
            "Northshire Teaching Hospitals, Medical Physics",
            "",
            "radiation.protection@northshire-nhs.example",
            Some((-500, 230)),
            "",
            "",
        ),
        (
            "GMO",
            S,
            "arrangement",
            "",
            "Northshire Teaching Hospitals, Biosafety Committee",
            "",
            "biosafety@northshire-nhs.example",
            Some((-400, 330)),
            "",
            "",
        ),
        ("OUTBREAK", S, "in_house", "Dr Alasdair Finch", "", "", "", None, "", ""),
        ("RESEARCH", S, "not_available", "", "", "", "", None, "", ""),
        (
            "ERGO",
            S,
            "arrangement",
            "",
            "Ergonomics Associates Ltd",
            "",
            "bookings@ergo-associates.example",
            Some((-100, 630)),
            "",
            "",
        ),
        ("CYTO", S, "in_house", "Grace Okafor RN", "", "", "", None, "", ""),
    ]
};

/// Seeds the demo provider's coverage unless it has some already.
pub fn seed(conn: &mut DbConnection, today: NaiveDate) -> Result<(), StoreError> {
    let provider = crate::accounts::demo::demo_provider(conn)?;
    let Some(provider) = provider else { return Ok(()) };
    let present: i64 =
        service_coverage::table.filter(service_coverage::provider_id.eq(provider)).count().get_result(conn)?;
    if present > 0 {
        return Ok(());
    }
    for (reference, kind, delivery, lead, partner, agreement, contact, term, included, excluded) in ROWS {
        let input = CoverageInput {
            delivery: delivery.into(),
            partner_name: partner.into(),
            agreement_reference: agreement.into(),
            partner_contact: contact.into(),
            starts_on: term.map(|(s, _)| (today + Duration::days(s)).to_string()).unwrap_or_default(),
            ends_on: term.map(|(_, e)| (today + Duration::days(e)).to_string()).unwrap_or_default(),
            included: included.into(),
            excluded: excluded.into(),
            lead_name: lead.into(),
            notes: if delivery == "not_available" {
                "No research arrangement: the service has asked the trust's R&D office to broker one with the \
                 regional academic OH unit."
                    .into()
            } else {
                String::new()
            },
        };
        let Ok(coverage) = input.parse(kind) else { continue };
        store::save(conn, None, provider, reference, &coverage, today)?;
    }
    Ok(())
}

/// Partners the generated providers arrange services with (fictional).
const GENERATED_PARTNERS: [&str; 8] = [
    "Regional Occupational Hygiene Unit",
    "Meridian Physiotherapy Partners",
    "Clearwater Psychological Services",
    "Northern Toxicology Network",
    "Harbourside Audiology Ltd",
    "Academic OH Unit, Westmarch University",
    "Pennine Ergonomics Ltd",
    "County Travel Health Clinic",
];

/// Writes how each generated provider delivers every core service and sub-specialism: most core
/// services in-house, sub-specialisms split between in-house expertise and arrangements, a few
/// missing or never recorded, and some arrangements ending within 90 days; in one multi-row insert,
/// with one history row per provider saying what was made. Call inside a transaction.
pub fn generate(
    conn: &mut DbConnection,
    providers: &[crate::accounts::demo::GeneratedProvider],
    today: NaiveDate,
) -> Result<(), StoreError> {
    use super::model::Delivery;
    use crate::accounts::demo::vary;
    use crate::catalogue::model::NodeKind;
    use crate::db::schema::catalogue_nodes;
    use crate::history::store::json;
    let nodes: Vec<(i32, NodeKind)> = catalogue_nodes::table
        .filter(catalogue_nodes::kind.eq_any([NodeKind::CoreService, NodeKind::Subspecialism]))
        .filter(catalogue_nodes::retired.eq(false))
        .select((catalogue_nodes::id, catalogue_nodes::kind))
        .order(catalogue_nodes::id)
        .load(conn)?;
    let now = chrono::Utc::now().naive_utc();
    let mut rows = Vec::new();
    for p in providers {
        let (mut arranged, mut ending, mut recorded) = (0, 0, 0);
        for (n, (node, kind)) in nodes.iter().enumerate() {
            let roll = vary(p.index, 300 + n);
            let delivery = match (kind, roll) {
                (NodeKind::CoreService, 0..=69) => Some(Delivery::InHouse),
                (NodeKind::CoreService, 70..=89) => Some(Delivery::Arrangement),
                (NodeKind::CoreService, 90..=94) => Some(Delivery::Partial),
                (NodeKind::CoreService, 95..=97) => Some(Delivery::NotAvailable),
                (_, 0..=39) => Some(Delivery::InHouse),
                (_, 40..=79) => Some(Delivery::Arrangement),
                (_, 80..=91) => Some(Delivery::NotAvailable),
                _ => None,
            };
            let Some(delivery) = delivery else { continue };
            recorded += 1;
            let arrangement = delivery == Delivery::Arrangement;
            let ends_in = if vary(p.index, 400 + n) < 15 {
                5 + vary(p.index, 500 + n) as i64 * 8 / 10
            } else {
                120 + vary(p.index, 500 + n) as i64 * 8
            };
            if arrangement {
                arranged += 1;
                if ends_in <= 90 {
                    ending += 1;
                }
            }
            let partner = GENERATED_PARTNERS[vary(p.index, 600 + n) % GENERATED_PARTNERS.len()];
            rows.push((
                service_coverage::provider_id.eq(p.id),
                service_coverage::node_id.eq(*node),
                service_coverage::delivery.eq(delivery),
                service_coverage::partner_name.eq(arrangement.then_some(partner)),
                service_coverage::agreement_reference.eq(arrangement.then(|| format!("SLA-{:05}-{n:02}", p.index + 1))),
                service_coverage::starts_on.eq(arrangement.then(|| today - Duration::days(365 + ends_in % 200))),
                service_coverage::ends_on.eq(arrangement.then(|| today + Duration::days(ends_in))),
                service_coverage::lead_name
                    .eq((delivery == Delivery::InHouse).then(|| crate::accounts::demo::generated_person(p.index + n))),
                service_coverage::notes.eq(if delivery == Delivery::NotAvailable {
                    "No arrangement yet: the manager is seeking a partner."
                } else {
                    ""
                }),
                service_coverage::updated_at.eq(now),
                service_coverage::updated_by.eq(Some(p.manager)),
            ));
        }
        crate::accounts::demo::record_generated(
            conn,
            p,
            "coverage",
            vec![
                ("services_recorded", json(recorded)),
                ("arrangements", json(arranged)),
                ("arrangements_ending_within_90_days", json(ending)),
            ],
        )?;
    }
    crate::db::insert_batch(conn, service_coverage::table, &rows)?;
    Ok(())
}
