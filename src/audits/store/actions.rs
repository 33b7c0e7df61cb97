//! Actions from audits: adding one, closing or reopening it, and finding those overdue for a
//! provider, a plan or an owner.

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;

use crate::audits::model::{ActionChange, ActionStatus, NewAction};
use crate::audits::rules;
use crate::clock::FinancialYear;
use crate::db::schema::{audit_actions, audit_plans, audits, users};
use crate::db::{self, DbConnection, ProviderId, StoreError, UserId};
use crate::history::store::{json, record_action, record_created, Diff};

/// An action with the audit it came from.
#[derive(Debug, Clone, Serialize)]
pub struct ActionRecord {
    pub id: i32,
    pub provider_id: ProviderId,
    pub audit_id: i32,
    pub audit_title: String,
    /// "2026-27", the plan's year in addresses.
    pub year_url: String,
    pub description: String,
    pub owner_id: UserId,
    pub owner_name: String,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    pub status_label: &'static str,
    pub closed_on: Option<NaiveDate>,
    pub completion_note: Option<String>,
    pub drop_reason: Option<String>,
    pub overdue: bool,
    pub created_on: NaiveDate,
}

type Row = (
    (i32, i32, i32, String, i32, String),
    (String, i32, String, NaiveDate, ActionStatus),
    (Option<NaiveDate>, Option<String>, Option<String>, chrono::NaiveDateTime),
);

macro_rules! action_rows {
    () => {
        audit_actions::table.inner_join(audits::table.inner_join(audit_plans::table)).inner_join(users::table)
    };
}

macro_rules! action_columns {
    () => {
        (
            (
                audit_actions::id,
                audit_plans::provider_id,
                audits::id,
                audits::title,
                audit_plans::year_start,
                audit_actions::description,
            ),
            (users::name, users::id, users::email, audit_actions::due_on, audit_actions::status),
            (
                audit_actions::closed_on,
                audit_actions::completion_note,
                audit_actions::drop_reason,
                audit_actions::created_at,
            ),
        )
    };
}

fn to_record(row: Row, today: NaiveDate) -> ActionRecord {
    let (
        (id, provider_id, audit_id, audit_title, year_start, description),
        (owner_name, owner_id, _, due_on, status),
        (closed_on, completion_note, drop_reason, created_at),
    ) = row;
    ActionRecord {
        id,
        provider_id: ProviderId(provider_id),
        audit_id,
        audit_title,
        year_url: FinancialYear::starting_in(year_start).map(FinancialYear::url).unwrap_or_default(),
        description,
        owner_id: UserId(owner_id),
        owner_name,
        due_on,
        status,
        status_label: status.label(),
        closed_on,
        completion_note,
        drop_reason,
        overdue: rules::is_overdue(status, due_on, today),
        created_on: created_at.date(),
    }
}

/// One of the provider's actions.
pub fn action(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    action_id: i32,
    today: NaiveDate,
) -> QueryResult<Option<ActionRecord>> {
    let row: Option<Row> = action_rows!()
        .filter(audit_actions::id.eq(action_id))
        .filter(audit_plans::provider_id.eq(provider_id))
        .select(action_columns!())
        .first(conn)
        .optional()?;
    Ok(row.map(|r| to_record(r, today)))
}

/// An audit's actions, by due date.
pub fn audit_actions(conn: &mut DbConnection, audit_id: i32, today: NaiveDate) -> QueryResult<Vec<ActionRecord>> {
    let rows: Vec<Row> = action_rows!()
        .filter(audits::id.eq(audit_id))
        .select(action_columns!())
        .order((audit_actions::due_on, audit_actions::id))
        .load(conn)?;
    Ok(rows.into_iter().map(|r| to_record(r, today)).collect())
}

/// The actions of the audits given, for the plan's JSON.
pub fn actions_of(conn: &mut DbConnection, audit_ids: &[i32], today: NaiveDate) -> QueryResult<Vec<ActionRecord>> {
    let rows: Vec<Row> = action_rows!()
        .filter(audits::id.eq_any(audit_ids))
        .select(action_columns!())
        .order((audit_actions::due_on, audit_actions::id))
        .load(conn)?;
    Ok(rows.into_iter().map(|r| to_record(r, today)).collect())
}

