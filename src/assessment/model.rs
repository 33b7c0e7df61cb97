//! The assessment's vocabulary and the checks each kind of input must pass. Pure.

use chrono::NaiveDate;

use crate::form::FieldErrors;
use crate::form::{limited_text, optional_date, parse_date, required_date};

/// The longest narrative a standard may carry: enough for a full account, short enough to print.
pub const NARRATIVE_LIMIT: usize = 20_000;
/// The longest finding, request, answer or comment.
pub const NOTE_LIMIT: usize = 5_000;

crate::vocabulary! {
    /// What a live check found in the provider's own records (`catalogue::model::LiveCheck`).
    /// `NotEnoughData` is said when the records cannot answer (no registered clinicians, no
    /// commissioners): it never counts against a standard.
    pub enum Verdict {
        Holds => ("holds", "Holds"),
        Fails => ("fails", "Fails"),
        NotEnoughData => ("not_enough_data", "Not enough data"),
    }
    name = "live check verdict", stored_in = [live_verdicts(provider_id).verdict];
}

crate::vocabulary! {
    /// Where a provider stands on the SEQOHS pathway (DOMAIN.md: register, work towards, assess,
    /// submit, visit, outcome).
    #[derive(Default)]
    pub enum AccreditationStatus {
        #[default]
        NotRegistered => ("not_registered", "Not registered"),
        WorkingTowards => ("working_towards", "Working towards accreditation"),
        SelfAssessmentComplete => ("self_assessment_complete", "Self-assessment complete"),
        EvidenceSubmitted => ("evidence_submitted", "Evidence submitted"),
        VisitBooked => ("visit_booked", "Assessment visit booked"),
        Accredited => ("accredited", "Accredited"),
        Deferred => ("deferred", "Deferred"),
        Unsuccessful => ("unsuccessful", "Unsuccessful"),
        Lapsed => ("lapsed", "Lapsed"),
    }
    name = "accreditation status", stored_in = [accreditations(provider_id).status];
}

crate::vocabulary! {
    /// Which round of assessment a cycle is.
    pub enum CycleKind {
        Initial => ("initial", "Initial accreditation"),
        AnnualRenewal => ("annual_renewal", "Annual renewal"),
        Reaccreditation => ("reaccreditation", "Reaccreditation"),
    }
    name = "cycle kind", stored_in = [assessment_cycles.kind];
}

crate::vocabulary! {
    /// How far the work on a standard has got; kept apart from its result.
    pub enum Workflow {
        ToDo => ("to_do", "To do"),
        InProgress => ("in_progress", "In progress"),
        InReview => ("in_review", "In review"),
        Done => ("done", "Done"),
    }
    name = "workflow state", stored_in = [standard_assessments.workflow];
}

crate::vocabulary! {
    /// The service's own judgement against a standard.
    pub enum AssessmentResult {
        NotAssessed => ("not_assessed", "Not assessed"),
        Met => ("met", "Met"),
        PartlyMet => ("partly_met", "Partly met"),
        NotMet => ("not_met", "Not met"),
        NotApplicable => ("not_applicable", "Not applicable"),
    }
    name = "result", stored_in = [standard_assessments.result];
}

crate::vocabulary! {
    /// The grading assessors use for what they find.
    pub enum FindingGrade {
        MajorNonconformity => ("major_nonconformity", "Major nonconformity"),
        MinorNonconformity => ("minor_nonconformity", "Minor nonconformity"),
        Observation => ("observation", "Observation"),
        OpportunityForImprovement => ("opportunity_for_improvement", "Opportunity for improvement"),
        GoodPractice => ("good_practice", "Good practice"),
    }
    name = "finding grade", stored_in = [findings.grade];
}

crate::vocabulary! {
    /// Who raised a finding: the service's own audit, or an assessor from outside.
    pub enum FindingSource {
        InternalAudit => ("internal_audit", "Internal audit"),
        ExternalAssessment => ("external_assessment", "External assessment"),
    }
    name = "finding source", stored_in = [findings.source];
}

