//! The KPI page's chart, drawn on the server as SVG: one point per period, the target as a
//! horizontal line. Pure geometry here; `templates/quality/chart.html` writes the elements, with
//! presentation classes only (the pages' Content-Security-Policy forbids inline styles and scripts).

use serde::Serialize;

use super::rules;
use crate::catalogue::model::KpiUnit;

/// The drawing's size in SVG units, and the plot area inside its margins.
pub const WIDTH: f64 = 720.0;
pub const HEIGHT: f64 = 300.0;
pub const LEFT: f64 = 56.0;
pub const RIGHT: f64 = 704.0;
pub const TOP: f64 = 16.0;
pub const BOTTOM: f64 = 250.0;

/// The vertical scale: values from `low` (at the plot's bottom) to `high` (at its top).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Scale {
    pub low: f64,
    pub high: f64,
}

impl Scale {
    /// The scale for a series and its target, always from 0, so a point's height is its size: to a
    /// round figure above the highest value and the target, so both are in view; a percentage to
    /// at most 100 (a DNA rate of 5% reads on a scale to 10, not as a line along the bottom), and
    /// a score to 100.
    pub fn for_series(unit: KpiUnit, values: &[f64], target: f64) -> Scale {
        let highest = values.iter().copied().fold(target, f64::max);
        let high = match unit {
            KpiUnit::Score => 100.0,
            KpiUnit::Percent => round_up(highest * 1.1).min(100.0),
            _ => round_up(highest * 1.1),
        };
        Scale { low: 0.0, high }
    }

    /// The y coordinate of a value: the plot's bottom at `low`, its top at `high`.
    pub fn y(self, value: f64) -> f64 {
        let share = if self.high > self.low { (value - self.low) / (self.high - self.low) } else { 0.0 };
        round2(BOTTOM - share.clamp(0.0, 1.0) * (BOTTOM - TOP))
    }

    /// Five evenly spaced values for the axis, low to high.
    pub fn ticks(self) -> Vec<f64> {
        (0..=4).map(|i| self.low + (self.high - self.low) * f64::from(i) / 4.0).collect()
    }
}

/// A round figure at or above `value` (1, 2, 2.5 or 5 times a power of ten, at least 1), so the
/// axis reads in whole steps.
fn round_up(value: f64) -> f64 {
    if value.is_nan() || value <= 1.0 {
        return 1.0;
    }
    let power = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * power).find(|step| *step >= value).unwrap_or(10.0 * power)
}

/// Coordinates are written to two decimal places: enough for the eye, and the same in the test.
fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// One period's point.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
    pub label: String,
    pub value: String,
    pub met: bool,
}

/// A gridline and its label.
#[derive(Debug, Clone, Serialize)]
pub struct Tick {
    pub y: f64,
    pub label: String,
}

/// Everything the template draws.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub width: f64,
    pub height: f64,
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub scale: Scale,
    pub points: Vec<Point>,
    /// The points as an SVG `points` list, for the line joining them.
    pub line: String,
    pub target_y: f64,
    pub target_label: String,
    pub ticks: Vec<Tick>,
    /// Period labels along the bottom: about six, so they do not overlap.
    pub x_labels: Vec<(f64, String)>,
    /// What the chart says, for its title and aria-label.
    pub summary: String,
}

