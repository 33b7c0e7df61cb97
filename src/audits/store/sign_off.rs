//! The clinical director's sign-off of an audit plan: the plan's snapshot as it is now, where it
//! stands, submitting, returning and signing it, every signed version, and the provider's setting
//! whether whoever submitted a plan may sign it off. Each change is one transaction with its
//! history row.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::audits::model::{AuditStatus, PlanState};
use crate::audits::sign_off::{
    self as rules, AuditSnapshot, CriterionSnapshot, LeadSnapshot, PlanSnapshot, ReauditOf, SignOffStatus,
};
use crate::clock::FinancialYear;
use crate::db::schema::{
    audit_criteria, audit_plan_sign_offs, audit_plans, audit_settings, audit_standards, audits, catalogue_nodes, users,
};
use crate::db::{self, DbConnection, ProviderId, StaffId, StoreError, StoreResult, UserId};
use crate::history::rules::to_stored_precision;
use crate::history::store::{record, record_setting, Diff};
use crate::history::Entry;

/// The history's name for a plan's sign-off changes, and for the provider's sign-off setting.
const PLAN_ENTITY: &str = "audit_plan";
const SETTINGS_ENTITY: &str = "audit_settings";

/// The plan of a provider for a year, if there is one.
pub fn plan_id(conn: &mut DbConnection, provider_id: ProviderId, year: FinancialYear) -> QueryResult<Option<i32>> {
    audit_plans::table
        .filter(audit_plans::provider_id.eq(provider_id))
        .filter(audit_plans::year_start.eq(year.start_year()))
        .select(audit_plans::id)
        .first(conn)
        .optional()
}

type AuditRow = (
    i32,
    i32,
    String,
    String,
    Option<i32>,
    Option<StaffId>,
    i32,
    String,
    Option<i32>,
    AuditStatus,
    Option<String>,
    Option<i32>,
);

/// The plan as it is now, in the form it is signed (see `audits::sign_off`). NotFound when there is
/// no such plan.
pub fn snapshot_of(conn: &mut DbConnection, plan_id: i32) -> StoreResult<PlanSnapshot> {
    snapshots_of(conn, &[plan_id])?.remove(&plan_id).ok_or(StoreError::NotFound)
}

