//! `ohgov report`: the annual quality report as a PDF file. (Issue 14: written here.)

use std::path::PathBuf;

use crate::clock::FinancialYear;
use crate::db::ProviderId;

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
    let _ = (database_url, args);
    anyhow::bail!("report: not written yet")
}
