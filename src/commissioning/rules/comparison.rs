//! A provider's row in a commissioner's comparison, and the problems a commissioner filters by.
//! Pure: the figures are read off [`ProviderFacts`], judged by the areas' own rules.
//!
//! The figures a commissioner would act on are "marked" (a word and a class on the page, a flag in
//! the JSON and CSV): not accredited, a core or sub-specialism gap, this year's plan not signed off
//! (or changed since), a "must" standard not met, people with workforce issues, overdue audit
//! actions, KPIs missing target, and a customer review overdue.

use chrono::NaiveDate;
use serde::Serialize;

use crate::assessment::model::AccreditationStatus;
use crate::assessment::rules::{months_working_towards, Pathway};
use crate::audits::model::PlanState;
use crate::commissioning::model::ProviderFacts;
use crate::commissioning::rules::reviews::review_overdue;

crate::vocabulary! {
    /// A problem a commissioner filters the comparison by (`?problem=gaps`).
    pub enum Problem {
        NotAccredited => ("not_accredited", "Not accredited"),
        Gaps => ("gaps", "Core or sub-specialism gaps"),
        PlanNotSignedOff => ("plan_not_signed_off", "Audit plan not signed off"),
        MustNotMet => ("must_not_met", "Must standards not met"),
        WorkforceIssues => ("workforce_issues", "Workforce issues"),
        OverdueActions => ("overdue_actions", "Overdue audit actions"),
        KpisMissingTarget => ("kpis_missing_target", "KPIs missing target"),
        ReviewOverdue => ("review_overdue", "Customer review overdue"),
    }
    name = "problem", stored_in = [];
}

/// One provider's figures in the comparison: the numbers the page sorts and filters by, each kept
/// as a real column of `provider_figures`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub accreditation: AccreditationStatus,
    /// Months from registering until accredited (or `as_of`); None before registering.
    pub months_working_towards: Option<u32>,
    /// Standards met of those that apply, over every domain: the domains' sort key, in thousandths.
    pub standards_met: usize,
    pub standards_applicable: usize,
    pub met_per_mille: u32,
    pub must_not_met: usize,
    pub core_gaps: usize,
    pub subspecialism_gaps: usize,
    pub arrangements_ending: usize,
    pub people_with_issues: usize,
    pub non_clinical_supervised: usize,
    pub non_clinical_needing_supervision: usize,
    /// None: no plan for this financial year.
    pub plan_state: Option<PlanState>,
    pub plan_changed_since_sign_off: bool,
    pub overdue_actions: usize,
    pub last_kpi_period_end: Option<NaiveDate>,
    pub kpis_missing_target: usize,
    /// Every problem found, in the vocabulary's order.
    pub problems: Vec<Problem>,
}

/// Accredited is the only status a commissioner need not chase.
pub fn is_accredited(status: AccreditationStatus) -> bool {
    status == AccreditationStatus::Accredited
}

/// This year's plan is signed off and unchanged since.
pub fn plan_signed_off(state: Option<PlanState>, changed_since: bool) -> bool {
    state == Some(PlanState::SignedOff) && !changed_since
}

/// Where one commissioner stands with one provider's customer reviews, read live: its last
/// confirmed review, and the earliest start of its current contract (the first review falls due six
/// months after it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WithCommissioner {
    pub last_review: Option<NaiveDate>,
    pub contracted_since: NaiveDate,
}

/// The row's figures as of `facts.as_of`. Whether a customer review is overdue is judged for the
/// commissioner given (`with`), not from the kept facts; with none, it is not judged.
pub fn figures(facts: &ProviderFacts, with: Option<WithCommissioner>) -> Figures {
    let status = facts.accreditation.as_ref().map(|a| a.status).unwrap_or_default();
    let pathway = facts.accreditation.as_ref().map(|a| Pathway {
        status: a.status,
        status_on: a.status_on,
        registered_on: a.registered_on,
        accredited_on: a.accredited_on,
        ..Pathway::default()
    });
    let standards_met: usize = facts.domains.iter().map(|d| d.met).sum();
    let standards_applicable: usize = facts.domains.iter().map(|d| d.applicable).sum();
    let met_per_mille = share_per_mille(standards_met, standards_applicable);
    let plan_state = facts.audit_plan.as_ref().map(|p| p.state);
    let plan_changed = facts.audit_plan.as_ref().is_some_and(|p| p.changed_since_sign_off);
    let mut figures = Figures {
        accreditation: status,
        months_working_towards: pathway.as_ref().and_then(|p| months_working_towards(p, facts.as_of)),
        standards_met,
        standards_applicable,
        met_per_mille,
        must_not_met: facts.must_not_met.len(),
        core_gaps: facts.coverage.core_gaps.len(),
        subspecialism_gaps: facts.coverage.subspecialism_gaps.len(),
        arrangements_ending: facts.coverage.arrangements_ending.len(),
        people_with_issues: facts.workforce.people_with_issues,
        non_clinical_supervised: facts.workforce.non_clinical_supervised,
        non_clinical_needing_supervision: facts.workforce.non_clinical_needing_supervision,
        plan_state,
        plan_changed_since_sign_off: plan_changed,
        overdue_actions: facts.overdue_actions,
        last_kpi_period_end: facts.kpis.last_period.map(|(_, end)| end),
        kpis_missing_target: facts.kpis.missing_target.len(),
        problems: Vec::new(),
    };
    let overdue = with.is_some_and(|w| review_overdue(w.last_review, Some(w.contracted_since), facts.as_of));
    figures.problems = Problem::ALL
        .iter()
        .copied()
        .filter(|problem| match problem {
            Problem::NotAccredited => !is_accredited(status),
            Problem::Gaps => figures.core_gaps + figures.subspecialism_gaps > 0,
            Problem::PlanNotSignedOff => !plan_signed_off(plan_state, plan_changed),
            Problem::MustNotMet => figures.must_not_met > 0,
            Problem::WorkforceIssues => figures.people_with_issues > 0,
            Problem::OverdueActions => figures.overdue_actions > 0,
            Problem::KpisMissingTarget => figures.kpis_missing_target > 0,
            Problem::ReviewOverdue => overdue,
        })
        .collect();
    figures
}

