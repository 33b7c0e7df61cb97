//! The audit programme's decisions, made without the database: the check against the NHS sector
//! standard, a criterion's result against its target, which actions are overdue, what changed
//! between two progress reports, and how a re-audit's criteria line up with the first round's.

use chrono::NaiveDate;
use serde::Serialize;

use super::model::{ActionStatus, AuditStatus, AuditType};

/// The quarters of an NHS financial year, as the forms and pages name them.
pub const QUARTERS: [(i32, &str); 4] = [
    (1, "Q1 (April to June)"),
    (2, "Q2 (July to September)"),
    (3, "Q3 (October to December)"),
    (4, "Q4 (January to March)"),
];

/// "Q2 (July to September)"; an out-of-range quarter (which the database refuses) is said as a
/// number rather than failing a page.
pub fn quarter_label(quarter: i32) -> String {
    QUARTERS.iter().find(|(q, _)| *q == quarter).map(|(_, label)| label.to_string()).unwrap_or(format!("Q{quarter}"))
}

/// The percentage of the cases checked that met the criterion, to one decimal place.
pub fn percent_achieved(met: i32, checked: i32) -> Option<f64> {
    (checked > 0).then(|| (f64::from(met) * 1000.0 / f64::from(checked)).round() / 10.0)
}

/// Whether a result meets its target, judged on the exact fraction (not the rounded percentage),
/// so 19 of 20 meets 95% and 189 of 200 does not.
pub fn meets_target(met: i32, checked: i32, target_percent: f64) -> Option<bool> {
    (checked > 0).then(|| f64::from(met) * 100.0 >= target_percent * f64::from(checked) - 1e-9)
}

/// An audit as the sector standard counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub audit_type: AuditType,
    pub status: AuditStatus,
}

/// What a plan lacks against the NHS sector standard: at least two local clinical audits a year,
/// and a national benchmarking audit. Deferred and cancelled audits do not count: they will not
/// happen this year. Empty when the plan meets it.
pub fn sector_warnings(audits: &[Counted]) -> Vec<String> {
    let counts = |wanted: AuditType| {
        audits
            .iter()
            .filter(|a| a.audit_type == wanted && !matches!(a.status, AuditStatus::Deferred | AuditStatus::Cancelled))
            .count()
    };
    let mut warnings = Vec::new();
    let local = counts(AuditType::LocalClinical);
    if local < 2 {
        warnings.push(format!(
            "The NHS sector standard asks for at least two local clinical audits a year; this plan has {}.",
            crate::words::counted(local, "local clinical audit", "local clinical audits")
        ));
    }
    if counts(AuditType::NationalBenchmarking) == 0 {
        warnings.push(
            "The NHS sector standard asks for a national audit; this plan has no national benchmarking (MoHaWK) audit."
                .to_string(),
        );
    }
    warnings
}

/// Whether an action is overdue on `day`: still open and due before it.
pub fn is_overdue(status: ActionStatus, due_on: NaiveDate, day: NaiveDate) -> bool {
    status == ActionStatus::Open && due_on < day
}

/// An audit's dates, as a progress report counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditDates {
    pub started_on: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
}

/// An action's dates, as a progress report counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionDates {
    pub created_on: NaiveDate,
    pub due_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
}

/// What changed in a report's window: after the report before it (or from the plan's beginning),
/// up to and including the report's own date. Worked out from the records, never typed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    pub audits_started: usize,
    pub audits_completed: usize,
    pub actions_closed: usize,
    /// Open on the report's date (or closed only after it) and due before it.
    pub actions_overdue: usize,
}

