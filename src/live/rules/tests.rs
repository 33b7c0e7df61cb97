//! Each check at its edges, on fixed dates, from records built by hand.

use super::*;
use crate::live::store::records::{
    CommissionerRecord, CoverageRecord, EvidenceRecord, KpiValue, MetStandard, OpenAction, PlanRecord, PlannedAudit,
};
use crate::workforce::model::Discipline;

/// Wednesday 2 December 2026.
fn today() -> NaiveDate {
    day(2026, 12, 2)
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real day")
}

fn records() -> Records {
    Records {
        provider_id: ProviderId(7),
        as_of: today(),
        supervision_days: 30,
        people: Vec::new(),
        coverage: Vec::new(),
        plan: None,
        overdue_actions: Vec::new(),
        kpi_values: Vec::new(),
        commissioners: Vec::new(),
        met_standards: Vec::new(),
        met_evidence: Vec::new(),
    }
}

/// A person in post with the regulator's usual discipline, registered until well after today, with
/// a Responsible Officer and a recent appraisal when a doctor.
fn person(number: &str, regulator: Regulator) -> PersonRecord {
    let discipline = match regulator {
        Regulator::Gmc => Discipline::OccupationalPhysician,
        Regulator::Nmc => Discipline::OhNurse,
        Regulator::Hcpc => Discipline::Physiotherapist,
        Regulator::None => Discipline::NonClinicalCaseWorker,
    };
    let id = number.trim_start_matches(|c: char| !c.is_ascii_digit()).parse().unwrap_or(1);
    PersonRecord {
        staff_id: StaffId(id),
        staff_number: number.to_string(),
        name: format!("Person {number}"),
        discipline,
        regulator,
        registration_renewal: (regulator != Regulator::None).then(|| day(2027, 6, 30)),
        started_on: Some(day(2020, 1, 6)),
        responsible_officer: regulator == Regulator::Gmc,
        last_appraisal: (regulator == Regulator::Gmc).then(|| day(2026, 5, 1)),
        cpd: Vec::new(),
        needs_supervision: false,
        last_supervision: None,
    }
}

fn with_people(people: Vec<PersonRecord>) -> Records {
    Records { people, ..records() }
}

fn check(check: LiveCheck, records: &Records) -> Outcome {
    judge(check, records, today())
}

fn verdict_of(which: LiveCheck, records: &Records) -> Verdict {
    check(which, records).verdict
}

// Registrations.

#[test]
fn a_registration_renewed_today_is_current_and_expires_the_day_after() {
    let mut nurse = person("S003", Regulator::Nmc);
    nurse.registration_renewal = Some(today());
    assert_eq!(verdict_of(LiveCheck::RegistrationsCurrent, &with_people(vec![nurse.clone()])), Verdict::Holds);
    nurse.registration_renewal = Some(day(2026, 12, 1));
    let outcome = check(LiveCheck::RegistrationsCurrent, &with_people(vec![nurse]));
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.summary, "1 registration expired: S003");
}

#[test]
fn expired_registrations_are_named_by_staff_number_and_linked_for_those_who_may_see_staff() {
    let mut a = person("S003", Regulator::Nmc);
    a.registration_renewal = Some(day(2026, 11, 1));
    let mut b = person("S009", Regulator::Gmc);
    b.registration_renewal = Some(day(2026, 10, 31));
    let ok = person("S010", Regulator::Hcpc);
    let outcome = check(LiveCheck::RegistrationsCurrent, &with_people(vec![a, b, ok]));
    assert_eq!(outcome.summary, "2 registrations expired: S003, S009");
    assert_eq!(outcome.facts[0].text, "S003: registration expired on 1 Nov 2026");
    assert_eq!(outcome.facts[0].href.as_deref(), Some("/providers/7/workforce/staff/3"));
    assert_eq!(outcome.facts[0].needs, Capability::ReadStaff);
    assert_eq!(outcome.seen.rows.len(), 3);
    assert!(outcome.seen.rows.iter().flatten().all(|cell| !cell.contains("Person")), "no names in the table");
}

#[test]
fn a_missing_renewal_date_fails() {
    let mut nurse = person("S011", Regulator::Nmc);
    nurse.registration_renewal = None;
    let outcome = check(LiveCheck::RegistrationsCurrent, &with_people(vec![nurse]));
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.summary, "1 registration has no renewal date recorded: S011");
    assert_eq!(outcome.seen.rows[0][4], "No renewal date recorded");
}

#[test]
fn registrations_hold_when_all_are_current_and_unregistered_roles_are_not_counted() {
    let mut clerk = person("S020", Regulator::None);
    clerk.registration_renewal = None;
    let records = with_people(vec![person("S001", Regulator::Gmc), person("S002", Regulator::Nmc), clerk]);
    let outcome = check(LiveCheck::RegistrationsCurrent, &records);
    assert_eq!(outcome.verdict, Verdict::Holds);
    assert_eq!(outcome.summary, "All 2 registrations are current");
    assert_eq!(outcome.seen.rows.len(), 2);
}