/// `part` of `whole` in thousandths, rounded down; nothing of nothing is 0.
pub fn share_per_mille(part: usize, whole: usize) -> u32 {
    if whole == 0 {
        return 0;
    }
    u32::try_from(part.min(whole) * 1000 / whole).unwrap_or(1000)
}

/// A domain's cell: "GF 7/8".
pub fn domain_cell(reference: &str, met: usize, applicable: usize) -> String {
    format!("{reference} {met}/{applicable}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commissioning::model::{AccreditationFacts, AuditPlanFacts, DomainFacts};
    use crate::db::ProviderId;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a real day")
    }

    fn bare() -> ProviderFacts {
        ProviderFacts::new(ProviderId(1), "Northshire OH".into(), day(2026, 12, 2))
    }

    #[test]
    fn a_provider_of_whom_nothing_is_recorded_has_every_problem_it_can_have() {
        let mut facts = bare();
        facts.coverage.core_gaps = vec!["Prevention".into()];
        let f = figures(&facts, None);
        assert_eq!(f.accreditation, AccreditationStatus::NotRegistered);
        assert_eq!(f.months_working_towards, None);
        assert_eq!(f.problems, vec![Problem::NotAccredited, Problem::Gaps, Problem::PlanNotSignedOff]);
        assert_eq!(f.met_per_mille, 0, "nothing of nothing");
    }

    #[test]
    fn working_towards_counts_months_from_registering() {
        let mut facts = bare();
        facts.accreditation = Some(AccreditationFacts {
            status: AccreditationStatus::WorkingTowards,
            status_on: Some(day(2025, 12, 2)),
            registered_on: Some(day(2025, 6, 2)),
            accredited_on: None,
        });
        let f = figures(&facts, None);
        assert_eq!(f.months_working_towards, Some(18));
        assert!(f.problems.contains(&Problem::NotAccredited));
    }

    #[test]
    fn an_accredited_provider_with_a_signed_plan_and_no_gaps_has_no_problem() {
        let mut facts = bare();
        facts.accreditation = Some(AccreditationFacts {
            status: AccreditationStatus::Accredited,
            status_on: Some(day(2024, 5, 1)),
            registered_on: Some(day(2022, 5, 1)),
            accredited_on: Some(day(2024, 5, 1)),
        });
        facts.audit_plan = Some(AuditPlanFacts {
            year: "2026-27".into(),
            state: PlanState::SignedOff,
            changed_since_sign_off: false,
            national_audit: true,
            local_clinical_audits: 2,
        });
        facts.domains = vec![
            DomainFacts { reference: "GF".into(), title: "Governance".into(), applicable: 8, met: 7, not_assessed: 0 },
            DomainFacts { reference: "BS".into(), title: "Business".into(), applicable: 2, met: 2, not_assessed: 0 },
        ];
        facts.reviews.contracted_since = Some(day(2026, 9, 1));
        let f = figures(&facts, None);
        assert_eq!(f.problems, Vec::<Problem>::new());
        assert_eq!((f.standards_met, f.standards_applicable, f.met_per_mille), (9, 10, 900));
        assert_eq!(f.months_working_towards, Some(24), "counted until accredited");
    }

    #[test]
    fn a_plan_changed_since_sign_off_is_not_signed_off() {
        assert!(plan_signed_off(Some(PlanState::SignedOff), false));
        assert!(!plan_signed_off(Some(PlanState::SignedOff), true));
        assert!(!plan_signed_off(Some(PlanState::Submitted), false));
        assert!(!plan_signed_off(None, false));
    }

    #[test]
    fn a_review_is_overdue_six_months_after_the_last_with_this_commissioner() {
        let facts = bare();
        let with = |last_review| Some(WithCommissioner { last_review, contracted_since: day(2024, 4, 1) });
        assert!(figures(&facts, with(Some(day(2026, 6, 1)))).problems.contains(&Problem::ReviewOverdue));
        assert!(!figures(&facts, with(Some(day(2026, 6, 2)))).problems.contains(&Problem::ReviewOverdue));
        assert!(
            figures(&facts, with(None)).problems.contains(&Problem::ReviewOverdue),
            "none since the contract began"
        );
        // Measured from this commissioner's contract, not another's: one begun in September is not
        // yet due a first review in December.
        let young = Some(WithCommissioner { last_review: None, contracted_since: day(2026, 9, 1) });
        assert!(!figures(&facts, young).problems.contains(&Problem::ReviewOverdue));
        assert!(!figures(&facts, None).problems.contains(&Problem::ReviewOverdue), "not judged without one");
    }

    #[test]
    fn shares_and_cells() {
        assert_eq!(share_per_mille(7, 8), 875);
        assert_eq!(share_per_mille(9, 8), 1000, "never more than the whole");
        assert_eq!(domain_cell("GF", 7, 8), "GF 7/8");
    }
}
