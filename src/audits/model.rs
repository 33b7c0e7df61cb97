//! The audit programme's closed lists and the typed values its forms produce. Pure.

crate::vocabulary! {
    /// What kind of audit it is. The NHS sector standard asks for at least two local clinical audits
    /// a year and a national one (MoHaWK benchmarking).
    pub enum AuditType {
        LocalClinical => ("local_clinical", "Local clinical audit"),
        NationalBenchmarking => ("national_benchmarking", "National benchmarking (MoHaWK)"),
        SeqohsInternal => ("seqohs_internal", "SEQOHS internal audit"),
        RecordKeeping => ("record_keeping", "Record-keeping audit"),
        ReportQuality => ("report_quality", "Report-quality (\"handrail\") audit"),
        Other => ("other", "Other"),
    }
    name = "audit type", stored_in = [audits.audit_type];
}

crate::vocabulary! {
    /// Where an audit stands. Deferred and cancelled carry a reason.
    pub enum AuditStatus {
        Planned => ("planned", "Planned"),
        InProgress => ("in_progress", "In progress"),
        Completed => ("completed", "Completed"),
        Deferred => ("deferred", "Deferred"),
        Cancelled => ("cancelled", "Cancelled"),
    }
    name = "audit status", stored_in = [audits.status];
}

impl AuditStatus {
    /// Deferring or cancelling an audit is a decision that needs its reason written down.
    pub fn needs_reason(self) -> bool {
        matches!(self, AuditStatus::Deferred | AuditStatus::Cancelled)
    }
}

crate::vocabulary! {
    /// Where an action from an audit stands. Dropped carries a reason.
    pub enum ActionStatus {
        Open => ("open", "Open"),
        Done => ("done", "Done"),
        Dropped => ("dropped", "Dropped"),
    }
    name = "action status", stored_in = [audit_actions.status];
}

crate::vocabulary! {
    /// Where a plan stands with the clinical director, as stored. "Changed since sign-off" is not
    /// stored: it is a signed-off plan whose content no longer hashes to its newest sign-off.
    pub enum PlanState {
        Draft => ("draft", "Draft"),
        Submitted => ("submitted", "Submitted for sign-off"),
        Returned => ("returned", "Returned with a comment"),
        SignedOff => ("signed_off", "Signed off"),
    }
    name = "plan state", stored_in = [audit_plans.state];
}

use chrono::NaiveDate;

use crate::clock::FinancialYear;
use crate::form::{optional_date, optional_text, required_date, required_text, FieldErrors};

/// The longest title, method, criterion or reason.
pub const SHORT_TEXT: usize = 300;
/// The longest findings, summary or note.
pub const LONG_TEXT: usize = 10_000;
/// Blank criterion rows offered beyond the ones an audit has, so criteria can be added without a
/// script.
pub const BLANK_CRITERIA: usize = 3;

/// The form that starts a plan: the NHS financial year it is for.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct PlanInput {
    pub year: String,
}

impl PlanInput {
    /// "2026/27" as people write it, or "2026-27" as addresses do.
    pub fn parse(&self) -> Result<FinancialYear, FieldErrors> {
        let text = self.year.trim().replace('/', "-");
        if text.is_empty() {
            return Err(FieldErrors::one("year", "Enter the financial year, like 2026/27"));
        }
        text.parse::<FinancialYear>()
            .map_err(|_| {
                FieldErrors::one(
                    "year",
                    format!("{:?} is not a financial year: write it like 2026/27", self.year.trim()),
                )
            })
            .and_then(|year| {
                if (1900..=2099).contains(&year.start_year()) {
                    Ok(year)
                } else {
                    Err(FieldErrors::one("year", "Enter a financial year from 1900/01 to 2099/00"))
                }
            })
    }
}

/// An audit's form as submitted: its plan fields, where it stands and its criteria (one
/// description and one target per row, blank rows ignored).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct AuditInput {
    pub title: String,
    pub audit_type: String,
    pub standards: Vec<String>,
    pub service: String,
    pub lead_staff_id: String,
    pub planned_quarter: String,
    pub method: String,
    pub sample_size: String,
    pub criterion: Vec<String>,
    pub target: Vec<String>,
    pub status: String,
    pub status_reason: String,
    pub started_on: String,
    pub completed_on: String,
    pub findings: String,
}

