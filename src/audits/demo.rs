//! The audit programme's part of the fictional demo service: last year's plan with its completed
//! audits and results (two local clinical audits, a MoHaWK benchmarking round, a record-keeping
//! audit and a handrail audit) and one deferred; this year's plan copied from it (re-audits
//! proposed, the deferred audit carried over), some in progress; actions, some done, some dropped,
//! some overdue; and two progress reports on this year's plan. All relative to `today`.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;

use super::model::{ActionChange, AuditPlan, AuditStatus, AuditType, Criterion, NewAction, Progress};
use super::store::{actions, audits, plans, reports, sign_off};
use crate::clock::FinancialYear;
use crate::db::schema::{audit_actions, audit_plans, users};
use crate::db::{DbConnection, ProviderId, StoreError, UserId};

/// A demo audit: title, type, quarter, method, lead's name, and criteria as (description, target,
/// cases met, cases checked).
type DemoAudit = (&'static str, AuditType, i32, &'static str, &'static str, &'static [(&'static str, f64, i32, i32)]);

/// Last year's completed audits, with their results.
const COMPLETED: [DemoAudit; 5] = [
    (
        "Consent in management referral reports",
        AuditType::LocalClinical,
        1,
        "Retrospective review of 40 management referral reports chosen at random from April and May",
        "Dr Kwame Asante",
        &[
            ("Consent to the report recorded", 95.0, 38, 40),
            ("Employee offered sight of the report before release", 90.0, 33, 40),
            ("Report answers the manager's questions", 90.0, 37, 40),
        ],
    ),
    (
        "Skin health surveillance for wet-work staff",
        AuditType::LocalClinical,
        2,
        "Review of the surveillance records of every wet-work employee in theatres, sterile services and catering",
        "Carys Morgan RN",
        &[("Annual skin check recorded", 90.0, 172, 190), ("Referral made for every positive finding", 100.0, 12, 12)],
    ),
    (
        "MoHaWK benchmarking round",
        AuditType::NationalBenchmarking,
        3,
        "National benchmarking submission of the autumn quarter's referral data",
        "Dr Helen Brodie",
        &[
            ("Referral to first appointment within 10 working days", 80.0, 41, 50),
            ("Report sent within 2 working days of the appointment", 90.0, 46, 50),
        ],
    ),
    (
        "Clinical record-keeping",
        AuditType::RecordKeeping,
        3,
        "Review of 60 clinical records against the service's record-keeping standard",
        "Eleanor Price RN",
        &[("Entries dated, timed and signed", 100.0, 58, 60), ("Allergies recorded", 95.0, 60, 60)],
    ),
    (
        "Report quality (handrail) audit",
        AuditType::ReportQuality,
        4,
        "Peer review of 30 reports against the Faculty of Occupational Medicine's report-writing handrail",
        "Dr Priya Nair",
        &[("Written in plain English", 90.0, 27, 30), ("Advice on adjustments specific and practical", 85.0, 24, 30)],
    ),
];

/// The standards each of [`COMPLETED`] addresses, in the SEQOHS 2023 framework the demo assesses
/// against: each a clinical audit (QI1), the MoHaWK round national benchmarking (QI2), and the NHS
/// sector standard's two local audits and national audit (SS6).
const COMPLETED_STANDARDS: [&[&str]; 5] =
    [&["IC2", "OO2", "QI1", "SS6"], &["OO6", "QI1", "SS6"], &["OO1", "QI2", "SS6"], &["IC3", "QI1"], &["OO2", "QI1"]];

/// A demo action: which of last year's audits, what, whose, due how many days from today, and
/// what became of it.
type DemoAction = (usize, &'static str, Option<UserId>, i64, Option<ActionChange>);

/// The demo user with this email.
fn user(conn: &mut DbConnection, email: &str) -> QueryResult<Option<UserId>> {
    users::table.filter(users::email.eq(email)).select(users::id).first::<i32>(conn).optional().map(|u| u.map(UserId))
}

/// A day of `year`, `days` after its 1 April, but never after `today`.
fn day_of(year: FinancialYear, days: i64, today: NaiveDate) -> NaiveDate {
    (year.starts_on() + Duration::days(days)).min(today)
}

/// Adds the audit programme to the demo provider unless it has one already.
pub fn seed(conn: &mut DbConnection, today: NaiveDate) -> Result<(), StoreError> {
    let Some(provider) = crate::accounts::demo::demo_provider(conn)? else { return Ok(()) };
    load(conn, provider, today)
}

/// The audit programme of `provider`, built through the store as the pages would.
pub fn load(conn: &mut DbConnection, provider: ProviderId, today: NaiveDate) -> Result<(), StoreError> {
    let present: i64 = audit_plans::table.filter(audit_plans::provider_id.eq(provider)).count().get_result(conn)?;
    if present > 0 {
        return Ok(());
    }
    let this_year = FinancialYear::containing(today);
    let Some(last_year) = FinancialYear::starting_in(this_year.start_year() - 1) else { return Ok(()) };
    let manager = user(conn, "manager@northshire-oh.example")?;
    let director = user(conn, "director@northshire-oh.example")?;
    let clinician = user(conn, "clinician@northshire-oh.example")?;
    let staff = crate::workforce::store::clinical_staff(conn, provider, today)?;
    let lead = |name: &str| staff.iter().find(|(_, n)| n == name).map(|(id, _)| id.0);
    let framework = crate::assessment::store::framework_id(conn, provider)?;

    plans::create_plan(conn, manager, provider, last_year)?;
    let mut ids = Vec::new();
    for (i, (title, audit_type, quarter, method, lead_name, criteria)) in COMPLETED.iter().enumerate() {
        let plan = AuditPlan {
            title: title.to_string(),
            audit_type: *audit_type,
            standards: COMPLETED_STANDARDS[i].iter().map(|s| s.to_string()).collect(),
            service: None,
            lead_staff_id: lead(lead_name),
            planned_quarter: *quarter,
            method: method.to_string(),
            sample_size: criteria.iter().map(|c| c.3).max(),
            criteria: criteria
                .iter()
                .map(|(description, target, _, _)| Criterion {
                    description: description.to_string(),
                    target_percent: *target,
                })
                .collect(),
        };
        let planned = Progress {
            status: AuditStatus::Planned,
            status_reason: None,
            started_on: None,
            completed_on: None,
            findings: None,
        };
        let id = audits::create_audit(conn, manager, provider, last_year, &plan, &planned, framework, today)?;
        let record = audits::audit(conn, provider, id)?.ok_or(StoreError::NotFound)?;
        let results: Vec<_> = record
            .criteria
            .iter()
            .zip(criteria.iter())
            .map(|(c, (_, _, met, checked))| (c.id, Some((*met, *checked))))
            .collect();
        let start = (quarter - 1) as i64 * 91 + 14;
        let done = Progress {
            status: AuditStatus::Completed,
            status_reason: None,
            started_on: Some(day_of(last_year, start, today)),
            completed_on: Some(day_of(last_year, start + 42 + i as i64, today)),
            findings: Some(
                "Results presented at the clinical governance meeting; the criteria below target have actions.".into(),
            ),
        };
        audits::record_results(conn, manager, provider, id, &results, &done)?;
        ids.push(id);
    }
    let deferred = AuditPlan {
        title: "Needlestick injury follow-up".into(),
        audit_type: AuditType::LocalClinical,
        standards: vec!["RP7".into(), "QI1".into()],
        service: None,
        lead_staff_id: lead("Bernadette Walsh RN"),
        planned_quarter: 4,
        method: "Review of every needlestick injury reported in the year and its follow-up bloods".into(),
        sample_size: None,
        criteria: vec![
            Criterion { description: "Seen within one working day".into(), target_percent: 95.0 },
            Criterion { description: "Follow-up bloods at 6, 12 and 24 weeks".into(), target_percent: 90.0 },
        ],
    };
    let why = Progress {
        status: AuditStatus::Deferred,
        status_reason: Some("Nurse lead on long-term leave; moved to next year's plan".into()),
        started_on: None,
        completed_on: None,
        findings: None,
    };
    audits::create_audit(conn, manager, provider, last_year, &deferred, &why, framework, today)?;

    // Actions: (audit, description, owner, due in days from today, what became of it).
    let owner_or = |u: Option<UserId>| u.or(manager).map(|u| u.0);
    let planned_actions: [DemoAction; 6] = [
        (
            0,
            "Add a consent prompt to the management referral report template",
            manager,
            -200,
            Some(ActionChange::Done { note: Some("Template changed and issued to every clinician".into()) }),
        ),
        (
            0,
            "Remind clinicians to offer the employee sight of the report at the end of each consultation",
            clinician,
            -20,
            None,
        ),
        (1, "Book catch-up skin checks for the staff missed this year", clinician, 30, None),
        (2, "Review the triage of referrals to shorten the wait for a first appointment", director, -45, None),
        (
            3,
            "Retrain two clinicians on dating, timing and signing entries",
            manager,
            -120,
            Some(ActionChange::Dropped { reason: "Both clinicians have since left the service".into() }),
        ),
        (
            4,
            "Share anonymised examples of good reports at the clinical meeting",
            director,
            -90,
            Some(ActionChange::Done { note: Some("Shared at the meeting; examples kept on the shared drive".into()) }),
        ),
    ];
    for (audit, description, owner, due, outcome) in planned_actions {
        let Some(owner_id) = owner_or(owner) else { continue };
        let action = NewAction { description: description.into(), owner_id, due_on: today + Duration::days(due) };
        let id = actions::add_action(conn, manager, provider, ids[audit], &action)?;
        if let Some(change) = outcome {
            actions::update_action(conn, owner.or(manager), provider, id, &change, today)?;
            // Closed a while ago, as the demo's story has it.
            let closed = (today + Duration::days(due + 10)).min(today);
            diesel::update(audit_actions::table.find(id))
                .set(audit_actions::closed_on.eq(Some(closed)))
                .execute(conn)?;
        }
    }

    // This year: copied from last year, then under way.
    plans::copy_plan(conn, manager, provider, last_year)?;
    let this_plan = plans::plan(conn, provider, this_year)?.ok_or(StoreError::NotFound)?;
    let lines = audits::plan_audits(conn, this_plan.id)?;
    let find = |title: &str| lines.iter().find(|l| l.title == title).map(|l| l.id);
    if let Some(id) = find("Re-audit: Consent in management referral reports") {
        let record = audits::audit(conn, provider, id)?.ok_or(StoreError::NotFound)?;
        let mut plan = plan_of(&record);
        // The clinician signed in to the demo leads the re-audit, so can record its results.
        plan.lead_staff_id = lead("Grace Okafor RN").or(plan.lead_staff_id);
        let started = Progress {
            status: AuditStatus::InProgress,
            status_reason: None,
            started_on: Some(day_of(this_year, 40, today)),
            completed_on: None,
            findings: None,
        };
        audits::update_audit(conn, manager, provider, id, &plan, &started, framework, today)?;
        let record = audits::audit(conn, provider, id)?.ok_or(StoreError::NotFound)?;
        let results: Vec<_> =
            record.criteria.iter().zip([Some((39, 40)), Some((37, 40)), None]).map(|(c, r)| (c.id, r)).collect();
        audits::record_results(conn, manager, provider, id, &results, &started)?;
    }
    if let Some(id) = find("Needlestick injury follow-up") {
        let record = audits::audit(conn, provider, id)?.ok_or(StoreError::NotFound)?;
        let started = Progress {
            status: AuditStatus::InProgress,
            status_reason: None,
            started_on: Some(day_of(this_year, 100, today)),
            completed_on: None,
            findings: None,
        };
        audits::update_audit(conn, manager, provider, id, &plan_of(&record), &started, framework, today)?;
    }
    let new_audit = AuditPlan {
        title: "Fitness-for-work outcomes in pre-placement assessments".into(),
        audit_type: AuditType::LocalClinical,
        standards: vec!["OO3".into(), "QI1".into()],
        service: None,
        lead_staff_id: lead("Dr Tom Ellery"),
        planned_quarter: 4,
        method: "Review of 50 pre-placement assessments".into(),
        sample_size: Some(50),
        criteria: vec![
            Criterion { description: "Outcome stated in the approved wording".into(), target_percent: 95.0 },
            Criterion { description: "Adjustments named where fit with adjustments".into(), target_percent: 90.0 },
        ],
    };
    let planned = Progress {
        status: AuditStatus::Planned,
        status_reason: None,
        started_on: None,
        completed_on: None,
        findings: None,
    };
    audits::create_audit(conn, manager, provider, this_year, &new_audit, &planned, framework, today)?;

    // Two progress reports, a third and two thirds of the way from 1 April to today.
    let elapsed = (today - this_year.starts_on()).num_days().max(0);
    let mut written = None;
    for (share, summary) in [
        (1, "The consent re-audit has started; the catch-up skin checks are booked."),
        (2, "The needlestick audit carried over from last year is under way; one action is overdue and is with the clinical director."),
    ] {
        let date = this_year.starts_on() + Duration::days(elapsed * share / 3);
        if written != Some(date) {
            reports::add_report(conn, manager, provider, this_year, date, summary)?;
            written = Some(date);
        }
    }
    // Last year's plan was submitted and signed off early in its year; this year's is submitted
    // and awaits the clinical director.
    if let (Some(manager), Some(director)) = (manager, director) {
        let at = |day: NaiveDate, hour: u32| day.and_hms_opt(hour, 0, 0).unwrap_or_default();
        if let Some(last_plan) = plans::plan(conn, provider, last_year)? {
            sign_off::submit(conn, last_plan.id, manager, at(day_of(last_year, 7, today), 9))?;
            sign_off::sign(conn, last_plan.id, director, at(day_of(last_year, 14, today), 14))?;
        }
        sign_off::submit(conn, this_plan.id, manager, at(day_of(this_year, 20, today), 10))?;
    }
    Ok(())
}

/// An audit's plan fields as saved, to change only where it stands.
fn plan_of(record: &audits::AuditRecord) -> AuditPlan {
    AuditPlan {
        title: record.title.clone(),
        audit_type: record.audit_type,
        standards: record.standards.iter().map(|s| s.0.clone()).collect(),
        service: record.service.as_ref().map(|s| s.0.clone()),
        lead_staff_id: record.lead_staff_id.map(|s| s.0),
        planned_quarter: record.planned_quarter,
        method: record.method.clone(),
        sample_size: record.sample_size,
        criteria: record
            .criteria
            .iter()
            .map(|c| Criterion { description: c.description.clone(), target_percent: c.target_percent })
            .collect(),
    }
}

/// The audits each generated plan holds: (title, type, quarter, method).
const GENERATED_AUDITS: [(&str, AuditType, i32, &str); 5] = [
    ("MoHaWK national benchmarking return", AuditType::NationalBenchmarking, 1, "National benchmarking tool"),
    (
        "Record-keeping audit",
        AuditType::RecordKeeping,
        2,
        "Review of 30 case records against the record-keeping standard",
    ),
    (
        "Management referral report quality",
        AuditType::ReportQuality,
        2,
        "Review of 40 reports against the handrail criteria",
    ),
    ("SEQOHS internal audit: informed consent", AuditType::SeqohsInternal, 3, "Review of 25 consent records"),
    ("Immunisation records for new starters", AuditType::Other, 4, "Review of 50 new starters' records"),
];

/// Writes this year's audit plan of each generated provider (signed off at about half, submitted,
/// returned or still draft at the rest, none at a few), its five audits (the early ones done), and
/// actions from the completed ones, some open past their due date. A signed-off plan's sign-off
/// holds its real snapshot, so it reads as signed and unchanged. Multi-row inserts, and one
/// history row per provider saying what was made. Call inside a transaction.
pub fn generate(
    conn: &mut DbConnection,
    providers: &[crate::accounts::demo::GeneratedProvider],
    today: NaiveDate,
) -> Result<(), StoreError> {
    use super::model::{ActionStatus, PlanState};
    use crate::accounts::demo::vary;
    use crate::db::schema::{audit_plan_sign_offs, audits as audit_rows};
    use crate::history::store::json;
    let now = chrono::Utc::now().naive_utc();
    let year = FinancialYear::containing(today);
    let quarter_now = ((today - year.starts_on()).num_days() / 91 + 1) as i32;
    let states: Vec<(&crate::accounts::demo::GeneratedProvider, PlanState)> = providers
        .iter()
        .filter_map(|p| {
            let state = match vary(p.index, 1100) {
                0..=49 => PlanState::SignedOff,
                50..=69 => PlanState::Submitted,
                70..=74 => PlanState::Returned,
                75..=94 => PlanState::Draft,
                _ => return None,
            };
            Some((p, state))
        })
        .collect();
    let plan_rows: Vec<_> = states
        .iter()
        .map(|(p, state)| {
            let submitted = (*state != PlanState::Draft).then_some(now);
            (
                audit_plans::provider_id.eq(p.id),
                audit_plans::year_start.eq(year.start_year()),
                // Written as submitted; the signed ones are marked signed once their sign-off is in.
                audit_plans::state.eq(if *state == PlanState::SignedOff { PlanState::Submitted } else { *state }),
                audit_plans::submitted_at.eq(submitted),
                audit_plans::submitted_by.eq(submitted.map(|_| p.manager)),
                audit_plans::returned_at.eq((*state == PlanState::Returned).then_some(now)),
                audit_plans::returned_by.eq((*state == PlanState::Returned).then_some(p.clinical_director)),
                audit_plans::return_comment.eq((*state == PlanState::Returned)
                    .then_some("Please add a re-audit of report quality after the October changes.")),
                audit_plans::created_at.eq(now),
                audit_plans::created_by.eq(Some(p.manager)),
            )
        })
        .collect();
    crate::db::insert_batch(conn, audit_plans::table, &plan_rows)?;
    let ids: Vec<ProviderId> = states.iter().map(|(p, _)| p.id).collect();
    let plan_ids: std::collections::HashMap<ProviderId, i32> = audit_plans::table
        .filter(audit_plans::provider_id.eq_any(&ids))
        .filter(audit_plans::year_start.eq(year.start_year()))
        .select((audit_plans::provider_id, audit_plans::id))
        .load(conn)?
        .into_iter()
        .collect();

    let mut rows = Vec::new();
    for (p, _) in &states {
        let Some(plan) = plan_ids.get(&p.id) else { continue };
        for (title, audit_type, quarter, method) in GENERATED_AUDITS {
            let (status, started, completed) = if quarter < quarter_now {
                (AuditStatus::Completed, Some(today - Duration::days(120)), Some(today - Duration::days(60)))
            } else if quarter == quarter_now {
                (AuditStatus::InProgress, Some(today - Duration::days(20)), None)
            } else if vary(p.index, 1200 + quarter as usize) < 8 {
                (AuditStatus::Deferred, None, None)
            } else {
                (AuditStatus::Planned, None, None)
            };
            rows.push((
                audit_rows::plan_id.eq(*plan),
                audit_rows::title.eq(title),
                audit_rows::audit_type.eq(audit_type),
                audit_rows::planned_quarter.eq(quarter),
                audit_rows::method.eq(method),
                audit_rows::sample_size.eq(Some(30)),
                audit_rows::status.eq(status),
                audit_rows::status_reason
                    .eq((status == AuditStatus::Deferred).then_some("The audit lead is on leave.")),
                audit_rows::started_on.eq(started),
                audit_rows::completed_on.eq(completed),
                audit_rows::findings.eq(completed.map(|_| "Most records met the standard; gaps in recorded consent.")),
                audit_rows::created_at.eq(now),
                audit_rows::created_by.eq(Some(p.manager)),
                audit_rows::updated_at.eq(now),
                audit_rows::updated_by.eq(Some(p.manager)),
            ));
        }
    }
    crate::db::insert_batch(conn, audit_rows::table, &rows)?;
    let plans: Vec<i32> = plan_ids.values().copied().collect();
    let completed: Vec<(i32, i32)> = audit_rows::table
        .filter(audit_rows::plan_id.eq_any(&plans))
        .filter(audit_rows::status.eq(AuditStatus::Completed))
        .select((audit_rows::id, audit_rows::plan_id))
        .load(conn)?;
    let owner_of: std::collections::HashMap<i32, (usize, crate::db::UserId)> =
        states.iter().filter_map(|(p, _)| plan_ids.get(&p.id).map(|plan| (*plan, (p.index, p.manager)))).collect();
    let mut action_rows = Vec::new();
    for (audit, plan) in &completed {
        let Some((index, owner)) = owner_of.get(plan) else { continue };
        for a in 0..2usize {
            let roll = vary(*index, 1300 + (*audit as usize % 7) * 2 + a);
            // Open past its due date at about a quarter; done or still in time at the rest.
            let (status, due) = match roll {
                0..=24 => (ActionStatus::Open, today - Duration::days(10 + roll as i64)),
                25..=59 => (ActionStatus::Done, today - Duration::days(30)),
                _ => (ActionStatus::Open, today + Duration::days(roll as i64)),
            };
            action_rows.push((
                audit_actions::audit_id.eq(*audit),
                audit_actions::description.eq(if a == 0 {
                    "Add a consent prompt to the report template"
                } else {
                    "Re-audit a sample of 20 records"
                }),
                audit_actions::owner_id.eq(*owner),
                audit_actions::due_on.eq(due),
                audit_actions::status.eq(status),
                audit_actions::closed_on.eq((status == ActionStatus::Done).then_some(today - Duration::days(35))),
                audit_actions::completion_note.eq((status == ActionStatus::Done).then_some("Done and checked.")),
                audit_actions::created_at.eq(now),
                audit_actions::created_by.eq(Some(*owner)),
                audit_actions::updated_at.eq(now),
                audit_actions::updated_by.eq(Some(*owner)),
            ));
        }
    }
    crate::db::insert_batch(conn, audit_actions::table, &action_rows)?;

    // The signed plans: their sign-off holds the snapshot of the plan as written above.
    let signed: Vec<(i32, crate::db::UserId, crate::db::UserId)> = states
        .iter()
        .filter(|(_, state)| *state == PlanState::SignedOff)
        .filter_map(|(p, _)| plan_ids.get(&p.id).map(|plan| (*plan, p.clinical_director, p.manager)))
        .collect();
    let signed_ids: Vec<i32> = signed.iter().map(|(plan, ..)| *plan).collect();
    let snapshots = sign_off::snapshots_of(conn, &signed_ids)?;
    let sign_off_rows: Vec<_> = signed
        .iter()
        .filter_map(|(plan, director, manager)| {
            snapshots.get(plan).map(|snapshot| {
                (
                    audit_plan_sign_offs::plan_id.eq(*plan),
                    audit_plan_sign_offs::version.eq(1),
                    audit_plan_sign_offs::signed_at.eq(crate::history::rules::to_stored_precision(now)),
                    audit_plan_sign_offs::signed_by.eq(*director),
                    audit_plan_sign_offs::submitted_by.eq(Some(*manager)),
                    audit_plan_sign_offs::snapshot.eq(snapshot.canonical()),
                    audit_plan_sign_offs::snapshot_sha256.eq(snapshot.hash()),
                )
            })
        })
        .collect();
    crate::db::insert_batch(conn, audit_plan_sign_offs::table, &sign_off_rows)?;
    diesel::update(audit_plans::table.filter(audit_plans::id.eq_any(&signed_ids)))
        .set(audit_plans::state.eq(PlanState::SignedOff))
        .execute(conn)?;
    for p in providers {
        // A provider without this year's plan gets its row too, saying so.
        let state = states.iter().find(|(q, _)| q.id == p.id).map(|(_, state)| state.label());
        crate::accounts::demo::record_generated(
            conn,
            p,
            "audits",
            vec![
                ("audit_plan", json(year.to_string())),
                ("plan_state", json(state)),
                ("audits", json(if state.is_some() { GENERATED_AUDITS.len() } else { 0 })),
            ],
        )?;
    }
    Ok(())
}