#[test]
fn no_registered_clinician_is_not_enough_data() {
    let outcome = check(LiveCheck::RegistrationsCurrent, &with_people(vec![person("S020", Regulator::None)]));
    assert_eq!(outcome.verdict, Verdict::NotEnoughData);
    assert_eq!(verdict_of(LiveCheck::RegistrationsCurrent, &records()), Verdict::NotEnoughData);
}

// Doctors' appraisals and Responsible Officers.

#[test]
fn an_appraisal_fifteen_months_ago_to_the_day_is_in_date_and_one_day_more_is_not() {
    let mut doctor = person("S004", Regulator::Gmc);
    doctor.last_appraisal = Some(day(2025, 9, 2));
    assert_eq!(verdict_of(LiveCheck::DoctorsAppraised, &with_people(vec![doctor.clone()])), Verdict::Holds);
    doctor.last_appraisal = Some(day(2025, 9, 1));
    let outcome = check(LiveCheck::DoctorsAppraised, &with_people(vec![doctor]));
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.summary, "1 appraisal overdue: S004");
    assert_eq!(outcome.facts[0].text, "S004: appraisal due by 1 Dec 2026 (last 1 Sep 2025)");
}

#[test]
fn a_doctor_without_a_responsible_officer_fails_even_when_appraised() {
    let mut doctor = person("S005", Regulator::Gmc);
    doctor.responsible_officer = false;
    let outcome = check(LiveCheck::DoctorsAppraised, &with_people(vec![doctor]));
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.summary, "1 doctor has no Responsible Officer: S005");
}

#[test]
fn without_an_appraisal_the_fifteen_months_run_from_the_start_date() {
    let mut doctor = person("S006", Regulator::Gmc);
    doctor.last_appraisal = None;
    doctor.started_on = Some(day(2025, 9, 2));
    assert_eq!(verdict_of(LiveCheck::DoctorsAppraised, &with_people(vec![doctor.clone()])), Verdict::Holds);
    doctor.started_on = Some(day(2025, 9, 1));
    assert_eq!(verdict_of(LiveCheck::DoctorsAppraised, &with_people(vec![doctor])), Verdict::Fails);
}

#[test]
fn a_doctor_with_neither_appraisal_nor_start_date_fails() {
    let mut doctor = person("S007", Regulator::Gmc);
    doctor.last_appraisal = None;
    doctor.started_on = None;
    let outcome = check(LiveCheck::DoctorsAppraised, &with_people(vec![doctor]));
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.summary, "1 doctor has no appraisal recorded: S007");
}

#[test]
fn a_specialty_registrar_is_judged_on_the_responsible_officer_not_on_appraisal() {
    let mut registrar = person("S008", Regulator::Gmc);
    registrar.discipline = Discipline::SpecialtyRegistrar;
    registrar.last_appraisal = None;
    registrar.started_on = None;
    let outcome = check(LiveCheck::DoctorsAppraised, &with_people(vec![registrar.clone()]));
    assert_eq!(outcome.verdict, Verdict::Holds);
    assert_eq!(outcome.seen.rows[0][5], "In training: reviewed by ARCP");
    registrar.responsible_officer = false;
    assert_eq!(verdict_of(LiveCheck::DoctorsAppraised, &with_people(vec![registrar])), Verdict::Fails);
}

#[test]
fn doctors_hold_together_and_nurses_are_not_doctors() {
    let records = with_people(vec![person("S001", Regulator::Gmc), person("S002", Regulator::Gmc)]);
    let outcome = check(LiveCheck::DoctorsAppraised, &records);
    assert_eq!(outcome.summary, "All 2 doctors have a Responsible Officer and an appraisal within 15 months");
    let nurses = with_people(vec![person("S003", Regulator::Nmc)]);
    assert_eq!(verdict_of(LiveCheck::DoctorsAppraised, &nurses), Verdict::NotEnoughData);
}

// CPD.

fn cycle(kind: CpdCycle, ends_on: NaiveDate, total: f64, required: f64, met: bool) -> CpdCycleRecord {
    CpdCycleRecord {
        cycle: kind,
        starts_on: day(2024, 1, 1),
        ends_on,
        total,
        required,
        unit: if kind == CpdCycle::CpdYear { "credits" } else { "hours" },
        met,
    }
}

fn with_cycle(number: &str, cycle: CpdCycleRecord) -> Records {
    let mut nurse = person(number, Regulator::Nmc);
    nurse.cpd = vec![cycle];
    with_people(vec![nurse])
}

