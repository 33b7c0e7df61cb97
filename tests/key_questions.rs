//! The seventeen key questions against hand-written fixtures, on both backends: four providers
//! built through the app's own stores, one for each answer value (a model provider whose answers are
//! mostly yes, one mostly no, one mostly partly, one with no records), each with the table of its
//! seventeen (code, value) pairs and key phrases of the facts, asserted against the gathered facts'
//! answers and against the key-questions page.

mod support;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use ohgov::accounts::model::{NewContract, OrganisationInput, UserInput};
use ohgov::accounts::store::{self as accounts, Grant};
use ohgov::accounts::Role;
use ohgov::assessment::model::{
    AccreditationChange, AccreditationStatus, AssessmentChange, AssessmentResult, Workflow,
};
use ohgov::catalogue::model::Level;
use ohgov::clock::FinancialYear;
use ohgov::commissioning::model::{EsrInput, ReviewInput};
use ohgov::commissioning::rules::questions::answers;
use ohgov::coverage::model::{CoverageInput, CoverageKind};
use ohgov::db::{DbConnection, ProviderId, UserId};
use ohgov::evidence::model::{EvidenceDetails, EvidenceKind};
use ohgov::quality::model::ValueInput;
use ohgov::workforce::model::{CpdInput, StaffInput};
use support::{browser_signed_in, PASSWORD};

const CORE: [&str; 6] = ["PREV", "TIME", "REHAB", "HAW", "HWB", "TT"];
const SUBSPECIALISMS: [&str; 10] =
    ["BBV", "TB", "ASTHMA", "SSHP", "RAD", "GMO", "OUTBREAK", "RESEARCH", "ERGO", "CYTO"];

fn now() -> NaiveDateTime {
    support::today().and_hms_opt(9, 30, 0).expect("a time")
}

fn ago(days: i64) -> NaiveDate {
    support::today() - Duration::days(days)
}

fn ahead(days: i64) -> NaiveDate {
    support::today() + Duration::days(days)
}

fn organisation(conn: &mut DbConnection, kind: &str, name: &str) -> i32 {
    let input = OrganisationInput { kind: kind.into(), name: name.into(), ..Default::default() };
    accounts::create_organisation(conn, None, &input.parse().expect("an organisation")).expect("created")
}

fn user(conn: &mut DbConnection, email: &str, organisation_id: i32, role: Role) -> UserId {
    let input = UserInput { email: email.into(), name: email.into(), password: PASSWORD.into(), is_admin: false };
    let grant = Grant { organisation_id, role, expires_on: None };
    accounts::create_user(conn, None, &input.parse().expect("a user"), Some(grant)).expect("created")
}

fn contract(conn: &mut DbConnection, commissioner: i32, provider: ProviderId, starts_on: NaiveDate) {
    let contract = NewContract {
        commissioner_id: commissioner,
        provider_id: provider,
        starts_on,
        ends_on: None,
        services: Vec::new(),
    };
    accounts::create_contract(conn, None, &contract).expect("a contract");
}

fn accreditation(conn: &mut DbConnection, provider: ProviderId, steps: &[(AccreditationStatus, NaiveDate)]) {
    for (status, on) in steps {
        let change = AccreditationChange {
            status: *status,
            status_on: *on,
            visit_on: None,
            deferred_actions: None,
            deferred_due: None,
        };
        ohgov::assessment::store::change_accreditation(conn, None, provider, &change).expect("a step");
    }
}

/// Assesses standards: `result` for each standard `pick` chooses, by its reference and level.
fn assess(conn: &mut DbConnection, provider: ProviderId, pick: impl Fn(&str, Level) -> Option<AssessmentResult>) {
    let today = support::today();
    let first = AssessmentChange {
        workflow: Workflow::InProgress,
        result: AssessmentResult::NotAssessed,
        not_applicable_reason: None,
        owner_user_id: None,
        target_on: None,
        narrative: String::new(),
    };
    // The first save starts the cycle against the framework in use.
    ohgov::assessment::store::save_assessment(conn, None, provider, "GF1", &first, today).expect("a cycle starts");
    let framework = support::framework(conn, provider).expect("a framework in use");
    let (_, standards) = ohgov::assessment::store::framework_standards(conn, framework).expect("its standards");
    for standard in standards {
        if let Some(result) = pick(&standard.reference, standard.level) {
            let change =
                AssessmentChange { workflow: Workflow::Done, result, narrative: "Reviewed".into(), ..first.clone() };
            ohgov::assessment::store::save_assessment(conn, None, provider, &standard.reference, &change, today)
                .expect("assessed");
        }
    }
}

