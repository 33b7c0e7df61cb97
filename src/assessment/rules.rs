//! Judgements over plain facts: the readiness figures, the dates that follow from the
//! accreditation record, and how a cycle's assessment carries into the next. Pure.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::accounts::access::Capability;
use crate::accounts::model::OrganisationType;
use crate::catalogue::model::{Level, LiveCheck};
use crate::evidence::rules::{review_state, ReviewState};

use super::model::{AccreditationChange, AccreditationStatus, AssessmentResult, RequestStatus, Verdict, Workflow};
use crate::form::FieldErrors;

/// SEQOHS accreditation lasts five years.
pub const ACCREDITATION_YEARS: u32 = 5;
/// The self-assessment is to be finished within two years of registering (DOMAIN.md).
pub const SELF_ASSESSMENT_YEARS: u32 = 2;

/// One standard of the framework being assessed.
#[derive(Debug, Clone)]
pub struct Standard {
    pub node_id: i32,
    pub reference: String,
    pub title: String,
    pub level: Level,
    pub domain_reference: String,
}

/// One domain, in catalogue order.
#[derive(Debug, Clone)]
pub struct Domain {
    pub reference: String,
    pub title: String,
    /// False for the optional sector-specific domain where it does not apply to the provider: it is
    /// shown, and its standards are not counted.
    pub applies: bool,
}

/// The reference of the optional domain of sector-specific (NHS) standards, domain 6.
pub const NHS_DOMAIN: &str = "SS";

/// The 2015 framework's optional NHS domain, which NHS Plus added beside domains A to F.
pub const NHS_DOMAIN_2015: &str = "NHS";

/// Whether a domain is the optional NHS one, of either framework: the same choice decides both.
pub fn is_nhs_domain(reference: &str) -> bool {
    reference == NHS_DOMAIN || reference == NHS_DOMAIN_2015
}

/// Whether the sector-specific (NHS) standards apply to a provider. The provider's own choice
/// wins; by default (None) they apply to an NHS provider (in-house or hosting) or to one with a
/// current contract with an NHS commissioner (an NHS trust or an ICB), and not otherwise.
pub fn nhs_domain_applies(
    choice: Option<bool>,
    organisation_type: Option<OrganisationType>,
    has_current_nhs_contract: bool,
) -> bool {
    let nhs_provider = matches!(organisation_type, Some(OrganisationType::NhsInHouse | OrganisationType::NhsHosting));
    choice.unwrap_or(nhs_provider || has_current_nhs_contract)
}

/// A standard's assessment as saved. A standard with none is to do and not assessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessed {
    pub workflow: Workflow,
    pub result: AssessmentResult,
    pub carried_over: bool,
    pub owner_user_id: Option<i32>,
}

impl Default for Assessed {
    fn default() -> Self {
        Assessed {
            workflow: Workflow::ToDo,
            result: AssessmentResult::NotAssessed,
            carried_over: false,
            owner_user_id: None,
        }
    }
}

/// A live (not superseded) evidence item of the provider, with the standards it is linked to.
#[derive(Debug, Clone)]
pub struct Evidence {
    pub review_due: Option<NaiveDate>,
    pub owner_user_id: Option<i32>,
    pub node_ids: Vec<i32>,
}

/// A live check's verdict on a standard, as the readiness figures, the standard's page and the
/// API show it beside the manager's result. The `live` area judges it and hands it in (this area
/// cannot import that one): see `store::LiveJudge`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveVerdict {
    pub check: LiveCheck,
    /// The check's question in words ("Every registered clinician's registration is current").
    pub question: &'static str,
    pub verdict: Verdict,
    /// The facts in one line: "2 registrations expired: S003, S009".
    pub summary: String,
    pub facts: Vec<LiveFact>,
    /// The day the check came to this verdict (or was first judged), for "failing for 12 days".
    pub since: NaiveDate,
    /// Every exception recorded against this check on this standard, newest first; an ended or
    /// expired one stays listed.
    pub exceptions: Vec<LiveException>,
}

