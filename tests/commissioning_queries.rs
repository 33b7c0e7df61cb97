//! The commissioner's page makes as many queries for a thousand providers as for ten: the work its
//! handler runs (`commissioning::store::facts::comparison`) counted on a dedicated connection with
//! diesel's instrumentation, with every kept row stale (cold) and with every row kept (warm). The
//! providers have real rows in the tables the facts read, bulk-inserted.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::prelude::*;
use ohgov::commissioning::store::facts::{self, ComparisonFilter, ComparisonSort};
use ohgov::db::schema::{
    accreditations, assessment_cycles, audit_actions, audit_plans, audits, contracts, customer_reviews, findings,
    kpi_values, organisations, service_coverage, staff, standard_assessments,
};
use ohgov::db::{self, DbConnection, Direction, ProviderId};

/// Counts the queries a connection starts.
struct Counter(Arc<AtomicUsize>);

impl Instrumentation for Counter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// A commissioner with `n` contracted providers (one expired contract more, which must not be
/// read), each with an accreditation, a cycle with a result for some standards, an open finding,
/// this year's plan with an audit and an overdue action, two services recorded, three people, a
/// KPI value and a confirmed customer review. Every table written in one batch.
fn commissioner_with(conn: &mut DbConnection, n: usize, today: NaiveDate) -> i32 {
    let tag = format!("c{n}");
    db::insert_batch(
        conn,
        organisations::table,
        &[(
            organisations::kind.eq("commissioner"),
            organisations::name.eq(format!("Commissioner {tag}")),
            organisations::created_at.eq(now()),
        )],
    )
    .unwrap();
    let commissioner: i32 = organisations::table
        .filter(organisations::name.eq(format!("Commissioner {tag}")))
        .select(organisations::id)
        .first(conn)
        .unwrap();
    let names: Vec<String> = (0..=n).map(|i| format!("Provider {tag}-{i:05}")).collect();
    let rows: Vec<_> = names
        .iter()
        .map(|name| {
            (
                organisations::kind.eq("provider"),
                organisations::name.eq(name.clone()),
                organisations::created_at.eq(now()),
            )
        })
        .collect();
    db::insert_batch(conn, organisations::table, &rows).unwrap();
    let providers: Vec<ProviderId> = organisations::table
        .filter(organisations::name.like(format!("Provider {tag}-%")))
        .select(organisations::id)
        .order(organisations::name)
        .load::<i32>(conn)
        .unwrap()
        .into_iter()
        .map(ProviderId)
        .collect();
    let (expired, current) = providers.split_last().unwrap();
    let started = today - Duration::days(400);
    let mut contract_rows: Vec<_> = current
        .iter()
        .map(|p| {
            (
                contracts::commissioner_id.eq(commissioner),
                contracts::provider_id.eq(p.0),
                contracts::starts_on.eq(started),
                contracts::ends_on.eq(None::<NaiveDate>),
                contracts::services.eq("[]"),
                contracts::created_at.eq(now()),
            )
        })
        .collect();
    contract_rows.push((
        contracts::commissioner_id.eq(commissioner),
        contracts::provider_id.eq(expired.0),
        contracts::starts_on.eq(started),
        contracts::ends_on.eq(Some(today - Duration::days(1))),
        contracts::services.eq("[]"),
        contracts::created_at.eq(now()),
    ));
    db::insert_batch(conn, contracts::table, &contract_rows).unwrap();

    let accreditation_rows: Vec<_> = current
        .iter()
        .enumerate()
        .map(|(i, p)| {
            (
                accreditations::provider_id.eq(p.0),
                accreditations::status.eq(if i % 3 == 0 { "accredited" } else { "working_towards" }),
                accreditations::registered_on.eq(Some(started)),
                accreditations::accredited_on.eq((i % 3 == 0).then_some(today - Duration::days(100))),
                accreditations::updated_at.eq(now()),
            )
        })
        .collect();
    db::insert_batch(conn, accreditations::table, &accreditation_rows).unwrap();

    let framework = ohgov::assessment::store::frameworks(conn).unwrap()[0].0;
    let cycle_rows: Vec<_> = current
        .iter()
        .map(|p| {
            (
                assessment_cycles::provider_id.eq(p.0),
                assessment_cycles::catalogue_id.eq(framework),
                assessment_cycles::kind.eq("initial"),
                assessment_cycles::started_on.eq(started),
                assessment_cycles::created_at.eq(now()),
            )
        })
        .collect();
    db::insert_batch(conn, assessment_cycles::table, &cycle_rows).unwrap();
    let cycles: Vec<i32> = assessment_cycles::table
        .filter(assessment_cycles::provider_id.eq_any(current))
        .select(assessment_cycles::id)
        .load(conn)
        .unwrap();
    let standards: Vec<i32> = ohgov::assessment::store::framework_standards(conn, framework)
        .unwrap()
        .1
        .iter()
        .take(4)
        .map(|s| s.node_id)
        .collect();
    let results = ["met", "not_met", "partly_met", "not_applicable"];
    let assessment_rows: Vec<_> = cycles
        .iter()
        .flat_map(|cycle| {
            standards.iter().zip(results).map(move |(node, result)| {
                (
                    standard_assessments::cycle_id.eq(*cycle),
                    standard_assessments::node_id.eq(*node),
                    standard_assessments::workflow.eq("done"),
                    standard_assessments::result.eq(result),
                    standard_assessments::narrative.eq(""),
                    standard_assessments::carried_over.eq(false),
                    standard_assessments::updated_at.eq(now()),
                )
            })
        })
        .collect();
    db::insert_batch(conn, standard_assessments::table, &assessment_rows).unwrap();
    let finding_rows: Vec<_> = current
        .iter()
        .map(|p| {
            (
                findings::provider_id.eq(p.0),
                findings::node_id.eq(standards[0]),
                findings::grade.eq("major_nonconformity"),
                findings::source.eq("internal_audit"),
                findings::description.eq("Consent not recorded"),
                findings::action_needed.eq("Record consent"),
                findings::raised_on.eq(today - Duration::days(20)),
                findings::created_at.eq(now()),
            )
        })
        .collect();
    db::insert_batch(conn, findings::table, &finding_rows).unwrap();

    let year = ohgov::clock::FinancialYear::containing(today);
    let plan_rows: Vec<_> = current
        .iter()
        .map(|p| {
            (
                audit_plans::provider_id.eq(p.0),
                audit_plans::year_start.eq(year.start_year()),
                audit_plans::state.eq("draft"),
                audit_plans::created_at.eq(now()),
            )
        })
        .collect();
    db::insert_batch(conn, audit_plans::table, &plan_rows).unwrap();
    let plans: Vec<i32> =
        audit_plans::table.filter(audit_plans::provider_id.eq_any(current)).select(audit_plans::id).load(conn).unwrap();
    let audit_rows: Vec<_> = plans
        .iter()
        .map(|plan| {
            (
                audits::plan_id.eq(*plan),
                audits::title.eq("Record keeping"),
                audits::audit_type.eq("local_clinical"),
                audits::planned_quarter.eq(1),
                audits::method.eq("Case note review"),
                audits::status.eq("in_progress"),
                audits::created_at.eq(now()),
                audits::updated_at.eq(now()),
            )
        })
        .collect();
    db::insert_batch(conn, audits::table, &audit_rows).unwrap();
    let audit_ids: Vec<i32> =
        audits::table.filter(audits::plan_id.eq_any(&plans)).select(audits::id).load(conn).unwrap();
    let owner = ohgov::accounts::store::create_user(
        conn,
        None,
        &ohgov::accounts::model::UserInput {
            email: format!("owner@{tag}.example"),
            name: "Action Owner".into(),
            password: support::PASSWORD.into(),
            is_admin: false,
        }
        .parse()
        .unwrap(),
        None,
    )
    .unwrap();
    let action_rows: Vec<_> = audit_ids
        .iter()
        .map(|audit| {
            (
                audit_actions::audit_id.eq(*audit),
                audit_actions::description.eq("Re-train on consent"),
                audit_actions::owner_id.eq(owner.0),
                audit_actions::due_on.eq(today - Duration::days(3)),
                audit_actions::status.eq("open"),
                audit_actions::created_at.eq(now()),
                audit_actions::updated_at.eq(now()),
            )
        })
        .collect();
    db::insert_batch(conn, audit_actions::table, &action_rows).unwrap();

    let services: Vec<i32> =
        ohgov::coverage::store::coverage(conn, current[0], today).unwrap().iter().take(2).map(|r| r.node_id).collect();
    let coverage_rows: Vec<_> = current
        .iter()
        .flat_map(|p| {
            services.iter().map(move |node| {
                (
                    service_coverage::provider_id.eq(p.0),
                    service_coverage::node_id.eq(*node),
                    service_coverage::delivery.eq("arrangement"),
                    service_coverage::partner_name.eq(Some("Northshire Physiotherapy Partners LLP")),
                    service_coverage::ends_on.eq(Some(today + Duration::days(30))),
                    service_coverage::notes.eq(""),
                    service_coverage::updated_at.eq(now()),
                )
            })
        })
        .collect();
    db::insert_batch(conn, service_coverage::table, &coverage_rows).unwrap();

    let people = [
        ("consultant_occupational_physician", "specialist", "gmc"),
        ("oh_nurse_scphn", "clinical", "nmc"),
        ("oh_technician", "non_clinical", "none"),
    ];
    let staff_rows: Vec<_> = current
        .iter()
        .enumerate()
        .flat_map(|(i, p)| {
            people.iter().enumerate().map(move |(j, (discipline, tier, regulator))| {
                (
                    staff::provider_id.eq(p.0),
                    staff::staff_number.eq(format!("S{i}-{j}")),
                    staff::full_name.eq(format!("Person {i}-{j}")),
                    staff::sort_name.eq(format!("person {i}-{j}")),
                    staff::discipline.eq(*discipline),
                    staff::tier.eq(*tier),
                    staff::tier_overridden.eq(false),
                    staff::regulator.eq(*regulator),
                    staff::registration_renewal.eq(Some(today + Duration::days(20))),
                    staff::practice_teacher.eq(false),
                    staff::created_at.eq(now()),
                    staff::updated_at.eq(now()),
                )
            })
        })
        .collect();
    db::insert_batch(conn, staff::table, &staff_rows).unwrap();

    let kpi = ohgov::quality::store::definitions(conn, current[0]).unwrap()[0].node_id;
    let month = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    let kpi_rows: Vec<_> = current
        .iter()
        .map(|p| {
            (
                kpi_values::provider_id.eq(p.0),
                kpi_values::node_id.eq(kpi),
                kpi_values::period_start.eq(month),
                kpi_values::period_end.eq(NaiveDate::from_ymd_opt(2026, 10, 31).unwrap()),
                kpi_values::value.eq(12.5),
                kpi_values::entered_at.eq(now()),
            )
        })
        .collect();
    db::insert_batch(conn, kpi_values::table, &kpi_rows).unwrap();
    let review_rows: Vec<_> = current
        .iter()
        .map(|p| {
            (
                customer_reviews::provider_id.eq(p.0),
                customer_reviews::commissioner_id.eq(commissioner),
                customer_reviews::held_on.eq(today - Duration::days(100)),
                customer_reviews::attendees.eq("Both leads"),
                customer_reviews::topics.eq("Waiting times"),
                customer_reviews::outcomes.eq("Agreed"),
                customer_reviews::recorded_side.eq("provider"),
                customer_reviews::recorded_at.eq(now()),
                customer_reviews::confirmed_at.eq(Some(now())),
            )
        })
        .collect();
    db::insert_batch(conn, customer_reviews::table, &review_rows).unwrap();
    commissioner
}

