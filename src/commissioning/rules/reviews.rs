//! When a customer review is due. The NHS sector standard asks for one every six months.

use chrono::{Months, NaiveDate};

/// Months between customer reviews.
pub const REVIEW_EVERY_MONTHS: u32 = 6;

/// The day the next customer review falls due: six months after the last confirmed one, or six
/// months after the contract started when none has been held. None: no current contract.
pub fn review_due(last_confirmed: Option<NaiveDate>, contracted_since: Option<NaiveDate>) -> Option<NaiveDate> {
    let from = last_confirmed.or(contracted_since)?;
    from.checked_add_months(Months::new(REVIEW_EVERY_MONTHS))
}

/// A review is overdue the day after it fell due: more than six months since the last confirmed
/// review (or since the contract started), which both sides' pages show.
pub fn review_overdue(
    last_confirmed: Option<NaiveDate>,
    contracted_since: Option<NaiveDate>,
    today: NaiveDate,
) -> bool {
    review_due(last_confirmed, contracted_since).is_some_and(|due| today > due)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a real day")
    }

    #[test]
    fn a_review_is_due_six_months_after_the_last_and_overdue_the_day_after() {
        let last = Some(day(2026, 5, 31));
        assert_eq!(review_due(last, Some(day(2024, 4, 1))), Some(day(2026, 11, 30)));
        assert!(!review_overdue(last, None, day(2026, 11, 30)));
        assert!(review_overdue(last, None, day(2026, 12, 1)));
    }

    #[test]
    fn without_a_review_the_first_falls_due_six_months_into_the_contract() {
        assert_eq!(review_due(None, Some(day(2026, 4, 1))), Some(day(2026, 10, 1)));
        assert!(review_overdue(None, Some(day(2026, 4, 1)), day(2026, 10, 2)));
        assert!(!review_overdue(None, None, day(2026, 10, 2)));
    }
}
