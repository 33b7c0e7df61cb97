//! The sender's side of the outbox: claiming due messages (one sender each, `FOR UPDATE SKIP
//! LOCKED` on PostgreSQL), recording each attempt, marking sent or failed, sending a failed one
//! again, and the outbox page's list. Written with issue 17's sender (`mail::sender`).
//!
//! A claim is a lease: `claimed_by` and `claimed_until`. A sender that dies holding one leaves the
//! message to be claimed again when the lease runs out, so the one message it may have sent before
//! dying can go twice, and no other.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::{MessageKind, MessageStatus};
use crate::db::schema::{outbox_attempts, outbox_messages};
use crate::db::{self, DbConnection, Direction, ProviderId, StoreError, StoreResult, UserId};
use crate::history::store::{record_action, Diff};

/// What stands in for both bodies of an invitation or a reset once it is sent: the database stops
/// holding a live single-use link.
pub const WITHHELD: &str = "Withheld: this message carried a single-use link, removed once it was sent.";

/// A message is given up this long after it was queued, if it has not gone by then.
pub const GIVE_UP_AFTER: Duration = Duration::hours(24);

/// The longest wait between two attempts.
pub const LONGEST_WAIT: Duration = Duration::hours(1);

/// A message as the sender reads it: everything needed to send it.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = outbox_messages)]
pub struct OutboxMessage {
    pub id: i32,
    pub message_key: String,
    pub kind: MessageKind,
    pub provider_id: Option<ProviderId>,
    pub recipient_email: String,
    pub recipient_name: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub status: MessageStatus,
    pub attempts: i32,
    pub queued_at: NaiveDateTime,
}

/// The wait before the next attempt after `attempts` failed ones: 1 minute, then 2, 4, 8 … never
/// more than an hour.
pub fn backoff(attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    Duration::minutes(1i64 << doublings).min(LONGEST_WAIT)
}

