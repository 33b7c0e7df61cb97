//! `ohgov plan-pdf`: the signed audit plan as a PDF file, for the clinical governance committee.

use std::path::PathBuf;

use anyhow::Context;

use crate::clock::FinancialYear;
use crate::db::{ProviderId, StoreError};

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

/// Writes the newest signed version of the plan to `--out` and says what it wrote; a plan never
/// signed is an error in words.
pub fn run(database_url: Option<String>, args: PlanPdfArgs) -> anyhow::Result<()> {
    let mut conn = super::ready_connection(database_url)?;
    let provider = super::provider(&mut conn, args.provider)?;
    let made_at = super::clock().now().naive_utc();
    let signed = match crate::documents::plan::build(&mut conn, args.provider, args.year, None, made_at) {
        Ok(signed) => signed,
        Err(StoreError::NotFound) => {
            anyhow::bail!("plan-pdf: {} ({})", crate::documents::plan::not_signed_words(args.year), provider.name)
        }
        Err(other) => return Err(other.into()),
    };
    let made = crate::documents::make(&signed.document, signed.file_name)?;
    super::write_whole(&args.out, &made.bytes).with_context(|| format!("plan-pdf: writing {}", args.out.display()))?;
    println!(
        "Wrote {} ({} bytes, SHA-256 {}): the {} audit plan {} as signed off",
        args.out.display(),
        made.bytes.len(),
        made.sha256,
        provider.name,
        args.year
    );
    Ok(())
}
