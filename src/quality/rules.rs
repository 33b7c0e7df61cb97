//! The quality indicators' decisions, pure: what a period is, the range a unit allows, how a rate's
//! figure follows from its numerator and denominator, which target applies, and whether it is met.
//! Every refusal says its reason in words.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use crate::catalogue::model::KpiUnit;

/// The span a value covers: a calendar month, or a quarter of three whole calendar months (any
/// three in a row, so a service reporting by financial or by calendar quarter is served alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// Whether a period is a month or a quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Month,
    Quarter,
}

fn last_day_of_month(first: NaiveDate, months: u32) -> Option<NaiveDate> {
    first.checked_add_months(Months::new(months))?.pred_opt()
}

impl Period {
    /// A period from its first and last days, or why it is not one.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Period, String> {
        if start.day() != 1 {
            return Err(format!(
                "a period starts on the 1st of a month: {} is not (a month or a quarter is recorded whole)",
                start.format("%-d %B %Y")
            ));
        }
        if end < start {
            return Err("the period ends before it starts".into());
        }
        if Some(end) == last_day_of_month(start, 1) || Some(end) == last_day_of_month(start, 3) {
            Ok(Period { start, end })
        } else {
            Err(format!(
                "a period is a calendar month ({} to {}) or a quarter of three whole months ({} to {})",
                start.format("%-d %B"),
                last_day_of_month(start, 1).unwrap_or(start).format("%-d %B"),
                start.format("%-d %B"),
                last_day_of_month(start, 3).unwrap_or(start).format("%-d %B %Y"),
            ))
        }
    }

    /// The calendar month starting on `first` (which must be a 1st).
    pub fn month(first: NaiveDate) -> Option<Period> {
        Period::new(first, last_day_of_month(first, 1)?).ok()
    }

    pub fn kind(self) -> PeriodKind {
        if Some(self.end) == last_day_of_month(self.start, 1) {
            PeriodKind::Month
        } else {
            PeriodKind::Quarter
        }
    }

    /// "April 2026", or for a quarter "April to June 2026" (or "December 2026 to February 2027").
    pub fn label(self) -> String {
        match self.kind() {
            PeriodKind::Month => self.start.format("%B %Y").to_string(),
            PeriodKind::Quarter if self.start.year() == self.end.year() => {
                format!("{} to {}", self.start.format("%B"), self.end.format("%B %Y"))
            }
            PeriodKind::Quarter => format!("{} to {}", self.start.format("%B %Y"), self.end.format("%B %Y")),
        }
    }

    /// The history's name for a KPI's value, "M-APPT 2026-04-01..2026-04-30": the KPI and its period.
    pub fn key(self, reference: &str) -> String {
        format!("{reference} {}..{}", self.start, self.end)
    }

    /// The KPI and period a history name ([`Period::key`]) holds.
    pub fn from_key(key: &str) -> Option<(&str, Period)> {
        let (reference, span) = key.split_once(' ')?;
        let (start, end) = span.split_once("..")?;
        let period = Period::new(start.parse().ok()?, end.parse().ok()?).ok()?;
        Some((reference, period))
    }

    /// "Apr 2026" or "Apr–Jun 2026": short enough for a chart's axis.
    pub fn short_label(self) -> String {
        match self.kind() {
            PeriodKind::Month => self.start.format("%b %Y").to_string(),
            PeriodKind::Quarter => format!("{}–{}", self.start.format("%b"), self.end.format("%b %Y")),
        }
    }
}

/// The values a unit allows, lowest and highest. Percentages are 0 to 100. Calendar days are at
/// most a year (366) and working days a working year (260): a wait longer than that is a typing
/// mistake, not a figure. Minutes are at most a day (1,440): the minute KPIs time same-day care
/// such as post-exposure prophylaxis. A score is out of 100 (a satisfaction or audit score), so
/// that the chart and the target read the same way as a percentage.
pub fn range(unit: KpiUnit) -> (f64, f64) {
    match unit {
        KpiUnit::Percent => (0.0, 100.0),
        KpiUnit::Days => (0.0, 366.0),
        KpiUnit::WorkingDays => (0.0, 260.0),
        KpiUnit::Minutes => (0.0, 1440.0),
        KpiUnit::Score => (0.0, 100.0),
    }
}

