//! `ohgov coverage`: the sixteen-row table, or the API's JSON.

use super::ProviderReport;
use crate::coverage::store;

pub fn run(database_url: Option<String>, args: ProviderReport) -> anyhow::Result<()> {
    let mut conn = super::ready_connection(database_url)?;
    let summary = super::provider(&mut conn, args.provider)?;
    let rows = store::coverage(&mut conn, args.provider, super::clock().today())?;
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