/// An evidence item of a document kind, reviewed by `review_due`.
fn document(conn: &mut DbConnection, provider: ProviderId, kind: &str, title: &str, review_due: NaiveDate) -> i32 {
    let details = EvidenceDetails {
        kind: EvidenceKind::Note,
        title: title.into(),
        description: "Approved by the governance group".into(),
        owner_user_id: None,
        effective_on: Some(review_due - Duration::days(365)),
        review_due: Some(review_due),
        contains_patient_data: false,
        link_url: None,
        standards: Vec::new(),
        document_kind: Some(kind.into()),
    };
    let framework = support::framework(conn, provider);
    ohgov::evidence::store::add(conn, None, provider, framework, &details, None).expect("an evidence item")
}

/// How each core service and sub-specialism is delivered: "in_house" or "not_available".
fn coverage(conn: &mut DbConnection, provider: ProviderId, rows: &[(&str, CoverageKind, &str)]) {
    for (reference, kind, delivery) in rows {
        let input = CoverageInput {
            delivery: (*delivery).into(),
            lead_name: if *delivery == "in_house" { "The OH team".into() } else { String::new() },
            ..Default::default()
        };
        let row = input.parse(*kind).expect("a coverage record");
        ohgov::coverage::store::save(conn, None, provider, reference, &row, support::today()).expect("saved");
    }
}

fn all_delivered(except: &[&str]) -> Vec<(&'static str, CoverageKind, &'static str)> {
    let core = CORE.iter().map(|r| (*r, CoverageKind::CoreService));
    let sub = SUBSPECIALISMS.iter().map(|r| (*r, CoverageKind::Subspecialism));
    core.chain(sub).map(|(r, k)| (r, k, if except.contains(&r) { "not_available" } else { "in_house" })).collect()
}

/// A person on the staff list; `extra` fills in the rest of the form.
fn person(
    conn: &mut DbConnection,
    provider: ProviderId,
    number: &str,
    discipline: &str,
    extra: StaffInput,
) -> ohgov::db::StaffId {
    let regulations = ohgov::workforce::store::regulations(conn).expect("the professions");
    let input = StaffInput {
        staff_number: number.into(),
        full_name: format!("Person {number}"),
        discipline: discipline.into(),
        start_date: ago(900).to_string(),
        ..extra
    };
    let person = input.parse(&regulations).unwrap_or_else(|e| panic!("{number}: {e:?}"));
    ohgov::workforce::store::create_staff(conn, None, provider, &person).expect("on the staff list")
}

/// Registered, renewing next year, appraised this year.
fn registered(registration: &str, ro: &str) -> StaffInput {
    StaffInput {
        registration_number: registration.into(),
        registration_renewal: ahead(300).to_string(),
        revalidation_due: ahead(700).to_string(),
        last_appraisal: ago(60).to_string(),
        responsible_officer: ro.into(),
        ..Default::default()
    }
}

/// Two participatory activities of `hours` each, and five reflective accounts (which carry none).
fn cpd(conn: &mut DbConnection, provider: ProviderId, staff: ohgov::db::StaffId, hours: &str) {
    let activities = [(30, "course", hours, "yes", "no"), (90, "peer_discussion", hours, "yes", "no")];
    let reflections = (1..=5).map(|n| (20 + n, "other", "", "no", "yes"));
    for (days_ago, kind, hours, participatory, reflective) in activities.into_iter().chain(reflections) {
        let input = CpdInput {
            date: ago(days_ago).to_string(),
            title: "Occupational health update".into(),
            activity_type: kind.into(),
            hours: hours.into(),
            participatory: participatory.into(),
            reflective: reflective.into(),
        };
        let new = input.parse(support::today()).expect("a CPD record");
        ohgov::workforce::store::add_cpd(conn, None, provider, staff, &new, None).expect("recorded");
    }
}

