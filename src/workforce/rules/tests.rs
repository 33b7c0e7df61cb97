use super::*;
use crate::catalogue::model::Regulator;
use serde::Serializer;
use Issue::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn days(n: u64) -> Days {
    Days::new(n)
}

fn gmc() -> ProfessionRule {
    ProfessionRule {
        regulator: Regulator::Gmc,
        registration_warning_days: Some(60),
        revalidation_months: Some(60),
        revalidation_warning_days: Some(90),
        appraisal_overdue_months: Some(15),
        cpd_cycle: Some(CpdCycle::CpdYear),
        cpd_required: Some(50.0),
        cpd_warning_days: Some(90),
        revalidation_cpd_required: Some(250.0),
        ..Default::default()
    }
}

fn nmc() -> ProfessionRule {
    ProfessionRule {
        regulator: Regulator::Nmc,
        registration_warning_days: Some(60),
        revalidation_months: Some(36),
        revalidation_warning_days: Some(90),
        cpd_cycle: Some(CpdCycle::Revalidation),
        cpd_required: Some(35.0),
        cpd_participatory_required: Some(20.0),
        reflective_accounts_required: Some(5),
        cpd_warning_days: Some(90),
        ..Default::default()
    }
}

fn hcpc() -> ProfessionRule {
    ProfessionRule {
        regulator: Regulator::Hcpc,
        registration_warning_days: Some(60),
        cpd_cycle: Some(CpdCycle::RollingPeriods),
        cpd_required: Some(1.0),
        cpd_periods: Some(2),
        cpd_period_months: Some(12),
        cpd_warning_days: Some(90),
        ..Default::default()
    }
}

fn no_regulator() -> ProfessionRule {
    ProfessionRule { regulator: Regulator::None, ..Default::default() }
}

fn activity(date: NaiveDate, hours: f64) -> CpdActivity {
    CpdActivity { date, hours, participatory: false, reflective: false }
}

fn participatory(date: NaiveDate, hours: f64) -> CpdActivity {
    CpdActivity { date, hours, participatory: true, reflective: false }
}

fn reflective(date: NaiveDate) -> CpdActivity {
    CpdActivity { date, hours: 0.0, participatory: false, reflective: true }
}

/// A nurse's CPD on one day: `hours` in all, `joint` of them participatory, and `accounts`
/// reflective accounts carrying no hours.
fn nurse_cpd(date: NaiveDate, hours: f64, joint: f64, accounts: usize) -> Vec<CpdActivity> {
    let mut records = vec![participatory(date, joint), activity(date, hours - joint)];
    records.extend(std::iter::repeat_n(reflective(date), accounts));
    records
}

fn registered_until(renewal: NaiveDate) -> Person {
    Person { registration_renewal: Some(renewal), ..Default::default() }
}

fn revalidating(due: NaiveDate) -> Person {
    Person { revalidation_due: Some(due), ..Default::default() }
}

// ---- vocabulary ----

#[test]
fn cpd_cycles_parse_from_the_catalogue_codes() {
    assert_eq!(CpdCycle::from_code("cpd_year").ok(), Some(CpdCycle::CpdYear));
    assert_eq!(CpdCycle::from_code("revalidation").ok(), Some(CpdCycle::Revalidation));
    assert_eq!(CpdCycle::from_code("rolling_periods").ok(), Some(CpdCycle::RollingPeriods));
    assert_eq!(CpdCycle::from_code("CPD_YEAR").ok(), None, "codes are exact");
    assert_eq!(CpdCycle::from_code("").ok(), None);
    assert_eq!(CpdCycle::from_code("annual").ok(), None);
}

#[test]
fn issues_have_stable_codes_and_plain_labels_in_order() {
    let codes: Vec<&str> = Issue::ALL.iter().map(|issue| issue.code()).collect();
    assert_eq!(
        codes,
        [
            "registration_expired",
            "registration_due",
            "revalidation_due",
            "revalidation_overdue",
            "appraisal_overdue",
            "responsible_officer_missing",
            "specialist_route_missing",
            "cpd_short",
            "cpd_previous_year_short",
            "revalidation_cpd_short",
            "practice_hours_short",
            "feedback_short",
            "reflective_discussion_missing",
            "confirmation_missing",
            "supervision_overdue",
        ]
    );
    let labels: Vec<&str> = Issue::ALL.iter().map(|issue| issue.label()).collect();
    assert_eq!(
        labels,
        [
            "Registration expired",
            "Registration due for renewal",
            "Revalidation due",
            "Revalidation overdue",
            "Appraisal overdue",
            "No Responsible Officer recorded",
            "Consultant with neither CCT nor CESR recorded",
            "CPD short of the cycle's requirement",
            "CPD year ended short, no appraisal since",
            "CPD short of the revalidation cycle's requirement",
            "Practice hours short of revalidation's requirement",
            "Practice-related feedback short of revalidation's requirement",
            "No reflective discussion recorded",
            "No revalidation confirmation recorded",
            "Clinical supervision overdue",
        ]
    );
    for (position, issue) in Issue::ALL.iter().enumerate() {
        assert_eq!(issue.index(), position, "{issue:?}");
    }
}

#[test]
fn issues_serialise_as_their_codes() {
    for issue in Issue::ALL {
        assert_eq!(issue.serialize(CodeOnly), Ok(issue.code().to_string()));
    }
}

// ---- registration ----

#[test]
fn registration_is_due_from_sixty_days_before_renewal_and_expired_the_day_after() {
    let renewal = day(2027, 3, 31);
    let person = registered_until(renewal);
    let rule = nmc();
    assert_eq!(registration(&person, &rule, renewal - days(61)), None);
    assert_eq!(registration(&person, &rule, renewal - days(60)), Some(RegistrationDue));
    assert_eq!(registration(&person, &rule, renewal - days(59)), Some(RegistrationDue));
    assert_eq!(registration(&person, &rule, renewal - days(1)), Some(RegistrationDue));
    assert_eq!(registration(&person, &rule, renewal), Some(RegistrationDue), "still registered on the day");
    assert_eq!(registration(&person, &rule, renewal + days(1)), Some(RegistrationExpired));
    assert_eq!(registration(&person, &rule, day(2030, 1, 1)), Some(RegistrationExpired));
}

#[test]
fn registration_renewed_on_a_leap_day() {
    let person = registered_until(day(2028, 2, 29));
    let rule = gmc();
    assert_eq!(registration(&person, &rule, day(2027, 12, 30)), None, "61 days before");
    assert_eq!(registration(&person, &rule, day(2027, 12, 31)), Some(RegistrationDue), "60 days before");
    assert_eq!(registration(&person, &rule, day(2028, 2, 28)), Some(RegistrationDue));
    assert_eq!(registration(&person, &rule, day(2028, 2, 29)), Some(RegistrationDue));
    assert_eq!(registration(&person, &rule, day(2028, 3, 1)), Some(RegistrationExpired));
}

#[test]
fn registration_without_a_date_or_a_rule_raises_nothing() {
    let as_of = day(2026, 11, 23);
    assert_eq!(registration(&Person::default(), &gmc(), as_of), None, "no renewal date recorded");
    let lapsed = registered_until(day(2020, 1, 1));
    assert_eq!(registration(&lapsed, &no_regulator(), as_of), None, "no regulator");
    assert_eq!(registration(&lapsed, &hcpc(), as_of), Some(RegistrationExpired));
}