/// Where an audit stands, as a form gives it: the part its lead may change as well as a manager.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ProgressInput {
    pub status: String,
    pub status_reason: String,
    pub started_on: String,
    pub completed_on: String,
    pub findings: String,
}

/// A criterion and its target.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    pub description: String,
    pub target_percent: f64,
}

/// Where an audit stands, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub status: AuditStatus,
    pub status_reason: Option<String>,
    pub started_on: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub findings: Option<String>,
}

/// An audit's plan fields, checked. The standards are catalogue references, and the service a
/// reference too; the store resolves them, and checks the lead is one of the provider's clinicians.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPlan {
    pub title: String,
    pub audit_type: AuditType,
    pub standards: Vec<String>,
    pub service: Option<String>,
    pub lead_staff_id: Option<i32>,
    pub planned_quarter: i32,
    pub method: String,
    pub sample_size: Option<i32>,
    pub criteria: Vec<Criterion>,
}

/// A whole number from a form, or the field's problem.
fn whole_number(errors: &mut FieldErrors, field: &'static str, value: &str, what: &str) -> Option<i32> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse::<i32>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(field, format!("{what} must be a whole number, like 40"));
            None
        }
    }
}

impl ProgressInput {
    /// Checks where the audit stands as of `today`: a reason for deferring or cancelling, a start
    /// date once in progress, a completion date once completed, neither after today nor the
    /// completion before the start.
    pub fn parse(&self, today: NaiveDate) -> Result<Progress, FieldErrors> {
        let mut errors = FieldErrors::default();
        let status = if self.status.trim().is_empty() {
            Some(AuditStatus::Planned)
        } else {
            AuditStatus::read(&mut errors, "status", &self.status)
        };
        let reason = optional_text(&mut errors, "status_reason", &self.status_reason, SHORT_TEXT);
        let started_on = optional_date(&mut errors, "started_on", &self.started_on);
        let completed_on = match status {
            Some(AuditStatus::Completed) => {
                required_date(&mut errors, "completed_on", &self.completed_on, "Enter the date the audit was completed")
            }
            _ => optional_date(&mut errors, "completed_on", &self.completed_on),
        };
        let findings = optional_text(&mut errors, "findings", &self.findings, LONG_TEXT);
        if status.is_some_and(AuditStatus::needs_reason) && reason.is_none() {
            let what = if status == Some(AuditStatus::Deferred) { "deferred" } else { "cancelled" };
            errors.add("status_reason", format!("Say why the audit is {what}"));
        }
        if status == Some(AuditStatus::InProgress) && started_on.is_none() && self.started_on.trim().is_empty() {
            errors.add("started_on", "Enter the date the audit started");
        }
        if status == Some(AuditStatus::Planned) && completed_on.is_some() {
            errors.add("completed_on", "A planned audit has not been completed: clear the date or choose Completed");
        }
        if started_on.is_some_and(|d| d > today) {
            errors.add("started_on", "The start date cannot be after today");
        }
        if completed_on.is_some_and(|d| d > today) {
            errors.add("completed_on", "The completion date cannot be after today");
        }
        if let (Some(started), Some(completed)) = (started_on, completed_on) {
            if completed < started {
                errors.add("completed_on", "The audit cannot be completed before it started");
            }
        }
        errors.into_result()?;
        let status = status.unwrap_or(AuditStatus::Planned);
        Ok(Progress {
            status,
            status_reason: if status.needs_reason() { reason } else { None },
            started_on,
            completed_on,
            findings,
        })
    }
}

