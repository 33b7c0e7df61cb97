use super::*;
use AssessmentResult::*;
use Workflow::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn accreditation_lasts_five_years_with_a_renewal_each_anniversary() {
    let accredited = day(2024, 2, 29);
    assert_eq!(expires_on(accredited), Some(day(2029, 2, 28)), "a leap day falls back");
    assert_eq!(next_renewal(accredited, day(2024, 3, 1)), Some(day(2025, 2, 28)));
    assert_eq!(next_renewal(accredited, day(2028, 2, 29)), Some(day(2028, 2, 29)), "the anniversary itself");
    assert_eq!(next_renewal(accredited, day(2028, 3, 1)), None, "after the fourth renewal, only expiry is left");
    let pathway = Pathway {
        status: AccreditationStatus::Accredited,
        registered_on: Some(day(2021, 5, 10)),
        accredited_on: Some(accredited),
        ..Default::default()
    };
    assert_eq!(
        next_milestone(&pathway, day(2028, 3, 1)),
        Some(Milestone { what: "Accreditation expires", on: day(2029, 2, 28) })
    );
    assert_eq!(months_working_towards(&pathway, day(2026, 11, 23)), Some(33), "counted until accreditation");
}

#[test]
fn working_towards_is_counted_in_whole_months_until_today() {
    let pathway = Pathway {
        status: AccreditationStatus::WorkingTowards,
        registered_on: Some(day(2023, 3, 15)),
        ..Default::default()
    };
    assert_eq!(months_working_towards(&pathway, day(2026, 11, 14)), Some(43));
    assert_eq!(months_working_towards(&pathway, day(2026, 11, 15)), Some(44));
    assert_eq!(months_working_towards(&Pathway::default(), day(2026, 11, 15)), None);
    assert_eq!(
        next_milestone(&pathway, day(2026, 11, 15)),
        Some(Milestone { what: "Self-assessment due (two years from registering)", on: day(2025, 3, 15) })
    );
    let due = next_milestone(&pathway, day(2026, 11, 15)).unwrap();
    assert!(due.is_past(day(2026, 11, 15)) && !due.is_past(day(2025, 3, 15)), "due on the day, past the day after");
    assert_eq!(months_between(day(2026, 1, 31), day(2026, 2, 28)), 0);
    assert_eq!(months_between(day(2026, 1, 31), day(2026, 1, 1)), 0, "never negative");
}

fn standard(node_id: i32, reference: &str, level: &str, domain: &str) -> Standard {
    Standard {
        node_id,
        reference: reference.into(),
        title: format!("Standard {reference}"),
        level: Level::parse(level).expect("must or should"),
        domain_reference: domain.into(),
    }
}

fn assessed(workflow: Workflow, result: AssessmentResult, owner: Option<i32>) -> Assessed {
    Assessed { workflow, result, carried_over: false, owner_user_id: owner }
}

#[test]
fn readiness_counts_each_figure() {
    let today = day(2026, 11, 23);
    let facts = Facts {
        domains: vec![
            Domain { reference: "GF".into(), title: "Governance".into(), applies: true },
            Domain { reference: "RP".into(), title: "Resources".into(), applies: true },
            Domain { reference: "EMPTY".into(), title: "No standards".into(), applies: true },
        ],
        standards: vec![
            standard(1, "GF1", "must", "GF"),
            standard(2, "GF2", "should", "GF"),
            standard(3, "RP1", "must", "RP"),
            standard(4, "RP2", "must", "RP"),
        ],
        assessed: HashMap::from([
            (1, assessed(Done, Met, Some(7))),
            (2, assessed(InProgress, PartlyMet, Some(7))),
            (3, assessed(InReview, NotApplicable, Some(8))),
        ]),
        evidence: vec![
            Evidence { review_due: None, owner_user_id: Some(8), node_ids: vec![2] },
            Evidence { review_due: Some(day(2026, 11, 22)), owner_user_id: Some(8), node_ids: vec![1, 2] },
            Evidence { review_due: Some(day(2027, 1, 22)), owner_user_id: None, node_ids: vec![] },
        ],
        open_findings: HashMap::from([(4, 2)]),
        open_requests: HashMap::from([(None, 1), (Some(1), 1)]),
        live: HashMap::new(),
    };
    let r = readiness(&facts, today);
    assert_eq!(r.domains.len(), 2, "a domain with no standards is left out");
    assert_eq!(r.standard_count, 4);
    assert_eq!(r.must_not_met, 1, "RP2 is not assessed; RP1 is not applicable");
    assert_eq!(r.without_evidence, 1, "RP2; RP1 needs none");
    assert_eq!(r.met_without_current_evidence, 1, "GF1's only evidence is past review");
    assert_eq!((r.evidence_items, r.evidence_overdue, r.evidence_due_soon), (3, 1, 1));
    assert_eq!((r.open_findings, r.open_requests), (2, 2));
    // Owner 7 has GF2 open; owner 8 has RP1 in review and one overdue document.
    assert_eq!(r.busiest_owners, vec![(8, 2), (7, 1)]);
    let gf = &r.domains[0];
    assert_eq!(gf.by_result.iter().find(|(k, _)| *k == Met).unwrap().1, 1);
    assert_eq!(gf.by_workflow.iter().find(|(k, _)| *k == Done).unwrap().1, 1);
    let gf2 = &gf.standards[1];
    assert_eq!((gf2.evidence_count, gf2.current_evidence_count, gf2.overdue_evidence_count), (2, 1, 1));
    let rp2 = &r.domains[1].standards[1];
    assert_eq!((rp2.workflow, rp2.result, rp2.open_findings), (ToDo, NotAssessed, 2));
}