/// Several plans as they are now, by plan id (a plan that does not exist is absent): seven queries,
/// however many plans and audits, so a list of plans judges every one without a query per plan.
pub fn snapshots_of(conn: &mut DbConnection, plan_ids: &[i32]) -> QueryResult<HashMap<i32, PlanSnapshot>> {
    let plans: Vec<(i32, ProviderId, i32)> = audit_plans::table
        .filter(audit_plans::id.eq_any(plan_ids))
        .select((audit_plans::id, audit_plans::provider_id, audit_plans::year_start))
        .load(conn)?;
    let rows: Vec<AuditRow> = audits::table
        .filter(audits::plan_id.eq_any(plan_ids))
        .select((
            audits::plan_id,
            audits::id,
            audits::title,
            audits::audit_type,
            audits::service_node_id,
            audits::lead_staff_id,
            audits::planned_quarter,
            audits::method,
            audits::sample_size,
            audits::status,
            audits::status_reason,
            audits::reaudit_of,
        ))
        .order(audits::id)
        .load(conn)?;
    let ids: Vec<i32> = rows.iter().map(|r| r.1).collect();
    let services: Vec<i32> = rows.iter().filter_map(|r| r.4).collect();
    let services: HashMap<i32, String> = catalogue_nodes::table
        .filter(catalogue_nodes::id.eq_any(&services))
        .select((catalogue_nodes::id, catalogue_nodes::reference))
        .load::<(i32, String)>(conn)?
        .into_iter()
        .collect();
    let mut standards: HashMap<i32, Vec<String>> = HashMap::new();
    for (audit_id, reference) in audit_standards::table
        .inner_join(catalogue_nodes::table)
        .filter(audit_standards::audit_id.eq_any(&ids))
        .select((audit_standards::audit_id, catalogue_nodes::reference))
        .load::<(i32, String)>(conn)?
    {
        standards.entry(audit_id).or_default().push(reference);
    }
    let mut criteria: HashMap<i32, Vec<CriterionSnapshot>> = HashMap::new();
    for (audit_id, position, description, target) in audit_criteria::table
        .filter(audit_criteria::audit_id.eq_any(&ids))
        .select((
            audit_criteria::audit_id,
            audit_criteria::position,
            audit_criteria::description,
            audit_criteria::target_percent,
        ))
        .order((audit_criteria::audit_id, audit_criteria::position))
        .load::<(i32, i32, String, f64)>(conn)?
    {
        let target_percent = rules::percent_text(target);
        criteria.entry(audit_id).or_default().push(CriterionSnapshot { position, description, target_percent });
    }
    // Leads are named from each plan's own provider's staff (in practice one provider).
    let mut leads: HashMap<StaffId, String> = HashMap::new();
    let mut providers: Vec<ProviderId> = plans.iter().map(|p| p.1).collect();
    providers.sort_unstable_by_key(|p| p.0);
    providers.dedup();
    for provider_id in providers {
        let lead_ids: Vec<i32> = rows
            .iter()
            .filter(|r| plans.iter().any(|p| p.0 == r.0 && p.1 == provider_id))
            .filter_map(|r| r.5.map(|s| s.0))
            .collect();
        leads.extend(
            crate::workforce::store::names_for_history(conn, provider_id, &lead_ids, &[])?
                .into_iter()
                .map(|(id, _, name)| (id, name)),
        );
    }
    let repeated: Vec<i32> = rows.iter().filter_map(|r| r.11).collect();
    let repeated: HashMap<i32, ReauditOf> = audits::table
        .inner_join(audit_plans::table)
        .filter(audits::id.eq_any(&repeated))
        .select((audits::id, audit_plans::year_start, audits::title))
        .load::<(i32, i32, String)>(conn)?
        .into_iter()
        .map(|(id, year, title)| (id, ReauditOf { year: year_url(year), title }))
        .collect();
    let mut snapshots: HashMap<i32, PlanSnapshot> = plans
        .into_iter()
        .map(|(id, provider_id, year_start)| {
            (id, PlanSnapshot { provider_id: provider_id.0, year: year_url(year_start), audits: Vec::new() })
        })
        .collect();
    for (plan_id, id, title, audit_type, service, lead, quarter, method, sample_size, status, reason, reaudit_of) in
        rows
    {
        let Some(snapshot) = snapshots.get_mut(&plan_id) else { continue };
        let mut standards = standards.remove(&id).unwrap_or_default();
        standards.sort();
        snapshot.audits.push(AuditSnapshot {
            title,
            audit_type,
            standards,
            service: service.and_then(|s| services.get(&s).cloned()),
            lead: lead.map(|staff_id| LeadSnapshot {
                staff_id: staff_id.0,
                name: leads.get(&staff_id).cloned().unwrap_or_default(),
            }),
            planned_quarter: quarter,
            method,
            sample_size,
            criteria: criteria.remove(&id).unwrap_or_default(),
            status: rules::signed_status(status).to_string(),
            status_reason: if status.needs_reason() { reason } else { None },
            reaudit_of: reaudit_of.and_then(|r| repeated.get(&r).cloned()),
        });
    }
    Ok(snapshots)
}

/// Where each of several plans stands (given with its stored state), by plan id, without a query
/// per plan: only signed-off plans are hashed, against their newest sign-off, to tell "signed off"
/// from "changed since sign-off".
pub fn statuses(conn: &mut DbConnection, plans: &[(i32, PlanState)]) -> QueryResult<HashMap<i32, SignOffStatus>> {
    let signed: Vec<i32> = plans.iter().filter(|(_, s)| *s == PlanState::SignedOff).map(|(id, _)| *id).collect();
    let mut newest: HashMap<i32, (i32, String)> = HashMap::new();
    if !signed.is_empty() {
        for (plan_id, version, hash) in audit_plan_sign_offs::table
            .filter(audit_plan_sign_offs::plan_id.eq_any(&signed))
            .select((
                audit_plan_sign_offs::plan_id,
                audit_plan_sign_offs::version,
                audit_plan_sign_offs::snapshot_sha256,
            ))
            .load::<(i32, i32, String)>(conn)?
        {
            if newest.get(&plan_id).is_none_or(|(v, _)| *v < version) {
                newest.insert(plan_id, (version, hash));
            }
        }
    }
    let snapshots = if signed.is_empty() { HashMap::new() } else { snapshots_of(conn, &signed)? };
    Ok(plans
        .iter()
        .map(|(id, stored)| {
            let current = snapshots.get(id).map(PlanSnapshot::hash).unwrap_or_default();
            (*id, SignOffStatus::of(*stored, &current, newest.get(id).map(|(_, hash)| hash.as_str())))
        })
        .collect())
}

