//! When a document needs review. Pure, so the library and the readiness figures judge alike.

use chrono::NaiveDate;
use serde::Serialize;

use crate::accounts::access::Capability;

/// What downloading a file needs: one holding patient-identifiable data goes only to those who
/// manage the service, any other to whoever reads the evidence. The download route authorises
/// with it, and every link to a download is shown by it.
pub fn download_needs(contains_patient_data: bool) -> Capability {
    if contains_patient_data {
        Capability::Manage
    } else {
        Capability::ReadAssessment
    }
}

/// Evidence due for review within this many days is shown as due soon.
pub const REVIEW_WARNING_DAYS: i64 = 60;

/// Where an evidence item stands on its review date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    Current,
    DueSoon,
    Overdue,
}

/// Past its review date the day after the date; due soon from 60 days before it.
pub fn review_state(review_due: Option<NaiveDate>, today: NaiveDate) -> ReviewState {
    match review_due {
        Some(due) if due < today => ReviewState::Overdue,
        Some(due) if (due - today).num_days() <= REVIEW_WARNING_DAYS => ReviewState::DueSoon,
        _ => ReviewState::Current,
    }
}

/// The confirmation of a new item: "Evidence added and linked to RP1 and RP3".
pub fn added(links: &[String]) -> String {
    if links.is_empty() {
        "Evidence added, not yet linked to any standard".into()
    } else {
        format!("Evidence added and linked to {}", crate::words::listed(links))
    }
}

/// The confirmation of an item's links, as they now stand: "Linked to RP1 and RP3".
pub fn linked(links: &[String]) -> String {
    if links.is_empty() {
        "No longer linked to any standard".into()
    } else {
        format!("Linked to {}", crate::words::listed(links))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confirmations_name_the_standards_linked() {
        let links = vec!["RP1".to_string(), "RP3".to_string()];
        assert_eq!(added(&links), "Evidence added and linked to RP1 and RP3");
        assert_eq!(added(&[]), "Evidence added, not yet linked to any standard");
        assert_eq!(linked(&links[..1]), "Linked to RP1");
        assert_eq!(linked(&[]), "No longer linked to any standard");
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn review_dates_turn_due_soon_at_sixty_days_and_overdue_the_day_after() {
        let today = day(2026, 11, 23);
        assert_eq!(review_state(None, today), ReviewState::Current);
        assert_eq!(review_state(Some(today + chrono::Duration::days(61)), today), ReviewState::Current);
        assert_eq!(review_state(Some(today + chrono::Duration::days(60)), today), ReviewState::DueSoon);
        assert_eq!(review_state(Some(today), today), ReviewState::DueSoon, "due today is not yet overdue");
        assert_eq!(review_state(Some(day(2026, 11, 22)), today), ReviewState::Overdue);
    }
}
