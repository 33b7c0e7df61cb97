//! Audits: adding and changing one (its plan fields, criteria and standards), recording its
//! results, and reading it with everything its page shows.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::plans::{self, Plan};
use crate::audits::model::{AuditPlan, AuditStatus, AuditType, Criterion, CriterionResult, Progress};
use crate::audits::rules;
use crate::catalogue::model::NodeKind;
use crate::clock::FinancialYear;
use crate::db::schema::{audit_criteria, audit_plans, audit_standards, audits, catalogue_nodes};
use crate::db::{self, DbConnection, ProviderId, StaffId, StoreError, UserId};
use crate::history::store::{json, record_action, record_created, Diff};

/// A criterion with its result, judged against its target.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionRow {
    pub id: i32,
    pub position: i32,
    pub description: String,
    pub target_percent: f64,
    pub cases_met: Option<i32>,
    pub cases_checked: Option<i32>,
    pub percent_achieved: Option<f64>,
    pub met_target: Option<bool>,
}

/// An audit with everything its page shows.
#[derive(Debug, Clone, Serialize)]
pub struct AuditRecord {
    pub id: i32,
    pub plan: Plan,
    pub title: String,
    pub audit_type: AuditType,
    pub audit_type_label: &'static str,
    pub service: Option<(String, String)>,
    pub lead_staff_id: Option<StaffId>,
    pub planned_quarter: i32,
    pub quarter_label: String,
    pub method: String,
    pub sample_size: Option<i32>,
    pub status: AuditStatus,
    pub status_label: &'static str,
    pub status_reason: Option<String>,
    pub started_on: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub findings: Option<String>,
    pub reaudit_of: Option<i32>,
    /// The audit that repeats this one, if there is one.
    pub reaudited_by: Option<i32>,
    /// (reference, title) of each standard it addresses.
    pub standards: Vec<(String, String)>,
    pub criteria: Vec<CriterionRow>,
    pub updated_at: NaiveDateTime,
}

/// An audit as a plan lists it.
#[derive(Debug, Clone, Serialize)]
pub struct AuditLine {
    pub id: i32,
    pub title: String,
    pub audit_type: AuditType,
    pub audit_type_label: &'static str,
    pub lead_staff_id: Option<StaffId>,
    pub planned_quarter: i32,
    pub quarter_label: String,
    pub status: AuditStatus,
    pub status_label: &'static str,
    pub status_reason: Option<String>,
    pub started_on: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub reaudit_of: Option<i32>,
    pub findings: Option<String>,
}

type LineRow = (
    i32,
    String,
    AuditType,
    Option<i32>,
    i32,
    AuditStatus,
    Option<String>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<i32>,
    Option<String>,
);

/// A plan's audits, by quarter then title.
pub fn plan_audits(conn: &mut DbConnection, plan_id: i32) -> QueryResult<Vec<AuditLine>> {
    let rows: Vec<LineRow> = audits::table
        .filter(audits::plan_id.eq(plan_id))
        .select((
            audits::id,
            audits::title,
            audits::audit_type,
            audits::lead_staff_id,
            audits::planned_quarter,
            audits::status,
            audits::status_reason,
            audits::started_on,
            audits::completed_on,
            audits::reaudit_of,
            audits::findings,
        ))
        .order((audits::planned_quarter, audits::title, audits::id))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, title, audit_type, lead, quarter, status, reason, started_on, completed_on, reaudit_of, findings)| {
                AuditLine {
                    id,
                    title,
                    audit_type,
                    audit_type_label: audit_type.label(),
                    lead_staff_id: lead.map(StaffId),
                    planned_quarter: quarter,
                    quarter_label: rules::quarter_label(quarter),
                    status,
                    status_label: status.label(),
                    status_reason: reason,
                    started_on,
                    completed_on,
                    reaudit_of,
                    findings,
                }
            },
        )
        .collect())
}

/// A criterion as read: its audit, id, position, description, target, cases met and checked.
type CriterionColumns = (i32, i32, i32, String, f64, Option<i32>, Option<i32>);

