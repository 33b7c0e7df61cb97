//! `ohgov plan-pdf`: the signed audit plan as a PDF file. (Issue 14: written here.)

use std::path::PathBuf;

use crate::clock::FinancialYear;
use crate::db::ProviderId;

#[derive(clap::Args)]
pub struct PlanPdfArgs {
    #[arg(long)]
    pub provider: ProviderId,
    /// The plan's financial year, `2026-27`.
    #[arg(long)]
    pub year: FinancialYear,
    /// Where to write the PDF.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(database_url: Option<String>, args: PlanPdfArgs) -> anyhow::Result<()> {
    let _ = (database_url, args);
    anyhow::bail!("plan-pdf: not written yet")
}