fn year_url(year_start: i32) -> String {
    FinancialYear::starting_in(year_start).map_or_else(|| year_start.to_string(), FinancialYear::url)
}

/// One signed version of a plan: who signed it and when, who had submitted it, and its hash.
#[derive(Debug, Clone, Serialize)]
pub struct SignedVersion {
    pub version: i32,
    pub signed_at: NaiveDateTime,
    pub signed_by: UserId,
    pub signed_by_name: String,
    pub submitted_by_name: Option<String>,
    pub hash: String,
}

type VersionRow = (i32, NaiveDateTime, UserId, String, Option<i32>, String);

fn version_from(row: VersionRow, names: &HashMap<i32, String>) -> SignedVersion {
    let (version, signed_at, signed_by, signed_by_name, submitted_by, hash) = row;
    SignedVersion {
        version,
        signed_at,
        signed_by,
        signed_by_name,
        submitted_by_name: submitted_by.and_then(|id| names.get(&id).cloned()),
        hash,
    }
}

fn submitters(conn: &mut DbConnection, rows: &[VersionRow]) -> QueryResult<HashMap<i32, String>> {
    let ids: Vec<i32> = rows.iter().filter_map(|r| r.4).collect();
    Ok(crate::accounts::store::user_names(conn, &ids)?.into_iter().collect())
}

/// Every signed version of a plan, newest first.
pub fn versions(conn: &mut DbConnection, plan_id: i32) -> QueryResult<Vec<SignedVersion>> {
    let rows: Vec<VersionRow> = audit_plan_sign_offs::table
        .inner_join(users::table.on(users::id.eq(audit_plan_sign_offs::signed_by)))
        .filter(audit_plan_sign_offs::plan_id.eq(plan_id))
        .select((
            audit_plan_sign_offs::version,
            audit_plan_sign_offs::signed_at,
            audit_plan_sign_offs::signed_by,
            users::name,
            audit_plan_sign_offs::submitted_by,
            audit_plan_sign_offs::snapshot_sha256,
        ))
        .order(audit_plan_sign_offs::version.desc())
        .load(conn)?;
    let names = submitters(conn, &rows)?;
    Ok(rows.into_iter().map(|row| version_from(row, &names)).collect())
}

/// One signed version with the canonical JSON stored when it was signed, exactly as stored.
pub fn signed_version(
    conn: &mut DbConnection,
    plan_id: i32,
    version: i32,
) -> QueryResult<Option<(SignedVersion, String)>> {
    let row: Option<(VersionRow, String)> = audit_plan_sign_offs::table
        .inner_join(users::table.on(users::id.eq(audit_plan_sign_offs::signed_by)))
        .filter(audit_plan_sign_offs::plan_id.eq(plan_id))
        .filter(audit_plan_sign_offs::version.eq(version))
        .select((
            (
                audit_plan_sign_offs::version,
                audit_plan_sign_offs::signed_at,
                audit_plan_sign_offs::signed_by,
                users::name,
                audit_plan_sign_offs::submitted_by,
                audit_plan_sign_offs::snapshot_sha256,
            ),
            audit_plan_sign_offs::snapshot,
        ))
        .first(conn)
        .optional()?;
    let Some((row, snapshot)) = row else { return Ok(None) };
    let names = submitters(conn, std::slice::from_ref(&row))?;
    Ok(Some((version_from(row, &names), snapshot)))
}

/// Where a plan stands: the stored state, judged against its newest sign-off; who submitted or
/// returned it and why; the newest sign-off; the plan now, its hash, and what changed since the
/// newest sign-off (empty when nothing did, or it was never signed).
#[derive(Debug, Clone, Serialize)]
pub struct SignOffState {
    pub plan_id: i32,
    pub provider_id: ProviderId,
    pub status: SignOffStatus,
    pub label: &'static str,
    pub submitted_by: Option<UserId>,
    pub submitted_by_name: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub returned_by_name: Option<String>,
    pub returned_at: Option<NaiveDateTime>,
    pub return_comment: Option<String>,
    pub latest: Option<SignedVersion>,
    pub current_hash: String,
    pub snapshot: PlanSnapshot,
    pub changes: Vec<String>,
}

