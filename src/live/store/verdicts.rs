//! The verdicts of the live checks, judged from the records and kept with the day each changed
//! (`live_verdicts`): a verdict that changes writes its history row, so the provider's history says
//! when a check began to fail and when it held again.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::prelude::*;

use super::{exceptions, records};
use crate::assessment::rules::{LiveFact, LiveVerdict};
use crate::catalogue::model::LiveCheck;
use crate::db::schema::live_verdicts;
use crate::db::{DbConnection, ProviderId};
use crate::history::store::{json, record};
use crate::history::{Change, Entry};
use crate::live::model::{Outcome, Verdict};
use crate::live::rules;

/// The history's name for a live check's verdict; its id is the check's code.
pub const HISTORY_ENTITY: &str = "live_check";

/// How many providers one query asks about at once (the parameters' limit).
const PROVIDERS_PER_READ: usize = 5_000;

/// A kept verdict as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
struct Kept {
    check: LiveCheck,
    verdict: Verdict,
    since: NaiveDate,
    summary: String,
    facts: String,
    judged_on: NaiveDate,
    judged_after: i32,
}

#[derive(Insertable)]
#[diesel(table_name = live_verdicts)]
struct NewRow<'a> {
    provider_id: ProviderId,
    check_code: LiveCheck,
    verdict: Verdict,
    since: NaiveDate,
    summary: &'a str,
    facts: &'a str,
    judged_on: NaiveDate,
    judged_after: i32,
}

/// What keeping one check's new outcome asks of the store.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Keep {
    /// First judged: a new row and its history row.
    First,
    /// The verdict changed: the row from today, and its history row with the verdict before.
    Changed { before: Verdict, summary_before: String },
    /// The same verdict, said differently or judged on another day, or the row is stale: the row's
    /// words and judging day, no history row.
    Refresh,
}

/// The facts as kept: what they say and link to (who may follow a link is decided when shown).
fn facts_json(facts: &[LiveFact]) -> String {
    // A list of plain strings always serialises.
    serde_json::to_string(facts).unwrap_or_else(|_| "[]".into())
}

/// What keeping `outcome` asks, given the kept row; None: nothing to write (the steady state).
fn plan(kept: Option<&Kept>, outcome: &Outcome, facts: &str, today: NaiveDate, stale: bool) -> Option<Keep> {
    let Some(kept) = kept else { return Some(Keep::First) };
    if kept.verdict != outcome.verdict {
        return Some(Keep::Changed { before: kept.verdict, summary_before: kept.summary.clone() });
    }
    let differs = kept.summary != outcome.summary || kept.facts != facts || kept.judged_on != today;
    (differs || stale).then_some(Keep::Refresh)
}

/// The kept verdicts of one provider's `checks`.
fn kept_of(conn: &mut DbConnection, provider_id: ProviderId, checks: &[LiveCheck]) -> QueryResult<Vec<Kept>> {
    live_verdicts::table
        .filter(live_verdicts::provider_id.eq(provider_id))
        .filter(live_verdicts::check_code.eq_any(checks))
        .select((
            live_verdicts::check_code,
            live_verdicts::verdict,
            live_verdicts::since,
            live_verdicts::summary,
            live_verdicts::facts,
            live_verdicts::judged_on,
            live_verdicts::judged_after,
        ))
        .load(conn)
}

/// Whether a history row after `judged_after` names the provider or no organisation (the
/// catalogue): the records may have changed since the verdict was kept.
fn changed_since(newest: &HashMap<Option<i32>, i32>, provider_id: ProviderId, judged_after: i32) -> bool {
    newest.get(&None).is_some_and(|id| *id > judged_after)
        || newest.get(&Some(provider_id.0)).is_some_and(|id| *id > judged_after)
}

/// What to write for each outcome, against the kept rows.
fn plans(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    outcomes: &[Outcome],
    today: NaiveDate,
) -> QueryResult<Vec<(usize, Keep, Option<NaiveDate>)>> {
    let checks: Vec<LiveCheck> = outcomes.iter().map(|o| o.check).collect();
    let kept: HashMap<LiveCheck, Kept> =
        kept_of(conn, provider_id, &checks)?.into_iter().map(|k| (k.check, k)).collect();
    let newest = match kept.values().map(|k| k.judged_after).min() {
        Some(oldest) => crate::history::store::newest_by_organisation_after(conn, oldest)?,
        None => HashMap::new(),
    };
    Ok(outcomes
        .iter()
        .enumerate()
        .map(|(at, outcome)| {
            let row = kept.get(&outcome.check);
            let stale = row.is_some_and(|k| changed_since(&newest, provider_id, k.judged_after));
            let kept_since = row.filter(|k| k.verdict == outcome.verdict).map(|k| k.since);
            (at, plan(row, outcome, &facts_json(&outcome.facts), today, stale), kept_since)
        })
        .filter_map(|(at, keep, since)| keep.map(|keep| (at, keep, since)))
        .collect())
}

