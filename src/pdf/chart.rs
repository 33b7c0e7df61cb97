//! Charts for documents that are not a KPI's series: bars of categories (staff by discipline,
//! audits by outcome), in the same geometry as the KPI page's SVG
//! ([`crate::quality::chart::Chart`]), so [`super::render`] draws both the same way.

use crate::catalogue::model::KpiUnit;
use crate::quality::chart::{Chart, Point, Scale, Tick, BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH};
use crate::quality::rules;

/// A bar chart of `bars` (label, value), one bar per label in order, against an optional target.
/// `unit` words the values ("92%", "12 days"); `None` means plain counts ("12"). Without a target
/// no target line is drawn (the target label is empty).
pub fn bars<L: AsRef<str>>(title: &str, unit: Option<KpiUnit>, bars: &[(L, f64)], target: Option<f64>) -> Chart {
    let values: Vec<f64> = bars.iter().map(|b| b.1).collect();
    let mut scale = Scale::for_series(unit.unwrap_or(KpiUnit::Days), &values, target.unwrap_or(0.0));
    if unit.is_none() {
        // People and audits come whole: the scale runs to a multiple of four, so its five ticks
        // are whole numbers (0, 3, 6, 9, 12 rather than 0, 2.5, 5, 7.5, 10).
        scale.high = (scale.high / 4.0).ceil() * 4.0;
    }
    let worded = |value: f64| match unit {
        Some(unit) => rules::with_unit(value, unit),
        None => rules::number(value),
    };
    let slot = (RIGHT - LEFT) / bars.len().max(1) as f64;
    let x_of = |i: usize| ((LEFT + slot * (i as f64 + 0.5)) * 100.0).round() / 100.0;
    let points: Vec<Point> = bars
        .iter()
        .enumerate()
        .map(|(i, (label, value))| Point {
            x: x_of(i),
            y: scale.y(*value),
            label: label.as_ref().to_string(),
            value: worded(*value),
            met: target.is_none_or(|t| *value >= t),
        })
        .collect();
    let line = points.iter().map(|p| format!("{},{}", p.x, p.y)).collect::<Vec<_>>().join(" ");
    let ticks = scale.ticks().into_iter().map(|v| Tick { y: scale.y(v), label: rules::number(v) }).collect();
    let x_labels = points.iter().map(|p| (p.x, p.label.clone())).collect();
    let listed: Vec<String> = points.iter().map(|p| format!("{} {}", p.label, p.value)).collect();
    let summary = if points.is_empty() {
        format!("{title}: none recorded")
    } else {
        match target {
            Some(t) => format!("{title}: {}; target {}", crate::words::listed(&listed), worded(t)),
            None => format!("{title}: {}", crate::words::listed(&listed)),
        }
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
        target_y: target.map(|t| scale.y(t)).unwrap_or(BOTTOM),
        target_label: target.map(worded).unwrap_or_default(),
        ticks,
        x_labels,
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_sit_in_equal_slots_from_the_axis_and_without_a_target_there_is_no_target_line() {
        let chart = bars("Staff by discipline", None, &[("Nurses", 6.0), ("Doctors", 2.0), ("Technicians", 3.0)], None);
        assert_eq!(chart.points.len(), 3);
        assert!(chart.points[0].x > LEFT && chart.points[2].x < RIGHT);
        assert!((chart.points[1].x - (LEFT + RIGHT) / 2.0).abs() < 0.01);
        assert_eq!(chart.target_label, "");
        assert_eq!(chart.points[0].value, "6");
        assert!(chart.points[0].y < chart.points[2].y, "the taller bar reaches higher");
        assert_eq!(chart.summary, "Staff by discipline: Nurses 6, Doctors 2 and Technicians 3");
        let labels: Vec<&str> = chart.ticks.iter().map(|t| t.label.as_str()).collect();
        assert!(labels.iter().all(|l| !l.contains('.')), "whole people on the axis: {labels:?}");
    }

    #[test]
    fn a_target_is_worded_in_the_unit_and_bars_below_it_are_not_met() {
        let chart = bars("Appraisal", Some(KpiUnit::Percent), &[("Clinical", 95.0), ("Admin", 80.0)], Some(90.0));
        assert_eq!(chart.target_label, "90%");
        assert!(chart.points[0].met);
        assert!(!chart.points[1].met);
        assert_eq!(chart.target_y, chart.scale.y(90.0));
    }
}
