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
    /// Read a file whose column names are not ohgov's own with the provider's saved column mapping
    /// of this name (made on the import page).
    #[arg(long, value_name = "NAME")]
    pub mapping: Option<String>,
}

/// Files longer than this show a progress bar; shorter ones finish before one would be seen.
const PROGRESS_FROM_ROWS: usize = 10_000;

pub fn run(database_url: Option<String>, args: ImportArgs) -> anyhow::Result<()> {
    let ImportArgs { kind, provider, sheet, file, full_extract, yes, mapping } = args;
    let kind = ImportKind::parse(&kind).ok_or_else(|| anyhow::anyhow!("kind: use staff, cpd, supervision or kpis"))?;
    let content = std::fs::read(&file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&content));
    let mut conn = super::ready_connection(database_url)?;
    super::provider(&mut conn, provider)?;
    let read_as = import::ReadAs { sheet, ..Default::default() };
    if kind == ImportKind::Kpis {
        if mapping.is_some() {
            anyhow::bail!(
                "--mapping reads staff, CPD and supervision files; quality indicator files use ohgov's own columns"
            );
        }
        return kpis(&mut conn, provider, &file, &content, &read_as, &sha256);
    }
    let today = super::clock().today();
    let full_extract_dated =
        import::full_extract_dated(full_extract.is_some(), full_extract.as_deref().unwrap_or(""), kind, today)
            .map_err(|errors| {
                anyhow::anyhow!("--full-extract: {}", errors.0.values().cloned().collect::<Vec<_>>().join("; "))
            })?;
    let read_as = import::ReadAs { full_extract_dated, ..read_as };
    let read_as = read_with(&mut conn, provider, kind, &content, mapping.as_deref(), read_as)?;
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

/// How the file is read: as it is when its headers are ohgov's own (or when it cannot be read, for
/// the import's own refusal); with the saved mapping named by `--mapping`; otherwise refused, naming
/// the provider's saved mappings for the kind, or saying where to make one.
fn read_with(
    conn: &mut crate::db::DbConnection,
    provider: ProviderId,
    kind: ImportKind,
    content: &[u8],
    mapping: Option<&str>,
    plain: import::ReadAs,
) -> anyhow::Result<import::ReadAs> {
    use crate::workforce::{mapping as columns, mapping_store};
    if let Some(name) = mapping {
        let Some(saved) = mapping_store::by_name(conn, provider, kind, name)? else {
            anyhow::bail!("{}; nothing was imported", no_mapping(conn, provider, kind, Some(name))?);
        };
        println!("read with the saved mapping {}", saved.name);
        return Ok(import::ReadAs { mapping: Some(saved.mapping), ..plain });
    }
    match columns::headers(content, plain.sheet.as_deref()) {
        Ok(headers) if !columns::headers_are_own(kind, &headers) => {
            anyhow::bail!(
                "the file's columns are not ohgov's own ({}); {}; nothing was imported",
                headers.join(", "),
                no_mapping(conn, provider, kind, None)?
            )
        }
        _ => Ok(plain),
    }
}

/// What to do without a usable mapping: the saved ones to choose from, or where to make one.
fn no_mapping(
    conn: &mut crate::db::DbConnection,
    provider: ProviderId,
    kind: ImportKind,
    asked: Option<&str>,
) -> anyhow::Result<String> {
    let names = crate::workforce::mapping_store::names(conn, provider, kind)?;
    let files = match kind {
        ImportKind::Staff => "staff",
        ImportKind::Cpd => "CPD",
        ImportKind::Supervision => "supervision",
        ImportKind::Kpis => "quality indicator",
    };
    let start = match asked {
        Some(name) => format!("there is no saved column mapping for {files} files called {name:?}"),
        None => "read it with a saved column mapping".to_string(),
    };
    Ok(if names.is_empty() {
        format!(
            "{start}: there are none for {files} files yet; make one by importing the file once on the import \
             page (/providers/{provider}/workforce/import)"
        )
    } else {
        let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
        format!("{start}: use --mapping with one of {}", quoted.join(", "))
    })
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