#[test]
fn a_short_cycle_ending_today_or_in_ninety_days_fails() {
    let short_today = with_cycle("S010", cycle(CpdCycle::Revalidation, today(), 9.0, 35.0, false));
    let outcome = check(LiveCheck::CpdOnTrack, &short_today);
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.summary, "1 clinician short of CPD for a cycle ending within 90 days: S010");
    assert_eq!(outcome.facts[0].text, "S010: 9 of 35 hours for the revalidation cycle ending 2 Dec 2026");
    let short_in_ninety = with_cycle("S010", cycle(CpdCycle::Revalidation, day(2027, 3, 2), 9.0, 35.0, false));
    assert_eq!(verdict_of(LiveCheck::CpdOnTrack, &short_in_ninety), Verdict::Fails);
}

#[test]
fn a_short_cycle_ending_in_ninety_one_days_or_ended_yesterday_is_not_judged() {
    let later = with_cycle("S010", cycle(CpdCycle::Revalidation, day(2027, 3, 3), 9.0, 35.0, false));
    let outcome = check(LiveCheck::CpdOnTrack, &later);
    assert_eq!(outcome.verdict, Verdict::Holds);
    assert_eq!(outcome.summary, "No clinician's CPD cycle ends within 90 days");
    assert!(outcome.seen.rows.is_empty());
    let ended = with_cycle("S010", cycle(CpdCycle::Revalidation, day(2026, 12, 1), 9.0, 35.0, false));
    assert_eq!(verdict_of(LiveCheck::CpdOnTrack, &ended), Verdict::Holds);
}

#[test]
fn cpd_met_for_a_cycle_ending_soon_holds() {
    let records = with_cycle("S012", cycle(CpdCycle::CpdYear, day(2027, 2, 28), 52.0, 50.0, true));
    let outcome = check(LiveCheck::CpdOnTrack, &records);
    assert_eq!(outcome.verdict, Verdict::Holds);
    assert_eq!(outcome.summary, "CPD is on track for the one clinician whose cycle ends within 90 days");
    assert_eq!(outcome.seen.rows[0][4], "52 of 50 credits");
}

#[test]
fn hours_reached_but_the_requirement_unmet_says_what_else_is_short() {
    let records = with_cycle("S013", cycle(CpdCycle::Revalidation, day(2027, 1, 15), 40.0, 35.0, false));
    let outcome = check(LiveCheck::CpdOnTrack, &records);
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert!(outcome.facts[0].text.ends_with("participatory hours or reflective accounts short"));
}

#[test]
fn rolling_periods_end_today_so_they_are_always_judged() {
    let mut physio = person("S023", Regulator::Hcpc);
    physio.cpd =
        vec![CpdCycleRecord { unit: "activities", ..cycle(CpdCycle::RollingPeriods, today(), 0.0, 1.0, false) }];
    let outcome = check(LiveCheck::CpdOnTrack, &with_people(vec![physio]));
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.facts[0].text, "S023: short of CPD activity in the rolling periods to 2 Dec 2026");
}

#[test]
fn a_clinician_short_in_two_cycles_is_named_once() {
    let mut doctor = person("S014", Regulator::Gmc);
    doctor.cpd = vec![
        cycle(CpdCycle::CpdYear, day(2027, 2, 28), 20.0, 50.0, false),
        cycle(CpdCycle::Revalidation, day(2027, 1, 31), 200.0, 250.0, false),
    ];
    let outcome = check(LiveCheck::CpdOnTrack, &with_people(vec![doctor]));
    assert_eq!(outcome.summary, "1 clinician short of CPD for a cycle ending within 90 days: S014");
    assert_eq!(outcome.facts.len(), 2);
}

// Clinical supervision.

fn supervised(number: &str, last: Option<NaiveDate>, started: Option<NaiveDate>) -> PersonRecord {
    PersonRecord {
        needs_supervision: true,
        last_supervision: last,
        started_on: started,
        ..person(number, Regulator::None)
    }
}

#[test]
fn a_session_thirty_days_ago_is_in_date_and_thirty_one_is_overdue() {
    let ok = with_people(vec![supervised("S030", Some(day(2026, 11, 2)), None)]);
    let outcome = check(LiveCheck::SupervisionCurrent, &ok);
    assert_eq!(outcome.verdict, Verdict::Holds);
    assert_eq!(outcome.summary, "The one person who needs clinical supervision had it within 30 days");
    let late = with_people(vec![supervised("S030", Some(day(2026, 11, 1)), None)]);
    let outcome = check(LiveCheck::SupervisionCurrent, &late);
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.summary, "1 person overdue for clinical supervision: S030");
    assert_eq!(outcome.facts[0].text, "S030: last clinical supervision 1 Nov 2026");
}

