use super::*;

fn regulation(regulator: Regulator, disciplines: &[&str], pattern: &str, example: &str) -> Regulation {
    Regulation {
        regulator,
        disciplines: disciplines.iter().map(|d| d.to_string()).collect(),
        number_pattern: (!pattern.is_empty()).then(|| Regex::new(pattern).unwrap()),
        number_example: (!example.is_empty()).then(|| example.to_string()),
        rule: ProfessionRule { regulator: regulator.in_catalogue(), ..Default::default() },
    }
}

/// The catalogue's registration rules, as standards/professions.toml gives them.
fn regulations() -> Regulations {
    Regulations(vec![
        regulation(
            Regulator::Gmc,
            &["consultant_occupational_physician", "occupational_physician", "specialty_registrar"],
            "^[0-9]{7}$",
            "1234567",
        ),
        regulation(Regulator::Nmc, &["oh_nurse_scphn", "oh_nurse"], "^[0-9]{2}[A-Z][0-9]{4}[A-Z]$", "12A3456E"),
        regulation(
            Regulator::Hcpc,
            &["physiotherapist", "psychologist", "other_ahp"],
            "^(AS|BS|CH|CS|DT|HAD|ODP|OT|PA|PH|PO|PYL|RA|SL)[0-9]{5,6}$",
            "PH123456",
        ),
        regulation(Regulator::None, &["oh_technician", "non_clinical_case_worker", "administrator"], "", ""),
    ])
}

fn person(discipline: &str, number: &str) -> StaffInput {
    StaffInput {
        staff_number: "E1001".into(),
        full_name: "Grace Okafor".into(),
        discipline: discipline.into(),
        registration_number: number.into(),
        ..Default::default()
    }
}

#[test]
fn registration_numbers_follow_each_regulators_format() {
    let regs = regulations();
    assert!(person("occupational_physician", "1234567").parse(&regs).is_ok());
    for bad in ["123456", "12345678", "123456A"] {
        let errors = person("occupational_physician", bad).parse(&regs).unwrap_err();
        assert!(errors.0["registration_number"].contains("they are 7 digits, like 1234567"), "{bad}");
    }
    let nurse = person("oh_nurse", " 12a3456e ").parse(&regs).unwrap();
    assert_eq!(nurse.registration_number.as_deref(), Some("12A3456E"), "spaces go, letters are capitals");
    assert!(person("oh_nurse", "12A34567").parse(&regs).is_err());
    assert!(person("physiotherapist", "PH123456").parse(&regs).is_ok());
    assert!(person("physiotherapist", "PH12345").parse(&regs).is_ok(), "five digits are also issued");
    assert!(person("physiotherapist", "P1234567").parse(&regs).is_err());
    // Each HCPC profession has its own prefix, some of three letters.
    for number in ["PYL12345", "PYL123456", "ODP12345", "HAD123456", "OT58203"] {
        assert!(person("other_ahp", number).parse(&regs).is_ok(), "{number}");
    }
    let unknown = person("psychologist", "ZZ123456").parse(&regs).unwrap_err();
    assert!(unknown.0["registration_number"].contains("is not a HCPC number"), "{unknown:?}");
    let missing = person("oh_nurse", "").parse(&regs).unwrap_err();
    assert_eq!(missing.0["registration_number"], "Enter the NMC registration number, like 12A3456E");
    let worker = person("non_clinical_case_worker", "").parse(&regs).unwrap();
    assert_eq!((worker.regulator, worker.registration_number), (Regulator::None, None));
}

