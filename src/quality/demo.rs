//! The demo provider's quality indicators: two years of monthly values for every KPI up to the
//! last whole month before today, varied by season and by chance, with some months missing their
//! target (appointments slip in the winter, the did-not-attend rate runs high), and the service's
//! own flu vaccination target of 80% in place of the default 75%.

use chrono::{Datelike, Months, NaiveDate};
use diesel::prelude::*;

use super::import::{self, Row};
use super::model::NewValue;
use super::rules::{self, Figure, Period};
use super::store;
use crate::catalogue::model::KpiUnit;
use crate::db::schema::kpi_values;
use crate::db::{DbConnection, StoreError};

/// How far from its target each KPI usually runs, in its unit, on the better side (negative: it
/// usually misses), and how many cases a month a rate counts.
const PROFILE: [(&str, f64, u32); 20] = [
    ("M-ADJ", 4.0, 30),
    ("M-APPT", 1.5, 110),
    ("M-ADV", 3.0, 105),
    ("M-PSAT", 5.0, 60),
    ("M-MSAT", 2.0, 35),
    ("M-PEP", -1.0, 9),
    ("M-HEPB", 4.0, 25),
    ("M-VZV", 2.5, 40),
    ("K-REF-APPT", 1.5, 0),
    ("K-APPT-RPT", 0.3, 0),
    ("K-DNA", 0.4, 180),
    ("K-PPC", 1.0, 0),
    ("K-CMP", -1.0, 9),
    ("K-AUDIT", -9.0, 12),
    ("K-REG", 0.0, 48),
    ("K-FLU", 1.0, 900),
    ("G-RTW", 4.0, 50),
    ("G-NEED", -1.0, 70),
    ("G-HWC", 6.0, 120),
    ("G-HANDRAIL", 3.0, 30),
];

/// The service's own target for one KPI.
const OWN_TARGET: (&str, f64) = ("K-FLU", 80.0);

/// A repeatable wobble from -1 to 1 for month `i` of KPI `k`: demo data is the same every time.
fn wobble(i: u32, k: u32) -> f64 {
    let mut x = i.wrapping_mul(0x9E37_79B1).wrapping_add(k.wrapping_mul(0x85EB_CA77));
    x ^= x >> 15;
    x = x.wrapping_mul(0x2C1B_3C6D);
    x ^= x >> 12;
    f64::from(x % 2001) / 1000.0 - 1.0
}

/// Winter is harder: from November to February the timeliness and uptake figures slip.
fn winter(month: u32) -> bool {
    matches!(month, 11 | 12 | 1 | 2)
}

pub fn seed(conn: &mut DbConnection, today: NaiveDate) -> Result<(), StoreError> {
    let Some(provider) = crate::accounts::demo::demo_provider(conn)? else { return Ok(()) };
    let present: i64 = kpi_values::table.filter(kpi_values::provider_id.eq(provider.0)).count().get_result(conn)?;
    if present > 0 {
        return Ok(());
    }
    let kpis = store::definitions(conn, provider)?;
    if let Some(kpi) = kpis.iter().find(|k| k.reference == OWN_TARGET.0) {
        store::set_target(conn, None, provider, kpi, Some(OWN_TARGET.1))?;
    }
    let kpis = store::definitions(conn, provider)?;
    let this_month = today.with_day(1).unwrap_or(today);
    let first = this_month.checked_sub_months(Months::new(24)).unwrap_or(this_month);
    let mut rows = Vec::new();
    for (k, kpi) in kpis.iter().enumerate() {
        let (offset, cases) = PROFILE.iter().find(|p| p.0 == kpi.reference).map(|p| (p.1, p.2)).unwrap_or((2.0, 40));
        let (low, high) = rules::range(kpi.unit);
        for i in 0..24u32 {
            let Some(start) = first.checked_add_months(Months::new(i)) else { continue };
            let Some(period) = Period::month(start) else { continue };
            let better = if kpi.higher_is_better { 1.0 } else { -1.0 };
            let slip = if winter(start.month()) { 2.0 } else { 0.0 };
            let spread = if kpi.unit == KpiUnit::Percent { 3.0 } else { 0.6 };
            let scaled = if kpi.unit == KpiUnit::Percent { 1.0 } else { 0.5 };
            let raw = kpi.target + better * (offset - slip * scaled) + spread * wobble(i, k as u32);
            let value = raw.clamp(low, high);
            let figure = if kpi.unit == KpiUnit::Percent && cases > 0 {
                let denominator = (f64::from(cases) * (1.0 + 0.2 * wobble(i + 100, k as u32))).round().max(1.0) as u32;
                let numerator = ((value / 100.0) * f64::from(denominator)).round().min(f64::from(denominator)) as u32;
                Figure {
                    numerator: Some(numerator),
                    denominator: Some(denominator),
                    value: rules::rate(numerator, denominator),
                }
            } else {
                Figure { numerator: None, denominator: None, value: (value * 10.0).round() / 10.0 }
            };
            rows.push(Row { line: 0, kpi: kpi.clone(), value: NewValue { period, figure } });
        }
    }
    import::commit(conn, None, provider, &rows, "demo")?;
    Ok(())
}

