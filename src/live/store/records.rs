//! The records the live checks read, gathered for one provider from the other areas' stores. Plain
//! values, so the checks (`live::rules`) are tested on records built by hand.

use chrono::{Days, NaiveDate};
use diesel::QueryResult;

use crate::audits::model::{AuditStatus, AuditType};
use crate::audits::sign_off::SignOffStatus;
use crate::catalogue::model::CpdCycle;
use crate::clock::FinancialYear;
use crate::coverage::model::{CoverageKind, Delivery};
use crate::db::{DbConnection, ProviderId, StaffId};
use crate::live::rules::{last_complete_quarter, CPD_HORIZON_DAYS};
use crate::quality::model::PeriodFilter;
use crate::quality::rules::Period;
use crate::workforce::model::{Discipline, Regulator};

/// Everything the live checks read about one provider on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct Records {
    pub provider_id: ProviderId,
    pub as_of: NaiveDate,
    /// Days without clinical supervision after which someone who needs it is overdue.
    pub supervision_days: i64,
    /// The people in post on `as_of` (started, or no start given; not yet left), by name.
    pub people: Vec<PersonRecord>,
    /// The core services and sub-specialisms, core services first, each with what is recorded.
    pub coverage: Vec<CoverageRecord>,
    /// The audit plan of the financial year containing `as_of`, if there is one.
    pub plan: Option<PlanRecord>,
    /// Open audit actions due before `as_of`, oldest due first.
    pub overdue_actions: Vec<OpenAction>,
    /// The KPI values whose period lies within the last complete quarter before `as_of`.
    pub kpi_values: Vec<KpiValue>,
    /// The commissioners holding a current contract, by name, with their last confirmed review.
    pub commissioners: Vec<CommissionerRecord>,
    /// The standards of the current cycle marked met.
    pub met_standards: Vec<MetStandard>,
    /// The live evidence items linked to those standards (an item linked to two is here twice).
    pub met_evidence: Vec<EvidenceRecord>,
}

/// One person in post, as the workforce checks read them.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRecord {
    pub staff_id: StaffId,
    pub staff_number: String,
    pub name: String,
    pub discipline: Discipline,
    pub regulator: Regulator,
    pub registration_renewal: Option<NaiveDate>,
    pub started_on: Option<NaiveDate>,
    /// A Responsible Officer is named on the record.
    pub responsible_officer: bool,
    pub last_appraisal: Option<NaiveDate>,
    /// Their CPD cycles that end within [`CPD_HORIZON_DAYS`] of the day gathered (the HCPC's rolling
    /// periods always end that day), each with the CPD counted so far; none for anyone else.
    pub cpd: Vec<CpdCycleRecord>,
    /// Their discipline must attend clinical supervision (the catalogue says which).
    pub needs_supervision: bool,
    /// The latest session they attended, not after the day gathered.
    pub last_supervision: Option<NaiveDate>,
}

impl PersonRecord {
    /// A doctor: registered with the GMC.
    pub fn is_doctor(&self) -> bool {
        self.regulator == Regulator::Gmc
    }

    /// A specialty registrar, whose yearly review is ARCP through their deanery, not appraisal.
    pub fn in_training(&self) -> bool {
        self.discipline == Discipline::SpecialtyRegistrar
    }
}

/// One CPD cycle of a person and where they stand against its requirement.
#[derive(Debug, Clone, PartialEq)]
pub struct CpdCycleRecord {
    /// The CPD year, the revalidation cycle (an NMC cycle, or a GMC doctor's five years), or the
    /// HCPC's rolling periods.
    pub cycle: CpdCycle,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Credits, hours or (rolling periods) activities counted so far; for rolling periods, in the
    /// most recent period.
    pub total: f64,
    pub required: f64,
    /// "credits", "hours", "activities".
    pub unit: &'static str,
    /// The requirement is met so far: the total and, for the NMC, the participatory hours and the
    /// reflective accounts; for rolling periods, every period holds its activity.
    pub met: bool,
}

/// A core service or sub-specialism and how it is delivered.
#[derive(Debug, Clone, PartialEq)]
pub struct CoverageRecord {
    pub kind: CoverageKind,
    pub reference: String,
    pub title: String,
    pub delivery: Option<Delivery>,
    pub partner_name: Option<String>,
    pub starts_on: Option<NaiveDate>,
    /// The last day an arrangement covers.
    pub ends_on: Option<NaiveDate>,
}

/// A financial year's audit plan, where it stands with the clinical director, and its audits.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanRecord {
    pub year: FinancialYear,
    /// Signed off, and whether it still hashes to its newest sign-off.
    pub status: SignOffStatus,
    pub audits: Vec<PlannedAudit>,
}

/// An audit in a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedAudit {
    pub id: i32,
    pub title: String,
    pub audit_type: AuditType,
    pub status: AuditStatus,
}

