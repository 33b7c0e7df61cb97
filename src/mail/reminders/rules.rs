//! The reminders' pure decisions: which threshold's window a day falls in, the keys that make
//! each message go once, who a reminder goes to, and how people's choices sort the day's reminders
//! into single messages and weekly digests. No database, no clock: every function is given the day.
//!
//! A threshold's reminder is due through its whole window (the 60-day registration reminder while
//! 30 < days left <= 60), not only on its day, so a day the run missed still sends it later in the
//! window; its key names the threshold and the date it counts to, so each goes once.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate, Weekday};

use super::Reminder;
use crate::accounts::reminders::Choices;
use crate::db::UserId;
use crate::outbox::{MessageKind, Recipient};

/// Registration renewal reminders: 60, 30 and 7 days before.
pub const REGISTRATION_THRESHOLDS: &[i64] = &[7, 30, 60];
/// Revalidation reminders: 90 and 30 days before.
pub const REVALIDATION_THRESHOLDS: &[i64] = &[30, 90];
/// An arrangement's end: 90 and 30 days before.
pub const ARRANGEMENT_THRESHOLDS: &[i64] = &[30, 90];
/// An evidence item's review is told 30 days before it falls due.
pub const EVIDENCE_REVIEW_WARNING_DAYS: i64 = 30;
/// An audit action is told 7 days before it falls due.
pub const ACTION_WARNING_DAYS: i64 = 7;
/// A customer review is told from 30 days before it falls due until it is held.
pub const CUSTOMER_REVIEW_WARNING_DAYS: i64 = 30;
/// The day the weekly digest goes.
pub const DIGEST_DAY: Weekday = Weekday::Mon;

/// The threshold whose window `today` falls in before `on`: the smallest of `thresholds` (in
/// ascending order) at or above the days left. None once the day has passed or before the largest.
pub fn threshold(on: NaiveDate, today: NaiveDate, thresholds: &[i64]) -> Option<i64> {
    let left = (on - today).num_days();
    if left < 0 {
        return None;
    }
    thresholds.iter().copied().find(|t| left <= *t)
}

/// Whether an evidence item's review is due soon or overdue on `today`.
pub fn evidence_review(review_due: NaiveDate, today: NaiveDate) -> Option<MessageKind> {
    due_or_overdue(
        review_due,
        today,
        EVIDENCE_REVIEW_WARNING_DAYS,
        MessageKind::EvidenceReviewDue,
        MessageKind::EvidenceReviewOverdue,
    )
}

/// Whether an open audit action is due within the week or overdue on `today`.
pub fn action(due_on: NaiveDate, today: NaiveDate) -> Option<MessageKind> {
    due_or_overdue(due_on, today, ACTION_WARNING_DAYS, MessageKind::ActionDue, MessageKind::ActionOverdue)
}

/// Overdue the day after `due`; due from `warning` days before it.
fn due_or_overdue(
    due: NaiveDate,
    today: NaiveDate,
    warning: i64,
    soon: MessageKind,
    late: MessageKind,
) -> Option<MessageKind> {
    let left = (due - today).num_days();
    if left < 0 {
        Some(late)
    } else {
        (left <= warning).then_some(soon)
    }
}

/// Whether a customer review falling due on `next_due` is to be told on `today`: from 30 days
/// before, and while it is overdue.
pub fn customer_review_due(next_due: NaiveDate, today: NaiveDate) -> bool {
    (next_due - today).num_days() <= CUSTOMER_REVIEW_WARNING_DAYS
}

/// The episode a CPD shortfall belongs to, for its key: the end of a fixed cycle (a CPD year or a
/// revalidation cycle), told once per cycle; a rolling period (HCPC) has no end, so its shortfall is
/// told at most once a quarter, keyed by the quarter's first day.
pub fn cpd_episode(cycle_end: Option<NaiveDate>, rolling: bool, today: NaiveDate) -> NaiveDate {
    match cycle_end {
        Some(end) if !rolling => end,
        _ => {
            let month = (today.month0() / 3) * 3 + 1;
            NaiveDate::from_ymd_opt(today.year(), month, 1).unwrap_or(today)
        }
    }
}

