//! `ohgov live`: the live checks' verdicts on a provider's own records (`check`), and snapshots of
//! what they saw, kept as dated evidence (`snapshot`).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::assessment::rules::LiveVerdict;
use crate::catalogue::model::LiveCheck;
use crate::db::{DbConnection, ProviderId};

#[derive(clap::Subcommand)]
pub enum LiveCommand {
    /// Print each live check the provider's standards name: its verdict, its summary and the
    /// standards it bears on; with --json, each verdict whole (its facts, since when, and the
    /// exceptions recorded against it), with its standards.
    Check {
        #[arg(long)]
        provider: ProviderId,
        #[arg(long)]
        json: bool,
    },
    /// Take a snapshot of what each live check reads (or only the one named), kept in the
    /// provider's evidence library as a dated CSV file linked to the standards naming it.
    Snapshot {
        #[arg(long)]
        provider: ProviderId,
        /// A check's code, `workforce.registrations_current`; by default every check the provider's
        /// standards name.
        #[arg(long, value_name = "CODE")]
        check: Option<String>,
    },
}

/// One check's verdict, whole, with the standards naming it.
#[derive(Debug, Serialize)]
pub struct CheckLine {
    #[serde(flatten)]
    pub verdict: LiveVerdict,
    pub standards: Vec<String>,
}

/// Each check the provider's standards name, judged once, in the checks' order.
fn checks(conn: &mut DbConnection, provider: ProviderId, today: chrono::NaiveDate) -> anyhow::Result<Vec<CheckLine>> {
    let Some(framework) = crate::assessment::store::framework_id(conn, provider)? else { return Ok(Vec::new()) };
    let references: BTreeMap<i32, String> =
        crate::catalogue::store::live_checks(conn, framework)?.into_iter().map(|(id, r, _)| (id, r)).collect();
    let mut lines: Vec<CheckLine> = Vec::new();
    for (node, verdicts) in crate::live::store::verdicts::by_standard(conn, provider, today)? {
        let reference = references.get(&node).cloned().unwrap_or_default();
        for verdict in verdicts {
            match lines.iter_mut().find(|l| l.verdict.check == verdict.check) {
                Some(line) => line.standards.push(reference.clone()),
                None => lines.push(CheckLine { verdict, standards: vec![reference.clone()] }),
            }
        }
    }
    for line in &mut lines {
        line.standards.sort();
    }
    lines.sort_by_key(|l| LiveCheck::ALL.iter().position(|c| *c == l.verdict.check));
    Ok(lines)
}

pub fn run(database_url: Option<String>, command: LiveCommand) -> anyhow::Result<()> {
    let mut conn = super::ready_connection(database_url)?;
    let today = super::clock().today();
    match command {
        LiveCommand::Check { provider, json } => {
            let summary = super::provider(&mut conn, provider)?;
            let lines = checks(&mut conn, provider, today)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&lines)?);
                return Ok(());
            }
            let failing = lines.iter().filter(|l| l.verdict.verdict == crate::live::model::Verdict::Fails).count();
            println!(
                "{}: {} as of {}, {} failing",
                summary.name,
                crate::words::counted(lines.len(), "live check", "live checks"),
                crate::live::store::snapshots::day_words(today),
                failing
            );
            for line in &lines {
                println!(
                    "  {:<16} {:<38} {}",
                    line.verdict.verdict.label(),
                    line.verdict.check.as_str(),
                    line.standards.join(", ")
                );
                println!("  {:<16} {}", "", line.verdict.question);
                if !line.verdict.summary.is_empty() {
                    println!("  {:<16} {}", "", line.verdict.summary);
                }
            }
        }
        LiveCommand::Snapshot { provider, check } => {
            super::provider(&mut conn, provider)?;
            let only = match check.as_deref() {
                Some(code) => Some(vec![LiveCheck::parse(code).ok_or_else(|| {
                    anyhow::anyhow!(
                        "live snapshot: there is no check {code:?}; the checks are {}",
                        LiveCheck::CODES.join(", ")
                    )
                })?]),
                None => None,
            };
            let taken = crate::live::store::snapshots::take(&mut conn, None, provider, only.as_deref(), today)?;
            if taken.is_empty() {
                println!("no live checks: the provider's standards name none");
            }
            for t in &taken {
                let how = if t.new_version { "taken" } else { "unchanged since today's, kept" };
                let standards = if t.standards.is_empty() { "no standard".to_string() } else { t.standards.join(", ") };
                println!("{how}: {} (evidence item {}; {}; {})", t.title, t.item_id, t.verdict.label(), standards);
            }
        }
    }
    Ok(())
}
