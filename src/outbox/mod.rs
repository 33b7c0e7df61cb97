//! The outbox: every email ohgov sends is first a row here, written in the transaction of the
//! change that caused it (an invitation with its account, a notice with the new password, a
//! reminder with the day's run), so a message is never lost to a crash after the change, nor sent
//! for a change that was rolled back. Each row carries a key that names what it is about
//! (`registration_due:staff-17:60:2027-01-30:user-5`), and the key is unique, so the same message
//! can never be queued twice. `mail::sender` drains the table.
//!
//! The bodies are rendered here, when queued, from `templates/mail/`, so the row holds exactly
//! what will be sent and the outbox page can show it.

pub mod letters;
pub mod store;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::outbox_messages;
use crate::db::{DbConnection, ProviderId, StoreError, StoreResult, UserId};

crate::vocabulary! {
    /// What a message is. Account messages and sign-off requests always go; every reminder kind
    /// (see [`ReminderKind`]) can be turned off by the person it goes to.
    pub enum MessageKind {
        Invitation => ("invitation", "Invitation"),
        PasswordReset => ("password_reset", "Password reset"),
        PasswordChanged => ("password_changed", "Password changed"),
        ApiTokenCreated => ("api_token_created", "New API token"),
        RegistrationDue => ("registration_due", "Registration due"),
        RevalidationDue => ("revalidation_due", "Revalidation due"),
        AppraisalOverdue => ("appraisal_overdue", "Appraisal overdue"),
        CpdShort => ("cpd_short", "CPD short"),
        SupervisionOverdue => ("supervision_overdue", "Supervision overdue"),
        EvidenceReviewDue => ("evidence_review_due", "Evidence review due"),
        EvidenceReviewOverdue => ("evidence_review_overdue", "Evidence review overdue"),
        ArrangementEnding => ("arrangement_ending", "Arrangement ending"),
        ActionDue => ("action_due", "Audit action due"),
        ActionOverdue => ("action_overdue", "Audit action overdue"),
        StandardContradicted => ("standard_contradicted", "Standard contradicted by the records"),
        CustomerReviewDue => ("customer_review_due", "Customer review due"),
        SignOffRequested => ("sign_off_requested", "Awaiting your sign-off"),
        WeeklyDigest => ("weekly_digest", "Weekly digest"),
    }
    name = "message kind", stored_in = [outbox_messages.kind];
}

crate::vocabulary! {
    /// The reminders a person may turn off for themselves. Sign-off requests and account messages
    /// are not among them: a clinical director cannot opt out of being asked, nor anyone out of
    /// being told their password changed.
    pub enum ReminderKind {
        RegistrationDue => ("registration_due", "Registration due (60, 30 and 7 days before)"),
        RevalidationDue => ("revalidation_due", "Revalidation due (90 and 30 days before)"),
        AppraisalOverdue => ("appraisal_overdue", "Appraisal overdue"),
        CpdShort => ("cpd_short", "CPD short with 90 days of the cycle left"),
        SupervisionOverdue => ("supervision_overdue", "Clinical supervision overdue"),
        EvidenceReviewDue => ("evidence_review_due", "Evidence review due in 30 days"),
        EvidenceReviewOverdue => ("evidence_review_overdue", "Evidence review overdue"),
        ArrangementEnding => ("arrangement_ending", "An arrangement ending in 90 and 30 days"),
        ActionDue => ("action_due", "Audit actions due in 7 days"),
        ActionOverdue => ("action_overdue", "Audit actions overdue"),
        StandardContradicted => ("standard_contradicted", "A standard contradicted by the records"),
        CustomerReviewDue => ("customer_review_due", "A customer review due"),
    }
    name = "reminder", stored_in = [reminder_opt_outs(user_id).kind];
}

crate::vocabulary! {
    /// Where a message is: waiting (perhaps after a failed attempt), delivered to the mail server,
    /// or given up after a day of failures.
    pub enum MessageStatus {
        Queued => ("queued", "Queued"),
        Sent => ("sent", "Sent"),
        Failed => ("failed", "Failed"),
    }
    name = "message status", stored_in = [outbox_messages.status];
}

impl MessageKind {
    /// The reminder this kind is, if a person may turn it off.
    pub fn reminder(self) -> Option<ReminderKind> {
        ReminderKind::ALL.iter().copied().find(|reminder| reminder.message_kind() == self)
    }
}

