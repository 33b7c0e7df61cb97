//! The commissioner's view at scale: `ohgov demo --scale 1000`'s generation, then the work behind
//! the commissioner's page and the API document for 1,000 contracted providers, each with the full
//! catalogue assessed, 50 staff and a year of CPD. Target (issue 15): each under 200 ms on both
//! backends; the generation under 2 minutes on SQLite.
//!
//! The page's work measured here is the one function its handler runs (`facts::comparison`); the
//! API's is `facts::comparison_all` with the key questions answered, the standards the records
//! contradict counted from the kept live verdicts, and the document written as JSON. "Cold" forgets every kept figure first, so every provider is gathered in set-based
//! queries; "warm" finds them kept.
//!
//! `cargo bench --bench commissioning` on a fresh SQLite file, and on PostgreSQL too when
//! OHGOV_BENCH_PG_URL names a scratch database.

mod support;

use std::time::{Duration, Instant};

use ohgov::commissioning::store::facts;
use ohgov::config::Settings;
use ohgov::db::{self, DatabaseTarget, DbConnection};

const PROVIDERS: usize = 1_000;
const RUNS: usize = 10;

/// The page's work, exactly what its handler runs: `facts::comparison` (the current contracts, the
/// kept figures brought up to date, the live reviews, the first page of fifty sorted by name).
fn page_work(conn: &mut DbConnection, commissioner: i32, today: chrono::NaiveDate, days: i64) -> usize {
    let page = facts::comparison(
        conn,
        commissioner,
        today,
        days,
        facts::ComparisonFilter::default(),
        facts::ComparisonSort::Name,
        db::Direction::Ascending,
        1,
    )
    .expect("the page");
    assert!(page.total as usize >= PROVIDERS, "every contracted provider counted");
    page.rows.len()
}

/// The API document's work, as its handler does it: every row (`facts::comparison_all`), the
/// seventeen key questions answered for each, written as JSON. Returns the bytes.
fn api_work(conn: &mut DbConnection, commissioner: i32, today: chrono::NaiveDate, days: i64) -> usize {
    let rows = facts::comparison_all(conn, commissioner, today, days, None, "").expect("the rows");
    // The standards the records contradict, from the kept live verdicts (every provider re-judged
    // on the first run, when none is kept yet).
    let providers: Vec<_> = rows.iter().map(|row| row.facts.provider_id).collect();
    let contradicted = ohgov::live::store::verdicts::contradicted_for_providers(conn, &providers, today)
        .expect("the contradicted standards");
    let document =
        ohgov::commissioning::api::ProvidersDocument::new(commissioner, "The trust", today, &rows, &contradicted);
    serde_json::to_vec(&document).expect("JSON").len()
}

/// Forgets every kept figure, so the next run gathers every provider (cold).
fn forget_kept(conn: &mut DbConnection) {
    use diesel::prelude::*;
    diesel::delete(ohgov::db::schema::provider_figures::table).execute(conn).expect("forgotten");
}

fn timed(label: &str, what: &str, conn: &mut DbConnection, mut work: impl FnMut(&mut DbConnection) -> usize) {
    let mut cold: Vec<Duration> = Vec::with_capacity(3);
    let mut size = 0;
    for _ in 0..3 {
        forget_kept(conn);
        let start = Instant::now();
        size = work(conn);
        cold.push(start.elapsed());
    }
    support::report(&format!("[{label}] {what}, cold (every provider gathered; {size})"), cold);
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        work(conn);
        times.push(start.elapsed());
    }
    support::report(&format!("[{label}] {what}, warm (figures kept)"), times);
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

    timed(label, "the commissioner's page (facts::comparison)", &mut conn, |conn| {
        page_work(conn, commissioner, today, days)
    });
    timed(label, "the API document (rows, 17 answers each, JSON bytes)", &mut conn, |conn| {
        api_work(conn, commissioner, today, days)
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