crate::vocabulary! {
    /// An assessor request's progress.
    pub enum RequestStatus {
        Open => ("open", "Open"),
        Answered => ("answered", "Answered"),
        Accepted => ("accepted", "Accepted"),
        Returned => ("returned", "Returned with a comment"),
    }
    name = "request status", stored_in = [assessor_requests.status];
}

impl RequestStatus {
    /// Open and returned requests wait on the service; answered ones on the assessor.
    pub fn awaits_service(self) -> bool {
        matches!(self, RequestStatus::Open | RequestStatus::Returned)
    }
}

impl FindingGrade {
    /// Nonconformities must say what will be done; the other grades may.
    pub fn needs_action(self) -> bool {
        matches!(self, FindingGrade::MajorNonconformity | FindingGrade::MinorNonconformity)
    }
}

fn optional_id(errors: &mut FieldErrors, field: &'static str, value: &str) -> Option<i32> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    match value.parse::<i32>() {
        Ok(id) => Some(id),
        Err(_) => {
            errors.add(field, "Choose someone from the list");
            None
        }
    }
}

/// A standard's self-assessment as submitted from the form.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct AssessmentInput {
    pub workflow: String,
    pub result: String,
    pub not_applicable_reason: String,
    pub owner_user_id: String,
    pub target_on: String,
    pub narrative: String,
}

/// A checked self-assessment of one standard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessmentChange {
    pub workflow: Workflow,
    pub result: AssessmentResult,
    pub not_applicable_reason: Option<String>,
    pub owner_user_id: Option<i32>,
    pub target_on: Option<NaiveDate>,
    pub narrative: String,
}

impl AssessmentInput {
    /// Every bad field at once.
    pub fn parse(&self) -> Result<AssessmentChange, FieldErrors> {
        let mut errors = FieldErrors::default();
        let workflow = Workflow::parse(&self.workflow);
        if workflow.is_none() {
            errors.add("workflow", "Choose how far the work on this standard has got");
        }
        let result = AssessmentResult::parse(&self.result);
        if result.is_none() {
            errors.add("result", "Choose a result: not assessed, met, partly met, not met or not applicable");
        }
        let reason =
            limited_text(&mut errors, "not_applicable_reason", &self.not_applicable_reason, NOTE_LIMIT, "The reason");
        if result == Some(AssessmentResult::NotApplicable) && reason.is_empty() {
            errors.add("not_applicable_reason", "Say why this standard does not apply to the service");
        }
        let narrative = limited_text(&mut errors, "narrative", &self.narrative, NARRATIVE_LIMIT, "The narrative");
        let owner_user_id = optional_id(&mut errors, "owner_user_id", &self.owner_user_id);
        let target_on = optional_date(&mut errors, "target_on", &self.target_on);
        match (workflow, result) {
            (Some(workflow), Some(result)) if errors.is_empty() => Ok(AssessmentChange {
                workflow,
                result,
                not_applicable_reason: (result == AssessmentResult::NotApplicable).then_some(reason),
                owner_user_id,
                target_on,
                narrative,
            }),
            _ => Err(errors),
        }
    }
}

/// A step on the accreditation pathway as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct AccreditationInput {
    pub status: String,
    pub status_on: String,
    pub visit_on: String,
    pub deferred_actions: String,
    pub deferred_due: String,
}

/// A checked step: the new status, the day it happened, and what that status needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccreditationChange {
    pub status: AccreditationStatus,
    pub status_on: NaiveDate,
    pub visit_on: Option<NaiveDate>,
    pub deferred_actions: Option<String>,
    pub deferred_due: Option<NaiveDate>,
}