// ---- revalidation ----

#[test]
fn revalidation_is_due_from_ninety_days_before_and_overdue_the_day_after() {
    let due = day(2027, 6, 30);
    let person = revalidating(due);
    for rule in [gmc(), nmc()] {
        assert_eq!(revalidation(&person, &rule, due - days(91)), None, "{}", rule.regulator.as_str());
        assert_eq!(revalidation(&person, &rule, due - days(90)), Some(RevalidationDue));
        assert_eq!(revalidation(&person, &rule, due - days(89)), Some(RevalidationDue));
        assert_eq!(revalidation(&person, &rule, due - days(1)), Some(RevalidationDue));
        assert_eq!(revalidation(&person, &rule, due), Some(RevalidationDue), "due on the day is not overdue");
        assert_eq!(revalidation(&person, &rule, due + days(1)), Some(RevalidationOverdue));
    }
}

#[test]
fn revalidation_window_across_a_leap_day() {
    let person = revalidating(day(2028, 3, 31));
    assert_eq!(revalidation(&person, &gmc(), day(2027, 12, 31)), None, "91 days before in a leap year");
    assert_eq!(revalidation(&person, &gmc(), day(2028, 1, 1)), Some(RevalidationDue), "90 days before");
}

#[test]
fn revalidation_without_a_date_or_a_rule_raises_nothing() {
    let as_of = day(2026, 11, 23);
    assert_eq!(revalidation(&Person::default(), &nmc(), as_of), None);
    let late = revalidating(day(2020, 1, 1));
    assert_eq!(revalidation(&late, &hcpc(), as_of), None, "the HCPC does not revalidate");
    assert_eq!(revalidation(&late, &no_regulator(), as_of), None);
}

// ---- appraisal ----

#[test]
fn appraisal_is_overdue_more_than_fifteen_months_after_the_last() {
    let person = Person { last_appraisal: Some(day(2025, 6, 15)), ..Default::default() };
    let rule = gmc();
    assert_eq!(appraisal(&person, &rule, day(2026, 9, 14)), None);
    assert_eq!(appraisal(&person, &rule, day(2026, 9, 15)), None, "fifteen months exactly is not more");
    assert_eq!(appraisal(&person, &rule, day(2026, 9, 16)), Some(AppraisalOverdue));
}

#[test]
fn appraisal_limits_that_fall_in_february() {
    let rule = gmc();
    // 30 Nov 2026 + 15 months lands in the leap February of 2028.
    let before_leap = Person { last_appraisal: Some(day(2026, 11, 30)), ..Default::default() };
    assert_eq!(appraisal(&before_leap, &rule, day(2028, 2, 28)), None);
    assert_eq!(appraisal(&before_leap, &rule, day(2028, 2, 29)), None, "the limit is 29 Feb 2028");
    assert_eq!(appraisal(&before_leap, &rule, day(2028, 3, 1)), Some(AppraisalOverdue));
    // 30 Nov 2027 + 15 months lands in the ordinary February of 2029.
    let after_leap = Person { last_appraisal: Some(day(2027, 11, 30)), ..Default::default() };
    assert_eq!(appraisal(&after_leap, &rule, day(2029, 2, 27)), None);
    assert_eq!(appraisal(&after_leap, &rule, day(2029, 2, 28)), None, "the limit is 28 Feb 2029");
    assert_eq!(appraisal(&after_leap, &rule, day(2029, 3, 1)), Some(AppraisalOverdue));
    // An appraisal on a leap day itself.
    let leap_day = Person { last_appraisal: Some(day(2028, 2, 29)), ..Default::default() };
    assert_eq!(appraisal(&leap_day, &rule, day(2029, 5, 29)), None);
    assert_eq!(appraisal(&leap_day, &rule, day(2029, 5, 30)), Some(AppraisalOverdue));
}

#[test]
fn appraisal_with_none_recorded_runs_from_the_start_date() {
    let rule = gmc();
    let new_starter = Person { started_on: Some(day(2026, 1, 31)), ..Default::default() };
    assert_eq!(appraisal(&new_starter, &rule, day(2027, 4, 30)), None, "31 Jan + 15 months is 30 Apr");
    assert_eq!(appraisal(&new_starter, &rule, day(2027, 5, 1)), Some(AppraisalOverdue));
    let appraised = Person { last_appraisal: Some(day(2027, 1, 10)), ..new_starter.clone() };
    assert_eq!(appraisal(&appraised, &rule, day(2027, 5, 1)), None, "the appraisal wins over the start date");
    assert_eq!(appraisal(&Person::default(), &rule, day(2026, 11, 23)), Some(AppraisalOverdue), "nothing known");
}

#[test]
fn only_doctors_are_judged_on_appraisal() {
    let as_of = day(2026, 11, 23);
    for rule in [nmc(), hcpc(), no_regulator()] {
        assert_eq!(appraisal(&Person::default(), &rule, as_of), None, "{}", rule.regulator.as_str());
    }
}

// ---- CPD: the GMC's CPD year ----

#[test]
fn the_cpd_year_runs_from_1_april_to_31_march() {
    let person = Person::default();
    let rule = gmc();
    assert_eq!(cpd_cycle(&person, &rule, day(2027, 3, 31)), Some((day(2026, 4, 1), day(2027, 3, 31))));
    assert_eq!(cpd_cycle(&person, &rule, day(2027, 4, 1)), Some((day(2027, 4, 1), day(2028, 3, 31))));
    assert_eq!(cpd_cycle(&person, &rule, day(2027, 1, 1)), Some((day(2026, 4, 1), day(2027, 3, 31))));
    assert_eq!(cpd_cycle(&person, &rule, day(2026, 12, 31)), Some((day(2026, 4, 1), day(2027, 3, 31))));
    assert_eq!(cpd_cycle(&person, &rule, day(2028, 2, 29)), Some((day(2027, 4, 1), day(2028, 3, 31))));
}

#[test]
fn the_cpd_year_is_judged_from_ninety_days_before_its_end_in_a_non_leap_spring() {
    let person = Person::default();
    let rule = gmc();
    assert!(!cpd_short(&person, &rule, &[], day(2026, 12, 30)), "91 days before 31 Mar 2027");
    assert!(cpd_short(&person, &rule, &[], day(2026, 12, 31)), "90 days before");
    assert!(cpd_short(&person, &rule, &[], day(2027, 3, 31)), "the year's last day");
    assert!(!cpd_short(&person, &rule, &[], day(2027, 4, 1)), "a new year has begun");
    assert!(!cpd_short(&person, &rule, &[], day(2026, 4, 1)));
}

#[test]
fn the_cpd_year_is_judged_from_1_january_in_a_leap_spring() {
    let person = Person::default();
    let rule = gmc();
    assert!(!cpd_short(&person, &rule, &[], day(2027, 12, 31)), "91 days before 31 Mar 2028");
    assert!(cpd_short(&person, &rule, &[], day(2028, 1, 1)), "90 days before");
    assert!(cpd_short(&person, &rule, &[], day(2028, 2, 29)));
    assert!(cpd_short(&person, &rule, &[], day(2028, 3, 31)));
    assert!(!cpd_short(&person, &rule, &[], day(2028, 4, 1)));
}