/// An open audit action.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenAction {
    pub id: i32,
    pub description: String,
    pub audit_title: String,
    pub owner_name: String,
    pub due_on: NaiveDate,
}

/// A KPI's value for one period (whether it met its target does not matter here).
#[derive(Debug, Clone, PartialEq)]
pub struct KpiValue {
    pub reference: String,
    pub title: String,
    pub period: Period,
}

/// A commissioner holding a current contract with the provider.
#[derive(Debug, Clone, PartialEq)]
pub struct CommissionerRecord {
    pub commissioner_id: i32,
    pub name: String,
    /// The earliest start of its current contracts.
    pub contracted_since: NaiveDate,
    /// The day the last review both sides confirmed was held.
    pub last_confirmed: Option<NaiveDate>,
}

/// A standard the manager marked met.
#[derive(Debug, Clone, PartialEq)]
pub struct MetStandard {
    pub node_id: i32,
    pub reference: String,
    pub title: String,
}

/// A live evidence item linked to a standard marked met.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceRecord {
    /// The standard's reference.
    pub standard: String,
    pub item_id: i32,
    pub title: String,
    pub review_due: Option<NaiveDate>,
}

/// The provider's records as of `today`, judging supervision against `supervision_days`, in a fixed
/// number of queries whatever its size (about twenty-five; seven more to hash a signed-off plan).
pub fn gather(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    today: NaiveDate,
    supervision_days: i64,
) -> QueryResult<Records> {
    let people = people(conn, provider_id, today)?;
    let coverage = crate::coverage::store::coverage(conn, provider_id, today)?
        .into_iter()
        .map(|row| CoverageRecord {
            kind: row.kind,
            reference: row.reference,
            title: row.title,
            delivery: row.delivery,
            partner_name: row.partner_name,
            starts_on: row.starts_on,
            ends_on: row.ends_on,
        })
        .collect();
    let plan = plan(conn, provider_id, FinancialYear::containing(today))?;
    let overdue_actions = crate::audits::store::actions::overdue_for_provider(conn, provider_id, today)?
        .into_iter()
        .map(|action| OpenAction {
            id: action.id,
            description: action.description,
            audit_title: action.audit_title,
            owner_name: action.owner_name,
            due_on: action.due_on,
        })
        .collect();
    let quarter = last_complete_quarter(today);
    let kpis = crate::quality::store::definitions(conn, provider_id)?;
    let filter = PeriodFilter { from: Some(quarter.start), to: Some(quarter.end) };
    let kpi_values = crate::quality::store::values(conn, provider_id, &kpis, filter)?
        .into_iter()
        .filter_map(|value| {
            let kpi = kpis.iter().find(|k| k.node_id == value.node_id)?;
            Some(KpiValue { reference: kpi.reference.clone(), title: kpi.title.clone(), period: value.period })
        })
        .collect();
    let commissioners = crate::commissioning::store::reviews::by_commissioner(conn, provider_id, None, today)?
        .into_iter()
        .map(|c| CommissionerRecord {
            commissioner_id: c.commissioner_id,
            name: c.name,
            contracted_since: c.contracted_since,
            last_confirmed: c.last_confirmed,
        })
        .collect();
    let met_standards: Vec<MetStandard> = crate::assessment::store::met_standards(conn, provider_id)?
        .into_iter()
        .map(|(node_id, reference, title)| MetStandard { node_id, reference, title })
        .collect();
    let node_ids: Vec<i32> = met_standards.iter().map(|s| s.node_id).collect();
    let met_evidence = crate::evidence::store::live_items_linked_to(conn, provider_id, &node_ids)?
        .into_iter()
        .filter_map(|item| {
            let standard = met_standards.iter().find(|s| s.node_id == item.node_id)?;
            Some(EvidenceRecord {
                standard: standard.reference.clone(),
                item_id: item.item_id,
                title: item.title,
                review_due: item.review_due,
            })
        })
        .collect();
    Ok(Records {
        provider_id,
        as_of: today,
        supervision_days,
        people,
        coverage,
        plan,
        overdue_actions,
        kpi_values,
        commissioners,
        met_standards,
        met_evidence,
    })
}