/// The changes after `since` (the report before; None from the plan's beginning) up to `until`.
pub fn changes(since: Option<NaiveDate>, until: NaiveDate, audits: &[AuditDates], actions: &[ActionDates]) -> Changes {
    let in_window = |day: Option<NaiveDate>| day.is_some_and(|d| d <= until && since.is_none_or(|s| d > s));
    Changes {
        audits_started: audits.iter().filter(|a| in_window(a.started_on)).count(),
        audits_completed: audits.iter().filter(|a| in_window(a.completed_on)).count(),
        actions_closed: actions.iter().filter(|a| in_window(a.closed_on)).count(),
        actions_overdue: actions
            .iter()
            .filter(|a| a.created_on <= until && a.due_on < until && a.closed_on.is_none_or(|c| c > until))
            .count(),
    }
}

/// Lines up a re-audit's criteria with the first round's: the same description (ignoring case and
/// spaces at the ends) first; then those left on each side in their order, so a criterion reworded
/// in its place still sits beside the one it replaced. Each pair is (index in the first round,
/// index in the re-audit); a criterion with no partner pairs with None. In the re-audit's order,
/// then the first round's unmatched ones.
pub fn pair_rounds(first: &[&str], second: &[&str]) -> Vec<(Option<usize>, Option<usize>)> {
    let key = |s: &str| s.trim().to_lowercase();
    let mut taken = vec![false; first.len()];
    let mut partner: Vec<Option<usize>> = vec![None; second.len()];
    for (j, description) in second.iter().enumerate() {
        if let Some(i) = (0..first.len()).find(|&i| !taken[i] && key(first[i]) == key(description)) {
            taken[i] = true;
            partner[j] = Some(i);
        }
    }
    let mut left = (0..first.len()).filter(|&i| !taken[i]).collect::<Vec<_>>().into_iter();
    for found in partner.iter_mut().filter(|p| p.is_none()) {
        if let Some(i) = left.next() {
            taken[i] = true;
            *found = Some(i);
        }
    }
    let mut pairs: Vec<(Option<usize>, Option<usize>)> =
        partner.into_iter().enumerate().map(|(j, i)| (i, Some(j))).collect();
    pairs.extend(taken.iter().enumerate().filter(|(_, t)| !**t).map(|(i, _)| (Some(i), None)));
    pairs
}

/// Which audits of a finished year go into the next one when the plan is copied. Not yet completed
/// ones (planned, in progress, deferred) are carried over to be done; completed ones are proposed
/// for re-audit. Cancelled ones were decided against, so they stay behind: carrying them would
/// undo that decision without anyone making it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CarryOver {
    Copy,
    ReAudit,
    Leave,
}

/// What copying a plan does with an audit of `status`. An audit already re-audited is left (an
/// audit is re-audited once).
pub fn carry_over(status: AuditStatus, already_reaudited: bool) -> CarryOver {
    match status {
        AuditStatus::Completed if already_reaudited => CarryOver::Leave,
        AuditStatus::Completed => CarryOver::ReAudit,
        AuditStatus::Cancelled => CarryOver::Leave,
        AuditStatus::Planned | AuditStatus::InProgress | AuditStatus::Deferred => CarryOver::Copy,
    }
}

