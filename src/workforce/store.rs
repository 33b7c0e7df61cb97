//! Loading and saving people, CPD and supervision, and the workforce figures judged by the rules.

use std::collections::HashMap;

use chrono::{Months, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::model::{ConfirmerRole, CpdType, SupervisionKind};
use super::model::{
    Discipline, NewCpd, NewRevalidation, NewStaff, NewSupervision, Regulation, Regulations, Regulator, SpecialistRoute,
    Tier,
};
pub use super::rules::Escalations;
use super::rules::{self, CpdActivity, CpdCycle, Issue, Person, RevalidationEvidence, SessionFigures};
use crate::db::schema::{cpd_records, nmc_revalidations, staff, supervision_attendees, supervision_sessions};
use crate::db::ProviderId;
use crate::db::StaffId;
use crate::db::StoreError;
use crate::db::UserId;
use crate::db::{self, DbConnection};
use crate::form::FieldErrors;
use crate::history::store::{json, record_action, record_created, Diff};

/// The regulators' rules from the catalogue (standards/professions.toml), each with its number
/// pattern compiled. One query.
pub fn regulations(conn: &mut DbConnection) -> QueryResult<Regulations> {
    let rules = crate::catalogue::store::profession_rules(conn)?;
    Ok(Regulations(
        rules
            .into_iter()
            .map(|rule| Regulation {
                regulator: Regulator::from_catalogue(rule.regulator),
                disciplines: rule.disciplines.clone(),
                // The loader refused any pattern that does not compile.
                number_pattern: rule.registration_number_pattern.as_deref().and_then(compiled_pattern),
                number_example: rule.registration_number_example.clone(),
                rule,
            })
            .collect(),
    ))
}

/// A registration number pattern, compiled once per process: the workforce page and the dashboard
/// ask for the regulators' rules on every request, and compiling the patterns each time was a
/// tenth of the dashboard's work. The catalogue holds a handful, so the map stays small.
fn compiled_pattern(pattern: &str) -> Option<regex::Regex> {
    static COMPILED: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<String, Option<regex::Regex>>>> =
        std::sync::LazyLock::new(Default::default);
    let mut compiled = COMPILED.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    compiled.entry(pattern.to_string()).or_insert_with(|| regex::Regex::new(pattern).ok()).clone()
}

/// A person as pages and the API show them.
#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = staff)]
pub struct StaffRecord {
    pub id: StaffId,
    pub staff_number: String,
    pub full_name: String,
    pub email: Option<String>,
    pub discipline: Discipline,
    pub tier: Tier,
    pub tier_overridden: bool,
    pub regulator: Regulator,
    pub registration_number: Option<String>,
    pub registration_renewal: Option<NaiveDate>,
    pub revalidation_due: Option<NaiveDate>,
    pub specialist_route: Option<SpecialistRoute>,
    pub last_appraisal: Option<NaiveDate>,
    pub responsible_officer: Option<String>,
    pub practice_teacher: bool,
    pub start_date: Option<NaiveDate>,
    pub leaving_date: Option<NaiveDate>,
    pub fte: Option<f64>,
    pub user_id: Option<UserId>,
    pub updated_at: NaiveDateTime,
}

impl StaffRecord {
    pub fn discipline_label(&self) -> &str {
        self.discipline.label()
    }

    /// The record as the form's starting values.
    pub fn as_input(&self) -> super::model::StaffInput {
        let day = crate::form::form_date_or_blank;
        super::model::StaffInput {
            staff_number: self.staff_number.clone(),
            full_name: self.full_name.clone(),
            email: self.email.clone().unwrap_or_default(),
            discipline: self.discipline.as_str().to_string(),
            regulator: self.regulator.as_str().to_string(),
            registration_number: self.registration_number.clone().unwrap_or_default(),
            registration_renewal: day(self.registration_renewal),
            revalidation_due: day(self.revalidation_due),
            last_appraisal: day(self.last_appraisal),
            responsible_officer: self.responsible_officer.clone().unwrap_or_default(),
            start_date: day(self.start_date),
            leaving_date: day(self.leaving_date),
            fte: self.fte.map(|f| f.to_string()).unwrap_or_default(),
            tier: if self.tier_overridden { self.tier.as_str().to_string() } else { String::new() },
            specialist_route: self.specialist_route.map(|r| r.as_str().to_string()).unwrap_or_default(),
            practice_teacher: if self.practice_teacher { "yes".into() } else { String::new() },
        }
    }
}

/// Whether a user is this person: linked to the record, or signed in with the record's email.
pub fn is_self(conn: &mut DbConnection, user_id: UserId, record: &StaffRecord) -> QueryResult<bool> {
    use crate::db::schema::users;
    if record.user_id == Some(user_id) {
        return Ok(true);
    }
    let email: Option<String> = users::table.find(user_id).select(users::email).first(conn).optional()?;
    Ok(email.zip(record.email.as_ref()).is_some_and(|(mine, theirs)| mine.eq_ignore_ascii_case(theirs)))
}

/// The provider's people, by name.
pub fn staff_list(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Vec<StaffRecord>> {
    staff::table
        .filter(staff::provider_id.eq(provider_id))
        .select(StaffRecord::as_select())
        .order((staff::full_name, staff::id))
        .load(conn)
}

/// The provider's people in post on `as_of` (started, or no start given; not yet left), by name.
/// The leaving day itself still counts, as the rules judge it.
pub fn current_staff(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    as_of: NaiveDate,
) -> QueryResult<Vec<StaffRecord>> {
    staff::table
        .filter(staff::provider_id.eq(provider_id))
        .filter(staff::start_date.is_null().or(staff::start_date.le(as_of)))
        .filter(staff::leaving_date.is_null().or(staff::leaving_date.ge(as_of)))
        .select(StaffRecord::as_select())
        .order((staff::full_name, staff::id))
        .load(conn)
}

/// The names of the provider's clinical and specialist staff in post on `today`: who may lead a
/// service or hold a sub-specialism's expertise.
pub fn clinicians(conn: &mut DbConnection, provider_id: ProviderId, today: NaiveDate) -> QueryResult<Vec<String>> {
    staff::table
        .filter(staff::provider_id.eq(provider_id))
        .filter(staff::tier.ne(Tier::NonClinical))
        .filter(staff::leaving_date.is_null().or(staff::leaving_date.ge(today)))
        .select(staff::full_name)
        .order(staff::full_name)
        .load(conn)
}

/// The provider's clinical and specialist staff in post on `today`, by id and name: who may lead
/// an audit.
pub fn clinical_staff(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    today: NaiveDate,
) -> QueryResult<Vec<(StaffId, String)>> {
    staff::table
        .filter(staff::provider_id.eq(provider_id))
        .filter(staff::tier.ne(Tier::NonClinical))
        .filter(staff::leaving_date.is_null().or(staff::leaving_date.ge(today)))
        .select((staff::id, staff::full_name))
        .order((staff::sort_name, staff::id))
        .load(conn)
}

/// The names of the people given, for pages that show who leads what.
pub fn staff_names(conn: &mut DbConnection, ids: &[StaffId]) -> QueryResult<Vec<(StaffId, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    staff::table.filter(staff::id.eq_any(ids)).select((staff::id, staff::full_name)).load(conn)
}

diesel::define_sql_function! {
    /// An email in lower case, to match a user to a staff record as [`is_self`] does.
    #[sql_name = "lower"]
    fn lower_email(text: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// The provider's staff records that are the signed-in user's own, as [`is_self`] judges (linked
/// to the user, or with the user's email): how an audit knows its lead is the person signed in.
pub fn staff_of_user(conn: &mut DbConnection, provider_id: ProviderId, user_id: UserId) -> QueryResult<Vec<StaffId>> {
    use crate::db::schema::users;
    let email: Option<String> = users::table.find(user_id).select(users::email).first(conn).optional()?;
    let email = email.map(|e| e.to_lowercase()).unwrap_or_default();
    staff::table
        .filter(staff::provider_id.eq(provider_id))
        .filter(staff::user_id.eq(user_id.0).or(lower_email(staff::email).eq(email)))
        .select(staff::id)
        .load(conn)
}

/// One of the provider's people.
pub fn staff_member(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    staff_id: StaffId,
) -> QueryResult<Option<StaffRecord>> {
    staff::table
        .filter(staff::provider_id.eq(provider_id))
        .filter(staff::id.eq(staff_id))
        .select(StaffRecord::as_select())
        .first(conn)
        .optional()
}

/// The fields of a person as the history records them.
fn staff_fields(person: &NewStaff) -> Vec<(&'static str, serde_json::Value)> {
    vec![
        ("staff_number", json(&person.staff_number)),
        ("full_name", json(&person.full_name)),
        ("email", json(&person.email)),
        ("discipline", json(person.discipline.as_str())),
        ("tier", json(person.tier.as_str())),
        ("regulator", json(person.regulator.as_str())),
        ("registration_number", json(&person.registration_number)),
        ("registration_renewal", json(person.registration_renewal)),
        ("revalidation_due", json(person.revalidation_due)),
        ("specialist_route", json(person.specialist_route.map(SpecialistRoute::as_str))),
        ("last_appraisal", json(person.last_appraisal)),
        ("responsible_officer", json(&person.responsible_officer)),
        ("practice_teacher", json(person.practice_teacher)),
        ("start_date", json(person.start_date)),
        ("leaving_date", json(person.leaving_date)),
        ("fte", json(person.fte)),
    ]
}

/// A person's own fields as columns: the same values whether they are inserted or updated (a field
/// emptied on the form is set to NULL, not left as it was).
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = staff, treat_none_as_null = true)]
struct StaffValues<'a> {
    staff_number: &'a str,
    full_name: &'a str,
    /// Written with the name, so lists sort by surname in SQL ([`rules::sort_name`]).
    sort_name: String,
    email: Option<&'a str>,
    discipline: Discipline,
    tier: Tier,
    tier_overridden: bool,
    regulator: Regulator,
    registration_number: Option<&'a str>,
    registration_renewal: Option<NaiveDate>,
    revalidation_due: Option<NaiveDate>,
    specialist_route: Option<SpecialistRoute>,
    last_appraisal: Option<NaiveDate>,
    responsible_officer: Option<&'a str>,
    practice_teacher: bool,
    start_date: Option<NaiveDate>,
    leaving_date: Option<NaiveDate>,
    fte: Option<f64>,
}

impl<'a> From<&'a NewStaff> for StaffValues<'a> {
    fn from(person: &'a NewStaff) -> Self {
        StaffValues {
            staff_number: &person.staff_number,
            full_name: &person.full_name,
            sort_name: rules::sort_name(&person.full_name),
            email: person.email.as_deref(),
            discipline: person.discipline,
            tier: person.tier,
            tier_overridden: person.tier_overridden,
            regulator: person.regulator,
            registration_number: person.registration_number.as_deref(),
            registration_renewal: person.registration_renewal,
            revalidation_due: person.revalidation_due,
            specialist_route: person.specialist_route,
            last_appraisal: person.last_appraisal,
            responsible_officer: person.responsible_officer.as_deref(),
            practice_teacher: person.practice_teacher,
            start_date: person.start_date,
            leaving_date: person.leaving_date,
            fte: person.fte,
        }
    }
}