#[test]
fn the_interval_is_the_records_own() {
    let records =
        Records { supervision_days: 45, ..with_people(vec![supervised("S030", Some(day(2026, 11, 1)), None)]) };
    assert_eq!(verdict_of(LiveCheck::SupervisionCurrent, &records), Verdict::Holds);
}

#[test]
fn a_new_starter_without_a_session_is_not_overdue_until_the_interval_has_passed() {
    let new = with_people(vec![supervised("S031", None, Some(day(2026, 11, 2)))]);
    assert_eq!(verdict_of(LiveCheck::SupervisionCurrent, &new), Verdict::Holds);
    let older = with_people(vec![supervised("S031", None, Some(day(2026, 11, 1)))]);
    let outcome = check(LiveCheck::SupervisionCurrent, &older);
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.facts[0].text, "S031: no clinical supervision recorded");
}

#[test]
fn with_neither_a_session_nor_a_start_date_supervision_is_overdue() {
    let unknown = with_people(vec![supervised("S032", None, None)]);
    assert_eq!(verdict_of(LiveCheck::SupervisionCurrent, &unknown), Verdict::Fails);
}

#[test]
fn a_session_dated_after_today_has_not_happened_yet() {
    let future = with_people(vec![supervised("S033", Some(day(2026, 12, 5)), Some(day(2026, 1, 5)))]);
    assert_eq!(verdict_of(LiveCheck::SupervisionCurrent, &future), Verdict::Fails);
}

#[test]
fn nobody_needing_supervision_is_not_enough_data() {
    let records = with_people(vec![person("S001", Regulator::Gmc)]);
    assert_eq!(verdict_of(LiveCheck::SupervisionCurrent, &records), Verdict::NotEnoughData);
}

// Core services.

fn row(kind: CoverageKind, reference: &str, delivery: Option<Delivery>) -> CoverageRecord {
    CoverageRecord {
        kind,
        reference: reference.to_string(),
        title: format!("Service {reference}"),
        delivery,
        partner_name: None,
        starts_on: None,
        ends_on: None,
    }
}

fn arrangement(
    kind: CoverageKind,
    reference: &str,
    starts: Option<NaiveDate>,
    ends: Option<NaiveDate>,
) -> CoverageRecord {
    CoverageRecord {
        partner_name: Some("Partner OH".into()),
        starts_on: starts,
        ends_on: ends,
        ..row(kind, reference, Some(Delivery::Arrangement))
    }
}

fn six_core(last: CoverageRecord) -> Records {
    let mut coverage: Vec<CoverageRecord> = ["PREV", "TIME", "REHAB", "HAW", "HWB"]
        .iter()
        .map(|r| row(CoverageKind::CoreService, r, Some(Delivery::InHouse)))
        .collect();
    coverage.push(last);
    Records { coverage, ..records() }
}

#[test]
fn core_services_in_house_or_by_an_arrangement_running_today_hold() {
    let in_house = six_core(row(CoverageKind::CoreService, "TT", Some(Delivery::InHouse)));
    let outcome = check(LiveCheck::CoreServicesAvailable, &in_house);
    assert_eq!(outcome.verdict, Verdict::Holds);
    assert_eq!(outcome.summary, "All 6 core services are available today");
    let last_day = six_core(arrangement(CoverageKind::CoreService, "TT", Some(today()), Some(today())));
    assert_eq!(verdict_of(LiveCheck::CoreServicesAvailable, &last_day), Verdict::Holds);
}

#[test]
fn an_arrangement_ended_yesterday_or_beginning_tomorrow_fails() {
    let ended = six_core(arrangement(CoverageKind::CoreService, "TT", None, Some(day(2026, 12, 1))));
    let outcome = check(LiveCheck::CoreServicesAvailable, &ended);
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.summary, "1 core service not available today: Service TT");
    assert_eq!(outcome.facts[0].text, "Service TT: the arrangement ended on 1 Dec 2026");
    assert_eq!(outcome.facts[0].href.as_deref(), Some("/providers/7/coverage/TT"));
    let not_begun = six_core(arrangement(CoverageKind::CoreService, "TT", Some(day(2026, 12, 3)), None));
    let outcome = check(LiveCheck::CoreServicesAvailable, &not_begun);
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.facts[0].text, "Service TT: the arrangement begins on 3 Dec 2026");
}

#[test]
fn a_core_service_delivered_in_part_or_not_at_all_fails() {
    for (delivery, said) in [
        (Some(Delivery::Partial), "delivered only in part"),
        (Some(Delivery::NotAvailable), "not available"),
        (None, "nothing recorded"),
    ] {
        let outcome =
            check(LiveCheck::CoreServicesAvailable, &six_core(row(CoverageKind::CoreService, "TT", delivery)));
        assert_eq!(outcome.verdict, Verdict::Fails, "{said}");
        assert_eq!(outcome.facts[0].text, format!("Service TT: {said}"));
    }
}