fn kpi(conn: &mut DbConnection, provider: ProviderId, first_day: NaiveDate) {
    let kpi = ohgov::quality::store::definition(conn, provider, "M-ADJ").expect("read").expect("M-ADJ");
    let last_day = first_day.checked_add_months(chrono::Months::new(1)).expect("a month") - Duration::days(1);
    let input = ValueInput {
        period_start: first_day.to_string(),
        period_end: last_day.to_string(),
        numerator: "19".into(),
        denominator: "20".into(),
        value: String::new(),
    };
    let value = input.parse(kpi.unit).expect("a value");
    ohgov::quality::store::record_value(conn, None, provider, &kpi, &value).expect("recorded");
}

/// The first day of the month `months` before this one.
fn month_start(months: u32) -> NaiveDate {
    let today = support::today();
    let first =
        NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), chrono::Datelike::month(&today), 1).expect("a day");
    first.checked_sub_months(chrono::Months::new(months)).expect("a month")
}

fn esr(conn: &mut DbConnection, by: UserId, provider: ProviderId, interface: &str, evidence: Option<i32>) {
    let input = EsrInput {
        interface: interface.into(),
        declared_on: ago(40).to_string(),
        evidence_id: evidence.map(|id| id.to_string()).unwrap_or_default(),
    };
    ohgov::commissioning::store::esr::save(conn, by, provider, &input, support::today(), now()).expect("declared");
}

fn review(conn: &mut DbConnection, by: UserId, provider: ProviderId, commissioner: i32, held: NaiveDate) -> i32 {
    use ohgov::commissioning::store::reviews;
    let standing = reviews::standing(conn, by, provider, support::today()).expect("read").expect("a side");
    let input = ReviewInput {
        commissioner_id: commissioner.to_string(),
        held_on: held.to_string(),
        attendees: "OH service manager; ICB workforce lead; HR business partner".into(),
        topics: "Referral waiting times; sickness absence trends".into(),
        outcomes: "Waiting times within target".into(),
        agreed_actions: "Share quarterly absence data with HR".into(),
    };
    reviews::record(conn, by, provider, &standing, &input, support::today(), now()).expect("recorded")
}

fn confirm(conn: &mut DbConnection, by: UserId, provider: ProviderId, review_id: i32) {
    use ohgov::commissioning::store::reviews;
    let standing = reviews::standing(conn, by, provider, support::today()).expect("read").expect("a side");
    reviews::confirm(conn, by, provider, &standing, review_id, now()).expect("confirmed");
}

/// This year's audit plan with a local audit, and the national benchmarking audit if asked;
/// submitted by the manager and signed off by the clinical director if `sign` is given.
fn audit_plan(conn: &mut DbConnection, provider: ProviderId, national: bool, sign: Option<(UserId, UserId)>) {
    let year = FinancialYear::containing(support::today());
    let plan = ohgov::audits::store::plans::create_plan(conn, None, provider, year).expect("a plan");
    let local = support::audits::Audit { title: "Management referral reports", ..Default::default() };
    support::audits::add_audit(conn, plan, &local);
    if national {
        let mohawk = support::audits::Audit {
            title: "MoHaWK2 round",
            audit_type: "national_benchmarking",
            ..Default::default()
        };
        support::audits::add_audit(conn, plan, &mohawk);
    }
    if let Some((manager, director)) = sign {
        ohgov::audits::store::sign_off::submit(conn, plan, manager, now()).expect("submitted");
        ohgov::audits::store::sign_off::sign(conn, plan, director, now() + Duration::minutes(5)).expect("signed off");
    }
}

struct Fixture {
    commissioner: UserId,
    model: ProviderId,
    weak: ProviderId,
    midway: ProviderId,
    empty: ProviderId,
}