/// Keeps the provider's `outcomes` as of `today`: a new or changed verdict from today with its
/// history row, an unchanged one keeping its day; nothing written when nothing differs. Returns
/// each check's day since which it has had its verdict. `head` is the history's head read before
/// the records were, so a change made meanwhile makes the kept row stale.
fn keep(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    outcomes: &[Outcome],
    today: NaiveDate,
    head: i32,
) -> QueryResult<HashMap<LiveCheck, NaiveDate>> {
    let checks: Vec<LiveCheck> = outcomes.iter().map(|o| o.check).collect();
    // Read without the write lock: on a quiet day a page view writes nothing.
    if plans(conn, provider_id, outcomes, today)?.is_empty() {
        return Ok(kept_of(conn, provider_id, &checks)?.into_iter().map(|k| (k.check, k.since)).collect());
    }
    let written = crate::db::write_transaction(conn, |conn| {
        // Planned again under the lock: another view may have kept the same verdicts meanwhile.
        let planned = plans(conn, provider_id, outcomes, today)?;
        let mut since: HashMap<LiveCheck, NaiveDate> = HashMap::new();
        let facts: Vec<String> = outcomes.iter().map(|o| facts_json(&o.facts)).collect();
        let mut first = Vec::new();
        // The history rows written here: (first, last).
        let mut written: Option<(i32, i32)> = None;
        let mut note = |id: i32| written = Some(written.map_or((id, id), |(first, _)| (first, id)));
        for (at, keep, kept_since) in planned {
            let (outcome, facts) = (&outcomes[at], facts[at].as_str());
            let code = outcome.check.as_str();
            match keep {
                Keep::First => {
                    first.push(NewRow {
                        provider_id,
                        check_code: outcome.check,
                        verdict: outcome.verdict,
                        since: today,
                        summary: &outcome.summary,
                        facts,
                        judged_on: today,
                        judged_after: head,
                    });
                    note(verdict_history(conn, provider_id, code, "judge", None, outcome, None)?);
                }
                Keep::Changed { before, summary_before } => {
                    diesel::update(live_verdicts::table.find((provider_id, outcome.check)))
                        .set((
                            live_verdicts::verdict.eq(outcome.verdict),
                            live_verdicts::since.eq(today),
                            live_verdicts::summary.eq(&outcome.summary),
                            live_verdicts::facts.eq(facts),
                            live_verdicts::judged_on.eq(today),
                            live_verdicts::judged_after.eq(head),
                        ))
                        .execute(conn)?;
                    note(verdict_history(
                        conn,
                        provider_id,
                        code,
                        "change",
                        Some(before),
                        outcome,
                        Some(&summary_before),
                    )?);
                }
                Keep::Refresh => {
                    diesel::update(live_verdicts::table.find((provider_id, outcome.check)))
                        .set((
                            live_verdicts::summary.eq(&outcome.summary),
                            live_verdicts::facts.eq(facts),
                            live_verdicts::judged_on.eq(today),
                            live_verdicts::judged_after.eq(head),
                        ))
                        .execute(conn)?;
                }
            }
            since.insert(outcome.check, kept_since.unwrap_or(today));
        }
        crate::db::insert_batch(conn, live_verdicts::table, &first)?;
        if let Some((first_id, last_id)) = written {
            // Every check was judged from records read after `head`. The chain is locked from the
            // first row written here, so when that row came straight after `head` nothing else
            // changed meanwhile, and this judging's own rows need not make the verdicts stale.
            let after = if first_id == head + 1 { last_id } else { head };
            diesel::update(
                live_verdicts::table
                    .filter(live_verdicts::provider_id.eq(provider_id))
                    .filter(live_verdicts::check_code.eq_any(&checks)),
            )
            .set(live_verdicts::judged_after.eq(after))
            .execute(conn)?;
        }
        Ok(since)
    });
    let mut since = match written {
        Ok(since) => since,
        // Another view kept the first verdicts at the same moment: its rows are as good.
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => {
            HashMap::new()
        }
        Err(error) => return Err(error),
    };
    for kept in kept_of(conn, provider_id, &checks)? {
        since.entry(kept.check).or_insert(kept.since);
    }
    Ok(since)
}

