//! The live checks at the size issue 16 names: a provider with 500 staff (registrations,
//! revalidation, appraisals, 50,000 CPD records, a year of monthly group supervision), 2,000
//! evidence items, every standard assessed, its coverage, this year's audit plan (signed off, so it
//! is hashed against its sign-off), a year of KPIs and a commissioner's contract. Target (issue 16):
//! readiness with the live checks under 50 ms.
//!
//! Timed: `assessment::store::readiness` with `live::store::verdicts::by_standard` (what every
//! readiness page and the API run), `live::store::records::gather` alone, and judging the twelve
//! checks on gathered records (`live::rules::judge_all`). `cargo bench --bench live` on a fresh
//! SQLite file, and on PostgreSQL too when OHGOV_BENCH_PG_URL names a scratch database.

mod support;

use std::fmt::Write as _;
use std::time::Instant;

use chrono::{Duration, NaiveDate, Utc};
use ohgov::accounts::model::{NewContract, OrganisationInput, UserInput};
use ohgov::accounts::store::{self, Grant};
use ohgov::accounts::Role;
use ohgov::assessment::model::AssessmentInput;
use ohgov::db::{self, DatabaseTarget, DbConnection, ProviderId};
use ohgov::evidence::model::{check_upload, EvidenceInput};
use ohgov::workforce::import::{self, ImportKind};

const STAFF: usize = 500;
const CPD_ROWS: usize = 50_000;
const ITEMS: usize = 2_000;
/// Case workers in each monthly supervision group.
const GROUP: usize = 10;

fn staff_file(today: NaiveDate) -> String {
    let mut file = String::from("staff_number,full_name,email,discipline,regulator,registration_number,registration_renewal,revalidation_due,last_appraisal,responsible_officer,start_date,leaving_date,fte\n");
    for i in 0..STAFF {
        let (discipline, number) = match i % 5 {
            0 => ("occupational_physician", format!("{:07}", 1_000_000 + i)),
            1 | 2 => ("oh_nurse_scphn", format!("{:02}A{:04}E", i % 100, i)),
            3 => ("physiotherapist", format!("PH{:06}", i)),
            _ => ("non_clinical_case_worker", String::new()),
        };
        let registered = !number.is_empty();
        // A few registrations lapsed, revalidations spread over the coming years.
        let renewal = today + Duration::days((i as i64 * 7) % 400 - 10);
        let revalidation = today + Duration::days((i as i64 * 13) % 1000 - 30);
        let appraisal = today - Duration::days((i as i64 * 11) % 500);
        let _ = writeln!(
            file,
            "S{i:05},Person {i},,{discipline},,{number},{},{},{},{},2020-01-01,,1",
            if registered { renewal.to_string() } else { String::new() },
            if registered && i % 5 != 3 { revalidation.to_string() } else { String::new() },
            if i % 5 == 0 { appraisal.to_string() } else { String::new() },
            if i % 5 == 0 && i % 50 != 0 { "Dr R Officer" } else { "" },
        );
    }
    file
}

fn cpd_file(today: NaiveDate) -> Vec<u8> {
    let mut file = String::from("staff_number,date,title,hours,participatory,reflective\n");
    for i in 0..CPD_ROWS {
        let date = today - Duration::days((i % 1400) as i64);
        let _ = writeln!(
            file,
            "S{:05},{},Activity {i},{}",
            i % STAFF,
            date.format("%d/%m/%Y"),
            match (i % 7 == 0, i % 3 == 0) {
                (true, _) => ",no,y",
                (false, true) => "1.5,yes,n",
                (false, false) => "1.5,no,n",
            }
        );
    }
    file.into_bytes()
}

/// Monthly group supervision of the case workers (every fifth person from S00004), led by a nurse,
/// for the last year.
fn supervision_file(today: NaiveDate) -> Vec<u8> {
    let mut file = String::from("date,kind,supervisor_staff_number,attendee_staff_numbers,minutes,cases_discussed,escalated_gp,escalated_clinical,escalated_specialist\n");
    let workers: Vec<usize> = (0..STAFF).filter(|i| i % 5 == 4).collect();
    for month in 0..12i64 {
        for (g, group) in workers.chunks(GROUP).enumerate() {
            let attendees: Vec<String> = group.iter().map(|i| format!("S{i:05}")).collect();
            let date = today - Duration::days(month * 30 + (g as i64 % 20));
            let _ = writeln!(file, "{date},group,S{:05},{},Monthly group,6,1,1,0", g * 5 + 1, attendees.join(";"));
        }
    }
    file.into_bytes()
}

fn import(conn: &mut DbConnection, provider: ProviderId, kind: ImportKind, file: &[u8], today: NaiveDate) -> usize {
    let prepared = import::prepare(conn, provider, kind, file, today).expect("read").expect("a good file");
    import::commit(conn, None, provider, &prepared, "bench", &mut |_| {}).expect("written").created
}

fn user(conn: &mut DbConnection, provider: ProviderId, email: &str, role: Role) -> ohgov::db::UserId {
    let input = UserInput {
        email: email.into(),
        name: email.into(),
        password: "a long enough passphrase".into(),
        is_admin: false,
    };
    let grant = Grant { organisation_id: provider.0, role, expires_on: None };
    store::create_user(conn, None, &input.parse().unwrap(), Some(grant)).unwrap()
}

