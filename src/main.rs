//! The `ohgov` command line: serve the web application, migrate, load the catalogue, run the demo.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ohgov::config::{self, Settings};
use ohgov::{catalogue, db};

#[derive(Parser)]
#[command(
    name = "ohgov",
    version,
    about = "SEQOHS accreditation and clinical governance for occupational health services"
)]
struct Cli {
    /// Database to use: a file path or sqlite://PATH for SQLite, postgres://… for PostgreSQL.
    /// Overrides DATABASE_URL; the default is ./ohgov.db.
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web application.
    Serve {
        /// Address to listen on (OHGOV_BIND; default 127.0.0.1:8080).
        #[arg(long, value_name = "ADDRESS")]
        bind: Option<String>,
    },
    /// Apply any pending database migrations, then exit.
    Migrate,
    /// Create (or reuse) a demo database with the catalogue and fictional data, and serve it.
    Demo {
        /// The demo database file (default ./ohgov-demo.db).
        #[arg(long, value_name = "PATH")]
        db: Option<PathBuf>,
        /// Build the demo database and exit without serving.
        #[arg(long)]
        no_serve: bool,
        /// Address to listen on (OHGOV_BIND; default 127.0.0.1:8080).
        #[arg(long, value_name = "ADDRESS")]
        bind: Option<String>,
    },
    /// Walk the audit trail and prove no row was altered or removed; exits non-zero at the first
    /// broken link.
    VerifyLog,
    /// The standards catalogue.
    Catalogue {
        #[command(subcommand)]
        command: CatalogueCommand,
    },
}

#[derive(Subcommand)]
enum CatalogueCommand {
    /// Load catalogue files; loading the same files again changes nothing.
    Load {
        /// Folder of .toml files (default: the catalogue built into this program).
        dir: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("OHGOV_LOG")
                .unwrap_or_else(|_| "info,actix_server=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The database URL for ordinary commands: the flag, then DATABASE_URL, then ./ohgov.db.
fn database_url(flag: Option<String>) -> String {
    flag.unwrap_or_else(|| config::env_or("DATABASE_URL", config::DEFAULT_DATABASE_URL))
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { bind } => {
            let mut settings = Settings::for_database(database_url(cli.database_url));
            if let Some(bind) = bind {
                settings.bind = bind;
            }
            serve(settings)
        }
        Command::Migrate => {
            let target = db::DatabaseTarget::parse(&database_url(cli.database_url))?;
            let mut conn = db::establish(&target)?;
            let applied = db::run_migrations(&mut conn)?;
            println!("{applied} migration(s) applied to the {} database", target.backend_name());
            Ok(())
        }
        Command::VerifyLog => {
            let target = db::DatabaseTarget::parse(&database_url(cli.database_url))?;
            let mut conn = db::establish(&target)?;
            match ohgov::history::store::verify(&mut conn)? {
                Ok(verified) => {
                    println!("history intact: {} rows, last hash {}", verified.rows, verified.last_hash);
                    Ok(())
                }
                Err(chain_break) => anyhow::bail!("history broken: {chain_break}"),
            }
        }
        Command::Catalogue { command: CatalogueCommand::Load { dir } } => {
            let sources = match &dir {
                Some(dir) => catalogue::dir_sources(dir)?,
                None => catalogue::builtin_sources(),
            };
            let target = db::DatabaseTarget::parse(&database_url(cli.database_url))?;
            let mut conn = db::establish(&target)?;
            db::run_migrations(&mut conn)?;
            let report = catalogue::store::load(&mut conn, &sources)?;
            print!("{report}");
            Ok(())
        }
        Command::Demo { db: path, no_serve, bind } => {
            // The demo never falls back to DATABASE_URL: it must not write fictional data into a
            // real service's database.
            let url = match (path, cli.database_url) {
                (Some(path), _) => path.display().to_string(),
                (None, Some(url)) => url,
                (None, None) => config::DEFAULT_DEMO_DATABASE.to_string(),
            };
            let mut settings = Settings::for_database(url);
            if let Some(bind) = bind {
                settings.bind = bind;
            }
            let target = db::DatabaseTarget::parse(&settings.database_url)?;
            let mut conn = db::establish(&target)?;
            db::run_migrations(&mut conn)?;
            let report = catalogue::store::load(&mut conn, &catalogue::builtin_sources())?;
            drop(conn);
            print!("{report}");
            println!("demo database ready: {}", settings.database_url);
            if no_serve {
                return Ok(());
            }
            serve(settings)
        }
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    let bind = settings.bind.clone();
    actix_web::rt::System::new().block_on(async move {
        let state = ohgov::prepare(settings)?;
        let (server, addresses) = ohgov::bind(state, &bind)?;
        for address in &addresses {
            println!("ohgov is serving on http://{address}/");
        }
        std::io::stdout().flush()?;
        server.await?;
        Ok(())
    })
}
