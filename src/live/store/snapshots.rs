//! Snapshots of what a live check saw: the table it read, with its verdict, kept as a dated CSV
//! evidence item like any other (its file stored under its SHA-256), linked to every standard of the
//! provider's framework that names the check. One series per provider and check: the next snapshot
//! is a new version of it, so the library shows the newest and keeps the rest. `live_snapshots`
//! finds the series and remembers the last one taken, so a second snapshot on the same day with the
//! same content makes no new version.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::records;
use crate::catalogue::model::LiveCheck;
use crate::db::schema::live_snapshots;
use crate::db::{self, DbConnection, ProviderId, StoreError, StoreResult, UserId};
use crate::evidence::model::{check_upload, EvidenceDetails, EvidenceKind};
use crate::live::model::{Outcome, Seen, Verdict};
use crate::live::rules;
use crate::web::download::spreadsheet_safe;

/// The largest snapshot file: far above any provider's table, and a bound all the same.
const SIZE_LIMIT: usize = 32 * 1024 * 1024;

/// The lines of the CSV's first block: check, question, day, verdict, summary.
const HEAD_LINES: usize = 5;

/// What a check's snapshot holds, in a few words, for its title: "professional registrations".
pub fn subject(check: LiveCheck) -> &'static str {
    match check {
        LiveCheck::RegistrationsCurrent => "professional registrations",
        LiveCheck::DoctorsAppraised => "doctors' Responsible Officers and appraisals",
        LiveCheck::CpdOnTrack => "CPD of clinicians whose cycle ends within 90 days",
        LiveCheck::SupervisionCurrent => "clinical supervision",
        LiveCheck::CoreServicesAvailable => "core services",
        LiveCheck::SubspecialismsArranged => "sub-specialism arrangements",
        LiveCheck::PlanSignedOff => "this year's audit plan and its sign-off",
        LiveCheck::AuditsPlanned => "audits planned this year",
        LiveCheck::ActionsNotOverdue => "audit actions",
        LiveCheck::KpisReported => "KPIs for the last complete quarter",
        LiveCheck::CustomerReviewsHeld => "customer reviews with commissioners",
        LiveCheck::MetEvidenceCurrent => "evidence for the standards marked met",
    }
}

/// A day in words: "2 December 2026".
pub fn day_words(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

/// A snapshot's title: "Records as of 2 December 2026: professional registrations".
pub fn title(check: LiveCheck, day: NaiveDate) -> String {
    format!("Records as of {}: {}", day_words(day), subject(check))
}

/// The snapshot's file name: `workforce-registrations-current-2026-12-02.csv`.
fn file_name(check: LiveCheck, day: NaiveDate) -> String {
    format!("{}-{}.csv", check.as_str().replace(['.', '_'], "-"), day.format("%Y-%m-%d"))
}

/// The snapshot's file: UTF-8 CSV, a first block saying the check, the day, the verdict and the
/// summary, a line with one empty cell, then the table's title, its columns and its rows. Every cell
/// is written as text a spreadsheet will not run ([`spreadsheet_safe`]).
pub fn csv_of(outcome: &Outcome, day: NaiveDate) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
    let mut line = |cells: &[&str]| writer.write_record(cells.iter().map(|c| spreadsheet_safe(c).into_owned()));
    line(&["Check", outcome.check.as_str()])?;
    line(&["Question", outcome.check.label()])?;
    line(&["Records as of", &day_words(day)])?;
    line(&["Verdict", outcome.verdict.label()])?;
    line(&["Summary", &outcome.summary])?;
    line(&[""])?;
    line(&[&outcome.seen.title])?;
    // Always a line for the columns, so the rows are found where they are even with none.
    let columns: Vec<&str> = outcome.seen.columns.iter().map(String::as_str).collect();
    line(if columns.is_empty() { &[""] } else { &columns })?;
    for row in &outcome.seen.rows {
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        line(&cells)?;
    }
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// A cell as it was before [`spreadsheet_safe`] guarded it.
fn unguarded(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest.to_string(),
        _ => cell.to_string(),
    }
}

