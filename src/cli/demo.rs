//! `ohgov demo`: a fictional OH service, every area's part of it, served on its own database.

use std::path::PathBuf;

use crate::config::{self, Settings};
use crate::{
    accounts, assessment, audits, catalogue, commissioning, coverage, db, documents, evidence, history, quality,
    workforce,
};

#[derive(clap::Args)]
pub struct DemoArgs {
    /// The demo database file (default ./ohgov-demo.db).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Build the demo database and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
    /// Address to listen on (OHGOV_BIND; default 127.0.0.1:8080).
    #[arg(long, value_name = "ADDRESS")]
    pub bind: Option<String>,
}

/// Every area's part of the fictional service, on a migrated database whose history key is
/// installed: the catalogue's load report and the sign-ins. The benchmarks measure pages on it.
pub fn build(
    conn: &mut db::DbConnection,
    today: chrono::NaiveDate,
) -> anyhow::Result<(catalogue::store::LoadReport, Vec<accounts::demo::DemoLogin>)> {
    let report = catalogue::store::load(conn, &catalogue::builtin_sources())?;
    let logins = accounts::demo::seed(conn, today)?;
    assessment::demo::seed(conn, today)?;
    evidence::demo::seed(conn, today, assessment::store::framework_id)?;
    coverage::demo::seed(conn, today)?;
    workforce::demo::seed(conn, today)?;
    audits::demo::seed(conn, today)?;
    quality::demo::seed(conn, today)?;
    documents::demo::seed(conn, today)?;
    commissioning::demo::seed(conn, today)?;
    Ok((report, logins))
}

/// Builds (or reuses) the demo database, prints the sign-ins, and serves it unless told not to.
pub fn run(database_url: Option<String>, args: DemoArgs) -> anyhow::Result<()> {
    // The demo never falls back to DATABASE_URL: it must not write fictional data into a real
    // service's database.
    let url = match (args.db, database_url) {
        (Some(path), _) => path.display().to_string(),
        (None, Some(url)) => url,
        (None, None) => config::DEFAULT_DEMO_DATABASE.to_string(),
    };
    let mut settings = Settings::for_database(url);
    if let Some(bind) = args.bind {
        settings.bind = bind;
    }
    let today = settings.clock.today();
    let target = db::DatabaseTarget::parse(&settings.database_url)?;
    let mut conn = db::establish(&target)?;
    db::run_migrations(&mut conn)?;
    history::key::load_and_install(&settings.history_key_file, &mut conn)?;
    let (report, logins) = build(&mut conn, today)?;
    drop(conn);
    print!("{report}");
    println!("demo database ready: {}", settings.database_url);
    println!("demo sign-ins (fictional people; passwords for this demo only):");
    for login in &logins {
        println!("  {:<18} {:<38} {}", login.role, login.email, login.password);
    }
    if args.no_serve {
        return Ok(());
    }
    super::serve::serve(settings)
}
