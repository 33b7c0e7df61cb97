//! The live checks: each a pure function over the provider's records (`store::records::Records`)
//! and a day. Each doc comment says where its edges fall; `rules/tests.rs` tests both sides of
//! each on fixed dates.
//!
//! What a check says is read by everyone who may see readiness, commissioners and assessors
//! included, who may not see named staff records: people are named by staff number only, in the
//! summary, the facts and the table a snapshot keeps; a fact links to the person's page for those
//! who may open it.

use chrono::{Datelike, Days, Months, NaiveDate};

use super::model::{LiveFact, Outcome, Seen, Verdict};
use super::store::records::{CpdCycleRecord, PersonRecord, Records};
use crate::accounts::access::Capability;
use crate::audits::model::{AuditStatus, AuditType};
use crate::audits::sign_off::SignOffStatus;
use crate::catalogue::model::{CpdCycle, LiveCheck};
use crate::clock::FinancialYear;
use crate::coverage::model::{CoverageKind, Delivery};
use crate::db::{ProviderId, StaffId};
use crate::evidence::rules::{review_state, ReviewState};
use crate::quality::rules::{number, Period};
use crate::words::counted;
use crate::workforce::model::Regulator;

/// A clinician's CPD is judged when their cycle ends within this many days.
pub const CPD_HORIZON_DAYS: i64 = 90;
/// A doctor's appraisal is in date for this many months.
pub const APPRAISAL_MONTHS: u32 = 15;
/// A sub-specialism's arrangement ending within this many days fails.
pub const ARRANGEMENT_ENDING_DAYS: u64 = 30;
/// An audit action more than this many days past its due date fails.
pub const ACTION_OVERDUE_DAYS: i64 = 90;
/// The local clinical audits a year's plan must hold (the NHS sector standard).
pub const LOCAL_CLINICAL_AUDITS: usize = 2;
/// How many failing records a summary names before it says how many more.
const NAMED_IN_SUMMARY: usize = 10;

/// One check's answer on `today`, from records gathered for that day.
pub fn judge(check: LiveCheck, records: &Records, today: NaiveDate) -> Outcome {
    match check {
        LiveCheck::RegistrationsCurrent => registrations_current(records, today),
        LiveCheck::DoctorsAppraised => doctors_appraised(records, today),
        LiveCheck::CpdOnTrack => cpd_on_track(records, today),
        LiveCheck::SupervisionCurrent => supervision_current(records, today),
        LiveCheck::CoreServicesAvailable => core_services_available(records, today),
        LiveCheck::SubspecialismsArranged => subspecialisms_arranged(records, today),
        LiveCheck::PlanSignedOff => plan_signed_off(records, today),
        LiveCheck::AuditsPlanned => audits_planned(records, today),
        LiveCheck::ActionsNotOverdue => actions_not_overdue(records, today),
        LiveCheck::KpisReported => kpis_reported(records, today),
        LiveCheck::CustomerReviewsHeld => customer_reviews_held(records, today),
        LiveCheck::MetEvidenceCurrent => met_evidence_current(records, today),
    }
}

/// Every check's answer on `today`, in `LiveCheck::ALL` order.
pub fn judge_all(records: &Records, today: NaiveDate) -> Vec<Outcome> {
    LiveCheck::ALL.iter().map(|check| judge(*check, records, today)).collect()
}

/// The last calendar quarter (January to March, April to June, July to September, October to
/// December) wholly before `today`: on 1 April it is January to March; on 31 March, still October
/// to December.
pub fn last_complete_quarter(today: NaiveDate) -> Period {
    let first_month = today.month0() / 3 * 3 + 1;
    let this_quarter = NaiveDate::from_ymd_opt(today.year(), first_month, 1).unwrap_or(today);
    let start = this_quarter.checked_sub_months(Months::new(3)).unwrap_or(this_quarter);
    let end = this_quarter.pred_opt().unwrap_or(this_quarter);
    Period { start, end }
}

/// Every person in post with a regulator has a registration renewal date on or after `today`: they
/// are registered on the renewal day itself and expired the day after, as the workforce page says.
/// A missing date fails ("no renewal date recorded"). Nobody registered: not enough data.
pub fn registrations_current(records: &Records, today: NaiveDate) -> Outcome {
    let links = Links(records.provider_id);
    let registered: Vec<&PersonRecord> = records.people.iter().filter(|p| p.regulator != Regulator::None).collect();
    let mut expired = Vec::new();
    let mut undated = Vec::new();
    let rows = registered
        .iter()
        .map(|p| {
            let standing = match p.registration_renewal {
                None => {
                    undated.push(*p);
                    "No renewal date recorded".to_string()
                }
                Some(renewal) if renewal < today => {
                    expired.push(*p);
                    "Expired".to_string()
                }
                Some(_) => "Current".to_string(),
            };
            vec![
                p.staff_number.clone(),
                p.discipline.label().to_string(),
                p.regulator.label().to_string(),
                p.registration_renewal.map(on).unwrap_or_default(),
                standing,
            ]
        })
        .collect();
    let seen = seen(
        "Professional registrations of the clinicians in post",
        &["Staff number", "Discipline", "Regulator", "Renewal date", "Registration"],
        rows,
    );
    if registered.is_empty() {
        return not_enough(LiveCheck::RegistrationsCurrent, "No registered clinician is in post to check", seen);
    }
    if expired.is_empty() && undated.is_empty() {
        let summary = if registered.len() == 1 {
            "The one registration is current".to_string()
        } else {
            format!("All {} registrations are current", registered.len())
        };
        let facts = vec![links.workforce(counted(registered.len(), "registration checked", "registrations checked"))];
        return outcome(LiveCheck::RegistrationsCurrent, Verdict::Holds, summary, facts, seen);
    }
    let mut parts = Vec::new();
    if !expired.is_empty() {
        parts.push(format!(
            "{} expired: {}",
            counted(expired.len(), "registration", "registrations"),
            numbers(&expired)
        ));
    }
    if !undated.is_empty() {
        parts.push(format!(
            "{} no renewal date recorded: {}",
            counted(undated.len(), "registration has", "registrations have"),
            numbers(&undated)
        ));
    }
    let facts = expired
        .iter()
        .map(|p| {
            let when = p.registration_renewal.map(on).unwrap_or_default();
            links.person(p, format!("{}: registration expired on {when}", p.staff_number))
        })
        .chain(undated.iter().map(|p| links.person(p, format!("{}: no renewal date recorded", p.staff_number))))
        .collect();
    outcome(LiveCheck::RegistrationsCurrent, Verdict::Fails, parts.join("; "), facts, seen)
}

