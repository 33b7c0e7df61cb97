//! `ohgov import staff|cpd|supervision|kpis`: the whole file checked first, then written in one go.

use std::path::PathBuf;

use crate::db::ProviderId;
use crate::workforce::import::{self, ImportKind};

#[derive(clap::Args)]
pub struct ImportArgs {
    /// What the file holds: staff, cpd, supervision or kpis (quality indicator values).
    #[arg(value_parser = ["staff", "cpd", "supervision", "kpis"])]
    pub kind: String,
    #[arg(long)]
    pub provider: ProviderId,
    pub file: PathBuf,
}

/// Files longer than this show a progress bar; shorter ones finish before one would be seen.
const PROGRESS_FROM_ROWS: usize = 10_000;

pub fn run(database_url: Option<String>, args: ImportArgs) -> anyhow::Result<()> {
    let ImportArgs { kind, provider, file } = args;
    let kind = ImportKind::parse(&kind).ok_or_else(|| anyhow::anyhow!("kind: use staff, cpd, supervision or kpis"))?;
    let content = std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&content));
    let mut conn = super::ready_connection(database_url)?;
    super::provider(&mut conn, provider)?;
    if kind == ImportKind::Kpis {
        return kpis(&mut conn, provider, &file, &content, &sha256);
    }
    let today = super::clock().today();
    let read_as = import::ReadAs::default();
    let prepared = match import::prepare_read(&mut conn, provider, kind, &content, &read_as, today)? {
        Ok((prepared, read)) => {
            println!("read as {}", read.read_as);
            prepared
        }
        Err(rows) => {
            for row in &rows {
                eprintln!("{}: {row}", file.display());
            }
            anyhow::bail!("{}; nothing was imported", import::bad_rows_in_words(&rows));
        }
    };
    // A checked CPD file keeps its own copy for the write: this one is done with.
    drop(content);
    let bar = (prepared.len() > PROGRESS_FROM_ROWS).then(|| {
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
        "imported {} of {}: {} created, {} updated, {} unchanged",
        crate::words::counted(report.rows, "row", "rows"),
        kind.label().to_lowercase(),
        report.created,
        report.updated,
        report.unchanged
    );
    Ok(())
}

/// `ohgov import kpis`: the same checks and the same all-or-nothing write as the web page's.
fn kpis(
    conn: &mut crate::db::DbConnection,
    provider: ProviderId,
    file: &std::path::Path,
    content: &[u8],
    sha256: &str,
) -> anyhow::Result<()> {
    use crate::quality::import as kpi_import;
    let rows = match kpi_import::prepare(conn, provider, content)? {
        Ok(rows) => rows,
        Err(bad) => {
            for row in &bad {
                eprintln!("{}: {row}", file.display());
            }
            anyhow::bail!("{}; nothing was imported", crate::words::counted(bad.len(), "bad row", "bad rows"));
        }
    };
    let report = kpi_import::commit(conn, None, provider, &rows, sha256)?;
    println!(
        "imported {} of quality indicator values: {} created, {} updated, {} unchanged",
        crate::words::counted(report.rows, "row", "rows"),
        report.created,
        report.updated,
        report.unchanged
    );
    Ok(())
}
