//! The annual quality report's own records: the words the manager writes for a year
//! (`quality_reports`), and the versions a clinical director approved (`quality_report_versions`),
//! each a frozen PDF kept in `blobs` by its hash so it downloads unchanged whatever changes later.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::clock::FinancialYear;
use crate::db::schema::{quality_report_versions, quality_reports, users};
use crate::db::{self, DbConnection, ProviderId, StoreError, StoreResult, UserId};
use crate::form::FieldErrors;
use crate::history::store::{record, Diff};
use crate::history::Entry;

/// The history's name for a quality report.
pub const ENTITY: &str = "quality_report";

/// The longest a part of the report's words may be.
pub const WORDS_LIMIT: usize = 10_000;

/// The parts of the report the manager writes; empty when not written yet.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReportWords {
    /// How the service meets the NHS Constitution pledge to support staff to maintain their
    /// health, wellbeing and safety.
    pub pledge_narrative: String,
    /// Research and development this year.
    pub research_this_year: String,
    /// The plan for research and development next year.
    pub research_next_year: String,
    pub plans_next_year: String,
}

/// The words' fields with the names a person knows them by, in the order the report has them.
pub const FIELDS: [(&str, &str); 4] = [
    ("pledge_narrative", "The NHS Constitution pledge"),
    ("research_this_year", "Research and development this year"),
    ("research_next_year", "Research and development next year"),
    ("plans_next_year", "Plans for next year"),
];

impl ReportWords {
    fn field(&self, name: &str) -> &str {
        match name {
            "pledge_narrative" => &self.pledge_narrative,
            "research_this_year" => &self.research_this_year,
            "research_next_year" => &self.research_next_year,
            _ => &self.plans_next_year,
        }
    }

    /// The form's starting values.
    pub fn as_input(&self) -> WordsInput {
        WordsInput {
            pledge_narrative: self.pledge_narrative.clone(),
            research_this_year: self.research_this_year.clone(),
            research_next_year: self.research_next_year.clone(),
            plans_next_year: self.plans_next_year.clone(),
        }
    }
}

/// The words' form as submitted.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct WordsInput {
    pub pledge_narrative: String,
    pub research_this_year: String,
    pub research_next_year: String,
    pub plans_next_year: String,
}

impl WordsInput {
    /// The words, trimmed and with line ends made one kind, or each field too long said at it.
    pub fn parse(&self) -> Result<ReportWords, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut clean = |field: &'static str, text: &str| {
            let text = text.replace("\r\n", "\n").replace('\r', "\n").trim().to_string();
            let count = text.chars().count();
            if count > WORDS_LIMIT {
                errors.add(field, format!("Keep this under 10,000 characters; it has {}", thousands(count)));
            }
            text
        };
        let words = ReportWords {
            pledge_narrative: clean("pledge_narrative", &self.pledge_narrative),
            research_this_year: clean("research_this_year", &self.research_this_year),
            research_next_year: clean("research_next_year", &self.research_next_year),
            plans_next_year: clean("plans_next_year", &self.plans_next_year),
        };
        errors.into_result().map(|()| words)
    }
}

/// 12345 as "12,345".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

type WordsRow = (i32, String, String, String, String);

fn words_row(conn: &mut DbConnection, provider_id: ProviderId, year: FinancialYear) -> QueryResult<Option<WordsRow>> {
    quality_reports::table
        .filter(quality_reports::provider_id.eq(provider_id))
        .filter(quality_reports::year_start.eq(year.start_year()))
        .select((
            quality_reports::id,
            quality_reports::pledge_narrative,
            quality_reports::research_this_year,
            quality_reports::research_next_year,
            quality_reports::plans_next_year,
        ))
        .first(conn)
        .optional()
}

/// The report's words for the year; all empty when nothing is written yet. One query.
pub fn words(conn: &mut DbConnection, provider_id: ProviderId, year: FinancialYear) -> QueryResult<ReportWords> {
    Ok(words_row(conn, provider_id, year)?
        .map(|(_, pledge_narrative, research_this_year, research_next_year, plans_next_year)| ReportWords {
            pledge_narrative,
            research_this_year,
            research_next_year,
            plans_next_year,
        })
        .unwrap_or_default())
}

/// The report's row for the year, made (empty) when there is none yet; the approval's history row,
/// which names the year, records it.
fn report_id_or_new(
    conn: &mut DbConnection,
    by: UserId,
    provider_id: ProviderId,
    year: FinancialYear,
    at: NaiveDateTime,
) -> QueryResult<i32> {
    if let Some((id, ..)) = words_row(conn, provider_id, year)? {
        return Ok(id);
    }
    diesel::insert_into(quality_reports::table)
        .values((
            quality_reports::provider_id.eq(provider_id),
            quality_reports::year_start.eq(year.start_year()),
            quality_reports::updated_at.eq(at),
            quality_reports::updated_by.eq(by),
        ))
        .execute(conn)?;
    db::last_insert_id(conn)
}

