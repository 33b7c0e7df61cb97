//! Plans: each provider's plan for an NHS financial year, the list of them with their figures, and
//! copying a year's plan into the next as one save.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::audits::model::{ActionStatus, AuditStatus, AuditType, PlanState};
use crate::audits::rules::{self, CarryOver};
use crate::clock::FinancialYear;
use crate::db::schema::{audit_actions, audit_criteria, audit_plans, audit_standards, audits};
use crate::db::{self, DbConnection, ProviderId, StoreError, UserId};
use crate::history::store::{json, record_created};

/// A plan as its pages name it.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub id: i32,
    pub year: FinancialYear,
    /// "2026/27".
    pub year_label: String,
    /// "2026-27".
    pub year_url: String,
    /// As stored; where the plan stands in words, "changed since sign-off" included, is
    /// `sign_off::summary`.
    pub state: PlanState,
}

impl Plan {
    fn new(id: i32, year_start: i32, state: PlanState) -> Option<Plan> {
        let year = FinancialYear::starting_in(year_start)?;
        Some(Plan { id, year, year_label: year.to_string(), year_url: year.url(), state })
    }
}

/// A plan on the list of plans, with its figures.
#[derive(Debug, Clone, Serialize)]
pub struct PlanLine {
    pub plan: Plan,
    /// (status label, how many), for the statuses the plan has.
    pub by_status: Vec<(&'static str, usize)>,
    pub audits: usize,
    pub open_actions: usize,
    pub overdue_actions: usize,
}

/// The provider's plan for a year.
pub fn plan(conn: &mut DbConnection, provider_id: ProviderId, year: FinancialYear) -> QueryResult<Option<Plan>> {
    let found: Option<(i32, i32, PlanState)> = audit_plans::table
        .filter(audit_plans::provider_id.eq(provider_id))
        .filter(audit_plans::year_start.eq(year.start_year()))
        .select((audit_plans::id, audit_plans::year_start, audit_plans::state))
        .first(conn)
        .optional()?;
    Ok(found.and_then(|(id, start, state)| Plan::new(id, start, state)))
}

/// The provider's plans, newest year first, with the count of audits by status and of open and
/// overdue actions. Three queries.
pub fn plans(conn: &mut DbConnection, provider_id: ProviderId, today: NaiveDate) -> QueryResult<Vec<PlanLine>> {
    let found: Vec<(i32, i32, PlanState)> = audit_plans::table
        .filter(audit_plans::provider_id.eq(provider_id))
        .select((audit_plans::id, audit_plans::year_start, audit_plans::state))
        .order(audit_plans::year_start.desc())
        .load(conn)?;
    let statuses: Vec<(i32, AuditStatus)> = audits::table
        .inner_join(audit_plans::table)
        .filter(audit_plans::provider_id.eq(provider_id))
        .select((audits::plan_id, audits::status))
        .load(conn)?;
    let open: Vec<(i32, NaiveDate)> = audit_actions::table
        .inner_join(audits::table.inner_join(audit_plans::table))
        .filter(audit_plans::provider_id.eq(provider_id))
        .filter(audit_actions::status.eq(ActionStatus::Open))
        .select((audits::plan_id, audit_actions::due_on))
        .load(conn)?;
    Ok(found
        .into_iter()
        .filter_map(|(id, start, state)| {
            let plan = Plan::new(id, start, state)?;
            let mine: Vec<AuditStatus> = statuses.iter().filter(|(p, _)| *p == id).map(|(_, s)| *s).collect();
            let by_status = AuditStatus::ALL
                .iter()
                .map(|s| (s.label(), mine.iter().filter(|m| *m == s).count()))
                .filter(|(_, n)| *n > 0)
                .collect();
            let actions: Vec<NaiveDate> = open.iter().filter(|(p, _)| *p == id).map(|(_, d)| *d).collect();
            Some(PlanLine {
                plan,
                by_status,
                audits: mine.len(),
                open_actions: actions.len(),
                overdue_actions: actions.iter().filter(|d| rules::is_overdue(ActionStatus::Open, **d, today)).count(),
            })
        })
        .collect())
}

/// Starts an empty plan for a year. A year that has one is refused at the field.
pub fn create_plan(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    year: FinancialYear,
) -> Result<i32, StoreError> {
    db::write_transaction(conn, |conn| {
        if plan(conn, provider_id, year)?.is_some() {
            return Err(StoreError::invalid("year", format!("There is already a plan for {year}")));
        }
        let id = insert_plan(conn, by, provider_id, year)?;
        record_created(conn, by, Some(provider_id.0), "audit_plan", id, vec![("year", json(year.to_string()))])?;
        Ok(id)
    })
}

fn insert_plan(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    year: FinancialYear,
) -> QueryResult<i32> {
    diesel::insert_into(audit_plans::table)
        .values((
            audit_plans::provider_id.eq(provider_id),
            audit_plans::year_start.eq(year.start_year()),
            audit_plans::state.eq(PlanState::Draft),
            audit_plans::created_at.eq(Utc::now().naive_utc()),
            audit_plans::created_by.eq(by.map(|u| u.0)),
        ))
        .execute(conn)?;
    db::last_insert_id(conn)
}

/// What copying a plan did: the audits carried over and the re-audits proposed, by title.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Copied {
    pub next_year: Option<FinancialYear>,
    pub carried: Vec<String>,
    pub reaudits: Vec<String>,
}