/// Claims up to `limit` due messages for `sender` until `now + lease`: queued, due, and not
/// claimed by another sender whose lease is still running. On PostgreSQL the rows are locked with
/// `FOR UPDATE SKIP LOCKED` while claimed, so two senders claiming at once take different
/// messages; SQLite serves one instance, and its write transaction holds the lock from the start.
pub fn claim(
    conn: &mut DbConnection,
    sender: &str,
    now: NaiveDateTime,
    limit: i64,
    lease: Duration,
) -> QueryResult<Vec<OutboxMessage>> {
    db::write_transaction(conn, |conn| {
        let due = || {
            outbox_messages::table
                .filter(outbox_messages::status.eq(MessageStatus::Queued))
                .filter(outbox_messages::next_attempt_at.le(now))
                .filter(outbox_messages::claimed_until.is_null().or(outbox_messages::claimed_until.le(now)))
                .select(outbox_messages::id)
                .order(outbox_messages::id)
                .limit(limit)
        };
        let ids: Vec<i32> = match conn {
            DbConnection::Postgres(c) => due().for_update().skip_locked().load(c)?,
            DbConnection::Sqlite(c) => due().load(c)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(outbox_messages::table.filter(outbox_messages::id.eq_any(&ids)))
            .set((outbox_messages::claimed_by.eq(sender), outbox_messages::claimed_until.eq(now + lease)))
            .execute(conn)?;
        outbox_messages::table
            .filter(outbox_messages::id.eq_any(&ids))
            .select(OutboxMessage::as_select())
            .order(outbox_messages::id)
            .load(conn)
    })
}

/// Writes one attempt's row.
fn attempt(conn: &mut DbConnection, id: i32, sender: &str, now: NaiveDateTime, error: Option<&str>) -> QueryResult<()> {
    diesel::insert_into(outbox_attempts::table)
        .values((
            outbox_attempts::message_id.eq(id),
            outbox_attempts::attempted_at.eq(now),
            outbox_attempts::sender.eq(sender),
            outbox_attempts::error.eq(error),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks message `id` sent by `sender` at `now`, with its attempt, and lets go of the claim. An
/// invitation's or a reset's bodies are replaced by [`WITHHELD`].
pub fn record_sent(conn: &mut DbConnection, id: i32, sender: &str, now: NaiveDateTime) -> QueryResult<()> {
    db::write_transaction(conn, |conn| {
        attempt(conn, id, sender, now, None)?;
        let kind: MessageKind = outbox_messages::table.find(id).select(outbox_messages::kind).first(conn)?;
        let target = outbox_messages::table.find(id);
        let marked = (
            outbox_messages::status.eq(MessageStatus::Sent),
            outbox_messages::sent_at.eq(Some(now)),
            outbox_messages::attempts.eq(outbox_messages::attempts + 1),
            outbox_messages::last_error.eq(None::<String>),
            outbox_messages::claimed_by.eq(None::<String>),
            outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
        );
        if carries_link(kind) {
            diesel::update(target)
                .set((marked, outbox_messages::body_text.eq(WITHHELD), outbox_messages::body_html.eq(WITHHELD)))
                .execute(conn)?;
        } else {
            diesel::update(target).set(marked).execute(conn)?;
        }
        Ok(())
    })
}

/// Whether a kind of message carries a single-use link, withheld once it is sent.
pub fn carries_link(kind: MessageKind) -> bool {
    matches!(kind, MessageKind::Invitation | MessageKind::PasswordReset)
}

/// What became of a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Queued again for the time given.
    Retry(NaiveDateTime),
    /// Given up: a day of failures, or a message that can never be sent.
    Failed,
}

/// Records a failed attempt of message `id`: the attempt with its error, one more attempt counted,
/// the next attempt after [`backoff`], and the claim let go. A message queued [`GIVE_UP_AFTER`] or
/// longer ago is marked failed instead.
pub fn record_failure(
    conn: &mut DbConnection,
    id: i32,
    sender: &str,
    now: NaiveDateTime,
    error: &str,
) -> QueryResult<AfterFailure> {
    failure(conn, id, sender, now, error, false)
}

/// Records an attempt that can never succeed (an address that is not one) and marks the message
/// failed at once, with the reason.
pub fn record_rejected(
    conn: &mut DbConnection,
    id: i32,
    sender: &str,
    now: NaiveDateTime,
    error: &str,
) -> QueryResult<()> {
    failure(conn, id, sender, now, error, true).map(|_| ())
}

fn failure(
    conn: &mut DbConnection,
    id: i32,
    sender: &str,
    now: NaiveDateTime,
    error: &str,
    permanent: bool,
) -> QueryResult<AfterFailure> {
    db::write_transaction(conn, |conn| {
        attempt(conn, id, sender, now, Some(error))?;
        let (attempts, queued_at): (i32, NaiveDateTime) = outbox_messages::table
            .find(id)
            .select((outbox_messages::attempts, outbox_messages::queued_at))
            .first(conn)?;
        let attempts = attempts + 1;
        let give_up = permanent || now - queued_at >= GIVE_UP_AFTER;
        let next = now + backoff(attempts);
        let target = outbox_messages::table.find(id);
        let common = (
            outbox_messages::attempts.eq(attempts),
            outbox_messages::last_error.eq(Some(error)),
            outbox_messages::claimed_by.eq(None::<String>),
            outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
        );
        if give_up {
            diesel::update(target)
                .set((
                    common,
                    outbox_messages::status.eq(MessageStatus::Failed),
                    outbox_messages::failed_at.eq(Some(now)),
                ))
                .execute(conn)?;
            Ok(AfterFailure::Failed)
        } else {
            diesel::update(target).set((common, outbox_messages::next_attempt_at.eq(next))).execute(conn)?;
            Ok(AfterFailure::Retry(next))
        }
    })
}

/// A message in the outbox page's words: never its bodies.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, PartialEq, Eq)]
#[diesel(table_name = outbox_messages)]
pub struct OutboxLine {
    pub id: i32,
    pub kind: MessageKind,
    pub provider_id: Option<ProviderId>,
    pub recipient_name: String,
    pub recipient_email: String,
    pub subject: String,
    pub status: MessageStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub queued_at: NaiveDateTime,
    pub next_attempt_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub failed_at: Option<NaiveDateTime>,
}

/// Queues failed message `id` again, its attempts kept, to be tried at `now`, with a history row
/// by `by`. `provider` scopes it (a provider's manager: only that provider's messages; None: an
/// administrator, any). A message not failed is a conflict; one outside the scope is not found.
/// The retried message gets one attempt more: it was queued over a day ago, so a failure marks it
/// failed again, with the new error.
pub fn retry(
    conn: &mut DbConnection,
    by: UserId,
    provider: Option<ProviderId>,
    id: i32,
    now: NaiveDateTime,
) -> StoreResult<OutboxLine> {
    db::write_transaction(conn, |conn| {
        let mut found = outbox_messages::table.find(id).select(OutboxLine::as_select()).into_boxed();
        if let Some(provider) = provider {
            found = found.filter(outbox_messages::provider_id.eq(provider));
        }
        let line: OutboxLine = found.first(conn).optional()?.ok_or(StoreError::NotFound)?;
        if line.status != MessageStatus::Failed {
            return Err(StoreError::Conflict(format!(
                "The message to {}, \"{}\", is {}: only a failed message can be sent again",
                line.recipient_name,
                line.subject,
                line.status.label().to_lowercase()
            )));
        }
        diesel::update(outbox_messages::table.find(id))
            .set((
                outbox_messages::status.eq(MessageStatus::Queued),
                outbox_messages::failed_at.eq(None::<NaiveDateTime>),
                outbox_messages::next_attempt_at.eq(now),
                outbox_messages::claimed_by.eq(None::<String>),
                outbox_messages::claimed_until.eq(None::<NaiveDateTime>),
            ))
            .execute(conn)?;
        let mut diff = Diff::default();
        diff.field("status", MessageStatus::Failed, MessageStatus::Queued);
        record_action(conn, Some(by), line.provider_id.map(|p| p.0), "outbox_message", id, "send_again", diff)?;
        Ok(line)
    })
}

/// The columns the outbox page sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxSort {
    /// Newest first by default.
    Queued,
    Recipient,
    Subject,
    Status,
    Attempts,
}

crate::sort_keys!(
    OutboxSort,
    default Queued,
    descending first [Queued],
    Queued => "queued",
    Recipient => "recipient",
    Subject => "subject",
    Status => "status",
    Attempts => "attempts",
);

/// Which messages a page shows: one provider's, or (None) all of them, for administrators.
#[derive(Debug, Clone, Default)]
pub struct OutboxFilter {
    pub provider: Option<ProviderId>,
    pub status: Option<MessageStatus>,
    /// Words in the recipient's name or address, or the subject.
    pub search: String,
}

/// One page of the outbox, filtered, searched, sorted and paged in SQL.
pub fn page(
    conn: &mut DbConnection,
    filter: &OutboxFilter,
    sort: OutboxSort,
    dir: Direction,
    page: i64,
) -> QueryResult<db::Page<OutboxLine>> {
    use crate::db::page::{contains_pattern, lower};
    let query = || {
        let mut lines = outbox_messages::table.into_boxed();
        if let Some(provider) = filter.provider {
            lines = lines.filter(outbox_messages::provider_id.eq(provider));
        }
        if let Some(status) = filter.status {
            lines = lines.filter(outbox_messages::status.eq(status));
        }
        if !filter.search.is_empty() {
            let pattern = contains_pattern(&filter.search);
            lines = lines.filter(
                lower(outbox_messages::recipient_name)
                    .like(lower(pattern.clone()))
                    .escape('\\')
                    .or(lower(outbox_messages::recipient_email).like(lower(pattern.clone())).escape('\\'))
                    .or(lower(outbox_messages::subject).like(lower(pattern)).escape('\\')),
            );
        }
        lines
    };
    let total: i64 = query().count().get_result(conn)?;
    db::Page::fetch(page, total, |offset, limit| {
        let selected = query().select(OutboxLine::as_select());
        let desc = dir == Direction::Descending;
        let ordered = match (sort, desc) {
            (OutboxSort::Queued, false) => selected.order(outbox_messages::queued_at.asc()),
            (OutboxSort::Queued, true) => selected.order(outbox_messages::queued_at.desc()),
            (OutboxSort::Recipient, false) => selected.order(lower(outbox_messages::recipient_name).asc()),
            (OutboxSort::Recipient, true) => selected.order(lower(outbox_messages::recipient_name).desc()),
            (OutboxSort::Subject, false) => selected.order(lower(outbox_messages::subject).asc()),
            (OutboxSort::Subject, true) => selected.order(lower(outbox_messages::subject).desc()),
            (OutboxSort::Status, false) => selected.order(outbox_messages::status.asc()),
            (OutboxSort::Status, true) => selected.order(outbox_messages::status.desc()),
            (OutboxSort::Attempts, false) => selected.order(outbox_messages::attempts.asc()),
            (OutboxSort::Attempts, true) => selected.order(outbox_messages::attempts.desc()),
        };
        let ordered = if desc {
            ordered.then_order_by(outbox_messages::id.desc())
        } else {
            ordered.then_order_by(outbox_messages::id.asc())
        };
        ordered.offset(offset).limit(limit).load(conn)
    })
}

/// How many messages are in each state, in the page's scope.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct StatusCounts {
    pub queued: i64,
    pub sent: i64,
    pub failed: i64,
}

/// The counts by state of one provider's messages, or all (None).
pub fn counts(conn: &mut DbConnection, provider: Option<ProviderId>) -> QueryResult<StatusCounts> {
    let mut query = outbox_messages::table
        .group_by(outbox_messages::status)
        .select((outbox_messages::status, diesel::dsl::count_star()))
        .into_boxed();
    if let Some(provider) = provider {
        query = query.filter(outbox_messages::provider_id.eq(provider));
    }
    let mut counts = StatusCounts::default();
    for (status, n) in query.load::<(MessageStatus, i64)>(conn)? {
        match status {
            MessageStatus::Queued => counts.queued = n,
            MessageStatus::Sent => counts.sent = n,
            MessageStatus::Failed => counts.failed = n,
        }
    }
    Ok(counts)
}

/// One message's attempts, oldest first: when, by which sender, and the error if it failed.
#[derive(Debug, Clone, Queryable, Serialize, PartialEq, Eq)]
pub struct Attempt {
    pub attempted_at: NaiveDateTime,
    pub sender: String,
    pub error: Option<String>,
}

/// The attempts made at message `id`.
pub fn attempts(conn: &mut DbConnection, id: i32) -> QueryResult<Vec<Attempt>> {
    outbox_attempts::table
        .filter(outbox_attempts::message_id.eq(id))
        .select((outbox_attempts::attempted_at, outbox_attempts::sender, outbox_attempts::error))
        .order(outbox_attempts::id)
        .load(conn)
}

/// A message as the sender would read it, by key (tests and the command line).
pub fn by_key(conn: &mut DbConnection, key: &str) -> QueryResult<Option<(OutboxMessage, OutboxLine)>> {
    let message: Option<OutboxMessage> = outbox_messages::table
        .filter(outbox_messages::message_key.eq(key))
        .select(OutboxMessage::as_select())
        .first(conn)
        .optional()?;
    let Some(message) = message else { return Ok(None) };
    let line = outbox_messages::table.find(message.id).select(OutboxLine::as_select()).first(conn)?;
    Ok(Some((message, line)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_from_a_minute_to_an_hour() {
        let waits: Vec<i64> = (1..=9).map(|n| backoff(n).num_minutes()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(backoff(0).num_minutes(), 1);
        assert_eq!(backoff(i32::MAX).num_minutes(), 60);
    }
}