fn previous(node_id: i32, workflow: Workflow, result: AssessmentResult, narrative: &str) -> Previous {
    Previous {
        node_id,
        workflow,
        result,
        not_applicable_reason: (result == NotApplicable).then(|| "No sea-going staff".to_string()),
        owner_user_id: Some(node_id * 10),
        narrative: narrative.into(),
    }
}

#[test]
fn a_renewal_keeps_each_result_and_sends_done_work_back_to_review() {
    let before = [previous(1, Done, Met, "Policy approved by the board"), previous(2, InProgress, PartlyMet, "")];
    let same = [(1, vec![(1, "GF1".to_string())]), (2, vec![(2, "GF2".to_string())]), (3, vec![(3, "GF3".into())])];
    let carried = carry_over(&before, &same, 20_000);
    assert_eq!(carried.len(), 2, "a standard never assessed has nothing to carry");
    assert_eq!(
        carried[0],
        Carried {
            node_id: 1,
            workflow: InReview,
            result: Met,
            not_applicable_reason: None,
            owner_user_id: Some(10),
            narrative: "Policy approved by the board".into(),
        }
    );
    assert_eq!((carried[1].workflow, carried[1].result), (InProgress, PartlyMet));
}

#[test]
fn a_framework_change_folds_old_standards_into_the_least_assured_result() {
    let before = [
        previous(101, Done, Met, "Board minutes"),
        previous(102, Done, PartlyMet, "Budget draft"),
        previous(103, Done, NotApplicable, ""),
    ];
    let mapping = [
        (1, vec![(101, "A1".to_string()), (102, "A2".to_string())]),
        (2, vec![(103, "A3".to_string())]),
        (3, vec![(999, "A9".to_string())]),
    ];
    let carried = carry_over(&before, &mapping, 20_000);
    assert_eq!(carried.len(), 2);
    assert_eq!(carried[0].result, PartlyMet);
    assert_eq!(carried[0].narrative, "Carried from A1: Board minutes\n\nCarried from A2: Budget draft");
    assert_eq!(carried[1].result, NotApplicable);
    assert_eq!(carried[1].not_applicable_reason.as_deref(), Some("No sea-going staff"));
    let short = carry_over(&before, &mapping, 10);
    assert_eq!(short[0].narrative.chars().count(), 10, "never longer than a narrative may be");
}

fn step(status: AccreditationStatus, on: NaiveDate) -> super::super::model::AccreditationChange {
    super::super::model::AccreditationChange {
        status,
        status_on: on,
        visit_on: None,
        deferred_actions: None,
        deferred_due: None,
    }
}

#[test]
fn each_step_keeps_its_own_date_and_the_dates_before_it() {
    use AccreditationStatus::*;
    let registered = take_step(&Pathway::default(), &step(WorkingTowards, day(2023, 5, 2))).unwrap();
    assert_eq!(registered.registered_on, Some(day(2023, 5, 2)));
    let submitted = take_step(&registered, &step(EvidenceSubmitted, day(2026, 9, 1))).unwrap();
    assert_eq!((submitted.status, submitted.evidence_submitted_on), (EvidenceSubmitted, Some(day(2026, 9, 1))));
    assert_eq!(submitted.registered_on, Some(day(2023, 5, 2)), "registration is kept");
    let lapsed = take_step(&submitted, &step(Lapsed, day(2026, 10, 1))).unwrap();
    assert_eq!((lapsed.status_on, lapsed.evidence_submitted_on), (Some(day(2026, 10, 1)), Some(day(2026, 9, 1))));
}