impl AuditInput {
    /// Where the audit stands, as typed.
    pub fn progress(&self) -> ProgressInput {
        ProgressInput {
            status: self.status.clone(),
            status_reason: self.status_reason.clone(),
            started_on: self.started_on.clone(),
            completed_on: self.completed_on.clone(),
            findings: self.findings.clone(),
        }
    }
    /// Checks every field at once: the plan fields and where the audit stands.
    pub fn parse(&self, today: NaiveDate) -> Result<(AuditPlan, Progress), FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = required_text(&mut errors, "title", &self.title, SHORT_TEXT, "Enter the audit's title");
        let audit_type = AuditType::read(&mut errors, "audit_type", &self.audit_type);
        let planned_quarter = match self.planned_quarter.trim() {
            "" => {
                errors.add("planned_quarter", "Choose the quarter the audit is planned for");
                None
            }
            q => match q.parse::<i32>() {
                Ok(q @ 1..=4) => Some(q),
                _ => {
                    errors.add("planned_quarter", "Choose a quarter from Q1 (April to June) to Q4 (January to March)");
                    None
                }
            },
        };
        let method = required_text(
            &mut errors,
            "method",
            &self.method,
            LONG_TEXT,
            "Say how the audit is done, for example \"retrospective review of 40 case notes\"",
        );
        let sample_size = whole_number(&mut errors, "sample_size", &self.sample_size, "The sample size");
        if sample_size.is_some_and(|n| n <= 0) {
            errors.add("sample_size", "The sample size must be at least 1");
        }
        let lead_staff_id = whole_number(&mut errors, "lead_staff_id", &self.lead_staff_id, "The lead");
        let service = optional_text(&mut errors, "service", &self.service, SHORT_TEXT);
        let mut standards: Vec<String> =
            self.standards.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        standards.sort();
        standards.dedup();
        let criteria = self.criteria(&mut errors);
        let progress = self.progress().parse(today);
        if let Err(problems) = &progress {
            errors.merge(problems.clone());
        }
        errors.into_result()?;
        let (Some(audit_type), Some(planned_quarter), Ok(progress)) = (audit_type, planned_quarter, progress) else {
            return Err(FieldErrors::one("title", "The audit could not be read"));
        };
        Ok((
            AuditPlan {
                title,
                audit_type,
                standards,
                service,
                lead_staff_id,
                planned_quarter,
                method,
                sample_size,
                criteria,
            },
            progress,
        ))
    }

    /// The criteria rows that were filled in, in order; a problem names its row.
    fn criteria(&self, errors: &mut FieldErrors) -> Vec<Criterion> {
        let mut criteria = Vec::new();
        let rows = self.criterion.len().max(self.target.len());
        for row in 0..rows {
            let description = self.criterion.get(row).map(|s| s.trim()).unwrap_or_default();
            let target = self.target.get(row).map(|s| s.trim().trim_end_matches('%').trim()).unwrap_or_default();
            if description.is_empty() && target.is_empty() {
                continue;
            }
            let number = row + 1;
            if description.is_empty() {
                errors.add("criteria", format!("Criterion {number}: describe what is checked, or clear its target"));
                continue;
            }
            if description.chars().count() > SHORT_TEXT {
                errors.add("criteria", format!("Criterion {number}: must be {SHORT_TEXT} characters or fewer"));
            }
            match target.parse::<f64>() {
                Ok(t) if (0.0..=100.0).contains(&t) => {
                    criteria.push(Criterion { description: description.to_string(), target_percent: t })
                }
                Ok(_) => errors.add(
                    "criteria",
                    format!("Criterion {number} (\"{description}\"): the target must be a percentage from 0 to 100"),
                ),
                Err(_) => errors.add(
                    "criteria",
                    format!("Criterion {number} (\"{description}\"): enter the target as a percentage, like 95"),
                ),
            }
        }
        criteria
    }
}

/// An audit's results as submitted: for each criterion, in order, the cases that met it and the
/// cases checked; and where the audit stands.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ResultsInput {
    pub criterion_id: Vec<String>,
    pub cases_met: Vec<String>,
    pub cases_checked: Vec<String>,
    pub status: String,
    pub status_reason: String,
    pub started_on: String,
    pub completed_on: String,
    pub findings: String,
}

/// One criterion's result: (criterion id, cases met, cases checked), or no result yet.
pub type CriterionResult = (i32, Option<(i32, i32)>);

