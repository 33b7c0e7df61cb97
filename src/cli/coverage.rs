//! `ohgov coverage`: the sixteen-row table, the API's JSON, or (`--out`) the table as a CSV or an
//! Excel workbook, as the page downloads it.

use super::CoverageArgs;
use crate::coverage::store;
use crate::web::download::{to_csv, to_xlsx};

pub fn run(database_url: Option<String>, args: CoverageArgs) -> anyhow::Result<()> {
    let (args, out) = (args.report, args.out);
    // Refused before the database is opened: a file name that says neither CSV nor Excel.
    let wants_xlsx = match &out {
        Some(path) => Some(file_kind(path)?),
        None => None,
    };
    let mut conn = super::ready_connection(database_url)?;
    let summary = super::provider(&mut conn, args.provider)?;
    let rows = store::coverage(&mut conn, args.provider, super::clock().today())?;
    if let (Some(path), Some(xlsx)) = (out, wants_xlsx) {
        let sheet = crate::coverage::routes::coverage_sheet(&rows.iter().collect::<Vec<_>>());
        let bytes = if xlsx { to_xlsx(&sheet)? } else { to_csv(&sheet)? };
        super::write_whole(&path, &bytes)
            .map_err(|e| anyhow::anyhow!("out: could not write {}: {e}", path.display()))?;
        println!("{}: service coverage, {} rows, written to {}", summary.name, sheet.rows.len(), path.display());
        return Ok(());
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&crate::coverage::api::to_json(args.provider, &rows))?);
        return Ok(());
    }
    println!("{}: service coverage", summary.name);
    for row in &rows {
        let partner = row.partner_name.as_deref().unwrap_or("");
        let ends = row.ends_on.map(|d| format!("ends {}", d.format("%-d %b %Y"))).unwrap_or_default();
        println!("  {:<9} {:<48} {:<32} {partner} {ends}", row.reference, row.title, row.state.label());
    }
    let totals = store::totals(&rows);
    println!("  partly delivered (neither covered nor a gap): {}", totals.partial);
    println!("  not covered today (gaps and expired arrangements): {}", totals.not_covered);
    Ok(())
}

/// Whether `--out` names a workbook (true) or a CSV (false), by the end of its name; anything else
/// is refused in words.
fn file_kind(path: &std::path::Path) -> anyhow::Result<bool> {
    match path.extension().map(|e| e.to_string_lossy().to_lowercase()).as_deref() {
        Some("xlsx") => Ok(true),
        Some("csv") => Ok(false),
        _ => Err(anyhow::anyhow!("out: the file's name must end .csv or .xlsx, for example coverage.xlsx")),
    }
}