/// The page's work for a commissioner, counted: (queries, rows on the page, total, seconds).
fn counted(conn: &mut DbConnection, commissioner: i32, today: NaiveDate) -> (usize, usize, i64, f64) {
    let count = Arc::new(AtomicUsize::new(0));
    conn.set_instrumentation(Counter(count.clone()));
    let started = Instant::now();
    let page = facts::comparison(
        conn,
        commissioner,
        today,
        90,
        ComparisonFilter::default(),
        ComparisonSort::Name,
        Direction::Ascending,
        1,
    )
    .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    conn.set_instrumentation(Counter(Arc::new(AtomicUsize::new(0))));
    (count.load(Ordering::Relaxed), page.rows.len(), page.total, seconds)
}

on_both_backends!(
    the_page_makes_as_many_queries_for_a_thousand_providers_as_for_ten,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let today = support::today();
        let ten = commissioner_with(&mut conn, 10, today);
        let thousand = commissioner_with(&mut conn, 1000, today);

        let mut dedicated = db.conn();
        let cold_ten = counted(&mut dedicated, ten, today);
        let cold_thousand = counted(&mut dedicated, thousand, today);
        let warm_ten = counted(&mut dedicated, ten, today);
        let warm_thousand = counted(&mut dedicated, thousand, today);
        eprintln!(
            "{:?}: cold 10 {:?}, cold 1000 {:?}, warm 10 {:?}, warm 1000 {:?} (queries, rows, total, seconds)",
            db.backend, cold_ten, cold_thousand, warm_ten, warm_thousand
        );
        assert_eq!((cold_ten.1, cold_ten.2), (10, 10), "the expired contract's provider is not shown");
        assert_eq!((cold_thousand.1, cold_thousand.2), (50, 1000), "fifty a page");
        assert_eq!(cold_ten.0, cold_thousand.0, "cold: the same queries for 10 as for 1,000");
        assert_eq!(warm_ten.0, warm_thousand.0, "warm: the same queries for 10 as for 1,000");
        assert!(warm_thousand.0 < cold_thousand.0, "a warm page gathers nothing");

        let first = &facts::comparison(
            &mut dedicated,
            thousand,
            today,
            90,
            ComparisonFilter::default(),
            ComparisonSort::Name,
            Direction::Ascending,
            1,
        )
        .unwrap()
        .rows[0];
        // The rows the test wrote are the facts the page shows.
        assert_eq!(first.facts.workforce.in_post, 3);
        assert_eq!(first.facts.open_major_findings, 1);
        assert_eq!(first.facts.overdue_actions, 1);
        assert_eq!(first.facts.coverage.arrangements_ending.len(), 2);
        assert_eq!(first.facts.kpis.reported, 1);
        assert_eq!(first.last_review, Some(today - Duration::days(100)));
        assert!(!first.review_overdue);
    }
);