type PlanRow =
    (ProviderId, PlanState, Option<UserId>, Option<NaiveDateTime>, Option<i32>, Option<NaiveDateTime>, Option<String>);

/// Where the plan stands now. NotFound when there is no such plan.
pub fn state(conn: &mut DbConnection, plan_id: i32) -> StoreResult<SignOffState> {
    let (provider_id, stored, submitted_by, submitted_at, returned_by, returned_at, return_comment): PlanRow =
        audit_plans::table
            .filter(audit_plans::id.eq(plan_id))
            .select((
                audit_plans::provider_id,
                audit_plans::state,
                audit_plans::submitted_by,
                audit_plans::submitted_at,
                audit_plans::returned_by,
                audit_plans::returned_at,
                audit_plans::return_comment,
            ))
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)?;
    let snapshot = snapshot_of(conn, plan_id)?;
    let current_hash = snapshot.hash();
    let newest: Option<i32> = audit_plan_sign_offs::table
        .filter(audit_plan_sign_offs::plan_id.eq(plan_id))
        .select(diesel::dsl::max(audit_plan_sign_offs::version))
        .first(conn)?;
    let latest = match newest {
        Some(version) => signed_version(conn, plan_id, version)?,
        None => None,
    };
    let status = SignOffStatus::of(stored, &current_hash, latest.as_ref().map(|(v, _)| v.hash.as_str()));
    let changes = match &latest {
        Some((version, text)) if version.hash != current_hash => serde_json::from_str::<PlanSnapshot>(text)
            .map(|signed| rules::changes(&signed, &snapshot))
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let ids: Vec<i32> = submitted_by.map(|u| u.0).into_iter().chain(returned_by).collect();
    let names: HashMap<i32, String> = crate::accounts::store::user_names(conn, &ids)?.into_iter().collect();
    Ok(SignOffState {
        plan_id,
        provider_id,
        status,
        label: status.label(),
        submitted_by,
        submitted_by_name: submitted_by.and_then(|u| names.get(&u.0).cloned()),
        submitted_at,
        returned_by_name: returned_by.and_then(|u| names.get(&u).cloned()),
        returned_at,
        return_comment,
        latest: latest.map(|(version, _)| version),
        current_hash,
        snapshot,
        changes,
    })
}

/// The sign-off as the JSON API gives it: `sign_off: {state, signed_by, signed_at, hash}`, the
/// newest sign-off's signer, time and hash (null when never signed).
#[derive(Debug, Clone, Serialize)]
pub struct SignOffSummary {
    pub state: &'static str,
    pub label: &'static str,
    pub signed_by: Option<String>,
    pub signed_at: Option<NaiveDateTime>,
    pub hash: Option<String>,
}

/// The plan's [`SignOffSummary`].
pub fn summary(conn: &mut DbConnection, plan_id: i32) -> StoreResult<SignOffSummary> {
    let state = state(conn, plan_id)?;
    Ok(SignOffSummary {
        state: state.status.as_str(),
        label: state.status.label(),
        signed_by: state.latest.as_ref().map(|v| v.signed_by_name.clone()),
        signed_at: state.latest.as_ref().map(|v| v.signed_at),
        hash: state.latest.map(|v| v.hash),
    })
}

fn plan_history(
    conn: &mut DbConnection,
    by: UserId,
    state: &SignOffState,
    action: &str,
    diff: Diff,
) -> QueryResult<i32> {
    record(
        conn,
        &Entry {
            user_id: Some(by),
            organisation_id: Some(state.provider_id.0),
            entity: PLAN_ENTITY.into(),
            entity_id: state.plan_id.to_string(),
            action: action.into(),
            changes: diff.0,
        },
    )
}

