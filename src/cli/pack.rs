//! `ohgov pack`: the SEQOHS evidence pack as a PDF file, made as the web page makes it (fresh
//! snapshots of the records first) and recorded in the history the same way.

use std::path::PathBuf;

use anyhow::Context;

use crate::db::{ProviderId, StoreError};
use crate::documents::pack;

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
    let mut conn = super::ready_connection(database_url)?;
    super::provider(&mut conn, args.provider)?;
    let clock = super::clock();
    let now = chrono::Utc::now().naive_utc();
    pack::take_snapshots(&mut conn, args.provider, None, clock.today())?;
    let pack = match pack::build(&mut conn, args.provider, args.framework.as_deref(), clock.today(), now) {
        Ok(pack) => pack,
        Err(StoreError::Invalid(problems)) => {
            let words: Vec<&str> = problems.0.values().map(String::as_str).collect();
            anyhow::bail!("pack: {}", words.join("; "))
        }
        Err(StoreError::NotFound) => anyhow::bail!("pack: there is no provider {}", args.provider),
        Err(other) => return Err(other.into()),
    };
    let (framework, counts) = (pack.framework.code.clone(), pack.counts);
    let made = crate::documents::make(&pack.document, pack.file_name)?;
    super::write_whole(&args.out, &made.bytes).with_context(|| format!("pack: cannot write {}", args.out.display()))?;
    pack::record_made(&mut conn, args.provider, None, &made, &framework)?;
    let pages = lopdf::Document::load_mem(&made.bytes).map(|d| d.get_pages().len()).unwrap_or_default();
    println!("{}", args.out.display());
    println!("pages: {pages}");
    println!("sha256: {}", made.sha256);
    println!(
        "contents: {} standards, {} evidence items, {} documents merged, {} unreadable, {} not PDFs",
        counts.standards, counts.items, counts.merged, counts.unreadable, counts.not_pdf
    );
    println!("snapshots of the records: {}", counts.snapshots);
    println!("contradicted by records: {}", counts.contradicted);
    println!("withheld: {} (patient-identifiable data)", counts.withheld);
    Ok(())
}