/// The criteria of the audits given, by audit, in order.
pub fn criteria_of(conn: &mut DbConnection, audit_ids: &[i32]) -> QueryResult<Vec<(i32, CriterionRow)>> {
    let rows: Vec<CriterionColumns> = audit_criteria::table
        .filter(audit_criteria::audit_id.eq_any(audit_ids))
        .select((
            audit_criteria::audit_id,
            audit_criteria::id,
            audit_criteria::position,
            audit_criteria::description,
            audit_criteria::target_percent,
            audit_criteria::cases_met,
            audit_criteria::cases_checked,
        ))
        .order((audit_criteria::audit_id, audit_criteria::position))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(audit_id, id, position, description, target_percent, cases_met, cases_checked)| {
            let result = cases_met.zip(cases_checked);
            (
                audit_id,
                CriterionRow {
                    id,
                    position,
                    description,
                    target_percent,
                    cases_met,
                    cases_checked,
                    percent_achieved: result.and_then(|(m, c)| rules::percent_achieved(m, c)),
                    met_target: result.and_then(|(m, c)| rules::meets_target(m, c, target_percent)),
                },
            )
        })
        .collect())
}

/// The standards of the audits given: (audit, reference, title).
pub fn standards_of(conn: &mut DbConnection, audit_ids: &[i32]) -> QueryResult<Vec<(i32, String, String)>> {
    audit_standards::table
        .inner_join(catalogue_nodes::table)
        .filter(audit_standards::audit_id.eq_any(audit_ids))
        .select((audit_standards::audit_id, catalogue_nodes::reference, catalogue_nodes::title))
        .order((audit_standards::audit_id, catalogue_nodes::reference))
        .load(conn)
}

type RecordRow = (
    (i32, String, AuditType, Option<i32>, Option<i32>, i32, String, Option<i32>, AuditStatus),
    (Option<String>, Option<NaiveDate>, Option<NaiveDate>, Option<String>, Option<i32>, NaiveDateTime),
    (i32, i32, crate::audits::model::PlanState),
);

/// One of the provider's audits, or None when it is not the provider's.
pub fn audit(conn: &mut DbConnection, provider_id: ProviderId, audit_id: i32) -> QueryResult<Option<AuditRecord>> {
    let found: Option<RecordRow> = audits::table
        .inner_join(audit_plans::table)
        .filter(audits::id.eq(audit_id))
        .filter(audit_plans::provider_id.eq(provider_id))
        .select((
            (
                audits::id,
                audits::title,
                audits::audit_type,
                audits::service_node_id,
                audits::lead_staff_id,
                audits::planned_quarter,
                audits::method,
                audits::sample_size,
                audits::status,
            ),
            (
                audits::status_reason,
                audits::started_on,
                audits::completed_on,
                audits::findings,
                audits::reaudit_of,
                audits::updated_at,
            ),
            (audit_plans::id, audit_plans::year_start, audit_plans::state),
        ))
        .first(conn)
        .optional()?;
    let Some((
        (id, title, audit_type, service_id, lead, quarter, method, sample_size, status),
        (status_reason, started_on, completed_on, findings, reaudit_of, updated_at),
        (plan_id, year_start, state),
    )) = found
    else {
        return Ok(None);
    };
    let Some(year) = FinancialYear::starting_in(year_start) else { return Ok(None) };
    let Some(plan) = plans::plan(conn, provider_id, year)?.filter(|p| p.id == plan_id && p.state == state) else {
        return Ok(None);
    };
    let service: Option<(String, String)> = match service_id {
        Some(node) => catalogue_nodes::table
            .find(node)
            .select((catalogue_nodes::reference, catalogue_nodes::title))
            .first(conn)
            .optional()?,
        None => None,
    };
    let reaudited_by: Option<i32> =
        audits::table.filter(audits::reaudit_of.eq(id)).select(audits::id).first(conn).optional()?;
    let standards = standards_of(conn, &[id])?.into_iter().map(|(_, r, t)| (r, t)).collect();
    let criteria = criteria_of(conn, &[id])?.into_iter().map(|(_, c)| c).collect();
    Ok(Some(AuditRecord {
        id,
        plan,
        title,
        audit_type,
        audit_type_label: audit_type.label(),
        service,
        lead_staff_id: lead.map(StaffId),
        planned_quarter: quarter,
        quarter_label: rules::quarter_label(quarter),
        method,
        sample_size,
        status,
        status_label: status.label(),
        status_reason,
        started_on,
        completed_on,
        findings,
        reaudit_of,
        reaudited_by,
        standards,
        criteria,
        updated_at,
    }))
}

