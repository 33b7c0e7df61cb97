//! The commissioner's view on both backends: the facts gathered for many providers at once agree
//! with each area's own reading of one provider.

mod support;

use ohgov::commissioning::store::facts;
use ohgov::db::{DbConnection, ProviderId};

/// The demo service, every area's part of it; its provider.
fn demo(conn: &mut DbConnection) -> ProviderId {
    let today = support::today();
    ohgov::accounts::demo::seed(conn, today).unwrap();
    ohgov::assessment::demo::seed(conn, today).unwrap();
    ohgov::evidence::demo::seed(conn, today, ohgov::assessment::store::framework_id).unwrap();
    ohgov::coverage::demo::seed(conn, today).unwrap();
    ohgov::workforce::demo::seed(conn, today).unwrap();
    ohgov::audits::demo::seed(conn, today).unwrap();
    ohgov::quality::demo::seed(conn, today).unwrap();
    ohgov::documents::demo::seed(conn, today).unwrap();
    ohgov::accounts::demo::demo_provider(conn).unwrap().unwrap()
}

on_both_backends!(
    gathered_facts_agree_with_each_areas_own_reading,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let provider = demo(&mut conn);
        let other = support::service(&mut conn, "Eastmoor OH", "eastmoor").provider;
        let today = support::today();
        let days = 90;
        let gathered = facts::gather(&mut conn, &[provider, other, ProviderId(999_999)], today, days).unwrap();
        assert_eq!(gathered.iter().map(|f| f.provider_id).collect::<Vec<_>>(), vec![provider, other]);
        let demo_facts = &gathered[0];

        let accreditation = ohgov::assessment::store::accreditation(&mut conn, provider, today).unwrap();
        let recorded = demo_facts.accreditation.as_ref().expect("the demo records its accreditation");
        assert_eq!(recorded.status, accreditation.status);
        assert_eq!(recorded.registered_on, accreditation.registered_on);

        let readiness =
            ohgov::assessment::store::readiness(&mut conn, provider, today, ohgov::live::store::verdicts::by_standard)
                .unwrap()
                .readiness;
        for domain in readiness.domains.iter().filter(|d| d.applies) {
            let mine = demo_facts.domains.iter().find(|d| d.reference == domain.reference).expect("every domain");
            let of = |r: ohgov::assessment::model::AssessmentResult| {
                domain.by_result.iter().find(|(x, _)| *x == r).map_or(0, |(_, n)| *n)
            };
            use ohgov::assessment::model::AssessmentResult as R;
            assert_eq!(mine.met, of(R::Met), "{}", domain.reference);
            assert_eq!(mine.applicable, domain.standards.len() - of(R::NotApplicable), "{}", domain.reference);
            assert_eq!(mine.not_assessed, of(R::NotAssessed), "{}", domain.reference);
        }
        let must: Vec<String> = readiness
            .domains
            .iter()
            .filter(|d| d.applies)
            .flat_map(|d| d.standards.iter().filter(|s| s.is_must_not_met()).map(|s| s.reference.clone()))
            .collect();
        let mine: Vec<String> = demo_facts
            .must_not_met
            .iter()
            .filter(|r| {
                must.contains(r)
                    || readiness
                        .domains
                        .iter()
                        .filter(|d| d.applies)
                        .any(|d| d.standards.iter().any(|s| &s.reference == *r))
            })
            .cloned()
            .collect();
        assert_eq!(mine, must);

        let report = ohgov::workforce::store::workforce(&mut conn, provider, today, days).unwrap();
        assert!(report.people.len() > 3, "the demo has people");
        assert_eq!(demo_facts.workforce.in_post, report.people.len());
        assert_eq!(demo_facts.workforce.issues, report.totals);
        assert_eq!(demo_facts.workforce.consultants, report.consultants);
        assert_eq!(
            demo_facts.workforce.people_with_issues,
            report.people.iter().filter(|p| !p.issues.is_empty()).count()
        );

        let rows = ohgov::coverage::store::coverage(&mut conn, provider, today).unwrap();
        use ohgov::coverage::model::CoverageKind;
        let gaps = |kind| {
            rows.iter().filter(|r| r.kind == kind && r.state.is_gap()).map(|r| r.title.clone()).collect::<Vec<_>>()
        };
        assert_eq!(demo_facts.coverage.core_gaps, gaps(CoverageKind::CoreService));
        assert_eq!(demo_facts.coverage.subspecialism_gaps, gaps(CoverageKind::Subspecialism));
        assert_eq!(demo_facts.coverage.core_services, 6);

        let overdue = ohgov::audits::store::actions::overdue_for_provider(&mut conn, provider, today).unwrap();
        assert_eq!(demo_facts.overdue_actions, overdue.len());
        let year = ohgov::clock::FinancialYear::containing(today);
        let plan = ohgov::audits::store::plans::plan(&mut conn, provider, year).unwrap();
        assert_eq!(demo_facts.audit_plan.as_ref().map(|p| p.state), plan.map(|p| p.state));

        // A provider with nothing recorded: nothing invented.
        let bare = &gathered[1];
        assert_eq!(bare.name, "Eastmoor OH");
        assert!(bare.accreditation.is_none() && bare.audit_plan.is_none() && bare.kpis.last_period.is_none());
        assert!(bare.has_clinical_director, "support::service gives it a clinical director");
        assert_eq!(bare.workforce.in_post, 0);
        assert_eq!(bare.coverage.core_gaps.len(), 6, "nothing recorded is a gap");
        assert_eq!(bare.open_findings, 0);
    }
);