#[test]
fn the_regulator_must_be_the_disciplines_own() {
    let regs = regulations();
    let wrong = StaffInput { regulator: "gmc".into(), ..person("oh_nurse", "12A3456E") };
    assert_eq!(
        wrong.parse(&regs).unwrap_err().0["regulator"],
        "OH nurse staff are registered with the NMC, not the GMC"
    );
    let stated = StaffInput { regulator: "NMC".into(), ..person("oh_nurse", "12A3456E") };
    assert_eq!(stated.parse(&regs).unwrap().regulator, Regulator::Nmc, "case does not matter");
    let unknown = StaffInput { discipline: "surgeon".into(), ..person("oh_nurse", "12A3456E") };
    let refused = unknown.parse(&regs).unwrap_err().0["discipline"].clone();
    assert!(refused.starts_with("\"surgeon\" is not a discipline: choose "), "{refused}");
    assert!(refused.contains("OH nurse on the SCPHN register"), "the choices are named by their labels: {refused}");
    assert!(!refused.contains("oh_nurse_scphn"), "never by their codes: {refused}");
    let blank = StaffInput { discipline: " ".into(), ..person("oh_nurse", "12A3456E") };
    assert_eq!(blank.parse(&regs).unwrap_err().0["discipline"], "Choose a discipline");
    let long_form = person("other_allied_health_professional", "OT12345");
    assert_eq!(long_form.parse(&regs).unwrap().discipline, Discipline::OtherAhp);
}

#[test]
fn the_tier_follows_the_discipline_unless_overridden() {
    let regs = regulations();
    let consultant = person("consultant_occupational_physician", "7654321").parse(&regs).unwrap();
    assert_eq!((consultant.tier, consultant.tier_overridden), (Tier::Specialist, false));
    let worker = person("non_clinical_case_worker", "").parse(&regs).unwrap();
    assert_eq!(worker.tier, Tier::NonClinical);
    let overridden = StaffInput { tier: "clinical".into(), ..person("oh_technician", "") }.parse(&regs).unwrap();
    assert_eq!((overridden.tier, overridden.tier_overridden), (Tier::Clinical, true));
    assert!(!Tier::NonClinical.may_supervise() && Tier::Clinical.may_supervise() && Tier::Specialist.may_supervise());
}

#[test]
fn dates_fte_and_yes_no_are_read_as_people_write_them() {
    let regs = regulations();
    let input = StaffInput {
        start_date: "01/04/2024".into(),
        leaving_date: "2024-03-31".into(),
        fte: "1.2".into(),
        practice_teacher: "maybe".into(),
        ..person("oh_nurse", "12A3456E")
    };
    let errors = input.parse(&regs).unwrap_err();
    assert_eq!(errors.0["leaving_date"], "The leaving date cannot be before the start date");
    assert!(errors.0["fte"].contains("at most 1"));
    assert!(errors.0["practice_teacher"].contains("is not yes or no"));
    let mut e = FieldErrors::default();
    let answers: Vec<bool> =
        ["yes", "No", "TRUE", "false", "y", "N", "1", "0", ""].iter().map(|v| yes_no("x", v, &mut e)).collect();
    assert_eq!(answers, [true, false, true, false, true, false, true, false, false]);
    assert!(e.is_empty());
}

#[test]
fn cpd_needs_a_past_date_and_sensible_hours() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let input = CpdInput {
        date: "24/11/2026".into(),
        title: "".into(),
        hours: "-1".into(),
        participatory: "y".into(),
        ..Default::default()
    };
    let errors = input.parse(today).unwrap_err();
    let fields: Vec<&str> = errors.0.keys().copied().collect();
    assert_eq!(fields, ["date", "hours", "title"]);
    let good = CpdInput { date: "23/11/2026".into(), title: "Spirometry update".into(), hours: "3.5".into(), ..input };
    let cpd = good.parse(today).unwrap();
    assert_eq!((cpd.hours, cpd.participatory, cpd.reflective), (3.5, true, false));
}

#[test]
fn a_session_escalates_no_more_cases_than_it_discussed() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let input = SupervisionInput {
        date: "2026-11-20".into(),
        kind: "Group".into(),
        supervisor_staff_number: "N1".into(),
        attendee_staff_numbers: "C1; C2;C1".into(),
        cases_discussed: "3".into(),
        escalated_gp: "2".into(),
        escalated_clinical: "2".into(),
        ..Default::default()
    };
    assert_eq!(input.parse(today).unwrap_err().0["cases_discussed"], "More cases were escalated than were discussed");
    let good = SupervisionInput { escalated_clinical: "1".into(), ..input };
    let session = good.parse(today).unwrap();
    assert_eq!(session.attendees, ["C1", "C2"], "each person once");
    assert_eq!(session.kind, SupervisionKind::Group);
    let own = SupervisionInput { attendee_staff_numbers: "N1;C1".into(), ..good };
    assert!(own.parse(today).unwrap_err().0.contains_key("attendee_staff_numbers"));
}