/// `value` with the unit's words: "92%", "91.7%", "12 days", "2.5 working days", "45 minutes",
/// "7.5 out of 100".
pub fn with_unit(value: f64, unit: KpiUnit) -> String {
    let number = number(value);
    match unit {
        KpiUnit::Percent => format!("{number}%"),
        KpiUnit::Days => format!("{number} {}", if value == 1.0 { "day" } else { "days" }),
        KpiUnit::WorkingDays => format!("{number} working {}", if value == 1.0 { "day" } else { "days" }),
        KpiUnit::Minutes => format!("{number} {}", if value == 1.0 { "minute" } else { "minutes" }),
        KpiUnit::Score => format!("{number} out of 100"),
    }
}

/// A figure to one decimal place, without a trailing ".0": "92", "91.7".
pub fn number(value: f64) -> String {
    let tenths = (value * 10.0).round();
    if tenths % 10.0 == 0.0 {
        format!("{}", tenths / 10.0)
    } else {
        format!("{:.1}", tenths / 10.0)
    }
}

/// A rate's value: the numerator as a percentage of the denominator.
pub fn rate(numerator: u32, denominator: u32) -> f64 {
    f64::from(numerator) / f64::from(denominator) * 100.0
}

fn tenths(value: f64) -> i64 {
    (value * 10.0).round() as i64
}

/// A checked figure: the value, and for a rate its numerator and denominator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub numerator: Option<u32>,
    pub denominator: Option<u32>,
    pub value: f64,
}

/// Which field a refusal belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FigureField {
    Numerator,
    Denominator,
    Value,
}

/// The figure as given, checked against the unit: a percentage may be given as a numerator and
/// denominator (its value then follows, and a value also given must agree with it to one decimal
/// place) or as the value alone; any other unit has a value and neither count. Refusals name their
/// field and say why.
pub fn figure(
    unit: KpiUnit,
    numerator: Option<u32>,
    denominator: Option<u32>,
    value: Option<f64>,
) -> Result<Figure, Vec<(FigureField, String)>> {
    let mut problems = Vec::new();
    let (low, high) = range(unit);
    if let Some(v) = value {
        if !(low..=high).contains(&v) {
            problems.push((
                FigureField::Value,
                format!(
                    "{} is outside the range for {}: from {} to {}",
                    number(v),
                    unit.label(),
                    number(low),
                    with_unit(high, unit)
                ),
            ));
        }
    }
    let figure = match (unit, numerator, denominator) {
        (KpiUnit::Percent, Some(n), Some(d)) => {
            if d == 0 {
                problems.push((FigureField::Denominator, "the denominator must be more than 0".into()));
                None
            } else if n > d {
                problems.push((
                    FigureField::Numerator,
                    format!("the numerator ({n}) is more than the denominator ({d}): a rate cannot exceed 100%"),
                ));
                None
            } else {
                let computed = rate(n, d);
                match value {
                    Some(v) if tenths(v) != tenths(computed) => {
                        problems.push((
                            FigureField::Value,
                            format!(
                                "the value {} does not agree with {n} of {d}, which is {}: leave the value blank or correct it",
                                with_unit(v, unit),
                                with_unit(computed, unit)
                            ),
                        ));
                        None
                    }
                    _ => Some(Figure { numerator: Some(n), denominator: Some(d), value: computed }),
                }
            }
        }
        (KpiUnit::Percent, Some(_), None) => {
            problems.push((FigureField::Denominator, "give the denominator with the numerator".into()));
            None
        }
        (KpiUnit::Percent, None, Some(_)) => {
            problems.push((FigureField::Numerator, "give the numerator with the denominator".into()));
            None
        }
        (_, None, None) => match value {
            Some(v) => Some(Figure { numerator: None, denominator: None, value: v }),
            None => {
                let wanted = if unit == KpiUnit::Percent {
                    "give the numerator and denominator, or the value"
                } else {
                    "give the value"
                };
                problems.push((FigureField::Value, wanted.into()));
                None
            }
        },
        (_, n, _) => {
            let field = if n.is_some() { FigureField::Numerator } else { FigureField::Denominator };
            problems.push((
                field,
                format!("a figure in {} has no numerator or denominator: give the value alone", unit.label()),
            ));
            None
        }
    };
    match figure {
        Some(figure) if problems.is_empty() => Ok(figure),
        _ => Err(problems),
    }
}