impl ResultsInput {
    /// Where the audit stands, as typed.
    pub fn progress(&self) -> ProgressInput {
        ProgressInput {
            status: self.status.clone(),
            status_reason: self.status_reason.clone(),
            started_on: self.started_on.clone(),
            completed_on: self.completed_on.clone(),
            findings: self.findings.clone(),
        }
    }
    /// Checks the results (`descriptions` names each criterion id in the messages) and where the
    /// audit stands.
    pub fn parse(
        &self,
        today: NaiveDate,
        descriptions: &[(i32, String)],
    ) -> Result<(Vec<CriterionResult>, Progress), FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut results = Vec::new();
        for (row, id) in self.criterion_id.iter().enumerate() {
            let Some((id, description)) =
                id.trim().parse::<i32>().ok().and_then(|id| descriptions.iter().find(|(c, _)| *c == id))
            else {
                errors.add("results", "The criteria changed while you were editing: open the audit again");
                continue;
            };
            let met = self.cases_met.get(row).map(|s| s.trim()).unwrap_or_default();
            let checked = self.cases_checked.get(row).map(|s| s.trim()).unwrap_or_default();
            let name = format!("\"{description}\"");
            match (met.is_empty(), checked.is_empty()) {
                (true, true) => results.push((*id, None)),
                (false, true) | (true, false) => {
                    errors.add("results", format!("{name}: enter both the cases that met it and the cases checked"))
                }
                (false, false) => match (met.parse::<i32>(), checked.parse::<i32>()) {
                    (Ok(m), Ok(c)) if c <= 0 => {
                        let _ = m;
                        errors.add("results", format!("{name}: at least one case must be checked"))
                    }
                    (Ok(m), Ok(_)) if m < 0 => errors.add("results", format!("{name}: cases met cannot be negative")),
                    (Ok(m), Ok(c)) if m > c => errors
                        .add("results", format!("{name}: cases met ({m}) cannot be more than cases checked ({c})")),
                    (Ok(m), Ok(c)) => results.push((*id, Some((m, c)))),
                    _ => errors.add("results", format!("{name}: the cases must be whole numbers, like 38 of 40")),
                },
            }
        }
        let progress = self.progress().parse(today);
        if let Err(problems) = &progress {
            errors.merge(problems.clone());
        }
        errors.into_result()?;
        let progress = progress?;
        Ok((results, progress))
    }
}

/// A new action from an audit.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ActionInput {
    pub description: String,
    pub owner_id: String,
    pub due_on: String,
}

/// A new action, checked; the store checks the owner is one of the provider's people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAction {
    pub description: String,
    pub owner_id: i32,
    pub due_on: NaiveDate,
}

impl ActionInput {
    pub fn parse(&self) -> Result<NewAction, FieldErrors> {
        let mut errors = FieldErrors::default();
        let description =
            required_text(&mut errors, "description", &self.description, LONG_TEXT, "Say what is to be done");
        let owner_id = self.owner_id.trim().parse::<i32>().ok();
        if owner_id.is_none() {
            errors.add("owner_id", "Choose who owns the action");
        }
        let due_on = required_date(&mut errors, "due_on", &self.due_on, "Enter the date the action is due");
        errors.into_result()?;
        match (owner_id, due_on) {
            (Some(owner_id), Some(due_on)) => Ok(NewAction { description, owner_id, due_on }),
            _ => Err(FieldErrors::one("owner_id", "Choose who owns the action")),
        }
    }
}

/// Closing or reopening an action, as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ActionUpdateInput {
    pub status: String,
    pub completion_note: String,
    pub drop_reason: String,
}

/// What is done to an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionChange {
    Done { note: Option<String> },
    Dropped { reason: String },
    Reopen,
}

impl ActionUpdateInput {
    pub fn parse(&self) -> Result<ActionChange, FieldErrors> {
        let mut errors = FieldErrors::default();
        let status = ActionStatus::read(&mut errors, "status", &self.status);
        let note = optional_text(&mut errors, "completion_note", &self.completion_note, LONG_TEXT);
        let reason = optional_text(&mut errors, "drop_reason", &self.drop_reason, LONG_TEXT);
        let change = match status {
            Some(ActionStatus::Done) => Some(ActionChange::Done { note }),
            Some(ActionStatus::Dropped) => match reason {
                Some(reason) => Some(ActionChange::Dropped { reason }),
                None => {
                    errors.add("drop_reason", "Say why the action is dropped");
                    None
                }
            },
            Some(ActionStatus::Open) => Some(ActionChange::Reopen),
            None => None,
        };
        errors.into_result()?;
        change.ok_or_else(|| FieldErrors::one("status", "Choose done, dropped or open"))
    }
}

/// A progress report as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ReportInput {
    pub report_date: String,
    pub summary: String,
}