/// Inserts a person (inside a transaction); history row included.
pub(crate) fn insert_staff(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    person: &NewStaff,
) -> QueryResult<StaffId> {
    let now = Utc::now().naive_utc();
    diesel::insert_into(staff::table)
        .values((
            staff::provider_id.eq(provider_id),
            StaffValues::from(person),
            staff::created_at.eq(now),
            staff::updated_at.eq(now),
        ))
        .execute(conn)?;
    let id = db::last_insert_id(conn)?;
    record_created(conn, by, Some(provider_id.0), "staff", id, staff_fields(person))?;
    Ok(StaffId(id))
}

/// Updates a person in place (inside a transaction); writes nothing when nothing changed. Returns
/// whether anything did.
pub(crate) fn update_staff_row(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    current: &StaffRecord,
    person: &NewStaff,
) -> QueryResult<bool> {
    let mut diff = Diff::default();
    let before = current.as_input();
    diff.field("staff_number", &current.staff_number, &person.staff_number)
        .field("full_name", &current.full_name, &person.full_name)
        .field("email", &current.email, &person.email)
        .field("discipline", current.discipline, person.discipline)
        .field("tier", current.tier, person.tier)
        .field("regulator", current.regulator, person.regulator)
        .field("registration_number", &current.registration_number, &person.registration_number)
        .field("registration_renewal", current.registration_renewal, person.registration_renewal)
        .field("revalidation_due", current.revalidation_due, person.revalidation_due)
        .field("specialist_route", current.specialist_route, person.specialist_route)
        .field("last_appraisal", current.last_appraisal, person.last_appraisal)
        .field("responsible_officer", &current.responsible_officer, &person.responsible_officer)
        .field("practice_teacher", current.practice_teacher, person.practice_teacher)
        .field("start_date", current.start_date, person.start_date)
        .field("leaving_date", current.leaving_date, person.leaving_date)
        .field("fte", &before.fte, person.fte.map(|f| f.to_string()).unwrap_or_default());
    if diff.is_empty() {
        return Ok(false);
    }
    diesel::update(staff::table.find(current.id))
        .set((StaffValues::from(person), staff::updated_at.eq(Utc::now().naive_utc())))
        .execute(conn)?;
    record_action(conn, by, Some(provider_id.0), "staff", current.id.0, "update", diff)?;
    Ok(true)
}

/// The people in post on `day` (started by then, or with no start date, and not yet left), by
/// staff number, with their names: a full staff extract dated `day` lists every one of them, so
/// those it leaves out have left.
pub fn in_post_on(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    day: NaiveDate,
) -> QueryResult<Vec<(String, String)>> {
    staff::table
        .filter(staff::provider_id.eq(provider_id))
        .filter(staff::start_date.is_null().or(staff::start_date.le(day)))
        .filter(staff::leaving_date.is_null().or(staff::leaving_date.gt(day)))
        .order((staff::full_name, staff::staff_number))
        .select((staff::staff_number, staff::full_name))
        .load(conn)
}

/// Records that the person with `staff_number` left on `day`, with the change in the history.
/// False when there is no such person or they had already left by then (nothing is written).
pub(crate) fn mark_left(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    staff_number: &str,
    day: NaiveDate,
) -> QueryResult<bool> {
    let current: Option<(StaffId, Option<NaiveDate>)> = staff::table
        .filter(staff::provider_id.eq(provider_id))
        .filter(staff::staff_number.eq(staff_number))
        .select((staff::id, staff::leaving_date))
        .first(conn)
        .optional()?;
    let Some((id, leaving_date)) = current else { return Ok(false) };
    if leaving_date.is_some_and(|left| left <= day) {
        return Ok(false);
    }
    diesel::update(staff::table.find(id))
        .set((staff::leaving_date.eq(Some(day)), staff::updated_at.eq(Utc::now().naive_utc())))
        .execute(conn)?;
    let mut diff = Diff::default();
    diff.field("leaving_date", leaving_date, Some(day));
    record_action(conn, by, Some(provider_id.0), "staff", id.0, "update", diff)?;
    Ok(true)
}