/// Writes a year of monthly KPI values for each generated provider: most report up to last month,
/// some stopped a few months ago; each KPI runs near its target, better at most providers and
/// missing it at some. One multi-row insert, and one history row per provider saying what was
/// made. Call inside a transaction.
pub fn generate(
    conn: &mut DbConnection,
    providers: &[crate::accounts::demo::GeneratedProvider],
    today: NaiveDate,
) -> Result<(), StoreError> {
    use crate::accounts::demo::vary;
    use crate::history::store::json;
    let Some(first) = providers.first() else { return Ok(()) };
    let kpis = store::definitions(conn, first.id)?;
    let this_month = today.with_day(1).unwrap_or(today);
    let now = chrono::Utc::now().naive_utc();
    let mut rows = Vec::new();
    for p in providers {
        // Months since the last one reported: last month at most, up to four months at a few.
        let behind = if vary(p.index, 1500) < 15 { 2 + vary(p.index, 1501) % 3 } else { 1 };
        let mut values = 0;
        for (k, kpi) in kpis.iter().enumerate() {
            let (low, high) = rules::range(kpi.unit);
            let better = if kpi.higher_is_better { 1.0 } else { -1.0 };
            let spread = if kpi.unit == KpiUnit::Percent { 6.0 } else { 1.0 };
            // Where this provider runs on this KPI: above target at most, below at some.
            let bias = (vary(p.index, 1600 + k) as f64 - 30.0) / 50.0;
            for m in behind..behind + 12 {
                let Some(start) = this_month.checked_sub_months(Months::new(m as u32)) else { continue };
                let Some(period) = Period::month(start) else { continue };
                let wobble = (vary(p.index, 2000 + k * 20 + m) as f64 - 50.0) / 100.0;
                let value = (kpi.target + better * spread * (bias + wobble)).clamp(low, high);
                let value = (value * 10.0).round() / 10.0;
                rows.push((
                    kpi_values::provider_id.eq(p.id.0),
                    kpi_values::node_id.eq(kpi.node_id),
                    kpi_values::period_start.eq(period.start),
                    kpi_values::period_end.eq(period.end),
                    kpi_values::value.eq(value),
                    kpi_values::entered_at.eq(now),
                    kpi_values::entered_by.eq(Some(p.manager.0)),
                ));
                values += 1;
            }
        }
        crate::accounts::demo::record_generated(
            conn,
            p,
            "quality",
            vec![("kpi_values", json(values)), ("months", json(12))],
        )?;
    }
    crate::db::insert_batch(conn, kpi_values::table, &rows)?;
    Ok(())
}