/// A snapshot's file read back: (verdict, summary, the table). None for a file this module did not
/// write.
pub fn read_csv(content: &[u8]) -> Option<(Verdict, String, Seen)> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(content);
    let mut lines = Vec::new();
    for record in reader.records() {
        lines.push(record.ok()?.iter().map(unguarded).collect::<Vec<String>>());
    }
    let value = |i: usize| lines.get(i).and_then(|l| l.get(1)).cloned();
    let verdict = Verdict::ALL.iter().copied().find(|v| Some(v.label()) == value(3).as_deref())?;
    let summary = value(4)?;
    let title = lines.get(HEAD_LINES + 1).and_then(|l| l.first()).cloned()?;
    let columns = lines.get(HEAD_LINES + 2).filter(|c| c.iter().any(|c| !c.is_empty())).cloned().unwrap_or_default();
    let rows = lines.iter().skip(HEAD_LINES + 3).cloned().collect();
    Some((verdict, summary, Seen { title, columns, rows }))
}

/// One snapshot taken (or found already taken today with the same content).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub check: LiveCheck,
    /// The evidence item holding it.
    pub item_id: i32,
    pub title: String,
    pub verdict: Verdict,
    pub summary: String,
    /// The standards it is linked to, by reference.
    pub standards: Vec<String>,
    /// False when today's snapshot with the same content was already the newest version.
    pub new_version: bool,
}

/// The kept row of a provider's check: its series, its newest snapshot, that one's day and hash.
type KeptRow = (i32, i32, NaiveDate, String);

/// Takes a snapshot of each of `checks` for the provider on `today` (every check its framework's
/// standards name when `checks` is None): judges each once from the records gathered once, and
/// keeps each as a new version of its series, in one transaction with its history row. A check
/// whose newest snapshot was taken today with the same content is left as it is.
pub fn take(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    checks: Option<&[LiveCheck]>,
    today: NaiveDate,
) -> StoreResult<Vec<Taken>> {
    let framework = crate::assessment::store::framework_id(conn, provider_id)?;
    let standards = match framework {
        Some(framework) => crate::catalogue::store::live_checks(conn, framework)?,
        None => Vec::new(),
    };
    let mut wanted: Vec<LiveCheck> = match checks {
        Some(checks) => checks.to_vec(),
        None => standards.iter().flat_map(|(_, _, checks)| checks.iter().copied()).collect(),
    };
    // In the catalogue's order of the checks, each once.
    wanted.sort_by_key(|c| LiveCheck::ALL.iter().position(|a| a == c));
    wanted.dedup();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let records = records::gather(conn, provider_id, today, crate::config::configured_supervision_days())?;
    let mut taken = Vec::with_capacity(wanted.len());
    for check in wanted {
        let mut references: Vec<String> = standards
            .iter()
            .filter(|(_, _, named)| named.contains(&check))
            .map(|(_, reference, _)| reference.clone())
            .collect();
        references.sort();
        let outcome = rules::judge(check, &records, today);
        taken.push(keep(conn, by, provider_id, framework, &outcome, references, today)?);
    }
    Ok(taken)
}

/// Takes a snapshot of each check the standard `reference` of the provider's framework names. A
/// standard that is not there is `NotFound`; one that names no check is a `Conflict`.
pub fn take_for_standard(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    reference: &str,
    today: NaiveDate,
) -> StoreResult<Vec<Taken>> {
    let framework = crate::assessment::store::framework_id(conn, provider_id)?.ok_or(StoreError::NotFound)?;
    let standards = crate::catalogue::store::live_checks(conn, framework)?;
    match standards.into_iter().find(|(_, r, _)| r == reference) {
        Some((_, _, checks)) => take(conn, by, provider_id, Some(&checks), today),
        None => match crate::evidence::store::resolve_targets(conn, Some(framework), &[reference.to_string()]) {
            Ok(_) => Err(StoreError::Conflict(format!(
                "{reference} names no live checks, so there are no records to take a snapshot of"
            ))),
            Err(_) => Err(StoreError::NotFound),
        },
    }
}

