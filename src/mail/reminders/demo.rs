//! The reminders' part of the demo: a deputy manager who takes the weekly digest, the clinician
//! who turned one kind of reminder off, and an audit action falling due this week, so that
//! `ohgov remind --dry-run` on the demo lists most kinds. Fictional people on a demo database.

use chrono::NaiveDate;

use crate::accounts::demo::{demo_provider, DemoLogin};
use crate::accounts::model::{Grant, UserInput};
use crate::accounts::reminders::{self, ChoicesInput};
use crate::accounts::Role;
use crate::audits::model::NewAction;
use crate::clock::FinancialYear;
use crate::db::{DbConnection, StoreError};
use crate::outbox::ReminderKind;

/// The deputy manager, who takes the weekly digest.
pub const DEPUTY: DemoLogin =
    DemoLogin { role: "manager (weekly digest)", email: "deputy@northshire-oh.example", password: "demo-deputy-2026" };
/// The demo clinician, who turned CPD reminders off.
const CLINICIAN: &str = "clinician@northshire-oh.example";
const MANAGER: &str = "manager@northshire-oh.example";

/// Adds the reminders' part unless it is there already (the deputy's account says so).
pub fn seed(conn: &mut DbConnection, today: NaiveDate) -> Result<(), StoreError> {
    let Some(provider) = demo_provider(conn)? else { return Ok(()) };
    let known = reminders::accounts_by_email(conn, &[DEPUTY.email.to_string(), CLINICIAN.into(), MANAGER.into()])?;
    if known.contains_key(DEPUTY.email) {
        return Ok(());
    }
    let now = chrono::Utc::now().naive_utc();
    let input = UserInput {
        email: DEPUTY.email.into(),
        name: "Owen Price".into(),
        password: DEPUTY.password.into(),
        is_admin: false,
    };
    let deputy = crate::accounts::store::create_user(
        conn,
        None,
        &input.parse()?,
        Some(Grant { organisation_id: provider.0, role: Role::Manager, expires_on: None }),
    )?;
    let every = |but: Option<ReminderKind>| -> Vec<String> {
        ReminderKind::ALL.iter().filter(|k| Some(**k) != but).map(|k| k.as_str().to_string()).collect()
    };
    reminders::save(conn, deputy, &ChoicesInput { reminders: every(None), digest: "yes".into() }, today, now)?;
    if let Some(clinician) = known.get(CLINICIAN) {
        let input = ChoicesInput { reminders: every(Some(ReminderKind::CpdShort)), digest: String::new() };
        reminders::save(conn, clinician.id, &input, today, now)?;
    }
    // An action of this year's plan falling due in five days (the audits' demo has them overdue).
    let plan = crate::audits::store::plans::plan(conn, provider, FinancialYear::containing(today))?;
    let audit = match plan {
        Some(plan) => crate::audits::store::audits::plan_audits(conn, plan.id)?.first().map(|a| a.id),
        None => None,
    };
    if let (Some(audit), Some(manager)) = (audit, known.get(MANAGER)) {
        let action = NewAction {
            description: "Send the audit's findings to the clinical governance committee".into(),
            owner_id: manager.id.0,
            due_on: today + chrono::Days::new(5),
        };
        crate::audits::store::actions::add_action(conn, Some(manager.id), provider, audit, &action)?;
    }
    Ok(())
}