impl ReportInput {
    /// A date within the plan's year (or up to three months after it, for the year-end report),
    /// not after today, and a summary.
    pub fn parse(&self, year: FinancialYear, today: NaiveDate) -> Result<(NaiveDate, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        let date = required_date(&mut errors, "report_date", &self.report_date, "Enter the report's date");
        let summary = required_text(&mut errors, "summary", &self.summary, LONG_TEXT, "Write the report's summary");
        if let Some(date) = date {
            let last = year.ends_on().checked_add_months(chrono::Months::new(3)).unwrap_or(year.ends_on());
            if date < year.starts_on() || date > last {
                errors.add("report_date", format!("The report's date must fall within {year} (1 April to 31 March)"));
            } else if date > today {
                errors.add("report_date", "The report's date cannot be after today");
            }
        }
        errors.into_result()?;
        date.map(|d| (d, summary)).ok_or_else(|| FieldErrors::one("report_date", "Enter the report's date"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    fn audit() -> AuditInput {
        AuditInput {
            title: "Consent in management referrals".into(),
            audit_type: "local_clinical".into(),
            planned_quarter: "2".into(),
            method: "Review of 40 referrals".into(),
            criterion: vec!["Consent recorded".into(), "".into()],
            target: vec!["95%".into(), "".into()],
            ..Default::default()
        }
    }

    #[test]
    fn an_audit_needs_a_title_and_targets_within_a_hundred() {
        let (plan, progress) = audit().parse(today()).unwrap();
        assert_eq!(plan.criteria, vec![Criterion { description: "Consent recorded".into(), target_percent: 95.0 }]);
        assert_eq!(progress.status, AuditStatus::Planned);
        let bad = AuditInput { title: " ".into(), target: vec!["120".into()], ..audit() };
        let errors = bad.parse(today()).unwrap_err();
        assert_eq!(errors.get("title"), Some("Enter the audit's title"));
        assert!(errors.get("criteria").unwrap().contains("from 0 to 100"));
    }

    #[test]
    fn deferring_needs_a_reason_and_completing_a_date() {
        let deferred = ProgressInput { status: "deferred".into(), ..Default::default() };
        assert_eq!(deferred.parse(today()).unwrap_err().get("status_reason"), Some("Say why the audit is deferred"));
        let completed = ProgressInput { status: "completed".into(), ..Default::default() };
        assert!(completed.parse(today()).unwrap_err().get("completed_on").is_some());
        let backwards = ProgressInput {
            status: "completed".into(),
            started_on: "2026-06-01".into(),
            completed_on: "2026-05-01".into(),
            ..Default::default()
        };
        assert!(backwards.parse(today()).is_err());
        let future =
            ProgressInput { status: "in_progress".into(), started_on: "2027-01-01".into(), ..Default::default() };
        assert_eq!(future.parse(today()).unwrap_err().get("started_on"), Some("The start date cannot be after today"));
    }

    #[test]
    fn results_cannot_meet_more_cases_than_were_checked() {
        let names = vec![(7, "Consent recorded".to_string())];
        let input = ResultsInput {
            criterion_id: vec!["7".into()],
            cases_met: vec!["41".into()],
            cases_checked: vec!["40".into()],
            ..Default::default()
        };
        let errors = input.parse(today(), &names).unwrap_err();
        assert!(errors.get("results").unwrap().contains("cannot be more than cases checked"));
        let good = ResultsInput { cases_met: vec!["38".into()], ..input };
        assert_eq!(good.parse(today(), &names).unwrap().0, vec![(7, Some((38, 40)))]);
    }

    #[test]
    fn a_year_is_read_either_way() {
        assert_eq!(PlanInput { year: "2026/27".into() }.parse().unwrap().url(), "2026-27");
        assert_eq!(PlanInput { year: "2026-27".into() }.parse().unwrap().url(), "2026-27");
        assert!(PlanInput { year: "2026/28".into() }.parse().is_err());
    }

    #[test]
    fn dropping_an_action_needs_a_reason() {
        let dropped = ActionUpdateInput { status: "dropped".into(), ..Default::default() };
        assert_eq!(dropped.parse().unwrap_err().get("drop_reason"), Some("Say why the action is dropped"));
        let done = ActionUpdateInput {
            status: "done".into(),
            completion_note: "Template changed".into(),
            ..Default::default()
        };
        assert_eq!(done.parse().unwrap(), ActionChange::Done { note: Some("Template changed".into()) });
    }
}