#[test]
fn fifty_credits_within_the_year_are_needed() {
    let person = Person::default();
    let rule = gmc();
    let as_of = day(2027, 3, 1);
    assert!(cpd_short(&person, &rule, &[activity(day(2026, 9, 1), 49.5)], as_of));
    assert!(!cpd_short(&person, &rule, &[activity(day(2026, 9, 1), 50.0)], as_of));
    assert!(!cpd_short(&person, &rule, &[activity(day(2026, 9, 1), 30.0), activity(day(2027, 2, 1), 20.0)], as_of));
    assert!(!cpd_short(&person, &rule, &[activity(day(2026, 9, 1), 80.0)], as_of));
}

#[test]
fn credits_count_only_inside_the_cpd_year_and_up_to_the_day() {
    let person = Person::default();
    let rule = gmc();
    let as_of = day(2027, 3, 1);
    let last_year = [activity(day(2026, 3, 31), 50.0)];
    assert!(cpd_short(&person, &rule, &last_year, as_of), "31 Mar belongs to the year before");
    let first_day = [activity(day(2026, 4, 1), 50.0)];
    assert!(!cpd_short(&person, &rule, &first_day, as_of), "1 Apr opens the year");
    let tomorrow = [activity(day(2027, 3, 2), 50.0)];
    assert!(cpd_short(&person, &rule, &tomorrow, as_of), "not done yet");
    let today = [activity(as_of, 50.0)];
    assert!(!cpd_short(&person, &rule, &today, as_of));
}

#[test]
fn cpd_year_progress_shows_what_is_counted() {
    let person = Person::default();
    let cpd = [
        activity(day(2026, 3, 31), 40.0),
        participatory(day(2026, 4, 1), 12.5),
        activity(day(2026, 10, 1), 10.0),
        reflective(day(2026, 11, 1)),
        activity(day(2027, 1, 1), 99.0),
    ];
    assert_eq!(
        cpd_progress(&person, &gmc(), &cpd, day(2026, 11, 23)),
        Some(CpdProgress {
            cycle_start: day(2026, 4, 1),
            cycle_end: day(2027, 3, 31),
            total: 22.5,
            participatory: 12.5,
            reflective_accounts: 1,
            required: 50.0,
        })
    );
}

#[test]
fn hours_summed_from_tenths_still_meet_the_requirement() {
    let person = Person::default();
    let cpd = vec![activity(day(2026, 6, 1), 0.1); 500];
    assert!(!cpd_short(&person, &gmc(), &cpd, day(2027, 3, 31)), "500 × 0.1 makes 50");
    let cpd = vec![activity(day(2026, 6, 1), 0.1); 499];
    assert!(cpd_short(&person, &gmc(), &cpd, day(2027, 3, 31)));
}

// ---- CPD: the NMC's revalidation cycle ----

#[test]
fn the_nmc_cycle_is_the_three_years_up_to_revalidation() {
    let rule = nmc();
    let as_of = day(2026, 11, 23);
    let person = revalidating(day(2027, 6, 30));
    assert_eq!(cpd_cycle(&person, &rule, as_of), Some((day(2024, 7, 1), day(2027, 6, 30))));
    let leap = revalidating(day(2028, 2, 29));
    assert_eq!(cpd_cycle(&leap, &rule, as_of), Some((day(2025, 3, 1), day(2028, 2, 29))), "28 Feb 2025 + 1 day");
    let default_length = ProfessionRule { revalidation_months: None, ..nmc() };
    assert_eq!(cpd_cycle(&person, &default_length, as_of), Some((day(2024, 7, 1), day(2027, 6, 30))));
    assert_eq!(cpd_cycle(&Person::default(), &rule, as_of), None, "no revalidation date");
    assert_eq!(cpd_progress(&Person::default(), &rule, &[], as_of), None);
    assert!(!cpd_short(&Person::default(), &rule, &[], as_of), "not judged without a date");
}

#[test]
fn nmc_records_count_from_the_day_after_the_cycle_opens_until_the_day() {
    let rule = nmc();
    let due = day(2027, 6, 30);
    let person = revalidating(due);
    let as_of = due - days(30);
    let mut cpd = nurse_cpd(day(2025, 1, 1), 30.0, 20.0, 5);
    cpd.push(activity(day(2024, 6, 30), 5.0));
    assert!(cpd_short(&person, &rule, &cpd, as_of), "30 Jun 2024 is 36 months before: outside");
    cpd.push(activity(day(2024, 7, 1), 5.0));
    assert!(!cpd_short(&person, &rule, &cpd, as_of), "1 Jul 2024 is inside");

    let mut later = nurse_cpd(day(2025, 1, 1), 30.0, 20.0, 5);
    later.push(activity(as_of + days(1), 5.0));
    assert!(cpd_short(&person, &rule, &later, as_of), "a record dated after the day is not counted");
    assert!(!cpd_short(&person, &rule, &later, as_of + days(1)), "it counts once its day comes");
}

#[test]
fn nmc_needs_35_hours_20_participatory_and_5_reflective_accounts() {
    let rule = nmc();
    let due = day(2027, 6, 30);
    let person = revalidating(due);
    let as_of = due - days(10);
    let on = day(2026, 1, 15);
    assert!(!cpd_short(&person, &rule, &nurse_cpd(on, 35.0, 20.0, 5), as_of), "exactly met");
    assert!(cpd_short(&person, &rule, &nurse_cpd(on, 34.5, 20.0, 5), as_of), "34.5 hours");
    assert!(cpd_short(&person, &rule, &nurse_cpd(on, 35.0, 19.5, 5), as_of), "19.5 participatory");
    assert!(cpd_short(&person, &rule, &nurse_cpd(on, 35.0, 20.0, 4), as_of), "4 reflective accounts");
    assert!(!cpd_short(&person, &rule, &nurse_cpd(on, 50.0, 35.0, 8), as_of), "more than enough");
    assert!(!cpd_short(&person, &rule, &nurse_cpd(on, 35.0, 35.0, 5), as_of), "all participatory");
}

#[test]
fn nmc_shortfall_is_flagged_from_ninety_days_before_revalidation() {
    let rule = nmc();
    let due = day(2027, 6, 30);
    let person = revalidating(due);
    let short = nurse_cpd(day(2025, 1, 1), 34.0, 20.0, 5);
    assert!(!cpd_short(&person, &rule, &short, due - days(91)));
    assert!(cpd_short(&person, &rule, &short, due - days(90)));
    assert!(cpd_short(&person, &rule, &short, due - days(89)));
    assert!(cpd_short(&person, &rule, &short, due));
    assert!(cpd_short(&person, &rule, &short, due + days(1)), "the cycle has ended short");
    assert!(cpd_short(&person, &rule, &short, due + days(400)), "still short until revalidation is recorded");
}

#[test]
fn a_nurse_early_in_the_cycle_is_short_but_not_flagged() {
    let rule = nmc();
    let person = revalidating(day(2027, 6, 30));
    let as_of = day(2025, 6, 1);
    let cpd = nurse_cpd(day(2025, 2, 1), 6.0, 2.0, 1);
    assert!(!cpd_short(&person, &rule, &cpd, as_of));
    assert_eq!(
        cpd_progress(&person, &rule, &cpd, as_of),
        Some(CpdProgress {
            cycle_start: day(2024, 7, 1),
            cycle_end: day(2027, 6, 30),
            total: 6.0,
            participatory: 2.0,
            reflective_accounts: 1,
            required: 35.0,
        })
    );
}

