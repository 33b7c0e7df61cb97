//! Whether one person's registration, revalidation, appraisal, CPD and clinical supervision hold on
//! a given day. A person's compliance is the list of everything wrong, not a yes or no, so a
//! manager sees each thing to put right. Pure: no database, no I/O.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

use crate::catalogue::model::Regulator as CatalogueRegulator;
pub use crate::catalogue::model::{CpdCycle, ProfessionRule};
use crate::clock::FinancialYear;

use super::model::{Discipline, Tier};

/// The NMC's revalidation cycle, used when the catalogue gives no length: three years.
const DEFAULT_REVALIDATION_MONTHS: u32 = 36;

/// Hours are summed as decimals, so 350 records of 0.1 hours must still make 35.
const HOURS_TOLERANCE: f64 = 1e-9;

/// The facts about one person the rules need.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Person {
    pub started_on: Option<NaiveDate>,
    /// The last day of employment; they are still judged on it.
    pub left_on: Option<NaiveDate>,
    /// The day registration must be renewed by; they are still registered on that day.
    pub registration_renewal: Option<NaiveDate>,
    pub revalidation_due: Option<NaiveDate>,
    pub last_appraisal: Option<NaiveDate>,
    /// True for the disciplines the catalogue says must attend clinical supervision
    /// (`supervised_disciplines` in standards/professions.toml).
    pub needs_supervision: bool,
    /// The latest clinical supervision they attended.
    pub last_supervision: Option<NaiveDate>,
    /// A Responsible Officer is recorded (a doctor's revalidation rests on one).
    pub responsible_officer: bool,
    /// A consultant, who must have reached the specialist register by a CCT or a CESR.
    pub consultant: bool,
    /// A CCT or a CESR is recorded (the specialist register alone does not say which).
    pub specialist_route: bool,
    /// A specialty registrar: in training, reviewed by ARCP through their deanery, so not judged
    /// by the appraisal rule.
    pub in_training: bool,
    /// What a nurse has recorded towards revalidation for the cycle ending on `revalidation_due`
    /// (None when nothing is recorded for that cycle).
    pub revalidation: Option<RevalidationEvidence>,
}

/// What a nurse has recorded towards revalidation beyond CPD, for one cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RevalidationEvidence {
    pub practice_hours: u32,
    pub feedback_pieces: u32,
    /// The day of the reflective discussion with another NMC registrant.
    pub discussion_on: Option<NaiveDate>,
    /// The day the confirmer confirmed the nurse has met the requirements.
    pub confirmed_on: Option<NaiveDate>,
}

/// One CPD record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpdActivity {
    pub date: NaiveDate,
    /// Hours for the NMC, credits for the GMC; the HCPC counts records instead.
    pub hours: f64,
    pub participatory: bool,
    /// The record is a reflective account (NMC): counted as one, never as hours.
    pub reflective: bool,
}

crate::vocabulary! {
    /// What is wrong, with stable codes used in JSON and CSV, so exports keep their meaning when
    /// labels change. Labels are generic because the figures differ by regulator. Declared in the
    /// order lists, totals and reports show them.
    pub enum Issue {
        RegistrationExpired => ("registration_expired", "Registration expired"),
        RegistrationDue => ("registration_due", "Registration due for renewal"),
        RevalidationDue => ("revalidation_due", "Revalidation due"),
        RevalidationOverdue => ("revalidation_overdue", "Revalidation overdue"),
        AppraisalOverdue => ("appraisal_overdue", "Appraisal overdue"),
        ResponsibleOfficerMissing => ("responsible_officer_missing", "No Responsible Officer recorded"),
        SpecialistRouteMissing => ("specialist_route_missing", "Consultant with neither CCT nor CESR recorded"),
        CpdShort => ("cpd_short", "CPD short of the cycle's requirement"),
        CpdPreviousYearShort => ("cpd_previous_year_short", "CPD year ended short, no appraisal since"),
        RevalidationCpdShort => ("revalidation_cpd_short", "CPD short of the revalidation cycle's requirement"),
        PracticeHoursShort => ("practice_hours_short", "Practice hours short of revalidation's requirement"),
        FeedbackShort => ("feedback_short", "Practice-related feedback short of revalidation's requirement"),
        ReflectiveDiscussionMissing => ("reflective_discussion_missing", "No reflective discussion recorded"),
        ConfirmationMissing => ("confirmation_missing", "No revalidation confirmation recorded"),
        SupervisionOverdue => ("supervision_overdue", "Clinical supervision overdue"),
    }
    name = "workforce issue", stored_in = [];
}