fn number_taken(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    number: &str,
    except: Option<StaffId>,
) -> QueryResult<bool> {
    let holder: Option<StaffId> = staff::table
        .filter(staff::provider_id.eq(provider_id))
        .filter(staff::staff_number.eq(number))
        .select(staff::id)
        .first(conn)
        .optional()?;
    Ok(holder.is_some_and(|h| Some(h) != except))
}

/// Adds a person; their staff number must be new to the provider. Returns their id.
pub fn create_staff(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    person: &NewStaff,
) -> Result<StaffId, StoreError> {
    db::write_transaction(conn, |conn| {
        if number_taken(conn, provider_id, &person.staff_number, None)? {
            return Err(StoreError::invalid(
                "staff_number",
                format!("Staff number {} is already in use", person.staff_number),
            ));
        }
        Ok(insert_staff(conn, by, provider_id, person)?)
    })
}

/// Changes a person's record. Returns false when they are not the provider's.
pub fn update_staff(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    staff_id: StaffId,
    person: &NewStaff,
) -> Result<(), StoreError> {
    db::write_transaction(conn, |conn| {
        let Some(current) = staff_member(conn, provider_id, staff_id)? else { return Err(StoreError::NotFound) };
        if number_taken(conn, provider_id, &person.staff_number, Some(staff_id))? {
            return Err(StoreError::invalid(
                "staff_number",
                format!("Staff number {} is already in use", person.staff_number),
            ));
        }
        update_staff_row(conn, by, provider_id, &current, person)?;
        Ok(())
    })
}

/// Adds a CPD record for one of the provider's people. Returns its id, or None when the person is
/// not the provider's.
pub fn add_cpd(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    staff_id: StaffId,
    cpd: &NewCpd,
    evidence_id: Option<i32>,
) -> Result<i32, StoreError> {
    db::write_transaction(conn, |conn| {
        if staff_member(conn, provider_id, staff_id)?.is_none() {
            return Err(StoreError::NotFound);
        }
        if let Some(evidence_id) = evidence_id {
            if !crate::evidence::store::all_belong_to(conn, provider_id, &[evidence_id])? {
                return Err(StoreError::invalid("evidence_id", "Choose evidence from this service's own library"));
            }
        }
        diesel::insert_into(cpd_records::table)
            .values((
                cpd_records::staff_id.eq(staff_id),
                cpd_records::activity_date.eq(cpd.date),
                cpd_records::title.eq(&cpd.title),
                cpd_records::activity_type.eq(cpd.activity_type),
                cpd_records::hours.eq(cpd.hours),
                cpd_records::participatory.eq(cpd.participatory),
                cpd_records::reflective.eq(cpd.reflective),
                cpd_records::evidence_id.eq(evidence_id),
                cpd_records::created_at.eq(Utc::now().naive_utc()),
                cpd_records::created_by.eq(by),
            ))
            .execute(conn)?;
        let id = db::last_insert_id(conn)?;
        record_created(
            conn,
            by,
            Some(provider_id.0),
            "cpd",
            id,
            vec![
                ("staff_id", json(staff_id)),
                ("date", json(cpd.date)),
                ("title", json(&cpd.title)),
                ("type", json(cpd.activity_type.as_str())),
                ("hours", json(cpd.hours)),
                ("participatory", json(cpd.participatory)),
                ("reflective", json(cpd.reflective)),
                ("evidence_id", json(evidence_id)),
            ],
        )?;
        Ok(id)
    })
}

/// The provider's people by staff number, with their id and tier: how import rows and supervision
/// forms name people.
pub fn staff_numbers(
    conn: &mut DbConnection,
    provider_id: ProviderId,
) -> QueryResult<HashMap<String, (StaffId, Tier)>> {
    let rows: Vec<(String, StaffId, Tier)> = staff::table
        .filter(staff::provider_id.eq(provider_id))
        .select((staff::staff_number, staff::id, staff::tier))
        .load(conn)?;
    Ok(rows.into_iter().map(|(number, id, tier)| (number, (id, tier))).collect())
}

/// The people of a provider that history lines name, by id or by staff number, as (id, staff
/// number, full name): one query for a whole page of lines, however many it names.
pub fn names_for_history(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    ids: &[i32],
    numbers: &[String],
) -> QueryResult<Vec<(StaffId, String, String)>> {
    if ids.is_empty() && numbers.is_empty() {
        return Ok(Vec::new());
    }
    staff::table
        .filter(staff::provider_id.eq(provider_id))
        .filter(staff::id.eq_any(ids.iter().copied().map(StaffId)).or(staff::staff_number.eq_any(numbers)))
        .select((staff::id, staff::staff_number, staff::full_name))
        .load(conn)
}

/// Who a session names, resolved, or the field problems: unknown people, or a supervisor outside
/// the clinical and specialist tiers.
pub fn resolve_session(
    people: &HashMap<String, (StaffId, Tier)>,
    session: &NewSupervision,
) -> Result<(StaffId, Vec<StaffId>), FieldErrors> {
    let mut errors = FieldErrors::default();
    let supervisor = match people.get(&session.supervisor) {
        Some((id, tier)) if tier.may_supervise() => Some(*id),
        Some(_) => {
            errors.add(
                "supervisor_staff_number",
                format!(
                    "{} is in the non-clinical tier: a supervisor must be clinical or specialist",
                    session.supervisor
                ),
            );
            None
        }
        None => {
            errors.add("supervisor_staff_number", format!("There is no one with staff number {}", session.supervisor));
            None
        }
    };
    let unknown: Vec<&str> =
        session.attendees.iter().filter(|a| !people.contains_key(*a)).map(String::as_str).collect();
    if !unknown.is_empty() {
        errors.add("attendee_staff_numbers", format!("There is no one with staff number {}", unknown.join(", ")));
    }
    match supervisor {
        Some(supervisor) if errors.is_empty() => {
            Ok((supervisor, session.attendees.iter().filter_map(|a| people.get(a).map(|p| p.0)).collect()))
        }
        _ => Err(errors),
    }
}

/// Inserts a resolved session and its attendees (inside a transaction). Returns its id.
pub(crate) fn insert_session(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    session: &NewSupervision,
    supervisor: StaffId,
    attendees: &[StaffId],
) -> QueryResult<i32> {
    diesel::insert_into(supervision_sessions::table)
        .values((
            supervision_sessions::provider_id.eq(provider_id),
            supervision_sessions::session_date.eq(session.date),
            supervision_sessions::kind.eq(session.kind),
            supervision_sessions::supervisor_id.eq(supervisor),
            supervision_sessions::minutes.eq(&session.minutes),
            supervision_sessions::cases_discussed.eq(session.cases_discussed),
            supervision_sessions::escalated_gp.eq(session.escalated_gp),
            supervision_sessions::escalated_clinical.eq(session.escalated_clinical),
            supervision_sessions::escalated_specialist.eq(session.escalated_specialist),
            supervision_sessions::created_at.eq(Utc::now().naive_utc()),
            supervision_sessions::created_by.eq(by),
        ))
        .execute(conn)?;
    let id = db::last_insert_id(conn)?;
    let rows: Vec<_> = attendees
        .iter()
        .map(|staff_id| (supervision_attendees::session_id.eq(id), supervision_attendees::staff_id.eq(*staff_id)))
        .collect();
    db::insert_batch(conn, supervision_attendees::table, &rows)?;
    Ok(id)
}