impl AccreditationInput {
    pub fn parse(&self) -> Result<AccreditationChange, FieldErrors> {
        let mut errors = FieldErrors::default();
        let status = AccreditationStatus::parse(&self.status);
        if status.is_none() {
            errors.add("status", "Choose the service's accreditation status");
        }
        let status_on = required_date(&mut errors, "status_on", &self.status_on, "Enter the date this happened");
        let mut visit_on = None;
        let mut deferred_actions = None;
        let mut deferred_due = None;
        match status {
            Some(AccreditationStatus::VisitBooked) => {
                visit_on = required_date(&mut errors, "visit_on", &self.visit_on, "Enter the date of the visit");
                if let (Some(visit), Some(booked)) = (visit_on, status_on) {
                    if visit < booked {
                        errors.add("visit_on", "The visit cannot be before the day it was booked");
                    }
                }
            }
            Some(AccreditationStatus::Deferred) => {
                let actions =
                    limited_text(&mut errors, "deferred_actions", &self.deferred_actions, NOTE_LIMIT, "Key actions");
                if actions.is_empty() {
                    errors.add("deferred_actions", "Enter the key actions the assessors asked for");
                }
                deferred_actions = Some(actions);
                deferred_due = required_date(
                    &mut errors,
                    "deferred_due",
                    &self.deferred_due,
                    "Enter the date the actions are due",
                );
                if let (Some(due), Some(deferred)) = (deferred_due, status_on) {
                    if due < deferred {
                        errors.add("deferred_due", "The actions cannot be due before the deferral");
                    }
                }
            }
            _ => {}
        }
        match (status, status_on) {
            (Some(status), Some(status_on)) if errors.is_empty() => {
                Ok(AccreditationChange { status, status_on, visit_on, deferred_actions, deferred_due })
            }
            _ => Err(errors),
        }
    }
}

/// A finding as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct FindingInput {
    pub grade: String,
    pub description: String,
    pub action_needed: String,
    pub raised_on: String,
}

/// A checked finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFinding {
    pub grade: FindingGrade,
    pub description: String,
    pub action_needed: String,
    pub raised_on: NaiveDate,
}

impl FindingInput {
    /// `today` bounds the date: a finding cannot be raised in the future.
    pub fn parse(&self, today: NaiveDate) -> Result<NewFinding, FieldErrors> {
        let mut errors = FieldErrors::default();
        let grade = FindingGrade::parse(&self.grade);
        if grade.is_none() {
            errors.add("grade", "Choose a grade, from major nonconformity to good practice");
        }
        let description = limited_text(&mut errors, "description", &self.description, NOTE_LIMIT, "The finding");
        if description.is_empty() {
            errors.add("description", "Describe what was found");
        }
        let action_needed = limited_text(&mut errors, "action_needed", &self.action_needed, NOTE_LIMIT, "The action");
        if action_needed.is_empty() && grade.is_some_and(FindingGrade::needs_action) {
            errors.add("action_needed", "Say what the service must do about this nonconformity");
        }
        let raised_on = required_date(&mut errors, "raised_on", &self.raised_on, "Enter the date of the finding");
        if raised_on.is_some_and(|d| d > today) {
            errors.add("raised_on", "A finding cannot be dated in the future");
        }
        match (grade, raised_on) {
            (Some(grade), Some(raised_on)) if errors.is_empty() => {
                Ok(NewFinding { grade, description, action_needed, raised_on })
            }
            _ => Err(errors),
        }
    }
}

/// Checks a request's, answer's or comment's text: required, and no longer than a note may be.
pub fn note(field: &'static str, value: &str, missing: &str) -> Result<String, FieldErrors> {
    let mut errors = FieldErrors::default();
    let text = limited_text(&mut errors, field, value, NOTE_LIMIT, "The text");
    if text.is_empty() {
        errors.add(field, missing);
    }
    if errors.is_empty() {
        Ok(text)
    } else {
        Err(errors)
    }
}

/// The next cycle as asked for on the accreditation page.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct CycleInput {
    pub kind: String,
    /// The framework's code; the store refuses one that does not follow the current framework.
    pub framework: String,
    pub started_on: String,
}