/// A manager submits the plan for sign-off: a draft, a returned plan, or one changed since it was
/// signed off. Conflict for a plan already submitted, or signed off and unchanged.
pub fn submit(conn: &mut DbConnection, plan_id: i32, by: UserId, at: NaiveDateTime) -> StoreResult<()> {
    let at = to_stored_precision(at);
    db::write_transaction(conn, |conn| {
        let now = state(conn, plan_id)?;
        if !now.status.may_submit() {
            let year = now.snapshot.year_label();
            return Err(StoreError::Conflict(match now.status {
                SignOffStatus::Submitted => format!("The audit plan {year} is already submitted for sign-off."),
                _ => format!(
                    "The audit plan {year} is signed off and has not changed since: there is nothing to submit."
                ),
            }));
        }
        diesel::update(audit_plans::table.filter(audit_plans::id.eq(plan_id)))
            .set((
                audit_plans::state.eq(PlanState::Submitted),
                audit_plans::submitted_at.eq(Some(at)),
                audit_plans::submitted_by.eq(Some(by)),
                audit_plans::returned_at.eq(None::<NaiveDateTime>),
                audit_plans::returned_by.eq(None::<i32>),
                audit_plans::return_comment.eq(None::<String>),
            ))
            .execute(conn)?;
        let mut diff = Diff::default();
        diff.field("state", now.status.as_str(), PlanState::Submitted.as_str())
            .field("submitted_by", now.submitted_by, Some(by))
            .field("submitted_at", now.submitted_at, Some(at))
            .field("snapshot_sha256", None::<String>, &now.current_hash);
        plan_history(conn, by, &now, "submit", diff)?;
        Ok(())
    })
}

/// The longest return comment, in characters.
pub const COMMENT_LIMIT: usize = 5_000;

/// A clinical director returns a submitted plan to the service manager with a comment instead of
/// signing it. Invalid without a comment; Conflict unless the plan is submitted.
pub fn return_plan(
    conn: &mut DbConnection,
    plan_id: i32,
    by: UserId,
    at: NaiveDateTime,
    comment: &str,
) -> StoreResult<()> {
    let at = to_stored_precision(at);
    let mut errors = crate::form::FieldErrors::default();
    let comment = crate::form::required_text(
        &mut errors,
        "comment",
        comment,
        COMMENT_LIMIT,
        "Say why the plan is returned, so the service manager knows what to change",
    );
    errors.into_result()?;
    db::write_transaction(conn, |conn| {
        let now = state(conn, plan_id)?;
        if !now.status.awaits_decision() {
            return Err(StoreError::Conflict(format!(
                "Only a plan submitted for sign-off can be returned; the audit plan {} is not submitted.",
                now.snapshot.year_label()
            )));
        }
        diesel::update(audit_plans::table.filter(audit_plans::id.eq(plan_id)))
            .set((
                audit_plans::state.eq(PlanState::Returned),
                audit_plans::returned_at.eq(Some(at)),
                audit_plans::returned_by.eq(Some(by.0)),
                audit_plans::return_comment.eq(Some(&comment)),
            ))
            .execute(conn)?;
        let mut diff = Diff::default();
        diff.field("state", now.status.as_str(), PlanState::Returned.as_str())
            .field("returned_by", None::<UserId>, Some(by))
            .field("returned_at", None::<NaiveDateTime>, Some(at))
            .field("return_comment", None::<String>, &comment);
        plan_history(conn, by, &now, "return", diff)?;
        Ok(())
    })
}

/// A clinical director signs the submitted plan off: the plan as it is now is stored as the next
/// version, its canonical JSON with its SHA-256, and the history says who signed, when and the
/// hash. Returns the version. Conflict unless the plan is submitted, or when the signer submitted
/// it and the provider does not allow that.
pub fn sign(conn: &mut DbConnection, plan_id: i32, by: UserId, at: NaiveDateTime) -> StoreResult<i32> {
    sign_as_reviewed(conn, plan_id, by, at, None)
}