/// An audit of the year being copied, as copying needs it.
type Source = (i32, String, AuditType, Option<i32>, Option<i32>, i32, String, Option<i32>, AuditStatus, bool);

/// Copies a year's plan into the next, in one transaction: the audits not yet completed (planned,
/// in progress or deferred; `rules::carry_over`) start again as planned, with their standards,
/// service, lead, quarter, method, sample and criteria but no dates, results or findings; each
/// completed audit not yet re-audited is proposed for re-audit ("Re-audit: …", `reaudit_of` set)
/// with the same criteria and targets. Refused (409) when the next year already has a plan.
pub fn copy_plan(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    year: FinancialYear,
) -> Result<Copied, StoreError> {
    db::write_transaction(conn, |conn| {
        let source = plan(conn, provider_id, year)?.ok_or(StoreError::NotFound)?;
        let next = FinancialYear::starting_in(year.start_year() + 1)
            .filter(|y| y.start_year() <= 2099)
            .ok_or_else(|| StoreError::Conflict(format!("{year} is the last year a plan can be made for")))?;
        if plan(conn, provider_id, next)?.is_some() {
            return Err(StoreError::Conflict(format!(
                "There is already a plan for {next}, so {year} was not copied into it. Open the {next} plan to add audits to it."
            )));
        }
        let reaudit = diesel::alias!(audits as reaudit);
        let found: Vec<Source> = audits::table
            .left_join(reaudit.on(reaudit.field(audits::reaudit_of).eq(audits::id.nullable())))
            .filter(audits::plan_id.eq(source.id))
            .select((
                audits::id,
                audits::title,
                audits::audit_type,
                audits::service_node_id,
                audits::lead_staff_id,
                audits::planned_quarter,
                audits::method,
                audits::sample_size,
                audits::status,
                reaudit.field(audits::id).nullable().is_not_null(),
            ))
            .order((audits::planned_quarter, audits::title, audits::id))
            .load(conn)?;
        let new_plan = insert_plan(conn, by, provider_id, next)?;
        let now = Utc::now().naive_utc();
        let by_id = by.map(|u| u.0);
        let mut copied = Copied { next_year: Some(next), ..Default::default() };
        let mut rows = Vec::new();
        let mut origins = Vec::new();
        for (id, title, audit_type, service, lead, quarter, method, sample, status, reaudited) in found {
            let (title, reaudit_of) = match rules::carry_over(status, reaudited) {
                CarryOver::Leave => continue,
                CarryOver::Copy => {
                    copied.carried.push(title.clone());
                    (title, None)
                }
                CarryOver::ReAudit => {
                    let title = rules::reaudit_title(&title);
                    copied.reaudits.push(title.clone());
                    (title, Some(id))
                }
            };
            origins.push(id);
            rows.push((
                audits::plan_id.eq(new_plan),
                audits::title.eq(title),
                audits::audit_type.eq(audit_type),
                audits::service_node_id.eq(service),
                audits::lead_staff_id.eq(lead),
                audits::planned_quarter.eq(quarter),
                audits::method.eq(method),
                audits::sample_size.eq(sample),
                audits::status.eq(AuditStatus::Planned),
                audits::reaudit_of.eq(reaudit_of),
                audits::created_at.eq(now),
                audits::created_by.eq(by_id),
                audits::updated_at.eq(now),
                audits::updated_by.eq(by_id),
            ));
        }
        db::insert_batch(conn, audits::table, &rows)?;
        // The new audits in the order they were written, which is the order of `origins`.
        let new_ids: Vec<i32> =
            audits::table.filter(audits::plan_id.eq(new_plan)).select(audits::id).order(audits::id).load(conn)?;
        let pairs: Vec<(i32, i32)> = origins.iter().copied().zip(new_ids.iter().copied()).collect();
        let standards: Vec<(i32, i32)> = audit_standards::table
            .filter(audit_standards::audit_id.eq_any(&origins))
            .select((audit_standards::audit_id, audit_standards::node_id))
            .load(conn)?;
        let criteria: Vec<(i32, i32, String, f64)> = audit_criteria::table
            .filter(audit_criteria::audit_id.eq_any(&origins))
            .select((
                audit_criteria::audit_id,
                audit_criteria::position,
                audit_criteria::description,
                audit_criteria::target_percent,
            ))
            .load(conn)?;
        let new_of = |old: i32| pairs.iter().find(|(o, _)| *o == old).map(|(_, n)| *n);
        let standard_rows: Vec<_> = standards
            .into_iter()
            .filter_map(|(old, node)| {
                new_of(old).map(|id| (audit_standards::audit_id.eq(id), audit_standards::node_id.eq(node)))
            })
            .collect();
        db::insert_batch(conn, audit_standards::table, &standard_rows)?;
        let criteria_rows: Vec<_> = criteria
            .into_iter()
            .filter_map(|(old, position, description, target)| {
                new_of(old).map(|id| {
                    (
                        audit_criteria::audit_id.eq(id),
                        audit_criteria::position.eq(position),
                        audit_criteria::description.eq(description),
                        audit_criteria::target_percent.eq(target),
                    )
                })
            })
            .collect();
        db::insert_batch(conn, audit_criteria::table, &criteria_rows)?;
        record_created(
            conn,
            by,
            Some(provider_id.0),
            "audit_plan",
            new_plan,
            vec![
                ("year", json(next.to_string())),
                ("copied_from", json(year.to_string())),
                ("audits_carried_over", json(&copied.carried)),
                ("reaudits_proposed", json(&copied.reaudits)),
            ],
        )?;
        Ok(copied)
    })
}