#[test]
fn no_core_services_in_the_catalogue_is_not_enough_data() {
    assert_eq!(verdict_of(LiveCheck::CoreServicesAvailable, &records()), Verdict::NotEnoughData);
}

// Sub-specialisms.

fn subspecialisms(last: CoverageRecord) -> Records {
    let coverage = vec![row(CoverageKind::Subspecialism, "BBV", Some(Delivery::InHouse)), last];
    Records { coverage, ..records() }
}

#[test]
fn an_arrangement_ending_in_thirty_days_fails_and_in_thirty_one_holds() {
    let thirty = subspecialisms(arrangement(CoverageKind::Subspecialism, "TB", None, Some(day(2027, 1, 1))));
    let outcome = check(LiveCheck::SubspecialismsArranged, &thirty);
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.summary, "1 arrangement ends within 30 days: Service TB");
    assert_eq!(outcome.facts[0].text, "Service TB: the arrangement ends on 1 Jan 2027");
    let thirty_one = subspecialisms(arrangement(CoverageKind::Subspecialism, "TB", None, Some(day(2027, 1, 2))));
    let outcome = check(LiveCheck::SubspecialismsArranged, &thirty_one);
    assert_eq!(outcome.verdict, Verdict::Holds);
    assert_eq!(outcome.summary, "All 2 sub-specialisms are arranged, none ending within 30 days");
}

#[test]
fn an_open_ended_arrangement_holds() {
    let open = subspecialisms(arrangement(CoverageKind::Subspecialism, "TB", Some(day(2025, 1, 1)), None));
    assert_eq!(verdict_of(LiveCheck::SubspecialismsArranged, &open), Verdict::Holds);
}

#[test]
fn a_sub_specialism_not_available_expired_or_not_recorded_fails() {
    let none = subspecialisms(row(CoverageKind::Subspecialism, "TB", Some(Delivery::NotAvailable)));
    let outcome = check(LiveCheck::SubspecialismsArranged, &none);
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.summary, "1 sub-specialism without an arrangement today: Service TB");
    let expired = subspecialisms(arrangement(CoverageKind::Subspecialism, "TB", None, Some(day(2026, 12, 1))));
    assert_eq!(verdict_of(LiveCheck::SubspecialismsArranged, &expired), Verdict::Fails);
    let blank = subspecialisms(row(CoverageKind::Subspecialism, "TB", None));
    assert_eq!(verdict_of(LiveCheck::SubspecialismsArranged, &blank), Verdict::Fails);
}

#[test]
fn core_services_do_not_count_as_sub_specialisms() {
    let records = six_core(row(CoverageKind::CoreService, "TT", Some(Delivery::InHouse)));
    assert_eq!(verdict_of(LiveCheck::SubspecialismsArranged, &records), Verdict::NotEnoughData);
}

// The audit plan.

fn year(start: i32) -> FinancialYear {
    FinancialYear::starting_in(start).expect("a year")
}

fn audit(id: i32, audit_type: AuditType, status: AuditStatus) -> PlannedAudit {
    PlannedAudit { id, title: format!("Audit {id}"), audit_type, status }
}

fn planned(status: SignOffStatus, audits: Vec<PlannedAudit>) -> Records {
    Records { plan: Some(PlanRecord { year: year(2026), status, audits }), ..records() }
}

#[test]
fn no_plan_for_this_year_fails_both_audit_plan_checks() {
    let outcome = check(LiveCheck::PlanSignedOff, &records());
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.summary, "No audit plan is recorded for 2026/27");
    assert_eq!(outcome.facts[0].href.as_deref(), Some("/providers/7/audit-plans"));
    assert_eq!(verdict_of(LiveCheck::AuditsPlanned, &records()), Verdict::Fails);
}

#[test]
fn a_plan_signed_off_and_unchanged_holds() {
    let outcome = check(LiveCheck::PlanSignedOff, &planned(SignOffStatus::SignedOff, Vec::new()));
    assert_eq!(outcome.verdict, Verdict::Holds);
    assert_eq!(outcome.summary, "The 2026/27 audit plan is signed off and unchanged since");
    assert_eq!(outcome.facts[0].href.as_deref(), Some("/providers/7/audit-plans/2026-27/sign-off"));
}

#[test]
fn a_plan_changed_since_sign_off_or_not_yet_signed_fails() {
    let changed = check(LiveCheck::PlanSignedOff, &planned(SignOffStatus::ChangedSinceSignOff, Vec::new()));
    assert_eq!(changed.verdict, Verdict::Fails);
    assert_eq!(changed.summary, "The 2026/27 audit plan has changed since it was signed off");
    for status in [SignOffStatus::Draft, SignOffStatus::Submitted, SignOffStatus::Returned] {
        assert_eq!(verdict_of(LiveCheck::PlanSignedOff, &planned(status, Vec::new())), Verdict::Fails);
    }
}