/// Records a supervision session. A supervisor outside the clinical and specialist tiers is refused.
pub fn add_supervision(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    session: &NewSupervision,
) -> Result<i32, StoreError> {
    db::write_transaction(conn, |conn| {
        let people = staff_numbers(conn, provider_id)?;
        let (supervisor, attendees) = resolve_session(&people, session)?;
        let id = insert_session(conn, by, provider_id, session, supervisor, &attendees)?;
        record_created(
            conn,
            by,
            Some(provider_id.0),
            "supervision",
            id,
            vec![
                ("date", json(session.date)),
                ("kind", json(session.kind.as_str())),
                ("supervisor", json(&session.supervisor)),
                ("attendees", json(&session.attendees)),
                ("cases_discussed", json(session.cases_discussed)),
                ("escalated_gp", json(session.escalated_gp)),
                ("escalated_clinical", json(session.escalated_clinical)),
                ("escalated_specialist", json(session.escalated_specialist)),
            ],
        )?;
        Ok(id)
    })
}

/// One person's line on the workforce page and in the API.
#[derive(Debug, Clone, Serialize)]
pub struct PersonLine {
    pub staff: StaffRecord,
    pub discipline_label: String,
    pub issues: Vec<Issue>,
    /// Their discipline must attend clinical supervision (the catalogue's setting).
    pub needs_supervision: bool,
    pub last_supervision: Option<NaiveDate>,
    /// A nurse's revalidation record for the cycle ending on their revalidation date.
    pub revalidation: Option<RevalidationRecord>,
}

impl PersonLine {
    /// What the workforce figures count of this person (`rules::summarise`), for the workforce
    /// page and the commissioner's figures alike.
    pub fn counted(&self) -> rules::Counted<'_> {
        rules::Counted {
            discipline: self.staff.discipline,
            tier: self.staff.tier,
            practice_teacher: self.staff.practice_teacher,
            needs_supervision: self.needs_supervision,
            issues: &self.issues,
        }
    }
}

/// The workforce figures as of a date.
#[derive(Debug, Clone, Serialize)]
pub struct WorkforceReport {
    pub as_of: NaiveDate,
    pub people: Vec<PersonLine>,
    pub by_tier: Vec<(Tier, usize)>,
    pub by_discipline: Vec<(String, String, usize)>,
    pub consultants: usize,
    pub specialty_registrars: usize,
    pub practice_teachers: usize,
    pub totals: Vec<(Issue, usize)>,
    /// People in post whose discipline needs clinical supervision (standards/professions.toml), and
    /// how many are not overdue for it.
    pub needing_supervision: usize,
    pub supervised: usize,
    pub supervision_days: i64,
    pub escalations: Vec<Escalations>,
}

/// The facts about one person the rules judge.
pub fn person_facts(person: &StaffRecord, regulations: &Regulations, last_supervision: Option<NaiveDate>) -> Person {
    Person {
        revalidation: None,
        started_on: person.start_date,
        left_on: person.leaving_date,
        registration_renewal: person.registration_renewal,
        revalidation_due: person.revalidation_due,
        last_appraisal: person.last_appraisal,
        needs_supervision: regulations.needs_supervision(person.discipline),
        last_supervision,
        responsible_officer: person.responsible_officer.as_deref().is_some_and(|ro| !ro.trim().is_empty()),
        consultant: person.discipline == Discipline::ConsultantOccupationalPhysician,
        specialist_route: matches!(person.specialist_route, Some(SpecialistRoute::Cct | SpecialistRoute::Cesr)),
        in_training: person.discipline == Discipline::SpecialtyRegistrar,
    }
}

/// Where a person stands against their regulator's CPD requirement on `as_of`.
#[derive(Debug, Clone, Serialize)]
pub struct CpdStanding {
    pub progress: rules::CpdProgress,
    pub unit: &'static str,
    pub participatory_required: Option<f64>,
    pub reflective_required: Option<u32>,
}

/// A person's CPD standing, for their page; None when their regulator sets no CPD rule.
pub fn cpd_standing(
    conn: &mut DbConnection,
    person: &StaffRecord,
    cpd: &[CpdLine],
    as_of: NaiveDate,
) -> QueryResult<Option<CpdStanding>> {
    let regulations = regulations(conn)?;
    let Some(rule) = regulations.get(person.regulator).map(|r| &r.rule) else { return Ok(None) };
    let activities: Vec<CpdActivity> = cpd
        .iter()
        .filter(|c| c.withdrawn_at.is_none())
        .map(|c| CpdActivity {
            date: c.activity_date,
            hours: c.hours,
            participatory: c.participatory,
            reflective: c.reflective,
        })
        .collect();
    Ok(rules::cpd_progress(&person_facts(person, &regulations, None), rule, &activities, as_of).map(|progress| {
        CpdStanding {
            progress,
            unit: match rule.cpd_cycle {
                Some(CpdCycle::CpdYear) => "credits",
                Some(CpdCycle::RollingPeriods) => "activities",
                _ => "hours",
            },
            participatory_required: rule.cpd_participatory_required,
            reflective_required: rule.reflective_accounts_required,
        }
    }))
}

/// Each of `people`'s latest clinical supervision on or before `as_of`, withdrawn sessions left
/// out; someone never supervised is absent. One query, the latest taken in SQL.
pub fn last_supervisions(
    conn: &mut DbConnection,
    people: &[StaffId],
    as_of: NaiveDate,
) -> QueryResult<HashMap<StaffId, NaiveDate>> {
    if people.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(supervision_attendees::table
        .inner_join(supervision_sessions::table)
        .filter(supervision_attendees::staff_id.eq_any(people))
        .filter(supervision_sessions::withdrawn_at.is_null())
        .filter(supervision_sessions::session_date.le(as_of))
        .group_by(supervision_attendees::staff_id)
        .select((supervision_attendees::staff_id, diesel::dsl::max(supervision_sessions::session_date)))
        .load::<(StaffId, Option<NaiveDate>)>(conn)?
        .into_iter()
        .filter_map(|(staff_id, latest)| Some((staff_id, latest?)))
        .collect())
}