impl Issue {
    /// The stable code written to JSON and CSV (the list's code).
    pub fn code(self) -> &'static str {
        self.as_str()
    }

    /// The position in `ALL`, which the declaration order matches.
    fn index(self) -> usize {
        self as usize
    }
}

/// The CPD a person has against the current cycle, for showing next to the verdict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CpdProgress {
    pub cycle_start: NaiveDate,
    pub cycle_end: NaiveDate,
    /// Hours or credits; for rolling periods, the number of activities.
    pub total: f64,
    pub participatory: f64,
    pub reflective_accounts: u32,
    pub required: f64,
}

impl CpdProgress {
    /// Whether the total reaches what is required (decimals summed, so 350 records of 0.1 hours
    /// make 35).
    pub fn total_reached(&self) -> bool {
        self.total + HOURS_TOLERANCE >= self.required
    }
}

/// Renewal is due within the warning window and has expired the day after the renewal date, so
/// a lapse is caught before it stops someone practising.
pub fn registration(person: &Person, rule: &ProfessionRule, as_of: NaiveDate) -> Option<Issue> {
    let warning = i64::from(rule.registration_warning_days?);
    let renewal = person.registration_renewal?;
    if as_of > renewal {
        Some(Issue::RegistrationExpired)
    } else if (renewal - as_of).num_days() <= warning {
        Some(Issue::RegistrationDue)
    } else {
        None
    }
}

/// Revalidation is due within the warning window and overdue the day after its date.
pub fn revalidation(person: &Person, rule: &ProfessionRule, as_of: NaiveDate) -> Option<Issue> {
    let warning = i64::from(rule.revalidation_warning_days?);
    let due = person.revalidation_due?;
    if as_of > due {
        Some(Issue::RevalidationOverdue)
    } else if (due - as_of).num_days() <= warning {
        Some(Issue::RevalidationDue)
    } else {
        None
    }
}

/// More than the allowed months since the last appraisal is overdue. With none recorded the clock
/// runs from the start date, and with neither known nobody can show one happened, so it is overdue.
/// Specialty registrars follow ARCP through their deanery instead, so the rule does not judge them.
pub fn appraisal(person: &Person, rule: &ProfessionRule, as_of: NaiveDate) -> Option<Issue> {
    if person.in_training {
        return None;
    }
    let months = rule.appraisal_overdue_months?;
    let Some(since) = person.last_appraisal.or(person.started_on) else {
        return Some(Issue::AppraisalOverdue);
    };
    // A limit beyond the calendar's range is never reached.
    let limit = since.checked_add_months(Months::new(months))?;
    (as_of > limit).then_some(Issue::AppraisalOverdue)
}

/// A doctor (GMC-registered) must have a Responsible Officer in their designated body, who
/// recommends their revalidation.
pub fn responsible_officer(person: &Person, rule: &ProfessionRule) -> Option<Issue> {
    (rule.regulator == CatalogueRegulator::Gmc && !person.responsible_officer)
        .then_some(Issue::ResponsibleOfficerMissing)
}

/// A consultant must have reached the specialist register by a CCT or a CESR, and the record must
/// say which.
pub fn specialist_route(person: &Person) -> Option<Issue> {
    (person.consultant && !person.specialist_route).then_some(Issue::SpecialistRouteMissing)
}

