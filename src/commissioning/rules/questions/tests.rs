//! Every key question with every value it can take, from facts built by hand.

use chrono::NaiveDate;

use super::*;
use crate::assessment::model::AccreditationStatus;
use crate::audits::model::PlanState;
use crate::commissioning::model::{
    AccreditationFacts, DomainFacts, EsrFacts, EsrInterface, ReviewFacts, WorkforceFacts,
};
use crate::db::ProviderId;
use AnswerValue::{No, NotEvidenced, Partly, Yes};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real day")
}

/// 2 December 2026, the day every test judges on.
fn today() -> NaiveDate {
    day(2026, 12, 2)
}

fn nothing() -> ProviderFacts {
    ProviderFacts::new(ProviderId(7), "Calder Valley OH".into(), today())
}

fn answer(f: &ProviderFacts, code: &str) -> Answer {
    answers(f).into_iter().find(|a| a.code == code).unwrap_or_else(|| panic!("no question {code}"))
}

fn value(f: &ProviderFacts, code: &str) -> AnswerValue {
    answer(f, code).value
}

/// Asserts the answer's value and that its facts say each phrase.
fn says(f: &ProviderFacts, code: &str, expected: AnswerValue, phrases: &[&str]) {
    let a = answer(f, code);
    assert_eq!(a.value, expected, "{code}: {}", a.facts);
    for phrase in phrases {
        assert!(a.facts.contains(phrase), "{code}: {phrase:?} not in {:?}", a.facts);
    }
}

fn hrefs(f: &ProviderFacts, code: &str) -> Vec<String> {
    answer(f, code).sources.into_iter().map(|s| s.href).collect()
}

fn document(kind: &str, title: &str, evidence_id: i32, review_due: Option<NaiveDate>, current: bool) -> DocumentFacts {
    DocumentFacts { kind: kind.into(), title: title.into(), evidence_id, review_due, current }
}

fn with_document(mut f: ProviderFacts, kind: &str, current: bool) -> ProviderFacts {
    let id = 100 + f.documents.len() as i32;
    let due = if current { day(2027, 3, 31) } else { day(2026, 3, 31) };
    f.documents.push(document(kind, &format!("{kind} {id}"), id, Some(due), current));
    f
}

fn plan(state: PlanState, changed: bool, national: bool) -> AuditPlanFacts {
    AuditPlanFacts {
        year: "2026-27".into(),
        state,
        changed_since_sign_off: changed,
        national_audit: national,
        local_clinical_audits: 3,
    }
}

fn staffed() -> WorkforceFacts {
    WorkforceFacts {
        in_post: 20,
        specialist_tier: 3,
        intermediate_tier: 12,
        non_clinical_tier: 5,
        consultants: 2,
        doctors: 4,
        responsible_officers: vec!["Dr Helen Marsh".into()],
        nurses: 9,
        practice_teachers: 2,
        specialty_registrars: 1,
        registrants: 15,
        issues: Issue::ALL.iter().map(|i| (*i, 0)).collect(),
        ..WorkforceFacts::default()
    }
}

fn set_issue(w: &mut WorkforceFacts, issue: Issue, n: usize) {
    if let Some(entry) = w.issues.iter_mut().find(|(i, _)| *i == issue) {
        entry.1 = n;
    }
}

#[test]
fn seventeen_questions_in_order_with_their_codes_and_seeds_words() {
    let all = answers(&nothing());
    assert_eq!(all.len(), 17);
    assert_eq!(all.iter().map(|a| a.number).collect::<Vec<_>>(), (1..=17).collect::<Vec<u8>>());
    assert_eq!(
        all.iter().map(|a| a.code).collect::<Vec<_>>(),
        [
            "seqohs_accreditation",
            "minimum_standards",
            "clinical_governance",
            "governance_evidence",
            "audit_plan",
            "key_clinical_staff",
            "qualified_staff",
            "cpd",
            "responsible_officer",
            "practice_teachers",
            "specialty_registrars",
            "staff_development_plan",
            "specialist_areas",
            "esr_interface",
            "service_development_plan",
            "early_return_to_work",
            "communication_links",
        ]
    );
    assert_eq!(codes().to_vec(), all.iter().map(|a| a.code).collect::<Vec<_>>());
    // The words are seeds/002's, as a commissioner reads them in the guidance: each a question.
    assert!(all.iter().all(|a| a.question.ends_with('?')));
    assert_eq!(all[10].question, "How many StR posts are there?");
}

