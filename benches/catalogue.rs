//! What users wait for in the catalogue: checking the files, loading them, and drawing /catalogue.
//!
//! `cargo bench --bench catalogue` prints the median and the slowest of each over repeated runs, on
//! a fresh SQLite file (and on PostgreSQL too when OHGOV_BENCH_PG_URL names a scratch database).

mod support;

use ohgov::catalogue::{self, model, store};
use ohgov::db::{self, DatabaseTarget};

fn bench_backend(label: &str, target: DatabaseTarget, fresh: impl Fn() -> DatabaseTarget) {
    let sources = catalogue::builtin_sources();
    support::measure(&format!("{label}: first load into an empty database"), 10, || {
        let mut conn = db::establish(&fresh()).expect("connect");
        db::run_migrations(&mut conn).expect("migrate");
        store::load(&mut conn, &sources).expect("load");
    });

    let mut conn = db::establish(&target).expect("connect");
    db::run_migrations(&mut conn).expect("migrate");
    store::load(&mut conn, &sources).expect("load");
    support::measure(&format!("{label}: reload, nothing changed"), 50, || {
        store::load(&mut conn, &sources).expect("reload");
    });

    let tera = ohgov::web::templates::load().expect("templates");
    support::measure(&format!("{label}: /catalogue query and render"), 50, || {
        let catalogues = store::overview(&mut conn).expect("overview");
        let mut context = ohgov::web::layout_context("/catalogue");
        let (frameworks, lists): (Vec<_>, Vec<_>) =
            catalogues.into_iter().partition(|c| c.kind.as_str() == "framework");
        context.insert("frameworks", &frameworks);
        for kind in ["core_services", "subspecialisms", "professions", "kpis"] {
            context.insert(kind, &lists.iter().find(|c| c.kind.as_str() == kind));
        }
        let page = tera.render("catalogue/index.html", &context).expect("render");
        assert!(page.len() > 10_000);
    });
}

fn main() {
    support::install_history_key();
    let sources = catalogue::builtin_sources();
    support::measure("check the six built-in files (parse + validate)", 200, || {
        model::check_set(&sources, &model::KnownReferences::new()).expect("valid");
    });

    let dir = tempfile::tempdir().expect("temporary folder");
    let counter = std::cell::Cell::new(0);
    let fresh_sqlite = || {
        counter.set(counter.get() + 1);
        DatabaseTarget::Sqlite(dir.path().join(format!("fresh-{}.db", counter.get())))
    };
    bench_backend("sqlite", DatabaseTarget::Sqlite(dir.path().join("bench.db")), fresh_sqlite);

    if let Ok(url) = std::env::var("OHGOV_BENCH_PG_URL") {
        // Each "fresh" run drops and recreates the public schema of the scratch database.
        let target = DatabaseTarget::Postgres(url.clone());
        let reset = || {
            use diesel::connection::SimpleConnection;
            let mut conn = db::establish(&target).expect("connect");
            conn.batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;").expect("reset");
            target.clone()
        };
        reset();
        bench_backend("postgres", reset(), reset);
    } else {
        println!("(set OHGOV_BENCH_PG_URL to a scratch PostgreSQL database to measure PostgreSQL too)");
    }
}
