//! Progress reports on a plan: a date and a summary, each with what changed since the report
//! before, worked out from the audits' and actions' own dates (`rules::changes`).

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::plans;
use crate::audits::rules::{self, ActionDates, AuditDates, Changes};
use crate::clock::FinancialYear;
use crate::db::schema::{audit_progress_reports, audits, users};
use crate::db::{self, DbConnection, ProviderId, StoreError, UserId};
use crate::history::store::{json, record_created};

/// A report with what changed in its window.
#[derive(Debug, Clone, Serialize)]
pub struct ReportLine {
    pub id: i32,
    pub report_date: NaiveDate,
    pub summary: String,
    pub written_by: Option<String>,
    /// The report before, whose date the window starts after; None from the plan's beginning.
    pub since: Option<NaiveDate>,
    pub changes: Changes,
}

/// A plan's reports, oldest first, each with its computed changes. Three queries.
pub fn reports(conn: &mut DbConnection, plan_id: i32, today: NaiveDate) -> QueryResult<Vec<ReportLine>> {
    let rows: Vec<(i32, NaiveDate, String, Option<String>)> = audit_progress_reports::table
        .left_join(users::table.on(users::id.nullable().eq(audit_progress_reports::created_by)))
        .filter(audit_progress_reports::plan_id.eq(plan_id))
        .select((
            audit_progress_reports::id,
            audit_progress_reports::report_date,
            audit_progress_reports::summary,
            users::name.nullable(),
        ))
        .order((audit_progress_reports::report_date, audit_progress_reports::id))
        .load(conn)?;
    let audit_dates: Vec<AuditDates> = audits::table
        .filter(audits::plan_id.eq(plan_id))
        .select((audits::started_on, audits::completed_on))
        .load::<(Option<NaiveDate>, Option<NaiveDate>)>(conn)?
        .into_iter()
        .map(|(started_on, completed_on)| AuditDates { started_on, completed_on })
        .collect();
    let action_dates: Vec<ActionDates> = super::actions::plan_actions(conn, plan_id, today)?
        .into_iter()
        .map(|a| ActionDates { created_on: a.created_on, due_on: a.due_on, closed_on: a.closed_on })
        .collect();
    let mut since = None;
    Ok(rows
        .into_iter()
        .map(|(id, report_date, summary, written_by)| {
            let line = ReportLine {
                id,
                report_date,
                summary,
                written_by,
                since,
                changes: rules::changes(since, report_date, &audit_dates, &action_dates),
            };
            since = Some(report_date);
            line
        })
        .collect())
}

/// Adds a progress report to the provider's plan for `year`. One report a day.
pub fn add_report(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    year: FinancialYear,
    report_date: NaiveDate,
    summary: &str,
) -> Result<i32, StoreError> {
    db::write_transaction(conn, |conn| {
        let plan = plans::plan(conn, provider_id, year)?.ok_or(StoreError::NotFound)?;
        let taken: i64 = audit_progress_reports::table
            .filter(audit_progress_reports::plan_id.eq(plan.id))
            .filter(audit_progress_reports::report_date.eq(report_date))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(StoreError::invalid("report_date", "There is already a report of that date on this plan"));
        }
        diesel::insert_into(audit_progress_reports::table)
            .values((
                audit_progress_reports::plan_id.eq(plan.id),
                audit_progress_reports::report_date.eq(report_date),
                audit_progress_reports::summary.eq(summary),
                audit_progress_reports::created_at.eq(Utc::now().naive_utc()),
                audit_progress_reports::created_by.eq(by.map(|u| u.0)),
            ))
            .execute(conn)?;
        let id = db::last_insert_id(conn)?;
        record_created(
            conn,
            by,
            Some(provider_id.0),
            "audit_progress_report",
            id,
            vec![("plan", json(year.to_string())), ("report_date", json(report_date)), ("summary", json(summary))],
        )?;
        Ok(id)
    })
}