/// One fact behind a verdict, and the record it rests on (a path on this site).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveFact {
    pub text: String,
    pub href: Option<String>,
    /// The capability the record's page authorises, so a page links it only for those who may
    /// open it.
    #[serde(skip)]
    pub needs: Capability,
}

/// A recorded exception to a failing check on one standard: why the records fail and the standard
/// is still met, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveException {
    pub id: i32,
    pub reason: String,
    pub ends_on: NaiveDate,
    pub recorded_by: Option<String>,
    pub recorded_at: NaiveDateTime,
    /// Set when someone ended it before its end date.
    pub ended_at: Option<NaiveDateTime>,
}

impl LiveException {
    /// In force on `today`: not ended, and its last day not passed.
    pub fn in_force(&self, today: NaiveDate) -> bool {
        self.ended_at.is_none() && today <= self.ends_on
    }
}

impl LiveVerdict {
    /// A failing check no exception in force on `today` excuses.
    pub fn fails_unexcused(&self, today: NaiveDate) -> bool {
        self.verdict == Verdict::Fails && !self.exceptions.iter().any(|e| e.in_force(today))
    }
}

impl LiveVerdict {
    /// How long the check has had its verdict, in words: "Failing since 3 November 2026 (29
    /// days)", "Holding since 2 December 2026 (today)".
    pub fn standing(&self, today: NaiveDate) -> String {
        let how = match self.verdict {
            Verdict::Holds => "Holding",
            Verdict::Fails => "Failing",
            Verdict::NotEnoughData => "Not enough data",
        };
        let days = usize::try_from((today - self.since).num_days()).unwrap_or(0);
        let length = if days == 0 { "today".to_string() } else { crate::words::counted(days, "day", "days") };
        format!("{how} since {} ({length})", crate::words::long_date(self.since))
    }
}

impl LiveException {
    /// Where the exception stands on `today`, in words: "In force until 31 January 2027", "Ended
    /// early", "Expired on 31 January 2027".
    pub fn standing(&self, today: NaiveDate) -> String {
        let last = crate::words::long_date(self.ends_on);
        match self.ended_at {
            Some(_) => format!("Ended early (it was to run until {last})"),
            None if today <= self.ends_on => format!("In force until {last}"),
            None => format!("Expired after {last}"),
        }
    }
}

/// Marked met, while a live check on it fails with no exception in force: the records say
/// otherwise. Only the records (or a recorded exception) clear it; the result cannot.
pub fn is_contradicted(result: AssessmentResult, live: &[LiveVerdict], today: NaiveDate) -> bool {
    result == AssessmentResult::Met && live.iter().any(|v| v.fails_unexcused(today))
}

/// Everything the readiness figures are counted from.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub domains: Vec<Domain>,
    pub standards: Vec<Standard>,
    pub assessed: HashMap<i32, Assessed>,
    pub evidence: Vec<Evidence>,
    /// Open findings by standard.
    pub open_findings: HashMap<i32, usize>,
    /// Requests waiting on the service or the assessor, by standard (None: not about one standard).
    pub open_requests: HashMap<Option<i32>, usize>,
    /// The live checks' verdicts, by standard (node id), for the standards that name checks.
    pub live: HashMap<i32, Vec<LiveVerdict>>,
}

/// One standard's line in the readiness figures and the JSON.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct StandardReadiness {
    pub node_id: i32,
    pub reference: String,
    pub title: String,
    pub level: Level,
    pub workflow: Workflow,
    pub result: AssessmentResult,
    pub carried_over: bool,
    pub owner_user_id: Option<i32>,
    pub evidence_count: usize,
    pub current_evidence_count: usize,
    pub overdue_evidence_count: usize,
    pub open_findings: usize,
    /// Marked met, with no evidence in date: an assessor will ask.
    pub met_without_current_evidence: bool,
    /// The live checks the standard names, with their verdicts.
    pub live_checks: Vec<LiveVerdict>,
    /// Marked met while a live check fails unexcused (`is_contradicted`).
    pub contradicted: bool,
}

/// A "must" standard that applies and is not met: what an assessor will not accredit past.
pub fn is_must_not_met(level: Level, result: AssessmentResult) -> bool {
    level == Level::Must && !matches!(result, AssessmentResult::Met | AssessmentResult::NotApplicable)
}

