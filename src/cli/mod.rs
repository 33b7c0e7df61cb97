//! The `ohgov` command line: one file per command, each with its arguments and its work. `main.rs`
//! only parses and dispatches. Commands sit above every area: they call the stores and rules that
//! the web pages call, so a command and a page cannot disagree.

pub mod backup;
pub mod catalogue;
pub mod contract;
pub mod coverage;
pub mod demo;
pub mod evidence;
pub mod import;
pub mod live;
pub mod mail;
pub mod org;
pub mod pack;
pub mod plan_pdf;
pub mod readiness;
pub mod remind;
pub mod report;
pub mod restore;
pub mod serve;
pub mod token;
pub mod user;
pub mod verify_log;

use clap::{Parser, Subcommand};

use crate::accounts::store::ProviderSummary;
use crate::clock::Clock;
use crate::config;
use crate::db::ProviderId;
use crate::db::{self, DbConnection};

#[derive(Parser)]
#[command(
    name = "ohgov",
    version,
    about = "SEQOHS accreditation and clinical governance for occupational health services"
)]
pub struct Cli {
    /// Database to use: a file path or sqlite://PATH for SQLite, postgres://… for PostgreSQL.
    /// Overrides DATABASE_URL; the default is ./ohgov.db.
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Serve the web application.
    Serve(serve::ServeArgs),
    /// Apply any pending database migrations, then exit.
    Migrate,
    /// Create (or reuse) a demo database with the catalogue and fictional data, and serve it.
    Demo(demo::DemoArgs),
    /// Organisations: providers and commissioners.
    Org {
        #[command(subcommand)]
        command: org::OrgCommand,
    },
    /// Commissioning contracts between a commissioner and a provider.
    Contract {
        #[command(subcommand)]
        command: contract::ContractCommand,
    },
    /// People who sign in.
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
    /// API tokens for other systems (`Authorization: Bearer TOKEN`).
    Token {
        #[command(subcommand)]
        command: token::TokenCommand,
    },
    /// Walk the audit trail and prove no row was altered or removed; exits non-zero at the first
    /// broken link. Prints the head as `head: N:HASH`; keep it outside the database.
    VerifyLog {
        /// A head printed earlier, `N:HASH`: fails when row N is gone or its hash differs.
        #[arg(long, value_name = "N:HASH")]
        expect_head: Option<String>,
    },
    /// The standards catalogue.
    Catalogue {
        #[command(subcommand)]
        command: catalogue::CatalogueCommand,
    },
    /// Import a CSV file or an Excel (.xlsx) workbook of staff, CPD records, supervision sessions or
    /// quality indicator values (kpis) into a provider's records.
    /// The whole file is checked first: any bad row refuses the file, listing the bad rows by line
    /// (the first 1,000, then how many more), and nothing is written. Re-importing staff updates
    /// people in place by staff number.
    Import(import::ImportArgs),
    /// A provider's evidence library.
    Evidence {
        #[command(subcommand)]
        command: evidence::EvidenceCommand,
    },
    /// A provider's coverage of the six NHS core services and ten sub-specialisms, or with --json
    /// the document `GET /api/v1/providers/{id}/coverage` serves.
    Coverage(CoverageArgs),
    /// A provider's SEQOHS readiness: the figures of the dashboard, or with --json the document
    /// `GET /api/v1/providers/{id}/readiness` serves.
    Readiness(ProviderReport),
    /// The live checks: the verdicts of a provider's own records on the standards, and snapshots of
    /// what the checks saw, kept as evidence.
    Live {
        #[command(subcommand)]
        command: live::LiveCommand,
    },
    /// Email: `ohgov mail send` sends what the outbox holds that is due now.
    Mail {
        #[command(subcommand)]
        command: mail::MailCommand,
    },
    /// Write a provider's SEQOHS evidence pack as a PDF: cover, contents, summary by domain, every
    /// standard with its evidence index, the attached PDF documents merged in, and a manifest of
    /// every file's hash. Evidence holding patient-identifiable data is withheld and listed.
    Pack(pack::PackArgs),
    /// Write a provider's annual quality report for a financial year as a PDF: the approved version
    /// when there is one, otherwise the current draft.
    Report(report::ReportArgs),
    /// Write a provider's signed audit plan for a financial year as a PDF: the plan as signed, the
    /// signer, the date and the snapshot's hash.
    PlanPdf(plan_pdf::PlanPdfArgs),
    /// Queue the day's email reminders in the outbox (registrations, revalidations, appraisals, CPD,
    /// supervision, evidence reviews, arrangements, audit actions, contradicted standards, customer
    /// reviews, sign-off requests); with --dry-run, list what would be queued and write nothing.
    Remind(remind::RemindArgs),
    /// Copy the SQLite database, evidence files included, while the service runs: a consistent
    /// snapshot written beside FILE and renamed into place. For PostgreSQL, use pg_dump.
    Backup(backup::BackupArgs),
    /// Put an SQLite backup back as the database DATABASE_URL names (stop the service first): checks
    /// it, migrates it forward, verifies its audit trail. For PostgreSQL, use pg_restore.
    Restore(restore::RestoreArgs),
}

