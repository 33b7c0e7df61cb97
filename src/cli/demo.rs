//! `ohgov demo`: a fictional OH service, every area's part of it, served on its own database.

use std::path::PathBuf;

use crate::config::{self, Settings};
use crate::{
    accounts, assessment, audits, catalogue, commissioning, coverage, db, documents, evidence, history, live, quality,
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
    /// Also generate N further providers, all contracted to the demo commissioner, with varied
    /// records (for trying the commissioner's view at scale). A second run adds only what is missing.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub scale: usize,
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
    live::demo::seed(conn, today)?;
    crate::mail::reminders::demo::seed(conn, today)?;
    let mut logins = logins;
    logins.push(crate::mail::reminders::demo::DEPUTY);
    Ok((report, logins))
}

/// `--scale N`: the generated providers, with a progress bar on stderr and the time taken.
fn generate(conn: &mut db::DbConnection, count: usize, today: chrono::NaiveDate) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let bar = indicatif::ProgressBar::new(count as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} providers ({eta} left)")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_position(commissioning::demo::scale::already_generated(conn)?.min(count) as u64);
    let made = commissioning::demo::scale::generate(conn, count, today, &mut |n| bar.inc(n as u64))?;
    bar.finish_and_clear();
    eprintln!("generated {made} providers in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
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
    if args.scale > 0 {
        generate(&mut conn, args.scale, today)?;
    }
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