impl StandardReadiness {
    pub fn is_must_not_met(&self) -> bool {
        is_must_not_met(self.level, self.result)
    }

    /// Not applicable standards need no evidence.
    pub fn lacks_evidence(&self) -> bool {
        self.evidence_count == 0 && self.result != AssessmentResult::NotApplicable
    }

    pub fn is_open(&self) -> bool {
        self.workflow != Workflow::Done
    }
}

/// One domain's counts, and its standards.
#[derive(Debug, Clone, Serialize)]
pub struct DomainReadiness {
    pub reference: String,
    pub title: String,
    /// False: not applicable to this service; shown, its standards not counted.
    pub applies: bool,
    /// Count per result, every result present (zero included), in the vocabulary's order.
    pub by_result: Vec<(AssessmentResult, usize)>,
    pub by_workflow: Vec<(Workflow, usize)>,
    pub standards: Vec<StandardReadiness>,
}

/// The dashboard's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Readiness {
    pub domains: Vec<DomainReadiness>,
    pub standard_count: usize,
    /// "Must" standards not yet met: not met, partly met or not assessed.
    pub must_not_met: usize,
    /// The same standards by result, the worst first, those with none left out.
    pub must_not_met_by_result: Vec<(AssessmentResult, usize)>,
    pub without_evidence: usize,
    pub met_without_current_evidence: usize,
    /// Standards marked met that the records contradict.
    pub contradicted: usize,
    pub carried_over: usize,
    pub evidence_items: usize,
    pub evidence_overdue: usize,
    pub evidence_due_soon: usize,
    pub open_findings: usize,
    pub open_requests: usize,
    /// Owners with the most open items (standards not done, evidence overdue or due soon), most first.
    pub busiest_owners: Vec<(i32, usize)>,
}

/// How many owners the dashboard lists.
pub const BUSIEST_OWNERS: usize = 5;