/// The lead, standards and service of a form, resolved to ids: the lead one of the provider's
/// clinical or specialist staff in post, the standards of the framework in use (or services), the
/// service a core service or sub-specialism.
fn resolve(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    plan: &AuditPlan,
    framework: Option<i32>,
    today: NaiveDate,
) -> Result<(Vec<i32>, Option<i32>), StoreError> {
    if let Some(lead) = plan.lead_staff_id {
        let clinicians = crate::workforce::store::clinical_staff(conn, provider_id, today)?;
        if !clinicians.iter().any(|(id, _)| id.0 == lead) {
            return Err(StoreError::invalid(
                "lead_staff_id",
                "Choose the lead from the service's clinical and specialist staff in post",
            ));
        }
    }
    let standards = crate::evidence::store::resolve_targets(conn, framework, &plan.standards)?;
    let service =
        match &plan.service {
            Some(reference) => {
                let found: Option<i32> = catalogue_nodes::table
                    .filter(catalogue_nodes::reference.eq(reference))
                    .filter(catalogue_nodes::kind.eq_any([NodeKind::CoreService, NodeKind::Subspecialism]))
                    .filter(catalogue_nodes::retired.eq(false))
                    .select(catalogue_nodes::id)
                    .first(conn)
                    .optional()?;
                Some(found.ok_or_else(|| {
                    StoreError::invalid("service", "Choose one of the core services or sub-specialisms")
                })?)
            }
            None => None,
        };
    Ok((standards, service))
}

/// An audit of a year's plan starts and ends no earlier than the year's 1 April.
fn check_dates(year: FinancialYear, progress: &Progress) -> Result<(), StoreError> {
    let first = year.starts_on();
    let said = first.format("%-d %B %Y");
    if progress.started_on.is_some_and(|d| d < first) {
        return Err(StoreError::invalid(
            "started_on",
            format!("An audit of the {year} plan cannot start before {said}"),
        ));
    }
    if progress.completed_on.is_some_and(|d| d < first) {
        return Err(StoreError::invalid(
            "completed_on",
            format!("An audit of the {year} plan cannot be completed before {said}"),
        ));
    }
    Ok(())
}

/// A completed audit has a result for every criterion, and at least one criterion.
fn check_completion(conn: &mut DbConnection, audit_id: i32, progress: &Progress) -> Result<(), StoreError> {
    if progress.status != AuditStatus::Completed {
        return Ok(());
    }
    let results: Vec<Option<i32>> = audit_criteria::table
        .filter(audit_criteria::audit_id.eq(audit_id))
        .select(audit_criteria::cases_checked)
        .load(conn)?;
    if results.is_empty() {
        return Err(StoreError::invalid("status", "An audit needs at least one criterion before it can be completed"));
    }
    if results.iter().any(Option::is_none) {
        return Err(StoreError::invalid(
            "status",
            "Record the result of every criterion before marking the audit completed",
        ));
    }
    Ok(())
}

fn insert_criteria(conn: &mut DbConnection, audit_id: i32, criteria: &[(i32, &Criterion)]) -> QueryResult<usize> {
    let rows: Vec<_> = criteria
        .iter()
        .map(|(position, c)| {
            (
                audit_criteria::audit_id.eq(audit_id),
                audit_criteria::position.eq(*position),
                audit_criteria::description.eq(c.description.clone()),
                audit_criteria::target_percent.eq(c.target_percent),
            )
        })
        .collect();
    db::insert_batch(conn, audit_criteria::table, &rows)
}

fn insert_standards(conn: &mut DbConnection, audit_id: i32, nodes: &[i32]) -> QueryResult<usize> {
    let rows: Vec<_> =
        nodes.iter().map(|node| (audit_standards::audit_id.eq(audit_id), audit_standards::node_id.eq(*node))).collect();
    db::insert_batch(conn, audit_standards::table, &rows)
}

fn criteria_words(criteria: &[Criterion]) -> Vec<String> {
    criteria.iter().map(|c| format!("{}: {}%", c.description, c.target_percent)).collect()
}

