//! The daily reminders (issue 17): what is due for whom on a day ([`due`], gathered from every
//! area's store in [`gather`]), sorted by people's choices ([`rules::sort_out`]) and queued in the
//! outbox under keys that make each message go once ([`run`]). Run daily inside the server
//! (`lib::sweep_daily`) and by `ohgov remind` for cron; helper A's sender delivers what is queued.
//!
//! A message names the person and the issue only, and links to the page where it is put right:
//! never CPD contents, supervision minutes, health details or anything about patients.

pub mod demo;
pub mod gather;
pub mod rules;

use std::collections::{BTreeMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::accounts::model::Role;
use crate::db::{self, DbConnection, ProviderId, StoreResult, UserId};
use crate::outbox::{self, Letter, MessageKind, Recipient};

pub use gather::due;

/// One reminder for one person: a message to queue, and its line in a weekly digest.
#[derive(Debug, Clone)]
pub struct Reminder {
    pub kind: MessageKind,
    /// The outbox key, naming the recipient: the same reminder is never queued twice.
    pub key: String,
    pub to: Recipient,
    pub provider: Option<ProviderId>,
    pub provider_name: String,
    pub subject: String,
    /// `templates/mail/{template}.txt` and `.html`.
    pub template: &'static str,
    pub context: tera::Context,
    /// The page where the issue is put right, from the site's root: `/providers/3/workforce/staff/17`.
    pub path: String,
}

impl Reminder {
    fn letter(&self) -> Letter {
        Letter {
            kind: self.kind,
            key: self.key.clone(),
            to: self.to.clone(),
            provider: self.provider,
            subject: self.subject.clone(),
            template: self.template,
            context: self.context.clone(),
        }
    }
}

/// One message a run queues (or, dry, would queue).
#[derive(Debug, Clone, Serialize)]
pub struct Planned {
    pub kind: MessageKind,
    pub key: String,
    pub name: String,
    pub email: String,
    pub subject: String,
    /// Already in the outbox: nothing new is queued for it.
    pub already_queued: bool,
}

/// What a run did, or with `dry_run` would do.
#[derive(Debug, Clone, Serialize)]
pub struct RunReport {
    pub today: NaiveDate,
    pub dry_run: bool,
    /// Every message of the day, in the order queued, those already in the outbox marked.
    pub messages: Vec<Planned>,
    /// Newly queued (with `dry_run`, those that would be).
    pub queued: usize,
    pub already_queued: usize,
    /// Reminders not sent singly: turned off by their recipient, or kept for a weekly digest.
    pub held_back: usize,
}

/// The weekly digest's lines for one provider.
#[derive(Debug, Serialize)]
struct DigestGroup {
    provider_name: String,
    items: Vec<DigestItem>,
}

#[derive(Debug, Serialize)]
struct DigestItem {
    kind: &'static str,
    subject: String,
    path: String,
}

/// A digest as a letter: everything currently due for one manager, by provider.
fn digest_letter(to: &Recipient, user: UserId, items: &[Reminder], today: NaiveDate) -> Letter {
    let mut groups: BTreeMap<String, Vec<DigestItem>> = BTreeMap::new();
    for item in items {
        groups.entry(item.provider_name.clone()).or_default().push(DigestItem {
            kind: item.kind.label(),
            subject: item.subject.clone(),
            path: item.path.clone(),
        });
    }
    let groups: Vec<DigestGroup> =
        groups.into_iter().map(|(provider_name, items)| DigestGroup { provider_name, items }).collect();
    let week = rules::week_starting(today);
    let mut context = tera::Context::new();
    context.insert("groups", &groups);
    context.insert("count", &items.len());
    context.insert("week_starting", &week);
    context.insert("why", "you chose a weekly digest instead of single reminders");
    context.insert("can_turn_off", &true);
    Letter {
        kind: MessageKind::WeeklyDigest,
        key: rules::digest_key(user, today),
        to: to.clone(),
        provider: None,
        subject: format!(
            "Your weekly reminders: {} (week starting {})",
            crate::words::counted(items.len(), "thing due", "things due"),
            week.format("%-d %b %Y")
        ),
        template: "weekly_digest",
        context,
    }
}

/// Gathers the day's reminders, applies people's choices, and queues each message in one
/// transaction; with `dry_run`, writes nothing to the outbox and returns what it would queue,
/// marking those already queued. Running it twice on a day queues nothing new (the keys).
pub fn run(conn: &mut DbConnection, today: NaiveDate, now: NaiveDateTime, dry_run: bool) -> StoreResult<RunReport> {
    let reminders = due(conn, today)?;
    let people: Vec<UserId> = {
        let mut ids: Vec<UserId> = reminders.iter().filter_map(|r| r.to.user).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let choices = crate::accounts::reminders::choices_for(conn, &people)?;
    let managers: HashSet<UserId> = crate::accounts::reminders::provider_members(conn, &[Role::Manager], today)?
        .into_iter()
        .map(|m| m.account.id)
        .collect();
    let sorted = rules::sort_out(reminders, &choices, &managers, today);
    let mut letters: Vec<Letter> = sorted.singles.iter().map(Reminder::letter).collect();
    for (to, items) in &sorted.digests {
        if let (Some(user), false) = (to.user, items.is_empty()) {
            letters.push(digest_letter(to, user, items, today));
        }
    }
    let plan = |conn: &mut DbConnection| -> StoreResult<RunReport> {
        let mut report = RunReport {
            today,
            dry_run,
            messages: Vec::new(),
            queued: 0,
            already_queued: 0,
            held_back: sorted.held_back,
        };
        for letter in &letters {
            let already =
                if dry_run { outbox::is_queued(conn, &letter.key)? } else { !outbox::queue(conn, letter, now)? };
            if already {
                report.already_queued += 1;
            } else {
                report.queued += 1;
            }
            report.messages.push(Planned {
                kind: letter.kind,
                key: letter.key.clone(),
                name: letter.to.name.clone(),
                email: letter.to.email.clone(),
                subject: letter.subject.clone(),
                already_queued: already,
            });
        }
        Ok(report)
    };
    if dry_run {
        // One message of each template drawn as queuing would, so a template fault shows in the
        // dry run without drawing thousands.
        let mut drawn = HashSet::new();
        for letter in letters.iter().filter(|l| drawn.insert(l.template)) {
            outbox::letters::render(letter).map_err(|error| {
                crate::db::StoreError::Conflict(format!(
                    "the email \"{}\" could not be written: {error}",
                    letter.subject
                ))
            })?;
        }
        plan(conn)
    } else if letters.is_empty() {
        // Nothing to queue: no write transaction (SQLite's would take the write lock).
        plan(conn)
    } else {
        db::write_transaction(conn, plan)
    }
}