#[test]
fn accreditation_needs_a_registration_date_first() {
    use AccreditationStatus::*;
    let refused = take_step(&Pathway::default(), &step(Accredited, day(2026, 11, 1))).unwrap_err();
    assert!(refused.get("status").unwrap().contains("registered"));
    let registered = take_step(&Pathway::default(), &step(WorkingTowards, day(2024, 1, 8))).unwrap();
    let accredited = take_step(&registered, &step(Accredited, day(2026, 11, 1))).unwrap();
    assert_eq!(accredited.accredited_on, Some(day(2026, 11, 1)));
}

#[test]
fn a_deferral_records_its_actions_and_due_date() {
    let change = super::super::model::AccreditationChange {
        deferred_actions: Some("Evidence of clinical audit".into()),
        deferred_due: Some(day(2027, 2, 1)),
        ..step(AccreditationStatus::Deferred, day(2026, 11, 2))
    };
    let deferred = take_step(&Pathway::default(), &change).unwrap();
    assert_eq!(deferred.deferred_actions.as_deref(), Some("Evidence of clinical audit"));
    assert_eq!(deferred.deferred_due, Some(day(2027, 2, 1)));
}

#[test]
fn only_open_and_returned_requests_can_be_answered_and_only_with_something() {
    use RequestStatus::*;
    assert!(may_answer(Open, "See the policy", &[]).is_ok());
    assert!(may_answer(Returned, "", &[4]).is_ok());
    assert!(may_answer(Open, "", &[]).unwrap_err().get("answer_text").unwrap().contains("Write an answer"));
    for closed in [Answered, Accepted] {
        assert!(may_answer(closed, "More", &[])
            .unwrap_err()
            .get("answer_text")
            .unwrap()
            .contains("cannot be answered"));
    }
}

#[test]
fn only_an_answered_request_is_decided_and_a_return_says_why() {
    use RequestStatus::*;
    assert_eq!(decided(Answered, true, ""), Ok(Accepted));
    assert_eq!(decided(Answered, false, "The audit is from 2019"), Ok(Returned));
    assert!(decided(Answered, false, "").unwrap_err().get("decision_comment").is_some());
    for other in [Open, Returned, Accepted] {
        assert!(decided(other, true, "").unwrap_err().get("decision").is_some());
    }
}

// ---- the optional sector-specific (NHS) domain ----

#[test]
fn the_nhs_domain_applies_by_default_to_nhs_providers_and_nhs_contracts() {
    use crate::accounts::model::OrganisationType::*;
    assert!(nhs_domain_applies(None, Some(NhsInHouse), false), "an NHS in-house service");
    assert!(nhs_domain_applies(None, Some(NhsHosting), false), "an NHS service hosting others");
    assert!(!nhs_domain_applies(None, Some(Independent), false), "an independent without NHS contracts");
    assert!(nhs_domain_applies(None, Some(Independent), true), "an independent with a current NHS contract");
    assert!(!nhs_domain_applies(None, None, false), "no type recorded, no NHS contract");
    assert!(nhs_domain_applies(None, None, true));
    assert!(nhs_domain_applies(Some(true), Some(Independent), false), "the provider's choice wins");
    assert!(!nhs_domain_applies(Some(false), Some(NhsInHouse), true), "the provider's choice wins");
}

#[test]
fn a_domain_that_does_not_apply_is_shown_but_not_counted() {
    let today = day(2026, 11, 23);
    let facts = |applies: bool| Facts {
        domains: vec![
            Domain { reference: "GF".into(), title: "Governance".into(), applies: true },
            Domain { reference: NHS_DOMAIN.into(), title: "Sector specific standards (optional)".into(), applies },
        ],
        standards: vec![
            standard(1, "GF1", "must", "GF"),
            standard(2, "SS1", "must", "SS"),
            standard(3, "SS2", "must", "SS"),
        ],
        assessed: HashMap::from([(2, assessed(InProgress, NotAssessed, Some(9)))]),
        ..Default::default()
    };
    let on = readiness(&facts(true), today);
    assert_eq!((on.standard_count, on.must_not_met, on.without_evidence), (3, 3, 3));
    assert_eq!(on.busiest_owners, vec![(9, 1)]);
    let off = readiness(&facts(false), today);
    assert_eq!(off.domains.len(), 2, "the domain is still shown");
    assert!(!off.domains[1].applies);
    assert_eq!(off.domains[1].standards.len(), 2);
    assert_eq!((off.standard_count, off.must_not_met, off.without_evidence), (1, 1, 1));
    assert!(off.busiest_owners.is_empty(), "its standards are nobody's open work");
}