/// The four providers and their commissioner.
fn build(conn: &mut DbConnection) -> Fixture {
    use ohgov::commissioning::model::document_kinds as kinds;
    use AccreditationStatus as S;
    ohgov::catalogue::store::load_if_empty(conn, &ohgov::catalogue::builtin_sources()).expect("the catalogue");
    let icb = organisation(conn, "commissioner", "West Riding Integrated Care Board");
    let commissioner = user(conn, "workforce@westriding.example", icb, Role::Commissioner);

    // The model: accredited, every standard met, signed-off plan with MoHaWK, every plan current.
    let model = ProviderId(organisation(conn, "provider", "Calder Valley OH"));
    let manager = user(conn, "manager@calder.example", model.0, Role::Manager);
    let director = user(conn, "director@calder.example", model.0, Role::ClinicalDirector);
    contract(conn, icb, model, ago(700));
    accreditation(conn, model, &[(S::WorkingTowards, ago(800)), (S::Accredited, ago(400))]);
    assess(conn, model, |_, _| Some(AssessmentResult::Met));
    audit_plan(conn, model, true, Some((manager, director)));
    for (kind, title) in [
        (kinds::RESEARCH_DEVELOPMENT_PLAN, "Research and development plan"),
        (kinds::CONTINGENCY_PLAN, "Contingency plan for key staff"),
        (kinds::STAFF_DEVELOPMENT_PLAN, "OH staff development plan"),
        (kinds::SERVICE_DEVELOPMENT_PLAN, "Service development plan"),
        (kinds::EARLY_RETURN_TO_WORK_PROCESS, "Fast-track return to work process"),
    ] {
        document(conn, model, kind, title, ahead(200));
    }
    let esr_evidence =
        document(conn, model, kinds::INFORMATION_SHARING_AGREEMENT, "ESR interface agreement", ahead(300));
    kpi(conn, model, month_start(2));
    let consultant = person(
        conn,
        model,
        "C1",
        "consultant_occupational_physician",
        StaffInput { specialist_route: "cct".into(), ..registered("7012345", "Dr Ruth Akande") },
    );
    let registrar = person(conn, model, "R1", "specialty_registrar", registered("7098765", "Dr Ruth Akande"));
    let nurse = person(
        conn,
        model,
        "N1",
        "oh_nurse_scphn",
        StaffInput { practice_teacher: "yes".into(), ..registered("12A3456E", "") },
    );
    for staff in [consultant, registrar, nurse] {
        cpd(conn, model, staff, "30");
    }
    person(conn, model, "A1", "administrator", StaffInput::default());
    coverage(conn, model, &all_delivered(&[]));
    esr(conn, manager, model, "bidirectional", Some(esr_evidence));
    let held = review(conn, manager, model, icb, ago(60));
    confirm(conn, commissioner, model, held);

    // Mostly no: accreditation lapsed, a must standard not met, every plan past review, nothing
    // delivered in the sub-specialisms, no ESR interface, no review in a two-year contract.
    let weak = ProviderId(organisation(conn, "provider", "Pennine Workplace Health"));
    let weak_manager = user(conn, "manager@pennine.example", weak.0, Role::Manager);
    contract(conn, icb, weak, ago(730));
    accreditation(conn, weak, &[(S::WorkingTowards, ago(1500)), (S::Accredited, ago(1200)), (S::Lapsed, ago(100))]);
    assess(conn, weak, |_, level| {
        Some(if level == Level::Must { AssessmentResult::NotMet } else { AssessmentResult::Met })
    });
    for (kind, title) in [
        (kinds::RESEARCH_DEVELOPMENT_PLAN, "R&D plan 2023"),
        (kinds::AUDIT_PLAN, "Audit plan 2024/25"),
        (kinds::STAFF_DEVELOPMENT_PLAN, "Staff development plan 2023"),
        (kinds::SERVICE_DEVELOPMENT_PLAN, "Service plan 2023"),
        (kinds::EARLY_RETURN_TO_WORK_PROCESS, "Return to work process 2022"),
    ] {
        document(conn, weak, kind, title, ago(120));
    }
    kpi(conn, weak, month_start(20));
    let expired = StaffInput { registration_renewal: ago(30).to_string(), ..registered("12B7654E", "") };
    person(conn, weak, "N1", "oh_nurse", expired);
    person(
        conn,
        weak,
        "D1",
        "occupational_physician",
        StaffInput { registration_renewal: ago(10).to_string(), ..registered("7055555", "") },
    );
    coverage(conn, weak, &all_delivered(&SUBSPECIALISMS.iter().copied().chain(["TIME", "REHAB"]).collect::<Vec<_>>()));
    esr(conn, weak_manager, weak, "none", None);

    // Mostly partly: working towards, musts met but the rest not all assessed, a draft plan without
    // MoHaWK, one of each pair short, two sub-specialisms missing, a review awaiting confirmation.
    let midway = ProviderId(organisation(conn, "provider", "Wharfedale Occupational Health"));
    let midway_manager = user(conn, "manager@wharfedale.example", midway.0, Role::Manager);
    user(conn, "director@wharfedale.example", midway.0, Role::ClinicalDirector);
    contract(conn, icb, midway, ago(400));
    accreditation(conn, midway, &[(S::WorkingTowards, ago(450))]);
    assess(conn, midway, |reference, level| {
        (level == Level::Must || reference.ends_with('1')).then_some(AssessmentResult::Met)
    });
    audit_plan(conn, midway, false, None);
    document(conn, midway, kinds::SPECIALIST_TRAINING_PLAN, "Specialist training agreement with Leeds", ahead(150));
    kpi(conn, midway, month_start(3));
    let consultant =
        person(conn, midway, "C1", "consultant_occupational_physician", registered("7011111", "Dr Ian Shaw"));
    cpd(conn, midway, consultant, "30");
    person(conn, midway, "D1", "occupational_physician", registered("7022222", ""));
    person(conn, midway, "N1", "oh_nurse", StaffInput { practice_teacher: "yes".into(), ..registered("12C1111E", "") });
    coverage(conn, midway, &all_delivered(&["RAD", "GMO"]));
    esr(conn, midway_manager, midway, "one_way", None);
    review(conn, midway_manager, midway, icb, ago(20));

    // Nothing recorded, under a contract a month old.
    let empty = ProviderId(organisation(conn, "provider", "Moorside OH"));
    contract(conn, icb, empty, ago(30));

    Fixture { commissioner, model, weak, midway, empty }
}

