//! What every form and every import shares: problems kept by field, and the readers of dates and
//! bounded text that turn what a person typed into a typed value or a message at that field.
//!
//! Plumbing: it knows nothing of any area, so every area (and the command line) reads input the
//! same way and says the same words when it is wrong.

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// Problems with submitted input, by field, in words a form or a command can show as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(pub BTreeMap<&'static str, String>);

impl FieldErrors {
    /// Keeps the first problem found for a field: it is the one to fix first.
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.entry(field).or_insert_with(|| message.into());
    }

    /// One problem at one field, for a refusal found outside a form's own checks.
    pub fn one(field: &'static str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, message);
        errors
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message at a field, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// Adds every problem of another check, keeping any already found at the same field.
    pub fn merge(&mut self, other: FieldErrors) {
        other.0.into_iter().for_each(|(field, message)| self.add(field, message));
    }

    /// Takes validator's findings for the named fields, keeping the message written on each rule.
    pub fn absorb(&mut self, errors: validator::ValidationErrors, fields: &[&'static str]) {
        for (field, problems) in errors.field_errors() {
            let Some(name) = fields.iter().find(|f| **f == field.as_ref()) else { continue };
            if let Some(problem) = problems.first() {
                let message =
                    problem.message.as_ref().map(|m| m.to_string()).unwrap_or_else(|| format!("{field} is not valid"));
                self.add(name, message);
            }
        }
    }

    /// Ok when nothing was found, so a parse can end with `errors.into_result()?`.
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines: Vec<String> = self.0.iter().map(|(field, message)| format!("{field}: {message}")).collect();
        write!(f, "{}", lines.join("; "))
    }
}

impl std::error::Error for FieldErrors {}

/// The first and last years a date may have. Beyond them a date is a typing mistake (`+10000`,
/// `-0001`), and one the pages could not draw.
pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2100;

/// What is said of a date outside [`FIRST_YEAR`]..=[`LAST_YEAR`].
pub const YEAR_RANGE_MESSAGE: &str = "Enter a year from 1900 to 2100";

/// `date`, if its year is from [`FIRST_YEAR`] to [`LAST_YEAR`]; else the field's error.
pub fn in_year_range(field: &'static str, date: NaiveDate) -> Result<NaiveDate, FieldErrors> {
    use chrono::Datelike;
    if (FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(FieldErrors::one(field, YEAR_RANGE_MESSAGE))
    }
}

/// The two ways a date may be written, as every date field's hint and every date error say them
/// (`templates/macros.html`'s `date` macro carries the same words).
pub const DATE_FORMS: &str = "23/11/2026 or 2026-11-23";

/// Reads a UK or ISO date from a form, a file or a command line, in the years 1900 to 2100.
pub fn parse_date(field: &'static str, value: &str) -> Result<NaiveDate, FieldErrors> {
    let value = value.trim();
    let date = NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(value, "%d/%m/%Y"))
        .map_err(|_| FieldErrors::one(field, format!("{value:?} is not a date: write it like {DATE_FORMS}")))?;
    in_year_range(field, date)
}

/// A stored date as an edit form shows it, "23/11/2026": the form UK readers write, which
/// [`parse_date`] reads back. The one place a form is pre-filled from a date.
pub fn form_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// [`form_date`] of a date that may be missing: blank when it is.
pub fn form_date_or_blank(date: Option<NaiveDate>) -> String {
    date.map(form_date).unwrap_or_default()
}

/// A date field that may be left blank: None when blank, and when bad, with the problem added to
/// `errors` so every field is reported at once.
pub fn optional_date(errors: &mut FieldErrors, field: &'static str, value: &str) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        return None;
    }
    match parse_date(field, value) {
        Ok(day) => Some(day),
        Err(bad) => {
            errors.merge(bad);
            None
        }
    }
}

/// A date that must be given: `missing` is said when it is blank.
pub fn required_date(errors: &mut FieldErrors, field: &'static str, value: &str, missing: &str) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        errors.add(field, missing);
        return None;
    }
    optional_date(errors, field, value)
}

/// Choices in words, as a sentence lists them: "A, B or C".
pub fn in_words(choices: &[&str]) -> String {
    match choices {
        [] => String::new(),
        [only] => only.to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// What is said of a closed list's choice that is missing or not in the list, in the field's own
/// words: "Choose a discipline" when nothing was chosen; otherwise the value given and the choices
/// by their labels, never their codes. `list` names the list ("discipline"); every `vocabulary!`
/// type says it through here (its `refusal`), so every closed list says it the same way.
pub fn choice_refusal(list: &str, given: &str, labels: &[&str]) -> String {
    let article = if list.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    match given.trim() {
        "" => format!("Choose {article} {list}"),
        given => format!("{given:?} is not {article} {list}: choose {}", in_words(labels)),
    }
}

/// A closed list's codes with their labels, "oh_nurse (OH nurse), …": what an import file may hold,
/// said with the words a person knows the choice by.
pub fn codes_with_labels(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(code, label)| format!("{code} ({label})")).collect::<Vec<_>>().join(", ")
}

/// Text that must be given and fit its limit (counted in characters, not bytes); trimmed.
pub fn required_text(
    errors: &mut FieldErrors,
    field: &'static str,
    value: &str,
    limit: usize,
    missing: &str,
) -> String {
    let value = value.trim();
    if value.is_empty() {
        errors.add(field, missing);
    } else if value.chars().count() > limit {
        errors.add(field, format!("Must be {limit} characters or fewer"));
    }
    value.to_string()
}

/// Text that may be left blank (None) and must fit its limit when given; trimmed.
pub fn optional_text(errors: &mut FieldErrors, field: &'static str, value: &str, limit: usize) -> Option<String> {
    let value = value.trim();
    if value.chars().count() > limit {
        errors.add(field, format!("Must be {limit} characters or fewer"));
    }
    (!value.is_empty()).then(|| value.to_string())
}

/// Long text (a narrative, a note) that says how far over its limit it is, since a person has to
/// cut it; trimmed. `what` names it in the message ("The narrative").
pub fn limited_text(errors: &mut FieldErrors, field: &'static str, value: &str, limit: usize, what: &str) -> String {
    let count = value.chars().count();
    if count > limit {
        errors.add(field, format!("{what} must be {limit} characters or fewer; it has {count}"));
    }
    value.trim().to_string()
}

/// The longest reason a withdrawal may give.
pub const WITHDRAWAL_REASON_LIMIT: usize = 1000;

/// A manager's form to withdraw a record entered by mistake (a finding, an evidence item, a CPD
/// entry, a supervision note). Nothing is deleted: the record stays, marked withdrawn with this
/// reason, in the history; it simply stops being counted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct WithdrawalInput {
    #[serde(default)]
    pub reason: String,
}