/// Every doctor (GMC) in post has a Responsible Officer named and an appraisal within 15 months:
/// in date while the last appraisal plus 15 months is on or after `today`. As the workforce page
/// judges it, with no appraisal recorded the 15 months run from the start date (a new doctor is
/// not failed), with neither it fails, and a specialty registrar's yearly review is ARCP through
/// the deanery, so only their Responsible Officer is checked. No doctors: not enough data.
pub fn doctors_appraised(records: &Records, today: NaiveDate) -> Outcome {
    let links = Links(records.provider_id);
    let doctors: Vec<&PersonRecord> = records.people.iter().filter(|p| p.is_doctor()).collect();
    let mut without_officer = Vec::new();
    let mut overdue = Vec::new();
    let mut unappraised = Vec::new();
    let rows = doctors
        .iter()
        .map(|p| {
            let mut problems = Vec::new();
            if !p.responsible_officer {
                without_officer.push(*p);
                problems.push("No Responsible Officer".to_string());
            }
            let due = appraisal_due(p);
            if !p.in_training() {
                match due {
                    None => {
                        unappraised.push(*p);
                        problems.push("No appraisal recorded".into());
                    }
                    Some(due) if today > due => {
                        overdue.push(*p);
                        problems.push("Appraisal overdue".into());
                    }
                    Some(_) => {}
                }
            }
            let standing = match (problems.is_empty(), p.in_training()) {
                (false, _) => problems.join("; "),
                (true, true) => "In training: reviewed by ARCP".to_string(),
                (true, false) => "In date".to_string(),
            };
            vec![
                p.staff_number.clone(),
                p.discipline.label().to_string(),
                if p.responsible_officer { "Named" } else { "None recorded" }.to_string(),
                p.last_appraisal.map(on).unwrap_or_else(|| "None recorded".into()),
                if p.in_training() { String::new() } else { due.map(on).unwrap_or_default() },
                standing,
            ]
        })
        .collect();
    let seen = seen(
        "Doctors' Responsible Officers and appraisals",
        &["Staff number", "Discipline", "Responsible Officer", "Last appraisal", "Appraisal due by", "Standing"],
        rows,
    );
    if doctors.is_empty() {
        return not_enough(LiveCheck::DoctorsAppraised, "No doctor is in post to check", seen);
    }
    if without_officer.is_empty() && overdue.is_empty() && unappraised.is_empty() {
        let summary = format!(
            "{} a Responsible Officer and an appraisal within {APPRAISAL_MONTHS} months",
            if doctors.len() == 1 {
                "The one doctor has".to_string()
            } else {
                format!("All {} doctors have", doctors.len())
            }
        );
        let facts = vec![links.workforce(counted(doctors.len(), "doctor checked", "doctors checked"))];
        return outcome(LiveCheck::DoctorsAppraised, Verdict::Holds, summary, facts, seen);
    }
    let mut parts = Vec::new();
    if !without_officer.is_empty() {
        parts.push(format!(
            "{} no Responsible Officer: {}",
            counted(without_officer.len(), "doctor has", "doctors have"),
            numbers(&without_officer)
        ));
    }
    if !overdue.is_empty() {
        parts.push(format!("{} overdue: {}", counted(overdue.len(), "appraisal", "appraisals"), numbers(&overdue)));
    }
    if !unappraised.is_empty() {
        parts.push(format!(
            "{} no appraisal recorded: {}",
            counted(unappraised.len(), "doctor has", "doctors have"),
            numbers(&unappraised)
        ));
    }
    let mut facts: Vec<LiveFact> = without_officer
        .iter()
        .map(|p| links.person(p, format!("{}: no Responsible Officer recorded", p.staff_number)))
        .collect();
    facts.extend(overdue.iter().map(|p| {
        let due = appraisal_due(p).map(on).unwrap_or_default();
        let last = p.last_appraisal.map_or_else(|| "none recorded".to_string(), on);
        links.person(p, format!("{}: appraisal due by {due} (last {last})", p.staff_number))
    }));
    facts.extend(
        unappraised.iter().map(|p| links.person(p, format!("{}: no appraisal or start date recorded", p.staff_number))),
    );
    outcome(LiveCheck::DoctorsAppraised, Verdict::Fails, parts.join("; "), facts, seen)
}

/// The last day a doctor's appraisal is in date: 15 months after the last one, or after the start
/// date when none is recorded. None when neither is known (or the day is beyond the calendar).
fn appraisal_due(person: &PersonRecord) -> Option<NaiveDate> {
    person.last_appraisal.or(person.started_on)?.checked_add_months(Months::new(APPRAISAL_MONTHS))
}

