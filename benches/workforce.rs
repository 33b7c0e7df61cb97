//! What users wait for in the workforce area. Targets: importing 100,000 CPD rows in under 3 s on
//! SQLite, and the workforce page for 500 staff with 50,000 CPD records in under 50 ms.
//!
//! `cargo bench --bench workforce` prints the median and slowest of each on a fresh SQLite file, and
//! on PostgreSQL too when OHGOV_BENCH_PG_URL names a scratch database.

mod support;

use std::fmt::Write as _;

use chrono::Utc;
use ohgov::accounts::model::OrganisationInput;
use ohgov::db::{self, DatabaseTarget, DbConnection};
use ohgov::workforce::import::{self, ImportKind};

const STAFF: usize = 500;
const CPD_IMPORT_ROWS: usize = 100_000;

fn staff_file() -> String {
    let mut file = String::from("staff_number,full_name,email,discipline,regulator,registration_number,registration_renewal,revalidation_due,last_appraisal,responsible_officer,start_date,leaving_date,fte\n");
    let today = Utc::now().date_naive();
    for i in 0..STAFF {
        let (discipline, number) = match i % 5 {
            0 => ("occupational_physician", format!("{:07}", 1_000_000 + i)),
            1 | 2 => ("oh_nurse_scphn", format!("{:02}A{:04}E", i % 100, i)),
            3 => ("physiotherapist", format!("PH{:06}", i)),
            _ => ("non_clinical_case_worker", String::new()),
        };
        let renewal = today + chrono::Duration::days((i as i64 * 7) % 400 - 30);
        let revalidation = today + chrono::Duration::days((i as i64 * 13) % 1000 - 60);
        let registered = !number.is_empty();
        let _ = writeln!(
            file,
            "S{i:05},Person {i},,{discipline},,{number},{},{},{},,2020-01-01,,1",
            if registered { renewal.to_string() } else { String::new() },
            if registered && i % 5 != 3 { revalidation.to_string() } else { String::new() },
            if i % 5 == 0 { "2026-01-15" } else { "" },
        );
    }
    file
}

fn cpd_file(rows: usize) -> Vec<u8> {
    let mut file = String::from("staff_number,date,title,hours,participatory,reflective\n");
    let today = Utc::now().date_naive();
    for i in 0..rows {
        let date = today - chrono::Duration::days((i % 1400) as i64);
        let _ = writeln!(
            file,
            "S{:05},{},Activity {i},{}",
            i % STAFF,
            date.format("%d/%m/%Y"),
            // Every seventh row a reflective account, which carries no hours.
            match (i % 7 == 0, i % 3 == 0) {
                (true, _) => ",no,y",
                (false, true) => "1.5,yes,n",
                (false, false) => "1.5,no,n",
            }
        );
    }
    file.into_bytes()
}

fn bench_backend(label: &str, target: DatabaseTarget, reset: &dyn Fn()) {
    let mut conn: DbConnection = db::establish(&target).expect("connect");
    db::run_migrations(&mut conn).expect("migrate");
    ohgov::catalogue::store::load_if_empty(&mut conn, &ohgov::catalogue::builtin_sources()).expect("catalogue");
    let input = OrganisationInput { kind: "provider".into(), name: "Bench OH".into(), ..Default::default() };
    let provider = ohgov::db::ProviderId(
        ohgov::accounts::store::create_organisation(&mut conn, None, &input.clone().parse().unwrap()).unwrap(),
    );
    let today = Utc::now().date_naive();
    let prepared =
        import::prepare(&mut conn, provider, ImportKind::Staff, staff_file().as_bytes(), today).unwrap().unwrap();
    import::commit(&mut conn, None, provider, &prepared, "bench", &mut |_| {}).unwrap();

    let big = cpd_file(CPD_IMPORT_ROWS);
    let mut imported = 0;
    support::measure(&format!("[{label}] import {CPD_IMPORT_ROWS} CPD rows: read, check, write, history"), 3, || {
        let prepared = import::prepare(&mut conn, provider, ImportKind::Cpd, &big, today).unwrap().unwrap();
        imported += import::commit(&mut conn, None, provider, &prepared, "bench", &mut |_| {}).unwrap().created;
    });
    println!("[{label}] (the runs above wrote {imported} CPD rows)");
    drop(conn);
    reset();

    // The page measured on exactly 500 staff and 50,000 CPD records.
    let mut conn: DbConnection = db::establish(&target).expect("connect");
    db::run_migrations(&mut conn).expect("migrate");
    ohgov::catalogue::store::load_if_empty(&mut conn, &ohgov::catalogue::builtin_sources()).expect("catalogue");
    let provider = ohgov::db::ProviderId(
        ohgov::accounts::store::create_organisation(&mut conn, None, &input.clone().parse().unwrap()).unwrap(),
    );
    let prepared =
        import::prepare(&mut conn, provider, ImportKind::Staff, staff_file().as_bytes(), today).unwrap().unwrap();
    import::commit(&mut conn, None, provider, &prepared, "bench", &mut |_| {}).unwrap();
    let prepared = import::prepare(&mut conn, provider, ImportKind::Cpd, &cpd_file(50_000), today).unwrap().unwrap();
    import::commit(&mut conn, None, provider, &prepared, "bench", &mut |_| {}).unwrap();
    let templates = ohgov::web::templates::load().expect("templates");
    support::measure(&format!("[{label}] workforce figures: {STAFF} staff, 50,000 CPD records, judged"), 50, || {
        let report = ohgov::workforce::store::workforce(&mut conn, provider, today, 30).unwrap();
        assert_eq!(report.people.len(), STAFF);
    });
    support::measure(&format!("[{label}] workforce page: the figures and the rendered page"), 50, || {
        let report = ohgov::workforce::store::workforce(&mut conn, provider, today, 30).unwrap();
        let mut context = ohgov::web::layout_context("/providers/1/workforce");
        let issues: Vec<(&str, &str)> =
            ohgov::workforce::rules::Issue::ALL.iter().map(|i| (i.code(), i.label())).collect();
        context.insert("report", &report);
        context.insert("issues", &issues);
        context.insert("tiers", &ohgov::workforce::model::Tier::options());
        context.insert("disciplines", &ohgov::workforce::model::Discipline::options());
        context.insert("chosen_issue", "");
        context.insert("chosen_tier", "");
        context.insert("chosen_discipline", "");
        context.insert("imported", &false);
        context.insert("provider", &serde_json::json!({ "name": "Bench OH" }));
        context.insert("provider_id", &provider);
        context.insert("can", &serde_json::json!({ "manage": true, "read": true }));
        let page = templates.render("workforce/index.html", &context).unwrap();
        assert!(page.contains("Person 499"));
    });
}

fn main() {
    support::install_history_key();
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("bench.db");
    let reset_sqlite = || {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    };
    bench_backend("sqlite", DatabaseTarget::Sqlite(path.clone()), &reset_sqlite);
    if let Ok(url) = std::env::var("OHGOV_BENCH_PG_URL") {
        use diesel::connection::SimpleConnection;
        let target = DatabaseTarget::Postgres(url);
        let reset = || {
            let mut conn = db::establish(&target).expect("connect");
            conn.batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;").expect("reset");
        };
        reset();
        bench_backend("postgres", target.clone(), &reset);
    } else {
        println!("(set OHGOV_BENCH_PG_URL to a scratch PostgreSQL database to measure PostgreSQL too)");
    }
}