/// Every action of a plan's audits, as its progress reports count them.
pub fn plan_actions(conn: &mut DbConnection, plan_id: i32, today: NaiveDate) -> QueryResult<Vec<ActionRecord>> {
    let rows: Vec<Row> = action_rows!()
        .filter(audits::plan_id.eq(plan_id))
        .select(action_columns!())
        .order((audit_actions::due_on, audit_actions::id))
        .load(conn)?;
    Ok(rows.into_iter().map(|r| to_record(r, today)).collect())
}

/// The provider's overdue actions (open and due before today), oldest due first.
pub fn overdue_for_provider(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    today: NaiveDate,
) -> QueryResult<Vec<ActionRecord>> {
    let rows: Vec<Row> = action_rows!()
        .filter(audit_plans::provider_id.eq(provider_id))
        .filter(audit_actions::status.eq(ActionStatus::Open))
        .filter(audit_actions::due_on.lt(today))
        .select(action_columns!())
        .order((audit_actions::due_on, audit_actions::id))
        .load(conn)?;
    Ok(rows.into_iter().map(|r| to_record(r, today)).collect())
}

/// A plan's overdue actions.
pub fn overdue_in_plan(conn: &mut DbConnection, plan_id: i32, today: NaiveDate) -> QueryResult<Vec<ActionRecord>> {
    let rows: Vec<Row> = action_rows!()
        .filter(audits::plan_id.eq(plan_id))
        .filter(audit_actions::status.eq(ActionStatus::Open))
        .filter(audit_actions::due_on.lt(today))
        .select(action_columns!())
        .order((audit_actions::due_on, audit_actions::id))
        .load(conn)?;
    Ok(rows.into_iter().map(|r| to_record(r, today)).collect())
}

/// The user's own overdue actions, at every provider, for their home page. Only where they are
/// still one of the provider's people.
pub fn overdue_for_owner(conn: &mut DbConnection, owner: UserId, today: NaiveDate) -> QueryResult<Vec<ActionRecord>> {
    let rows: Vec<Row> = action_rows!()
        .filter(audit_actions::owner_id.eq(owner.0))
        .filter(audit_actions::status.eq(ActionStatus::Open))
        .filter(audit_actions::due_on.lt(today))
        .select(action_columns!())
        .order((audit_actions::due_on, audit_actions::id))
        .load(conn)?;
    let mut found = Vec::new();
    for record in rows.into_iter().map(|r| to_record(r, today)) {
        if crate::accounts::store::is_provider_person(conn, record.provider_id, owner.0)? {
            found.push(record);
        }
    }
    Ok(found)
}

/// Adds an action to one of the provider's audits; its owner must be one of the provider's people
/// (who can sign in; not a commissioner or an assessor).
pub fn add_action(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    audit_id: i32,
    action: &NewAction,
) -> Result<i32, StoreError> {
    db::write_transaction(conn, |conn| {
        let found: i64 = audits::table
            .inner_join(audit_plans::table)
            .filter(audits::id.eq(audit_id))
            .filter(audit_plans::provider_id.eq(provider_id))
            .count()
            .get_result(conn)?;
        if found == 0 {
            return Err(StoreError::NotFound);
        }
        if !crate::accounts::store::is_provider_person(conn, provider_id, action.owner_id)? {
            return Err(StoreError::invalid("owner_id", "Choose the owner from the service's own people"));
        }
        let now = Utc::now().naive_utc();
        diesel::insert_into(audit_actions::table)
            .values((
                audit_actions::audit_id.eq(audit_id),
                audit_actions::description.eq(&action.description),
                audit_actions::owner_id.eq(action.owner_id),
                audit_actions::due_on.eq(action.due_on),
                audit_actions::status.eq(ActionStatus::Open),
                audit_actions::created_at.eq(now),
                audit_actions::created_by.eq(by.map(|u| u.0)),
                audit_actions::updated_at.eq(now),
                audit_actions::updated_by.eq(by.map(|u| u.0)),
            ))
            .execute(conn)?;
        let id = db::last_insert_id(conn)?;
        record_created(
            conn,
            by,
            Some(provider_id.0),
            "audit_action",
            id,
            vec![
                ("audit_id", json(audit_id)),
                ("description", json(&action.description)),
                ("owner_id", json(action.owner_id)),
                ("due_on", json(action.due_on)),
            ],
        )?;
        Ok(id)
    })
}

