//! The one clock: "today" is the date in Europe/London, whatever zone the server runs in, because
//! an NHS service's deadlines fall on UK days. A registration that lapses on 1 July has lapsed at
//! 00:30 BST, when UTC still says 30 June.
//!
//! The application state holds one [`Clock`]; tests set it to a moment of their choosing. Nothing
//! else reads the system clock for a date.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Europe::London;

/// The time the product goes by. Cheap to clone: clones share one setting, so a test that moves
/// the clock moves it for the running application too.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// None: the system's time. Some: a moment fixed by a test or a benchmark.
    fixed: Arc<RwLock<Option<DateTime<Utc>>>>,
}

impl Clock {
    /// The system's time.
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock stopped at one moment.
    pub fn fixed_at(at: DateTime<Utc>) -> Self {
        Clock { fixed: Arc::new(RwLock::new(Some(at))) }
    }

    /// Stops the clock at `at` (tests and benchmarks).
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut fixed) = self.fixed.write() {
            *fixed = Some(at);
        }
    }

    /// The instant now, in UTC: what timestamps record.
    pub fn now(&self) -> DateTime<Utc> {
        self.fixed.read().ok().and_then(|fixed| *fixed).unwrap_or_else(Utc::now)
    }

    /// Today in Europe/London: the day every rule judges by and every form starts from.
    pub fn today(&self) -> NaiveDate {
        london_date(self.now())
    }

    /// The day `days` from today (negative: before), for demo data and forms' defaults.
    pub fn days_from_today(&self, days: i64) -> NaiveDate {
        self.today() + Duration::days(days)
    }
}

/// The date in Europe/London at an instant.
pub fn london_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&London).date_naive()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn late_on_30_june_utc_is_already_1_july_in_london() {
        let clock = Clock::fixed_at(Utc.with_ymd_and_hms(2026, 6, 30, 23, 30, 0).unwrap());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
    }

    #[test]
    fn in_winter_london_keeps_utc_s_date() {
        let clock = Clock::fixed_at(Utc.with_ymd_and_hms(2026, 12, 31, 23, 30, 0).unwrap());
        assert_eq!(clock.today(), NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
    }

    #[test]
    fn a_clone_follows_the_clock_it_came_from() {
        let clock = Clock::fixed_at(Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap());
        let held = clock.clone();
        clock.set(Utc.with_ymd_and_hms(2027, 3, 1, 12, 0, 0).unwrap());
        assert_eq!(held.today(), NaiveDate::from_ymd_opt(2027, 3, 1).unwrap());
    }
}
