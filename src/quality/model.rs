//! The quality indicator forms: a value for one period, the provider's own target, and the period
//! filter of the pages and the API. Each input keeps what was typed and has one `parse`.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::rules::{self, Figure, FigureField, Period};
use crate::catalogue::model::KpiUnit;
use crate::form::{self, FieldErrors};

/// A checked value for one period, ready to store.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewValue {
    pub period: Period,
    pub figure: Figure,
}

/// The form (and a CSV row) recording a value: the period's first and last days, and the figure.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ValueInput {
    pub period_start: String,
    pub period_end: String,
    pub numerator: String,
    pub denominator: String,
    pub value: String,
}

/// A whole number of cases, or None when blank.
pub fn count(errors: &mut FieldErrors, field: &'static str, text: &str) -> Option<u32> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<i32>() {
        Ok(n) if n >= 0 => Some(n.unsigned_abs()),
        Ok(_) => {
            errors.add(field, format!("{text} is negative: give a count of cases, 0 or more"));
            None
        }
        Err(_) => {
            errors.add(field, format!("{text:?} is not a whole number of cases"));
            None
        }
    }
}

/// A figure such as 92 or 2.5, or None when blank. Infinity and "not a number" are not figures.
pub fn decimal(errors: &mut FieldErrors, field: &'static str, text: &str) -> Option<f64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && text.chars().all(|c| c.is_ascii_digit() || c == '.' || c == '-') => Some(v),
        _ => {
            errors.add(field, format!("{text:?} is not a number: write it like 92 or 2.5"));
            None
        }
    }
}

fn figure_field(field: FigureField) -> &'static str {
    match field {
        FigureField::Numerator => "numerator",
        FigureField::Denominator => "denominator",
        FigureField::Value => "value",
    }
}

impl ValueInput {
    /// The value as given, checked against the KPI's unit: the period whole months, the figure in
    /// range, a rate's numerator at most its denominator.
    pub fn parse(&self, unit: KpiUnit) -> Result<NewValue, FieldErrors> {
        let mut errors = FieldErrors::default();
        let start =
            form::required_date(&mut errors, "period_start", &self.period_start, "Enter the period's first day");
        let end = form::required_date(&mut errors, "period_end", &self.period_end, "Enter the period's last day");
        let numerator = count(&mut errors, "numerator", &self.numerator);
        let denominator = count(&mut errors, "denominator", &self.denominator);
        let value = decimal(&mut errors, "value", &self.value);
        let period = match (start, end) {
            (Some(start), Some(end)) => match Period::new(start, end) {
                Ok(period) => Some(period),
                Err(why) => {
                    let field = if why.contains("starts on the 1st") { "period_start" } else { "period_end" };
                    errors.add(field, why);
                    None
                }
            },
            _ => None,
        };
        let figure = if errors.is_empty() {
            match rules::figure(unit, numerator, denominator, value) {
                Ok(figure) => Some(figure),
                Err(problems) => {
                    for (field, why) in problems {
                        errors.add(figure_field(field), why);
                    }
                    None
                }
            }
        } else {
            None
        };
        match (period, figure) {
            (Some(period), Some(figure)) if errors.is_empty() => Ok(NewValue { period, figure }),
            _ => Err(errors),
        }
    }
}

/// The form setting the provider's own target: a figure, or `default` (the "use the default"
/// button) to go back to the definition's.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct TargetInput {
    pub target: String,
    pub default: String,
}

impl TargetInput {
    /// Some(target) to set the provider's own, None to go back to the default.
    pub fn parse(&self, unit: KpiUnit) -> Result<Option<f64>, FieldErrors> {
        if !self.default.trim().is_empty() {
            return Ok(None);
        }
        let mut errors = FieldErrors::default();
        match decimal(&mut errors, "target", &self.target) {
            None if errors.is_empty() => {
                Err(FieldErrors::one("target", "Enter the target, or choose to use the default target"))
            }
            None => Err(errors),
            Some(target) => rules::check_target(unit, target).map(Some).map_err(|why| FieldErrors::one("target", why)),
        }
    }
}

/// The periods a page or the API shows: `?from=&to=`, each a month (2026-04) or a date, blank for
/// no limit. A value is shown when its period lies within them.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PeriodQuery {
    pub from: String,
    pub to: String,
}