/// The target that applies: the provider's own when it has set one, else the definition's default.
pub fn target(own: Option<f64>, default: f64) -> f64 {
    own.unwrap_or(default)
}

/// A target as given, checked against the unit's range.
pub fn check_target(unit: KpiUnit, target: f64) -> Result<f64, String> {
    let (low, high) = range(unit);
    if (low..=high).contains(&target) {
        Ok(target)
    } else {
        Err(format!("a target in {} is from {} to {}", unit.label(), number(low), with_unit(high, unit)))
    }
}

/// Whether `value` meets `target`: at or above it when a higher figure is better, at or below it
/// when a lower one is (days waited, did-not-attend). Compared to one decimal place, as shown.
pub fn met(value: f64, target: f64, higher_is_better: bool) -> bool {
    if higher_is_better {
        tenths(value) >= tenths(target)
    } else {
        tenths(value) <= tenths(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_period_is_a_whole_month_or_three_whole_months() {
        let april = Period::new(day(2026, 4, 1), day(2026, 4, 30)).unwrap();
        assert_eq!(april.kind(), PeriodKind::Month);
        assert_eq!(april.label(), "April 2026");
        let february = Period::new(day(2028, 2, 1), day(2028, 2, 29)).unwrap();
        assert_eq!(february.label(), "February 2028", "a leap February ends on the 29th");
        assert!(Period::new(day(2027, 2, 1), day(2027, 2, 28)).is_ok());
        let quarter = Period::new(day(2026, 4, 1), day(2026, 6, 30)).unwrap();
        assert_eq!(quarter.kind(), PeriodKind::Quarter);
        assert_eq!(quarter.label(), "April to June 2026");
        let across = Period::new(day(2026, 12, 1), day(2027, 2, 28)).unwrap();
        assert_eq!(across.label(), "December 2026 to February 2027");
        assert_eq!(across.short_label(), "Dec–Feb 2027");
        assert_eq!(Period::from_key(&april.key("M-APPT")), Some(("M-APPT", april)));
        assert_eq!(Period::from_key("M-APPT soon"), None);
    }

    #[test]
    fn a_period_that_is_not_whole_months_says_why() {
        let late_start = Period::new(day(2026, 4, 2), day(2026, 4, 30)).unwrap_err();
        assert!(late_start.contains("starts on the 1st"), "{late_start}");
        let short = Period::new(day(2026, 4, 1), day(2026, 4, 29)).unwrap_err();
        assert!(short.contains("calendar month (1 April to 30 April)"), "{short}");
        assert!(Period::new(day(2026, 4, 1), day(2026, 5, 31)).is_err(), "two months is neither");
        assert!(Period::new(day(2026, 4, 1), day(2026, 7, 31)).is_err(), "four months is neither");
        assert!(Period::new(day(2026, 4, 1), day(2026, 3, 31)).unwrap_err().contains("ends before it starts"));
    }

    #[test]
    fn each_unit_has_its_range_and_the_edges_are_inside() {
        assert!(figure(KpiUnit::Percent, None, None, Some(0.0)).is_ok());
        assert!(figure(KpiUnit::Percent, None, None, Some(100.0)).is_ok());
        let over = figure(KpiUnit::Percent, None, None, Some(100.1)).unwrap_err();
        assert_eq!(over[0].0, FigureField::Value);
        assert!(over[0].1.contains("outside the range for percent: from 0 to 100%"), "{}", over[0].1);
        assert!(figure(KpiUnit::Percent, None, None, Some(-0.1)).is_err());
        assert!(figure(KpiUnit::WorkingDays, None, None, Some(260.0)).is_ok());
        assert!(figure(KpiUnit::WorkingDays, None, None, Some(260.5)).is_err());
        assert!(figure(KpiUnit::Days, None, None, Some(366.0)).is_ok());
        assert!(figure(KpiUnit::Days, None, None, Some(367.0)).is_err());
        assert!(figure(KpiUnit::Minutes, None, None, Some(1440.0)).is_ok());
        assert!(figure(KpiUnit::Minutes, None, None, Some(1441.0)).is_err());
        assert!(figure(KpiUnit::Score, None, None, Some(100.0)).is_ok());
        assert!(figure(KpiUnit::Score, None, None, Some(101.0)).is_err());
    }

    #[test]
    fn a_rate_keeps_its_counts_and_its_value_follows_from_them() {
        let f = figure(KpiUnit::Percent, Some(46), Some(50), None).unwrap();
        assert_eq!((f.numerator, f.denominator, f.value), (Some(46), Some(50), 92.0));
        let agrees = figure(KpiUnit::Percent, Some(2), Some(3), Some(66.7)).unwrap();
        assert!((agrees.value - 66.666).abs() < 0.01, "the stored value is the exact rate");
        let disagrees = figure(KpiUnit::Percent, Some(2), Some(3), Some(66.5)).unwrap_err();
        assert!(disagrees[0].1.contains("does not agree with 2 of 3, which is 66.7%"), "{}", disagrees[0].1);
        let all = figure(KpiUnit::Percent, Some(50), Some(50), None).unwrap();
        assert_eq!(all.value, 100.0, "numerator equal to denominator is 100%");
    }

    #[test]
    fn a_numerator_above_its_denominator_or_a_zero_denominator_is_refused() {
        let above = figure(KpiUnit::Percent, Some(51), Some(50), None).unwrap_err();
        assert_eq!(above[0].0, FigureField::Numerator);
        assert!(above[0].1.contains("the numerator (51) is more than the denominator (50)"));
        let zero = figure(KpiUnit::Percent, Some(0), Some(0), None).unwrap_err();
        assert_eq!(zero[0], (FigureField::Denominator, "the denominator must be more than 0".to_string()));
        assert_eq!(figure(KpiUnit::Percent, Some(3), None, None).unwrap_err()[0].0, FigureField::Denominator);
        assert_eq!(figure(KpiUnit::Percent, None, Some(3), None).unwrap_err()[0].0, FigureField::Numerator);
        assert!(figure(KpiUnit::Percent, None, None, None).unwrap_err()[0].1.contains("numerator and denominator"));
    }

    #[test]
    fn a_figure_in_days_has_no_counts() {
        let counted = figure(KpiUnit::WorkingDays, Some(3), Some(4), Some(2.0)).unwrap_err();
        assert!(counted[0].1.contains("working days has no numerator or denominator"), "{}", counted[0].1);
        assert_eq!(figure(KpiUnit::WorkingDays, None, None, Some(7.5)).unwrap().value, 7.5);
        assert_eq!(figure(KpiUnit::Days, None, None, None).unwrap_err()[0].1, "give the value");
    }

    #[test]
    fn met_honours_which_way_is_better_and_the_target_is_the_providers_own_first() {
        assert!(met(90.0, 90.0, true), "on the target is met");
        assert!(!met(89.9, 90.0, true));
        assert!(met(89.96, 90.0, true), "compared as shown, to one decimal place");
        assert!(met(10.0, 10.0, false));
        assert!(met(9.0, 10.0, false));
        assert!(!met(10.1, 10.0, false));
        assert_eq!(target(Some(85.0), 90.0), 85.0);
        assert_eq!(target(None, 90.0), 90.0);
        assert!(check_target(KpiUnit::Percent, 101.0).unwrap_err().contains("from 0 to 100%"));
        assert_eq!(check_target(KpiUnit::WorkingDays, 3.0), Ok(3.0));
    }

    #[test]
    fn figures_read_as_the_field_writes_them() {
        assert_eq!(with_unit(92.0, KpiUnit::Percent), "92%");
        assert_eq!(with_unit(91.666, KpiUnit::Percent), "91.7%");
        assert_eq!(with_unit(1.0, KpiUnit::WorkingDays), "1 working day");
        assert_eq!(with_unit(2.5, KpiUnit::WorkingDays), "2.5 working days");
        assert_eq!(with_unit(45.0, KpiUnit::Minutes), "45 minutes");
    }
}