/// A checked request for the next cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextCycle {
    pub kind: CycleKind,
    pub framework: String,
    pub started_on: NaiveDate,
}

impl CycleInput {
    pub fn parse(&self) -> Result<NextCycle, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = CycleKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "Choose annual renewal or reaccreditation");
        }
        let started_on = parse_date("started_on", &self.started_on).map_err(|bad| errors.merge(bad)).ok();
        match (kind, started_on) {
            (Some(kind), Some(started_on)) if errors.is_empty() => {
                Ok(NextCycle { kind, framework: self.framework.trim().to_string(), started_on })
            }
            _ => Err(errors),
        }
    }
}

/// An assessor's request for evidence, as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct RequestInput {
    /// The standard it is about, if any.
    pub standard: String,
    pub request_text: String,
}

/// A checked request: the standard's reference (upper case) if one was named, and the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub standard: Option<String>,
    pub text: String,
}

impl RequestInput {
    pub fn parse(&self) -> Result<NewRequest, FieldErrors> {
        let text = note("request_text", &self.request_text, "Say what evidence you need")?;
        let standard = self.standard.trim().to_uppercase();
        Ok(NewRequest { standard: (!standard.is_empty()).then_some(standard), text })
    }
}

/// The service's answer to a request, as submitted: words, evidence from its library, or both.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct AnswerInput {
    pub answer_text: String,
    /// Ticked items; a value may also list several ids, separated by commas or spaces.
    pub evidence: Vec<String>,
}

/// A checked answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub text: String,
    pub evidence: Vec<i32>,
}

impl AnswerInput {
    /// The ticked ids, each value split where it lists several.
    pub fn chosen(&self) -> Vec<String> {
        self.evidence
            .iter()
            .flat_map(|v| v.split(|c: char| c == ',' || c.is_whitespace()).map(str::to_string))
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub fn parse(&self) -> Result<Answer, FieldErrors> {
        let mut errors = FieldErrors::default();
        let text = self.answer_text.trim().to_string();
        if text.chars().count() > NOTE_LIMIT {
            errors.add("answer_text", format!("The answer must be {NOTE_LIMIT} characters or fewer"));
        }
        let chosen = self.chosen();
        let evidence: Vec<i32> = chosen.iter().filter_map(|v| v.parse().ok()).collect();
        if evidence.len() != chosen.len() {
            errors.add("evidence", "Attach evidence from this service's own library");
        }
        errors.into_result()?;
        Ok(Answer { text, evidence })
    }
}

/// An assessor's decision on an answer, as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct DecisionInput {
    /// `accept` or `return`.
    pub decision: String,
    pub decision_comment: String,
}

/// A checked decision: accepted or returned, with the assessor's comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub accept: bool,
    pub comment: String,
}

impl DecisionInput {
    pub fn parse(&self) -> Result<Decision, FieldErrors> {
        let mut errors = FieldErrors::default();
        let accept = match self.decision.as_str() {
            "accept" => Some(true),
            "return" => Some(false),
            _ => {
                errors.add("decision", "Choose to accept the answer or return it");
                None
            }
        };
        let comment = self.decision_comment.trim().to_string();
        if comment.chars().count() > NOTE_LIMIT {
            errors.add("decision_comment", format!("The comment must be {NOTE_LIMIT} characters or fewer"));
        }
        match accept {
            Some(accept) if errors.is_empty() => Ok(Decision { accept, comment }),
            _ => Err(errors),
        }
    }
}

/// The date a finding is closed on, as submitted: blank means today.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct CloseInput {
    pub closed_on: String,
}

