//! The `ohgov` command line: serve the web application, migrate, load the catalogue, run the demo.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ohgov::accounts::model::{parse_date, OrganisationInput, UserInput};
use ohgov::accounts::store::Grant;
use ohgov::accounts::NewContract;
use ohgov::accounts::{secrets, Role};
use ohgov::config::{self, Settings};
use ohgov::{accounts, catalogue, db};

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
    /// Organisations: providers and commissioners.
    Org {
        #[command(subcommand)]
        command: OrgCommand,
    },
    /// Commissioning contracts between a commissioner and a provider.
    Contract {
        #[command(subcommand)]
        command: ContractCommand,
    },
    /// People who sign in.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens for other systems (`Authorization: Bearer TOKEN`).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Walk the audit trail and prove no row was altered or removed; exits non-zero at the first
    /// broken link.
    VerifyLog,
    /// The standards catalogue.
    Catalogue {
        #[command(subcommand)]
        command: CatalogueCommand,
    },
    /// Import a CSV file of staff, CPD records or supervision sessions into a provider's records.
    /// The whole file is checked first: any bad row refuses the file, listing every bad row by line,
    /// and nothing is written. Re-importing staff updates people in place by staff number.
    Import {
        /// What the file holds: staff, cpd or supervision.
        #[arg(value_parser = ["staff", "cpd", "supervision"])]
        kind: String,
        #[arg(long)]
        provider: i32,
        file: PathBuf,
    },
    /// A provider's evidence library.
    Evidence {
        #[command(subcommand)]
        command: EvidenceCommand,
    },
    /// A provider's coverage of the six NHS core services and ten sub-specialisms, or with --json
    /// the document `GET /api/v1/providers/{id}/coverage` serves.
    Coverage {
        #[arg(long)]
        provider: i32,
        #[arg(long)]
        json: bool,
    },
    /// A provider's SEQOHS readiness: the figures of the dashboard, or with --json the document
    /// `GET /api/v1/providers/{id}/readiness` serves.
    Readiness {
        #[arg(long)]
        provider: i32,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
enum EvidenceCommand {
    /// Add a file to a provider's library; prints the new item's id, alone, on stdout.
    Add {
        #[arg(long)]
        provider: i32,
        #[arg(long)]
        title: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Standards, core services or sub-specialisms it is evidence for, separated by commas.
        #[arg(long, value_delimiter = ',')]
        standards: Vec<String>,
        /// The document's effective date (YYYY-MM-DD or DD/MM/YYYY).
        #[arg(long, default_value = "")]
        effective: String,
        /// When the document is due for review.
        #[arg(long, default_value = "")]
        review_due: String,
        /// The file holds patient-identifiable data.
        #[arg(long)]
        patient_data: bool,
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum OrgCommand {
    /// Add an organisation; prints its id, alone, on stdout.
    Add {
        /// provider or commissioner.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        name: String,
        /// ODS code or company number.
        #[arg(long)]
        code: Option<String>,
        /// Providers: nhs_in_house, nhs_hosting or independent. Commissioners: nhs_trust, icb or
        /// other_employer.
        #[arg(long = "type")]
        organisation_type: Option<String>,
        /// Number of sites.
        #[arg(long)]
        sites: Option<i32>,
    },
}

#[derive(Subcommand)]
enum ContractCommand {
    /// Link a commissioner to a provider; prints the contract's id, alone, on stdout.
    Add {
        #[arg(long)]
        commissioner: i32,
        #[arg(long)]
        provider: i32,
        /// First day covered (YYYY-MM-DD).
        #[arg(long)]
        start: String,
        /// Last day covered (YYYY-MM-DD); open-ended when left out.
        #[arg(long)]
        end: Option<String>,
        /// Core services bought, as catalogue references separated by commas (PREV,TIME,...).
        #[arg(long, value_delimiter = ',')]
        services: Vec<String>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user and print their id. The password is read from standard input when it is not a
    /// terminal; otherwise one is generated and printed once.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Organisation to give the user a role in (with --role).
        #[arg(long, requires = "role")]
        org: Option<i32>,
        /// manager, clinical_director, clinician, viewer, commissioner or assessor.
        #[arg(long, requires = "org")]
        role: Option<String>,
        /// For assessors: the last day their access lasts (YYYY-MM-DD).
        #[arg(long, requires = "role")]
        expires: Option<String>,
        /// A system administrator: organisations, users and contracts.
        #[arg(long)]
        admin: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Issue a token for a user; prints it, alone, on stdout. It is shown this once only.
    Create {
        #[arg(long)]
        user: String,
    },
    /// Revoke a token, given in full.
    Revoke { token: String },
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
    restore_default_sigpipe();
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

/// Rust ignores SIGPIPE, so printing into a closed pipe (`ohgov coverage … | head`) would panic;
/// the default action ends the program quietly instead, as for any other command-line tool.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is a valid action.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
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
        Command::Org { command: OrgCommand::Add { kind, name, code, organisation_type, sites } } => {
            let org = OrganisationInput {
                kind,
                name,
                code: code.unwrap_or_default(),
                organisation_type: organisation_type.unwrap_or_default(),
                sites,
            }
            .parse()?;
            let mut conn = ready_connection(cli.database_url)?;
            let id = accounts::store::create_organisation(&mut conn, None, &org)?;
            println!("{id}");
            Ok(())
        }
        Command::Contract { command: ContractCommand::Add { commissioner, provider, start, end, services } } => {
            let contract = NewContract {
                commissioner_id: commissioner,
                provider_id: provider,
                starts_on: parse_date("start", &start)?,
                ends_on: end.as_deref().map(|e| parse_date("end", e)).transpose()?,
                services: services.into_iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            };
            let mut conn = ready_connection(cli.database_url)?;
            let id = accounts::store::create_contract(&mut conn, None, &contract)?;
            println!("{id}");
            Ok(())
        }
        Command::User { command: UserCommand::Add { email, name, org, role, expires, admin } } => {
            let grant = match (org, role) {
                (Some(organisation_id), Some(role)) => {
                    let role = Role::parse(&role).ok_or_else(|| {
                        let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                        anyhow::anyhow!("role: {role:?} is not a role; use one of {}", names.join(", "))
                    })?;
                    let expires_on = expires.as_deref().map(|e| parse_date("expires", e)).transpose()?;
                    Some(Grant { organisation_id, role, expires_on })
                }
                _ => None,
            };
            let (password, generated) = if std::io::stdin().is_terminal() {
                (secrets::generate_password(), true)
            } else {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                (line.trim_end_matches(['\n', '\r']).to_string(), false)
            };
            let user = UserInput { email, name, password: password.clone(), is_admin: admin }.parse()?;
            let mut conn = ready_connection(cli.database_url)?;
            let id = accounts::store::create_user(&mut conn, None, &user, grant)?;
            println!("{id}");
            if generated {
                println!("password: {password}");
            }
            Ok(())
        }
        Command::Token { command: TokenCommand::Create { user } } => {
            let mut conn = ready_connection(cli.database_url)?;
            println!("{}", accounts::store::create_token(&mut conn, None, &user)?);
            Ok(())
        }
        Command::Token { command: TokenCommand::Revoke { token } } => {
            let mut conn = ready_connection(cli.database_url)?;
            let id = accounts::store::revoke_token(&mut conn, None, &token)?;
            println!("revoked token {id}");
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
            let mut conn = migrated_connection(cli.database_url)?;
            let report = catalogue::store::load(&mut conn, &sources)?;
            print!("{report}");
            Ok(())
        }
        Command::Evidence {
            command:
                EvidenceCommand::Add { provider, title, description, standards, effective, review_due, patient_data, file },
        } => {
            let details = ohgov::evidence::model::EvidenceInput {
                kind: "file".into(),
                title,
                description,
                effective_on: effective,
                review_due,
                contains_patient_data: patient_data,
                standards,
                ..Default::default()
            }
            .parse()?;
            let settings = Settings::for_database(database_url(cli.database_url.clone()));
            let content = std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let limit = settings.max_upload_mb * 1024 * 1024;
            let upload = ohgov::evidence::model::check_upload(content, &name, limit)
                .map_err(|message| anyhow::anyhow!("file: {message}"))?;
            let mut conn = ready_connection(cli.database_url)?;
            if accounts::store::provider(&mut conn, provider)?.is_none() {
                anyhow::bail!("provider: there is no provider {provider}");
            }
            let id = ohgov::evidence::store::add(&mut conn, None, provider, &details, Some(&upload))?;
            println!("{id}");
            Ok(())
        }
        Command::Import { kind, provider, file } => {
            use ohgov::workforce::import::{self, ImportKind};
            let kind =
                ImportKind::parse(&kind).ok_or_else(|| anyhow::anyhow!("kind: use staff, cpd or supervision"))?;
            let content = std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&content));
            let mut conn = ready_connection(cli.database_url)?;
            if accounts::store::provider(&mut conn, provider)?.is_none() {
                anyhow::bail!("provider: there is no provider {provider}");
            }
            let today = chrono::Utc::now().date_naive();
            let prepared = match import::prepare(&mut conn, provider, kind, &content, today)? {
                Ok(prepared) => prepared,
                Err(rows) => {
                    for row in &rows {
                        eprintln!("{}: {row}", file.display());
                    }
                    anyhow::bail!("{} bad row(s); nothing was imported", rows.len());
                }
            };
            // Long files get a progress bar; short ones finish before one would be seen.
            let bar = (prepared.len() > 10_000).then(|| {
                let bar = indicatif::ProgressBar::new(prepared.len() as u64);
                bar.set_style(
                    indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows ({eta} left)")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                bar
            });
            let mut progress = |done: usize| {
                if let Some(bar) = &bar {
                    bar.set_position(done as u64);
                }
            };
            let report = import::commit(&mut conn, None, provider, &prepared, &sha256, &mut progress)?;
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            println!(
                "imported {} row(s) of {}: {} created, {} updated, {} unchanged",
                report.rows,
                kind.label().to_lowercase(),
                report.created,
                report.updated,
                report.unchanged
            );
            Ok(())
        }
        Command::Coverage { provider, json } => {
            let mut conn = ready_connection(cli.database_url)?;
            let Some(summary) = accounts::store::provider(&mut conn, provider)? else {
                anyhow::bail!("provider: there is no provider {provider}");
            };
            let rows = ohgov::coverage::store::coverage(&mut conn, provider, chrono::Utc::now().date_naive())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&ohgov::coverage::store::to_json(provider, &rows))?);
                return Ok(());
            }
            println!("{}: service coverage", summary.name);
            for row in &rows {
                let partner = row.partner_name.as_deref().unwrap_or("");
                let ends = row.ends_on.map(|d| format!("ends {}", d.format("%-d %b %Y"))).unwrap_or_default();
                println!("  {:<9} {:<48} {:<32} {partner} {ends}", row.reference, row.title, row.state.label());
            }
            let totals = ohgov::coverage::store::totals(&rows);
            println!("  not covered today (gaps and expired arrangements): {}", totals.not_covered);
            Ok(())
        }
        Command::Readiness { provider, json } => {
            let mut conn = ready_connection(cli.database_url)?;
            let Some(summary) = accounts::store::provider(&mut conn, provider)? else {
                anyhow::bail!("provider: there is no provider {provider}");
            };
            let today = chrono::Utc::now().date_naive();
            let report = ohgov::assessment::store::readiness(&mut conn, provider, today)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report.to_json(provider))?);
                return Ok(());
            }
            let r = &report.readiness;
            println!("{}: {}", summary.name, report.accreditation.status_label);
            for domain in &r.domains {
                let met = domain.standards.iter().filter(|s| s.result.as_str() == "met").count();
                println!(
                    "  {:<4} {:<48} {met:>2} of {:>2} met",
                    domain.reference,
                    domain.title,
                    domain.standards.len()
                );
            }
            println!("  \"must\" standards not met:           {}", r.must_not_met);
            println!("  standards with no evidence:          {}", r.without_evidence);
            println!("  met with no evidence in date:        {}", r.met_without_current_evidence);
            println!("  documents past review / due soon:    {} / {}", r.evidence_overdue, r.evidence_due_soon);
            println!("  open findings / assessor requests:   {} / {}", r.open_findings, r.open_requests);
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
            let logins = accounts::demo::seed(&mut conn)?;
            ohgov::assessment::demo::seed(&mut conn)?;
            ohgov::evidence::demo::seed(&mut conn)?;
            ohgov::coverage::demo::seed(&mut conn)?;
            ohgov::workforce::demo::seed(&mut conn)?;
            drop(conn);
            print!("{report}");
            println!("demo database ready: {}", settings.database_url);
            println!("demo sign-ins (fictional people; passwords for this demo only):");
            for login in &logins {
                println!("  {:<18} {:<38} {}", login.role, login.email, login.password);
            }
            if no_serve {
                return Ok(());
            }
            serve(settings)
        }
    }
}

/// A connection to the chosen database with every migration applied.
fn migrated_connection(flag: Option<String>) -> anyhow::Result<db::DbConnection> {
    let target = db::DatabaseTarget::parse(&database_url(flag))?;
    let mut conn = db::establish(&target)?;
    db::run_migrations(&mut conn)?;
    Ok(conn)
}

/// A migrated connection whose database holds a catalogue (the built-in one if it had none), as
/// `serve` would leave it.
fn ready_connection(flag: Option<String>) -> anyhow::Result<db::DbConnection> {
    let mut conn = migrated_connection(flag)?;
    catalogue::store::load_if_empty(&mut conn, &catalogue::builtin_sources())?;
    Ok(conn)
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