/// The CPD cycle judged on `as_of`, inclusive bounds, so the screen can show what is counted. For
/// rolling periods it spans all of them. None when the regulator has no cycle or the facts to
/// place it are missing (an NMC cycle needs the revalidation date).
pub fn cpd_cycle(person: &Person, rule: &ProfessionRule, as_of: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    match rule.cpd_cycle? {
        CpdCycle::Revalidation => revalidation_cycle(person, rule),
        CpdCycle::CpdYear => {
            let year = FinancialYear::containing(as_of);
            Some((year.starts_on(), year.ends_on()))
        }
        CpdCycle::RollingPeriods => {
            let periods = rule.cpd_periods?;
            let (start, _) = rolling_period(rule, as_of, periods.checked_sub(1)?)?;
            Some((start, as_of))
        }
    }
}

/// The revalidation cycle ending on the revalidation date, inclusive: `revalidation_months` long.
pub fn revalidation_cycle(person: &Person, rule: &ProfessionRule) -> Option<(NaiveDate, NaiveDate)> {
    let due = person.revalidation_due?;
    let months = rule.revalidation_months.unwrap_or(DEFAULT_REVALIDATION_MONTHS);
    Some((day_after(due.checked_sub_months(Months::new(months))?)?, due))
}

/// What a nurse still lacks for revalidation beyond CPD, judged as the NMC cycle's CPD is: from
/// `cpd_warning_days` before the revalidation date (90 for the NMC), and after it until a new date
/// is recorded. The practice hours and the pieces of feedback are the rules file's figures
/// (`practice_hours_required`, `feedback_required`); the reflective discussion and the confirmation
/// are the NMC's own requirements, and count only when dated within the cycle and by `as_of`.
pub fn revalidation_requirements(person: &Person, rule: &ProfessionRule, as_of: NaiveDate) -> Vec<Issue> {
    let nmc = rule.regulator == CatalogueRegulator::Nmc;
    let mut issues = Vec::new();
    let Some((start, due)) = revalidation_cycle(person, rule) else { return issues };
    let warning = rule.cpd_warning_days.map_or(0, i64::from);
    if (due - as_of).num_days() > warning {
        return issues;
    }
    let held = person.revalidation.unwrap_or_default();
    let in_cycle = |day: Option<NaiveDate>| day.is_some_and(|d| d >= start && d <= due && d <= as_of);
    if rule.practice_hours_required.is_some_and(|required| held.practice_hours < required) {
        issues.push(Issue::PracticeHoursShort);
    }
    if rule.feedback_required.is_some_and(|required| held.feedback_pieces < required) {
        issues.push(Issue::FeedbackShort);
    }
    if nmc && !in_cycle(held.discussion_on) {
        issues.push(Issue::ReflectiveDiscussionMissing);
    }
    if nmc && !in_cycle(held.confirmed_on) {
        issues.push(Issue::ConfirmationMissing);
    }
    issues
}

/// The dates of the CPD records [`cpd_short`] would look at on `as_of`, inclusive; None when the
/// CPD rule does not judge the person that day (no rule, or too early in the cycle), so a caller
/// judging many people loads only the records that can change a verdict.
pub fn cpd_window(person: &Person, rule: &ProfessionRule, as_of: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    rule.cpd_required?;
    let (start, end) = cpd_cycle(person, rule, as_of)?;
    let current = match rule.cpd_cycle? {
        CpdCycle::RollingPeriods => Some((start, as_of)),
        CpdCycle::CpdYear | CpdCycle::Revalidation => {
            let warning = rule.cpd_warning_days.map_or(0, i64::from);
            ((end - as_of).num_days() <= warning).then_some((start, end.min(as_of)))
        }
    };
    let previous =
        previous_cpd_year(person, rule, as_of).map(|previous| (previous.starts_on(), previous.ends_on().min(as_of)));
    let revalidation = revalidation_cpd_cycle(person, rule, as_of).map(|(start, end)| (start, end.min(as_of)));
    [current, previous, revalidation]
        .into_iter()
        .flatten()
        .reduce(|(start, end), (other_start, other_end)| (start.min(other_start), end.max(other_end)))
}

