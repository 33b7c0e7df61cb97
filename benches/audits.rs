//! What a clinical director waits for: the audit plan's page, and a quality indicator's page with
//! five years of monthly values for every KPI. Target: each under 20 ms.
//!
//! Measured through the whole application, in process: the signed-in request, its access check,
//! the queries (the plan's sign-off state hashes its snapshot each time), the template and the
//! page's finishing. The database is the demo's, with its current plan grown to 30 audits and its
//! two years of KPI values grown to five.
//!
//! `cargo bench --bench audits` prints the median and slowest of each on a fresh SQLite file, and
//! on PostgreSQL too when OHGOV_BENCH_PG_URL names a scratch database.

mod support;

use std::time::Instant;

use actix_web::test;
use chrono::{Datelike, NaiveDate};
use ohgov::audits::model::AuditInput;
use ohgov::clock::FinancialYear;
use ohgov::config::Settings;
use ohgov::db::{self, DatabaseTarget, DbConnection, ProviderId};

/// Audits in the plan measured: more than a service plans in a year.
const AUDITS: usize = 30;
const RUNS: usize = 50;

/// The demo's plan for this year grown to [`AUDITS`] audits, each with three criteria and two
/// standards; returns the year.
fn grow_plan(conn: &mut DbConnection, provider: ProviderId, today: NaiveDate) -> FinancialYear {
    let year = FinancialYear::containing(today);
    let framework = ohgov::assessment::store::framework_id(conn, provider).expect("framework");
    let present = ohgov::audits::store::plans::plan(conn, provider, year).expect("plan").expect("the demo's plan");
    let have = ohgov::audits::store::audits::plan_audits(conn, present.id).expect("audits").len();
    let kinds = ["local_clinical", "record_keeping", "report_quality", "seqohs_internal", "other"];
    for i in have..AUDITS {
        let (plan, progress) = AuditInput {
            title: format!("Bench audit {i:02}: referral reports"),
            audit_type: kinds[i % kinds.len()].into(),
            standards: vec!["QI1".into(), "OO2".into()],
            planned_quarter: (i % 4 + 1).to_string(),
            method: "Retrospective review of 40 randomly chosen records".into(),
            sample_size: "40".into(),
            criterion: vec!["Consent recorded".into(), "Advice answers the question".into(), "Sent in 2 days".into()],
            target: vec!["95".into(), "90".into(), "85".into()],
            ..Default::default()
        }
        .parse(today)
        .expect("a valid audit");
        ohgov::audits::store::audits::create_audit(conn, None, provider, year, &plan, &progress, framework, today)
            .expect("audit added");
    }
    year
}

/// `secrets` holds the key files; both backends share one history key, as one process keeps one.
fn bench_backend(label: &str, database_url: String, secrets: &std::path::Path) {
    let mut settings = Settings::for_database(database_url);
    settings.session_key_file = secrets.join("session.key");
    settings.history_key_file = secrets.join("history.key");
    let today = settings.clock.today();
    let state = ohgov::prepare(settings).expect("the application prepares");
    let (provider, year, login) = {
        let mut conn = state.pool.get().expect("a connection");
        let (_, logins) = ohgov::cli::demo::build(&mut conn, today).expect("the demo");
        let provider = ohgov::accounts::demo::demo_provider(&mut conn).expect("query").expect("the demo provider");
        let year = grow_plan(&mut conn, provider, today);
        // The demo holds the last two years of monthly values; three more years before them.
        let first = NaiveDate::from_ymd_opt(today.year() - 5, today.month(), 1).expect("a month");
        let added = support::monthly_kpi_values(&mut conn, provider, first, 36);
        println!("[{label}] {AUDITS} audits in the {year} plan; {added} KPI values added to the demo's two years");
        let director = logins.into_iter().find(|l| l.role == "clinical_director").expect("a clinical director");
        (provider, year, director)
    };

    actix_web::rt::System::new().block_on(async move {
        let app = test::init_service(ohgov::app(state)).await;
        // Signed in as the clinical director, as a browser would: the sign-in page's cookie and
        // token, then the form.
        let page = test::call_service(&app, test::TestRequest::get().uri("/sign-in").to_request()).await;
        let cookie = page.response().cookies().next().expect("a session cookie").into_owned();
        let html = String::from_utf8(test::read_body(page).await.to_vec()).expect("text");
        let token = html.split("name=\"csrf_token\" value=\"").nth(1).and_then(|t| t.split('"').next()).expect("token");
        let signed_in = test::call_service(
            &app,
            test::TestRequest::post()
                .uri("/sign-in")
                .cookie(cookie)
                .set_form([("email", login.email), ("password", login.password), ("csrf_token", token)])
                .to_request(),
        )
        .await;
        assert_eq!(signed_in.status().as_u16(), 303, "signed in");
        let session = signed_in.response().cookies().next().expect("the signed-in cookie").into_owned();

        for (what, path, expect) in [
            ("the audit plan's page", format!("/providers/{provider}/audit-plans/{}", year.url()), "Bench audit 29"),
            ("a KPI's page, 60 months", format!("/providers/{provider}/kpis/M-APPT"), "<circle"),
        ] {
            let mut times = Vec::with_capacity(RUNS);
            for run in 0..=RUNS {
                let request = test::TestRequest::get().uri(&path).cookie(session.clone()).to_request();
                let start = Instant::now();
                let response = test::call_service(&app, request).await;
                let status = response.status().as_u16();
                let body = test::read_body(response).await;
                let took = start.elapsed();
                assert_eq!(status, 200, "{path}");
                assert!(String::from_utf8_lossy(&body).contains(expect), "{path} shows {expect}");
                if run > 0 {
                    times.push(took);
                }
            }
            support::report(&format!("[{label}] {what}: request to finished page"), times);
        }
    });
}

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    bench_backend("sqlite", dir.path().join("bench.db").display().to_string(), dir.path());
    if let Ok(url) = std::env::var("OHGOV_BENCH_PG_URL") {
        use diesel::connection::SimpleConnection;
        let mut conn = db::establish(&DatabaseTarget::Postgres(url.clone())).expect("connect");
        conn.batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;").expect("reset");
        drop(conn);
        bench_backend("postgres", url, dir.path());
    } else {
        println!("(set OHGOV_BENCH_PG_URL to a scratch PostgreSQL database to measure PostgreSQL too)");
    }
}
