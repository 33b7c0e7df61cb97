//! The records the live checks read, gathered from the other areas' stores on both backends: who
//! is in post, each one's CPD cycle ending soon with the CPD counted, the last supervision, this
//! year's plan, the last quarter's KPIs, the commissioners, and the evidence of the standards
//! marked met (replaced and unlinked items left out); and the verdicts the checks give on them.

mod support;

use chrono::{Duration, NaiveDate};
use ohgov::accounts::model::NewContract;
use ohgov::assessment::model::{AssessmentInput, Verdict};
use ohgov::catalogue::model::{CpdCycle, LiveCheck};
use ohgov::db::{DbConnection, ProviderId, UserId};
use ohgov::evidence::model::{check_upload, EvidenceInput};
use ohgov::live::store::records::{gather, Records};
use ohgov::workforce::import::{self, ImportKind};
use support::service;

fn import(conn: &mut DbConnection, provider: ProviderId, kind: ImportKind, file: &str, today: NaiveDate) {
    let prepared = import::prepare(conn, provider, kind, file.as_bytes(), today).unwrap().expect("a good file");
    import::commit(conn, None, provider, &prepared, "test.csv", &mut |_| {}).unwrap();
}

fn evidence(
    conn: &mut DbConnection,
    by: UserId,
    provider: ProviderId,
    title: &str,
    due: NaiveDate,
    standards: &[&str],
) -> i32 {
    let details = EvidenceInput {
        kind: "file".into(),
        title: title.into(),
        review_due: due.to_string(),
        standards: standards.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
    .parse()
    .unwrap();
    let upload = check_upload(format!("{title}\n").into_bytes(), "document.txt", 1 << 20).unwrap();
    let framework = support::framework(conn, provider);
    ohgov::evidence::store::add(conn, Some(by), provider, framework, &details, Some(&upload)).unwrap()
}

fn verdict(records: &Records, check: LiveCheck, today: NaiveDate) -> (Verdict, String) {
    let outcome = ohgov::live::rules::judge(check, records, today);
    (outcome.verdict, outcome.summary)
}

on_both_backends!(
    gathered_records_answer_the_checks,
    catalogue_db
        | db
        | {
            let mut conn = db.migrated();
            let s = service(&mut conn, "Northshire OH Service", "northshire");
            let p = s.provider;
            let today = support::today();
            let day = |n: i64| today + Duration::days(n);

            // A doctor whose registration lapsed yesterday, a nurse revalidating in 60 days with 10 of
            // 35 hours, a case worker last supervised 40 days ago, and someone who has left.
            let staff = format!(
            "staff_number,full_name,email,discipline,regulator,registration_number,registration_renewal,revalidation_due,last_appraisal,responsible_officer,start_date,leaving_date,fte\n\
             S001,Dr Ann Lee,,occupational_physician,,1234567,{},,{},Dr R Officer,2020-01-01,,1\n\
             S002,Bea Cole,,oh_nurse,,12A3456E,{},{},,,2020-01-01,,1\n\
             S003,Cal Dunn,,non_clinical_case_worker,,,,,,,2020-01-01,,1\n\
             S004,Dee Ford,,oh_nurse,,12A3457E,{},,,,2020-01-01,{},1\n",
            day(-1),
            day(-100),
            day(200),
            day(60),
            day(-30),
            day(-10),
        );
            import(&mut conn, p, ImportKind::Staff, &staff, today);
            let cpd = format!(
            "staff_number,date,title,hours,participatory,reflective\nS002,{},Course,6,yes,n\nS002,{},Reading,4,no,n\n",
            day(-200).format("%d/%m/%Y"),
            day(-20).format("%d/%m/%Y"),
        );
            import(&mut conn, p, ImportKind::Cpd, &cpd, today);
            let session = format!(
            "date,kind,supervisor_staff_number,attendee_staff_numbers,minutes,cases_discussed,escalated_gp,escalated_clinical,escalated_specialist\n{},group,S002,S003,Monthly group,4,0,1,0\n",
            day(-40)
        );
            import(&mut conn, p, ImportKind::Supervision, &session, today);

            // GF1 marked met with one item past review and one in date; RP1 not met, with evidence.
            let met = AssessmentInput { workflow: "done".into(), result: "met".into(), ..Default::default() };
            ohgov::assessment::store::save_assessment(
                &mut conn,
                Some(s.manager),
                p,
                "GF1",
                &met.parse().unwrap(),
                today,
            )
            .unwrap();
            let lapsed = evidence(&mut conn, s.manager, p, "Governance terms of reference", day(-1), &["GF1"]);
            evidence(&mut conn, s.manager, p, "Governance minutes", day(100), &["GF1"]);
            evidence(&mut conn, s.manager, p, "Competence framework", day(-50), &["RP1"]);

            // This year's plan, a draft; a commissioner contracted 200 days ago with no review; one KPI
            // reported for the last complete quarter.
            let year = ohgov::clock::FinancialYear::containing(today);
            ohgov::audits::store::plans::create_plan(&mut conn, Some(s.manager), p, year).unwrap();
            let trust = ohgov::accounts::model::OrganisationInput {
                kind: "commissioner".into(),
                name: "Northshire Trust".into(),
                ..Default::default()
            };
            let trust = ohgov::accounts::store::create_organisation(&mut conn, None, &trust.parse().unwrap()).unwrap();
            let contract = NewContract {
                commissioner_id: trust,
                provider_id: p,
                starts_on: day(-200),
                ends_on: None,
                services: vec![],
            };
            ohgov::accounts::store::create_contract(&mut conn, None, &contract).unwrap();
            let quarter = ohgov::live::rules::last_complete_quarter(today);
            let kpis = ohgov::quality::store::definitions(&mut conn, p).unwrap();
            let kpi = kpis.iter().find(|k| k.unit != ohgov::catalogue::model::KpiUnit::Percent).expect("a KPI");
            let value = ohgov::quality::model::NewValue {
                period: quarter,
                figure: ohgov::quality::rules::Figure { numerator: None, denominator: None, value: kpi.target },
            };
            ohgov::quality::store::record_value(&mut conn, Some(s.manager), p, kpi, &value).unwrap();

            let records = gather(&mut conn, p, today, 30).unwrap();
            let numbers: Vec<&str> = records.people.iter().map(|p| p.staff_number.as_str()).collect();
            assert_eq!(numbers, ["S002", "S003", "S001"], "in post only, by name as the workforce page sorts");
            let nurse = records.people.iter().find(|p| p.staff_number == "S002").unwrap();
            assert_eq!(nurse.cpd.len(), 1, "the revalidation cycle ending in 60 days");
            assert_eq!(nurse.cpd[0].cycle, CpdCycle::Revalidation);
            assert_eq!(nurse.cpd[0].ends_on, day(60));
            assert_eq!(nurse.cpd[0].total, 10.0);
            assert!(!nurse.cpd[0].met);
            let worker = records.people.iter().find(|p| p.staff_number == "S003").unwrap();
            assert!(worker.needs_supervision);
            assert_eq!(worker.last_supervision, Some(day(-40)));
            assert_eq!(records.coverage.len(), 16);
            assert_eq!(records.plan.as_ref().map(|plan| plan.year), Some(year));
            assert_eq!(records.kpi_values.len(), 1);
            assert_eq!(records.kpi_values[0].period, quarter);
            assert_eq!(records.commissioners.len(), 1);
            assert_eq!(records.commissioners[0].contracted_since, day(-200));
            let met: Vec<&str> = records.met_standards.iter().map(|s| s.reference.as_str()).collect();
            assert_eq!(met, ["GF1"]);
            let linked: Vec<(&str, &str)> =
                records.met_evidence.iter().map(|e| (e.standard.as_str(), e.title.as_str())).collect();
            assert_eq!(linked, [("GF1", "Governance minutes"), ("GF1", "Governance terms of reference")]);

            assert_eq!(
                verdict(&records, LiveCheck::RegistrationsCurrent, today),
                (Verdict::Fails, "1 registration expired: S001".to_string())
            );
            assert_eq!(verdict(&records, LiveCheck::DoctorsAppraised, today).0, Verdict::Holds);
            // (The doctor's CPD year is judged too from January to March: only the nurse is asserted.)
            let outcome = ohgov::live::rules::judge(LiveCheck::CpdOnTrack, &records, today);
            assert_eq!(outcome.verdict, Verdict::Fails);
            let revalidation =
                format!("S002: 10 of 35 hours for the revalidation cycle ending {}", day(60).format("%-d %b %Y"));
            assert!(outcome.facts.iter().any(|f| f.text == revalidation), "{:?}", outcome.facts);
            assert_eq!(
                verdict(&records, LiveCheck::SupervisionCurrent, today),
                (Verdict::Fails, "1 person overdue for clinical supervision: S003".to_string())
            );
            assert_eq!(verdict(&records, LiveCheck::CoreServicesAvailable, today).0, Verdict::Fails);
            assert_eq!(verdict(&records, LiveCheck::PlanSignedOff, today).0, Verdict::Fails);
            assert_eq!(verdict(&records, LiveCheck::ActionsNotOverdue, today).0, Verdict::Holds);
            assert_eq!(verdict(&records, LiveCheck::KpisReported, today).0, Verdict::Holds);
            assert_eq!(
                verdict(&records, LiveCheck::CustomerReviewsHeld, today),
                (Verdict::Fails, "Customer review overdue with 1 of 1 commissioners: Northshire Trust".to_string())
            );
            let outcome = ohgov::live::rules::judge(LiveCheck::MetEvidenceCurrent, &records, today);
            assert_eq!(outcome.verdict, Verdict::Fails);
            assert_eq!(outcome.summary, "1 evidence item past its review date: Governance terms of reference");
            assert_eq!(outcome.facts[0].href, Some(format!("/providers/{p}/evidence/{lapsed}")));

            // Replacing the lapsed item with one in date clears it: only the live version is read.
            let details = EvidenceInput {
                kind: "file".into(),
                title: "Governance terms of reference".into(),
                review_due: day(300).to_string(),
                standards: vec!["GF1".into()],
                ..Default::default()
            }
            .parse()
            .unwrap();
            let upload = check_upload(b"version 2\n".to_vec(), "document.txt", 1 << 20).unwrap();
            ohgov::evidence::store::supersede(&mut conn, Some(s.manager), p, lapsed, &details, Some(&upload)).unwrap();
            let records = gather(&mut conn, p, today, 30).unwrap();
            assert_eq!(records.met_evidence.len(), 2);
            assert_eq!(verdict(&records, LiveCheck::MetEvidenceCurrent, today).0, Verdict::Holds);

            // The interval is the caller's: at 45 days the case worker is in date.
            let records = gather(&mut conn, p, today, 45).unwrap();
            assert_eq!(verdict(&records, LiveCheck::SupervisionCurrent, today).0, Verdict::Holds);
        }
);

on_both_backends!(
    a_provider_with_nothing_recorded_has_not_enough_data_where_the_records_cannot_answer,
    catalogue_db | db | {
        let mut conn = db.migrated();
        let s = service(&mut conn, "Empty OH", "empty");
        let today = support::today();
        let records = gather(&mut conn, s.provider, today, 30).unwrap();
        let outcomes = ohgov::live::rules::judge_all(&records, today);
        let by = |check: LiveCheck| outcomes.iter().find(|o| o.check == check).map(|o| o.verdict);
        for check in [
            LiveCheck::RegistrationsCurrent,
            LiveCheck::DoctorsAppraised,
            LiveCheck::SupervisionCurrent,
            LiveCheck::CustomerReviewsHeld,
            LiveCheck::MetEvidenceCurrent,
        ] {
            assert_eq!(by(check), Some(Verdict::NotEnoughData), "{check:?}");
        }
        for check in [LiveCheck::PlanSignedOff, LiveCheck::AuditsPlanned, LiveCheck::KpisReported] {
            assert_eq!(by(check), Some(Verdict::Fails), "{check:?}");
        }
        assert_eq!(by(LiveCheck::CpdOnTrack), Some(Verdict::Holds));
        assert_eq!(by(LiveCheck::ActionsNotOverdue), Some(Verdict::Holds));
    }
);
