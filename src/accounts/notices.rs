//! Notices to an account's owner about their own account: a password changed, an API token made.
//! Each is queued in the outbox in the transaction of the change, so a change that is rolled back
//! sends nothing, and its key names the one event, so a notice is never queued twice.

use chrono::NaiveDateTime;

use crate::db::{DbConnection, StoreResult, UserId};
use crate::outbox::{self, Letter, MessageKind, Recipient};

/// Queues "your password was changed" to the account's own address. `epoch` is the session epoch
/// the change raised to: one change, one key. Call inside the change's transaction.
pub fn password_changed(
    conn: &mut DbConnection,
    user_id: UserId,
    email: &str,
    name: &str,
    epoch: i32,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    let mut context = tera::Context::new();
    context.insert("changed_at", &now);
    let letter = Letter {
        kind: MessageKind::PasswordChanged,
        key: format!("password_changed:user-{user_id}:epoch-{epoch}"),
        to: Recipient { email: email.into(), name: name.into(), user: Some(user_id) },
        provider: None,
        subject: "Your ohgov password was changed".into(),
        template: "password_changed",
        context,
    };
    outbox::queue(conn, &letter, now)
}

/// Queues "a new API token was made for your account" to its owner. Call inside the transaction
/// that stored token `token_id`.
pub fn api_token_created(
    conn: &mut DbConnection,
    user_id: UserId,
    email: &str,
    name: &str,
    token_id: i32,
    now: NaiveDateTime,
) -> StoreResult<bool> {
    let mut context = tera::Context::new();
    context.insert("created_at", &now);
    let letter = Letter {
        kind: MessageKind::ApiTokenCreated,
        key: format!("api_token_created:token-{token_id}"),
        to: Recipient { email: email.into(), name: name.into(), user: Some(user_id) },
        provider: None,
        subject: "A new API token for your ohgov account".into(),
        template: "api_token_created",
        context,
    };
    outbox::queue(conn, &letter, now)
}