#[test]
fn the_year_turns_on_the_first_of_april() {
    let records = planned(SignOffStatus::SignedOff, Vec::new());
    assert_eq!(judge(LiveCheck::PlanSignedOff, &records, day(2027, 3, 31)).verdict, Verdict::Holds);
    let outcome = judge(LiveCheck::PlanSignedOff, &records, day(2027, 4, 1));
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.summary, "No audit plan is recorded for 2027/28");
}

#[test]
fn two_local_clinical_audits_and_one_national_hold() {
    let audits = vec![
        audit(1, AuditType::LocalClinical, AuditStatus::Planned),
        audit(2, AuditType::LocalClinical, AuditStatus::Completed),
        audit(3, AuditType::NationalBenchmarking, AuditStatus::InProgress),
    ];
    let outcome = check(LiveCheck::AuditsPlanned, &planned(SignOffStatus::Draft, audits));
    assert_eq!(outcome.verdict, Verdict::Holds);
    assert_eq!(outcome.summary, "The 2026/27 plan holds 2 local clinical audits and 1 national audit");
}

#[test]
fn one_local_clinical_audit_short_fails() {
    let audits = vec![
        audit(1, AuditType::LocalClinical, AuditStatus::Planned),
        audit(3, AuditType::NationalBenchmarking, AuditStatus::Planned),
        audit(4, AuditType::RecordKeeping, AuditStatus::Planned),
    ];
    let outcome = check(LiveCheck::AuditsPlanned, &planned(SignOffStatus::Draft, audits));
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(
        outcome.summary,
        "The 2026/27 plan holds 1 local clinical audit and 1 national audit, short of the 2 local clinical needed"
    );
    assert_eq!(outcome.seen.rows[2][3], "Not counted: another type");
}

#[test]
fn no_national_audit_fails() {
    let audits = vec![
        audit(1, AuditType::LocalClinical, AuditStatus::Planned),
        audit(2, AuditType::LocalClinical, AuditStatus::Planned),
    ];
    let outcome = check(LiveCheck::AuditsPlanned, &planned(SignOffStatus::Draft, audits));
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert!(outcome.summary.ends_with("short of the 1 national needed"), "{}", outcome.summary);
}

#[test]
fn deferred_and_cancelled_audits_do_not_count() {
    let audits = vec![
        audit(1, AuditType::LocalClinical, AuditStatus::Planned),
        audit(2, AuditType::LocalClinical, AuditStatus::Deferred),
        audit(3, AuditType::NationalBenchmarking, AuditStatus::Cancelled),
    ];
    let outcome = check(LiveCheck::AuditsPlanned, &planned(SignOffStatus::Draft, audits));
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.seen.rows[1][3], "Not counted: deferred");
    assert_eq!(outcome.seen.rows[2][3], "Not counted: cancelled");
}

// Audit actions.

fn action(id: i32, due_on: NaiveDate) -> OpenAction {
    OpenAction {
        id,
        description: format!("Action {id}"),
        audit_title: "Hand hygiene".into(),
        owner_name: "Owner".into(),
        due_on,
    }
}

#[test]
fn an_action_ninety_days_overdue_holds_and_ninety_one_fails() {
    let ninety = Records { overdue_actions: vec![action(1, day(2026, 9, 3))], ..records() };
    let outcome = check(LiveCheck::ActionsNotOverdue, &ninety);
    assert_eq!(outcome.verdict, Verdict::Holds);
    assert_eq!(outcome.summary, "No audit action is more than 90 days overdue (1 action overdue by less)");
    let ninety_one = Records { overdue_actions: vec![action(2, day(2026, 9, 2))], ..records() };
    let outcome = check(LiveCheck::ActionsNotOverdue, &ninety_one);
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.summary, "1 audit action more than 90 days overdue: Action 2");
    assert_eq!(outcome.facts[0].text, "Action 2 (Hand hygiene): due 2 Sep 2026, 91 days overdue");
    assert_eq!(outcome.facts[0].href.as_deref(), Some("/providers/7/audit-actions/2"));
}

#[test]
fn no_overdue_action_holds() {
    let outcome = check(LiveCheck::ActionsNotOverdue, &records());
    assert_eq!(outcome.verdict, Verdict::Holds);
    assert_eq!(outcome.summary, "No audit action is overdue");
}