/// The checked filter: periods starting on or after `from` and ending on or before `to`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeriodFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl PeriodFilter {
    pub fn contains(self, period: Period) -> bool {
        self.from.is_none_or(|from| period.start >= from) && self.to.is_none_or(|to| period.end <= to)
    }
}

fn month_or_date(errors: &mut FieldErrors, field: &'static str, text: &str, end_of_month: bool) -> Option<NaiveDate> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(first) = NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d") {
        let day = if end_of_month {
            first.checked_add_months(Months::new(1)).and_then(|d| d.pred_opt())
        } else {
            Some(first)
        };
        return day.and_then(|d| form::in_year_range(field, d).map_err(|e| errors.merge(e)).ok());
    }
    match form::parse_date(field, text) {
        Ok(day) => Some(day),
        Err(_) => {
            errors.add(field, format!("{text:?} is not a month or a date: write it like 2026-04 or 2026-04-30"));
            None
        }
    }
}

impl PeriodQuery {
    pub fn parse(&self) -> Result<PeriodFilter, FieldErrors> {
        let mut errors = FieldErrors::default();
        let from = month_or_date(&mut errors, "from", &self.from, false);
        let to = month_or_date(&mut errors, "to", &self.to, true);
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                errors.add("to", "the end of the range is before its start");
            }
        }
        errors.into_result().map(|()| PeriodFilter { from, to })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(start: &str, end: &str, n: &str, d: &str, v: &str) -> ValueInput {
        ValueInput {
            period_start: start.into(),
            period_end: end.into(),
            numerator: n.into(),
            denominator: d.into(),
            value: v.into(),
        }
    }

    #[test]
    fn a_value_is_read_with_its_counts_and_every_problem_at_its_field() {
        let good = input("01/04/2026", "2026-04-30", "46", "50", "").parse(KpiUnit::Percent).unwrap();
        assert_eq!(good.figure.value, 92.0);
        let bad = input("02/04/2026", "", "x", "-3", "NaN").parse(KpiUnit::Percent).unwrap_err();
        assert_eq!(bad.get("period_end"), Some("Enter the period's last day"));
        assert!(bad.get("numerator").unwrap().contains("not a whole number"));
        assert!(bad.get("denominator").unwrap().contains("negative"));
        assert!(bad.get("value").unwrap().contains("not a number"));
        let above = input("2026-04-01", "2026-04-30", "51", "50", "").parse(KpiUnit::Percent).unwrap_err();
        assert!(above.get("numerator").unwrap().contains("more than the denominator"));
        let inf = input("2026-04-01", "2026-04-30", "", "", "inf").parse(KpiUnit::Days).unwrap_err();
        assert!(inf.get("value").is_some());
        let exp = input("2026-04-01", "2026-04-30", "", "", "1e2").parse(KpiUnit::Days).unwrap_err();
        assert!(exp.get("value").is_some(), "1e2 is written as 100");
    }

    #[test]
    fn a_target_is_a_figure_in_range_or_the_default() {
        let own = TargetInput { target: "85".into(), default: String::new() };
        assert_eq!(own.parse(KpiUnit::Percent).unwrap(), Some(85.0));
        let back = TargetInput { target: "85".into(), default: "yes".into() };
        assert_eq!(back.parse(KpiUnit::Percent).unwrap(), None);
        assert!(TargetInput::default().parse(KpiUnit::Percent).unwrap_err().get("target").is_some());
        let over = TargetInput { target: "120".into(), default: String::new() };
        assert!(over.parse(KpiUnit::Percent).unwrap_err().get("target").unwrap().contains("from 0 to 100%"));
    }

    #[test]
    fn the_period_filter_reads_months_and_dates() {
        let q = PeriodQuery { from: "2026-04".into(), to: "2026-06".into() }.parse().unwrap();
        assert_eq!(q.from, NaiveDate::from_ymd_opt(2026, 4, 1));
        assert_eq!(q.to, NaiveDate::from_ymd_opt(2026, 6, 30));
        let april = Period::month(NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()).unwrap();
        let july = Period::month(NaiveDate::from_ymd_opt(2026, 7, 1).unwrap()).unwrap();
        assert!(q.contains(april) && !q.contains(july));
        assert!(PeriodQuery { from: "soon".into(), to: String::new() }.parse().is_err());
        assert!(PeriodQuery { from: "2026-06".into(), to: "2026-04".into() }.parse().is_err());
        assert_eq!(PeriodQuery::default().parse().unwrap(), PeriodFilter::default());
    }
}
