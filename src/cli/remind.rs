//! `ohgov remind`: queues the day's reminders in the outbox (`mail::reminders::run`) and prints a
//! summary; with `--dry-run`, prints what it would queue, a line each, and writes nothing. For
//! cron; a running server does the same once a day. Then it sends what is due, as `ohgov mail
//! send` does, so cron alone delivers the reminders where no server runs the sender.

use chrono::NaiveDate;

#[derive(clap::Args)]
pub struct RemindArgs {
    /// Print what would be queued, to whom, and which are already queued; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The day to run for, YYYY-MM-DD (default today, in London).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<NaiveDate>,
}

pub fn run(database_url: Option<String>, args: RemindArgs) -> anyhow::Result<()> {
    let mut conn = super::ready_connection(database_url.clone())?;
    let clock = super::clock();
    let today = args.date.unwrap_or_else(|| clock.today());
    let report = crate::mail::reminders::run(&mut conn, today, clock.now().naive_utc(), args.dry_run)?;
    let day = crate::words::long_date(today);
    if args.dry_run {
        println!(
            "reminders for {day} (dry run, nothing written): {} to queue, {} already queued, {} held back by people's choices",
            report.queued, report.already_queued, report.held_back
        );
        for message in &report.messages {
            println!(
                "  {} <{}>: {}: {}{}",
                message.name,
                message.email,
                message.kind.as_str(),
                message.subject,
                if message.already_queued { " (already queued)" } else { "" }
            );
        }
    } else {
        println!(
            "reminders for {day}: {} queued, {} already queued, {} held back by people's choices",
            crate::words::counted(report.queued, "message", "messages"),
            report.already_queued,
            report.held_back
        );
        drop(conn);
        super::mail::send(database_url)?;
    }
    Ok(())
}