fn live(verdict: crate::assessment::model::Verdict, exceptions: Vec<LiveException>) -> LiveVerdict {
    LiveVerdict {
        check: LiveCheck::RegistrationsCurrent,
        question: LiveCheck::RegistrationsCurrent.label(),
        verdict,
        summary: "1 registration expired: S003".into(),
        facts: Vec::new(),
        since: day(2026, 11, 1),
        exceptions,
    }
}

fn exception(ends_on: NaiveDate, ended: bool) -> LiveException {
    let recorded_at = day(2026, 11, 2).and_hms_opt(9, 0, 0).unwrap();
    LiveException {
        id: 1,
        reason: "Renewal paid; the register updates within 5 working days".into(),
        ends_on,
        recorded_by: Some("Priya Shah".into()),
        recorded_at,
        ended_at: ended.then_some(recorded_at),
    }
}

#[test]
fn a_met_standard_is_contradicted_only_by_a_failing_check_no_exception_excuses() {
    use crate::assessment::model::Verdict::*;
    let today = day(2026, 12, 1);
    assert!(is_contradicted(Met, &[live(Fails, vec![])], today));
    assert!(!is_contradicted(PartlyMet, &[live(Fails, vec![])], today), "only a claim of met is contradicted");
    assert!(!is_contradicted(Met, &[live(Holds, vec![])], today));
    assert!(!is_contradicted(Met, &[live(NotEnoughData, vec![])], today), "no data never counts against it");
    assert!(!is_contradicted(Met, &[live(Fails, vec![exception(today, false)])], today), "in force on its last day");
    assert!(is_contradicted(Met, &[live(Fails, vec![exception(day(2026, 11, 30), false)])], today), "ended yesterday");
    assert!(is_contradicted(Met, &[live(Fails, vec![exception(day(2027, 1, 1), true)])], today), "ended early");
    assert!(is_contradicted(Met, &[live(Holds, vec![]), live(Fails, vec![])], today), "any failing check");
}

#[test]
fn readiness_counts_the_contradicted_standards_that_apply() {
    use crate::assessment::model::Verdict::*;
    let today = day(2026, 12, 1);
    let facts = Facts {
        domains: vec![
            Domain { reference: "RP".into(), title: "Resources".into(), applies: true },
            Domain { reference: "SS".into(), title: "Sector".into(), applies: false },
        ],
        standards: vec![
            standard(1, "RP1", "must", "RP"),
            standard(2, "RP2", "must", "RP"),
            standard(3, "SS1", "must", "SS"),
        ],
        assessed: HashMap::from([
            (1, assessed(Done, Met, None)),
            (2, assessed(Done, NotMet, None)),
            (3, assessed(Done, Met, None)),
        ]),
        live: HashMap::from([
            (1, vec![live(Fails, vec![])]),
            (2, vec![live(Fails, vec![])]),
            (3, vec![live(Fails, vec![])]),
        ]),
        ..Default::default()
    };
    let r = readiness(&facts, today);
    assert_eq!(r.contradicted, 1, "RP1 only: RP2 is not claimed met, SS does not apply");
    let rp1 = &r.domains[0].standards[0];
    assert!(rp1.contradicted);
    assert_eq!(rp1.live_checks.len(), 1);
    assert!(!r.domains[0].standards[1].contradicted);
}

#[test]
fn a_page_says_how_long_a_check_has_held_or_failed_and_where_each_exception_stands() {
    use crate::assessment::model::Verdict::*;
    let failing = live(Fails, vec![]);
    assert_eq!(failing.standing(day(2026, 11, 30)), "Failing since 1 November 2026 (29 days)");
    assert_eq!(failing.standing(day(2026, 11, 2)), "Failing since 1 November 2026 (1 day)");
    assert_eq!(live(Holds, vec![]).standing(day(2026, 11, 1)), "Holding since 1 November 2026 (today)");
    let last = day(2027, 1, 31);
    assert_eq!(exception(last, false).standing(day(2027, 1, 31)), "In force until 31 January 2027");
    assert_eq!(exception(last, false).standing(day(2027, 2, 1)), "Expired after 31 January 2027");
    assert_eq!(exception(last, true).standing(day(2026, 12, 1)), "Ended early (it was to run until 31 January 2027)");
}