impl CloseInput {
    /// `today` bounds the date: a finding cannot be closed in the future.
    pub fn parse(&self, today: NaiveDate) -> Result<NaiveDate, FieldErrors> {
        let closed_on =
            if self.closed_on.trim().is_empty() { today } else { parse_date("closed_on", &self.closed_on)? };
        if closed_on > today {
            return Err(FieldErrors::one("closed_on", "A finding cannot be closed in the future"));
        }
        Ok(closed_on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assessment(result: &str, reason: &str, narrative: &str) -> AssessmentInput {
        AssessmentInput {
            workflow: "in_progress".into(),
            result: result.into(),
            not_applicable_reason: reason.into(),
            narrative: narrative.into(),
            ..Default::default()
        }
    }

    #[test]
    fn not_applicable_needs_a_reason() {
        let refused = assessment("not_applicable", "  ", "").parse().unwrap_err();
        assert!(refused.0.contains_key("not_applicable_reason"));
        let accepted = assessment("not_applicable", "We employ no one at sea", "").parse().unwrap();
        assert_eq!(accepted.not_applicable_reason.as_deref(), Some("We employ no one at sea"));
        // A reason given with another result is not kept: it would mislead.
        assert_eq!(assessment("met", "left over", "").parse().unwrap().not_applicable_reason, None);
    }

    #[test]
    fn the_narrative_limit_counts_characters_not_bytes() {
        let at_limit = "é".repeat(NARRATIVE_LIMIT);
        assert!(assessment("met", "", &at_limit).parse().is_ok());
        let over = "a".repeat(NARRATIVE_LIMIT + 1);
        let refused = assessment("met", "", &over).parse().unwrap_err();
        assert_eq!(refused.0["narrative"], "The narrative must be 20000 characters or fewer; it has 20001");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let input = AssessmentInput {
            workflow: "finished".into(),
            result: "great".into(),
            owner_user_id: "bob".into(),
            target_on: "31/02/2027".into(),
            ..Default::default()
        };
        let errors = input.parse().unwrap_err();
        let fields: Vec<&str> = errors.0.keys().copied().collect();
        assert_eq!(fields, ["owner_user_id", "result", "target_on", "workflow"]);
    }

    #[test]
    fn a_deferral_needs_its_actions_and_a_due_date_not_before_it() {
        let input = AccreditationInput {
            status: "deferred".into(),
            status_on: "2026-06-01".into(),
            deferred_due: "2026-05-31".into(),
            ..Default::default()
        };
        let errors = input.parse().unwrap_err();
        assert!(errors.0.contains_key("deferred_actions"));
        assert!(errors.0.contains_key("deferred_due"));
        let fixed = AccreditationInput {
            deferred_actions: "Complete the hand hygiene audit".into(),
            deferred_due: "01/06/2026".into(),
            ..input
        };
        assert_eq!(fixed.parse().unwrap().deferred_due, NaiveDate::from_ymd_opt(2026, 6, 1));
    }

    #[test]
    fn a_booked_visit_needs_its_date() {
        let input =
            AccreditationInput { status: "visit_booked".into(), status_on: "2026-06-01".into(), ..Default::default() };
        assert!(input.parse().unwrap_err().0.contains_key("visit_on"));
        let booked = AccreditationInput { visit_on: "2026-09-14".into(), ..input };
        assert_eq!(booked.parse().unwrap().visit_on, NaiveDate::from_ymd_opt(2026, 9, 14));
    }

    #[test]
    fn nonconformities_need_an_action_and_findings_are_not_dated_ahead() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let input = FindingInput {
            grade: "minor_nonconformity".into(),
            description: "Two of ten reports lacked consent records".into(),
            action_needed: "".into(),
            raised_on: "2026-11-24".into(),
        };
        let errors = input.parse(today).unwrap_err();
        assert!(errors.0.contains_key("action_needed"));
        assert_eq!(errors.0["raised_on"], "A finding cannot be dated in the future");
        let praise = FindingInput { grade: "good_practice".into(), raised_on: "2026-11-23".into(), ..input };
        assert!(praise.parse(today).is_ok(), "good practice needs no action");
    }
}
