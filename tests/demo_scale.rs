//! `ohgov demo --scale N` on both backends: the generated providers are contracted to the demo
//! commissioner, each has fifty staff, a year of CPD, every standard of the framework assessed,
//! and they differ (not all the same status); a second run adds only what is missing; the trail
//! holds one row per provider and area, and still verifies.

mod support;

use std::collections::{BTreeSet, HashMap};

use diesel::prelude::*;
use ohgov::db::schema::{
    accreditations, assessment_cycles, contracts, cpd_records, evidence_items, history, kpi_values, organisations,
    service_coverage, staff, standard_assessments,
};
use ohgov::db::{DbConnection, ProviderId};
use support::{Backend, Seed, TestDb};

/// The generated providers' ids, in the order they were made.
fn generated(conn: &mut DbConnection) -> Vec<ProviderId> {
    organisations::table
        .filter(organisations::code.like("OHG%"))
        .order(organisations::id)
        .select(organisations::id)
        .load::<i32>(conn)
        .unwrap()
        .into_iter()
        .map(ProviderId)
        .collect()
}

fn count_by_provider(rows: Vec<ProviderId>) -> HashMap<ProviderId, usize> {
    let mut counts = HashMap::new();
    for provider in rows {
        *counts.entry(provider).or_insert(0) += 1;
    }
    counts
}