#[test]
fn with_nothing_recorded_every_answer_is_not_evidenced() {
    let f = nothing();
    for a in answers(&f) {
        assert_eq!(a.value, NotEvidenced, "{}: {}", a.code, a.facts);
        assert!(!a.facts.is_empty(), "{} says why", a.code);
        assert!(a.sources.iter().all(|s| s.href.starts_with("/providers/7/")), "{}", a.code);
    }
}

#[test]
fn the_core_services_named_are_the_catalogues() {
    let catalogue = include_str!("../../../../standards/nhs-core-services.toml");
    for title in [TIMELY_INTERVENTION, REHABILITATION] {
        assert!(catalogue.contains(&format!("title = \"{title}\"")), "{title}");
    }
}

// 1 ------------------------------------------------------------------------------------------

fn accredited(status: AccreditationStatus) -> ProviderFacts {
    let mut f = nothing();
    f.accreditation = Some(AccreditationFacts {
        status,
        status_on: Some(day(2025, 2, 3)),
        registered_on: Some(day(2024, 10, 1)),
        accredited_on: (status == AccreditationStatus::Accredited).then(|| day(2025, 2, 3)),
    });
    f
}

#[test]
fn seqohs_accreditation_takes_every_value() {
    use AccreditationStatus as S;
    says(&accredited(S::Accredited), "seqohs_accreditation", Yes, &["Accredited since 3 Feb 2025."]);
    says(
        &accredited(S::WorkingTowards),
        "seqohs_accreditation",
        Partly,
        &["Working towards accreditation since 3 Feb 2025.", "for 2 years and 2 months (registered 1 Oct 2024)"],
    );
    for status in [S::SelfAssessmentComplete, S::EvidenceSubmitted, S::VisitBooked, S::Deferred] {
        assert_eq!(value(&accredited(status), "seqohs_accreditation"), Partly, "{status:?}");
    }
    for status in [S::NotRegistered, S::Unsuccessful, S::Lapsed] {
        assert_eq!(value(&accredited(status), "seqohs_accreditation"), No, "{status:?}");
    }
    says(&nothing(), "seqohs_accreditation", NotEvidenced, &["No SEQOHS status is recorded."]);
    assert_eq!(hrefs(&nothing(), "seqohs_accreditation"), ["/providers/7/accreditation"]);
}

#[test]
fn how_long_is_said_in_whole_months() {
    assert_eq!(span(day(2026, 11, 2), day(2026, 12, 1)), "0 months");
    assert_eq!(span(day(2026, 11, 2), day(2026, 12, 2)), "1 month");
    assert_eq!(span(day(2025, 12, 2), day(2026, 12, 2)), "1 year");
    assert_eq!(span(day(2023, 1, 31), day(2026, 12, 2)), "3 years and 10 months");
}

// 2 ------------------------------------------------------------------------------------------

fn assessed(applicable: usize, met: usize, not_assessed: usize) -> ProviderFacts {
    let mut f = nothing();
    f.domains = vec![
        DomainFacts {
            reference: "GF".into(),
            title: "Governance and finance".into(),
            applicable: 10,
            met: 10,
            not_assessed: 0,
        },
        DomainFacts { reference: "RP".into(), title: "Resources and processes".into(), applicable, met, not_assessed },
    ];
    f
}

#[test]
fn minimum_standards_takes_every_value() {
    says(
        &assessed(12, 12, 0),
        "minimum_standards",
        Yes,
        &["22 of 22 applicable standards met (GF 10 of 10, RP 12 of 12).", "Every applicable “must” standard is met."],
    );
    says(&assessed(12, 9, 2), "minimum_standards", Partly, &["19 of 22 applicable standards met; 2 not yet assessed"]);
    let mut musts = assessed(12, 9, 0);
    musts.must_not_met = vec!["RP1.2".into(), "RP3.1".into()];
    says(&musts, "minimum_standards", No, &["2 “must” standards not met: RP1.2 and RP3.1."]);
    let mut major = assessed(12, 12, 0);
    major.open_major_findings = 1;
    says(&major, "minimum_standards", No, &["1 major nonconformity open."]);
    assert!(hrefs(&major, "minimum_standards").contains(&"/providers/7/findings".to_string()));
    says(&nothing(), "minimum_standards", NotEvidenced, &["No self-assessment is recorded."]);
    let mut untouched = nothing();
    untouched.domains =
        vec![DomainFacts { reference: "GF".into(), title: "G".into(), applicable: 8, met: 0, not_assessed: 8 }];
    says(&untouched, "minimum_standards", NotEvidenced, &["None of the 8 applicable standards has been assessed yet."]);
}