// ---- CPD: the HCPC's rolling periods ----

#[test]
fn hcpc_periods_count_back_from_the_day() {
    let person = Person::default();
    let rule = hcpc();
    let as_of = day(2027, 6, 15);
    assert_eq!(cpd_cycle(&person, &rule, as_of), Some((day(2025, 6, 16), as_of)), "both periods");
    let progress = cpd_progress(&person, &rule, &[], as_of).unwrap();
    assert_eq!((progress.cycle_start, progress.cycle_end), (day(2026, 6, 16), as_of), "the latest period");
    let leap = day(2028, 2, 29);
    assert_eq!(cpd_cycle(&person, &rule, leap), Some((day(2026, 3, 1), leap)));
    let progress = cpd_progress(&person, &rule, &[], leap).unwrap();
    assert_eq!((progress.cycle_start, progress.cycle_end), (day(2027, 3, 1), leap));
}

#[test]
fn hcpc_needs_an_activity_in_each_period() {
    let person = Person::default();
    let rule = hcpc();
    let as_of = day(2027, 6, 15);
    assert!(cpd_short(&person, &rule, &[], as_of), "none at all");
    assert!(cpd_short(&person, &rule, &[activity(day(2027, 1, 1), 3.0)], as_of), "only the latest period");
    assert!(cpd_short(&person, &rule, &[activity(day(2026, 1, 1), 3.0)], as_of), "only the earlier period");
    let both = [activity(day(2026, 1, 1), 1.0), activity(day(2027, 1, 1), 1.0)];
    assert!(!cpd_short(&person, &rule, &both, as_of));
    let zero_hours = [activity(day(2026, 1, 1), 0.0), activity(day(2027, 1, 1), 0.0)];
    assert!(!cpd_short(&person, &rule, &zero_hours, as_of), "activities are counted, not hours");
}

#[test]
fn hcpc_activities_at_the_period_boundaries() {
    let person = Person::default();
    let rule = hcpc();
    let as_of = day(2027, 6, 15);
    let latest = activity(day(2027, 1, 1), 1.0);
    let earlier_last_day = [latest, activity(day(2026, 6, 15), 1.0)];
    assert!(!cpd_short(&person, &rule, &earlier_last_day, as_of), "15 Jun 2026 closes the earlier period");
    let earlier_first_day = [latest, activity(day(2025, 6, 16), 1.0)];
    assert!(!cpd_short(&person, &rule, &earlier_first_day, as_of), "16 Jun 2025 opens it");
    let too_old = [latest, activity(day(2025, 6, 15), 1.0)];
    assert!(cpd_short(&person, &rule, &too_old, as_of), "15 Jun 2025 is before both periods");
    let earlier = activity(day(2026, 1, 1), 1.0);
    assert!(!cpd_short(&person, &rule, &[earlier, activity(day(2026, 6, 16), 1.0)], as_of), "opens the latest");
    assert!(!cpd_short(&person, &rule, &[earlier, activity(as_of, 1.0)], as_of), "today counts");
    assert!(cpd_short(&person, &rule, &[earlier, activity(day(2027, 6, 16), 1.0)], as_of), "tomorrow does not");
    assert!(cpd_short(&person, &rule, &[activity(day(2026, 6, 15), 1.0)], as_of), "one cannot fill both periods");
    // A record opening the latest period slides into the earlier one the next day.
    let sliding = [earlier, activity(day(2026, 6, 16), 1.0)];
    assert!(!cpd_short(&person, &rule, &sliding, as_of));
    assert!(cpd_short(&person, &rule, &sliding, day(2027, 6, 16)), "both now in the earlier period");
}

#[test]
fn hcpc_is_judged_whatever_the_date_and_progress_counts_activities() {
    let person = Person::default();
    let rule = hcpc();
    let as_of = day(2026, 5, 1);
    assert!(cpd_short(&person, &rule, &[], as_of), "no warning window for rolling periods");
    let cpd = [
        participatory(day(2025, 6, 1), 2.0),
        reflective(day(2025, 9, 1)),
        activity(day(2026, 4, 30), 7.5),
        activity(day(2024, 6, 1), 1.0),
        activity(day(2024, 5, 1), 1.0),
    ];
    assert!(!cpd_short(&person, &rule, &cpd, as_of), "1 Jun 2024 fills the earlier period");
    assert_eq!(
        cpd_progress(&person, &rule, &cpd, as_of),
        Some(CpdProgress {
            cycle_start: day(2025, 5, 2),
            cycle_end: as_of,
            // The reflective account is counted as one, not as an activity.
            total: 2.0,
            participatory: 2.0,
            reflective_accounts: 1,
            required: 1.0,
        })
    );
}

#[test]
fn no_cpd_rule_means_no_cpd_verdict() {
    let as_of = day(2026, 11, 23);
    let person = revalidating(day(2026, 12, 1));
    let rule = no_regulator();
    assert_eq!(cpd_cycle(&person, &rule, as_of), None);
    assert_eq!(cpd_progress(&person, &rule, &[], as_of), None);
    assert!(!cpd_short(&person, &rule, &[], as_of));
    let no_requirement = ProfessionRule { cpd_required: None, ..gmc() };
    assert_eq!(cpd_progress(&person, &no_requirement, &[], day(2027, 3, 31)), None);
    assert!(!cpd_short(&person, &no_requirement, &[], day(2027, 3, 31)));
    let no_periods = ProfessionRule { cpd_periods: None, ..hcpc() };
    assert_eq!(cpd_cycle(&person, &no_periods, as_of), None);
    assert!(!cpd_short(&person, &no_periods, &[], as_of));
}

// ---- supervision ----

#[test]
fn supervision_within_thirty_days_counts() {
    let as_of = day(2026, 11, 23);
    let worker =
        |last: Option<NaiveDate>| Person { needs_supervision: true, last_supervision: last, ..Default::default() };
    assert!(!supervision_overdue(&worker(Some(as_of)), 30, as_of), "today");
    assert!(!supervision_overdue(&worker(Some(as_of - days(29))), 30, as_of));
    assert!(!supervision_overdue(&worker(Some(as_of - days(30))), 30, as_of), "exactly 30 days ago");
    assert!(supervision_overdue(&worker(Some(as_of - days(31))), 30, as_of), "31 days ago");
    assert!(supervision_overdue(&worker(None), 30, as_of), "never supervised");
    assert!(supervision_overdue(&worker(Some(as_of + days(1))), 30, as_of), "not yet happened");
    assert!(!supervision_overdue(&worker(Some(day(2028, 2, 1))), 30, day(2028, 3, 2)), "30 days across 29 Feb");
    assert!(supervision_overdue(&worker(Some(day(2028, 1, 30))), 30, day(2028, 3, 1)), "31 days across 29 Feb");
}

