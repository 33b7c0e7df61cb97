//! `ohgov pack`: the SEQOHS evidence pack as a PDF file. (Issue 14: written here.)

use std::path::PathBuf;

use crate::db::ProviderId;

#[derive(clap::Args)]
pub struct PackArgs {
    #[arg(long)]
    pub provider: ProviderId,
    /// The framework's code, `seqohs-2023`; by default the one the provider assesses against.
    #[arg(long)]
    pub framework: Option<String>,
    /// Where to write the PDF.
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(database_url: Option<String>, args: PackArgs) -> anyhow::Result<()> {
    let _ = (database_url, args);
    anyhow::bail!("pack: not written yet")
}