// 3 ------------------------------------------------------------------------------------------

#[test]
fn clinical_governance_takes_every_value() {
    let mut f = assessed(12, 12, 0);
    f.has_clinical_director = true;
    f.audit_plan = Some(plan(PlanState::SignedOff, false, true));
    says(&f, "clinical_governance", Yes, &["A clinical director is in post.", "The 2026/27 audit plan: signed off."]);
    assert!(hrefs(&f, "clinical_governance").contains(&"/providers/7/audit-plans/2026-27".to_string()));

    let mut changed = f.clone();
    changed.audit_plan = Some(plan(PlanState::SignedOff, true, true));
    says(&changed, "clinical_governance", Partly, &["The 2026/27 audit plan has changed since it was signed off."]);
    let mut major = f.clone();
    major.open_findings = 3;
    major.open_major_findings = 1;
    says(&major, "clinical_governance", Partly, &["3 findings open, 1 major."]);
    let mut no_lead = f.clone();
    no_lead.has_clinical_director = false;
    says(&no_lead, "clinical_governance", Partly, &["No clinical director is recorded."]);
    let mut lead_only = f.clone();
    lead_only.audit_plan = None;
    says(&lead_only, "clinical_governance", Partly, &["No audit plan for this year."]);

    let mut neither = assessed(12, 5, 0);
    neither.has_clinical_director = false;
    says(&neither, "clinical_governance", No, &["No clinical director is recorded.", "No audit plan for this year."]);
    let mut findings_only = nothing();
    findings_only.open_findings = 2;
    assert_eq!(value(&findings_only, "clinical_governance"), No);
    assert_eq!(value(&nothing(), "clinical_governance"), NotEvidenced);
}

// 4 ------------------------------------------------------------------------------------------

fn reporting(period_end: NaiveDate) -> ProviderFacts {
    let mut f = nothing();
    f.kpis.last_period = Some((period_end.with_day(1).expect("a first day"), period_end));
    f.kpis.reported = 12;
    f
}

use chrono::Datelike;

#[test]
fn governance_evidence_takes_every_value() {
    let mut all = with_document(reporting(day(2026, 9, 30)), document_kinds::RESEARCH_DEVELOPMENT_PLAN, true);
    all.audit_plan = Some(plan(PlanState::Draft, false, true));
    says(
        &all,
        "governance_evidence",
        Yes,
        &[
            "Current research and development plan: “research_development_plan 100” (review due 31 Mar 2027).",
            "Quality indicators last reported for 1 Sep 2026 to 30 Sep 2026.",
            "takes part in the national benchmarking audit (MoHaWK)",
        ],
    );
    let mut no_mohawk = all.clone();
    no_mohawk.audit_plan = Some(plan(PlanState::Draft, false, false));
    says(&no_mohawk, "governance_evidence", Partly, &["has no national benchmarking audit (MoHaWK)"]);
    let kpis_only = reporting(day(2026, 9, 30));
    assert_eq!(value(&kpis_only, "governance_evidence"), Partly);

    let mut stale = with_document(reporting(day(2025, 6, 30)), document_kinds::RESEARCH_DEVELOPMENT_PLAN, false);
    stale.audit_plan = Some(plan(PlanState::Draft, false, false));
    says(
        &stale,
        "governance_evidence",
        No,
        &[
            "is past its review date (31 Mar 2026), so it does not count",
            "None reported in the 12 months to 2 Dec 2026.",
        ],
    );
    assert_eq!(value(&reporting(day(2025, 11, 30)), "governance_evidence"), No, "a period ending over a year ago");
    assert_eq!(value(&reporting(day(2025, 12, 2)), "governance_evidence"), Partly, "a year to the day still counts");
    says(
        &nothing(),
        "governance_evidence",
        NotEvidenced,
        &["No research and development plan", "No quality indicators reported."],
    );
}

