//! The sender: drains the outbox through a [`Transport`], a batch at a time. Each message is marked
//! sent the moment it has gone, before the next is tried, so a crash between sending and marking
//! can send that one message again (its lease runs out and it is claimed anew) and no other.
//! Failures wait longer each time (`outbox::store::backoff`) and are given up after a day.
//!
//! The server drains every 15 seconds ([`spawn`]); `ohgov mail send` drains once.

use chrono::{DateTime, Utc};

use super::transport::{SendError, Transport};
use crate::db::DbConnection;
use crate::outbox::store::{self, AfterFailure};
use crate::web::AppState;

/// Messages claimed at a time.
pub const BATCH: i64 = 10;

/// How long a claim lasts: a batch at the transport's timeout each (10 × 10 s) fits well within.
pub const LEASE: chrono::Duration = chrono::Duration::minutes(5);

/// How often the running server drains the outbox.
pub const DRAIN_EVERY: std::time::Duration = std::time::Duration::from_secs(15);

/// The most batches one drain takes, so a drain always ends (the next one goes on).
const MOST_BATCHES: usize = 1_000;

/// What one drain did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrainReport {
    /// Messages that went.
    pub sent: usize,
    /// Messages that failed this time and wait for another try.
    pub retried: usize,
    /// Messages given up: a day of failures, or an address that is not one.
    pub failed: usize,
}

impl DrainReport {
    /// Whether the drain did anything at all.
    pub fn is_empty(&self) -> bool {
        *self == DrainReport::default()
    }
}

impl std::fmt::Display for DrainReport {
    /// "3 sent, 1 to retry, 0 failed".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} sent, {} to retry, {} failed", self.sent, self.retried, self.failed)
    }
}

/// This process's name as a sender: host, process id and a random suffix, so two instances on
/// one host (or a restarted one with a reused pid) never share a claim.
pub fn sender_name() -> String {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    let host = hostname::get().ok().and_then(|h| h.into_string().ok()).unwrap_or_else(|| "localhost".into());
    format!("{host}:{}:{:08x}", std::process::id(), OsRng.next_u32())
}

/// Sends every message due at `now`: claims a batch, sends each and records it at once, and goes
/// on until nothing due is left unclaimed. An error of the database's stops the drain; a message's
/// own failure is recorded and the drain goes on.
pub fn drain(
    conn: &mut DbConnection,
    transport: &Transport,
    from: &str,
    sender: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<DrainReport> {
    let now = now.naive_utc();
    let mut report = DrainReport::default();
    for _ in 0..MOST_BATCHES {
        let batch = store::claim(conn, sender, now, BATCH, LEASE)?;
        if batch.is_empty() {
            break;
        }
        for message in &batch {
            match transport.send(message, from) {
                Ok(()) => {
                    store::record_sent(conn, message.id, sender, now)?;
                    report.sent += 1;
                }
                Err(SendError::Permanent(error)) => {
                    tracing::warn!(id = message.id, %error, "an outbox message can never be sent; marked failed");
                    store::record_rejected(conn, message.id, sender, now, &error)?;
                    report.failed += 1;
                }
                Err(SendError::Transient(error)) => match store::record_failure(conn, message.id, sender, now, &error)?
                {
                    AfterFailure::Retry(_) => report.retried += 1,
                    AfterFailure::Failed => {
                        tracing::warn!(id = message.id, %error, "an outbox message failed for a day; marked failed");
                        report.failed += 1;
                    }
                },
            }
        }
    }
    Ok(report)
}

/// Drains the outbox at once and then every [`DRAIN_EVERY`] while the server runs, on the blocking
/// pool so no request waits (unless `Settings::send_mail` is off: tests that drain by hand). Logs each drain that did something; a failure is logged and the next
/// drain tries again.
pub fn spawn(state: AppState) {
    if !state.settings.send_mail {
        return;
    }
    let transport = match Transport::from_settings(&state.settings.mail) {
        Ok(transport) => transport,
        Err(error) => {
            // `prepare` refused a bad URL already; this is only reached by a caller that skipped it.
            tracing::error!(error = format!("{error:#}"), "no email will be sent");
            return;
        }
    };
    tracing::info!(to = transport.describe(), "the outbox is drained every 15 seconds");
    let sender = sender_name();
    actix_web::rt::spawn(async move {
        loop {
            let (pool, clock, transport, sender) =
                (state.pool.clone(), state.settings.clock.clone(), transport.clone(), sender.clone());
            let from = state.settings.mail.from.clone();
            let done = actix_web::web::block(move || {
                let mut conn = pool.get()?;
                drain(&mut conn, &transport, &from, &sender, clock.now())
            })
            .await;
            match done {
                Ok(Ok(report)) if !report.is_empty() => tracing::info!(%report, "outbox drained"),
                Ok(Ok(_)) => {}
                Ok(Err(error)) => {
                    tracing::warn!(error = format!("{error:#}"), "the outbox drain failed; it will run again")
                }
                Err(error) => tracing::warn!(%error, "the outbox drain did not run; it will run again"),
            }
            actix_web::rt::time::sleep(DRAIN_EVERY).await;
        }
    });
}