#[test]
fn as_of_takes_years_from_1900_to_2100_only() {
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    let as_of = |text: &str| AsOfQuery { as_of: text.into() }.parse(today);
    assert_eq!(as_of("").unwrap(), today);
    assert_eq!(as_of("1900-01-01").unwrap(), NaiveDate::from_ymd_opt(1900, 1, 1).unwrap());
    assert_eq!(as_of("2100-12-31").unwrap(), NaiveDate::from_ymd_opt(2100, 12, 31).unwrap());
    for refused in ["1899-12-31", "2101-01-01", "+10000-01-01", "-0001-01-01"] {
        let errors = as_of(refused).expect_err(refused);
        assert_eq!(errors.get("as_of"), Some(crate::form::YEAR_RANGE_MESSAGE), "{refused}");
    }
}

#[test]
fn a_reflective_account_carries_no_hours() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let account = CpdInput {
        date: "2026-11-20".into(),
        title: "Reflective account: feedback on a complex case".into(),
        reflective: "yes".into(),
        ..Default::default()
    };
    let cpd = account.parse(today).unwrap();
    assert_eq!((cpd.hours, cpd.reflective), (0.0, true));
    let with_hours = CpdInput { hours: "2".into(), participatory: "yes".into(), ..account };
    let errors = with_hours.parse(today).unwrap_err();
    assert!(errors.get("hours").unwrap().starts_with("A reflective account carries no CPD hours"));
    assert!(errors.get("participatory").is_some());
}

fn revalidation() -> RevalidationInput {
    RevalidationInput {
        practice_hours: "1,200".into(),
        feedback_pieces: "5".into(),
        discussion_on: "2026-10-01".into(),
        discussion_with: "Eleanor Price".into(),
        discussion_with_pin: "07e5678j".into(),
        confirmed_on: "01/11/2026".into(),
        confirmer: "Dr Alasdair Finch".into(),
        confirmer_role: "other_regulated".into(),
        confirmer_pin: "".into(),
    }
}

#[test]
fn a_revalidation_record_is_read_whole() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let record = revalidation().parse(today, &regulations()).unwrap();
    assert_eq!((record.practice_hours, record.feedback_pieces), (1200, 5));
    assert_eq!(record.discussion.unwrap().pin, "07E5678J");
    let confirmation = record.confirmation.unwrap();
    assert_eq!((confirmation.role, confirmation.pin), (ConfirmerRole::OtherRegulated, None));
    let blank = RevalidationInput { practice_hours: "0".into(), feedback_pieces: "0".into(), ..Default::default() };
    let nothing_yet = blank.parse(today, &regulations()).unwrap();
    assert_eq!((nothing_yet.discussion, nothing_yet.confirmation), (None, None));
}

#[test]
fn a_revalidation_record_is_refused_at_each_field() {
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let bad = RevalidationInput {
        practice_hours: "".into(),
        feedback_pieces: "five".into(),
        discussion_with_pin: "1234".into(),
        confirmed_on: "2026-12-01".into(),
        confirmer_role: "nmc_registrant".into(),
        ..revalidation()
    };
    let errors = bad.parse(today, &regulations()).unwrap_err();
    let fields: Vec<&str> = errors.0.keys().copied().collect();
    assert_eq!(fields, ["confirmed_on", "confirmer_pin", "discussion_with_pin", "feedback_pieces", "practice_hours"]);
    assert!(errors.get("discussion_with_pin").unwrap().contains("is not an NMC PIN"));
    assert_eq!(errors.get("confirmed_on"), Some("The date cannot be in the future"));
    let half = RevalidationInput { discussion_with: "".into(), discussion_with_pin: "".into(), ..revalidation() };
    let errors = half.parse(today, &regulations()).unwrap_err();
    assert!(errors.get("discussion_with").is_some() && errors.get("discussion_with_pin").is_some());
    let pin_for_a_doctor = RevalidationInput { confirmer_pin: "98A1234E".into(), ..revalidation() };
    let errors = pin_for_a_doctor.parse(today, &regulations()).unwrap_err();
    assert!(errors.get("confirmer_pin").unwrap().starts_with("Only a confirmer on the NMC register"));
}