// 5 ------------------------------------------------------------------------------------------

#[test]
fn audit_plan_takes_every_value() {
    let mut signed = nothing();
    signed.audit_plan = Some(plan(PlanState::SignedOff, false, true));
    says(&signed, "audit_plan", Yes, &["3 local clinical audits and the national benchmarking audit (MoHaWK)."]);
    let document_only = with_document(nothing(), document_kinds::AUDIT_PLAN, true);
    says(&document_only, "audit_plan", Yes, &["Current audit plan document"]);
    assert_eq!(hrefs(&document_only, "audit_plan"), ["/providers/7/evidence/100"]);
    let mut draft = with_document(nothing(), document_kinds::AUDIT_PLAN, false);
    for state in [PlanState::Draft, PlanState::Submitted, PlanState::Returned] {
        draft.audit_plan = Some(plan(state, false, false));
        says(&draft, "audit_plan", Partly, &["; no national benchmarking audit."]);
    }
    draft.audit_plan = Some(plan(PlanState::SignedOff, true, false));
    assert_eq!(value(&draft, "audit_plan"), Partly, "changed since sign-off");
    let lapsed = with_document(nothing(), document_kinds::AUDIT_PLAN, false);
    says(&lapsed, "audit_plan", No, &["past its review date (31 Mar 2026)"]);
    says(&nothing(), "audit_plan", NotEvidenced, &["No audit plan for this year, and no audit plan document."]);
}

// 6 ------------------------------------------------------------------------------------------

#[test]
fn key_clinical_staff_takes_every_value() {
    let mut f = with_document(nothing(), document_kinds::CONTINGENCY_PLAN, true);
    f.workforce = staffed();
    says(
        &f,
        "key_clinical_staff",
        Yes,
        &["20 people in post: 3 in the specialist tier (2 consultants), 12 in the intermediate tier, 5 in the non-clinical tier.", "Current contingency plan"],
    );
    let mut no_plan = nothing();
    no_plan.workforce = staffed();
    says(&no_plan, "key_clinical_staff", Partly, &["No contingency plan for the loss of key staff"]);
    let mut lapsed_plan = with_document(nothing(), document_kinds::CONTINGENCY_PLAN, false);
    lapsed_plan.workforce = staffed();
    assert_eq!(value(&lapsed_plan, "key_clinical_staff"), Partly);
    let mut no_specialists = f.clone();
    no_specialists.workforce.specialist_tier = 0;
    assert_eq!(value(&no_specialists, "key_clinical_staff"), Partly);
    let mut non_clinical = f.clone();
    non_clinical.workforce = WorkforceFacts { in_post: 4, non_clinical_tier: 4, ..WorkforceFacts::default() };
    says(&non_clinical, "key_clinical_staff", No, &["4 people in post: 0 in the specialist tier"]);
    says(
        &with_document(nothing(), document_kinds::CONTINGENCY_PLAN, true),
        "key_clinical_staff",
        NotEvidenced,
        &["No staff in post are recorded."],
    );
}

// 7 ------------------------------------------------------------------------------------------

#[test]
fn qualified_staff_takes_every_value() {
    let mut f = nothing();
    f.workforce = staffed();
    set_issue(&mut f.workforce, Issue::RegistrationDue, 2);
    says(
        &f,
        "qualified_staff",
        Yes,
        &[
            "15 professional registrations recorded.",
            "Every registration is current; 2 due for renewal.",
            "Every consultant (2) has CCT or CESR recorded.",
        ],
    );
    let mut route = f.clone();
    route.workforce.consultants_without_route = 1;
    says(&route, "qualified_staff", Partly, &["1 of 2 consultants has neither CCT nor CESR recorded."]);
    let mut expired = route.clone();
    set_issue(&mut expired.workforce, Issue::RegistrationExpired, 1);
    says(&expired, "qualified_staff", No, &["1 registration expired; 2 due for renewal."]);
    let mut unregistered = nothing();
    unregistered.workforce = WorkforceFacts { in_post: 3, non_clinical_tier: 3, ..WorkforceFacts::default() };
    says(
        &unregistered,
        "qualified_staff",
        NotEvidenced,
        &["None of the 3 people in post has a professional registration recorded."],
    );
    assert_eq!(value(&nothing(), "qualified_staff"), NotEvidenced);
    assert_eq!(answer(&f, "qualified_staff").sources[0].needs, Capability::Read, "the workforce is not an assessor's");
}

