//! `ohgov report`: the annual quality report as a PDF file: the newest approved version exactly as
//! approved when there is one, otherwise the draft as it is now. It says which it wrote.

use std::path::PathBuf;

use anyhow::Context;

use crate::clock::FinancialYear;
use crate::db::ProviderId;
use crate::documents::report::{self, SignOff};
use crate::documents::store::reports;

#[derive(clap::Args)]
pub struct ReportArgs {
    #[arg(long)]
    pub provider: ProviderId,
    /// The financial year, `2025-26`.
    #[arg(long)]
    pub year: FinancialYear,
    /// Where to write the PDF.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(database_url: Option<String>, args: ReportArgs) -> anyhow::Result<()> {
    let supervision_days =
        crate::config::Settings::for_database(super::database_url(database_url.clone())).supervision_days;
    let mut conn = super::ready_connection(database_url)?;
    let provider = super::provider(&mut conn, args.provider)?;
    let year = args.year;
    let newest = reports::versions(&mut conn, args.provider, year)?.into_iter().next();
    let (bytes, sha256, said) = match newest {
        Some(version) => {
            let (version, bytes) =
                reports::version_file(&mut conn, args.provider, year, version.version)?.ok_or_else(|| {
                    anyhow::anyhow!(
                        "report: version {} of the quality report {year} has no stored file",
                        version.version
                    )
                })?;
            let said = format!(
                "Wrote version {} of {}'s quality report {year}, as approved by {} on {}",
                version.version,
                provider.name,
                version.approved_by_name,
                version.approved_at.format("%-d %B %Y")
            );
            (bytes, version.sha256, said)
        }
        None => {
            let clock = super::clock();
            let drawn = report::build_signed(
                &mut conn,
                args.provider,
                year,
                clock.today(),
                clock.now().naive_utc(),
                supervision_days,
                SignOff::Draft,
            )?;
            let made = crate::documents::make(&drawn.document, drawn.file_name)?;
            let said = format!(
                "No version of {}'s quality report {year} is approved: wrote the draft as it is now",
                provider.name
            );
            (made.bytes, made.sha256, said)
        }
    };
    super::write_whole(&args.out, &bytes).with_context(|| format!("report: could not write {}", args.out.display()))?;
    println!("{said} to {} ({} bytes, SHA-256 {sha256}).", args.out.display(), bytes.len());
    Ok(())
}