#[test]
fn a_new_starters_supervision_clock_runs_from_their_start_date() {
    let as_of = day(2026, 11, 23);
    let starter = |started: NaiveDate| Person {
        started_on: Some(started),
        needs_supervision: true,
        last_supervision: None,
        ..Default::default()
    };
    assert!(!supervision_overdue(&starter(as_of - days(17)), 30, as_of), "17 days in post");
    assert!(!supervision_overdue(&starter(as_of - days(30)), 30, as_of), "exactly the interval");
    assert!(supervision_overdue(&starter(as_of - days(31)), 30, as_of), "the interval has passed");
    // A supervision after starting restarts the clock as usual.
    let supervised = Person { last_supervision: Some(as_of - days(5)), ..starter(as_of - days(400)) };
    assert!(!supervision_overdue(&supervised, 30, as_of));
    assert_eq!(judge(&starter(as_of - days(17)), Some(&no_regulator()), &[], 30, as_of), []);
}

#[test]
fn only_those_who_need_it_are_judged_on_supervision() {
    let as_of = day(2026, 11, 23);
    assert!(!supervision_overdue(&Person::default(), 30, as_of));
    let clinician = Person { last_supervision: Some(day(2020, 1, 1)), ..Default::default() };
    assert!(!supervision_overdue(&clinician, 30, as_of));
}

// ---- judge ----

/// A doctor with everything wrong on 1 Mar 2027.
fn troubled_doctor() -> Person {
    Person {
        started_on: Some(day(2020, 1, 1)),
        left_on: None,
        registration_renewal: Some(day(2027, 2, 1)),
        revalidation_due: Some(day(2027, 2, 1)),
        last_appraisal: Some(day(2025, 1, 1)),
        needs_supervision: true,
        last_supervision: None,
        responsible_officer: true,
        consultant: false,
        specialist_route: false,
        in_training: false,
        revalidation: None,
    }
}

#[test]
fn judge_lists_everything_wrong_in_order() {
    let as_of = day(2027, 3, 1);
    assert_eq!(
        judge(&troubled_doctor(), Some(&gmc()), &[], 30, as_of),
        [
            RegistrationExpired,
            RevalidationOverdue,
            AppraisalOverdue,
            CpdShort,
            CpdPreviousYearShort,
            RevalidationCpdShort,
            SupervisionOverdue
        ]
    );
    let nearly = Person {
        registration_renewal: Some(day(2027, 3, 31)),
        revalidation_due: Some(day(2027, 3, 31)),
        ..troubled_doctor()
    };
    assert_eq!(
        judge(&nearly, Some(&gmc()), &[], 30, as_of),
        [
            RegistrationDue,
            RevalidationDue,
            AppraisalOverdue,
            CpdShort,
            CpdPreviousYearShort,
            RevalidationCpdShort,
            SupervisionOverdue
        ]
    );
    let judged = judge(&nearly, Some(&gmc()), &[], 30, as_of);
    let mut sorted = judged.clone();
    sorted.sort_by_key(|issue| issue.index());
    assert_eq!(judged, sorted);
}

#[test]
fn judge_a_compliant_nurse_and_a_compliant_doctor() {
    let as_of = day(2026, 11, 23);
    let nurse = Person {
        started_on: Some(day(2019, 5, 1)),
        registration_renewal: Some(day(2027, 5, 31)),
        revalidation_due: Some(day(2027, 5, 31)),
        ..Default::default()
    };
    assert_eq!(judge(&nurse, Some(&nmc()), &[], 30, as_of), [], "short but early in the cycle");
    let doctor = Person {
        started_on: Some(day(2019, 5, 1)),
        registration_renewal: Some(day(2027, 5, 31)),
        revalidation_due: Some(day(2029, 5, 31)),
        last_appraisal: Some(day(2026, 5, 1)),
        responsible_officer: true,
        ..Default::default()
    };
    assert_eq!(judge(&doctor, Some(&gmc()), &[activity(day(2026, 5, 1), 50.0)], 30, as_of), []);
}

#[test]
fn judge_without_a_regulator_rule_checks_supervision_alone() {
    let as_of = day(2027, 3, 1);
    assert_eq!(judge(&troubled_doctor(), None, &[], 30, as_of), [SupervisionOverdue]);
    assert_eq!(judge(&troubled_doctor(), Some(&no_regulator()), &[], 30, as_of), [SupervisionOverdue]);
    let supervised = Person { last_supervision: Some(day(2027, 2, 20)), ..troubled_doctor() };
    assert_eq!(judge(&supervised, None, &[], 30, as_of), []);
}

#[test]
fn nobody_is_judged_before_starting_or_after_leaving() {
    let as_of = day(2027, 3, 1);
    let rule = gmc();
    let starts_tomorrow = Person { started_on: Some(day(2027, 3, 2)), ..troubled_doctor() };
    assert_eq!(judge(&starts_tomorrow, Some(&rule), &[], 30, as_of), []);
    let starts_today = Person { started_on: Some(as_of), ..troubled_doctor() };
    assert_eq!(
        judge(&starts_today, Some(&rule), &[], 30, as_of),
        [
            RegistrationExpired,
            RevalidationOverdue,
            AppraisalOverdue,
            CpdShort,
            CpdPreviousYearShort,
            RevalidationCpdShort
        ],
        "a new starter's supervision clock starts today"
    );
    let left_yesterday = Person { left_on: Some(day(2027, 2, 28)), ..troubled_doctor() };
    assert_eq!(judge(&left_yesterday, Some(&rule), &[], 30, as_of), []);
    assert_eq!(judge(&left_yesterday, None, &[], 30, as_of), [], "not even supervision");
    let leaves_today = Person { left_on: Some(as_of), ..troubled_doctor() };
    assert_eq!(judge(&leaves_today, Some(&rule), &[], 30, as_of).len(), 7, "still judged on the last day");
    let leaves_tomorrow = Person { left_on: Some(day(2027, 3, 2)), ..troubled_doctor() };
    assert_eq!(judge(&leaves_tomorrow, Some(&rule), &[], 30, as_of).len(), 7);
    let undated = Person { started_on: None, ..troubled_doctor() };
    assert_eq!(judge(&undated, Some(&rule), &[], 30, as_of).len(), 7, "no start date recorded");
}

#[test]
fn judge_passes_the_supervision_allowance_through() {
    let as_of = day(2027, 3, 1);
    let worker = Person { needs_supervision: true, last_supervision: Some(day(2027, 1, 29)), ..Default::default() };
    assert_eq!(judge(&worker, None, &[], 30, as_of), [SupervisionOverdue]);
    assert_eq!(judge(&worker, None, &[], 31, as_of), []);
}

// ---- totals ----

#[test]
fn totals_count_every_code_including_zeros_in_order() {
    let people: Vec<Vec<Issue>> = vec![
        vec![RegistrationExpired, CpdShort],
        vec![],
        vec![RegistrationDue, RevalidationDue, CpdShort, SupervisionOverdue],
        vec![CpdShort],
    ];
    assert_eq!(
        totals(people.iter().map(Vec::as_slice)),
        [
            (RegistrationExpired, 1),
            (RegistrationDue, 1),
            (RevalidationDue, 1),
            (RevalidationOverdue, 0),
            (AppraisalOverdue, 0),
            (ResponsibleOfficerMissing, 0),
            (SpecialistRouteMissing, 0),
            (CpdShort, 3),
            (CpdPreviousYearShort, 0),
            (RevalidationCpdShort, 0),
            (PracticeHoursShort, 0),
            (FeedbackShort, 0),
            (ReflectiveDiscussionMissing, 0),
            (ConfirmationMissing, 0),
            (SupervisionOverdue, 1),
        ]
    );
    let nobody: [&[Issue]; 0] = [];
    assert_eq!(totals(nobody), Issue::ALL.iter().map(|issue| (*issue, 0)).collect::<Vec<_>>());
}