/// What a save of the words changed: the names of the parts, in the report's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved(pub Vec<&'static str>);

impl Saved {
    /// The confirmation in the field's words: "Plans for next year saved", "The pledge and plans for
    /// next year saved", or that nothing changed.
    pub fn in_words(&self, year: FinancialYear) -> String {
        match self.0.as_slice() {
            [] => format!("The words of the quality report {year} are unchanged"),
            [one] => format!("{one} saved"),
            many => format!("{} saved", crate::words::listed(many)),
        }
    }
}

/// Saves the report's words for the year from `input`: the row (made if new) and a history row
/// with each changed part's before and after, in one transaction. Nothing is written when nothing
/// changed.
pub fn save_words(
    conn: &mut DbConnection,
    by: UserId,
    provider_id: ProviderId,
    year: FinancialYear,
    input: &WordsInput,
    at: NaiveDateTime,
) -> StoreResult<Saved> {
    let words = input.parse()?;
    db::write_transaction(conn, |conn| {
        let existing = words_row(conn, provider_id, year)?;
        let before = existing
            .as_ref()
            .map(|(_, a, b, c, d)| ReportWords {
                pledge_narrative: a.clone(),
                research_this_year: b.clone(),
                research_next_year: c.clone(),
                plans_next_year: d.clone(),
            })
            .unwrap_or_default();
        let mut diff = Diff::default();
        let mut changed = Vec::new();
        for (field, label) in FIELDS {
            if before.field(field) != words.field(field) {
                diff.field(field, before.field(field), words.field(field));
                changed.push(label);
            }
        }
        if changed.is_empty() {
            return Ok(Saved(changed));
        }
        let (id, action) = match existing {
            Some((id, ..)) => {
                diesel::update(quality_reports::table.find(id))
                    .set((
                        quality_reports::pledge_narrative.eq(&words.pledge_narrative),
                        quality_reports::research_this_year.eq(&words.research_this_year),
                        quality_reports::research_next_year.eq(&words.research_next_year),
                        quality_reports::plans_next_year.eq(&words.plans_next_year),
                        quality_reports::updated_at.eq(at),
                        quality_reports::updated_by.eq(by),
                    ))
                    .execute(conn)?;
                (id, "update")
            }
            None => {
                diesel::insert_into(quality_reports::table)
                    .values((
                        quality_reports::provider_id.eq(provider_id),
                        quality_reports::year_start.eq(year.start_year()),
                        quality_reports::pledge_narrative.eq(&words.pledge_narrative),
                        quality_reports::research_this_year.eq(&words.research_this_year),
                        quality_reports::research_next_year.eq(&words.research_next_year),
                        quality_reports::plans_next_year.eq(&words.plans_next_year),
                        quality_reports::updated_at.eq(at),
                        quality_reports::updated_by.eq(by),
                    ))
                    .execute(conn)?;
                diff.0.insert(
                    0,
                    crate::history::Change {
                        field: "year".into(),
                        before: serde_json::Value::Null,
                        after: serde_json::Value::String(year.to_string()),
                    },
                );
                (db::last_insert_id(conn)?, "create")
            }
        };
        history(conn, by, provider_id, id, action, diff)?;
        Ok(Saved(changed))
    })
}

fn history(
    conn: &mut DbConnection,
    by: UserId,
    provider_id: ProviderId,
    report_id: i32,
    action: &str,
    diff: Diff,
) -> QueryResult<i32> {
    record(
        conn,
        &Entry {
            user_id: Some(by),
            organisation_id: Some(provider_id.0),
            entity: ENTITY.into(),
            entity_id: report_id.to_string(),
            action: action.into(),
            changes: diff.0,
        },
    )
}

/// An approved version of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Version {
    pub version: i32,
    pub sha256: String,
    pub file_name: String,
    pub approved_at: NaiveDateTime,
    pub approved_by: UserId,
    pub approved_by_name: String,
}

type VersionRow = (i32, i32, String, String, NaiveDateTime, i32, String);

fn version_of(row: VersionRow) -> (i32, Version) {
    let (start, version, sha256, file_name, approved_at, by, name) = row;
    (start, Version { version, sha256, file_name, approved_at, approved_by: UserId(by), approved_by_name: name })
}

/// The year's approved versions, newest first. One query.
pub fn versions(conn: &mut DbConnection, provider_id: ProviderId, year: FinancialYear) -> QueryResult<Vec<Version>> {
    Ok(newest_first(conn, provider_id, &[year])?.into_iter().map(|(_, v)| v).collect())
}

/// The newest approved version of each of `years` that has one, by the year's start. One query.
pub fn latest_versions(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    years: &[FinancialYear],
) -> QueryResult<HashMap<i32, Version>> {
    let mut latest = HashMap::new();
    for (start, version) in newest_first(conn, provider_id, years)? {
        latest.entry(start).or_insert(version);
    }
    Ok(latest)
}