/// The CPD records of each of `people` dated from `from` to `to` (inclusive), withdrawn ones left
/// out, by person: what a caller judging CPD cycles of its own choosing counts. One query.
pub fn cpd_activities(
    conn: &mut DbConnection,
    people: &[StaffId],
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<HashMap<StaffId, Vec<CpdActivity>>> {
    let mut found: HashMap<StaffId, Vec<CpdActivity>> = HashMap::new();
    if people.is_empty() || to < from {
        return Ok(found);
    }
    let rows: Vec<(StaffId, NaiveDate, f64, bool, bool)> = cpd_records::table
        .filter(cpd_records::staff_id.eq_any(people))
        .filter(cpd_records::withdrawn_at.is_null())
        .filter(cpd_records::activity_date.ge(from))
        .filter(cpd_records::activity_date.le(to))
        .select((
            cpd_records::staff_id,
            cpd_records::activity_date,
            cpd_records::hours,
            cpd_records::participatory,
            cpd_records::reflective,
        ))
        .load(conn)?;
    for (staff_id, date, hours, participatory, reflective) in rows {
        found.entry(staff_id).or_default().push(CpdActivity { date, hours, participatory, reflective });
    }
    Ok(found)
}

/// Judges each of `people` as of `as_of`. Four queries however many people: the rules, the CPD
/// that can change a verdict that day (most people are early in their cycle on any given day),
/// each person's latest supervision, and each nurse's revalidation record for their current cycle.
/// Withdrawn CPD and sessions are not counted.
fn judge_people(
    conn: &mut DbConnection,
    people: &[StaffRecord],
    as_of: NaiveDate,
    supervision_days: i64,
) -> QueryResult<Vec<PersonLine>> {
    let ids: Vec<StaffId> = people.iter().map(|p| p.id).collect();
    judge_among(conn, people, Whose::People(&ids), as_of, supervision_days)
}

/// Whose records the judging reads: named people, or everyone of some providers (a subquery, so a
/// thousand providers' people are not bound one parameter each).
#[derive(Clone, Copy)]
enum Whose<'a> {
    People(&'a [StaffId]),
    Providers(&'a [ProviderId]),
}

/// [`judge_people`] with the records read for `whose`, which must cover `people`.
fn judge_among(
    conn: &mut DbConnection,
    people: &[StaffRecord],
    whose: Whose,
    as_of: NaiveDate,
    supervision_days: i64,
) -> QueryResult<Vec<PersonLine>> {
    let regulations = regulations(conn)?;
    let rule_of = |person: &StaffRecord| regulations.get(person.regulator).map(|r| &r.rule);
    let windows: Vec<(StaffId, NaiveDate)> = people
        .iter()
        .filter_map(|p| {
            rule_of(p)
                .and_then(|rule| rules::cpd_window(&person_facts(p, &regulations, None), rule, as_of))
                .map(|w| (p.id, w.0))
        })
        .collect();
    let mut cpd: HashMap<StaffId, Vec<CpdActivity>> = HashMap::new();
    if let Some(earliest) = windows.iter().map(|w| w.1).min() {
        let judged: Vec<StaffId> = windows.iter().map(|w| w.0).collect();
        macro_rules! cpd_of {
            ($whose:expr) => {
                cpd_records::table
                    .filter(cpd_records::staff_id.eq_any($whose))
                    .filter(cpd_records::withdrawn_at.is_null())
                    .filter(cpd_records::activity_date.ge(earliest))
                    .filter(cpd_records::activity_date.le(as_of))
                    .select((
                        cpd_records::staff_id,
                        cpd_records::activity_date,
                        cpd_records::hours,
                        cpd_records::participatory,
                        cpd_records::reflective,
                    ))
                    .load::<(StaffId, NaiveDate, f64, bool, bool)>(conn)?
            };
        }
        let records = match whose {
            Whose::People(_) => cpd_of!(&judged),
            Whose::Providers(providers) => {
                cpd_of!(staff::table.filter(staff::provider_id.eq_any(providers)).select(staff::id))
            }
        };
        let judged: std::collections::HashSet<StaffId> = judged.into_iter().collect();
        for (staff_id, date, hours, participatory, reflective) in records.into_iter().filter(|r| judged.contains(&r.0))
        {
            cpd.entry(staff_id).or_default().push(CpdActivity { date, hours, participatory, reflective });
        }
    }
    macro_rules! last_supervision_of {
        ($whose:expr) => {
            supervision_attendees::table
                .inner_join(supervision_sessions::table)
                .filter(supervision_attendees::staff_id.eq_any($whose))
                .filter(supervision_sessions::withdrawn_at.is_null())
                .filter(supervision_sessions::session_date.le(as_of))
                .group_by(supervision_attendees::staff_id)
                .select((supervision_attendees::staff_id, diesel::dsl::max(supervision_sessions::session_date)))
                .load::<(StaffId, Option<NaiveDate>)>(conn)?
        };
    }
    let latest = match whose {
        Whose::People(ids) => last_supervision_of!(ids),
        Whose::Providers(providers) => {
            last_supervision_of!(staff::table.filter(staff::provider_id.eq_any(providers)).select(staff::id))
        }
    };
    let last_supervision: HashMap<StaffId, NaiveDate> =
        latest.into_iter().filter_map(|(staff_id, latest)| latest.map(|d| (staff_id, d))).collect();
    let mut revalidations = match whose {
        Whose::People(ids) => revalidations_of(conn, ids)?,
        Whose::Providers(providers) => revalidations_of_providers(conn, providers)?,
    };
    let empty = Vec::new();
    Ok(people
        .iter()
        .map(|person| {
            let revalidation = revalidations.remove(&person.id);
            let facts = Person {
                revalidation: revalidation.as_ref().map(RevalidationRecord::evidence),
                ..person_facts(person, &regulations, last_supervision.get(&person.id).copied())
            };
            let issues =
                rules::judge(&facts, rule_of(person), cpd.get(&person.id).unwrap_or(&empty), supervision_days, as_of);
            PersonLine {
                discipline_label: person.discipline_label().to_string(),
                needs_supervision: facts.needs_supervision,
                last_supervision: facts.last_supervision,
                revalidation,
                issues,
                staff: person.clone(),
            }
        })
        .collect())
}

/// Every person in post on `as_of` of each of many providers, judged as [`workforce`] judges them,
/// by provider. Five queries whatever the number of providers or people: the people, then the
/// four of [`judge_people`], each reading the providers' records through a subquery on `staff`.
pub fn judge_for_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
    as_of: NaiveDate,
    supervision_days: i64,
) -> QueryResult<HashMap<ProviderId, Vec<PersonLine>>> {
    let rows: Vec<(ProviderId, StaffRecord)> = staff::table
        .filter(staff::provider_id.eq_any(providers))
        .filter(staff::start_date.is_null().or(staff::start_date.le(as_of)))
        .filter(staff::leaving_date.is_null().or(staff::leaving_date.ge(as_of)))
        .select((staff::provider_id, StaffRecord::as_select()))
        .order((staff::provider_id, staff::full_name, staff::id))
        .load(conn)?;
    let (whose, people): (Vec<ProviderId>, Vec<StaffRecord>) = rows.into_iter().unzip();
    let lines = judge_among(conn, &people, Whose::Providers(providers), as_of, supervision_days)?;
    let mut by_provider: HashMap<ProviderId, Vec<PersonLine>> = HashMap::new();
    for (provider, line) in whose.into_iter().zip(lines) {
        by_provider.entry(provider).or_default().push(line);
    }
    Ok(by_provider)
}

/// One of the provider's people judged as of `as_of`, for their own page; someone not yet started
/// or already gone has no issues.
pub fn person_line(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    staff_id: StaffId,
    as_of: NaiveDate,
    supervision_days: i64,
) -> QueryResult<Option<PersonLine>> {
    match staff_member(conn, provider_id, staff_id)? {
        Some(person) => Ok(judge_people(conn, &[person], as_of, supervision_days)?.pop()),
        None => Ok(None),
    }
}

/// Judges every current person of the provider as of `as_of`. Six queries: people, the four of
/// [`judge_people`], and the sessions of the last twelve months.
pub fn workforce(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    as_of: NaiveDate,
    supervision_days: i64,
) -> QueryResult<WorkforceReport> {
    let current = current_staff(conn, provider_id, as_of)?;
    let lines = judge_people(conn, &current, as_of, supervision_days)?;
    let year_ago = as_of.checked_sub_months(Months::new(12)).unwrap_or(as_of);
    let sessions: Vec<(NaiveDate, i32, i32, i32, i32)> = supervision_sessions::table
        .filter(supervision_sessions::provider_id.eq(provider_id))
        .filter(supervision_sessions::withdrawn_at.is_null())
        .filter(supervision_sessions::session_date.gt(year_ago))
        .filter(supervision_sessions::session_date.le(as_of))
        .select((
            supervision_sessions::session_date,
            supervision_sessions::cases_discussed,
            supervision_sessions::escalated_gp,
            supervision_sessions::escalated_clinical,
            supervision_sessions::escalated_specialist,
        ))
        .load(conn)?;
    let sessions: Vec<SessionFigures> = sessions
        .into_iter()
        .map(|(date, cases_discussed, escalated_gp, escalated_clinical, escalated_specialist)| SessionFigures {
            date,
            cases_discussed,
            escalated_gp,
            escalated_clinical,
            escalated_specialist,
        })
        .collect();
    let counted: Vec<rules::Counted> = lines.iter().map(PersonLine::counted).collect();
    let summary = rules::summarise(&counted, &sessions);
    Ok(WorkforceReport {
        as_of,
        totals: summary.totals,
        by_tier: summary.by_tier,
        by_discipline: summary
            .by_discipline
            .iter()
            .map(|(d, n)| (d.as_str().to_string(), d.label().to_string(), *n))
            .collect(),
        consultants: summary.consultants,
        specialty_registrars: summary.specialty_registrars,
        practice_teachers: summary.practice_teachers,
        needing_supervision: summary.needing_supervision,
        supervised: summary.supervised,
        supervision_days,
        escalations: summary.escalations,
        people: lines,
    })
}

/// One CPD record as the person's page lists it.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct CpdLine {
    pub id: i32,
    pub activity_date: NaiveDate,
    pub title: String,
    pub activity_type: CpdType,
    pub hours: f64,
    pub participatory: bool,
    pub reflective: bool,
    pub evidence_id: Option<i32>,
    /// Set when a manager withdrew it as entered by mistake: still listed, no longer counted.
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawal_reason: Option<String>,
}

