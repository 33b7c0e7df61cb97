//! What users wait for on the quality indicator pages. Target: the KPI overview and one KPI's page
//! (chart and table), with 5 years of monthly values for every KPI, each rendered in under 20 ms.
//!
//! `cargo bench --bench kpi_page` prints the median and slowest of each on a fresh SQLite file, and
//! on PostgreSQL too when OHGOV_BENCH_PG_URL names a scratch database.

mod support;

use chrono::NaiveDate;
use ohgov::accounts::model::OrganisationInput;
use ohgov::db::{self, DatabaseTarget, DbConnection, ProviderId};
use ohgov::quality::model::{PeriodFilter, PeriodQuery};
use ohgov::quality::{routes, store};

const MONTHS: u32 = 60;

fn page_context(provider: ProviderId, path: &str) -> tera::Context {
    let mut context = ohgov::web::layout_context(path);
    context.insert("provider", &serde_json::json!({ "name": "Bench OH" }));
    context.insert("provider_id", &provider);
    context.insert("can", &serde_json::json!({ "manage": true, "read": true, "read_assessment": true }));
    context.insert("csrf_token", "bench");
    context.insert("errors", &std::collections::BTreeMap::<String, String>::new());
    context.insert("value_form", &ohgov::quality::model::ValueInput::default());
    context.insert("target_form", &ohgov::quality::model::TargetInput::default());
    context
}

fn bench_backend(label: &str, target: DatabaseTarget) {
    let mut conn: DbConnection = db::establish(&target).expect("connect");
    db::run_migrations(&mut conn).expect("migrate");
    ohgov::catalogue::store::load_if_empty(&mut conn, &ohgov::catalogue::builtin_sources()).expect("catalogue");
    let input = OrganisationInput { kind: "provider".into(), name: "Bench OH".into(), ..Default::default() };
    let provider =
        ProviderId(ohgov::accounts::store::create_organisation(&mut conn, None, &input.parse().unwrap()).unwrap());
    let written =
        support::monthly_kpi_values(&mut conn, provider, NaiveDate::from_ymd_opt(2021, 12, 1).unwrap(), MONTHS);
    println!("[{label}] {written} values: {MONTHS} months of every KPI");
    let templates = ohgov::web::templates::load().expect("templates");
    let query = PeriodQuery::default();
    support::measure(&format!("[{label}] KPI overview: every KPI's latest value, rendered"), 50, || {
        let kpis = store::definitions(&mut conn, provider).unwrap();
        let latest = store::latest(&mut conn, provider, &kpis, PeriodFilter::default()).unwrap();
        let mut context = page_context(provider, "/providers/1/kpis");
        routes::overview_context(&mut context, kpis, latest, &query);
        let page = templates.render("quality/index.html", &context).unwrap();
        assert!(page.contains("Growing OH"));
    });
    support::measure(&format!("[{label}] one KPI's page: {MONTHS} periods, chart and table, rendered"), 50, || {
        let kpi = store::definition(&mut conn, provider, "M-APPT").unwrap().unwrap();
        let values = store::values(&mut conn, provider, std::slice::from_ref(&kpi), PeriodFilter::default()).unwrap();
        assert_eq!(values.len(), MONTHS as usize);
        let mut context = page_context(provider, "/providers/1/kpis/M-APPT");
        routes::kpi_context(&mut context, &kpi, &values, &query);
        let page = templates.render("quality/kpi.html", &context).unwrap();
        assert_eq!(page.matches("<circle").count(), MONTHS as usize);
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
        drop(conn);
        bench_backend("postgres", target);
    } else {
        println!("(set OHGOV_BENCH_PG_URL to a scratch PostgreSQL database to measure PostgreSQL too)");
    }
}
