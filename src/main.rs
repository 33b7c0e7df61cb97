//! The `ohgov` binary: parses the command line and hands each command to `ohgov::cli`.

use std::process::ExitCode;

use clap::Parser;
use ohgov::cli::{self, Cli, Command};

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
    let database_url = cli.database_url.clone();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            let error = cli::traced(database_url, error);
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

fn run(cli: Cli) -> anyhow::Result<()> {
    let url = cli.database_url;
    match cli.command {
        Command::Serve(args) => cli::serve::run(url, args),
        Command::Migrate => cli::serve::migrate(url),
        Command::Demo(args) => cli::demo::run(url, args),
        Command::Org { command } => cli::org::run(url, command),
        Command::Contract { command } => cli::contract::run(url, command),
        Command::User { command } => cli::user::run(url, command),
        Command::Token { command } => cli::token::run(url, command),
        Command::VerifyLog { expect_head } => cli::verify_log::run(url, expect_head),
        Command::Catalogue { command } => cli::catalogue::run(url, command),
        Command::Import(args) => cli::import::run(url, args),
        Command::Evidence { command } => cli::evidence::run(url, command),
        Command::Coverage(args) => cli::coverage::run(url, args),
        Command::Readiness(args) => cli::readiness::run(url, args),
        Command::Live { command } => cli::live::run(url, command),
        Command::Mail { command } => cli::mail::run(url, command),
        Command::Pack(args) => cli::pack::run(url, args),
        Command::Report(args) => cli::report::run(url, args),
        Command::PlanPdf(args) => cli::plan_pdf::run(url, args),
        Command::Remind(args) => cli::remind::run(url, args),
        Command::Backup(args) => cli::backup::run(url, args),
        Command::Restore(args) => cli::restore::run(url, args),
    }
}