// 8 ------------------------------------------------------------------------------------------

#[test]
fn cpd_takes_every_value() {
    let mut f = nothing();
    f.workforce = staffed();
    says(&f, "cpd", Yes, &["All 15 registered professionals are on track with CPD."]);
    f.workforce.cpd_issues = 3;
    set_issue(&mut f.workforce, Issue::CpdShort, 2);
    set_issue(&mut f.workforce, Issue::CpdPreviousYearShort, 1);
    says(
        &f,
        "cpd",
        Partly,
        &[
            "3 of 15 registered professionals are short of CPD.",
            "CPD short of the cycle's requirement: 2; CPD year ended short, no appraisal since: 1.",
        ],
    );
    f.workforce.cpd_issues = 15;
    assert_eq!(value(&f, "cpd"), No);
    let mut unregistered = nothing();
    unregistered.workforce = WorkforceFacts { in_post: 3, ..WorkforceFacts::default() };
    assert_eq!(value(&unregistered, "cpd"), NotEvidenced);
    assert_eq!(value(&nothing(), "cpd"), NotEvidenced);
}

// 9 ------------------------------------------------------------------------------------------

#[test]
fn responsible_officer_takes_every_value() {
    let mut f = nothing();
    f.workforce = staffed();
    says(&f, "responsible_officer", Yes, &["Responsible Officer: Dr Helen Marsh.", "Recorded for every doctor (4)."]);
    f.workforce.doctors_without_ro = 1;
    f.workforce.responsible_officers.push("Dr Paul Okafor".into());
    says(
        &f,
        "responsible_officer",
        Partly,
        &[
            "Responsible Officer: Dr Helen Marsh and Dr Paul Okafor.",
            "1 of 4 doctors have no Responsible Officer recorded.",
        ],
    );
    f.workforce.doctors_without_ro = 4;
    f.workforce.responsible_officers.clear();
    says(&f, "responsible_officer", No, &["4 of 4 doctors have no Responsible Officer recorded."]);
    assert!(!answer(&f, "responsible_officer").facts.contains("Responsible Officer:"));
    f.workforce.doctors = 0;
    f.workforce.doctors_without_ro = 0;
    says(&f, "responsible_officer", NotEvidenced, &["No doctors in post"]);
    assert_eq!(value(&nothing(), "responsible_officer"), NotEvidenced);
}

// 10, 11 -------------------------------------------------------------------------------------

#[test]
fn practice_teachers_takes_every_value() {
    let mut f = nothing();
    f.workforce = staffed();
    says(&f, "practice_teachers", Yes, &["2 nursing practice teachers among 9 nurses in post."]);
    f.workforce.practice_teachers = 0;
    says(&f, "practice_teachers", No, &["0 nursing practice teachers among 9 nurses in post."]);
    f.workforce.nurses = 0;
    assert_eq!(value(&f, "practice_teachers"), No, "no nurses, so no practice teacher");
    assert_eq!(value(&nothing(), "practice_teachers"), NotEvidenced);
}

#[test]
fn specialty_registrars_takes_every_value() {
    let mut f = nothing();
    f.workforce = staffed();
    says(&f, "specialty_registrars", Yes, &["1 specialty registrar (StR) in post."]);
    f.workforce.specialty_registrars = 0;
    says(&f, "specialty_registrars", No, &["0 specialty registrars (StR) in post."]);
    let mut lapsed = with_document(f.clone(), document_kinds::SPECIALIST_TRAINING_PLAN, false);
    assert_eq!(value(&lapsed, "specialty_registrars"), No);
    lapsed = with_document(lapsed, document_kinds::SPECIALIST_TRAINING_PLAN, true);
    says(&lapsed, "specialty_registrars", Partly, &["Current specialist training plan"]);
    let plan_only = with_document(nothing(), document_kinds::SPECIALIST_TRAINING_PLAN, true);
    assert_eq!(value(&plan_only, "specialty_registrars"), Partly);
    assert_eq!(
        value(&with_document(nothing(), document_kinds::SPECIALIST_TRAINING_PLAN, false), "specialty_registrars"),
        NotEvidenced
    );
    assert_eq!(value(&nothing(), "specialty_registrars"), NotEvidenced);
}