/// Who a message is addressed to in its key: the account, or the address when there is none.
pub fn recipient_key(to: &Recipient) -> String {
    match to.user {
        Some(user) => format!("user-{}", user.0),
        None => format!("email-{}", to.email.trim().to_lowercase()),
    }
}

/// A message's key: what it is, what it is about, the episode (a threshold and a date), and its
/// recipient, so each person gets each message once: `registration_due:staff-17:60:2027-01-30:user-5`.
pub fn key(kind: MessageKind, about: &str, episode: &str, to: &Recipient) -> String {
    format!("{}:{about}:{episode}:{}", kind.as_str(), recipient_key(to))
}

/// The weekly digest's key: the person and the ISO week, `weekly_digest:user-5:2026-W49`.
pub fn digest_key(user: UserId, today: NaiveDate) -> String {
    let week = today.iso_week();
    format!("{}:user-{}:{}-W{:02}", MessageKind::WeeklyDigest.as_str(), user.0, week.year(), week.week())
}

/// The Monday of `today`'s week, which the digest names.
pub fn week_starting(today: NaiveDate) -> NaiveDate {
    today - chrono::Days::new(u64::from(today.weekday().num_days_from_monday()))
}

/// The people a reminder about someone goes to: the person themselves (flagged true) and the
/// others, each once (an account, or an address, named once), the person first.
pub fn recipients(person: Option<Recipient>, others: &[Recipient]) -> Vec<(Recipient, bool)> {
    let (mut emails, mut users) = (HashSet::new(), HashSet::new());
    let mut found = Vec::new();
    for (to, own) in person.into_iter().map(|p| (p, true)).chain(others.iter().cloned().map(|o| (o, false))) {
        let email = to.email.trim().to_lowercase();
        if email.is_empty() || emails.contains(&email) || to.user.is_some_and(|u| users.contains(&u)) {
            continue;
        }
        emails.insert(email);
        users.extend(to.user);
        found.push((to, own));
    }
    found
}

/// The day's reminders sorted by people's choices.
#[derive(Debug, Default)]
pub struct Sorted {
    /// Sent as they are.
    pub singles: Vec<Reminder>,
    /// One digest per person who takes it, with the reminders it lists, on the digest day.
    pub digests: Vec<(Recipient, Vec<Reminder>)>,
    /// Left out: a kind the recipient turned off, or folded into a digest that is not sent today.
    pub held_back: usize,
}