/// The history row of a verdict first judged or changed: the verdict and its summary, before and
/// after, said by no one (the records said it).
fn verdict_history(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    code: &str,
    action: &str,
    before: Option<Verdict>,
    outcome: &Outcome,
    summary_before: Option<&str>,
) -> QueryResult<i32> {
    let changes = vec![
        Change {
            field: "verdict".into(),
            before: json(before.map(Verdict::as_str)),
            after: json(outcome.verdict.as_str()),
        },
        Change { field: "summary".into(), before: json(summary_before), after: json(&outcome.summary) },
    ];
    record(
        conn,
        &Entry {
            user_id: None,
            organisation_id: Some(provider_id.0),
            entity: HISTORY_ENTITY.into(),
            entity_id: code.into(),
            action: action.into(),
            changes,
        },
    )
}

/// The verdicts on each of the provider's standards that name live checks, by standard (node id),
/// as of `today`: the judge `assessment::store::readiness` is handed. Gathers the records, judges
/// each check the framework names once, keeps the verdicts (a change is recorded with its day),
/// and gives each standard its checks with the exceptions recorded there, newest first.
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
    // The head first: a change that commits while the records are read is after it, so seen next
    // time.
    let head = crate::history::store::head(conn)?.map_or(0, |(id, _)| id);
    let records = records::gather(conn, provider_id, today, crate::config::configured_supervision_days())?;
    let mut seen = HashSet::new();
    let outcomes: Vec<Outcome> = standards
        .iter()
        .flat_map(|(_, _, checks)| checks.iter().copied())
        .filter(|check| seen.insert(*check))
        .map(|check| rules::judge(check, &records, today))
        .collect();
    let since = keep(conn, provider_id, &outcomes, today, head)?;
    let mut exceptions = exceptions::for_provider(conn, provider_id)?;
    let outcomes: HashMap<LiveCheck, &Outcome> = outcomes.iter().map(|o| (o.check, o)).collect();
    Ok(standards
        .into_iter()
        .map(|(node_id, _, checks)| {
            let verdicts = checks
                .iter()
                .filter_map(|check| outcomes.get(check))
                .map(|outcome| LiveVerdict {
                    check: outcome.check,
                    question: outcome.check.label(),
                    verdict: outcome.verdict,
                    summary: outcome.summary.clone(),
                    facts: outcome.facts.clone(),
                    since: since.get(&outcome.check).copied().unwrap_or(today),
                    exceptions: exceptions.remove(&(node_id, outcome.check)).unwrap_or_default(),
                })
                .collect();
            (node_id, verdicts)
        })
        .collect())
}

/// The standards each of many providers has marked met that the records contradict (a kept
/// failing check with no exception in force on that standard), by provider, as references in
/// catalogue order; a provider with none has no entry. Reads the kept verdicts for all at once and
/// re-judges ([`by_standard`]) only the providers whose kept verdicts are stale: none kept, judged
/// on another day, or a history row after the one they were judged after names the provider or no
/// organisation. The commissioner's view is handed it (`commissioning::routes::Contradictions`).
pub fn contradicted_for_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
    today: NaiveDate,
) -> QueryResult<HashMap<ProviderId, Vec<String>>> {
    for provider in stale(conn, providers, today)? {
        by_standard(conn, provider, today)?;
    }
    let mut failing: HashMap<ProviderId, HashSet<LiveCheck>> = HashMap::new();
    for slice in providers.chunks(PROVIDERS_PER_READ) {
        for (provider, check) in live_verdicts::table
            .filter(live_verdicts::provider_id.eq_any(slice))
            .filter(live_verdicts::verdict.eq(Verdict::Fails))
            .select((live_verdicts::provider_id, live_verdicts::check_code))
            .load::<(ProviderId, LiveCheck)>(conn)?
        {
            failing.entry(provider).or_default().insert(check);
        }
    }
    let suspects: Vec<ProviderId> = providers.iter().copied().filter(|p| failing.contains_key(p)).collect();
    if suspects.is_empty() {
        return Ok(HashMap::new());
    }
    let met = crate::assessment::store::met_standards_for_providers(conn, &suspects)?;
    let excused = exceptions::in_force_for_providers(conn, &suspects, today)?;
    let mut checks_by_framework: HashMap<i32, HashMap<i32, Vec<LiveCheck>>> = HashMap::new();
    let mut contradicted = HashMap::new();
    for provider in suspects {
        let Some((framework, standards)) = met.get(&provider) else { continue };
        if !checks_by_framework.contains_key(framework) {
            let named = crate::catalogue::store::live_checks(conn, *framework)?
                .into_iter()
                .map(|(node, _, checks)| (node, checks))
                .collect();
            checks_by_framework.insert(*framework, named);
        }
        let named = &checks_by_framework[framework];
        let fails = &failing[&provider];
        let references: Vec<String> = standards
            .iter()
            .filter(|(node, _)| {
                named.get(node).is_some_and(|checks| {
                    checks.iter().any(|c| fails.contains(c) && !excused.contains(&(provider, *node, *c)))
                })
            })
            .map(|(_, reference)| reference.clone())
            .collect();
        if !references.is_empty() {
            contradicted.insert(provider, references);
        }
    }
    Ok(contradicted)
}