use ohgov::commissioning::model::AnswerValue::{self, No, NotEvidenced as Ne, Partly, Yes};

/// A provider's seventeen (code, value) pairs, and phrases its facts must say.
type Table = [(&'static str, AnswerValue, &'static [&'static str]); 17];

fn model_table() -> Table {
    [
        ("seqohs_accreditation", Yes, &["Accredited since"]),
        ("minimum_standards", Yes, &["Every applicable “must” standard is met."]),
        ("clinical_governance", Yes, &["A clinical director is in post.", "audit plan: signed off."]),
        (
            "governance_evidence",
            Yes,
            &["“Research and development plan”", "takes part in the national benchmarking audit (MoHaWK)"],
        ),
        ("audit_plan", Yes, &["1 local clinical audit and the national benchmarking audit (MoHaWK)."]),
        ("key_clinical_staff", Yes, &["4 people in post", "“Contingency plan for key staff”"]),
        (
            "qualified_staff",
            Yes,
            &[
                "3 professional registrations recorded.",
                "Every registration is current.",
                "Every consultant (1) has CCT or CESR recorded.",
            ],
        ),
        ("cpd", Yes, &["All 3 registered professionals are on track with CPD."]),
        ("responsible_officer", Yes, &["Responsible Officer: Dr Ruth Akande.", "Recorded for every doctor (2)."]),
        ("practice_teachers", Yes, &["1 nursing practice teacher among 1 nurse in post."]),
        ("specialty_registrars", Yes, &["1 specialty registrar (StR) in post."]),
        ("staff_development_plan", Yes, &["Current staff development plan: “OH staff development plan”"]),
        ("specialist_areas", Yes, &["All 10 sub-specialisms have an arrangement."]),
        ("esr_interface", Yes, &["Interfaced both ways with ESR (declared"]),
        ("service_development_plan", Yes, &["“Service development plan”"]),
        ("early_return_to_work", Yes, &["Timely intervention and Rehabilitation are delivered."]),
        ("communication_links", Yes, &["Last confirmed customer review"]),
    ]
}

fn weak_table() -> Table {
    [
        ("seqohs_accreditation", No, &["Lapsed since"]),
        ("minimum_standards", No, &["“must” standards not met:"]),
        ("clinical_governance", No, &["No clinical director is recorded.", "No audit plan for this year."]),
        ("governance_evidence", No, &["“R&D plan 2023” is past its review date", "None reported in the 12 months to"]),
        ("audit_plan", No, &["“Audit plan 2024/25” is past its review date"]),
        ("key_clinical_staff", Partly, &["2 people in post: 0 in the specialist tier", "No contingency plan"]),
        ("qualified_staff", No, &["2 registrations expired."]),
        // No CPD recorded yet is not short: the workforce rules judge against the cycle, not the day.
        ("cpd", Yes, &["All 2 registered professionals are on track with CPD."]),
        ("responsible_officer", No, &["1 of 1 doctor has no Responsible Officer recorded."]),
        ("practice_teachers", No, &["0 nursing practice teachers among 1 nurse in post."]),
        ("specialty_registrars", No, &["0 specialty registrars (StR) in post."]),
        ("staff_development_plan", No, &["“Staff development plan 2023” is past its review date"]),
        ("specialist_areas", No, &["10 of 10 sub-specialisms have no arrangement"]),
        ("esr_interface", No, &["Not interfaced with ESR"]),
        ("service_development_plan", No, &["“Service plan 2023” is past its review date"]),
        ("early_return_to_work", No, &["Timely intervention and Rehabilitation are not delivered."]),
        ("communication_links", No, &["No confirmed customer review.", "overdue"]),
    ]
}

fn midway_table() -> Table {
    [
        ("seqohs_accreditation", Partly, &["Working towards accreditation since", "Working towards accreditation for 1 year and 2 months"]),
        ("minimum_standards", Partly, &["Every applicable “must” standard is met.", "not yet assessed"]),
        ("clinical_governance", Partly, &["A clinical director is in post.", "audit plan: draft."]),
        ("governance_evidence", Partly, &["No research and development plan", "has no national benchmarking audit (MoHaWK)"]),
        ("audit_plan", Partly, &["audit plan: draft.", "; no national benchmarking audit."]),
        ("key_clinical_staff", Partly, &["3 people in post", "No contingency plan"]),
        ("qualified_staff", Partly, &["1 of 1 consultant has neither CCT nor CESR recorded."]),
        ("cpd", Yes, &["All 3 registered professionals are on track with CPD."]),
        ("responsible_officer", Partly, &["Responsible Officer: Dr Ian Shaw.", "1 of 2 doctors have no Responsible Officer recorded."]),
        ("practice_teachers", Yes, &["1 nursing practice teacher among 1 nurse in post."]),
        ("specialty_registrars", Partly, &["“Specialist training agreement with Leeds”"]),
        ("staff_development_plan", Partly, &["No staff development plan in the evidence library.", "for the specialists only"]),
        ("specialist_areas", Partly, &["2 of 10 sub-specialisms have no arrangement: Radiation and Genetically modified organisms and gene therapy."]),
        ("esr_interface", Partly, &["Receives staff data from ESR, sends nothing back", "No evidence attached."]),
        ("service_development_plan", Ne, &["No service development plan in the evidence library."]),
        ("early_return_to_work", Partly, &["No early return-to-work process", "Timely intervention and Rehabilitation are delivered."]),
        ("communication_links", Partly, &["1 review awaiting confirmation."]),
    ]
}

fn empty_table() -> Table {
    [
        ("seqohs_accreditation", Ne, &["No SEQOHS status is recorded."]),
        ("minimum_standards", Ne, &["None of the 43 applicable standards has been assessed yet."]),
        ("clinical_governance", Ne, &["No clinical director is recorded."]),
        ("governance_evidence", Ne, &["No quality indicators reported."]),
        ("audit_plan", Ne, &["No audit plan for this year, and no audit plan document."]),
        ("key_clinical_staff", Ne, &["No staff in post are recorded."]),
        ("qualified_staff", Ne, &["No staff in post are recorded."]),
        ("cpd", Ne, &["No staff in post are recorded."]),
        ("responsible_officer", Ne, &["No staff in post are recorded."]),
        ("practice_teachers", Ne, &["No staff in post are recorded."]),
        ("specialty_registrars", Ne, &["No staff in post are recorded."]),
        ("staff_development_plan", Ne, &["No staff development plan in the evidence library."]),
        ("specialist_areas", Ne, &["How the 10 sub-specialisms are delivered is not recorded."]),
        ("esr_interface", Ne, &["No ESR declaration recorded.", "No staff import recorded."]),
        ("service_development_plan", Ne, &["No service development plan in the evidence library."]),
        ("early_return_to_work", Ne, &["How the core services are delivered is not recorded."]),
        ("communication_links", Ne, &["No confirmed customer review.", "The next is due"]),
    ]
}

fn check(name: &str, answers: &[ohgov::commissioning::model::Answer], table: &Table) {
    assert_eq!(answers.len(), 17, "{name}");
    for (answer, (code, value, phrases)) in answers.iter().zip(table) {
        assert_eq!(answer.code, *code, "{name}: the questions' order");
        assert_eq!(answer.value, *value, "{name} {code}: {}", answer.facts);
        for phrase in *phrases {
            assert!(answer.facts.contains(phrase), "{name} {code}: {phrase:?} not in {:?}", answer.facts);
        }
    }
}

on_both_backends!(
    each_providers_answers_match_its_hand_written_table,
    app | app | {
        let mut conn = app.db.migrated();
        let f = build(&mut conn);
        let ids = [f.model, f.weak, f.midway, f.empty];
        let days = app.db.settings().supervision_days;
        let gathered =
            ohgov::commissioning::store::facts::gather(&mut conn, &ids, support::today(), days).expect("gathered");
        assert_eq!(gathered.iter().map(|g| g.provider_id).collect::<Vec<_>>(), ids);
        let tables =
            [("model", model_table()), ("weak", weak_table()), ("midway", midway_table()), ("empty", empty_table())];
        for (facts, (name, table)) in gathered.iter().zip(&tables) {
            check(name, &answers(facts), table);
        }

        // The page says the same, as a commissioner reads it: each answer's value in words and as
        // its tag, and no link to a page the commissioner may not open.
        let (client, _) = browser_signed_in(&app, "workforce@westriding.example", PASSWORD).await;
        for (provider, (name, table)) in ids.iter().zip(&tables) {
            let url = format!("{}/providers/{provider}/key-questions", app.address);
            let response = client.get(&url).send().await.expect("answered");
            assert_eq!(response.status().as_u16(), 200, "{name}");
            let page = response.text().await.expect("a page");
            for (code, value, _) in table {
                let item = format!("data-code=\"{code}\" data-value=\"{}\"", value.as_str());
                assert!(page.contains(&item), "{name}: {item}");
            }
            assert!(!page.contains("Person C1") && !page.contains("Person N1"), "{name}: no staff names");
        }
        let _ = f.commissioner;

        // An assessor reads the answers, but gets no link to the workforce figures.
        let assessor_email = "assessor@calder.example";
        let grant_until = Some(support::today() + Duration::days(30));
        let input = UserInput {
            email: assessor_email.into(),
            name: "Assessor".into(),
            password: PASSWORD.into(),
            is_admin: false,
        };
        accounts::create_user(
            &mut conn,
            None,
            &input.parse().unwrap(),
            Some(Grant { organisation_id: f.model.0, role: Role::Assessor, expires_on: grant_until }),
        )
        .unwrap();
        let (assessor, _) = browser_signed_in(&app, assessor_email, PASSWORD).await;
        let url = format!("{}/providers/{}/key-questions", app.address, f.model);
        let page = assessor.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("data-code=\"cpd\" data-value=\"yes\""));
        // Tera writes "/" in an address as "&#x2F;".
        let linked = |page_path: &str| {
            let href = format!("/providers/{}/{page_path}", f.model);
            page.contains(&format!("href=\"{href}\""))
                || page.contains(&format!("href=\"{}\"", href.replace('/', "&#x2F;")))
        };
        assert!(!linked("workforce"), "the workforce is not the assessor's");
        assert!(linked("accreditation"));
    }
);