/// The revalidation cycle whose CPD [`revalidation_cpd_short`] judges on `as_of`, inclusive: the
/// `revalidation_months` to the revalidation date, judged as an NMC cycle is, from
/// `cpd_warning_days` before its end. None when there is no such requirement or it is not judged.
pub fn revalidation_cpd_cycle(
    person: &Person,
    rule: &ProfessionRule,
    as_of: NaiveDate,
) -> Option<(NaiveDate, NaiveDate)> {
    rule.revalidation_cpd_required?;
    let due = person.revalidation_due?;
    let months = rule.revalidation_months.unwrap_or(DEFAULT_REVALIDATION_MONTHS);
    let start = day_after(due.checked_sub_months(Months::new(months))?)?;
    let warning = rule.cpd_warning_days.map_or(0, i64::from);
    ((due - as_of).num_days() <= warning).then_some((start, due))
}

/// Whether the CPD over the revalidation cycle falls short of its requirement (GMC: 250 credits
/// over five years), once the cycle ends within the warning window or has ended.
pub fn revalidation_cpd_short(person: &Person, rule: &ProfessionRule, cpd: &[CpdActivity], as_of: NaiveDate) -> bool {
    let (Some(required), Some((start, end))) =
        (rule.revalidation_cpd_required, revalidation_cpd_cycle(person, rule, as_of))
    else {
        return false;
    };
    let total: f64 = cpd
        .iter()
        .filter(|a| !a.reflective && a.date >= start && a.date <= end && a.date <= as_of)
        .map(|a| a.hours)
        .sum();
    total + HOURS_TOLERANCE < required
}

/// The CPD year before the one containing `as_of`, when a CPD-year rule still judges it: until
/// an appraisal dated after that year's end. None for other cycles, once appraised since, and for
/// specialty registrars, whose appraisal is ARCP (see [`appraisal`]), so no appraisal would clear it.
fn previous_cpd_year(person: &Person, rule: &ProfessionRule, as_of: NaiveDate) -> Option<FinancialYear> {
    if person.in_training || !matches!(rule.cpd_cycle?, CpdCycle::CpdYear) {
        return None;
    }
    let previous = FinancialYear::starting_in(FinancialYear::containing(as_of).start_year() - 1)?;
    let appraised_since = person.last_appraisal.is_some_and(|date| date > previous.ends_on() && date <= as_of);
    (!appraised_since).then_some(previous)
}

/// Whether a doctor ended the last CPD year short of its requirement and has had no appraisal
/// since that year ended (an appraisal dated after its end clears it). Only CPD-year rules.
pub fn cpd_previous_year_short(person: &Person, rule: &ProfessionRule, cpd: &[CpdActivity], as_of: NaiveDate) -> bool {
    let Some(previous) = previous_cpd_year(person, rule, as_of) else {
        return false;
    };
    cpd_short(person, rule, cpd, previous.ends_on())
}

/// The CPD counted against the current cycle (for rolling periods, the most recent period, with
/// `total` counting activities). Records after `as_of` are not counted: nobody can rely on CPD not
/// yet done. None when the cycle cannot be judged.
pub fn cpd_progress(
    person: &Person,
    rule: &ProfessionRule,
    cpd: &[CpdActivity],
    as_of: NaiveDate,
) -> Option<CpdProgress> {
    let required = rule.cpd_required?;
    let (cycle_start, cycle_end, rolling) = match rule.cpd_cycle? {
        CpdCycle::RollingPeriods => {
            rule.cpd_periods.filter(|periods| *periods > 0)?;
            let (start, end) = rolling_period(rule, as_of, 0)?;
            (start, end, true)
        }
        _ => {
            let (start, end) = cpd_cycle(person, rule, as_of)?;
            (start, end, false)
        }
    };
    let counted: Vec<&CpdActivity> =
        cpd.iter().filter(|a| a.date >= cycle_start && a.date <= cycle_end && a.date <= as_of).collect();
    // Reflective accounts are counted apart: never as hours, and not as an HCPC activity.
    let activities = || counted.iter().filter(|a| !a.reflective);
    let total = if rolling { activities().count() as f64 } else { activities().map(|a| a.hours).sum() };
    Some(CpdProgress {
        cycle_start,
        cycle_end,
        total,
        participatory: activities().filter(|a| a.participatory).map(|a| a.hours).sum(),
        reflective_accounts: u32::try_from(counted.iter().filter(|a| a.reflective).count()).unwrap_or(u32::MAX),
        required,
    })
}

