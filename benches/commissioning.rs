//! The commissioner's view at scale: `ohgov demo --scale 1000`'s generation, then the work behind
//! the commissioner's page and the API document for 1,000 contracted providers, each with the full
//! catalogue assessed, 50 staff and a year of CPD. Target (issue 15): each under 200 ms on both
//! backends; the generation under 2 minutes on SQLite.
//!
//! The page's work measured here is what `commissioning::store::facts` and `rules::comparison`
//! do for it: the commissioner's current contracts, every provider's facts gathered in set-based
//! queries, and each row's figures judged; the API document is the same facts and figures written
//! as JSON. "Cold" is the first run after the generation; "warm" the median of the runs after.
//!
//! `cargo bench --bench commissioning` on a fresh SQLite file, and on PostgreSQL too when
//! OHGOV_BENCH_PG_URL names a scratch database.

mod support;

use std::time::{Duration, Instant};

use ohgov::commissioning::rules::comparison;
use ohgov::commissioning::store::facts;
use ohgov::config::Settings;
use ohgov::db::{self, DatabaseTarget, DbConnection};

const PROVIDERS: usize = 1_000;
const RUNS: usize = 10;

/// The page's work: contracts, facts, figures. Returns the rows made.
fn page_work(conn: &mut DbConnection, commissioner: i32, today: chrono::NaiveDate, days: i64) -> usize {
    let providers = ohgov::accounts::store::contracted_providers(conn, commissioner, today).expect("contracts");
    let gathered = facts::gather(conn, &providers, today, days).expect("facts");
    let rows: Vec<comparison::Figures> =
        gathered.iter().map(|f| comparison::figures(f, f.reviews.last_confirmed)).collect();
    assert_eq!(rows.len(), providers.len());
    rows.len()
}

/// The API document's work: the same facts, written as JSON.
fn api_work(conn: &mut DbConnection, commissioner: i32, today: chrono::NaiveDate, days: i64) -> usize {
    let providers = ohgov::accounts::store::contracted_providers(conn, commissioner, today).expect("contracts");
    let gathered = facts::gather(conn, &providers, today, days).expect("facts");
    serde_json::to_vec(&gathered).expect("JSON").len()
}

fn timed(label: &str, what: &str, mut work: impl FnMut() -> usize) {
    let start = Instant::now();
    let size = work();
    println!("[{label}] {what}, cold: {:.1} ms ({size})", start.elapsed().as_secs_f64() * 1000.0);
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        work();
        times.push(start.elapsed());
    }
    support::report(&format!("[{label}] {what}, warm"), times);
}

/// `secrets` holds the key files; both backends share one history key, as one process keeps one.
fn bench_backend(label: &str, database_url: String, secrets: &std::path::Path) {
    let mut settings = Settings::for_database(database_url);
    settings.session_key_file = secrets.join("session.key");
    settings.history_key_file = secrets.join("history.key");
    let today = settings.clock.today();
    let days = settings.supervision_days;
    let state = ohgov::prepare(settings).expect("the application prepares");
    let mut conn = state.pool.get().expect("a connection");
    ohgov::cli::demo::build(&mut conn, today).expect("the demo");
    let commissioner = ohgov::accounts::demo::demo_commissioner(&mut conn).expect("query").expect("the commissioner");

    let start = Instant::now();
    let made =
        ohgov::commissioning::demo::scale::generate(&mut conn, PROVIDERS, today, &mut |_| {}).expect("generated");
    println!("[{label}] generated {made} providers in {:.1} s", start.elapsed().as_secs_f64());

    timed(label, "the commissioner's page: contracts, facts, figures", || {
        page_work(&mut conn, commissioner, today, days)
    });
    timed(label, "the API document: contracts, facts, JSON bytes", || api_work(&mut conn, commissioner, today, days));
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