// ---- a serializer that only writes strings, to see what an Issue becomes ----

struct CodeOnly;

#[derive(Debug, PartialEq)]
struct NotAString;

impl std::fmt::Display for NotAString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a string")
    }
}

impl std::error::Error for NotAString {}

impl serde::ser::Error for NotAString {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NotAString
    }
}

macro_rules! refuse {
    ($($method:ident($($ty:ty),*) -> $ret:ty;)*) => {
        $(fn $method(self, $(_: $ty),*) -> Result<$ret, NotAString> { Err(NotAString) })*
    };
}

impl Serializer for CodeOnly {
    type Ok = String;
    type Error = NotAString;
    type SerializeSeq = serde::ser::Impossible<String, NotAString>;
    type SerializeTuple = serde::ser::Impossible<String, NotAString>;
    type SerializeTupleStruct = serde::ser::Impossible<String, NotAString>;
    type SerializeTupleVariant = serde::ser::Impossible<String, NotAString>;
    type SerializeMap = serde::ser::Impossible<String, NotAString>;
    type SerializeStruct = serde::ser::Impossible<String, NotAString>;
    type SerializeStructVariant = serde::ser::Impossible<String, NotAString>;

    fn serialize_str(self, v: &str) -> Result<String, NotAString> {
        Ok(v.to_string())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, _: &T) -> Result<String, NotAString> {
        Err(NotAString)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, _: &T) -> Result<String, NotAString> {
        Err(NotAString)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, NotAString> {
        Err(NotAString)
    }

    refuse! {
        serialize_bool(bool) -> String;
        serialize_i8(i8) -> String;
        serialize_i16(i16) -> String;
        serialize_i32(i32) -> String;
        serialize_i64(i64) -> String;
        serialize_u8(u8) -> String;
        serialize_u16(u16) -> String;
        serialize_u32(u32) -> String;
        serialize_u64(u64) -> String;
        serialize_f32(f32) -> String;
        serialize_f64(f64) -> String;
        serialize_char(char) -> String;
        serialize_bytes(&[u8]) -> String;
        serialize_none() -> String;
        serialize_unit() -> String;
        serialize_unit_struct(&'static str) -> String;
        serialize_unit_variant(&'static str, u32, &'static str) -> String;
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }
}

#[test]
fn the_cpd_window_holds_every_record_a_verdict_turns_on() {
    // Records every ten days for six years; whatever the rule and the day, judging only the
    // records inside the window gives the same verdict as judging them all.
    let first = NaiveDate::from_ymd_opt(2021, 1, 1).unwrap();
    let records: Vec<CpdActivity> = (0..220)
        .map(|k| CpdActivity {
            date: first + chrono::Duration::days(10 * k),
            hours: if k % 4 == 0 { 6.0 } else { 0.5 },
            participatory: k % 3 == 0,
            reflective: k % 25 == 0,
        })
        .collect();
    // With no appraisal, and with one partway through, so the previous CPD year is judged both
    // ways; a GMC revalidation at the end of 2026 puts the five-year cycle in range too.
    let never = Person { revalidation_due: NaiveDate::from_ymd_opt(2026, 12, 31), ..Default::default() };
    let appraised = Person { last_appraisal: NaiveDate::from_ymd_opt(2025, 6, 1), ..never.clone() };
    for (person, rule) in [&never, &appraised].into_iter().flat_map(|p| [gmc(), nmc(), hcpc()].map(|r| (p, r))) {
        for offset in (0..800).step_by(7) {
            let as_of = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Duration::days(offset);
            let inside: Vec<CpdActivity> = match cpd_window(person, &rule, as_of) {
                Some((start, end)) => records.iter().filter(|r| r.date >= start && r.date <= end).cloned().collect(),
                None => {
                    assert!(
                        !cpd_short(person, &rule, &records, as_of)
                            && !cpd_previous_year_short(person, &rule, &records, as_of)
                            && !revalidation_cpd_short(person, &rule, &records, as_of),
                        "{} on {as_of}: judged with no window",
                        rule.regulator.as_str()
                    );
                    continue;
                }
            };
            assert_eq!(
                cpd_short(person, &rule, &inside, as_of),
                cpd_short(person, &rule, &records, as_of),
                "{} on {as_of}",
                rule.regulator.as_str()
            );
            assert_eq!(
                revalidation_cpd_short(person, &rule, &inside, as_of),
                revalidation_cpd_short(person, &rule, &records, as_of),
                "{} on {as_of}: revalidation cycle",
                rule.regulator.as_str()
            );
            assert_eq!(
                cpd_previous_year_short(person, &rule, &inside, as_of),
                cpd_previous_year_short(person, &rule, &records, as_of),
                "{} on {as_of}: previous year",
                rule.regulator.as_str()
            );
        }
    }
}

#[test]
fn the_summary_counts_every_tier_and_discipline_and_those_needing_supervision() {
    use crate::workforce::model::{Discipline::*, Tier};
    let overdue = [Issue::SupervisionOverdue];
    let people = [
        Counted {
            discipline: ConsultantOccupationalPhysician,
            tier: Tier::Specialist,
            practice_teacher: false,
            needs_supervision: false,
            issues: &[],
        },
        Counted {
            discipline: OhNurse,
            tier: Tier::Clinical,
            practice_teacher: true,
            needs_supervision: false,
            issues: &[],
        },
        Counted {
            discipline: NonClinicalCaseWorker,
            tier: Tier::NonClinical,
            practice_teacher: false,
            needs_supervision: true,
            issues: &overdue,
        },
        Counted {
            discipline: NonClinicalCaseWorker,
            tier: Tier::NonClinical,
            practice_teacher: false,
            needs_supervision: true,
            issues: &[],
        },
    ];
    let session = |y, m, d, cases, gp| SessionFigures {
        date: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
        cases_discussed: cases,
        escalated_gp: gp,
        escalated_clinical: 1,
        escalated_specialist: 0,
    };
    let summary =
        summarise(&people, &[session(2026, 10, 30, 6, 1), session(2026, 11, 2, 4, 0), session(2026, 11, 27, 5, 2)]);
    assert_eq!(summary.by_tier, vec![(Tier::Specialist, 1), (Tier::Clinical, 1), (Tier::NonClinical, 2)]);
    assert_eq!(summary.by_discipline.iter().filter(|(_, n)| *n == 0).count(), Discipline::ALL.len() - 3, "zeros kept");
    assert_eq!((summary.consultants, summary.specialty_registrars, summary.practice_teachers), (1, 0, 1));
    assert_eq!((summary.needing_supervision, summary.supervised), (2, 1));
    assert_eq!(
        summary.totals.iter().find(|(i, _)| *i == Issue::SupervisionOverdue),
        Some(&(Issue::SupervisionOverdue, 1))
    );
    let months: Vec<(&str, usize, i64, i64, i64)> = summary
        .escalations
        .iter()
        .map(|e| (e.month.as_str(), e.sessions, e.cases_discussed, e.to_gp, e.to_clinical))
        .collect();
    assert_eq!(months, vec![("2026-10", 1, 6, 1, 1), ("2026-11", 2, 9, 2, 2)]);
}

// ---- doctors' governance ----

#[test]
fn a_doctor_without_a_responsible_officer_is_flagged() {
    let as_of = day(2027, 3, 1);
    let doctor =
        Person { started_on: Some(day(2026, 1, 1)), last_appraisal: Some(day(2026, 6, 1)), ..Default::default() };
    assert_eq!(responsible_officer(&doctor, &gmc()), Some(ResponsibleOfficerMissing));
    assert!(judge(&doctor, Some(&gmc()), &[], 30, as_of).contains(&ResponsibleOfficerMissing));
    let with_ro = Person { responsible_officer: true, ..doctor.clone() };
    assert_eq!(responsible_officer(&with_ro, &gmc()), None);
    assert!(!judge(&with_ro, Some(&gmc()), &[], 30, as_of).contains(&ResponsibleOfficerMissing));
    // Only doctors have one.
    assert_eq!(responsible_officer(&doctor, &nmc()), None);
    assert_eq!(responsible_officer(&doctor, &no_regulator()), None);
}

#[test]
fn a_consultant_needs_a_cct_or_cesr_recorded() {
    let consultant = Person { consultant: true, responsible_officer: true, ..Default::default() };
    assert_eq!(specialist_route(&consultant), Some(SpecialistRouteMissing));
    assert_eq!(specialist_route(&Person { specialist_route: true, ..consultant.clone() }), None);
    assert_eq!(specialist_route(&Person::default()), None, "only consultants");
    let as_of = day(2027, 3, 1);
    let judged = judge(&Person { started_on: Some(as_of), ..consultant }, Some(&gmc()), &[], 30, as_of);
    assert!(judged.contains(&SpecialistRouteMissing), "{judged:?}");
}

#[test]
fn specialty_registrars_follow_arcp_not_the_appraisal_rule() {
    let as_of = day(2027, 3, 1);
    let registrar = Person {
        started_on: Some(day(2020, 1, 1)),
        last_appraisal: Some(day(2024, 1, 1)),
        responsible_officer: true,
        in_training: true,
        ..Default::default()
    };
    assert_eq!(appraisal(&registrar, &gmc(), as_of), None);
    let consultant = Person { in_training: false, ..registrar.clone() };
    assert_eq!(appraisal(&consultant, &gmc(), as_of), Some(AppraisalOverdue));
    assert!(!judge(&registrar, Some(&gmc()), &[], 30, as_of).contains(&AppraisalOverdue));
}

#[test]
fn a_doctor_short_at_the_cpd_year_end_stays_flagged_until_appraised() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let rule = gmc();
    let short = [CpdActivity { date: d(2025, 6, 1), hours: 49.0, participatory: false, reflective: false }];
    let met = [CpdActivity { date: d(2025, 6, 1), hours: 50.0, participatory: false, reflective: false }];
    let person = Person { last_appraisal: Some(d(2025, 5, 1)), ..Default::default() };
    // 31 March: today's rule, the year being judged is still the current one.
    assert!(cpd_short(&person, &rule, &short, d(2026, 3, 31)));
    assert!(!cpd_previous_year_short(&person, &rule, &short, d(2026, 3, 31)));
    let on_31_march = judge(&person, Some(&rule), &short, 30, d(2026, 3, 31));
    assert!(on_31_march.contains(&Issue::CpdShort) && !on_31_march.contains(&Issue::CpdPreviousYearShort));
    // 1 April: the new year is not yet judged, the last one still is.
    assert!(!cpd_short(&person, &rule, &short, d(2026, 4, 1)));
    assert!(cpd_previous_year_short(&person, &rule, &short, d(2026, 4, 1)));
    assert!(judge(&person, Some(&rule), &short, 30, d(2026, 4, 1)).contains(&Issue::CpdPreviousYearShort));
    assert!(cpd_previous_year_short(&person, &rule, &short, d(2026, 11, 30)));
    // An appraisal on or after 1 April clears it, once it has happened.
    let appraised = Person { last_appraisal: Some(d(2026, 4, 1)), ..Default::default() };
    assert!(!cpd_previous_year_short(&appraised, &rule, &short, d(2026, 4, 1)));
    assert!(!cpd_previous_year_short(&appraised, &rule, &short, d(2026, 9, 1)));
    let booked = Person { last_appraisal: Some(d(2026, 6, 1)), ..Default::default() };
    assert!(cpd_previous_year_short(&booked, &rule, &short, d(2026, 5, 31)));
    // An appraisal on 31 March is not after the year's end.
    let before = Person { last_appraisal: Some(d(2026, 3, 31)), ..Default::default() };
    assert!(cpd_previous_year_short(&before, &rule, &short, d(2026, 4, 1)));
    // A registrar's appraisal is ARCP, so no appraisal would clear it: not judged on it.
    let registrar = Person { in_training: true, ..person.clone() };
    assert!(!cpd_previous_year_short(&registrar, &rule, &short, d(2026, 4, 1)));
    assert!(cpd_short(&registrar, &rule, &short, d(2026, 3, 31)), "the current year still is");
    // A doctor who met 50 is not flagged; nor are other cycles.
    assert!(!cpd_previous_year_short(&person, &rule, &met, d(2026, 4, 1)));
    assert!(!cpd_previous_year_short(&person, &nmc(), &short, d(2026, 4, 1)));
    assert!(!cpd_previous_year_short(&person, &hcpc(), &short, d(2026, 4, 1)));
}

#[test]
fn a_doctor_is_judged_on_250_credits_over_the_revalidation_cycle_near_its_end() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    let rule = gmc();
    // Revalidating on 30 Jun 2027: the cycle runs from 1 Jul 2022.
    let person = Person { revalidation_due: Some(d(2027, 6, 30)), ..Default::default() };
    let yearly = |credits: f64| -> Vec<CpdActivity> {
        (2022..=2026)
            .map(|y| CpdActivity { date: d(y, 7, 1), hours: credits, participatory: false, reflective: false })
            .collect()
    };
    let short = yearly(49.0);
    let met = yearly(50.0);
    assert_eq!(revalidation_cpd_cycle(&person, &rule, d(2027, 4, 1)), Some((d(2022, 7, 1), d(2027, 6, 30))));
    // 91 days before: not yet judged; 90 days before: judged, as an NMC cycle is.
    assert!(!revalidation_cpd_short(&person, &rule, &short, d(2027, 3, 31)));
    assert!(revalidation_cpd_short(&person, &rule, &short, d(2027, 4, 1)));
    assert!(revalidation_cpd_short(&person, &rule, &short, d(2027, 6, 30)));
    assert!(revalidation_cpd_short(&person, &rule, &short, d(2027, 7, 1)), "and once overdue");
    assert!(!revalidation_cpd_short(&person, &rule, &met, d(2027, 4, 1)), "250 exactly is enough");
    // A record the day before the cycle starts does not count; one on its first day does.
    let mut early = yearly(50.0);
    early[0].date = d(2022, 6, 30);
    assert!(revalidation_cpd_short(&person, &rule, &early, d(2027, 4, 1)));
    early[0].date = d(2022, 7, 1);
    assert!(!revalidation_cpd_short(&person, &rule, &early, d(2027, 4, 1)));
    // CPD not yet done does not count.
    let mut later = yearly(50.0);
    later[4].date = d(2027, 5, 1);
    assert!(revalidation_cpd_short(&person, &rule, &later, d(2027, 4, 30)));
    assert!(!revalidation_cpd_short(&person, &rule, &later, d(2027, 5, 1)));
    assert!(judge(&person, Some(&rule), &short, 30, d(2027, 4, 1)).contains(&Issue::RevalidationCpdShort));
    // No revalidation date, or no such figure (NMC, HCPC): not judged.
    assert!(!revalidation_cpd_short(&Person::default(), &rule, &short, d(2027, 4, 1)));
    assert!(!revalidation_cpd_short(&person, &nmc(), &short, d(2027, 4, 1)));
    assert!(!revalidation_cpd_short(&person, &hcpc(), &short, d(2027, 4, 1)));
    // The window covers the whole cycle.
    let window = cpd_window(&person, &rule, d(2027, 4, 1)).unwrap();
    assert!(window.0 <= d(2022, 7, 1) && window.1 == d(2027, 4, 1));
}