/// The people in post with their latest supervision, and each one's CPD cycles ending within the
/// horizon counted from one more query for their records: four queries. The workforce page's
/// judging of every issue is not needed here, and would read more CPD than the checks count.
fn people(conn: &mut DbConnection, provider_id: ProviderId, today: NaiveDate) -> QueryResult<Vec<PersonRecord>> {
    use crate::workforce::rules as workforce;
    let regulations = crate::workforce::store::regulations(conn)?;
    let lines = crate::workforce::store::current_staff(conn, provider_id, today)?;
    let ids: Vec<StaffId> = lines.iter().map(|p| p.id).collect();
    let supervised = crate::workforce::store::last_supervisions(conn, &ids, today)?;
    let horizon = today.checked_add_days(Days::new(CPD_HORIZON_DAYS.unsigned_abs())).unwrap_or(today);
    let within = |end: NaiveDate| today <= end && end <= horizon;
    // Each person's cycles to count: (cycle, start, end), and whether it is the revalidation total.
    let mut cycles: Vec<Vec<(CpdCycle, NaiveDate, NaiveDate, bool)>> = Vec::with_capacity(lines.len());
    for person in &lines {
        let facts = crate::workforce::store::person_facts(person, &regulations, None);
        let mut theirs = Vec::new();
        if let Some(rule) = regulations.get(person.regulator).map(|r| &r.rule) {
            if let (Some(kind), Some(_)) = (rule.cpd_cycle, rule.cpd_required) {
                if let Some((start, end)) = workforce::cpd_cycle(&facts, rule, today) {
                    if kind == CpdCycle::RollingPeriods || within(end) {
                        theirs.push((kind, start, end, false));
                    }
                }
            }
            let separate = rule.cpd_cycle != Some(CpdCycle::Revalidation);
            if let (Some(_), true) = (rule.revalidation_cpd_required, separate) {
                if let Some((start, end)) = workforce::revalidation_cycle(&facts, rule) {
                    if within(end) {
                        theirs.push((CpdCycle::Revalidation, start, end, true));
                    }
                }
            }
        }
        cycles.push(theirs);
    }
    let counted: Vec<StaffId> =
        lines.iter().zip(&cycles).filter(|(_, c)| !c.is_empty()).map(|(person, _)| person.id).collect();
    let earliest = cycles.iter().flatten().map(|c| c.1).min().unwrap_or(today);
    let mut activities = crate::workforce::store::cpd_activities(conn, &counted, earliest, today)?;
    Ok(lines
        .into_iter()
        .zip(cycles)
        .map(|(person, theirs)| {
            let facts = crate::workforce::store::person_facts(&person, &regulations, None);
            let rule = regulations.get(person.regulator).map(|r| &r.rule);
            let done = activities.remove(&person.id).unwrap_or_default();
            let done = done.as_slice();
            let cpd = rule
                .map(|rule| {
                    let unit = rule.cpd_unit.map_or("hours", |u| u.label());
                    theirs
                        .iter()
                        .filter_map(|&(cycle, starts_on, ends_on, revalidation_total)| {
                            let (progress, met) = if revalidation_total {
                                let progress = workforce::revalidation_cpd_progress(&facts, rule, done, today)?;
                                let met = progress.total_reached();
                                (progress, met)
                            } else if cycle == CpdCycle::RollingPeriods {
                                let progress = workforce::cpd_progress(&facts, rule, done, today)?;
                                (progress, !workforce::cpd_short(&facts, rule, done, today))
                            } else {
                                let progress = workforce::cpd_progress(&facts, rule, done, today)?;
                                let met = workforce::cpd_requirement_met(&progress, rule);
                                (progress, met)
                            };
                            Some(CpdCycleRecord {
                                cycle,
                                starts_on,
                                ends_on,
                                total: progress.total,
                                required: progress.required,
                                unit,
                                met,
                            })
                        })
                        .collect()
                })
                .unwrap_or_default();
            PersonRecord {
                last_supervision: supervised.get(&person.id).copied(),
                staff_id: person.id,
                staff_number: person.staff_number,
                name: person.full_name,
                discipline: person.discipline,
                regulator: person.regulator,
                registration_renewal: person.registration_renewal,
                started_on: person.start_date,
                responsible_officer: facts.responsible_officer,
                last_appraisal: person.last_appraisal,
                cpd,
                needs_supervision: facts.needs_supervision,
            }
        })
        .collect())
}

/// The provider's plan for `year` with its sign-off status and its audits: three queries, and the
/// seven of `sign_off::statuses` when it is signed off (to hash it against its sign-off).
fn plan(conn: &mut DbConnection, provider_id: ProviderId, year: FinancialYear) -> QueryResult<Option<PlanRecord>> {
    let Some(plan) = crate::audits::store::plans::plan(conn, provider_id, year)? else { return Ok(None) };
    let status = crate::audits::store::sign_off::statuses(conn, &[(plan.id, plan.state)])?
        .remove(&plan.id)
        .unwrap_or_else(|| SignOffStatus::of(plan.state, "", None));
    let audits = crate::audits::store::audits::plan_audits(conn, plan.id)?
        .into_iter()
        .map(|audit| PlannedAudit {
            id: audit.id,
            title: audit.title,
            audit_type: audit.audit_type,
            status: audit.status,
        })
        .collect();
    Ok(Some(PlanRecord { year: plan.year, status, audits }))
}