/// Every clinician whose CPD cycle (a CPD year, a revalidation cycle) ends within 90 days, from
/// `today` to `today` + 90 inclusive, has met its requirement so far; the HCPC's rolling periods end
/// every day, so they are always judged. A cycle that ended before `today` is the workforce page's
/// business, not this check's. None ending: holds, and says so.
pub fn cpd_on_track(records: &Records, today: NaiveDate) -> Outcome {
    let links = Links(records.provider_id);
    let horizon = today.checked_add_days(Days::new(CPD_HORIZON_DAYS.unsigned_abs())).unwrap_or(today);
    let judged: Vec<(&PersonRecord, &CpdCycleRecord)> = records
        .people
        .iter()
        .flat_map(|p| p.cpd.iter().map(move |c| (p, c)))
        .filter(|(_, c)| today <= c.ends_on && c.ends_on <= horizon)
        .collect();
    let rows = judged
        .iter()
        .map(|(p, c)| {
            vec![
                p.staff_number.clone(),
                p.regulator.label().to_string(),
                cycle_name(c.cycle).to_string(),
                on(c.ends_on),
                format!("{} of {} {}", number(c.total), number(c.required), c.unit),
                if c.met { "On track" } else { "Short" }.to_string(),
            ]
        })
        .collect();
    let seen = seen(
        "CPD of the clinicians whose cycle ends within 90 days",
        &["Staff number", "Regulator", "Cycle", "Ends", "CPD so far", "Standing"],
        rows,
    );
    if judged.is_empty() {
        let summary = format!("No clinician's CPD cycle ends within {CPD_HORIZON_DAYS} days");
        let facts = vec![links.workforce("The workforce records".to_string())];
        return outcome(LiveCheck::CpdOnTrack, Verdict::Holds, summary, facts, seen);
    }
    let short: Vec<&(&PersonRecord, &CpdCycleRecord)> = judged.iter().filter(|(_, c)| !c.met).collect();
    if short.is_empty() {
        let people = distinct_people(judged.iter().map(|(p, _)| *p));
        let summary = format!(
            "CPD is on track for {} whose cycle ends within {CPD_HORIZON_DAYS} days",
            if people == 1 { "the one clinician".to_string() } else { format!("all {people} clinicians") }
        );
        let facts = vec![links.workforce(counted(judged.len(), "CPD cycle checked", "CPD cycles checked"))];
        return outcome(LiveCheck::CpdOnTrack, Verdict::Holds, summary, facts, seen);
    }
    let people: Vec<&PersonRecord> = {
        let mut people: Vec<&PersonRecord> = Vec::new();
        for (p, _) in &short {
            if !people.iter().any(|q| q.staff_id == p.staff_id) {
                people.push(p);
            }
        }
        people
    };
    let summary = format!(
        "{} short of CPD for a cycle ending within {CPD_HORIZON_DAYS} days: {}",
        counted(people.len(), "clinician", "clinicians"),
        numbers(&people)
    );
    let facts = short
        .iter()
        .map(|(p, c)| {
            let text = if c.cycle == CpdCycle::RollingPeriods {
                format!("{}: short of CPD activity in the rolling periods to {}", p.staff_number, on(c.ends_on))
            } else {
                let also =
                    if c.total >= c.required { ", participatory hours or reflective accounts short" } else { "" };
                format!(
                    "{}: {} of {} {} for the {} ending {}{also}",
                    p.staff_number,
                    number(c.total),
                    number(c.required),
                    c.unit,
                    cycle_name(c.cycle),
                    on(c.ends_on)
                )
            };
            links.person(p, text)
        })
        .collect();
    outcome(LiveCheck::CpdOnTrack, Verdict::Fails, summary, facts, seen)
}

fn cycle_name(cycle: CpdCycle) -> &'static str {
    match cycle {
        CpdCycle::CpdYear => "CPD year",
        CpdCycle::Revalidation => "revalidation cycle",
        CpdCycle::RollingPeriods => "rolling CPD periods",
    }
}