/// Counts every figure on the dashboard from the facts, as of `today`.
pub fn readiness(facts: &Facts, today: NaiveDate) -> Readiness {
    let mut evidence_by_node: HashMap<i32, (usize, usize, usize)> = HashMap::new();
    let mut owner_open: BTreeMap<i32, usize> = BTreeMap::new();
    let (mut evidence_overdue, mut evidence_due_soon) = (0, 0);
    for item in &facts.evidence {
        let state = review_state(item.review_due, today);
        match state {
            ReviewState::Overdue => evidence_overdue += 1,
            ReviewState::DueSoon => evidence_due_soon += 1,
            ReviewState::Current => {}
        }
        if state != ReviewState::Current {
            if let Some(owner) = item.owner_user_id {
                *owner_open.entry(owner).or_default() += 1;
            }
        }
        for node_id in &item.node_ids {
            let counts = evidence_by_node.entry(*node_id).or_default();
            counts.0 += 1;
            if state == ReviewState::Overdue {
                counts.2 += 1;
            } else {
                counts.1 += 1;
            }
        }
    }

    let unassessed = Assessed::default();
    let mut domains: Vec<DomainReadiness> = facts
        .domains
        .iter()
        .map(|d| DomainReadiness {
            reference: d.reference.clone(),
            title: d.title.clone(),
            applies: d.applies,
            by_result: AssessmentResult::ALL.iter().map(|r| (*r, 0)).collect(),
            by_workflow: Workflow::ALL.iter().map(|w| (*w, 0)).collect(),
            standards: Vec::new(),
        })
        .collect();
    for standard in &facts.standards {
        let Some(domain) = domains.iter_mut().find(|d| d.reference == standard.domain_reference) else { continue };
        let assessed = facts.assessed.get(&standard.node_id).unwrap_or(&unassessed);
        let (evidence_count, current, overdue) = evidence_by_node.get(&standard.node_id).copied().unwrap_or_default();
        let live_checks = facts.live.get(&standard.node_id).cloned().unwrap_or_default();
        let line = StandardReadiness {
            node_id: standard.node_id,
            reference: standard.reference.clone(),
            title: standard.title.clone(),
            level: standard.level,
            workflow: assessed.workflow,
            result: assessed.result,
            carried_over: assessed.carried_over,
            owner_user_id: assessed.owner_user_id,
            evidence_count,
            current_evidence_count: current,
            overdue_evidence_count: overdue,
            open_findings: facts.open_findings.get(&standard.node_id).copied().unwrap_or(0),
            met_without_current_evidence: assessed.result == AssessmentResult::Met && current == 0,
            contradicted: is_contradicted(assessed.result, &live_checks, today),
            live_checks,
        };
        if let Some(count) = domain.by_result.iter_mut().find(|(r, _)| *r == line.result) {
            count.1 += 1;
        }
        if let Some(count) = domain.by_workflow.iter_mut().find(|(w, _)| *w == line.workflow) {
            count.1 += 1;
        }
        if let (true, true, Some(owner)) = (domain.applies, line.is_open(), line.owner_user_id) {
            *owner_open.entry(owner).or_default() += 1;
        }
        domain.standards.push(line);
    }
    domains.retain(|d| !d.standards.is_empty());

    // Only the domains that apply are counted; one that does not is shown, marked.
    let all = || domains.iter().filter(|d| d.applies).flat_map(|d| d.standards.iter());
    let mut busiest_owners: Vec<(i32, usize)> = owner_open.into_iter().collect();
    busiest_owners.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    busiest_owners.truncate(BUSIEST_OWNERS);
    Readiness {
        standard_count: all().count(),
        must_not_met: all().filter(|s| s.is_must_not_met()).count(),
        must_not_met_by_result: [AssessmentResult::NotMet, AssessmentResult::PartlyMet, AssessmentResult::NotAssessed]
            .iter()
            .map(|&result| (result, all().filter(|s| s.is_must_not_met() && s.result == result).count()))
            .filter(|(_, n)| *n > 0)
            .collect(),
        without_evidence: all().filter(|s| s.lacks_evidence()).count(),
        met_without_current_evidence: all().filter(|s| s.met_without_current_evidence).count(),
        contradicted: all().filter(|s| s.contradicted).count(),
        carried_over: all().filter(|s| s.carried_over).count(),
        evidence_items: facts.evidence.len(),
        evidence_overdue,
        evidence_due_soon,
        open_findings: facts.open_findings.values().sum(),
        open_requests: facts.open_requests.values().sum(),
        busiest_owners,
        domains,
    }
}

/// A date that matters next, and what it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Milestone {
    pub what: &'static str,
    pub on: NaiveDate,
}

impl Milestone {
    /// The date has passed: a self-assessment, visit or key action that should already be done.
    pub fn is_past(&self, today: NaiveDate) -> bool {
        self.on < today
    }
}

/// The confirmation of a new cycle: how many assessments it carried over to be confirmed.
pub fn cycle_started(carried: usize) -> String {
    match carried {
        0 => "New cycle started".into(),
        n => format!(
            "New cycle started; {} carried over to confirm",
            crate::words::counted(n, "assessment", "assessments")
        ),
    }
}

/// The confirmation of an assessor's decision on an answer.
pub fn decision_said(accepted: bool) -> &'static str {
    if accepted {
        "Answer accepted"
    } else {
        "Answer returned to the service"
    }
}

/// Five years after accreditation, to the day (29 February falls back to 28 February).
pub fn expires_on(accredited_on: NaiveDate) -> Option<NaiveDate> {
    accredited_on.checked_add_months(Months::new(12 * ACCREDITATION_YEARS))
}

/// The first anniversary of accreditation on or after `today` and before expiry: the annual
/// renewal assessment is due then.
pub fn next_renewal(accredited_on: NaiveDate, today: NaiveDate) -> Option<NaiveDate> {
    let expiry = expires_on(accredited_on)?;
    (1..ACCREDITATION_YEARS)
        .filter_map(|years| accredited_on.checked_add_months(Months::new(12 * years)))
        .find(|anniversary| *anniversary >= today && *anniversary < expiry)
}