/// Which of `providers` have kept verdicts unfit for `today`: none kept, one judged on another
/// day, or a history row after the one it was judged after names the provider or no organisation.
/// Two queries whatever the number of providers.
pub fn stale(conn: &mut DbConnection, providers: &[ProviderId], today: NaiveDate) -> QueryResult<Vec<ProviderId>> {
    // For each provider, whether any row was judged on another day, and the oldest head judged after.
    let mut kept: HashMap<ProviderId, (bool, i32)> = HashMap::new();
    for slice in providers.chunks(PROVIDERS_PER_READ) {
        for (provider, judged_on, judged_after) in live_verdicts::table
            .filter(live_verdicts::provider_id.eq_any(slice))
            .select((live_verdicts::provider_id, live_verdicts::judged_on, live_verdicts::judged_after))
            .load::<(ProviderId, NaiveDate, i32)>(conn)?
        {
            let entry = kept.entry(provider).or_insert((false, judged_after));
            entry.0 |= judged_on != today;
            entry.1 = entry.1.min(judged_after);
        }
    }
    let oldest = kept.values().map(|(_, after)| *after).min().unwrap_or(0);
    let newest = crate::history::store::newest_by_organisation_after(conn, oldest)?;
    Ok(providers
        .iter()
        .copied()
        .filter(|provider| match kept.get(provider) {
            None => true,
            Some((other_day, after)) => *other_day || changed_since(&newest, *provider, *after),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::model::Seen;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
    }

    fn outcome(verdict: Verdict, summary: &str) -> Outcome {
        Outcome {
            check: LiveCheck::RegistrationsCurrent,
            verdict,
            summary: summary.into(),
            facts: Vec::new(),
            seen: Seen { title: String::new(), columns: Vec::new(), rows: Vec::new() },
        }
    }

    fn kept(verdict: Verdict, summary: &str, judged_on: NaiveDate) -> Kept {
        Kept {
            check: LiveCheck::RegistrationsCurrent,
            verdict,
            since: day(1),
            summary: summary.into(),
            facts: "[]".into(),
            judged_on,
            judged_after: 7,
        }
    }

    #[test]
    fn an_unchanged_verdict_on_the_same_day_writes_nothing() {
        let held = kept(Verdict::Holds, "All 3 registrations are current", day(2));
        let same = outcome(Verdict::Holds, "All 3 registrations are current");
        assert_eq!(plan(Some(&held), &same, "[]", day(2), false), None);
        assert_eq!(plan(Some(&held), &same, "[]", day(3), false), Some(Keep::Refresh), "a new day");
        assert_eq!(plan(Some(&held), &same, "[]", day(2), true), Some(Keep::Refresh), "records changed");
        let reworded = outcome(Verdict::Holds, "All 4 registrations are current");
        assert_eq!(plan(Some(&held), &reworded, "[]", day(2), false), Some(Keep::Refresh));
    }

    #[test]
    fn a_new_or_changed_verdict_is_recorded() {
        let fails = outcome(Verdict::Fails, "1 registration expired: S003");
        assert_eq!(plan(None, &fails, "[]", day(2), false), Some(Keep::First));
        let held = kept(Verdict::Holds, "All 3 registrations are current", day(2));
        assert_eq!(
            plan(Some(&held), &fails, "[]", day(2), false),
            Some(Keep::Changed { before: Verdict::Holds, summary_before: "All 3 registrations are current".into() })
        );
    }
}