/// Adds an audit to the provider's plan for `year`; returns its id.
#[allow(clippy::too_many_arguments)]
pub fn create_audit(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    year: FinancialYear,
    plan: &AuditPlan,
    progress: &Progress,
    framework: Option<i32>,
    today: NaiveDate,
) -> Result<i32, StoreError> {
    db::write_transaction(conn, |conn| {
        let plan_row = plans::plan(conn, provider_id, year)?.ok_or(StoreError::NotFound)?;
        check_dates(year, progress)?;
        let (standards, service) = resolve(conn, provider_id, plan, framework, today)?;
        let now = Utc::now().naive_utc();
        diesel::insert_into(audits::table)
            .values((
                audits::plan_id.eq(plan_row.id),
                audits::title.eq(&plan.title),
                audits::audit_type.eq(plan.audit_type),
                audits::service_node_id.eq(service),
                audits::lead_staff_id.eq(plan.lead_staff_id),
                audits::planned_quarter.eq(plan.planned_quarter),
                audits::method.eq(&plan.method),
                audits::sample_size.eq(plan.sample_size),
                audits::status.eq(progress.status),
                audits::status_reason.eq(&progress.status_reason),
                audits::started_on.eq(progress.started_on),
                audits::completed_on.eq(progress.completed_on),
                audits::findings.eq(&progress.findings),
                audits::created_at.eq(now),
                audits::created_by.eq(by.map(|u| u.0)),
                audits::updated_at.eq(now),
                audits::updated_by.eq(by.map(|u| u.0)),
            ))
            .execute(conn)?;
        let id = db::last_insert_id(conn)?;
        let numbered: Vec<(i32, &Criterion)> =
            plan.criteria.iter().enumerate().map(|(i, c)| (i as i32 + 1, c)).collect();
        insert_criteria(conn, id, &numbered)?;
        insert_standards(conn, id, &standards)?;
        check_completion(conn, id, progress)?;
        record_created(
            conn,
            by,
            Some(provider_id.0),
            "audit",
            id,
            vec![
                ("plan", json(year.to_string())),
                ("title", json(&plan.title)),
                ("audit_type", json(plan.audit_type.as_str())),
                ("standards", json(&plan.standards)),
                ("service", json(&plan.service)),
                ("lead_staff_id", json(plan.lead_staff_id)),
                ("planned_quarter", json(plan.planned_quarter)),
                ("method", json(&plan.method)),
                ("sample_size", json(plan.sample_size)),
                ("criteria", json(criteria_words(&plan.criteria))),
                ("status", json(progress.status.as_str())),
                ("status_reason", json(&progress.status_reason)),
                ("started_on", json(progress.started_on)),
                ("completed_on", json(progress.completed_on)),
                ("findings", json(&progress.findings)),
            ],
        )?;
        Ok(id)
    })
}

/// Notes the changes to where an audit stands.
fn progress_diff(diff: &mut Diff, current: &AuditRecord, progress: &Progress) {
    diff.field("status", current.status.as_str(), progress.status.as_str())
        .field("status_reason", &current.status_reason, &progress.status_reason)
        .field("started_on", current.started_on, progress.started_on)
        .field("completed_on", current.completed_on, progress.completed_on)
        .field("findings", &current.findings, &progress.findings);
}

fn save_progress(
    conn: &mut DbConnection,
    by: Option<UserId>,
    audit_id: i32,
    progress: &Progress,
) -> QueryResult<usize> {
    diesel::update(audits::table.find(audit_id))
        .set((
            audits::status.eq(progress.status),
            audits::status_reason.eq(&progress.status_reason),
            audits::started_on.eq(progress.started_on),
            audits::completed_on.eq(progress.completed_on),
            audits::findings.eq(&progress.findings),
            audits::updated_at.eq(Utc::now().naive_utc()),
            audits::updated_by.eq(by.map(|u| u.0)),
        ))
        .execute(conn)
}

