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
    /// The sheet of an Excel (.xlsx) workbook to read, by name; the first sheet when left out.
    #[arg(long)]
    pub sheet: Option<String>,
    /// A CSV file (UTF-8 or Windows-1252) or an Excel (.xlsx) workbook.
    pub file: PathBuf,
    /// A staff file listing everyone employed on DATE (23/11/2026 or 2026-11-23), such as a monthly
    /// ESR report: people it leaves out are listed, and marked as having left on DATE with `--yes`.
    #[arg(long, value_name = "DATE")]
    pub full_extract: Option<String>,
    /// Confirms marking a full extract's leavers as having left, after a run without it listed them.
    #[arg(long)]
    pub yes: bool,
}

/// Files longer than this show a progress bar; shorter ones finish before one would be seen.
const PROGRESS_FROM_ROWS: usize = 10_000;

pub fn run(database_url: Option<String>, args: ImportArgs) -> anyhow::Result<()> {
    let ImportArgs { kind, provider, sheet, file, full_extract, yes } = args;
    let kind = ImportKind::parse(&kind).ok_or_else(|| anyhow::anyhow!("kind: use staff, cpd, supervision or kpis"))?;
    let content = std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&content));
    let mut conn = super::ready_connection(database_url)?;
    super::provider(&mut conn, provider)?;
    let read_as = import::ReadAs { sheet, ..Default::default() };
    if kind == ImportKind::Kpis {
        return kpis(&mut conn, provider, &file, &content, &read_as, &sha256);
    }
    let today = super::clock().today();
    let full_extract_dated =
        import::full_extract_dated(full_extract.is_some(), full_extract.as_deref().unwrap_or(""), kind, today)
            .map_err(|errors| {
                anyhow::anyhow!("--full-extract: {}", errors.0.values().cloned().collect::<Vec<_>>().join("; "))
            })?;
    let read_as = import::ReadAs { full_extract_dated, ..read_as };
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
    if let (import::Prepared::Staff { leavers, .. }, Some(day)) = (&prepared, full_extract_dated) {
        if !leavers.is_empty() {
            println!(
                "{} in post on {} {} not in the extract:",
                crate::words::counted(leavers.len(), "person", "people"),
                crate::words::long_date(day),
                if leavers.len() == 1 { "is" } else { "are" }
            );
            for leaver in leavers {
                println!("  {} ({})", leaver.full_name, leaver.staff_number);
            }
            if !yes {
                anyhow::bail!(
                    "nothing was imported: run again with --yes to import the file and mark them as having left on {}",
                    crate::words::long_date(day)
                );
            }
        }
    }
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
        "imported {} of {}: {} created, {} updated, {} unchanged{}",
        crate::words::counted(report.rows, "row", "rows"),
        kind.label().to_lowercase(),
        report.created,
        report.updated,
        report.unchanged,
        if report.left > 0 { format!(", {} marked as having left", report.left) } else { String::new() }
    );
    Ok(())
}

/// `ohgov import kpis`: the same checks and the same all-or-nothing write as the web page's.
fn kpis(
    conn: &mut crate::db::DbConnection,
    provider: ProviderId,
    file: &std::path::Path,
    content: &[u8],
    read_as: &import::ReadAs,
    sha256: &str,
) -> anyhow::Result<()> {
    use crate::quality::import as kpi_import;
    let rows = match kpi_import::prepare_read(conn, provider, content, read_as)? {
        Ok((rows, read)) => {
            println!("read as {}", read.read_as);
            rows
        }
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