/// Whether CPD falls short of the cycle's requirement. A fixed cycle is only flagged once it ends
/// within the warning window (or has ended), so people early in a cycle are not flagged for CPD
/// they still have time to do; without a window, from its last day. Rolling periods are always
/// judged, and each one must hold the required number of activities.
pub fn cpd_short(person: &Person, rule: &ProfessionRule, cpd: &[CpdActivity], as_of: NaiveDate) -> bool {
    let Some(required) = rule.cpd_required else {
        return false;
    };
    match rule.cpd_cycle {
        None => false,
        Some(CpdCycle::RollingPeriods) => {
            let Some(periods) = rule.cpd_periods else {
                return false;
            };
            (0..periods).any(|k| match rolling_period(rule, as_of, k) {
                Some((start, end)) => {
                    let held = cpd
                        .iter()
                        .filter(|a| !a.reflective && a.date >= start && a.date <= end && a.date <= as_of)
                        .count();
                    (held as f64) < required
                }
                None => false,
            })
        }
        Some(CpdCycle::CpdYear | CpdCycle::Revalidation) => {
            let Some(progress) = cpd_progress(person, rule, cpd, as_of) else {
                return false;
            };
            let warning = rule.cpd_warning_days.map_or(0, i64::from);
            if (progress.cycle_end - as_of).num_days() > warning {
                return false;
            }
            !cpd_requirement_met(&progress, rule)
        }
    }
}

/// Whether the CPD counted against a fixed cycle (a CPD year or a revalidation cycle) meets the
/// rule's requirement: the total, the participatory part and the reflective accounts, whenever in
/// the cycle it is asked. [`cpd_short`] asks it once the cycle ends within the warning window.
pub fn cpd_requirement_met(progress: &CpdProgress, rule: &ProfessionRule) -> bool {
    let participatory_required = rule.cpd_participatory_required.unwrap_or(0.0);
    let reflective_required = rule.reflective_accounts_required.unwrap_or(0);
    progress.total_reached()
        && progress.participatory + HOURS_TOLERANCE >= participatory_required
        && progress.reflective_accounts >= reflective_required
}

/// The CPD over the revalidation cycle ending on the revalidation date, against the rule's
/// revalidation requirement (GMC: 250 credits over five years), whenever in the cycle it is asked.
/// None when the rule sets no such requirement or the cycle cannot be placed.
pub fn revalidation_cpd_progress(
    person: &Person,
    rule: &ProfessionRule,
    cpd: &[CpdActivity],
    as_of: NaiveDate,
) -> Option<CpdProgress> {
    let required = rule.revalidation_cpd_required?;
    let (cycle_start, cycle_end) = revalidation_cycle(person, rule)?;
    let counted =
        || cpd.iter().filter(|a| !a.reflective && a.date >= cycle_start && a.date <= cycle_end && a.date <= as_of);
    Some(CpdProgress {
        cycle_start,
        cycle_end,
        total: counted().map(|a| a.hours).sum(),
        participatory: counted().filter(|a| a.participatory).map(|a| a.hours).sum(),
        reflective_accounts: 0,
        required,
    })
}