/// Marks an action done (closed today, with its note), dropped (with its reason) or open again;
/// returns what the confirmation says.
pub fn update_action(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    action_id: i32,
    change: &ActionChange,
    today: NaiveDate,
) -> Result<&'static str, StoreError> {
    db::write_transaction(conn, |conn| {
        let current = action(conn, provider_id, action_id, today)?.ok_or(StoreError::NotFound)?;
        let (status, closed_on, note, reason, said) = match change {
            ActionChange::Done { note } => {
                (ActionStatus::Done, Some(current.closed_on.unwrap_or(today)), note.clone(), None, "Action marked done")
            }
            ActionChange::Dropped { reason } => (
                ActionStatus::Dropped,
                Some(current.closed_on.unwrap_or(today)),
                current.completion_note.clone(),
                Some(reason.clone()),
                "Action dropped",
            ),
            ActionChange::Reopen => {
                if current.status == ActionStatus::Open {
                    return Err(StoreError::invalid("status", "The action is open already"));
                }
                (ActionStatus::Open, None, current.completion_note.clone(), None, "Action reopened")
            }
        };
        // A change of closed state counts from today, not from when it was first closed.
        let closed_on = if status != current.status { closed_on.map(|_| today) } else { closed_on };
        let mut diff = Diff::default();
        diff.field("status", current.status.as_str(), status.as_str())
            .field("closed_on", current.closed_on, closed_on)
            .field("completion_note", &current.completion_note, &note)
            .field("drop_reason", &current.drop_reason, &reason);
        if diff.is_empty() {
            return Ok(said);
        }
        diesel::update(audit_actions::table.find(action_id))
            .set((
                audit_actions::status.eq(status),
                audit_actions::closed_on.eq(closed_on),
                audit_actions::completion_note.eq(&note),
                audit_actions::drop_reason.eq(&reason),
                audit_actions::updated_at.eq(Utc::now().naive_utc()),
                audit_actions::updated_by.eq(by.map(|u| u.0)),
            ))
            .execute(conn)?;
        record_action(conn, by, Some(provider_id.0), "audit_action", action_id, "update", diff)?;
        Ok(said)
    })
}

/// How many overdue actions (open and due before `today`, as `rules::is_overdue` says) each of many
/// providers has, in all its plans. One query, counted in SQL.
pub fn overdue_counts_for_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
    today: NaiveDate,
) -> QueryResult<std::collections::HashMap<ProviderId, usize>> {
    Ok(audit_actions::table
        .inner_join(audits::table.inner_join(audit_plans::table))
        .filter(audit_plans::provider_id.eq_any(providers))
        .filter(audit_actions::status.eq(ActionStatus::Open))
        .filter(audit_actions::due_on.lt(today))
        .group_by(audit_plans::provider_id)
        .select((audit_plans::provider_id, diesel::dsl::count_star()))
        .load::<(ProviderId, i64)>(conn)?
        .into_iter()
        .map(|(provider, n)| (provider, usize::try_from(n).unwrap_or(0)))
        .collect())
}

/// Every provider's open actions due on or before `until`, overdue ones included, soonest first:
/// what the daily reminders tell managers. One query.
pub fn open_due_by(conn: &mut DbConnection, until: NaiveDate, today: NaiveDate) -> QueryResult<Vec<ActionRecord>> {
    let rows: Vec<Row> = action_rows!()
        .filter(audit_actions::status.eq(ActionStatus::Open))
        .filter(audit_actions::due_on.le(until))
        .select(action_columns!())
        .order((audit_actions::due_on, audit_actions::id))
        .load(conn)?;
    Ok(rows.into_iter().map(|r| to_record(r, today)).collect())
}