/// The title a proposed re-audit takes.
pub fn reaudit_title(title: &str) -> String {
    if title.starts_with("Re-audit: ") {
        title.to_string()
    } else {
        format!("Re-audit: {title}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn audit(audit_type: AuditType, status: AuditStatus) -> Counted {
        Counted { audit_type, status }
    }

    #[test]
    fn the_sector_standard_wants_two_local_audits_and_a_national_one() {
        use AuditStatus::*;
        use AuditType::*;
        let one_local = [audit(LocalClinical, Planned)];
        let warnings = sector_warnings(&one_local);
        assert_eq!(warnings.len(), 2);
        assert!(warnings[0].contains("this plan has 1 local clinical audit."), "{warnings:?}");
        let met =
            [audit(LocalClinical, Completed), audit(LocalClinical, InProgress), audit(NationalBenchmarking, Planned)];
        assert!(sector_warnings(&met).is_empty());
        let deferred =
            [audit(LocalClinical, Completed), audit(LocalClinical, Deferred), audit(NationalBenchmarking, Cancelled)];
        assert_eq!(sector_warnings(&deferred).len(), 2, "deferred and cancelled audits do not count");
        assert_eq!(sector_warnings(&[]).len(), 2);
    }

    #[test]
    fn a_result_is_judged_on_the_exact_fraction() {
        assert_eq!(percent_achieved(19, 20), Some(95.0));
        assert_eq!(percent_achieved(2, 3), Some(66.7));
        assert_eq!(percent_achieved(0, 0), None);
        assert_eq!(meets_target(19, 20, 95.0), Some(true));
        assert_eq!(meets_target(189, 200, 95.0), Some(false));
        assert_eq!(meets_target(0, 10, 0.0), Some(true));
    }

    #[test]
    fn overdue_means_open_and_due_before_the_day() {
        assert!(is_overdue(ActionStatus::Open, day(5, 1), day(5, 2)));
        assert!(!is_overdue(ActionStatus::Open, day(5, 2), day(5, 2)), "due today is not yet overdue");
        assert!(!is_overdue(ActionStatus::Done, day(5, 1), day(6, 1)));
    }

    #[test]
    fn a_report_counts_what_happened_in_its_window() {
        let audits = [
            AuditDates { started_on: Some(day(4, 20)), completed_on: Some(day(6, 30)) },
            AuditDates { started_on: Some(day(7, 10)), completed_on: None },
            AuditDates { started_on: None, completed_on: None },
        ];
        let actions = [
            ActionDates { created_on: day(7, 1), due_on: day(8, 1), closed_on: Some(day(7, 20)) },
            ActionDates { created_on: day(7, 1), due_on: day(8, 15), closed_on: None },
            ActionDates { created_on: day(7, 1), due_on: day(9, 1), closed_on: Some(day(10, 5)) },
            ActionDates { created_on: day(10, 1), due_on: day(10, 2), closed_on: None },
        ];
        let first = changes(None, day(6, 30), &audits, &actions);
        assert_eq!(first, Changes { audits_started: 1, audits_completed: 1, actions_closed: 0, actions_overdue: 0 });
        let second = changes(Some(day(6, 30)), day(9, 30), &audits, &actions);
        assert_eq!(
            second,
            Changes { audits_started: 1, audits_completed: 0, actions_closed: 1, actions_overdue: 2 },
            "the action closed only after the report was overdue on its date; the one raised later is not counted"
        );
        let third = changes(Some(day(9, 30)), day(10, 31), &audits, &actions);
        assert_eq!(third, Changes { audits_started: 0, audits_completed: 0, actions_closed: 1, actions_overdue: 2 });
    }

    #[test]
    fn rounds_pair_by_description_then_position() {
        let first = ["Consent recorded", "Fitness outcome stated", "Report sent within 2 days"];
        let second = ["Report sent within 2 days", "CONSENT RECORDED ", "Fitness outcome given", "New criterion"];
        let pairs = pair_rounds(&first, &second);
        assert_eq!(pairs, vec![(Some(2), Some(0)), (Some(0), Some(1)), (Some(1), Some(2)), (None, Some(3))]);
        assert_eq!(pair_rounds(&["A", "B"], &["A"]), vec![(Some(0), Some(0)), (Some(1), None)]);
    }

    #[test]
    fn copying_carries_unfinished_audits_and_proposes_reaudits() {
        assert_eq!(carry_over(AuditStatus::Planned, false), CarryOver::Copy);
        assert_eq!(carry_over(AuditStatus::Deferred, false), CarryOver::Copy);
        assert_eq!(carry_over(AuditStatus::Completed, false), CarryOver::ReAudit);
        assert_eq!(carry_over(AuditStatus::Completed, true), CarryOver::Leave);
        assert_eq!(carry_over(AuditStatus::Cancelled, false), CarryOver::Leave);
        assert_eq!(reaudit_title("Consent audit"), "Re-audit: Consent audit");
        assert_eq!(reaudit_title("Re-audit: Consent audit"), "Re-audit: Consent audit");
        assert_eq!(quarter_label(2), "Q2 (July to September)");
    }
}