/// A person's CPD, newest first, withdrawn records included (each says so).
pub fn cpd_for(conn: &mut DbConnection, staff_id: StaffId) -> QueryResult<Vec<CpdLine>> {
    cpd_records::table
        .filter(cpd_records::staff_id.eq(staff_id))
        .select((
            cpd_records::id,
            cpd_records::activity_date,
            cpd_records::title,
            cpd_records::activity_type,
            cpd_records::hours,
            cpd_records::participatory,
            cpd_records::reflective,
            cpd_records::evidence_id,
            cpd_records::withdrawn_at,
            cpd_records::withdrawal_reason,
        ))
        .order((cpd_records::activity_date.desc(), cpd_records::id.desc()))
        .load(conn)
}

/// A supervision session as lists show it.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct SessionLine {
    pub id: i32,
    pub session_date: NaiveDate,
    pub kind: SupervisionKind,
    pub supervisor: String,
    pub cases_discussed: i32,
    pub escalated_gp: i32,
    pub escalated_clinical: i32,
    pub escalated_specialist: i32,
    pub minutes: String,
    /// Set when a manager withdrew it as entered by mistake: still listed, no longer counted.
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawal_reason: Option<String>,
}

/// The provider's supervision sessions, newest first, with how many attended each (counted by the
/// database).
pub fn sessions(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    limit: i64,
) -> QueryResult<Vec<(SessionLine, usize)>> {
    let lines: Vec<SessionLine> = supervision_sessions::table
        .inner_join(staff::table)
        .filter(supervision_sessions::provider_id.eq(provider_id))
        .select((
            supervision_sessions::id,
            supervision_sessions::session_date,
            supervision_sessions::kind,
            staff::full_name,
            supervision_sessions::cases_discussed,
            supervision_sessions::escalated_gp,
            supervision_sessions::escalated_clinical,
            supervision_sessions::escalated_specialist,
            supervision_sessions::minutes,
            supervision_sessions::withdrawn_at,
            supervision_sessions::withdrawal_reason,
        ))
        .order((supervision_sessions::session_date.desc(), supervision_sessions::id.desc()))
        .limit(limit)
        .load(conn)?;
    let ids: Vec<i32> = lines.iter().map(|l| l.id).collect();
    let attendance: HashMap<i32, i64> = supervision_attendees::table
        .filter(supervision_attendees::session_id.eq_any(&ids))
        .group_by(supervision_attendees::session_id)
        .select((supervision_attendees::session_id, diesel::dsl::count_star()))
        .load::<(i32, i64)>(conn)?
        .into_iter()
        .collect();
    Ok(lines
        .into_iter()
        .map(|l| {
            let n = attendance.get(&l.id).map_or(0, |n| usize::try_from(*n).unwrap_or(0));
            (l, n)
        })
        .collect())
}

/// Marks a CPD record of one of the provider's people withdrawn, as entered by mistake, with the
/// reason in its history row; it stays listed and is no longer counted. A record that is not theirs
/// or is already withdrawn is NotFound, and nothing is written.
pub fn withdraw_cpd(
    conn: &mut DbConnection,
    by: UserId,
    provider_id: ProviderId,
    staff_id: StaffId,
    cpd_id: i32,
    reason: &str,
) -> Result<(), StoreError> {
    db::write_transaction(conn, |conn| {
        let found: Option<i32> = cpd_records::table
            .inner_join(staff::table)
            .filter(cpd_records::id.eq(cpd_id))
            .filter(cpd_records::staff_id.eq(staff_id))
            .filter(staff::provider_id.eq(provider_id))
            .filter(cpd_records::withdrawn_at.is_null())
            .select(cpd_records::id)
            .first(conn)
            .optional()?;
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
        diesel::update(cpd_records::table.find(cpd_id))
            .set((
                cpd_records::withdrawn_at.eq(Utc::now().naive_utc()),
                cpd_records::withdrawn_by.eq(by),
                cpd_records::withdrawal_reason.eq(reason),
            ))
            .execute(conn)?;
        record_action(conn, Some(by), Some(provider_id.0), "cpd", cpd_id, "withdraw", withdrawal(reason))?;
        Ok(())
    })
}

/// Marks one of the provider's supervision sessions withdrawn, as entered by mistake, with the
/// reason in its history row; it stays listed and no longer counts towards anyone's supervision or
/// the escalation figures. A session that is not theirs or is already withdrawn is NotFound.
pub fn withdraw_session(
    conn: &mut DbConnection,
    by: UserId,
    provider_id: ProviderId,
    session_id: i32,
    reason: &str,
) -> Result<(), StoreError> {
    db::write_transaction(conn, |conn| {
        let changed = diesel::update(
            supervision_sessions::table
                .filter(supervision_sessions::id.eq(session_id))
                .filter(supervision_sessions::provider_id.eq(provider_id))
                .filter(supervision_sessions::withdrawn_at.is_null()),
        )
        .set((
            supervision_sessions::withdrawn_at.eq(Utc::now().naive_utc()),
            supervision_sessions::withdrawn_by.eq(by),
            supervision_sessions::withdrawal_reason.eq(reason),
        ))
        .execute(conn)?;
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        record_action(conn, Some(by), Some(provider_id.0), "supervision", session_id, "withdraw", withdrawal(reason))?;
        Ok(())
    })
}

/// A withdrawal's history row: withdrawn, and why.
fn withdrawal(reason: &str) -> Diff {
    let mut diff = Diff::default();
    diff.field("withdrawn", false, true).field("withdrawal_reason", None::<&str>, reason);
    diff
}

