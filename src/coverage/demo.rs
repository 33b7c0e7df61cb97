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