/// Keeps one check's outcome as its snapshot, in one transaction.
fn keep(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    framework: Option<i32>,
    outcome: &Outcome,
    standards: Vec<String>,
    today: NaiveDate,
) -> StoreResult<Taken> {
    let check = outcome.check;
    // Neither fails for a table the checks read; if one did, it is a fault, not the user's input.
    let fault = |e: Box<dyn std::error::Error + Send + Sync>| {
        StoreError::Database(diesel::result::Error::SerializationError(e))
    };
    let content = csv_of(outcome, today).map_err(|e| fault(Box::new(e)))?;
    let upload = check_upload(content, &file_name(check, today), SIZE_LIMIT).map_err(|why| {
        fault(format!("the snapshot of {} is not a file evidence takes: {why}", check.as_str()).into())
    })?;
    let details = EvidenceDetails {
        kind: EvidenceKind::File,
        title: title(check, today),
        description: format!(
            "What the live check \u{201c}{}\u{201d} read in the service's own records on {}: {} \u{2014} {}",
            check.label(),
            day_words(today),
            outcome.verdict.label(),
            if outcome.summary.is_empty() { "no summary" } else { &outcome.summary }
        ),
        owner_user_id: None,
        effective_on: Some(today),
        review_due: None,
        contains_patient_data: false,
        link_url: None,
        standards: standards.clone(),
        document_kind: None,
    };
    let mut taken = Taken {
        check,
        item_id: 0,
        title: details.title.clone(),
        verdict: outcome.verdict,
        summary: outcome.summary.clone(),
        standards,
        new_version: true,
    };
    db::write_transaction(conn, |conn| {
        let kept: Option<KeptRow> = live_snapshots::table
            .filter(live_snapshots::provider_id.eq(provider_id.0))
            .filter(live_snapshots::check_code.eq(check))
            .select((
                live_snapshots::series_id,
                live_snapshots::item_id,
                live_snapshots::taken_on,
                live_snapshots::sha256,
            ))
            .first(conn)
            .optional()?;
        let current = match &kept {
            Some((series, ..)) => crate::evidence::store::current_of_series(conn, provider_id, *series)?,
            None => None,
        };
        match (kept, current) {
            (Some((_, item, taken_on, sha)), Some((current, _)))
                if current == item && taken_on == today && sha == upload.sha256 =>
            {
                taken.item_id = item;
                taken.new_version = false;
            }
            (Some((series, ..)), Some((current, _))) => {
                let id =
                    crate::evidence::store::write_supersede(conn, by, provider_id, current, &details, Some(&upload))?;
                crate::evidence::store::write_set_links(conn, by, provider_id, framework, id, &details.standards)?;
                diesel::update(live_snapshots::table.find((provider_id.0, check)))
                    .set((
                        live_snapshots::series_id.eq(series),
                        live_snapshots::item_id.eq(id),
                        live_snapshots::taken_on.eq(today),
                        live_snapshots::sha256.eq(&upload.sha256),
                    ))
                    .execute(conn)?;
                taken.item_id = id;
            }
            // The first snapshot, or the series was withdrawn: a new series.
            (kept, _) => {
                let id = crate::evidence::store::write_add(conn, by, provider_id, framework, &details, Some(&upload))?;
                if kept.is_some() {
                    diesel::delete(live_snapshots::table.find((provider_id.0, check))).execute(conn)?;
                }
                diesel::insert_into(live_snapshots::table)
                    .values((
                        live_snapshots::provider_id.eq(provider_id.0),
                        live_snapshots::check_code.eq(check),
                        live_snapshots::series_id.eq(id),
                        live_snapshots::item_id.eq(id),
                        live_snapshots::taken_on.eq(today),
                        live_snapshots::sha256.eq(&upload.sha256),
                    ))
                    .execute(conn)?;
                taken.item_id = id;
            }
        }
        Ok::<(), StoreError>(())
    })?;
    Ok(taken)
}

/// A kept snapshot as the evidence pack draws it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub check: LiveCheck,
    pub item_id: i32,
    pub title: String,
    pub taken_on: NaiveDate,
    pub sha256: String,
    pub verdict: Verdict,
    pub summary: String,
    pub seen: Seen,
}

