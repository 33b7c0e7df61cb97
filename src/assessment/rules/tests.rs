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
        status: Some(AccreditationStatus::Accredited),
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
        status: Some(AccreditationStatus::WorkingTowards),
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
            Domain { reference: "GF".into(), title: "Governance".into() },
            Domain { reference: "RP".into(), title: "Resources".into() },
            Domain { reference: "EMPTY".into(), title: "No standards".into() },
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