fn newest_first(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    years: &[FinancialYear],
) -> QueryResult<Vec<(i32, Version)>> {
    let starts: Vec<i32> = years.iter().map(|y| y.start_year()).collect();
    let rows: Vec<VersionRow> = quality_report_versions::table
        .inner_join(quality_reports::table)
        .inner_join(users::table.on(users::id.eq(quality_report_versions::approved_by)))
        .filter(quality_reports::provider_id.eq(provider_id))
        .filter(quality_reports::year_start.eq_any(starts))
        .select((
            quality_reports::year_start,
            quality_report_versions::version,
            quality_report_versions::blob_sha256,
            quality_report_versions::file_name,
            quality_report_versions::approved_at,
            quality_report_versions::approved_by,
            users::name,
        ))
        .order((quality_reports::year_start.desc(), quality_report_versions::version.desc()))
        .load(conn)?;
    Ok(rows.into_iter().map(version_of).collect())
}

/// The number the next approval of the year will take.
pub fn next_version(conn: &mut DbConnection, provider_id: ProviderId, year: FinancialYear) -> QueryResult<i32> {
    let newest: Option<i32> = quality_report_versions::table
        .inner_join(quality_reports::table)
        .filter(quality_reports::provider_id.eq(provider_id))
        .filter(quality_reports::year_start.eq(year.start_year()))
        .select(diesel::dsl::max(quality_report_versions::version))
        .first(conn)?;
    Ok(newest.unwrap_or(0) + 1)
}

/// The drawn PDF a clinical director approves.
#[derive(Debug, Clone)]
pub struct Approval<'a> {
    /// The version number the PDF states: what [`next_version`] said when it was drawn.
    pub version: i32,
    pub bytes: &'a [u8],
    pub sha256: &'a str,
    pub file_name: &'a str,
}

/// Freezes `approval` as the year's next version: the PDF kept by its hash in the stored files
/// (never swept), the version row, and a history row holding the hash, in one transaction. When
/// another approval got in since the PDF was drawn, its number is taken: a conflict, and nothing is
/// written.
pub fn approve(
    conn: &mut DbConnection,
    by: UserId,
    provider_id: ProviderId,
    year: FinancialYear,
    approval: &Approval,
    at: NaiveDateTime,
) -> StoreResult<i32> {
    db::write_transaction(conn, |conn| {
        if next_version(conn, provider_id, year)? != approval.version {
            return Err(StoreError::Conflict(format!(
                "Someone approved the quality report {year} a moment ago: approve again to make the next version"
            )));
        }
        let report_id = report_id_or_new(conn, by, provider_id, year, at)?;
        crate::evidence::store::keep_blob(conn, approval.sha256, approval.bytes, at)?;
        diesel::insert_into(quality_report_versions::table)
            .values((
                quality_report_versions::report_id.eq(report_id),
                quality_report_versions::version.eq(approval.version),
                quality_report_versions::blob_sha256.eq(approval.sha256),
                quality_report_versions::file_name.eq(approval.file_name),
                quality_report_versions::approved_at.eq(at),
                quality_report_versions::approved_by.eq(by),
            ))
            .execute(conn)?;
        let mut diff = Diff::default();
        diff.field("year", serde_json::Value::Null, year.to_string())
            .field("version", serde_json::Value::Null, approval.version)
            .field("sha256", serde_json::Value::Null, approval.sha256)
            .field("file_name", serde_json::Value::Null, approval.file_name);
        history(conn, by, provider_id, report_id, "approve", diff)?;
        Ok(approval.version)
    })
}

/// An approved version and its PDF, byte for byte as approved.
pub fn version_file(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    year: FinancialYear,
    number: i32,
) -> QueryResult<Option<(Version, Vec<u8>)>> {
    let Some(version) = versions(conn, provider_id, year)?.into_iter().find(|v| v.version == number) else {
        return Ok(None);
    };
    Ok(crate::evidence::store::blob_content(conn, &version.sha256)?.map(|bytes| (version, bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_trimmed_and_each_part_is_kept_under_ten_thousand_characters() {
        let input = WordsInput {
            pledge_narrative: "  We fund physiotherapy.\r\nAnd a menopause clinic.  ".into(),
            plans_next_year: "x".repeat(10_001),
            ..WordsInput::default()
        };
        let errors = input.parse().unwrap_err();
        assert_eq!(errors.get("plans_next_year"), Some("Keep this under 10,000 characters; it has 10,001"));
        assert_eq!(errors.get("pledge_narrative"), None);
        let fine = WordsInput { plans_next_year: "y".repeat(10_000), ..input }.parse().unwrap();
        assert_eq!(fine.pledge_narrative, "We fund physiotherapy.\nAnd a menopause clinic.");
    }

    #[test]
    fn a_save_says_which_parts_it_saved() {
        let year = FinancialYear::starting_in(2025).unwrap();
        assert_eq!(Saved(vec!["Plans for next year"]).in_words(year), "Plans for next year saved");
        assert_eq!(Saved(vec![]).in_words(year), "The words of the quality report 2025/26 are unchanged");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