/// Changes an audit's plan fields, criteria and where it stands; returns its title. Criteria are
/// kept by position: a criterion whose description or target changed loses its result (it no
/// longer measures what was counted), the others keep theirs; rows left blank are removed.
#[allow(clippy::too_many_arguments)]
pub fn update_audit(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    audit_id: i32,
    plan: &AuditPlan,
    progress: &Progress,
    framework: Option<i32>,
    today: NaiveDate,
) -> Result<String, StoreError> {
    db::write_transaction(conn, |conn| {
        let current = audit(conn, provider_id, audit_id)?.ok_or(StoreError::NotFound)?;
        check_dates(current.plan.year, progress)?;
        let (standards, service) = resolve(conn, provider_id, plan, framework, today)?;
        let service_ref = current.service.as_ref().map(|s| s.0.clone());
        let old_standards: Vec<String> = current.standards.iter().map(|s| s.0.clone()).collect();
        let old_criteria: Vec<Criterion> = current
            .criteria
            .iter()
            .map(|c| Criterion { description: c.description.clone(), target_percent: c.target_percent })
            .collect();
        let mut diff = Diff::default();
        diff.field("title", &current.title, &plan.title)
            .field("audit_type", current.audit_type.as_str(), plan.audit_type.as_str())
            .field("standards", &old_standards, &plan.standards)
            .field("service", &service_ref, &plan.service)
            .field("lead_staff_id", current.lead_staff_id.map(|s| s.0), plan.lead_staff_id)
            .field("planned_quarter", current.planned_quarter, plan.planned_quarter)
            .field("method", &current.method, &plan.method)
            .field("sample_size", current.sample_size, plan.sample_size)
            .field("criteria", criteria_words(&old_criteria), criteria_words(&plan.criteria));
        progress_diff(&mut diff, &current, progress);
        if diff.is_empty() {
            return Ok(current.title);
        }
        diesel::update(audits::table.find(audit_id))
            .set((
                audits::title.eq(&plan.title),
                audits::audit_type.eq(plan.audit_type),
                audits::service_node_id.eq(service),
                audits::lead_staff_id.eq(plan.lead_staff_id),
                audits::planned_quarter.eq(plan.planned_quarter),
                audits::method.eq(&plan.method),
                audits::sample_size.eq(plan.sample_size),
            ))
            .execute(conn)?;
        save_progress(conn, by, audit_id, progress)?;
        if old_standards != plan.standards {
            diesel::delete(audit_standards::table.filter(audit_standards::audit_id.eq(audit_id))).execute(conn)?;
            insert_standards(conn, audit_id, &standards)?;
        }
        let mut added = Vec::new();
        for (i, wanted) in plan.criteria.iter().enumerate() {
            let position = i as i32 + 1;
            match current.criteria.iter().find(|c| c.position == position) {
                Some(old) if old.description == wanted.description && old.target_percent == wanted.target_percent => {}
                Some(old) => {
                    diesel::update(audit_criteria::table.find(old.id))
                        .set((
                            audit_criteria::description.eq(&wanted.description),
                            audit_criteria::target_percent.eq(wanted.target_percent),
                            audit_criteria::cases_met.eq(None::<i32>),
                            audit_criteria::cases_checked.eq(None::<i32>),
                        ))
                        .execute(conn)?;
                }
                None => added.push((position, wanted)),
            }
        }
        diesel::delete(
            audit_criteria::table
                .filter(audit_criteria::audit_id.eq(audit_id))
                .filter(audit_criteria::position.gt(plan.criteria.len() as i32)),
        )
        .execute(conn)?;
        insert_criteria(conn, audit_id, &added)?;
        check_completion(conn, audit_id, progress)?;
        record_action(conn, by, Some(provider_id.0), "audit", audit_id, "update", diff)?;
        Ok(plan.title.clone())
    })
}

/// Records an audit's results against its criteria and where it stands; returns its title.
pub fn record_results(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    audit_id: i32,
    results: &[CriterionResult],
    progress: &Progress,
) -> Result<String, StoreError> {
    db::write_transaction(conn, |conn| {
        let current = audit(conn, provider_id, audit_id)?.ok_or(StoreError::NotFound)?;
        check_dates(current.plan.year, progress)?;
        let mut diff = Diff::default();
        for (criterion_id, result) in results {
            let Some(old) = current.criteria.iter().find(|c| c.id == *criterion_id) else {
                return Err(StoreError::invalid(
                    "results",
                    "The criteria changed while you were editing: open the audit again",
                ));
            };
            let before = old.cases_met.zip(old.cases_checked);
            if before == *result {
                continue;
            }
            let words = |r: Option<(i32, i32)>| r.map(|(m, c)| format!("{m} of {c}"));
            diff.field(&old.description, words(before), words(*result));
            diesel::update(audit_criteria::table.find(old.id))
                .set((
                    audit_criteria::cases_met.eq(result.map(|r| r.0)),
                    audit_criteria::cases_checked.eq(result.map(|r| r.1)),
                ))
                .execute(conn)?;
        }
        progress_diff(&mut diff, &current, progress);
        if diff.is_empty() {
            return Ok(current.title);
        }
        save_progress(conn, by, audit_id, progress)?;
        check_completion(conn, audit_id, progress)?;
        record_action(conn, by, Some(provider_id.0), "audit", audit_id, "record results", diff)?;
        Ok(current.title)
    })
}