/// The arguments of a report on one provider: which, and whether as the API's JSON.
#[derive(clap::Args)]
pub struct ProviderReport {
    #[arg(long)]
    pub provider: ProviderId,
    #[arg(long)]
    pub json: bool,
}

/// `ohgov coverage`: the report, or (`--out`) the table written to a file as the page downloads it.
#[derive(clap::Args)]
pub struct CoverageArgs {
    #[command(flatten)]
    pub report: ProviderReport,
    /// Write the coverage table to this file instead, a `.csv` or an `.xlsx` (by its name's end),
    /// with the columns of the page's download.
    #[arg(long)]
    pub out: Option<std::path::PathBuf>,
}

/// The database URL for ordinary commands: the flag, then DATABASE_URL, then ./ohgov.db.
pub fn database_url(flag: Option<String>) -> String {
    flag.unwrap_or_else(|| config::env_or("DATABASE_URL", config::DEFAULT_DATABASE_URL))
}

/// A connection to the chosen database, as it is (no migration).
pub fn connection(flag: Option<String>) -> anyhow::Result<DbConnection> {
    let target = db::DatabaseTarget::parse(&database_url(flag))?;
    Ok(db::establish(&target)?)
}

/// A connection to the chosen database with every migration applied, and the database's history
/// key (made on first use) installed: what every command that writes starts from.
pub fn migrated_connection(flag: Option<String>) -> anyhow::Result<DbConnection> {
    let url = database_url(flag);
    let mut conn = db::establish(&db::DatabaseTarget::parse(&url)?)?;
    db::run_migrations(&mut conn)?;
    crate::history::key::load_and_install(&config::history_key_file(&url), &mut conn)?;
    Ok(conn)
}

/// A migrated connection whose database holds a catalogue (the built-in one if it had none), as
/// `serve` would leave it.
pub fn ready_connection(flag: Option<String>) -> anyhow::Result<DbConnection> {
    let mut conn = migrated_connection(flag)?;
    crate::catalogue::store::load_if_empty(&mut conn, &crate::catalogue::builtin_sources())?;
    Ok(conn)
}

/// The provider a command names, or the error every command gives when there is none.
pub fn provider(conn: &mut DbConnection, provider_id: ProviderId) -> anyhow::Result<ProviderSummary> {
    crate::accounts::store::provider(conn, provider_id)?
        .ok_or_else(|| anyhow::anyhow!("provider: there is no provider {provider_id}"))
}

/// A failed command's error. When a stored code outside its closed list caused it, the table, rows
/// and value instead (`db::codes::explain`, over a fresh connection: the command's is gone), so the
/// operator knows what to correct.
pub fn traced(database_url: Option<String>, error: anyhow::Error) -> anyhow::Error {
    let cause: &(dyn std::error::Error + 'static) = error.as_ref();
    if db::codes::unknown_code(cause).is_none() {
        return error;
    }
    match connection(database_url).ok().and_then(|mut conn| db::codes::explain(&mut conn, cause)) {
        Some(found) => anyhow::Error::new(found),
        None => error,
    }
}

/// Writes `bytes` to `path` whole or not at all: into a hidden temporary file in the same folder,
/// flushed to disk, then renamed over `path`, so a command killed midway leaves no half-written
/// document where a reader (or a history row) expects a complete one.
pub fn write_whole(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    match written.and_then(|()| std::fs::rename(&tmp, path)) {
        Ok(()) => Ok(()),
        Err(error) => {
            let _ = std::fs::remove_file(&tmp);
            Err(error)
        }
    }
}

/// The clock commands go by: the system's.
pub fn clock() -> Clock {
    Clock::system()
}
