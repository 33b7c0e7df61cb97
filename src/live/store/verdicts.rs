//! The verdicts of the live checks, judged from the records and kept with the day each changed.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::QueryResult;

use super::records;
use crate::assessment::rules::LiveVerdict;
use crate::catalogue::model::LiveCheck;
use crate::db::{DbConnection, ProviderId};
use crate::live::rules;

/// The verdicts on each of the provider's standards that name live checks, by standard (node id),
/// as of `today`: the judge `assessment::store::readiness` is handed.
pub fn by_standard(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    today: NaiveDate,
) -> QueryResult<HashMap<i32, Vec<LiveVerdict>>> {
    let Some(framework) = crate::assessment::store::framework_id(conn, provider_id)? else {
        return Ok(HashMap::new());
    };
    let standards = crate::catalogue::store::live_checks(conn, framework)?;
    if standards.is_empty() {
        return Ok(HashMap::new());
    }
    let records = records::gather(conn, provider_id, today, crate::config::configured_supervision_days())?;
    let mut outcomes = HashMap::new();
    for check in standards.iter().flat_map(|(_, _, checks)| checks.iter().copied()) {
        outcomes.entry(check).or_insert_with(|| rules::judge(check, &records, today));
    }
    Ok(standards
        .into_iter()
        .map(|(node_id, _, checks)| {
            let verdicts = checks
                .iter()
                .filter_map(|check: &LiveCheck| outcomes.get(check))
                .map(|outcome| LiveVerdict {
                    check: outcome.check,
                    question: outcome.check.label(),
                    verdict: outcome.verdict,
                    summary: outcome.summary.clone(),
                    facts: outcome.facts.clone(),
                    since: today,
                    exceptions: Vec::new(),
                })
                .collect();
            (node_id, verdicts)
        })
        .collect())
}
