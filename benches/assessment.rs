//! What users wait for in the assessment and the evidence library: the readiness figures (target
//! under 20 ms on SQLite with the whole catalogue and 2,000 evidence items), the dashboard page,
//! the library list, a standard's page, and storing an upload.
//!
//! `cargo bench --bench assessment` prints the median and slowest of each on a fresh SQLite file,
//! and on PostgreSQL too when OHGOV_BENCH_PG_URL names a scratch database.

mod support;

use std::time::Instant;

use chrono::Utc;
use ohgov::accounts::model::{OrganisationInput, UserInput};
use ohgov::accounts::store::{self, Grant};
use ohgov::accounts::Role;
use ohgov::assessment::model::AssessmentInput;
use ohgov::db::{self, DatabaseTarget, DbConnection};
use ohgov::evidence::model::{check_upload, EvidenceInput};

/// Evidence items in the benchmark's library.
const ITEMS: usize = 2_000;

/// A provider with every standard assessed and `ITEMS` documents, each linked to one to three
/// standards, a sixth of them past review.
fn populate(conn: &mut DbConnection) -> (ohgov::db::ProviderId, Vec<String>) {
    ohgov::catalogue::store::load_if_empty(conn, &ohgov::catalogue::builtin_sources()).expect("catalogue");
    let provider = OrganisationInput { kind: "provider".into(), name: "Bench OH".into(), ..Default::default() };
    let provider = store::create_organisation(conn, None, &provider.parse().unwrap()).unwrap();
    let user = UserInput {
        email: "bench@example.nhs.uk".into(),
        name: "Bench".into(),
        password: "a long enough passphrase".into(),
        is_admin: false,
    };
    let grant = Grant { organisation_id: provider, role: Role::Manager, expires_on: None };
    let manager = store::create_user(conn, None, &user.parse().unwrap(), Some(grant)).unwrap();
    let provider = ohgov::db::ProviderId(provider);
    let framework = ohgov::assessment::store::framework_id(conn, provider).unwrap().unwrap();
    let (_, standards) = ohgov::assessment::store::framework_standards(conn, framework).unwrap();
    let references: Vec<String> = standards.iter().map(|s| s.reference.clone()).collect();
    let results = ["met", "met", "partly_met", "not_met", "not_assessed"];
    for (i, reference) in references.iter().enumerate() {
        let input = AssessmentInput {
            workflow: if i % 3 == 0 { "in_progress".into() } else { "done".into() },
            result: results[i % results.len()].into(),
            owner_user_id: manager.to_string(),
            narrative: "How the service meets the standard, and where it is shown. ".repeat(20),
            ..Default::default()
        };
        ohgov::assessment::store::save_assessment(
            conn,
            Some(manager),
            provider,
            reference,
            &input.parse().unwrap(),
            chrono::Utc::now().date_naive(),
        )
        .unwrap();
    }
    let today = Utc::now().date_naive();
    for i in 0..ITEMS {
        let links: Vec<String> =
            (0..=(i % 3)).map(|k| references[(i * 7 + k * 11) % references.len()].clone()).collect();
        let review = today + chrono::Duration::days((i as i64 % 12) * 30 - 60);
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
        {
            let framework = ohgov::assessment::store::framework_id(conn, provider).unwrap();
            ohgov::evidence::store::add(conn, Some(manager), provider, framework, &details, Some(&upload))
        }
        .unwrap();
    }
    (provider, references)
}

fn bench_backend(label: &str, target: DatabaseTarget) {
    let mut conn = db::establish(&target).expect("connect");
    db::run_migrations(&mut conn).expect("migrate");
    let started = Instant::now();
    let (provider, _) = populate(&mut conn);
    println!(
        "[{label}] populated 38 assessed standards and {ITEMS} documents in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let today = Utc::now().date_naive();
    support::measure(&format!("[{label}] readiness: load and count every figure"), 200, || {
        let report =
            ohgov::assessment::store::readiness(&mut conn, provider, today, ohgov::live::store::verdicts::by_standard)
                .unwrap();
        assert_eq!(report.readiness.evidence_items, ITEMS);
    });
    let templates = ohgov::web::templates::load().expect("templates");
    support::measure(&format!("[{label}] readiness dashboard: figures and the rendered page"), 100, || {
        let report =
            ohgov::assessment::store::readiness(&mut conn, provider, today, ohgov::live::store::verdicts::by_standard)
                .unwrap();
        let mut context = ohgov::web::layout_context("/providers/1/assessment");
        context.insert("report", &report);
        context.insert("owners", &Vec::<(i32, String, usize)>::new());
        context.insert("results", &ohgov::assessment::model::AssessmentResult::options());
        context.insert("workflows", &ohgov::assessment::model::Workflow::options());
        context.insert("provider", &serde_json::json!({ "name": "Bench OH" }));
        context.insert("provider_id", &provider);
        let page = templates.render("assessment/dashboard.html", &context).unwrap();
        assert!(page.contains("Readiness for SEQOHS"));
    });
    support::measure(&format!("[{label}] readiness JSON document (the API's body)"), 100, || {
        let report =
            ohgov::assessment::store::readiness(&mut conn, provider, today, ohgov::live::store::verdicts::by_standard)
                .unwrap();
        let body = serde_json::to_vec(&report.to_json(provider, today)).unwrap();
        assert!(body.len() > 1000);
    });
    support::measure(&format!("[{label}] evidence library: {ITEMS} current items with links"), 50, || {
        let lines = ohgov::evidence::store::library(&mut conn, provider, &Default::default(), today).unwrap();
        assert_eq!(lines.len(), ITEMS);
    });
    support::measure(&format!("[{label}] a standard's page: assessment, findings, requests"), 200, || {
        assert!(ohgov::assessment::store::standard_page(&mut conn, provider, "GF1").unwrap().is_some());
    });
    let megabyte: Vec<u8> = (0..1024 * 1024).map(|i| b"abcdefghij\n"[i % 11]).collect();
    let mut n = 0u32;
    support::measure(&format!("[{label}] store a new 1 MB upload (check, hash, blob, item, history)"), 20, || {
        n += 1;
        let mut content = megabyte.clone();
        content.extend_from_slice(format!("{n}\n").as_bytes());
        let upload = check_upload(content, "minutes.txt", 25 << 20).unwrap();
        let details = EvidenceInput { kind: "file".into(), title: format!("Minutes {n}"), ..Default::default() };
        {
            let framework = ohgov::assessment::store::framework_id(&mut conn, provider).unwrap();
            ohgov::evidence::store::add(&mut conn, None, provider, framework, &details.parse().unwrap(), Some(&upload))
        }
        .unwrap();
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
