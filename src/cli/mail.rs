//! `ohgov mail send`: drains the outbox once, through the SMTP server `OHGOV_SMTP_URL` names or
//! into `.eml` files in `OHGOV_MAIL_DIR`, and says what became of the messages ("3 sent, 1 to
//! retry, 0 failed"). For cron, or to send at once what a command queued; a running server drains
//! every 15 seconds by itself.

use crate::config::Settings;
use crate::mail::sender;
use crate::mail::transport::Transport;

#[derive(clap::Subcommand)]
pub enum MailCommand {
    /// Send every message that is due now, once; failures wait for a later try.
    Send,
}

pub fn run(database_url: Option<String>, command: MailCommand) -> anyhow::Result<()> {
    match command {
        MailCommand::Send => send(database_url),
    }
}

/// Drains the outbox once and prints what became of the messages (also run by `ohgov remind`).
pub(super) fn send(database_url: Option<String>) -> anyhow::Result<()> {
    let settings = Settings::for_database(super::database_url(database_url.clone()));
    let transport = Transport::from_settings(&settings.mail)?;
    let mut conn = super::migrated_connection(database_url)?;
    let report =
        sender::drain(&mut conn, &transport, &settings.mail.from, &sender::sender_name(), super::clock().now())?;
    println!("{report}");
    if report.sent > 0 {
        println!("sent to {}", transport.describe());
    }
    Ok(())
}