/// Someone who needs supervision without clinical supervision in the last `supervision_days` days
/// is overdue: one exactly that many days ago still counts. A supervision dated after `as_of` has
/// not happened yet, so it counts as none. With none, the clock runs from the start date: a new
/// starter is not overdue until the interval has passed since they started (and with no start date
/// known, nobody can show one happened, so it is overdue).
pub fn supervision_overdue(person: &Person, supervision_days: i64, as_of: NaiveDate) -> bool {
    if !person.needs_supervision {
        return false;
    }
    match person.last_supervision.filter(|last| *last <= as_of).or(person.started_on) {
        Some(since) => (as_of - since).num_days() > supervision_days,
        None => true,
    }
}

/// Everything wrong with one person on `as_of`, in Issue::ALL order. `rule` is None for someone
/// with no regulator rule. Nobody is judged before they start or after their last day.
pub fn judge(
    person: &Person,
    rule: Option<&ProfessionRule>,
    cpd: &[CpdActivity],
    supervision_days: i64,
    as_of: NaiveDate,
) -> Vec<Issue> {
    let not_started = person.started_on.is_some_and(|started| started > as_of);
    let left = person.left_on.is_some_and(|left| left < as_of);
    if not_started || left {
        return Vec::new();
    }
    let mut issues = Vec::new();
    if let Some(rule) = rule {
        issues.extend(registration(person, rule, as_of));
        issues.extend(revalidation(person, rule, as_of));
        issues.extend(appraisal(person, rule, as_of));
        issues.extend(responsible_officer(person, rule));
        issues.extend(specialist_route(person));
        if cpd_short(person, rule, cpd, as_of) {
            issues.push(Issue::CpdShort);
        }
        if cpd_previous_year_short(person, rule, cpd, as_of) {
            issues.push(Issue::CpdPreviousYearShort);
        }
        if revalidation_cpd_short(person, rule, cpd, as_of) {
            issues.push(Issue::RevalidationCpdShort);
        }
        issues.extend(revalidation_requirements(person, rule, as_of));
    }
    if supervision_overdue(person, supervision_days, as_of) {
        issues.push(Issue::SupervisionOverdue);
    }
    issues
}

/// Counts of each issue code across many people's lists (every code present, zero included), in
/// Issue::ALL order, so a summary shows the clear rows as well as the problems.
pub fn totals<'a>(lists: impl IntoIterator<Item = &'a [Issue]>) -> Vec<(Issue, usize)> {
    let mut counts = [0usize; Issue::ALL.len()];
    for issue in lists.into_iter().flatten() {
        counts[issue.index()] += 1;
    }
    Issue::ALL.iter().copied().zip(counts).collect()
}

/// What the workforce figures count of one person in post.
#[derive(Debug, Clone, Copy)]
pub struct Counted<'a> {
    pub discipline: Discipline,
    pub tier: Tier,
    pub practice_teacher: bool,
    /// Their discipline must attend clinical supervision.
    pub needs_supervision: bool,
    pub issues: &'a [Issue],
}

/// One supervision session's figures, for the escalations by month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionFigures {
    pub date: NaiveDate,
    pub cases_discussed: i32,
    pub escalated_gp: i32,
    pub escalated_clinical: i32,
    pub escalated_specialist: i32,
}

/// A month's escalations from supervision, by destination.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Escalations {
    /// `2026-11`.
    pub month: String,
    pub sessions: usize,
    pub cases_discussed: i64,
    pub to_gp: i64,
    pub to_clinical: i64,
    pub to_specialist: i64,
}

/// The counts the workforce page shows at a glance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Every tier, zero included.
    pub by_tier: Vec<(Tier, usize)>,
    /// Every discipline, zero included.
    pub by_discipline: Vec<(Discipline, usize)>,
    pub consultants: usize,
    pub specialty_registrars: usize,
    pub practice_teachers: usize,
    /// People in post whose discipline needs clinical supervision, and how many are not overdue.
    pub needing_supervision: usize,
    pub supervised: usize,
    /// Each issue code's count, zero included.
    pub totals: Vec<(Issue, usize)>,
    /// By month, oldest first.
    pub escalations: Vec<Escalations>,
}