impl ReminderKind {
    /// The message kind of this reminder: spelt out, so a reminder added to one list and not the
    /// other fails to compile rather than falling back to some kind.
    pub fn message_kind(self) -> MessageKind {
        match self {
            ReminderKind::RegistrationDue => MessageKind::RegistrationDue,
            ReminderKind::RevalidationDue => MessageKind::RevalidationDue,
            ReminderKind::AppraisalOverdue => MessageKind::AppraisalOverdue,
            ReminderKind::CpdShort => MessageKind::CpdShort,
            ReminderKind::SupervisionOverdue => MessageKind::SupervisionOverdue,
            ReminderKind::EvidenceReviewDue => MessageKind::EvidenceReviewDue,
            ReminderKind::EvidenceReviewOverdue => MessageKind::EvidenceReviewOverdue,
            ReminderKind::ArrangementEnding => MessageKind::ArrangementEnding,
            ReminderKind::ActionDue => MessageKind::ActionDue,
            ReminderKind::ActionOverdue => MessageKind::ActionOverdue,
            ReminderKind::StandardContradicted => MessageKind::StandardContradicted,
            ReminderKind::CustomerReviewDue => MessageKind::CustomerReviewDue,
        }
    }
}

/// Who a message goes to. `user` is set when the person has an account, so that their choices
/// (opt-outs, digest) apply and the outbox page can say whose message it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: String,
    pub name: String,
    pub user: Option<UserId>,
}

/// A message to queue: what it is, its key, who it is for, and the template and context its two
/// bodies are drawn from (`templates/mail/{template}.txt` and `.html`). The context names people
/// and issues only, never a patient or a person's health.
#[derive(Debug, Clone)]
pub struct Letter {
    pub kind: MessageKind,
    /// Unique across the outbox: the same key is never queued twice.
    pub key: String,
    pub to: Recipient,
    /// The provider the message is about, so that its managers see it on their outbox page.
    pub provider: Option<ProviderId>,
    pub subject: String,
    pub template: &'static str,
    pub context: tera::Context,
}

/// Queues `letter` on `conn`, inside the caller's transaction. Returns false, and writes nothing,
/// when a message with the same key is already in the outbox (queued, sent or failed).
pub fn queue(conn: &mut DbConnection, letter: &Letter, now: NaiveDateTime) -> StoreResult<bool> {
    if is_queued(conn, &letter.key)? {
        return Ok(false);
    }
    let bodies = letters::render(letter).map_err(|error| {
        StoreError::Conflict(format!("the email \"{}\" could not be written: {error}", letter.subject))
    })?;
    // A savepoint: two runs racing to queue one key leave one row, and the loser's transaction
    // goes on (PostgreSQL would otherwise abort the caller's whole transaction).
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(outbox_messages::table)
            .values((
                outbox_messages::message_key.eq(&letter.key),
                outbox_messages::kind.eq(letter.kind),
                outbox_messages::provider_id.eq(letter.provider),
                outbox_messages::recipient_user_id.eq(letter.to.user),
                outbox_messages::recipient_email.eq(&letter.to.email),
                outbox_messages::recipient_name.eq(&letter.to.name),
                outbox_messages::subject.eq(&letter.subject),
                outbox_messages::body_text.eq(&bodies.text),
                outbox_messages::body_html.eq(&bodies.html),
                outbox_messages::status.eq(MessageStatus::Queued),
                outbox_messages::attempts.eq(0),
                outbox_messages::next_attempt_at.eq(now),
                outbox_messages::queued_at.eq(now),
            ))
            .execute(conn)
    });
    match inserted {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(error) => Err(error.into()),
    }
}

/// Whether a message with this key is in the outbox already, whatever its state.
pub fn is_queued(conn: &mut DbConnection, key: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(outbox_messages::table.filter(outbox_messages::message_key.eq(key))))
        .get_result(conn)
}

/// The address people reach the service at, for the links in messages (`OHGOV_BASE_URL`), without
/// a trailing slash. Read each time, so a test or a command may set it.
pub fn base_url() -> String {
    std::env::var("OHGOV_BASE_URL")
        .ok()
        .map(|v| v.trim().trim_end_matches('/').to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| format!("http://{}", crate::config::DEFAULT_BIND))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reminder_is_the_message_kind_of_its_code_and_only_reminders_can_be_turned_off() {
        for reminder in ReminderKind::ALL {
            assert_eq!(reminder.message_kind().as_str(), reminder.as_str());
            assert_eq!(reminder.message_kind().reminder(), Some(*reminder));
        }
        let always_sent: Vec<MessageKind> =
            MessageKind::ALL.iter().copied().filter(|kind| kind.reminder().is_none()).collect();
        assert_eq!(
            always_sent,
            [
                MessageKind::Invitation,
                MessageKind::PasswordReset,
                MessageKind::PasswordChanged,
                MessageKind::ApiTokenCreated,
                MessageKind::SignOffRequested,
                MessageKind::WeeklyDigest,
            ]
        );
    }
}