/// The chart of `series` (period, value, met), oldest first, against `target`.
pub fn draw(title: &str, unit: KpiUnit, series: &[(rules::Period, f64, bool)], target: f64) -> Chart {
    let values: Vec<f64> = series.iter().map(|s| s.1).collect();
    let scale = Scale::for_series(unit, &values, target);
    let step = if series.len() > 1 { (RIGHT - LEFT) / (series.len() - 1) as f64 } else { 0.0 };
    let x_of = |i: usize| round2(if series.len() > 1 { LEFT + step * i as f64 } else { (LEFT + RIGHT) / 2.0 });
    let points: Vec<Point> = series
        .iter()
        .enumerate()
        .map(|(i, (period, value, met))| Point {
            x: x_of(i),
            y: scale.y(*value),
            label: period.label(),
            value: rules::with_unit(*value, unit),
            met: *met,
        })
        .collect();
    let line = points.iter().map(|p| format!("{},{}", p.x, p.y)).collect::<Vec<_>>().join(" ");
    let every = series.len().div_ceil(6).max(1);
    let x_labels = series
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, (period, _, _))| (x_of(i), period.short_label()))
        .collect();
    let ticks = scale.ticks().into_iter().map(|v| Tick { y: scale.y(v), label: rules::number(v) }).collect();
    let missed = series.iter().filter(|s| !s.2).count();
    let summary = match (series.first(), series.last()) {
        (Some(first), Some(last)) => format!(
            "{title}: {} from {} to {}, against a target of {}; {} missed the target",
            crate::words::counted(series.len(), "period", "periods"),
            first.0.label(),
            last.0.label(),
            rules::with_unit(target, unit),
            crate::words::counted(missed, "period", "periods"),
        ),
        _ => format!("{title}: no values recorded; the target is {}", rules::with_unit(target, unit)),
    };
    Chart {
        width: WIDTH,
        height: HEIGHT,
        left: LEFT,
        right: RIGHT,
        top: TOP,
        bottom: BOTTOM,
        scale,
        points,
        line,
        target_y: scale.y(target),
        target_label: rules::with_unit(target, unit),
        ticks,
        x_labels,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn a_percentage_runs_from_the_bottom_at_0_to_the_top_at_100() {
        let scale = Scale::for_series(KpiUnit::Percent, &[40.0, 95.0], 90.0);
        assert_eq!(scale.y(0.0), BOTTOM);
        assert_eq!(scale.y(100.0), TOP);
        assert_eq!(scale.y(50.0), (BOTTOM + TOP) / 2.0);
        assert_eq!(scale.y(90.0), round2(BOTTOM - 0.9 * (BOTTOM - TOP)));
        assert_eq!(scale.y(150.0), TOP, "nothing is drawn outside the plot");
    }

    #[test]
    fn a_small_percentage_is_drawn_on_a_scale_that_shows_it() {
        let dna = Scale::for_series(KpiUnit::Percent, &[4.0, 6.0, 7.0], 5.0);
        assert_eq!(dna.high, 10.0, "7 x 1.1 = 7.7, rounded up to 10");
        assert_eq!(dna.y(5.0), (BOTTOM + TOP) / 2.0, "the 5% target half way up");
        assert_eq!(Scale::for_series(KpiUnit::Percent, &[99.0], 95.0).high, 100.0, "never above 100");
    }

    #[test]
    fn other_units_scale_to_a_round_figure_above_the_values_and_the_target() {
        let days = Scale::for_series(KpiUnit::WorkingDays, &[3.0, 12.0, 7.0], 10.0);
        assert_eq!(days.high, 20.0, "12 x 1.1 = 13.2, rounded up to 20");
        let short = Scale::for_series(KpiUnit::WorkingDays, &[1.0, 1.5], 2.0);
        assert_eq!(short.high, 2.5, "the target, 2, is in view");
        assert_eq!(Scale::for_series(KpiUnit::Minutes, &[], 0.0).high, 1.0);
        assert_eq!(days.ticks(), vec![0.0, 5.0, 10.0, 15.0, 20.0]);
    }

    #[test]
    fn one_point_per_period_evenly_across() {
        let month = |m| rules::Period::month(NaiveDate::from_ymd_opt(2026, m, 1).unwrap()).unwrap();
        let series = vec![(month(4), 80.0, false), (month(5), 90.0, true), (month(6), 100.0, true)];
        let chart = draw("Appointment within 10 days of referral", KpiUnit::Percent, &series, 90.0);
        assert_eq!(chart.points.len(), 3);
        assert_eq!((chart.points[0].x, chart.points[2].x), (LEFT, RIGHT));
        assert_eq!(chart.points[2].y, TOP);
        assert_eq!(chart.target_y, chart.points[1].y, "the point on the target sits on its line");
        assert!(chart.summary.contains("3 periods from April 2026 to June 2026"), "{}", chart.summary);
        assert!(chart.summary.contains("1 period missed the target"), "{}", chart.summary);
    }
}
