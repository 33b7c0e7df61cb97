//! `ohgov readiness`: the dashboard's figures, or the API's JSON.

use super::ProviderReport;

pub fn run(database_url: Option<String>, args: ProviderReport) -> anyhow::Result<()> {
    let mut conn = super::ready_connection(database_url)?;
    let summary = super::provider(&mut conn, args.provider)?;
    let today = super::clock().today();
    let live = crate::live::store::verdicts::by_standard;
    let report = crate::assessment::store::readiness(&mut conn, args.provider, today, live)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.to_json(args.provider, today))?);
        return Ok(());
    }
    let r = &report.readiness;
    println!("{}: {}", summary.name, report.accreditation.status_label);
    for domain in &r.domains {
        let met = domain.standards.iter().filter(|s| s.result.as_str() == "met").count();
        println!("  {:<4} {:<48} {met:>2} of {:>2} met", domain.reference, domain.title, domain.standards.len());
    }
    println!("  \"must\" standards not met:           {}", r.must_not_met);
    println!("  standards with no evidence:          {}", r.without_evidence);
    println!("  met with no evidence in date:        {}", r.met_without_current_evidence);
    println!("  met, contradicted by the records:    {}", r.contradicted);
    println!("  documents past review / due soon:    {} / {}", r.evidence_overdue, r.evidence_due_soon);
    println!("  open findings / assessor requests:   {} / {}", r.open_findings, r.open_requests);
    Ok(())
}