fn populate(conn: &mut DbConnection, today: NaiveDate) -> ProviderId {
    ohgov::catalogue::store::load_if_empty(conn, &ohgov::catalogue::builtin_sources()).expect("catalogue");
    let input = OrganisationInput { kind: "provider".into(), name: "Bench OH".into(), ..Default::default() };
    let provider = ProviderId(store::create_organisation(conn, None, &input.parse().unwrap()).unwrap());
    let manager = user(conn, provider, "manager@bench.example", Role::Manager);
    let director = user(conn, provider, "director@bench.example", Role::ClinicalDirector);
    let trust = OrganisationInput { kind: "commissioner".into(), name: "Bench Trust".into(), ..Default::default() };
    let trust = store::create_organisation(conn, None, &trust.parse().unwrap()).unwrap();
    let contract = NewContract {
        commissioner_id: trust,
        provider_id: provider,
        starts_on: today - Duration::days(400),
        ends_on: None,
        services: Vec::new(),
    };
    store::create_contract(conn, None, &contract).expect("contract");

    let framework = ohgov::assessment::store::framework_id(conn, provider).unwrap().unwrap();
    let (_, standards) = ohgov::assessment::store::framework_standards(conn, framework).unwrap();
    let references: Vec<String> = standards.iter().map(|s| s.reference.clone()).collect();
    let results = ["met", "met", "partly_met", "not_met", "not_assessed"];
    for (i, reference) in references.iter().enumerate() {
        let input = AssessmentInput {
            workflow: "done".into(),
            result: results[i % results.len()].into(),
            owner_user_id: manager.to_string(),
            narrative: "How the service meets the standard, and where it is shown.".into(),
            ..Default::default()
        };
        ohgov::assessment::store::save_assessment(
            conn,
            Some(manager),
            provider,
            reference,
            &input.parse().unwrap(),
            today,
        )
        .unwrap();
    }
    let framework = Some(framework);
    for i in 0..ITEMS {
        let links: Vec<String> =
            (0..=(i % 3)).map(|k| references[(i * 7 + k * 11) % references.len()].clone()).collect();
        let review = today + Duration::days((i as i64 % 12) * 30 - 60);
        let details = EvidenceInput {
            kind: "file".into(),
            title: format!("Evidence document {i}"),
            owner_user_id: manager.to_string(),
            review_due: review.to_string(),
            standards: links,
            ..Default::default()
        }
        .parse()
        .unwrap();
        let upload = check_upload(format!("document {i}\n").into_bytes(), "document.txt", 1 << 20).unwrap();
        ohgov::evidence::store::add(conn, Some(manager), provider, framework, &details, Some(&upload)).unwrap();
    }

    assert_eq!(import(conn, provider, ImportKind::Staff, staff_file(today).as_bytes(), today), STAFF);
    import(conn, provider, ImportKind::Cpd, &cpd_file(today), today);
    import(conn, provider, ImportKind::Supervision, &supervision_file(today), today);

    // Coverage, this year's audit plan and a year of KPIs as the scaled demo writes them, with the
    // index of a provider whose plan is signed off (the check then hashes it).
    let index = (0..).find(|i| ohgov::accounts::demo::vary(*i, 1100) < 50).unwrap_or(0);
    let generated = [ohgov::accounts::demo::GeneratedProvider {
        id: provider,
        index,
        name: "Bench OH".into(),
        manager,
        clinical_director: director,
    }];
    db::write_transaction(conn, |conn| -> Result<(), ohgov::db::StoreError> {
        ohgov::coverage::demo::generate(conn, &generated, today)?;
        ohgov::audits::demo::generate(conn, &generated, today)?;
        ohgov::quality::demo::generate(conn, &generated, today)?;
        Ok(())
    })
    .expect("generated");
    provider
}

fn bench_backend(label: &str, target: DatabaseTarget) {
    let mut conn = db::establish(&target).expect("connect");
    db::run_migrations(&mut conn).expect("migrate");
    let today = Utc::now().date_naive();
    let started = Instant::now();
    let provider = populate(&mut conn, today);
    println!(
        "[{label}] populated {STAFF} staff, {CPD_ROWS} CPD records, {ITEMS} evidence items in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let days = ohgov::config::configured_supervision_days();
    let records = ohgov::live::store::records::gather(&mut conn, provider, today, days).unwrap();
    let outcomes = ohgov::live::rules::judge_all(&records, today);
    for outcome in &outcomes {
        println!("[{label}]   {:<38} {:<16} {}", outcome.check.as_str(), outcome.verdict.as_str(), outcome.summary);
    }
    assert_eq!(records.people.len(), STAFF);
    support::measure(&format!("[{label}] readiness with the live checks: {STAFF} staff, {ITEMS} items"), 100, || {
        let report =
            ohgov::assessment::store::readiness(&mut conn, provider, today, ohgov::live::store::verdicts::by_standard)
                .unwrap();
        assert!(report.readiness.domains.iter().flat_map(|d| &d.standards).any(|s| !s.live_checks.is_empty()));
    });
    support::measure(&format!("[{label}] the records alone (live::store::records::gather)"), 100, || {
        let records = ohgov::live::store::records::gather(&mut conn, provider, today, days).unwrap();
        assert_eq!(records.people.len(), STAFF);
    });
    support::measure(&format!("[{label}] judging the twelve checks on gathered records"), 200, || {
        assert_eq!(ohgov::live::rules::judge_all(&records, today).len(), 12);
    });
}

fn main() {
    support::install_history_key();
    let dir = tempfile::tempdir().expect("temporary folder");
    bench_backend("sqlite", DatabaseTarget::Sqlite(dir.path().join("bench.db")));
    if let Ok(url) = std::env::var("OHGOV_BENCH_PG_URL") {
        use diesel::connection::SimpleConnection;
        let target = DatabaseTarget::Postgres(url);
        let mut conn = db::establish(&target).expect("connect");
        conn.batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;").expect("reset");
        bench_backend("postgres", target);
    } else {
        println!("(set OHGOV_BENCH_PG_URL to a scratch PostgreSQL database to measure PostgreSQL too)");
    }
}