fn generates_varied_contracted_providers(backend: Backend) {
    let Some(db) = TestDb::with(backend, Seed::Catalogue) else { return };
    let mut conn = db.conn();
    let today = support::today();
    ohgov::accounts::demo::seed(&mut conn, today).unwrap();
    let commissioner = ohgov::accounts::demo::demo_commissioner(&mut conn).unwrap().unwrap();

    let mut reported = 0;
    let made = ohgov::commissioning::demo::scale::generate(&mut conn, 5, today, &mut |n| reported += n).unwrap();
    assert_eq!((made, reported), (5, 5), "five made, and the progress told of each");
    let providers = generated(&mut conn);
    assert_eq!(providers.len(), 5);

    // Each holds a current contract with the demo commissioner.
    let current: Vec<i32> = contracts::table
        .filter(contracts::commissioner_id.eq(commissioner))
        .filter(contracts::starts_on.le(today))
        .filter(contracts::ends_on.ge(today))
        .select(contracts::provider_id)
        .load(&mut conn)
        .unwrap();
    for provider in &providers {
        assert!(current.contains(&provider.0), "provider {provider} is contracted to the demo commissioner");
    }

    // Fifty staff each, across the tiers.
    let people: Vec<(i32, ProviderId, String)> = staff::table
        .filter(staff::provider_id.eq_any(&providers))
        .select((staff::id, staff::provider_id, staff::tier))
        .load(&mut conn)
        .unwrap();
    let per_provider = count_by_provider(people.iter().map(|(_, p, _)| *p).collect());
    for provider in &providers {
        assert_eq!(per_provider.get(provider), Some(&50), "provider {provider} has 50 staff");
    }
    let tiers: BTreeSet<&str> = people.iter().map(|(_, _, t)| t.as_str()).collect();
    assert_eq!(tiers, BTreeSet::from(["clinical", "non_clinical", "specialist"]));

    // A year of CPD: every person has some, and it spans the year.
    let cpd: Vec<(i32, chrono::NaiveDate)> = cpd_records::table
        .inner_join(staff::table)
        .filter(staff::provider_id.eq_any(&providers))
        .select((cpd_records::staff_id, cpd_records::activity_date))
        .load(&mut conn)
        .unwrap();
    let with_cpd: BTreeSet<i32> = cpd.iter().map(|(s, _)| *s).collect();
    assert_eq!(with_cpd.len(), people.len(), "everyone has CPD recorded");
    let earliest = cpd.iter().map(|(_, d)| *d).min().unwrap();
    let latest = cpd.iter().map(|(_, d)| *d).max().unwrap();
    assert!(earliest <= today - chrono::Duration::days(300), "CPD goes back most of a year: {earliest}");
    assert!(latest <= today && latest >= today - chrono::Duration::days(30), "CPD comes up to date: {latest}");

    // Every standard of the framework assessed, with a result.
    let catalogue = ohgov::assessment::store::framework_id(&mut conn, providers[0]).unwrap().unwrap();
    let (_, standards) = ohgov::assessment::store::framework_standards(&mut conn, catalogue).unwrap();
    assert!(standards.len() > 20);
    let assessed: Vec<(ProviderId, String)> = standard_assessments::table
        .inner_join(assessment_cycles::table)
        .filter(assessment_cycles::provider_id.eq_any(&providers))
        .select((assessment_cycles::provider_id, standard_assessments::result))
        .load(&mut conn)
        .unwrap();
    let per_provider = count_by_provider(assessed.iter().map(|(p, _)| *p).collect());
    for provider in &providers {
        assert_eq!(per_provider.get(provider), Some(&standards.len()), "provider {provider}: every standard");
    }
    assert!(assessed.iter().all(|(_, r)| r != "not_assessed"));
    let results: BTreeSet<&str> = assessed.iter().map(|(_, r)| r.as_str()).collect();
    assert!(results.contains("met") && results.len() >= 3, "mostly met, some partly or not met: {results:?}");

    // They vary: not all the same accreditation status, and coverage, KPIs and documents present.
    let statuses: BTreeSet<String> = accreditations::table
        .filter(accreditations::provider_id.eq_any(&providers))
        .select(accreditations::status)
        .load(&mut conn)
        .unwrap()
        .into_iter()
        .collect();
    assert!(statuses.len() >= 2, "the accreditation statuses vary: {statuses:?}");
    for (what, rows) in [
        (
            "coverage",
            service_coverage::table
                .filter(service_coverage::provider_id.eq_any(&providers))
                .count()
                .get_result::<i64>(&mut conn)
                .unwrap(),
        ),
        (
            "KPI values",
            kpi_values::table
                .filter(kpi_values::provider_id.eq_any(providers.iter().map(|p| p.0).collect::<Vec<_>>()))
                .count()
                .get_result::<i64>(&mut conn)
                .unwrap(),
        ),
        (
            "documents",
            evidence_items::table
                .filter(evidence_items::provider_id.eq_any(&providers))
                .filter(evidence_items::document_kind.is_not_null())
                .count()
                .get_result::<i64>(&mut conn)
                .unwrap(),
        ),
    ] {
        assert!(rows > 0, "{what} generated");
    }

    // One history row per provider and area, not one per row; the trail still verifies.
    let trail: Vec<Option<i32>> = history::table
        .filter(history::entity.eq("generated"))
        .select(history::organisation_id)
        .load(&mut conn)
        .unwrap();
    for provider in &providers {
        assert_eq!(
            trail.iter().filter(|o| **o == Some(provider.0)).count(),
            8,
            "provider {provider}: one row per area"
        );
    }
    let verified = ohgov::history::store::verify(&mut conn, support::history_key()).unwrap();
    assert!(verified.is_ok(), "the trail verifies");

    // A second run is repeatable: it makes only the providers still missing.
    let made = ohgov::commissioning::demo::scale::generate(&mut conn, 5, today, &mut |_| {}).unwrap();
    assert_eq!(made, 0);
    let made = ohgov::commissioning::demo::scale::generate(&mut conn, 7, today, &mut |_| {}).unwrap();
    assert_eq!(made, 2);
    let names: Vec<String> = organisations::table
        .filter(organisations::code.like("OHG%"))
        .order(organisations::id)
        .select(organisations::name)
        .load(&mut conn)
        .unwrap();
    assert_eq!(names.len(), 7);
    assert_eq!(names.iter().collect::<BTreeSet<_>>().len(), 7, "every name differs: {names:?}");
    assert_eq!(names[0], ohgov::accounts::demo::generated_name(0));
}

#[test]
fn generated_providers_on_sqlite() {
    if support::selected(Backend::Sqlite) {
        generates_varied_contracted_providers(Backend::Sqlite);
    }
}

#[test]
fn generated_providers_on_postgres() {
    generates_varied_contracted_providers(Backend::Postgres);
}