/// The NMC rule with the revalidation figures of the rules file.
fn nmc_revalidating() -> ProfessionRule {
    ProfessionRule { practice_hours_required: Some(450), feedback_required: Some(5), ..nmc() }
}

/// Everything a nurse revalidating on `due` needs beyond CPD, recorded within the cycle.
fn everything_for(due: NaiveDate) -> RevalidationEvidence {
    RevalidationEvidence {
        practice_hours: 450,
        feedback_pieces: 5,
        discussion_on: Some(due - days(200)),
        confirmed_on: Some(due - days(120)),
    }
}

#[test]
fn revalidation_requirements_are_judged_from_ninety_days_before_the_date() {
    let rule = nmc_revalidating();
    let due = day(2027, 6, 30);
    let person = Person { revalidation: Some(RevalidationEvidence::default()), ..revalidating(due) };
    assert!(revalidation_requirements(&person, &rule, due - days(91)).is_empty(), "91 days before: not yet judged");
    assert_eq!(
        revalidation_requirements(&person, &rule, due - days(89)),
        [PracticeHoursShort, FeedbackShort, ReflectiveDiscussionMissing, ConfirmationMissing],
        "89 days before: each requirement missing is flagged on its own"
    );
    assert_eq!(revalidation_requirements(&person, &rule, due - days(90)).len(), 4, "from the 90th day");
    let nothing = revalidating(due);
    assert_eq!(revalidation_requirements(&nothing, &rule, due - days(89)).len(), 4, "nothing recorded at all");
    assert_eq!(revalidation_requirements(&nothing, &rule, due + days(30)).len(), 4, "and after the date");
    let done = Person { revalidation: Some(everything_for(due)), ..revalidating(due) };
    assert!(revalidation_requirements(&done, &rule, due - days(89)).is_empty(), "everything recorded");
}

