//! What a live check judges (the provider's records on a day) and what it answers.

use chrono::{Months, NaiveDate};
use serde::Serialize;

pub use crate::assessment::model::Verdict;
pub use crate::assessment::rules::LiveFact;
use crate::catalogue::model::LiveCheck;
use crate::form::FieldErrors;

/// One check's answer on one day: the verdict, the facts behind it, and the table it read, which a
/// snapshot keeps as evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub check: LiveCheck,
    pub verdict: Verdict,
    /// The facts in one line, in the field's words: "2 registrations expired: S003, S009" when it
    /// fails, "All 14 registrations are current" when it holds, what is missing when the records
    /// cannot say.
    pub summary: String,
    /// The facts behind the verdict, each linking to its record: for a failing check, each failing
    /// record; for a holding one, what it rests on.
    pub facts: Vec<LiveFact>,
    /// Everything the check read, as a table.
    pub seen: Seen,
}

/// The records a check read, as a table with a title: what a snapshot keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seen {
    /// "Professional registrations of the clinicians in post".
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The longest reason an exception may give.
pub const EXCEPTION_REASON_LIMIT: usize = 2000;

/// How far ahead an exception may run: it is a reason to wait, not a way to stop looking.
pub const EXCEPTION_MONTHS: u32 = 12;

/// The form to record an exception to a failing check on one standard, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct ExceptionInput {
    /// The check's code, such as `workforce.registrations_current`.
    #[serde(default)]
    pub check: String,
    #[serde(default)]
    pub reason: String,
    /// The exception's last day.
    #[serde(default)]
    pub ends_on: String,
}

/// An exception ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewException {
    pub check: LiveCheck,
    pub reason: String,
    pub ends_on: NaiveDate,
}

impl ExceptionInput {
    /// The exception, or the problems by field: a known check, a reason within its limit, and a
    /// last day after `today` and at most [`EXCEPTION_MONTHS`] months ahead.
    pub fn parse(&self, today: NaiveDate) -> Result<NewException, FieldErrors> {
        let mut errors = FieldErrors::default();
        let check = LiveCheck::parse(&self.check);
        if check.is_none() {
            errors.add("check", "Choose the failing check the exception is for");
        }
        let reason = crate::form::required_text(
            &mut errors,
            "reason",
            &self.reason,
            EXCEPTION_REASON_LIMIT,
            "Say why the standard is met although the records fail, for example \"renewal submitted, \
             the regulator confirms it is being processed\"",
        );
        let ends_on = crate::form::required_date(
            &mut errors,
            "ends_on",
            &self.ends_on,
            "Enter the last day of the exception: it must end, so the check is looked at again",
        );
        let latest = today.checked_add_months(Months::new(EXCEPTION_MONTHS)).unwrap_or(today);
        if let Some(day) = ends_on {
            if day <= today {
                errors.add("ends_on", "The last day must be after today");
            } else if day > latest {
                errors.add(
                    "ends_on",
                    format!(
                        "An exception may run for at most {EXCEPTION_MONTHS} months: the last day can be {} at the latest",
                        crate::words::long_date(latest)
                    ),
                );
            }
        }
        errors.into_result()?;
        match (check, ends_on) {
            (Some(check), Some(ends_on)) => Ok(NewException { check, reason, ends_on }),
            _ => Err(FieldErrors::one("check", "Choose the failing check the exception is for")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn input(check: &str, reason: &str, ends_on: &str) -> ExceptionInput {
        ExceptionInput { check: check.into(), reason: reason.into(), ends_on: ends_on.into() }
    }

    #[test]
    fn an_exception_needs_a_check_a_reason_and_a_last_day_within_twelve_months() {
        let today = day(2026, 12, 2);
        let ok = input("workforce.registrations_current", " Renewal submitted ", "31/01/2027").parse(today).unwrap();
        assert_eq!(ok.check, LiveCheck::RegistrationsCurrent);
        assert_eq!((ok.reason.as_str(), ok.ends_on), ("Renewal submitted", day(2027, 1, 31)));
        let last = input("workforce.registrations_current", "r", "2027-12-02").parse(today);
        assert!(last.is_ok(), "twelve months to the day is allowed");

        let refused = input("nothing.like_this", "", "").parse(today).unwrap_err();
        assert_eq!(refused.0.keys().copied().collect::<Vec<_>>(), ["check", "ends_on", "reason"]);
        let today_again = input("workforce.registrations_current", "r", "02/12/2026").parse(today).unwrap_err();
        assert_eq!(today_again.get("ends_on"), Some("The last day must be after today"));
        let too_far = input("workforce.registrations_current", "r", "03/12/2027").parse(today).unwrap_err();
        assert!(too_far.get("ends_on").unwrap().contains("2 December 2027"), "{too_far}");
        let long = input("workforce.registrations_current", &"x".repeat(EXCEPTION_REASON_LIMIT + 1), "31/01/2027");
        assert!(long.parse(today).unwrap_err().get("reason").unwrap().contains("characters or fewer"));
    }
}
