//! Whether cover holds on a given day. Pure.

use chrono::NaiveDate;
use serde::Serialize;

use super::model::Delivery;

/// An arrangement ending within this many days is flagged.
pub const EXPIRY_WARNING_DAYS: i64 = 90;

crate::vocabulary! {
    /// A coverage row's state today. An expired arrangement is a gap in the totals; a core service
    /// delivered only in part is neither covered nor a gap.
    pub enum CoverageState {
        Covered => ("covered", "Covered"),
        Partial => ("partial", "Partly"),
        Arrangement => ("arrangement", "Covered by arrangement"),
        Expiring => ("expiring", "Arrangement ends within 90 days"),
        Expired => ("expired", "Arrangement expired"),
        Gap => ("gap", "Gap"),
    }
    name = "coverage state", stored_in = [];
}

impl CoverageState {
    /// Staff can reach the whole service today. A partly delivered one is not covered.
    pub fn is_covered(self) -> bool {
        matches!(self, CoverageState::Covered | CoverageState::Arrangement | CoverageState::Expiring)
    }

    /// Staff cannot reach the service at all today: a gap or an expired arrangement.
    pub fn is_gap(self) -> bool {
        matches!(self, CoverageState::Expired | CoverageState::Gap)
    }
}

/// The state of a row on `today`. The end date is the last day covered: the arrangement still
/// covers on that day and has expired the day after. One not yet begun does not cover.
pub fn state(
    delivery: Option<Delivery>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    today: NaiveDate,
) -> CoverageState {
    match delivery {
        Some(Delivery::InHouse) => CoverageState::Covered,
        Some(Delivery::Partial) => CoverageState::Partial,
        Some(Delivery::Arrangement) => {
            if starts_on.is_some_and(|starts| today < starts) {
                return CoverageState::Gap;
            }
            match ends_on {
                Some(ends) if today > ends => CoverageState::Expired,
                Some(ends) if (ends - today).num_days() <= EXPIRY_WARNING_DAYS => CoverageState::Expiring,
                _ => CoverageState::Arrangement,
            }
        }
        Some(Delivery::NotAvailable) | None => CoverageState::Gap,
    }
}

/// Counts of each state, expired arrangements counted with the gaps as well.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub covered: usize,
    /// Core services delivered only in part: neither covered nor gaps.
    pub partial: usize,
    pub arrangement: usize,
    pub expiring: usize,
    pub expired: usize,
    pub gap: usize,
    /// Rows staff cannot reach today: gaps and expired arrangements.
    pub not_covered: usize,
}

/// The figures of the coverage page, each the name of the rows it counts (`?show=` on the page),
/// so a figure and the list it links to are one decision.
pub fn in_figure(figure: &str, state: CoverageState) -> bool {
    match figure {
        "covered" => state == CoverageState::Covered,
        "arrangement" => matches!(state, CoverageState::Arrangement | CoverageState::Expiring),
        "partial" => state == CoverageState::Partial,
        "expiring" => state == CoverageState::Expiring,
        "not_covered" => state.is_gap(),
        _ => true,
    }
}

/// Counts the rows' states for the page's figures and the API.
pub fn totals(states: impl IntoIterator<Item = CoverageState>) -> Totals {
    let mut totals = Totals::default();
    for state in states {
        match state {
            CoverageState::Covered => totals.covered += 1,
            CoverageState::Partial => totals.partial += 1,
            CoverageState::Arrangement => totals.arrangement += 1,
            CoverageState::Expiring => totals.expiring += 1,
            CoverageState::Expired => totals.expired += 1,
            CoverageState::Gap => totals.gap += 1,
        }
        if state.is_gap() {
            totals.not_covered += 1;
        }
    }
    totals
}

#[cfg(test)]
mod tests {
    use super::*;
    use CoverageState::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn arrangement(ends: Option<NaiveDate>, today: NaiveDate) -> CoverageState {
        state(Some(Delivery::Arrangement), Some(day(2025, 4, 1)), ends, today)
    }

    #[test]
    fn the_end_date_is_the_last_day_covered() {
        let ends = day(2027, 3, 31);
        assert_eq!(arrangement(Some(ends), day(2027, 3, 30)), Expiring);
        assert_eq!(arrangement(Some(ends), ends), Expiring, "still covered on its last day");
        assert_eq!(arrangement(Some(ends), day(2027, 4, 1)), Expired, "gone the day after");
    }

    #[test]
    fn expiring_starts_ninety_days_before_the_end() {
        let ends = day(2027, 3, 31);
        assert_eq!(arrangement(Some(ends), ends - chrono::Duration::days(91)), Arrangement);
        assert_eq!(arrangement(Some(ends), ends - chrono::Duration::days(90)), Expiring);
        assert_eq!(arrangement(None, day(2030, 1, 1)), Arrangement, "open-ended");
        assert_eq!(arrangement(Some(day(2028, 2, 29)), day(2027, 12, 1)), Expiring, "90 days across a leap day");
    }

    #[test]
    fn in_house_partial_and_missing_rows() {
        let today = day(2026, 11, 23);
        assert_eq!(state(Some(Delivery::InHouse), None, None, today), Covered);
        assert_eq!(state(Some(Delivery::Partial), None, None, today), Partial);
        assert_eq!(state(Some(Delivery::NotAvailable), None, None, today), Gap);
        assert_eq!(state(None, None, None, today), Gap);
        assert_eq!(state(Some(Delivery::Arrangement), Some(day(2026, 11, 24)), None, today), Gap, "not begun");
        assert_eq!(state(Some(Delivery::Arrangement), Some(today), None, today), Arrangement, "begins today");
    }

    #[test]
    fn expired_arrangements_count_as_gaps() {
        let totals = totals([Covered, Arrangement, Expiring, Expired, Gap, Gap]);
        assert_eq!(
            totals,
            Totals { covered: 1, partial: 0, arrangement: 1, expiring: 1, expired: 1, gap: 2, not_covered: 3 }
        );
    }

    #[test]
    fn partial_is_neither_covered_nor_a_gap() {
        assert!(!Partial.is_covered(), "a partly delivered service is not covered");
        assert!(!Partial.is_gap(), "nor is it a gap");
        assert_eq!(Partial.as_str(), "partial");
        assert_eq!(Partial.label(), "Partly");
        let totals = totals([Covered, Partial, Partial, Gap]);
        assert_eq!(
            totals,
            Totals { covered: 1, partial: 2, arrangement: 0, expiring: 0, expired: 0, gap: 1, not_covered: 1 }
        );
    }
}