#[test]
fn revalidation_figures_come_from_the_rules_file() {
    let due = day(2027, 6, 30);
    let as_of = due - days(30);
    let short = RevalidationEvidence { practice_hours: 449, feedback_pieces: 4, ..everything_for(due) };
    let person = Person { revalidation: Some(short), ..revalidating(due) };
    assert_eq!(revalidation_requirements(&person, &nmc_revalidating(), as_of), [PracticeHoursShort, FeedbackShort]);
    let lower = ProfessionRule { practice_hours_required: Some(400), feedback_required: Some(4), ..nmc() };
    assert!(revalidation_requirements(&person, &lower, as_of).is_empty(), "a corrected file's figures are used");
    let judged = judge(&person, Some(&nmc_revalidating()), &nurse_cpd(as_of, 35.0, 20.0, 5), 30, as_of);
    assert_eq!(judged, [RevalidationDue, PracticeHoursShort, FeedbackShort], "judge lists them in order");
    let doctor = Person { revalidation: None, ..revalidating(due) };
    assert!(revalidation_requirements(&doctor, &gmc(), as_of).is_empty(), "the GMC rule has no such requirements");
}

#[test]
fn a_discussion_or_confirmation_counts_only_within_the_cycle_and_once_held() {
    let rule = nmc_revalidating();
    let due = day(2027, 6, 30);
    let as_of = due - days(60);
    let judged = |held: RevalidationEvidence| {
        revalidation_requirements(&Person { revalidation: Some(held), ..revalidating(due) }, &rule, as_of)
    };
    let cycle_start = day(2024, 7, 1);
    assert!(judged(RevalidationEvidence { discussion_on: Some(cycle_start), ..everything_for(due) }).is_empty());
    assert_eq!(
        judged(RevalidationEvidence { discussion_on: Some(cycle_start - days(1)), ..everything_for(due) }),
        [ReflectiveDiscussionMissing],
        "held in the previous cycle"
    );
    assert_eq!(
        judged(RevalidationEvidence { confirmed_on: Some(as_of + days(1)), ..everything_for(due) }),
        [ConfirmationMissing],
        "dated after the day judged"
    );
}

#[test]
fn reflective_accounts_never_add_to_the_hours() {
    let rule = nmc();
    let due = day(2027, 6, 30);
    let person = revalidating(due);
    let as_of = due - days(10);
    let on = day(2026, 1, 15);
    let mut records = nurse_cpd(on, 34.0, 20.0, 5);
    // An account stored with hours (as records were before accounts stood apart) adds none.
    records.push(CpdActivity { date: on, hours: 3.0, participatory: true, reflective: true });
    let progress = cpd_progress(&person, &rule, &records, as_of).unwrap();
    assert_eq!((progress.total, progress.participatory, progress.reflective_accounts), (34.0, 20.0, 6));
    assert!(cpd_short(&person, &rule, &records, as_of), "34 hours of 35, however many accounts");
    let hcpc_person = Person::default();
    let only_accounts = [reflective(as_of - days(30)), reflective(as_of - days(400))];
    assert!(cpd_short(&hcpc_person, &hcpc(), &only_accounts, as_of), "an account is not an HCPC activity");
}

#[test]
fn people_sort_by_surname_then_given_names_without_titles() {
    assert_eq!(sort_name("Dr Maya Osei"), "osei, maya");
    assert_eq!(sort_name("Maya Osei"), "osei, maya", "the title makes no difference");
    assert_eq!(sort_name("  Prof Dr  Anil  Kumar "), "kumar, anil", "two titles, extra spaces");
    assert_eq!(sort_name("Mrs. Jo de Souza"), "souza, jo de", "the surname is the last word");
    assert_eq!(sort_name("Dr Osei"), "osei", "a title alone is no given name");
    assert_eq!(sort_name("Osei"), "osei");
    assert_eq!(sort_name("Drew Barrymore"), "barrymore, drew", "a name that starts like a title keeps it");
    assert_eq!(sort_name("Mr Misska Lee"), "lee, misska");
    assert!(sort_name("Lee Zoe Ann") < sort_name("Amy Leeds"), "Lee comes before Leeds");
    assert_eq!(sort_name("Ólafur Ólafsson"), "Ólafsson, Ólafur", "only ASCII is lowered, as in SQL");
}