// 12, 15: plans --------------------------------------------------------------------------------

#[test]
fn staff_development_plan_takes_every_value() {
    let kind = document_kinds::STAFF_DEVELOPMENT_PLAN;
    says(
        &with_document(nothing(), kind, true),
        "staff_development_plan",
        Yes,
        &["Current staff development plan: “staff_development_plan 100” (review due 31 Mar 2027)."],
    );
    let training = with_document(nothing(), document_kinds::SPECIALIST_TRAINING_PLAN, true);
    says(
        &training,
        "staff_development_plan",
        Partly,
        &["No staff development plan in the evidence library.", "for the specialists only"],
    );
    let lapsed = with_document(nothing(), kind, false);
    says(
        &lapsed,
        "staff_development_plan",
        No,
        &[
            "“staff_development_plan 100” is past its review date (31 Mar 2026), so it does not count.",
            "No current staff development plan on 2 Dec 2026.",
        ],
    );
    assert_eq!(
        hrefs(&lapsed, "staff_development_plan"),
        ["/providers/7/evidence/100"],
        "named and linked, though it does not count"
    );
    assert_eq!(
        value(&with_document(lapsed, document_kinds::SPECIALIST_TRAINING_PLAN, true), "staff_development_plan"),
        Partly
    );
    assert_eq!(value(&nothing(), "staff_development_plan"), NotEvidenced);
}

#[test]
fn service_development_plan_takes_every_value_it_can() {
    let kind = document_kinds::SERVICE_DEVELOPMENT_PLAN;
    assert_eq!(value(&with_document(nothing(), kind, true), "service_development_plan"), Yes);
    assert_eq!(
        value(&with_document(with_document(nothing(), kind, false), kind, true), "service_development_plan"),
        Yes
    );
    assert_eq!(value(&with_document(nothing(), kind, false), "service_development_plan"), No);
    // A withdrawn or superseded item without a review date is no longer current, and says so.
    let mut withdrawn = nothing();
    withdrawn.documents.push(document(kind, "Service plan 2025", 9, None, false));
    says(&withdrawn, "service_development_plan", No, &["“Service plan 2025” is no longer current"]);
    // Another kind of document does not answer it.
    assert_eq!(
        value(&with_document(nothing(), document_kinds::AUDIT_PLAN, true), "service_development_plan"),
        NotEvidenced
    );
}

// 13 -----------------------------------------------------------------------------------------

#[test]
fn specialist_areas_takes_every_value() {
    let mut f = nothing();
    f.coverage.subspecialisms = 10;
    f.coverage.subspecialisms_recorded = 10;
    says(&f, "specialist_areas", Yes, &["All 10 sub-specialisms have an arrangement."]);
    f.coverage.subspecialism_gaps = vec!["Radiation".into(), "Genetically modified organisms and gene therapy".into()];
    says(&f, "specialist_areas", Partly, &["2 of 10 sub-specialisms have no arrangement: Radiation and Genetically modified organisms and gene therapy."]);
    f.coverage.subspecialism_gaps = (0..10).map(|i| format!("S{i}")).collect();
    assert_eq!(value(&f, "specialist_areas"), No);
    f.coverage.subspecialisms_recorded = 0;
    says(&f, "specialist_areas", NotEvidenced, &["How the 10 sub-specialisms are delivered is not recorded."]);
    assert_eq!(hrefs(&f, "specialist_areas"), ["/providers/7/coverage"]);
}

// 14 -----------------------------------------------------------------------------------------