/// Applies people's choices: a kind someone turned off is not sent to them; a manager who takes
/// the digest gets no single reminders, and on [`DIGEST_DAY`] one digest listing everything due for
/// them. Sign-off requests go whatever anyone chose, and always singly. Only managers (`managers`)
/// may take the digest; anyone else's digest flag is ignored.
pub fn sort_out(
    reminders: Vec<Reminder>,
    choices: &HashMap<UserId, Choices>,
    managers: &HashSet<UserId>,
    today: NaiveDate,
) -> Sorted {
    let mut sorted = Sorted::default();
    let mut digests: BTreeMap<UserId, (Recipient, Vec<Reminder>)> = BTreeMap::new();
    for reminder in reminders {
        let Some(kind) = reminder.kind.reminder() else {
            sorted.singles.push(reminder);
            continue;
        };
        let Some(user) = reminder.to.user else {
            sorted.singles.push(reminder);
            continue;
        };
        let chosen = choices.get(&user).cloned().unwrap_or_default();
        if !chosen.wants(kind) {
            sorted.held_back += 1;
        } else if chosen.digest && managers.contains(&user) {
            if today.weekday() != DIGEST_DAY {
                sorted.held_back += 1;
            }
            digests.entry(user).or_insert_with(|| (reminder.to.clone(), Vec::new())).1.push(reminder);
        } else {
            sorted.singles.push(reminder);
        }
    }
    if today.weekday() == DIGEST_DAY {
        sorted.digests = digests.into_values().collect();
    }
    sorted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::reminders::Choices;
    use crate::db::ProviderId;
    use crate::outbox::ReminderKind;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a real day")
    }

    fn user(id: i32) -> Recipient {
        Recipient { email: format!("u{id}@example.nhs.uk"), name: format!("User {id}"), user: Some(UserId(id)) }
    }

    fn reminder(kind: MessageKind, to: Recipient) -> Reminder {
        Reminder {
            kind,
            key: key(kind, "staff-1", "2027-01-01", &to),
            to,
            provider: Some(ProviderId(1)),
            provider_name: "Acme OH".into(),
            subject: kind.label().into(),
            template: "registration_due",
            context: tera::Context::new(),
            path: "/providers/1/workforce".into(),
        }
    }

    #[test]
    fn registration_thresholds_each_have_a_window_and_go_once() {
        let today = day(2026, 12, 7); // a Monday
        let on = |left: u64| today + chrono::Days::new(left);
        assert_eq!(threshold(on(61), today, REGISTRATION_THRESHOLDS), None);
        assert_eq!(threshold(on(60), today, REGISTRATION_THRESHOLDS), Some(60));
        assert_eq!(threshold(on(31), today, REGISTRATION_THRESHOLDS), Some(60));
        assert_eq!(threshold(on(30), today, REGISTRATION_THRESHOLDS), Some(30));
        assert_eq!(threshold(on(8), today, REGISTRATION_THRESHOLDS), Some(30));
        assert_eq!(threshold(on(7), today, REGISTRATION_THRESHOLDS), Some(7));
        assert_eq!(threshold(on(0), today, REGISTRATION_THRESHOLDS), Some(7));
        assert_eq!(threshold(today - chrono::Days::new(1), today, REGISTRATION_THRESHOLDS), None);
    }

    #[test]
    fn a_missed_day_still_sends_later_in_the_window_under_the_same_key() {
        let renewal = day(2027, 2, 1);
        let to = user(5);
        // 60 days before is 3 Dec 2026; a run on 10 Dec still falls in the 60-day window.
        let first = threshold(renewal, day(2026, 12, 3), REGISTRATION_THRESHOLDS);
        let late = threshold(renewal, day(2026, 12, 10), REGISTRATION_THRESHOLDS);
        assert_eq!(first, Some(60));
        assert_eq!(first, late);
        let k = |t: Option<i64>| {
            key(MessageKind::RegistrationDue, "staff-17", &format!("{}:{renewal}", t.unwrap_or(0)), &to)
        };
        assert_eq!(k(first), "registration_due:staff-17:60:2027-02-01:user-5");
        assert_eq!(k(first), k(late));
        assert_ne!(k(first), k(threshold(renewal, day(2027, 1, 2), REGISTRATION_THRESHOLDS)));
    }

    #[test]
    fn revalidation_and_arrangements_at_ninety_and_thirty_days() {
        let today = day(2026, 12, 2);
        assert_eq!(threshold(day(2027, 3, 2), today, REVALIDATION_THRESHOLDS), Some(90));
        assert_eq!(threshold(day(2027, 3, 3), today, REVALIDATION_THRESHOLDS), None);
        assert_eq!(threshold(day(2027, 1, 1), today, REVALIDATION_THRESHOLDS), Some(30));
        assert_eq!(threshold(day(2027, 1, 2), today, ARRANGEMENT_THRESHOLDS), Some(90));
        assert_eq!(threshold(today, today, ARRANGEMENT_THRESHOLDS), Some(30));
    }

    #[test]
    fn reviews_and_actions_are_due_then_overdue_the_day_after() {
        let today = day(2026, 12, 2);
        assert_eq!(evidence_review(day(2027, 1, 1), today), Some(MessageKind::EvidenceReviewDue));
        assert_eq!(evidence_review(day(2027, 1, 2), today), None);
        assert_eq!(evidence_review(today, today), Some(MessageKind::EvidenceReviewDue));
        assert_eq!(evidence_review(day(2026, 12, 1), today), Some(MessageKind::EvidenceReviewOverdue));
        assert_eq!(action(day(2026, 12, 9), today), Some(MessageKind::ActionDue));
        assert_eq!(action(day(2026, 12, 10), today), None);
        assert_eq!(action(day(2026, 12, 1), today), Some(MessageKind::ActionOverdue));
        assert!(customer_review_due(day(2027, 1, 1), today));
        assert!(customer_review_due(day(2026, 6, 1), today));
        assert!(!customer_review_due(day(2027, 1, 2), today));
    }

    #[test]
    fn a_cpd_shortfall_is_keyed_by_its_cycle_or_the_quarter() {
        let today = day(2026, 12, 2);
        assert_eq!(cpd_episode(Some(day(2027, 3, 31)), false, today), day(2027, 3, 31));
        assert_eq!(cpd_episode(Some(today), true, today), day(2026, 10, 1));
        assert_eq!(cpd_episode(None, false, day(2027, 2, 14)), day(2027, 1, 1));
    }

    #[test]
    fn the_digest_is_keyed_by_iso_week_and_names_its_monday() {
        assert_eq!(digest_key(UserId(5), day(2026, 11, 30)), "weekly_digest:user-5:2026-W49");
        assert_eq!(digest_key(UserId(5), day(2027, 1, 1)), "weekly_digest:user-5:2026-W53");
        assert_eq!(week_starting(day(2026, 12, 3)), day(2026, 11, 30));
        assert_eq!(week_starting(day(2026, 11, 30)), day(2026, 11, 30));
    }

    #[test]
    fn each_recipient_once_the_person_first() {
        let person = Recipient { email: "Alex@Example.nhs.uk".into(), name: "Alex".into(), user: Some(UserId(3)) };
        let by_address = Recipient { email: "alex@example.nhs.uk".into(), name: "Alex".into(), user: None };
        let found = recipients(Some(person.clone()), &[user(3), by_address, user(4), user(4)]);
        assert_eq!(
            found.iter().map(|(r, own)| (recipient_key(r), *own)).collect::<Vec<_>>(),
            vec![("user-3".to_string(), true), ("user-4".to_string(), false)]
        );
        let nobody = Recipient { email: " ".into(), name: "No address".into(), user: None };
        assert_eq!(recipients(Some(nobody), &[user(4)]).len(), 1);
    }

    #[test]
    fn choices_turn_kinds_off_and_fold_a_managers_reminders_into_mondays_digest() {
        let (monday, tuesday) = (day(2026, 11, 30), day(2026, 12, 1));
        let mut choices = HashMap::new();
        let mut off = Choices::default();
        off.turned_off.insert(ReminderKind::CpdShort);
        choices.insert(UserId(1), off);
        choices.insert(UserId(2), Choices { digest: true, ..Default::default() });
        choices.insert(UserId(3), Choices { digest: true, ..Default::default() });
        let managers: HashSet<UserId> = [UserId(2)].into();
        let day_of = || {
            vec![
                reminder(MessageKind::CpdShort, user(1)),
                reminder(MessageKind::AppraisalOverdue, user(1)),
                reminder(MessageKind::ActionDue, user(2)),
                reminder(MessageKind::ActionOverdue, user(2)),
                reminder(MessageKind::SignOffRequested, user(2)),
                reminder(MessageKind::ActionDue, user(3)),
            ]
        };
        let sorted = sort_out(day_of(), &choices, &managers, tuesday);
        let kinds: Vec<(MessageKind, Option<UserId>)> = sorted.singles.iter().map(|r| (r.kind, r.to.user)).collect();
        assert_eq!(
            kinds,
            vec![
                (MessageKind::AppraisalOverdue, Some(UserId(1))),
                (MessageKind::SignOffRequested, Some(UserId(2))),
                // Not a manager: the digest flag is ignored.
                (MessageKind::ActionDue, Some(UserId(3))),
            ]
        );
        assert!(sorted.digests.is_empty());
        assert_eq!(sorted.held_back, 3);
        let sorted = sort_out(day_of(), &choices, &managers, monday);
        assert_eq!(sorted.digests.len(), 1);
        assert_eq!(sorted.digests[0].0.user, Some(UserId(2)));
        assert_eq!(
            sorted.digests[0].1.iter().map(|r| r.kind).collect::<Vec<_>>(),
            vec![MessageKind::ActionDue, MessageKind::ActionOverdue]
        );
        assert_eq!(sorted.held_back, 1);
    }

    #[test]
    fn someone_without_an_account_gets_every_reminder() {
        let to = Recipient { email: "nurse@example.nhs.uk".into(), name: "Nurse".into(), user: None };
        let sorted =
            sort_out(vec![reminder(MessageKind::CpdShort, to)], &HashMap::new(), &HashSet::new(), day(2026, 12, 1));
        assert_eq!(sorted.singles.len(), 1);
    }
}