/// Whole months from `from` to `to` (0 when `to` is earlier): how long a service has been working
/// towards accreditation.
pub fn months_between(from: NaiveDate, to: NaiveDate) -> u32 {
    if to < from {
        return 0;
    }
    let months = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32;
    let months = if to.day() < from.day() { months - 1 } else { months };
    months.max(0) as u32
}

/// How long the service has been working towards accreditation: from registering until
/// accredited, or until today if not yet. None before registering.
pub fn months_working_towards(pathway: &Pathway, today: NaiveDate) -> Option<u32> {
    let registered = pathway.registered_on?;
    let end = match (pathway.status, pathway.accredited_on) {
        (AccreditationStatus::Accredited, Some(accredited)) => accredited,
        _ => today,
    };
    Some(months_between(registered, end))
}

/// The next date that matters for the status the service is in.
pub fn next_milestone(pathway: &Pathway, today: NaiveDate) -> Option<Milestone> {
    use AccreditationStatus::*;
    match pathway.status {
        WorkingTowards => pathway
            .registered_on?
            .checked_add_months(Months::new(12 * SELF_ASSESSMENT_YEARS))
            .map(|on| Milestone { what: "Self-assessment due (two years from registering)", on }),
        VisitBooked => pathway.visit_on.map(|on| Milestone { what: "Assessment visit", on }),
        Deferred => pathway.deferred_due.map(|on| Milestone { what: "Key actions due", on }),
        Accredited => {
            let accredited = pathway.accredited_on?;
            match next_renewal(accredited, today) {
                Some(on) => Some(Milestone { what: "Annual renewal due", on }),
                None => expires_on(accredited).map(|on| Milestone { what: "Accreditation expires", on }),
            }
        }
        NotRegistered | SelfAssessmentComplete | EvidenceSubmitted | Unsuccessful | Lapsed => None,
    }
}

/// A standard's assessment in the cycle being carried from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    pub node_id: i32,
    pub workflow: Workflow,
    pub result: AssessmentResult,
    pub not_applicable_reason: Option<String>,
    pub owner_user_id: Option<i32>,
    pub narrative: String,
}

/// A standard's assessment as carried into the new cycle, marked for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    pub node_id: i32,
    pub workflow: Workflow,
    pub result: AssessmentResult,
    pub not_applicable_reason: Option<String>,
    pub owner_user_id: Option<i32>,
    pub narrative: String,
}

/// How cautious a combined result is: several old standards folded into one new one take the
/// least assured of their results.
fn assurance(result: AssessmentResult) -> u8 {
    match result {
        AssessmentResult::NotAssessed => 0,
        AssessmentResult::NotMet => 1,
        AssessmentResult::PartlyMet => 2,
        AssessmentResult::Met => 3,
        AssessmentResult::NotApplicable => 4,
    }
}

/// Carries a cycle's assessments forward. `sources` maps each standard of the new framework to
/// the standards of the old one it takes over (for the same framework, each to itself). A result
/// is kept but marked carried over; work that was done goes back to review, since someone must
/// confirm it; several sources combine into the least assured result and their narratives in turn,
/// each headed by its old reference.
pub fn carry_over(
    previous: &[Previous],
    sources: &[(i32, Vec<(i32, String)>)],
    narrative_limit: usize,
) -> Vec<Carried> {
    let by_node: HashMap<i32, &Previous> = previous.iter().map(|p| (p.node_id, p)).collect();
    let mut carried = Vec::new();
    for (node_id, from) in sources {
        let found: Vec<(&String, &Previous)> =
            from.iter().filter_map(|(id, reference)| by_node.get(id).map(|p| (reference, *p))).collect();
        let Some((_, first)) = found.first() else { continue };
        let result = found.iter().map(|(_, p)| p.result).min_by_key(|r| assurance(*r)).unwrap_or(first.result);
        let narrative = if found.len() == 1 && from.len() == 1 && from[0].0 == *node_id {
            first.narrative.clone()
        } else {
            found
                .iter()
                .filter(|(_, p)| !p.narrative.is_empty())
                .map(|(reference, p)| format!("Carried from {reference}: {}", p.narrative))
                .collect::<Vec<_>>()
                .join("\n\n")
        };
        let narrative: String = narrative.chars().take(narrative_limit).collect();
        let reasons: Vec<&str> = found.iter().filter_map(|(_, p)| p.not_applicable_reason.as_deref()).collect();
        let workflow = match found.iter().map(|(_, p)| p.workflow).min() {
            Some(Workflow::ToDo) | None => Workflow::ToDo,
            Some(Workflow::InProgress) => Workflow::InProgress,
            Some(_) => Workflow::InReview,
        };
        carried.push(Carried {
            node_id: *node_id,
            workflow,
            result,
            not_applicable_reason: (result == AssessmentResult::NotApplicable).then(|| reasons.join("; ")),
            owner_user_id: found.iter().find_map(|(_, p)| p.owner_user_id),
            narrative,
        });
    }
    carried
}