#[test]
fn a_long_action_is_cut_in_the_summary() {
    let mut long = action(3, day(2026, 1, 5));
    long.description =
        "Re-train every clinician in the clinic on the new hand hygiene procedure and its records".into();
    let outcome = check(LiveCheck::ActionsNotOverdue, &Records { overdue_actions: vec![long.clone()], ..records() });
    assert_eq!(
        outcome.summary,
        "1 audit action more than 90 days overdue: Re-train every clinician in the clinic on the new hand…"
    );
    assert_eq!(outcome.seen.rows[0][0], long.description, "the table keeps it whole");
}

// KPIs.

#[test]
fn the_last_complete_quarter_turns_the_day_after_a_quarter_ends() {
    let quarter = |s: NaiveDate, e: NaiveDate| Period { start: s, end: e };
    assert_eq!(last_complete_quarter(day(2026, 4, 1)), quarter(day(2026, 1, 1), day(2026, 3, 31)));
    assert_eq!(last_complete_quarter(day(2026, 3, 31)), quarter(day(2025, 10, 1), day(2025, 12, 31)));
    assert_eq!(last_complete_quarter(day(2026, 1, 1)), quarter(day(2025, 10, 1), day(2025, 12, 31)));
    assert_eq!(last_complete_quarter(today()), quarter(day(2026, 7, 1), day(2026, 9, 30)));
}

fn kpi(reference: &str, start: NaiveDate, end: NaiveDate) -> KpiValue {
    KpiValue { reference: reference.into(), title: format!("KPI {reference}"), period: Period { start, end } }
}

#[test]
fn a_value_for_the_whole_quarter_holds() {
    let values = vec![kpi("M-APPT", day(2026, 7, 1), day(2026, 9, 30))];
    let outcome = check(LiveCheck::KpisReported, &Records { kpi_values: values, ..records() });
    assert_eq!(outcome.verdict, Verdict::Holds);
    assert_eq!(outcome.summary, "1 KPI reported for July to September 2026");
    assert_eq!(outcome.seen.title, "KPI values for July to September 2026");
}

#[test]
fn three_monthly_values_make_the_quarter_and_two_do_not() {
    let months = vec![
        kpi("M-APPT", day(2026, 7, 1), day(2026, 7, 31)),
        kpi("M-APPT", day(2026, 8, 1), day(2026, 8, 31)),
        kpi("M-APPT", day(2026, 9, 1), day(2026, 9, 30)),
    ];
    let all = Records { kpi_values: months.clone(), ..records() };
    assert_eq!(verdict_of(LiveCheck::KpisReported, &all), Verdict::Holds);
    let two = Records { kpi_values: months[..2].to_vec(), ..records() };
    let outcome = check(LiveCheck::KpisReported, &two);
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(
        outcome.summary,
        "No KPI is reported for the whole of July to September 2026: 1 is reported only in part"
    );
    assert_eq!(outcome.seen.rows[0][3], "Only in part");
}

#[test]
fn values_outside_the_quarter_do_not_count() {
    let earlier =
        vec![kpi("M-APPT", day(2026, 4, 1), day(2026, 6, 30)), kpi("M-APPT", day(2026, 10, 1), day(2026, 10, 31))];
    let outcome = check(LiveCheck::KpisReported, &Records { kpi_values: earlier, ..records() });
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.summary, "No KPI is reported for July to September 2026");
    assert!(outcome.seen.rows.is_empty());
}

// Customer reviews.

fn commissioner(name: &str, since: NaiveDate, last: Option<NaiveDate>) -> CommissionerRecord {
    CommissionerRecord { commissioner_id: 3, name: name.into(), contracted_since: since, last_confirmed: last }
}

#[test]
fn a_review_six_months_ago_to_the_day_is_in_date_and_one_day_more_is_not() {
    let ok = Records {
        commissioners: vec![commissioner("Northshire Trust", day(2024, 4, 1), Some(day(2026, 6, 2)))],
        ..records()
    };
    let outcome = check(LiveCheck::CustomerReviewsHeld, &ok);
    assert_eq!(outcome.verdict, Verdict::Holds);
    assert_eq!(outcome.summary, "Customer reviews are in date with the one commissioner");
    let late = Records {
        commissioners: vec![commissioner("Northshire Trust", day(2024, 4, 1), Some(day(2026, 6, 1)))],
        ..records()
    };
    let outcome = check(LiveCheck::CustomerReviewsHeld, &late);
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.summary, "Customer review overdue with 1 of 1 commissioners: Northshire Trust");
    assert_eq!(outcome.facts[0].text, "Northshire Trust: last confirmed review 1 Jun 2026");
    assert_eq!(outcome.facts[0].needs, Capability::Read);
}