/// A nurse's revalidation record for one cycle, as the page, the API and the rules read it.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = nmc_revalidations)]
pub struct RevalidationRecord {
    pub cycle_end: NaiveDate,
    pub practice_hours: i32,
    pub feedback_pieces: i32,
    pub discussion_on: Option<NaiveDate>,
    pub discussion_with: Option<String>,
    pub discussion_with_pin: Option<String>,
    pub confirmed_on: Option<NaiveDate>,
    pub confirmer: Option<String>,
    pub confirmer_role: Option<ConfirmerRole>,
    pub confirmer_pin: Option<String>,
}

impl RevalidationRecord {
    /// What the rules judge.
    pub fn evidence(&self) -> RevalidationEvidence {
        RevalidationEvidence {
            practice_hours: u32::try_from(self.practice_hours).unwrap_or(0),
            feedback_pieces: u32::try_from(self.feedback_pieces).unwrap_or(0),
            discussion_on: self.discussion_on,
            confirmed_on: self.confirmed_on,
        }
    }

    /// The record as the form's starting values.
    pub fn as_input(&self) -> super::model::RevalidationInput {
        let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let text = |t: &Option<String>| t.clone().unwrap_or_default();
        super::model::RevalidationInput {
            practice_hours: self.practice_hours.to_string(),
            feedback_pieces: self.feedback_pieces.to_string(),
            discussion_on: day(self.discussion_on),
            discussion_with: text(&self.discussion_with),
            discussion_with_pin: text(&self.discussion_with_pin),
            confirmed_on: day(self.confirmed_on),
            confirmer: text(&self.confirmer),
            confirmer_role: self.confirmer_role.map(|r| r.as_str().to_string()).unwrap_or_default(),
            confirmer_pin: text(&self.confirmer_pin),
        }
    }

    fn from_new(cycle_end: NaiveDate, new: &NewRevalidation) -> Self {
        RevalidationRecord {
            cycle_end,
            practice_hours: new.practice_hours,
            feedback_pieces: new.feedback_pieces,
            discussion_on: new.discussion.as_ref().map(|d| d.on),
            discussion_with: new.discussion.as_ref().map(|d| d.with.clone()),
            discussion_with_pin: new.discussion.as_ref().map(|d| d.pin.clone()),
            confirmed_on: new.confirmation.as_ref().map(|c| c.on),
            confirmer: new.confirmation.as_ref().map(|c| c.confirmer.clone()),
            confirmer_role: new.confirmation.as_ref().map(|c| c.role),
            confirmer_pin: new.confirmation.as_ref().and_then(|c| c.pin.clone()),
        }
    }

    /// The fields as the history records them.
    fn diff(before: Option<&Self>, after: &Self) -> Diff {
        let mut diff = Diff::default();
        diff.field("cycle_end", before.map(|b| b.cycle_end), after.cycle_end)
            .field("practice_hours", before.map(|b| b.practice_hours), after.practice_hours)
            .field("feedback_pieces", before.map(|b| b.feedback_pieces), after.feedback_pieces)
            .field("discussion_on", before.and_then(|b| b.discussion_on), after.discussion_on)
            .field("discussion_with", before.and_then(|b| b.discussion_with.clone()), &after.discussion_with)
            .field(
                "discussion_with_pin",
                before.and_then(|b| b.discussion_with_pin.clone()),
                &after.discussion_with_pin,
            )
            .field("confirmed_on", before.and_then(|b| b.confirmed_on), after.confirmed_on)
            .field("confirmer", before.and_then(|b| b.confirmer.clone()), &after.confirmer)
            .field(
                "confirmer_role",
                before.and_then(|b| b.confirmer_role).map(ConfirmerRole::as_str),
                after.confirmer_role.map(ConfirmerRole::as_str),
            )
            .field("confirmer_pin", before.and_then(|b| b.confirmer_pin.clone()), &after.confirmer_pin);
        diff
    }
}