#[test]
fn esr_interface_takes_every_value() {
    let mut f = nothing();
    f.esr =
        Some(EsrFacts { interface: EsrInterface::Bidirectional, declared_on: day(2026, 6, 1), evidence_id: Some(42) });
    f.last_staff_import = Some(day(2026, 11, 20));
    says(
        &f,
        "esr_interface",
        Yes,
        &["Interfaced both ways with ESR (declared 1 Jun 2026).", "Last staff import 20 Nov 2026."],
    );
    assert_eq!(hrefs(&f, "esr_interface"), ["/providers/7/esr", "/providers/7/evidence/42", "/providers/7/workforce"]);
    f.esr = Some(EsrFacts { interface: EsrInterface::OneWay, declared_on: day(2026, 6, 1), evidence_id: None });
    says(
        &f,
        "esr_interface",
        Partly,
        &["Receives staff data from ESR, sends nothing back (declared 1 Jun 2026). No evidence attached."],
    );
    f.esr = Some(EsrFacts { interface: EsrInterface::NotInterfaced, declared_on: day(2026, 6, 1), evidence_id: None });
    f.last_staff_import = None;
    says(&f, "esr_interface", No, &["Not interfaced with ESR", "No staff import recorded."]);
    let mut undeclared = nothing();
    undeclared.last_staff_import = Some(day(2026, 11, 20));
    says(
        &undeclared,
        "esr_interface",
        NotEvidenced,
        &["No ESR declaration recorded.", "Last staff import 20 Nov 2026."],
    );
}

// 16 -----------------------------------------------------------------------------------------

fn services(gaps: &[&str]) -> ProviderFacts {
    let mut f = nothing();
    f.coverage.core_services = 6;
    f.coverage.core_gaps = gaps.iter().map(|g| g.to_string()).collect();
    f
}

#[test]
fn early_return_to_work_takes_every_value() {
    let kind = document_kinds::EARLY_RETURN_TO_WORK_PROCESS;
    says(
        &with_document(services(&[]), kind, true),
        "early_return_to_work",
        Yes,
        &["Timely intervention and Rehabilitation are delivered."],
    );
    says(
        &with_document(services(&["Rehabilitation"]), kind, true),
        "early_return_to_work",
        Partly,
        &["Timely intervention is delivered.", "Rehabilitation is not delivered."],
    );
    says(
        &services(&["Teaching and training"]),
        "early_return_to_work",
        Partly,
        &["No early return-to-work process in the evidence library."],
    );
    says(
        &with_document(services(&["Timely intervention", "Rehabilitation"]), kind, false),
        "early_return_to_work",
        No,
        &["Timely intervention and Rehabilitation are not delivered."],
    );
    assert_eq!(value(&with_document(nothing(), kind, false), "early_return_to_work"), No, "a lapsed process alone");
    let all_gaps = services(&[
        "Prevention",
        "Timely intervention",
        "Rehabilitation",
        "Health assessments for work",
        "Promotion of health and wellbeing",
        "Teaching and training",
    ]);
    says(&all_gaps, "early_return_to_work", NotEvidenced, &["How the core services are delivered is not recorded."]);
    assert_eq!(
        value(&with_document(all_gaps, kind, true), "early_return_to_work"),
        Partly,
        "the process, services unknown"
    );
}

// 17 -----------------------------------------------------------------------------------------

fn reviewed(last_confirmed: Option<NaiveDate>, awaiting: usize, contracted_since: Option<NaiveDate>) -> ProviderFacts {
    let mut f = nothing();
    f.reviews = ReviewFacts { last_confirmed, awaiting_confirmation: awaiting, contracted_since };
    f
}

#[test]
fn communication_links_takes_every_value() {
    let since = Some(day(2024, 4, 1));
    says(
        &reviewed(Some(day(2026, 6, 2)), 0, since),
        "communication_links",
        Yes,
        &["Last confirmed customer review 2 Jun 2026.", "The next is due 2 Dec 2026."],
    );
    says(
        &reviewed(Some(day(2026, 6, 1)), 0, since),
        "communication_links",
        Partly,
        &["The next was due 1 Dec 2026: overdue."],
    );
    says(
        &reviewed(None, 1, since),
        "communication_links",
        Partly,
        &["No confirmed customer review.", "1 review awaiting confirmation."],
    );
    assert_eq!(value(&reviewed(Some(day(2026, 6, 1)), 1, since), "communication_links"), Partly);
    says(&reviewed(None, 0, since), "communication_links", No, &["The next was due 1 Oct 2024: overdue."]);
    says(
        &reviewed(None, 0, Some(day(2026, 9, 1))),
        "communication_links",
        NotEvidenced,
        &["The next is due 1 Mar 2027."],
    );
    says(&reviewed(None, 0, None), "communication_links", NotEvidenced, &["No current contract."]);
    assert_eq!(hrefs(&nothing(), "communication_links"), ["/providers/7/customer-reviews"]);
}