/// [`sign`], refusing (Conflict) when the plan no longer hashes to `reviewed`: what the clinical
/// director read on the page is what is signed.
pub fn sign_as_reviewed(
    conn: &mut DbConnection,
    plan_id: i32,
    by: UserId,
    at: NaiveDateTime,
    reviewed: Option<&str>,
) -> StoreResult<i32> {
    let at = to_stored_precision(at);
    db::write_transaction(conn, |conn| {
        let now = state(conn, plan_id)?;
        let year = now.snapshot.year_label();
        if !now.status.awaits_decision() {
            return Err(StoreError::Conflict(format!(
                "Only a plan submitted for sign-off can be signed off; the audit plan {year} is not submitted."
            )));
        }
        let allowed = submitter_may_sign_off(conn, now.provider_id)?;
        if let Some(refusal) = rules::signer_refusal(by.0, now.submitted_by.map(|u| u.0), allowed) {
            return Err(StoreError::Conflict(refusal.into()));
        }
        if reviewed.is_some_and(|hash| hash != now.current_hash) {
            return Err(StoreError::Conflict(format!(
                "The audit plan {year} changed while you were reviewing it: read it again before signing it off."
            )));
        }
        let version = now.latest.as_ref().map_or(1, |v| v.version + 1);
        let snapshot = now.snapshot.canonical();
        diesel::insert_into(audit_plan_sign_offs::table)
            .values((
                audit_plan_sign_offs::plan_id.eq(plan_id),
                audit_plan_sign_offs::version.eq(version),
                audit_plan_sign_offs::signed_at.eq(at),
                audit_plan_sign_offs::signed_by.eq(by),
                audit_plan_sign_offs::submitted_by.eq(now.submitted_by),
                audit_plan_sign_offs::snapshot.eq(&snapshot),
                audit_plan_sign_offs::snapshot_sha256.eq(&now.current_hash),
            ))
            .execute(conn)?;
        diesel::update(audit_plans::table.filter(audit_plans::id.eq(plan_id)))
            .set(audit_plans::state.eq(PlanState::SignedOff))
            .execute(conn)?;
        let mut diff = Diff::default();
        diff.field("state", now.status.as_str(), PlanState::SignedOff.as_str())
            .field("version", None::<i32>, version)
            .field("signed_by", None::<UserId>, by)
            .field("signed_at", None::<NaiveDateTime>, at)
            .field("snapshot_sha256", None::<String>, &now.current_hash);
        plan_history(conn, by, &now, "sign_off", diff)?;
        Ok(version)
    })
}

/// The years of the provider's plans submitted and awaiting a clinical director's decision, oldest
/// first: for a clinical director's home page or the provider's overview.
pub fn awaiting_sign_off(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Vec<FinancialYear>> {
    let years: Vec<i32> = audit_plans::table
        .filter(audit_plans::provider_id.eq(provider_id))
        .filter(audit_plans::state.eq(PlanState::Submitted))
        .select(audit_plans::year_start)
        .order(audit_plans::year_start)
        .load(conn)?;
    Ok(years.into_iter().filter_map(FinancialYear::starting_in).collect())
}

/// Whether the provider lets whoever submitted a plan sign it off (off unless set).
pub fn submitter_may_sign_off(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<bool> {
    Ok(audit_settings::table
        .filter(audit_settings::provider_id.eq(provider_id))
        .select(audit_settings::submitter_may_sign_off)
        .first(conn)
        .optional()?
        .unwrap_or(false))
}

/// Turns the provider's single-director setting on or off, with its history row (before and
/// after). Returns whether it changed; setting it to what it is writes nothing.
pub fn set_submitter_may_sign_off(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    by: UserId,
    on: bool,
    at: NaiveDateTime,
) -> StoreResult<bool> {
    let at = to_stored_precision(at);
    db::write_transaction(conn, |conn| {
        let saved: Option<bool> = audit_settings::table
            .filter(audit_settings::provider_id.eq(provider_id))
            .select(audit_settings::submitter_may_sign_off)
            .first(conn)
            .optional()?;
        if saved.unwrap_or(false) == on {
            return Ok(false);
        }
        let values = (
            audit_settings::submitter_may_sign_off.eq(on),
            audit_settings::updated_at.eq(at),
            audit_settings::updated_by.eq(Some(by)),
        );
        if saved.is_some() {
            diesel::update(audit_settings::table.filter(audit_settings::provider_id.eq(provider_id)))
                .set(values)
                .execute(conn)?;
        } else {
            diesel::insert_into(audit_settings::table)
                .values((audit_settings::provider_id.eq(provider_id), values))
                .execute(conn)?;
        }
        record_setting(conn, by, provider_id, SETTINGS_ENTITY, "submitter_may_sign_off", saved, on)?;
        Ok(true)
    })
}

/// Every provider's plans submitted and awaiting a clinical director's decision, with when they
/// were submitted: the sign-off requests the daily reminders send. One query.
pub fn awaiting_sign_off_everywhere(
    conn: &mut DbConnection,
) -> QueryResult<Vec<(ProviderId, FinancialYear, Option<NaiveDateTime>)>> {
    Ok(audit_plans::table
        .filter(audit_plans::state.eq(PlanState::Submitted))
        .select((audit_plans::provider_id, audit_plans::year_start, audit_plans::submitted_at))
        .order((audit_plans::provider_id, audit_plans::year_start))
        .load::<(ProviderId, i32, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .filter_map(|(provider, year, at)| Some((provider, FinancialYear::starting_in(year)?, at)))
        .collect())
}