/// Each of `ids`' revalidation record for the cycle ending on their current revalidation date. One
/// query; a record for an earlier cycle is not read.
fn revalidations_of(conn: &mut DbConnection, ids: &[StaffId]) -> QueryResult<HashMap<StaffId, RevalidationRecord>> {
    let rows: Vec<(StaffId, RevalidationRecord)> = nmc_revalidations::table
        .inner_join(staff::table)
        .filter(nmc_revalidations::staff_id.eq_any(ids))
        .filter(staff::revalidation_due.eq(nmc_revalidations::cycle_end.nullable()))
        .select((nmc_revalidations::staff_id, RevalidationRecord::as_select()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// [`revalidations_of`] for everyone of many providers. One query.
fn revalidations_of_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
) -> QueryResult<HashMap<StaffId, RevalidationRecord>> {
    let rows: Vec<(StaffId, RevalidationRecord)> = nmc_revalidations::table
        .inner_join(staff::table)
        .filter(staff::provider_id.eq_any(providers))
        .filter(staff::revalidation_due.eq(nmc_revalidations::cycle_end.nullable()))
        .select((nmc_revalidations::staff_id, RevalidationRecord::as_select()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Records (or changes) a nurse's revalidation record for the cycle ending on their revalidation
/// date, with its history row. Someone not the provider's is NotFound; someone not on the NMC
/// register, or with no revalidation date, cannot have one (Conflict). Dates must fall in the cycle.
pub fn save_revalidation(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    staff_id: StaffId,
    new: &NewRevalidation,
) -> Result<(), StoreError> {
    db::write_transaction(conn, |conn| {
        let Some(person) = staff_member(conn, provider_id, staff_id)? else { return Err(StoreError::NotFound) };
        let regulations = regulations(conn)?;
        let rule = match regulations.get(person.regulator) {
            Some(regulation) if person.regulator == Regulator::Nmc => &regulation.rule,
            _ => return Err(StoreError::Conflict("Only a nurse on the NMC register revalidates with the NMC".into())),
        };
        let Some((start, end)) = rules::revalidation_cycle(&person_facts(&person, &regulations, None), rule) else {
            return Err(StoreError::Conflict("Record the revalidation date before the revalidation record".into()));
        };
        let mut errors = FieldErrors::default();
        let outside = format!(
            "The date must fall in the current cycle, {} to {}",
            start.format("%-d %b %Y"),
            end.format("%-d %b %Y")
        );
        for (field, day) in [
            ("discussion_on", new.discussion.as_ref().map(|d| d.on)),
            ("confirmed_on", new.confirmation.as_ref().map(|c| c.on)),
        ] {
            if day.is_some_and(|d| d < start || d > end) {
                errors.add(field, outside.clone());
            }
        }
        errors.into_result()?;
        let record = RevalidationRecord::from_new(end, new);
        let current: Option<(i32, RevalidationRecord)> = nmc_revalidations::table
            .filter(nmc_revalidations::staff_id.eq(staff_id))
            .filter(nmc_revalidations::cycle_end.eq(end))
            .select((nmc_revalidations::id, RevalidationRecord::as_select()))
            .first(conn)
            .optional()?;
        let now = Utc::now().naive_utc();
        let values = (
            nmc_revalidations::practice_hours.eq(record.practice_hours),
            nmc_revalidations::feedback_pieces.eq(record.feedback_pieces),
            nmc_revalidations::discussion_on.eq(record.discussion_on),
            nmc_revalidations::discussion_with.eq(&record.discussion_with),
            nmc_revalidations::discussion_with_pin.eq(&record.discussion_with_pin),
            nmc_revalidations::confirmed_on.eq(record.confirmed_on),
            nmc_revalidations::confirmer.eq(&record.confirmer),
            nmc_revalidations::confirmer_role.eq(record.confirmer_role),
            nmc_revalidations::confirmer_pin.eq(&record.confirmer_pin),
            nmc_revalidations::updated_at.eq(now),
            nmc_revalidations::updated_by.eq(by),
        );
        match current {
            Some((id, before)) => {
                let diff = RevalidationRecord::diff(Some(&before), &record);
                if diff.is_empty() {
                    return Ok(());
                }
                diesel::update(nmc_revalidations::table.find(id)).set(values).execute(conn)?;
                record_action(conn, by, Some(provider_id.0), "nmc_revalidation", id, "update", diff)?;
            }
            None => {
                diesel::insert_into(nmc_revalidations::table)
                    .values((nmc_revalidations::staff_id.eq(staff_id), nmc_revalidations::cycle_end.eq(end), values))
                    .execute(conn)?;
                let id = db::last_insert_id(conn)?;
                let mut created = RevalidationRecord::diff(None, &record);
                created.field("staff_id", None::<StaffId>, staff_id);
                record_action(conn, by, Some(provider_id.0), "nmc_revalidation", id, "create", created)?;
            }
        }
        Ok(())
    })
}

/// A nurse's revalidation record for the cycle ending on their current revalidation date.
pub fn current_revalidation(conn: &mut DbConnection, staff_id: StaffId) -> QueryResult<Option<RevalidationRecord>> {
    Ok(revalidations_of(conn, &[staff_id])?.remove(&staff_id))
}
/// The columns the people table sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeopleSort {
    /// Surname, titles left out (`staff.sort_name`).
    Name,
    /// The discipline's name as people read it.
    Discipline,
    /// The registration's renewal date.
    Registration,
    Revalidation,
    /// How many issues need attention: judged in Rust ([`rules::judge`]), so the caller hands in
    /// each person's count and SQL orders by it.
    Attention,
}

/// Which of the people in post the table lists.
#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    /// Found in the name, staff number or registration number, in any case.
    pub search: String,
    pub tier: Option<Tier>,
    pub discipline: Option<Discipline>,
    /// Only these people: the ones with an issue, judged in Rust.
    pub only: Option<Vec<StaffId>>,
    /// Each person's number of issues, for [`PeopleSort::Attention`]; anyone missing counts 0.
    pub issue_counts: HashMap<StaffId, usize>,
}

/// An order computed outside SQL, as SQL: `CASE WHEN <first group> THEN 1 WHEN … ELSE 0 END`.
fn rank_by<C>(
    groups: impl IntoIterator<Item = (i32, C)>,
) -> Box<dyn BoxableExpression<staff::table, db::MultiBackend, SqlType = diesel::sql_types::Integer>>
where
    C: BoxableExpression<staff::table, db::MultiBackend, SqlType = diesel::sql_types::Bool>
        + diesel::expression::ValidGrouping<(), IsAggregate = diesel::expression::is_aggregate::No>
        + 'static,
{
    use diesel::dsl::case_when;
    let mut rank: Box<dyn BoxableExpression<staff::table, db::MultiBackend, SqlType = diesel::sql_types::Integer>> =
        Box::new(0.into_sql::<diesel::sql_types::Integer>());
    for (n, condition) in groups {
        rank = Box::new(case_when(condition, n.into_sql::<diesel::sql_types::Integer>()).otherwise(rank));
    }
    rank
}

/// One page of the people in post on `as_of`, filtered, sorted (the staff id last, so every
/// person is on exactly one page) and paged in SQL. Two queries: the count and the page.
#[allow(clippy::too_many_arguments)]
pub fn people_page(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    as_of: NaiveDate,
    filter: &PeopleFilter,
    sort: PeopleSort,
    dir: db::Direction,
    page: i64,
) -> QueryResult<db::Page<StaffRecord>> {
    use crate::db::page::{contains_pattern, lower, lower_nullable};
    let query = || {
        let mut query = staff::table
            .filter(staff::provider_id.eq(provider_id))
            .filter(staff::start_date.is_null().or(staff::start_date.le(as_of)))
            .filter(staff::leaving_date.is_null().or(staff::leaving_date.ge(as_of)))
            .into_boxed();
        if !filter.search.is_empty() {
            let pattern = contains_pattern(&filter.search);
            query = query.filter(
                lower(staff::full_name)
                    .like(lower(pattern.clone()))
                    .escape('\\')
                    .or(lower(staff::staff_number).like(lower(pattern.clone())).escape('\\'))
                    .or(lower_nullable(staff::registration_number).like(lower(pattern).nullable()).escape('\\')),
            );
        }
        if let Some(tier) = filter.tier {
            query = query.filter(staff::tier.eq(tier));
        }
        if let Some(discipline) = filter.discipline {
            query = query.filter(staff::discipline.eq(discipline));
        }
        if let Some(only) = &filter.only {
            query = query.filter(staff::id.eq_any(only.clone()));
        }
        query
    };
    let total: i64 = query().count().get_result(conn)?;
    db::Page::fetch(page, total, |offset, limit| {
        let desc = dir == db::Direction::Descending;
        let ordered = query().select(StaffRecord::as_select());
        // Blanks last whichever way, on both backends (SQLite puts NULL first, PostgreSQL last).
        let ordered = match (sort, desc) {
            (PeopleSort::Name, false) => ordered.order(staff::sort_name.asc()),
            (PeopleSort::Name, true) => ordered.order(staff::sort_name.desc()),
            (PeopleSort::Registration, false) => {
                ordered.order(staff::registration_renewal.is_null()).then_order_by(staff::registration_renewal.asc())
            }
            (PeopleSort::Registration, true) => {
                ordered.order(staff::registration_renewal.is_null()).then_order_by(staff::registration_renewal.desc())
            }
            (PeopleSort::Revalidation, false) => {
                ordered.order(staff::revalidation_due.is_null()).then_order_by(staff::revalidation_due.asc())
            }
            (PeopleSort::Revalidation, true) => {
                ordered.order(staff::revalidation_due.is_null()).then_order_by(staff::revalidation_due.desc())
            }
            (PeopleSort::Discipline, _) => {
                // Codes sort otherwise than the names people read: rank the names here.
                let mut by_label: Vec<Discipline> = Discipline::ALL.to_vec();
                by_label.sort_by_key(|d| d.label().to_lowercase());
                let sign = if desc { -1 } else { 1 };
                ordered.order(rank_by(by_label.into_iter().zip(1..).map(|(d, n)| (sign * n, staff::discipline.eq(d)))))
            }
            (PeopleSort::Attention, _) => {
                let mut groups: HashMap<usize, Vec<StaffId>> = HashMap::new();
                for (id, n) in &filter.issue_counts {
                    groups.entry(*n).or_default().push(*id);
                }
                let sign = if desc { -1 } else { 1 };
                ordered.order(rank_by(
                    groups
                        .into_iter()
                        .map(|(n, ids)| (sign * i32::try_from(n).unwrap_or(i32::MAX), staff::id.eq_any(ids))),
                ))
            }
        };
        // Then by name, and the id last: a stable order, so paging neither repeats nor skips.
        ordered
            .then_order_by(staff::sort_name.asc())
            .then_order_by(staff::id.asc())
            .offset(offset)
            .limit(limit)
            .load(conn)
    })
}