/// What the accreditation record keeps of the pathway: the step the service is at, and the date
/// of each step reached, so the record shows when it registered, submitted and was accredited. The
/// rules judge the months working towards and the next date that matters from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pathway {
    pub status: AccreditationStatus,
    pub status_on: Option<NaiveDate>,
    pub registered_on: Option<NaiveDate>,
    pub self_assessment_completed_on: Option<NaiveDate>,
    pub evidence_submitted_on: Option<NaiveDate>,
    pub visit_on: Option<NaiveDate>,
    pub accredited_on: Option<NaiveDate>,
    pub deferred_actions: Option<String>,
    pub deferred_due: Option<NaiveDate>,
}

impl Default for Pathway {
    fn default() -> Self {
        Pathway {
            status: AccreditationStatus::NotRegistered,
            status_on: None,
            registered_on: None,
            self_assessment_completed_on: None,
            evidence_submitted_on: None,
            visit_on: None,
            accredited_on: None,
            deferred_actions: None,
            deferred_due: None,
        }
    }
}

/// The record after a step. Each step keeps its own date, and the dates of the steps before stay;
/// accreditation cannot be recorded before the service's registration is.
pub fn take_step(before: &Pathway, change: &AccreditationChange) -> Result<Pathway, FieldErrors> {
    use AccreditationStatus::*;
    let on = Some(change.status_on);
    let mut after = Pathway { status: change.status, status_on: on, ..before.clone() };
    match change.status {
        NotRegistered | Unsuccessful | Lapsed => {}
        WorkingTowards => after.registered_on = on,
        SelfAssessmentComplete => after.self_assessment_completed_on = on,
        EvidenceSubmitted => after.evidence_submitted_on = on,
        VisitBooked => after.visit_on = change.visit_on,
        Accredited => after.accredited_on = on,
        Deferred => {
            after.deferred_actions = change.deferred_actions.clone();
            after.deferred_due = change.deferred_due;
        }
    }
    if change.status == Accredited && after.registered_on.is_none() {
        return Err(FieldErrors::one("status", "Record when the service registered before recording accreditation"));
    }
    Ok(after)
}

/// Whether the service may answer a request in this state: open and returned requests wait on it.
pub fn may_answer(status: RequestStatus, text: &str, evidence: &[i32]) -> Result<(), FieldErrors> {
    if !status.awaits_service() {
        let message = format!("This request is {} and cannot be answered", status.label().to_lowercase());
        return Err(FieldErrors::one("answer_text", message));
    }
    if text.is_empty() && evidence.is_empty() {
        return Err(FieldErrors::one("answer_text", "Write an answer or attach evidence"));
    }
    Ok(())
}

/// The state an assessor's decision moves a request to: only an answered request can be accepted
/// or returned, and a returned one needs a comment saying what is missing.
pub fn decided(status: RequestStatus, accept: bool, comment: &str) -> Result<RequestStatus, FieldErrors> {
    if status != RequestStatus::Answered {
        return Err(FieldErrors::one("decision", "Only an answered request can be accepted or returned"));
    }
    if !accept && comment.is_empty() {
        return Err(FieldErrors::one("decision_comment", "Say what is missing, so the service can answer again"));
    }
    Ok(if accept { RequestStatus::Accepted } else { RequestStatus::Returned })
}

#[cfg(test)]
mod tests;