/// Counts the people in post and the sessions of the last year into the page's figures.
pub fn summarise(people: &[Counted], sessions: &[SessionFigures]) -> Summary {
    let count = |wanted: &dyn Fn(&Counted) -> bool| people.iter().filter(|p| wanted(p)).count();
    let mut months: std::collections::BTreeMap<String, Escalations> = std::collections::BTreeMap::new();
    for session in sessions {
        let month = format!("{}-{:02}", session.date.year(), session.date.month());
        let entry = months.entry(month.clone()).or_insert_with(|| Escalations { month, ..Default::default() });
        entry.sessions += 1;
        entry.cases_discussed += i64::from(session.cases_discussed);
        entry.to_gp += i64::from(session.escalated_gp);
        entry.to_clinical += i64::from(session.escalated_clinical);
        entry.to_specialist += i64::from(session.escalated_specialist);
    }
    Summary {
        by_tier: Tier::ALL.iter().map(|t| (*t, count(&|p| p.tier == *t))).collect(),
        by_discipline: Discipline::ALL.iter().map(|d| (*d, count(&|p| p.discipline == *d))).collect(),
        consultants: count(&|p| p.discipline == Discipline::ConsultantOccupationalPhysician),
        specialty_registrars: count(&|p| p.discipline == Discipline::SpecialtyRegistrar),
        practice_teachers: count(&|p| p.practice_teacher),
        needing_supervision: count(&|p| p.needs_supervision),
        supervised: count(&|p| p.needs_supervision && !p.issues.contains(&Issue::SupervisionOverdue)),
        totals: totals(people.iter().map(|p| p.issues)),
        escalations: months.into_values().collect(),
    }
}

/// Rolling period `k` (0 = the most recent) ending on `as_of`: each is counted back from `as_of`
/// itself, so the periods meet without gap or overlap even across month ends.
fn rolling_period(rule: &ProfessionRule, as_of: NaiveDate, k: u32) -> Option<(NaiveDate, NaiveDate)> {
    let length = rule.cpd_period_months.filter(|months| *months > 0)?;
    let end = as_of.checked_sub_months(Months::new(k.checked_mul(length)?))?;
    let before = as_of.checked_sub_months(Months::new(k.checked_add(1)?.checked_mul(length)?))?;
    Some((day_after(before)?, end))
}

fn day_after(date: NaiveDate) -> Option<NaiveDate> {
    date.checked_add_days(Days::new(1))
}

/// Titles that may stand before a name and are not part of it, for sorting.
pub const TITLES: &[&str] = &[
    "dr",
    "dr.",
    "mr",
    "mr.",
    "mrs",
    "mrs.",
    "ms",
    "ms.",
    "miss",
    "mx",
    "mx.",
    "prof",
    "prof.",
    "professor",
    "sir",
    "dame",
    "rev",
    "rev.",
    "revd",
];

/// The key people are listed by: surname (the last word), then the given names without any title
/// before them ("Dr Maya Osei" is "osei, maya"), ASCII letters lowered. Stored in `staff.sort_name`
/// on every write, so lists sort by it in SQL; the migration that added the column filled it with
/// the same steps in SQL, which is why this lowers only ASCII and splits only at spaces, as SQL's
/// `lower` and `trim` do.
pub fn sort_name(full_name: &str) -> String {
    let name = full_name.trim_matches(' ');
    let (mut given, surname) = match name.rsplit_once(' ') {
        Some((given, surname)) => (given.trim_matches(' '), surname),
        None => ("", name),
    };
    for _ in 0..2 {
        let lowered = given.to_ascii_lowercase();
        if let Some(title) = TITLES
            .iter()
            .find(|t| lowered == **t || lowered.strip_prefix(**t).is_some_and(|rest| rest.starts_with(' ')))
        {
            given = given[title.len()..].trim_start_matches(' ');
        }
    }
    let surname = surname.to_ascii_lowercase();
    if given.is_empty() {
        surname
    } else {
        format!("{surname}, {}", given.to_ascii_lowercase())
    }
}

#[cfg(test)]
mod tests;