/// The provider's newest snapshot of each check, read back from its file, in the checks' order;
/// a snapshot no longer the current version of its series (replaced by hand, or withdrawn) is left
/// out. Three queries.
pub fn kept(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Vec<Kept>> {
    let rows: Vec<(LiveCheck, i32, i32, NaiveDate, String)> = live_snapshots::table
        .filter(live_snapshots::provider_id.eq(provider_id.0))
        .select((
            live_snapshots::check_code,
            live_snapshots::series_id,
            live_snapshots::item_id,
            live_snapshots::taken_on,
            live_snapshots::sha256,
        ))
        .load(conn)?;
    let series: Vec<i32> = rows.iter().map(|r| r.1).collect();
    let currents = crate::evidence::store::currents_of_series(conn, &series)?;
    let rows: Vec<_> = rows.into_iter().filter(|r| currents.get(&r.1) == Some(&r.2)).collect();
    let hashes: Vec<String> = rows.iter().map(|r| r.4.clone()).collect();
    let contents: std::collections::HashMap<String, Vec<u8>> =
        crate::evidence::store::blob_contents(conn, &hashes)?.into_iter().collect();
    let mut kept: Vec<Kept> = rows
        .into_iter()
        .filter_map(|(check, _, item_id, taken_on, sha256)| {
            let (verdict, summary, seen) = read_csv(contents.get(&sha256)?)?;
            Some(Kept { check, item_id, title: title(check, taken_on), taken_on, sha256, verdict, summary, seen })
        })
        .collect();
    kept.sort_by_key(|k| LiveCheck::ALL.iter().position(|c| *c == k.check));
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::model::LiveFact;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 2).expect("date")
    }

    fn outcome() -> Outcome {
        Outcome {
            check: LiveCheck::RegistrationsCurrent,
            verdict: Verdict::Fails,
            summary: "1 registration expired: S003".into(),
            facts: Vec::<LiveFact>::new(),
            seen: Seen {
                title: "Professional registrations of the clinicians in post".into(),
                columns: vec!["Staff number".into(), "Name".into(), "Registration".into()],
                rows: vec![
                    vec!["S003".into(), "=HYPERLINK(\"x\")".into(), "expired, 1 Nov 2026".into()],
                    vec!["S004".into(), "Ann \"Nan\" Lee".into(), "-".into()],
                ],
            },
        }
    }

    #[test]
    fn the_title_and_file_name_say_the_day_and_what_was_seen() {
        assert_eq!(
            title(LiveCheck::RegistrationsCurrent, day()),
            "Records as of 2 December 2026: professional registrations"
        );
        assert_eq!(file_name(LiveCheck::RegistrationsCurrent, day()), "workforce-registrations-current-2026-12-02.csv");
        for check in LiveCheck::ALL {
            assert!(title(*check, day()).chars().count() <= crate::evidence::model::TITLE_LIMIT);
        }
    }

    #[test]
    fn the_file_is_csv_evidence_accepts_with_formulas_guarded_and_reads_back() {
        let bytes = csv_of(&outcome(), day()).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.starts_with("Check,workforce.registrations_current\n"), "{text}");
        assert!(text.contains("Records as of,2 December 2026\nVerdict,Fails\nSummary,1 registration expired: S003\n"));
        assert!(text.contains("'=HYPERLINK"), "a formula is written as text: {text}");
        assert!(text.contains("\"Ann \"\"Nan\"\" Lee\",'-"), "{text}");
        let upload = check_upload(bytes.clone(), "workforce-registrations-current-2026-12-02.csv", SIZE_LIMIT).unwrap();
        assert_eq!(upload.media_type, "text/csv; charset=utf-8");
        let (verdict, summary, seen) = read_csv(&bytes).unwrap();
        assert_eq!((verdict, summary.as_str()), (Verdict::Fails, "1 registration expired: S003"));
        assert_eq!(seen, outcome().seen, "the table as the check saw it");
        assert!(read_csv(b"a,b\n").is_none());
    }

    #[test]
    fn an_empty_table_still_reads_back() {
        let mut empty = outcome();
        empty.verdict = Verdict::NotEnoughData;
        empty.seen.columns.clear();
        empty.seen.rows.clear();
        let bytes = csv_of(&empty, day()).unwrap();
        let (verdict, _, seen) = read_csv(&bytes).unwrap();
        assert_eq!(verdict, Verdict::NotEnoughData);
        assert_eq!(seen.title, "Professional registrations of the clinicians in post");
        assert!(seen.columns.is_empty() && seen.rows.is_empty());
    }
}