#[test]
fn a_contract_younger_than_six_months_without_a_review_is_not_failing() {
    let young = Records { commissioners: vec![commissioner("New ICB", day(2026, 6, 2), None)], ..records() };
    let outcome = check(LiveCheck::CustomerReviewsHeld, &young);
    assert_eq!(outcome.verdict, Verdict::Holds);
    assert_eq!(outcome.seen.rows[0][4], "First review not yet due");
    let older = Records { commissioners: vec![commissioner("New ICB", day(2026, 6, 1), None)], ..records() };
    let outcome = check(LiveCheck::CustomerReviewsHeld, &older);
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.facts[0].text, "New ICB: no review confirmed since the contract began on 1 Jun 2026");
}

#[test]
fn no_current_contract_is_not_enough_data() {
    assert_eq!(verdict_of(LiveCheck::CustomerReviewsHeld, &records()), Verdict::NotEnoughData);
}

// Evidence for met standards.

fn met(references: &[&str], items: Vec<EvidenceRecord>) -> Records {
    let met_standards = references
        .iter()
        .enumerate()
        .map(|(i, r)| MetStandard {
            node_id: i32::try_from(i).unwrap_or(0),
            reference: r.to_string(),
            title: r.to_string(),
        })
        .collect();
    Records { met_standards, met_evidence: items, ..records() }
}

fn item(standard: &str, item_id: i32, review_due: Option<NaiveDate>) -> EvidenceRecord {
    EvidenceRecord { standard: standard.into(), item_id, title: format!("Policy {item_id}"), review_due }
}

#[test]
fn evidence_due_for_review_today_holds_and_the_day_after_fails() {
    let today_due = met(&["GF1"], vec![item("GF1", 11, Some(today()))]);
    let outcome = check(LiveCheck::MetEvidenceCurrent, &today_due);
    assert_eq!(outcome.verdict, Verdict::Holds);
    assert_eq!(outcome.summary, "The one evidence item linked to standards marked met is within its review date");
    let lapsed = met(&["GF1"], vec![item("GF1", 11, Some(day(2026, 12, 1)))]);
    let outcome = check(LiveCheck::MetEvidenceCurrent, &lapsed);
    assert_eq!(outcome.verdict, Verdict::Fails);
    assert_eq!(outcome.summary, "1 evidence item past its review date: Policy 11");
    assert_eq!(outcome.facts[0].text, "Policy 11 (GF1): review was due 1 Dec 2026");
    assert_eq!(outcome.facts[0].href.as_deref(), Some("/providers/7/evidence/11"));
}

#[test]
fn an_item_without_a_review_date_never_lapses() {
    assert_eq!(verdict_of(LiveCheck::MetEvidenceCurrent, &met(&["GF1"], vec![item("GF1", 11, None)])), Verdict::Holds);
}

#[test]
fn an_item_linked_to_two_met_standards_is_counted_once() {
    let records =
        met(&["GF1", "RP1"], vec![item("GF1", 11, Some(day(2026, 1, 1))), item("RP1", 11, Some(day(2026, 1, 1)))]);
    let outcome = check(LiveCheck::MetEvidenceCurrent, &records);
    assert_eq!(outcome.summary, "1 evidence item past its review date: Policy 11");
    assert_eq!(outcome.facts[0].text, "Policy 11 (GF1, RP1): review was due 1 Jan 2026");
    assert_eq!(outcome.seen.rows.len(), 2, "the table lists each link");
}

#[test]
fn nothing_met_or_no_evidence_linked_is_not_enough_data() {
    assert_eq!(verdict_of(LiveCheck::MetEvidenceCurrent, &records()), Verdict::NotEnoughData);
    let outcome = check(LiveCheck::MetEvidenceCurrent, &met(&["GF1", "RP1"], Vec::new()));
    assert_eq!(outcome.verdict, Verdict::NotEnoughData);
    assert_eq!(outcome.summary, "No evidence is linked to the 2 standards marked met");
}

// All twelve.

#[test]
fn judge_all_answers_every_check_in_order() {
    let outcomes = judge_all(&records(), today());
    let checks: Vec<LiveCheck> = outcomes.iter().map(|o| o.check).collect();
    assert_eq!(checks, LiveCheck::ALL);
    assert!(outcomes.iter().all(|o| !o.summary.is_empty() && !o.seen.columns.is_empty()));
}

#[test]
fn a_summary_names_ten_and_counts_the_rest() {
    let people: Vec<PersonRecord> = (1..=12)
        .map(|n| PersonRecord {
            registration_renewal: Some(day(2026, 1, 1)),
            ..person(&format!("S{n:03}"), Regulator::Nmc)
        })
        .collect();
    let outcome = check(LiveCheck::RegistrationsCurrent, &with_people(people));
    assert_eq!(
        outcome.summary,
        "12 registrations expired: S001, S002, S003, S004, S005, S006, S007, S008, S009, S010 and 2 more"
    );
    assert_eq!(outcome.facts.len(), 12);
}