fn distinct_people<'a>(people: impl Iterator<Item = &'a PersonRecord>) -> usize {
    let mut ids: Vec<StaffId> = people.map(|p| p.staff_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

/// Everyone whose discipline needs clinical supervision had a session within the interval
/// (`Records::supervision_days`), as the workforce page judges it: a session exactly that many days
/// before `today` is in date, one more day is overdue; with no session the interval runs from the
/// start date (a new starter is not overdue yet), and with neither it is overdue. Nobody needing
/// supervision: not enough data.
pub fn supervision_current(records: &Records, today: NaiveDate) -> Outcome {
    let links = Links(records.provider_id);
    let days = records.supervision_days;
    let needing: Vec<&PersonRecord> = records.people.iter().filter(|p| p.needs_supervision).collect();
    let mut overdue = Vec::new();
    let rows = needing
        .iter()
        .map(|p| {
            let facts = crate::workforce::rules::Person {
                needs_supervision: true,
                last_supervision: p.last_supervision,
                started_on: p.started_on,
                ..Default::default()
            };
            let late = crate::workforce::rules::supervision_overdue(&facts, days, today);
            if late {
                overdue.push(*p);
            }
            let since = p.last_supervision.filter(|last| *last <= today).or(p.started_on);
            let due = since.and_then(|d| d.checked_add_days(Days::new(days.unsigned_abs())));
            let standing = match (late, p.last_supervision.is_some()) {
                (true, true) => "Overdue",
                (true, false) => "Overdue: no session recorded",
                (false, true) => "In date",
                (false, false) => "New starter: first session not yet due",
            };
            vec![
                p.staff_number.clone(),
                p.discipline.label().to_string(),
                p.last_supervision.map(on).unwrap_or_else(|| "None recorded".into()),
                due.map(on).unwrap_or_default(),
                standing.to_string(),
            ]
        })
        .collect();
    let seen = seen(
        &format!("Clinical supervision of those who need it (every {days} days)"),
        &["Staff number", "Discipline", "Last session", "Next due by", "Standing"],
        rows,
    );
    if needing.is_empty() {
        return not_enough(LiveCheck::SupervisionCurrent, "No one in post needs clinical supervision", seen);
    }
    if overdue.is_empty() {
        let summary = format!(
            "{} clinical supervision had it within {days} days",
            if needing.len() == 1 {
                "The one person who needs".to_string()
            } else {
                format!("All {} people who need", needing.len())
            }
        );
        let facts = vec![links.supervision(counted(needing.len(), "person checked", "people checked"))];
        return outcome(LiveCheck::SupervisionCurrent, Verdict::Holds, summary, facts, seen);
    }
    let summary = format!(
        "{} overdue for clinical supervision: {}",
        counted(overdue.len(), "person", "people"),
        numbers(&overdue)
    );
    let facts = overdue
        .iter()
        .map(|p| {
            let text = match p.last_supervision {
                Some(last) => format!("{}: last clinical supervision {}", p.staff_number, on(last)),
                None => format!("{}: no clinical supervision recorded", p.staff_number),
            };
            links.person(p, text)
        })
        .collect();
    outcome(LiveCheck::SupervisionCurrent, Verdict::Fails, summary, facts, seen)
}

/// The coverage table's rows of one kind, as the page shows them.
fn coverage_rows(records: &Records, kind: CoverageKind, today: NaiveDate) -> Vec<Vec<String>> {
    records
        .coverage
        .iter()
        .filter(|c| c.kind == kind)
        .map(|c| {
            let state = crate::coverage::rules::state(c.delivery, c.starts_on, c.ends_on, today);
            vec![
                c.reference.clone(),
                c.title.clone(),
                c.delivery.map_or("Nothing recorded", Delivery::label).to_string(),
                c.partner_name.clone().unwrap_or_default(),
                c.ends_on.map(on).unwrap_or_default(),
                state.label().to_string(),
            ]
        })
        .collect()
}

/// Why a row does not cover `today`, in words.
fn not_covered(row: &super::store::records::CoverageRecord, today: NaiveDate) -> String {
    match (row.delivery, row.starts_on, row.ends_on) {
        (None, ..) => "nothing recorded".into(),
        (Some(Delivery::NotAvailable), ..) => "not available".into(),
        (Some(Delivery::Partial), ..) => "delivered only in part".into(),
        (Some(Delivery::Arrangement), Some(starts), _) if today < starts => {
            format!("the arrangement begins on {}", on(starts))
        }
        (Some(Delivery::Arrangement), _, Some(ends)) if today > ends => {
            format!("the arrangement ended on {}", on(ends))
        }
        _ => "covered".into(),
    }
}

const COVERAGE_COLUMNS: [&str; 6] = ["Reference", "Title", "Delivery", "Partner", "Arrangement ends", "Today"];

/// All the core services are available on `today`: delivered in-house, or by an arrangement that
/// has begun and has not passed its last day (`coverage::rules::state`). One delivered only in
/// part, not available, or with nothing recorded fails. No core services in the catalogue: not
/// enough data.
pub fn core_services_available(records: &Records, today: NaiveDate) -> Outcome {
    let links = Links(records.provider_id);
    let core: Vec<_> = records.coverage.iter().filter(|c| c.kind == CoverageKind::CoreService).collect();
    let seen = seen("Core services", &COVERAGE_COLUMNS, coverage_rows(records, CoverageKind::CoreService, today));
    if core.is_empty() {
        return not_enough(LiveCheck::CoreServicesAvailable, "The catalogue lists no core services", seen);
    }
    let missing: Vec<_> = core
        .iter()
        .filter(|c| !crate::coverage::rules::state(c.delivery, c.starts_on, c.ends_on, today).is_covered())
        .collect();
    if missing.is_empty() {
        let summary = format!("All {} core services are available today", core.len());
        let facts = vec![links.coverage(counted(core.len(), "core service checked", "core services checked"))];
        return outcome(LiveCheck::CoreServicesAvailable, Verdict::Holds, summary, facts, seen);
    }
    let titles: Vec<String> = missing.iter().map(|c| c.title.clone()).collect();
    let summary =
        format!("{} not available today: {}", counted(missing.len(), "core service", "core services"), named(&titles));
    let facts = missing
        .iter()
        .map(|c| links.coverage_row(&c.reference, format!("{}: {}", c.title, not_covered(c, today))))
        .collect();
    outcome(LiveCheck::CoreServicesAvailable, Verdict::Fails, summary, facts, seen)
}

/// Every sub-specialism is delivered, in-house or by an arrangement covering `today`, and no
/// arrangement ends within 30 days: one whose last day is on or before `today` + 30 fails, one
/// ending the day after that holds, one with no end date holds. No sub-specialisms in the
/// catalogue: not enough data.
pub fn subspecialisms_arranged(records: &Records, today: NaiveDate) -> Outcome {
    let links = Links(records.provider_id);
    let subs: Vec<_> = records.coverage.iter().filter(|c| c.kind == CoverageKind::Subspecialism).collect();
    let seen = seen("Sub-specialisms", &COVERAGE_COLUMNS, coverage_rows(records, CoverageKind::Subspecialism, today));
    if subs.is_empty() {
        return not_enough(LiveCheck::SubspecialismsArranged, "The catalogue lists no sub-specialisms", seen);
    }
    let limit = today.checked_add_days(Days::new(ARRANGEMENT_ENDING_DAYS)).unwrap_or(today);
    let uncovered: Vec<_> = subs
        .iter()
        .filter(|c| !crate::coverage::rules::state(c.delivery, c.starts_on, c.ends_on, today).is_covered())
        .collect();
    let ending: Vec<_> = subs
        .iter()
        .filter(|c| crate::coverage::rules::state(c.delivery, c.starts_on, c.ends_on, today).is_covered())
        .filter(|c| c.delivery == Some(Delivery::Arrangement) && c.ends_on.is_some_and(|end| end <= limit))
        .collect();
    if uncovered.is_empty() && ending.is_empty() {
        let summary = format!(
            "All {} sub-specialisms are arranged, none ending within {ARRANGEMENT_ENDING_DAYS} days",
            subs.len()
        );
        let facts = vec![links.coverage(counted(subs.len(), "sub-specialism checked", "sub-specialisms checked"))];
        return outcome(LiveCheck::SubspecialismsArranged, Verdict::Holds, summary, facts, seen);
    }
    let mut parts = Vec::new();
    if !uncovered.is_empty() {
        let titles: Vec<String> = uncovered.iter().map(|c| c.title.clone()).collect();
        parts.push(format!(
            "{} without an arrangement today: {}",
            counted(uncovered.len(), "sub-specialism", "sub-specialisms"),
            named(&titles)
        ));
    }
    if !ending.is_empty() {
        let titles: Vec<String> = ending.iter().map(|c| c.title.clone()).collect();
        parts.push(format!(
            "{} within {ARRANGEMENT_ENDING_DAYS} days: {}",
            counted(ending.len(), "arrangement ends", "arrangements end"),
            named(&titles)
        ));
    }
    let facts = uncovered
        .iter()
        .map(|c| links.coverage_row(&c.reference, format!("{}: {}", c.title, not_covered(c, today))))
        .chain(ending.iter().map(|c| {
            let end = c.ends_on.map(on).unwrap_or_default();
            links.coverage_row(&c.reference, format!("{}: the arrangement ends on {end}", c.title))
        }))
        .collect();
    outcome(LiveCheck::SubspecialismsArranged, Verdict::Fails, parts.join("; "), facts, seen)
}

/// The plan of the financial year containing `today` (1 April to 31 March), if it is recorded.
fn this_years_plan(records: &Records, today: NaiveDate) -> (FinancialYear, Option<&super::store::records::PlanRecord>) {
    let year = FinancialYear::containing(today);
    (year, records.plan.as_ref().filter(|plan| plan.year == year))
}

/// This financial year's audit plan (1 April to 31 March, so on 1 April the new year's) is recorded,
/// signed off by the clinical director, and unchanged since: it still hashes to its newest
/// sign-off. No plan recorded yet fails, as do a draft, a submitted and a returned plan.
pub fn plan_signed_off(records: &Records, today: NaiveDate) -> Outcome {
    let links = Links(records.provider_id);
    let (year, plan) = this_years_plan(records, today);
    let rows = plan
        .map(|p| vec![vec![year.to_string(), counted(p.audits.len(), "audit", "audits"), p.status.label().to_string()]])
        .unwrap_or_else(|| vec![vec![year.to_string(), String::new(), "No plan recorded".to_string()]]);
    let seen = seen(&format!("Audit plan {year}"), &["Financial year", "Audits", "Where it stands"], rows);
    let Some(plan) = plan else {
        let summary = format!("No audit plan is recorded for {year}");
        return outcome(
            LiveCheck::PlanSignedOff,
            Verdict::Fails,
            summary,
            vec![links.plans("The audit plans".into())],
            seen,
        );
    };
    let (verdict, summary) = match plan.status {
        SignOffStatus::SignedOff => {
            (Verdict::Holds, format!("The {year} audit plan is signed off and unchanged since"))
        }
        SignOffStatus::ChangedSinceSignOff => {
            (Verdict::Fails, format!("The {year} audit plan has changed since it was signed off"))
        }
        SignOffStatus::Draft => (Verdict::Fails, format!("The {year} audit plan is a draft, not yet signed off")),
        SignOffStatus::Submitted => {
            (Verdict::Fails, format!("The {year} audit plan awaits the clinical director's sign-off"))
        }
        SignOffStatus::Returned => {
            (Verdict::Fails, format!("The {year} audit plan was returned with a comment, not signed off"))
        }
    };
    let facts = vec![links.sign_off(year, format!("{year}: {}", plan.status.label()))];
    outcome(LiveCheck::PlanSignedOff, verdict, summary, facts, seen)
}

/// This financial year's plan holds at least two local clinical audits and one national
/// (benchmarking) audit that are neither deferred nor cancelled; planned, in progress and completed
/// audits count. No plan recorded fails.
pub fn audits_planned(records: &Records, today: NaiveDate) -> Outcome {
    let links = Links(records.provider_id);
    let (year, plan) = this_years_plan(records, today);
    let going_ahead = |status: AuditStatus| !matches!(status, AuditStatus::Deferred | AuditStatus::Cancelled);
    let rows = plan
        .map(|p| {
            p.audits
                .iter()
                .map(|a| {
                    let counts = match (a.audit_type, going_ahead(a.status)) {
                        (_, false) => format!("Not counted: {}", a.status.label().to_lowercase()),
                        (AuditType::LocalClinical, true) => "Local clinical".to_string(),
                        (AuditType::NationalBenchmarking, true) => "National".to_string(),
                        (_, true) => "Not counted: another type".to_string(),
                    };
                    vec![a.title.clone(), a.audit_type.label().to_string(), a.status.label().to_string(), counts]
                })
                .collect()
        })
        .unwrap_or_default();
    let seen = seen(&format!("Audits in the {year} plan"), &["Audit", "Type", "Status", "Counted as"], rows);
    let Some(plan) = plan else {
        let summary = format!("No audit plan is recorded for {year}");
        return outcome(
            LiveCheck::AuditsPlanned,
            Verdict::Fails,
            summary,
            vec![links.plans("The audit plans".into())],
            seen,
        );
    };
    let count = |kind: AuditType| plan.audits.iter().filter(|a| a.audit_type == kind && going_ahead(a.status)).count();
    let (local, national) = (count(AuditType::LocalClinical), count(AuditType::NationalBenchmarking));
    let said = format!(
        "The {year} plan holds {} and {}",
        counted(local, "local clinical audit", "local clinical audits"),
        counted(national, "national audit", "national audits")
    );
    let facts = vec![links.plan(year, said.clone())];
    if local >= LOCAL_CLINICAL_AUDITS && national >= 1 {
        return outcome(LiveCheck::AuditsPlanned, Verdict::Holds, said, facts, seen);
    }
    let mut short = Vec::new();
    if local < LOCAL_CLINICAL_AUDITS {
        short.push(format!("{LOCAL_CLINICAL_AUDITS} local clinical"));
    }
    if national < 1 {
        short.push("1 national".to_string());
    }
    let summary = format!("{said}, short of the {} needed", crate::words::listed(&short));
    outcome(LiveCheck::AuditsPlanned, Verdict::Fails, summary, facts, seen)
}

/// No open audit action is more than 90 days past its due date: one due exactly 90 days before
/// `today` holds, 91 days fails. Done and dropped actions do not count. No actions: holds.
pub fn actions_not_overdue(records: &Records, today: NaiveDate) -> Outcome {
    let links = Links(records.provider_id);
    let late = |due: NaiveDate| (today - due).num_days();
    let overdue: Vec<_> = records.overdue_actions.iter().filter(|a| a.due_on < today).collect();
    let rows = overdue
        .iter()
        .map(|a| {
            vec![
                a.description.clone(),
                a.audit_title.clone(),
                a.owner_name.clone(),
                on(a.due_on),
                late(a.due_on).to_string(),
            ]
        })
        .collect();
    let seen =
        seen("Open audit actions past their due date", &["Action", "Audit", "Owner", "Due", "Days overdue"], rows);
    let failing: Vec<_> = overdue.iter().filter(|a| late(a.due_on) > ACTION_OVERDUE_DAYS).collect();
    if failing.is_empty() {
        let summary = match overdue.len() {
            0 => "No audit action is overdue".to_string(),
            n => format!(
                "No audit action is more than {ACTION_OVERDUE_DAYS} days overdue ({} overdue by less)",
                counted(n, "action", "actions")
            ),
        };
        let facts = vec![links.plans("The audit plans".into())];
        return outcome(LiveCheck::ActionsNotOverdue, Verdict::Holds, summary, facts, seen);
    }
    let what: Vec<String> = failing.iter().map(|a| shortened(&a.description)).collect();
    let summary = format!(
        "{} more than {ACTION_OVERDUE_DAYS} days overdue: {}",
        counted(failing.len(), "audit action", "audit actions"),
        named(&what)
    );
    let facts = failing
        .iter()
        .map(|a| {
            links.action(
                a.id,
                format!(
                    "{} ({}): due {}, {} days overdue",
                    shortened(&a.description),
                    a.audit_title,
                    on(a.due_on),
                    late(a.due_on)
                ),
            )
        })
        .collect();
    outcome(LiveCheck::ActionsNotOverdue, Verdict::Fails, summary, facts, seen)
}

/// An action's description, cut at a word to a length a summary can name.
fn shortened(text: &str) -> String {
    const LIMIT: usize = 60;
    let text = text.trim();
    match text.char_indices().nth(LIMIT) {
        Some((cut, _)) => {
            let head = &text[..cut];
            let at_word = head.rfind(char::is_whitespace).map_or(head, |space| &head[..space]);
            format!("{}…", at_word.trim_end())
        }
        None => text.to_string(),
    }
}

/// KPI values are recorded for the last complete calendar quarter before `today`
/// ([`last_complete_quarter`]): at least one KPI has a value for the whole quarter, as one quarterly
/// value or as each of its three months. A KPI with only some of the months does not count. None:
/// fails.
pub fn kpis_reported(records: &Records, today: NaiveDate) -> Outcome {
    let links = Links(records.provider_id);
    let quarter = last_complete_quarter(today);
    let within: Vec<_> =
        records.kpi_values.iter().filter(|v| v.period.start >= quarter.start && v.period.end <= quarter.end).collect();
    // Each KPI once, in the order first met, with its periods.
    let mut kpis: Vec<(&str, &str, Vec<Period>)> = Vec::new();
    for value in &within {
        match kpis.iter_mut().find(|(reference, ..)| *reference == value.reference) {
            Some(kpi) => kpi.2.push(value.period),
            None => kpis.push((&value.reference, &value.title, vec![value.period])),
        }
    }
    let whole = |periods: &[Period]| {
        periods.contains(&quarter)
            || (0..3).all(|k| {
                quarter
                    .start
                    .checked_add_months(Months::new(k))
                    .and_then(Period::month)
                    .is_some_and(|month| periods.contains(&month))
            })
    };
    let rows = kpis
        .iter()
        .map(|(reference, title, periods)| {
            let mut periods = periods.clone();
            periods.sort();
            let listed: Vec<String> = periods.iter().map(|p| p.label()).collect();
            vec![
                reference.to_string(),
                title.to_string(),
                listed.join(", "),
                if whole(&periods) { "Yes" } else { "Only in part" }.to_string(),
            ]
        })
        .collect();
    let seen = seen(
        &format!("KPI values for {}", quarter.label()),
        &["Reference", "KPI", "Periods recorded", "Whole quarter"],
        rows,
    );
    let reported = kpis.iter().filter(|(.., periods)| whole(periods)).count();
    if reported > 0 {
        let summary = format!("{} reported for {}", counted(reported, "KPI", "KPIs"), quarter.label());
        return outcome(
            LiveCheck::KpisReported,
            Verdict::Holds,
            summary,
            vec![links.kpis("The quality indicators".into())],
            seen,
        );
    }
    let summary = if kpis.is_empty() {
        format!("No KPI is reported for {}", quarter.label())
    } else {
        format!(
            "No KPI is reported for the whole of {}: {} only in part",
            quarter.label(),
            counted(kpis.len(), "is reported", "are reported")
        )
    };
    outcome(LiveCheck::KpisReported, Verdict::Fails, summary, vec![links.kpis("The quality indicators".into())], seen)
}

/// Each commissioner holding a current contract had a review confirmed by both sides within six
/// months: as `commissioning::rules::reviews` says, a review is overdue the day after six months
/// from the last confirmed one, or from the contract's start when none has been held, so a contract
/// younger than six months with no review yet does not fail. No contracts: not enough data.
pub fn customer_reviews_held(records: &Records, today: NaiveDate) -> Outcome {
    use crate::commissioning::rules::reviews::{review_due, review_overdue};
    let links = Links(records.provider_id);
    let overdue = |c: &&super::store::records::CommissionerRecord| {
        review_overdue(c.last_confirmed, Some(c.contracted_since), today)
    };
    let rows = records
        .commissioners
        .iter()
        .map(|c| {
            let due = review_due(c.last_confirmed, Some(c.contracted_since));
            let standing = match (overdue(&c), c.last_confirmed.is_some()) {
                (true, _) => "Overdue",
                (false, true) => "In date",
                (false, false) => "First review not yet due",
            };
            vec![
                c.name.clone(),
                on(c.contracted_since),
                c.last_confirmed.map(on).unwrap_or_else(|| "None confirmed".into()),
                due.map(on).unwrap_or_default(),
                standing.to_string(),
            ]
        })
        .collect();
    let seen = seen(
        "Customer reviews with the commissioners holding a current contract",
        &["Commissioner", "Contracted since", "Last confirmed review", "Next due by", "Standing"],
        rows,
    );
    if records.commissioners.is_empty() {
        return not_enough(LiveCheck::CustomerReviewsHeld, "No commissioner holds a current contract", seen);
    }
    let late: Vec<_> = records.commissioners.iter().filter(overdue).collect();
    let total = records.commissioners.len();
    if late.is_empty() {
        let summary = format!(
            "Customer reviews are in date with {}",
            if total == 1 { "the one commissioner".to_string() } else { format!("all {total} commissioners") }
        );
        return outcome(
            LiveCheck::CustomerReviewsHeld,
            Verdict::Holds,
            summary,
            vec![links.reviews("The customer reviews".into())],
            seen,
        );
    }
    let names: Vec<String> = late.iter().map(|c| c.name.clone()).collect();
    let summary = format!("Customer review overdue with {} of {total} commissioners: {}", late.len(), named(&names));
    let facts = late
        .iter()
        .map(|c| {
            let since = match c.last_confirmed {
                Some(last) => format!("last confirmed review {}", on(last)),
                None => format!("no review confirmed since the contract began on {}", on(c.contracted_since)),
            };
            links.reviews(format!("{}: {since}", c.name))
        })
        .collect();
    outcome(LiveCheck::CustomerReviewsHeld, Verdict::Fails, summary, facts, seen)
}

/// Every live evidence item linked to a standard marked met is within its review date
/// (`evidence::rules::review_state`): due on `today` is still within it, the day after is past it;
/// an item with no review date never lapses. No standard marked met, or none of them with evidence
/// linked: not enough data (readiness already flags a met standard without evidence).
pub fn met_evidence_current(records: &Records, today: NaiveDate) -> Outcome {
    let links = Links(records.provider_id);
    let lapsed = |due: Option<NaiveDate>| review_state(due, today) == ReviewState::Overdue;
    let rows = records
        .met_evidence
        .iter()
        .map(|e| {
            vec![
                e.standard.clone(),
                e.title.clone(),
                e.review_due.map(on).unwrap_or_else(|| "No review date".into()),
                if lapsed(e.review_due) { "Past its review date" } else { "Within its review date" }.to_string(),
            ]
        })
        .collect();
    let seen =
        seen("Evidence linked to the standards marked met", &["Standard", "Evidence", "Review due", "Standing"], rows);
    if records.met_standards.is_empty() {
        return not_enough(LiveCheck::MetEvidenceCurrent, "No standard is marked met", seen);
    }
    if records.met_evidence.is_empty() {
        let summary = format!(
            "No evidence is linked to the {} marked met",
            counted(records.met_standards.len(), "standard", "standards")
        );
        return not_enough(LiveCheck::MetEvidenceCurrent, &summary, seen);
    }
    // Each item once, with the met standards it is linked to.
    let mut items: Vec<(i32, &str, Option<NaiveDate>, Vec<&str>)> = Vec::new();
    for e in &records.met_evidence {
        match items.iter_mut().find(|(id, ..)| *id == e.item_id) {
            Some(item) => item.3.push(&e.standard),
            None => items.push((e.item_id, &e.title, e.review_due, vec![&e.standard])),
        }
    }
    let past: Vec<_> = items.iter().filter(|(_, _, due, _)| lapsed(*due)).collect();
    if past.is_empty() {
        let summary = format!(
            "{} linked to standards marked met {} within {} review date",
            if items.len() == 1 {
                "The one evidence item".to_string()
            } else {
                format!("All {} evidence items", items.len())
            },
            if items.len() == 1 { "is" } else { "are" },
            if items.len() == 1 { "its" } else { "their" },
        );
        let facts =
            vec![links.evidence_library(counted(items.len(), "evidence item checked", "evidence items checked"))];
        return outcome(LiveCheck::MetEvidenceCurrent, Verdict::Holds, summary, facts, seen);
    }
    let titles: Vec<String> = past.iter().map(|(_, title, ..)| title.to_string()).collect();
    let summary = format!(
        "{} past {} review date: {}",
        counted(past.len(), "evidence item", "evidence items"),
        if past.len() == 1 { "its" } else { "their" },
        named(&titles)
    );
    let facts = past
        .iter()
        .map(|(id, title, due, standards)| {
            let due = due.map(on).unwrap_or_default();
            links.evidence(*id, format!("{title} ({}): review was due {due}", standards.join(", ")))
        })
        .collect();
    outcome(LiveCheck::MetEvidenceCurrent, Verdict::Fails, summary, facts, seen)
}

/// A day as the pages show it: "2 Dec 2026".
fn on(day: NaiveDate) -> String {
    day.format("%-d %b %Y").to_string()
}

/// Staff numbers as a summary names them.
fn numbers(people: &[&PersonRecord]) -> String {
    let numbers: Vec<String> = people.iter().map(|p| p.staff_number.clone()).collect();
    named(&numbers)
}

/// Records as a summary names them: "S003, S009", and past ten, "… and 4 more".
fn named(items: &[String]) -> String {
    if items.len() <= NAMED_IN_SUMMARY {
        return items.join(", ");
    }
    format!("{} and {} more", items[..NAMED_IN_SUMMARY].join(", "), items.len() - NAMED_IN_SUMMARY)
}

fn seen(title: &str, columns: &[&str], rows: Vec<Vec<String>>) -> Seen {
    Seen { title: title.to_string(), columns: columns.iter().map(|c| c.to_string()).collect(), rows }
}

fn outcome(check: LiveCheck, verdict: Verdict, summary: String, facts: Vec<LiveFact>, seen: Seen) -> Outcome {
    Outcome { check, verdict, summary, facts, seen }
}

fn not_enough(check: LiveCheck, summary: &str, seen: Seen) -> Outcome {
    outcome(check, Verdict::NotEnoughData, summary.to_string(), Vec::new(), seen)
}

/// The pages a fact links to, with the capability each page's handler authorises.
struct Links(ProviderId);

impl Links {
    fn fact(&self, text: String, path: String, needs: Capability) -> LiveFact {
        LiveFact { text, href: Some(format!("/providers/{}{path}", self.0)), needs }
    }

    fn person(&self, person: &PersonRecord, text: String) -> LiveFact {
        self.fact(text, format!("/workforce/staff/{}", person.staff_id), Capability::ReadStaff)
    }

    fn workforce(&self, text: String) -> LiveFact {
        self.fact(text, "/workforce".into(), Capability::Read)
    }

    fn supervision(&self, text: String) -> LiveFact {
        self.fact(text, "/workforce/supervision".into(), Capability::ReadStaff)
    }

    fn coverage(&self, text: String) -> LiveFact {
        self.fact(text, "/coverage".into(), Capability::ReadAssessment)
    }

    fn coverage_row(&self, reference: &str, text: String) -> LiveFact {
        self.fact(text, format!("/coverage/{reference}"), Capability::ReadAssessment)
    }

    fn plans(&self, text: String) -> LiveFact {
        self.fact(text, "/audit-plans".into(), Capability::ReadAssessment)
    }

    fn plan(&self, year: FinancialYear, text: String) -> LiveFact {
        self.fact(text, format!("/audit-plans/{}", year.url()), Capability::ReadAssessment)
    }

    fn sign_off(&self, year: FinancialYear, text: String) -> LiveFact {
        self.fact(text, format!("/audit-plans/{}/sign-off", year.url()), Capability::ReadAssessment)
    }

    fn action(&self, action_id: i32, text: String) -> LiveFact {
        self.fact(text, format!("/audit-actions/{action_id}"), Capability::ReadAssessment)
    }

    fn kpis(&self, text: String) -> LiveFact {
        self.fact(text, "/kpis".into(), Capability::ReadAssessment)
    }

    fn reviews(&self, text: String) -> LiveFact {
        self.fact(text, "/customer-reviews".into(), Capability::Read)
    }

    fn evidence_library(&self, text: String) -> LiveFact {
        self.fact(text, "/evidence".into(), Capability::ReadAssessment)
    }

    fn evidence(&self, item_id: i32, text: String) -> LiveFact {
        self.fact(text, format!("/evidence/{item_id}"), Capability::ReadAssessment)
    }
}

#[cfg(test)]
mod tests;
