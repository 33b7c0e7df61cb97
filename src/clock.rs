//! The one clock: "today" is the date in Europe/London, whatever zone the server runs in, because
//! an NHS service's deadlines fall on UK days. A registration that lapses on 1 July has lapsed at
//! 00:30 BST, when UTC still says 30 June.
//!
//! The application state holds one [`Clock`]; tests set it to a moment of their choosing. Nothing
//! else reads the system clock for a date.
//!
//! The NHS counts its years from April: [`FinancialYear`] is that year, for the GMC's CPD year now
//! and the audit plans and quality reports next.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
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

/// The instant (UTC, as timestamps are stored) a day begins in Europe/London: history "from 30 March"
/// means from midnight in London, which is 23:00 UTC the day before in summer time.
pub fn london_day_starts(date: NaiveDate) -> chrono::NaiveDateTime {
    use chrono::TimeZone;
    let midnight = date.and_time(chrono::NaiveTime::MIN);
    // Midnight is never skipped in London (the clocks change at 01:00 and 02:00); the fallback
    // reads it as UTC should the rules ever change.
    London.from_local_datetime(&midnight).earliest().map_or(midnight, |start| start.naive_utc())
}

/// An NHS financial year, 1 April to 31 March. People read it "2026/27" (`Display`); URLs and JSON
/// write it "2026-27", which [`FromStr`] and serde read back and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FinancialYear {
    /// The calendar year its April falls in; always one whose 1 April and following 31 March the
    /// calendar holds, so the bounds below always exist.
    start: i32,
}

impl FinancialYear {
    /// The first and last years whose both ends fit chrono's calendar.
    fn range() -> std::ops::RangeInclusive<i32> {
        NaiveDate::MIN.year()..=NaiveDate::MAX.year() - 1
    }

    /// The year starting in April of `year`; None beyond the calendar's range.
    pub fn starting_in(year: i32) -> Option<Self> {
        Self::range().contains(&year).then_some(FinancialYear { start: year })
    }

    /// The year a day falls in: from 1 April, the one starting that April; up to 31 March, the one
    /// that started the April before. (At the very ends of the calendar, the nearest year.)
    pub fn containing(date: NaiveDate) -> Self {
        let start = if date.month() >= 4 { date.year() } else { date.year() - 1 };
        let range = Self::range();
        FinancialYear { start: start.clamp(*range.start(), *range.end()) }
    }

    /// 1 April: the year's first day.
    pub fn starts_on(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.start, 4, 1).unwrap_or(NaiveDate::MIN)
    }

    /// 31 March: the year's last day, which it includes.
    pub fn ends_on(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.start + 1, 3, 31).unwrap_or(NaiveDate::MAX)
    }

    /// Whether a day falls in the year, both ends included.
    pub fn contains(self, date: NaiveDate) -> bool {
        self.starts_on() <= date && date <= self.ends_on()
    }

    /// The calendar year its April falls in.
    pub fn start_year(self) -> i32 {
        self.start
    }

    /// The form URLs and JSON use: "2026-27".
    pub fn url(self) -> String {
        format!("{}-{:02}", self.start, (self.start + 1).rem_euclid(100))
    }
}

/// "2026/27", as the NHS writes it.
impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}", self.start, (self.start + 1).rem_euclid(100))
    }
}

/// Why a text is not a financial year, in words to show as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotAFinancialYear(String);

/// Reads the URL form, "2026-27", only: four digits for the year April falls in, a hyphen, and the
/// last two digits of the next year.
impl FromStr for FinancialYear {
    type Err = NotAFinancialYear;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let shape = || NotAFinancialYear(format!("{text:?} is not a financial year: write it like 2026-27"));
        let (first, second) = text.split_once('-').ok_or_else(shape)?;
        let digits = |part: &str, length: usize| part.len() == length && part.bytes().all(|b| b.is_ascii_digit());
        if !digits(first, 4) || !digits(second, 2) {
            return Err(shape());
        }
        let start: i32 = first.parse().map_err(|_| shape())?;
        let year = FinancialYear::starting_in(start).ok_or_else(shape)?;
        let expected = year.url();
        if expected != text {
            return Err(NotAFinancialYear(format!(
                "{text:?} is not a financial year: the year from April {start} is {expected}"
            )));
        }
        Ok(year)
    }
}

impl serde::Serialize for FinancialYear {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.url())
    }
}