impl WithdrawalInput {
    /// The reason, trimmed: required, so that whoever reads the history later knows why.
    pub fn parse(&self) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::default();
        let reason = required_text(
            &mut errors,
            "reason",
            &self.reason,
            WITHDRAWAL_REASON_LIMIT,
            "Say why it is withdrawn, for example \"entered against the wrong standard\"",
        );
        errors.into_result().map(|()| reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_iso_and_uk_forms() {
        let day = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        assert_eq!(parse_date("d", "2026-04-01").unwrap(), day);
        assert_eq!(parse_date("d", " 01/04/2026 ").unwrap(), day);
        assert!(parse_date("d", "1 April").unwrap_err().get("d").unwrap().contains("is not a date"));
    }

    #[test]
    fn a_date_error_repeats_both_forms_and_forms_are_prefilled_the_uk_way() {
        let errors = parse_date("d", "23rd Nov").unwrap_err();
        let message = errors.get("d").unwrap();
        assert!(message.contains("23/11/2026") && message.contains("2026-11-23"), "{message}");
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(form_date(day), "23/11/2026");
        assert_eq!(parse_date("d", &form_date(day)).unwrap(), day, "what is pre-filled reads back");
        assert_eq!(form_date_or_blank(None), "");
        let first = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        assert_eq!(form_date(first), "01/04/2026");
    }

    #[test]
    fn the_date_macro_gives_the_same_hint_as_the_errors() {
        let macros = include_str!("../templates/macros.html");
        assert!(macros.contains(&format!("For example, {DATE_FORMS}")), "the date macro's hint says {DATE_FORMS}");
    }

    #[test]
    fn dates_are_accepted_only_from_1900_to_2100() {
        for accepted in ["1900-01-01", "2100-12-31", "01/01/1900", "31/12/2100"] {
            assert!(parse_date("d", accepted).is_ok(), "{accepted}");
        }
        for refused in
            ["1899-12-31", "2101-01-01", "+10000-01-01", "+262142-12-31", "-0001-01-01", "31/12/1899", "01/01/2101"]
        {
            let errors = parse_date("d", refused).expect_err(refused);
            assert_eq!(errors.get("d"), Some(YEAR_RANGE_MESSAGE), "{refused}");
        }
    }

    #[test]
    fn text_limits_count_characters_not_bytes() {
        let mut errors = FieldErrors::default();
        assert_eq!(optional_text(&mut errors, "name", " Siân ", 4), Some("Siân".into()));
        assert!(errors.is_empty(), "four characters, five bytes");
        assert_eq!(optional_text(&mut errors, "notes", "   ", 4), None);
        required_text(&mut errors, "title", "", 10, "Enter a title");
        assert_eq!(errors.get("title"), Some("Enter a title"));
    }

    #[test]
    fn a_withdrawal_needs_a_reason() {
        let blank = WithdrawalInput { reason: "   ".into() };
        assert!(blank.parse().unwrap_err().get("reason").unwrap().starts_with("Say why"));
        let long = WithdrawalInput { reason: "x".repeat(WITHDRAWAL_REASON_LIMIT + 1) };
        assert!(long.parse().is_err());
        let given = WithdrawalInput { reason: " Entered twice ".into() };
        assert_eq!(given.parse().unwrap(), "Entered twice");
    }

    #[test]
    fn a_refused_choice_is_named_in_words() {
        assert_eq!(choice_refusal("discipline", "  ", &["A", "B"]), "Choose a discipline");
        assert_eq!(choice_refusal("organisation type", "", &["A"]), "Choose an organisation type");
        assert_eq!(
            choice_refusal("tier", "x", &["Specialist", "Clinical", "Non-clinical"]),
            "\"x\" is not a tier: choose Specialist, Clinical or Non-clinical"
        );
        assert_eq!(
            codes_with_labels(&[("gmc", "GMC"), ("none", "Not registered")]),
            "gmc (GMC), none (Not registered)"
        );
    }

    #[test]
    fn the_first_problem_at_a_field_is_kept() {
        let mut errors = FieldErrors::one("date", "first");
        errors.merge(FieldErrors::one("date", "second"));
        assert_eq!(errors.get("date"), Some("first"));
    }
}