/// A financial year's audit plan as the commissioner's comparison reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanStanding {
    pub plan_id: i32,
    pub state: PlanState,
    /// Signed off, and its content no longer hashes to its newest sign-off.
    pub changed_since_sign_off: bool,
    /// A national benchmarking (MoHaWK) audit neither deferred nor cancelled.
    pub national_audit: bool,
    /// Local clinical audits neither deferred nor cancelled.
    pub local_clinical_audits: usize,
}

/// The plan of `year` of each of many providers that has one, without a query per provider: the
/// plans, their audits counted by type and status in SQL, and the sign-off statuses
/// (`sign_off::statuses`, which hashes only the signed-off plans).
pub fn plans_for_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
    year: FinancialYear,
) -> QueryResult<HashMap<ProviderId, PlanStanding>> {
    let plans: Vec<(i32, ProviderId, PlanState)> = audit_plans::table
        .filter(audit_plans::provider_id.eq_any(providers))
        .filter(audit_plans::year_start.eq(year.start_year()))
        .select((audit_plans::id, audit_plans::provider_id, audit_plans::state))
        .load(conn)?;
    if plans.is_empty() {
        return Ok(HashMap::new());
    }
    let ids: Vec<i32> = plans.iter().map(|p| p.0).collect();
    let counted: Vec<(i32, AuditType, AuditStatus, i64)> = audits::table
        .filter(audits::plan_id.eq_any(&ids))
        .group_by((audits::plan_id, audits::audit_type, audits::status))
        .select((audits::plan_id, audits::audit_type, audits::status, diesel::dsl::count_star()))
        .load(conn)?;
    let stored: Vec<(i32, PlanState)> = plans.iter().map(|(id, _, state)| (*id, *state)).collect();
    let statuses = super::sign_off::statuses(conn, &stored)?;
    let going_ahead = |status: AuditStatus| !matches!(status, AuditStatus::Deferred | AuditStatus::Cancelled);
    Ok(plans
        .into_iter()
        .map(|(plan_id, provider, state)| {
            let of_plan = counted.iter().filter(|c| c.0 == plan_id && going_ahead(c.2));
            let count = |kind: AuditType| {
                of_plan.clone().filter(|c| c.1 == kind).map(|c| usize::try_from(c.3).unwrap_or(0)).sum::<usize>()
            };
            let standing = PlanStanding {
                plan_id,
                state,
                changed_since_sign_off: statuses.get(&plan_id)
                    == Some(&crate::audits::sign_off::SignOffStatus::ChangedSinceSignOff),
                national_audit: count(AuditType::NationalBenchmarking) > 0,
                local_clinical_audits: count(AuditType::LocalClinical),
            };
            (provider, standing)
        })
        .collect())
}