impl<'de> serde::Deserialize<'de> for FinancialYear {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_london_day_starts_at_23_00_utc_the_day_before_in_summer_time() {
        let day = |d: u32, m: u32| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert_eq!(london_day_starts(day(1, 7)), day(30, 6).and_hms_opt(23, 0, 0).unwrap());
        assert_eq!(london_day_starts(day(1, 12)), day(1, 12).and_hms_opt(0, 0, 0).unwrap());
        assert_eq!(
            london_day_starts(day(29, 3)),
            day(29, 3).and_hms_opt(0, 0, 0).unwrap(),
            "the clocks go on at 01:00"
        );
    }

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

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn year(start: i32) -> FinancialYear {
        FinancialYear::starting_in(start).unwrap()
    }

    #[test]
    fn the_31st_of_march_ends_a_financial_year_and_the_1st_of_april_starts_the_next() {
        assert_eq!(FinancialYear::containing(day(2027, 3, 31)), year(2026));
        assert_eq!(FinancialYear::containing(day(2027, 4, 1)), year(2027));
        assert_eq!(FinancialYear::containing(day(2026, 4, 1)), year(2026));
        assert_eq!(FinancialYear::containing(day(2026, 3, 31)), year(2025));
        assert_eq!(FinancialYear::containing(day(2026, 12, 31)), year(2026));
        assert_eq!(FinancialYear::containing(day(2027, 1, 1)), year(2026));
        assert_eq!(year(2026).starts_on(), day(2026, 4, 1));
        assert_eq!(year(2026).ends_on(), day(2027, 3, 31));
        assert!(year(2026).contains(day(2026, 4, 1)) && year(2026).contains(day(2027, 3, 31)));
        assert!(!year(2026).contains(day(2026, 3, 31)) && !year(2026).contains(day(2027, 4, 1)));
    }

    #[test]
    fn a_leap_day_falls_in_the_year_that_began_the_april_before() {
        assert_eq!(FinancialYear::containing(day(2028, 2, 29)), year(2027));
        assert!(year(2027).contains(day(2028, 2, 29)));
        assert_eq!(year(2027).ends_on(), day(2028, 3, 31));
        assert_eq!((year(2027).ends_on() - year(2027).starts_on()).num_days(), 365, "366 days in all");
        assert_eq!((year(2026).ends_on() - year(2026).starts_on()).num_days(), 364, "365 days in all");
        // 2100 is no leap year: February 2101 is plain too, and the year still ends on 31 March.
        assert_eq!(year(2100).ends_on(), day(2101, 3, 31));
        assert_eq!(FinancialYear::containing(day(2000, 2, 29)), year(1999));
    }

    #[test]
    fn shown_as_2026_27_and_written_2026_27_in_urls() {
        assert_eq!(year(2026).to_string(), "2026/27");
        assert_eq!(year(2026).url(), "2026-27");
        assert_eq!(year(1999).to_string(), "1999/00", "across a century");
        assert_eq!(year(2009).url(), "2009-10");
        assert_eq!("2026-27".parse::<FinancialYear>(), Ok(year(2026)));
        assert_eq!("1999-00".parse::<FinancialYear>(), Ok(year(1999)));
        assert_eq!(serde_json::to_string(&year(2026)).unwrap(), "\"2026-27\"");
        assert_eq!(serde_json::from_str::<FinancialYear>("\"2026-27\"").unwrap(), year(2026));
        assert!(year(2025) < year(2026));
    }

    #[test]
    fn any_other_form_is_refused_with_a_message_saying_how_to_write_it() {
        for text in
            ["2026/27", "2026-2027", "26-27", "2026", "", " 2026-27", "2026-27 ", "２０２６-27", "+202-27", "abcd-ef"]
        {
            let error = text.parse::<FinancialYear>().expect_err(text);
            assert!(error.to_string().contains("write it like 2026-27"), "{text:?}: {error}");
        }
        let error = "2026-28".parse::<FinancialYear>().unwrap_err();
        assert_eq!(error.to_string(), "\"2026-28\" is not a financial year: the year from April 2026 is 2026-27");
        assert!(serde_json::from_str::<FinancialYear>("\"2026/27\"").is_err());
    }

    #[test]
    fn the_calendar_s_ends_give_the_nearest_year_not_a_panic() {
        let first = FinancialYear::containing(NaiveDate::MIN);
        assert!(first.starts_on() >= NaiveDate::MIN && first.ends_on() > first.starts_on());
        let last = FinancialYear::containing(NaiveDate::MAX);
        assert!(last.ends_on() <= NaiveDate::MAX && last.ends_on() > last.starts_on());
        assert_eq!(FinancialYear::starting_in(NaiveDate::MAX.year()), None);
    }
}
