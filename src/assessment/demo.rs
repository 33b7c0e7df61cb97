//! The demo provider's self-assessment: registered three and a half years ago and still working
//! towards accreditation (as many NHS services are), about two thirds of the standards met, some
//! partly met, a few "must" gaps, two findings and an assessor's open request. Fictional.

use chrono::{Duration, Months, NaiveDate};
use diesel::prelude::*;

use super::model::{AccreditationStatus, AssessmentInput, FindingInput, FindingSource};
use super::store;
use crate::db::schema::{assessment_cycles, catalogue_nodes, users};
use crate::db::DbConnection;
use crate::db::StoreError;
use crate::db::UserId;

/// Standards not (yet) met, and why: (reference, workflow, result, note).
const NOT_MET: [(&str, &str, &str, &str); 13] = [
    (
        "GF4",
        "in_progress",
        "partly_met",
        "The business continuity plan covers staff loss but not loss of the clinic building.",
    ),
    (
        "RP2",
        "in_progress",
        "partly_met",
        "Physiotherapy cover is by arrangement; psychology cover has a gap since the post fell vacant.",
    ),
    (
        "RP4",
        "in_review",
        "partly_met",
        "Monthly supervision runs for case workers; the record of escalations is being moved into ohgov.",
    ),
    ("RP7", "in_progress", "not_met", "The vaccine fridge log had gaps in August; a second data logger is on order."),
    ("OO3", "in_progress", "partly_met", "Return-to-work outcomes are measured for musculoskeletal referrals only."),
    ("OO5", "to_do", "not_assessed", ""),
    (
        "IC5",
        "in_progress",
        "partly_met",
        "Secure email is in place with GP practices; the ESR staff list exchange is still manual.",
    ),
    ("QI2", "to_do", "not_assessed", ""),
    ("QI5", "to_do", "not_assessed", ""),
    (
        "SS3",
        "in_progress",
        "not_met",
        "The costing model was last reviewed in 2024; the finance business partner has been asked.",
    ),
    ("SS5", "in_review", "partly_met", "Reports meet the SLA at 84%; the target is 90%."),
    ("SS6", "to_do", "not_assessed", ""),
    (
        "SS10",
        "in_progress",
        "partly_met",
        "Two specialty registrar posts are hosted; the OH nursing training agreement with the university is not yet signed.",
    ),
];

/// The one standard the demo service judges not to apply.
const NOT_APPLICABLE: (&str, &str) =
    ("OO6", "The trust's statutory health surveillance is delivered by a contracted provider under its own SEQOHS accreditation.");

fn id_of(conn: &mut DbConnection, email: &str) -> QueryResult<Option<UserId>> {
    users::table.filter(users::email.eq(email)).select(users::id).first(conn).optional()
}

/// Seeds the demo provider's assessment unless it has one already.
pub fn seed(conn: &mut DbConnection, today: NaiveDate) -> Result<(), StoreError> {
    let provider = crate::accounts::demo::demo_provider(conn)?;
    let Some(provider) = provider else { return Ok(()) };
    let started: i64 =
        assessment_cycles::table.filter(assessment_cycles::provider_id.eq(provider)).count().get_result(conn)?;
    if started > 0 {
        return Ok(());
    }
    let manager = id_of(conn, "manager@northshire-oh.example")?;
    let director = id_of(conn, "director@northshire-oh.example")?;
    let clinician = id_of(conn, "clinician@northshire-oh.example")?;
    let assessor = id_of(conn, "assessor@seqohs-assessor.example")?;
    let registered = today.checked_sub_months(Months::new(42)).unwrap_or(today);
    let change = super::model::AccreditationChange {
        status: AccreditationStatus::WorkingTowards,
        status_on: registered,
        visit_on: None,
        deferred_actions: None,
        deferred_due: None,
    };
    store::change_accreditation(conn, manager, provider, &change)?;

    let Some(catalogue_id) = store::framework_id(conn, provider)? else { return Ok(()) };
    let standards: Vec<(String, String)> = catalogue_nodes::table
        .filter(catalogue_nodes::catalogue_id.eq(catalogue_id))
        .filter(catalogue_nodes::kind.eq(crate::catalogue::model::NodeKind::Standard))
        .select((catalogue_nodes::reference, catalogue_nodes::expected_evidence))
        .order(catalogue_nodes::position)
        .load(conn)?;
    let owners = [manager, director, clinician];
    for (i, (reference, expected)) in standards.iter().enumerate() {
        let expected: Vec<String> = serde_json::from_str(expected).unwrap_or_default();
        let shown = expected.iter().take(2).map(|e| e.to_lowercase()).collect::<Vec<_>>().join(" and the ");
        let (workflow, result, narrative, reason) = match NOT_MET.iter().find(|(r, ..)| r == reference) {
            Some((_, workflow, result, note)) => (*workflow, *result, note.to_string(), String::new()),
            None if *reference == NOT_APPLICABLE.0 => {
                ("done", "not_applicable", String::new(), NOT_APPLICABLE.1.to_string())
            }
            None => (
                "done",
                "met",
                format!(
                    "Met and shown by the {shown}. Reviewed at the quarterly clinical governance meeting and \
                         reported to the trust's people committee."
                ),
                String::new(),
            ),
        };
        let owner = owners[i % owners.len()];
        let target = (result != "met").then(|| today + Duration::days(30 * (1 + (i as i64 % 5))));
        let input = AssessmentInput {
            workflow: workflow.into(),
            result: result.into(),
            not_applicable_reason: reason,
            owner_user_id: owner.map(|o| o.to_string()).unwrap_or_default(),
            target_on: target.map(|d| d.to_string()).unwrap_or_default(),
            narrative,
        };
        let Ok(change) = input.parse() else { continue };
        store::save_assessment(conn, owner, provider, reference, &change, today)?;
    }

    let findings = [
        (
            "IC2",
            FindingSource::InternalAudit,
            director,
            FindingInput {
                grade: "minor_nonconformity".into(),
                description: "Consent audit (October): 3 of 40 management referral reports had no recorded consent \
                              to release."
                    .into(),
                action_needed: "Add a consent prompt to the report template and re-audit 40 reports in January.".into(),
                raised_on: (today - Duration::days(35)).to_string(),
            },
        ),
        (
            "QI3",
            FindingSource::ExternalAssessment,
            assessor,
            FindingInput {
                grade: "observation".into(),
                description: "Complaints are answered promptly but themes are not yet reported to the governance \
                              meeting."
                    .into(),
                action_needed: "Consider a quarterly themes report.".into(),
                raised_on: (today - Duration::days(12)).to_string(),
            },
        ),
    ];
    for (reference, source, by, input) in findings {
        if let Ok(finding) = input.parse(today) {
            store::record_finding(conn, by, provider, reference, source, &finding)?;
        }
    }
    // The consent finding was first typed against the wrong standard; the manager withdrew it.
    let misfiled = FindingInput {
        grade: "minor_nonconformity".into(),
        description: "Consent audit (October): reports released without recorded consent.".into(),
        action_needed: "See the finding against IC2.".into(),
        raised_on: (today - Duration::days(35)).to_string(),
    };
    if let Ok(finding) = misfiled.parse(today) {
        let id = store::record_finding(conn, director, provider, "IC1", FindingSource::InternalAudit, &finding)?;
        let when = (today - Duration::days(34)).and_hms_opt(9, 30, 0).unwrap_or_default();
        store::withdraw_finding(
            conn,
            manager,
            provider,
            id,
            "Recorded against IC1 by mistake; it belongs to IC2",
            when,
        )?;
    }
    store::raise_request(
        conn,
        assessor,
        provider,
        Some("OO2"),
        "Please provide the last two report-quality audits, with the action plans that followed.",
    )?;
    Ok(())
}

/// The accreditation of the generated provider at `index`: about a third accredited, a third
/// working towards for one to four years, some further along the pathway, a few not registered,
/// lapsed or deferred. Returns (status, registered, status_on, accredited_on).
fn generated_accreditation(
    index: usize,
    today: NaiveDate,
) -> (AccreditationStatus, Option<NaiveDate>, NaiveDate, Option<NaiveDate>) {
    use crate::accounts::demo::vary;
    let months_ago = |m: usize| today.checked_sub_months(Months::new(m as u32)).unwrap_or(today);
    let registered = months_ago(12 + vary(index, 1) * 36 / 100);
    match vary(index, 0) {
        0..=32 => {
            let accredited = months_ago(2 + vary(index, 2) * 46 / 100);
            (AccreditationStatus::Accredited, Some(months_ago(60)), accredited, Some(accredited))
        }
        33..=67 => (AccreditationStatus::WorkingTowards, Some(registered), registered, None),
        68..=73 => (AccreditationStatus::SelfAssessmentComplete, Some(registered), months_ago(3), None),
        74..=78 => (AccreditationStatus::EvidenceSubmitted, Some(registered), months_ago(2), None),
        79..=82 => (AccreditationStatus::VisitBooked, Some(registered), months_ago(1), None),
        83..=89 => (AccreditationStatus::NotRegistered, None, months_ago(6), None),
        90..=95 => (AccreditationStatus::Lapsed, Some(months_ago(72)), months_ago(4), Some(months_ago(64))),
        _ => (AccreditationStatus::Deferred, Some(registered), months_ago(1), None),
    }
}

/// What the generator writes when a standard is not met: the same kind of notes a service keeps.
const GENERATED_GAPS: [&str; 6] = [
    "The policy is drafted and awaits the governance meeting's approval.",
    "Evidence is held on paper at one site only; it is being scanned into the library.",
    "The audit that shows it is planned for the next quarter.",
    "A vacancy has left this uncovered since the spring; recruitment is under way.",
    "The procedure exists but staff training records are incomplete.",
    "Agreed with the trust in principle; the written agreement is not yet signed.",
];

/// Writes each generated provider's accreditation, its assessment cycle against the newest
/// framework and a result for every standard of it (mostly met, some partly or not met, the
/// better the further along the pathway), in multi-row inserts, and one history row per provider
/// saying what was made. Call inside a transaction.
pub fn generate(
    conn: &mut DbConnection,
    providers: &[crate::accounts::demo::GeneratedProvider],
    today: NaiveDate,
) -> Result<(), StoreError> {
    use super::model::{AssessmentResult, Workflow};
    use crate::accounts::demo::vary;
    use crate::db::schema::{accreditations, standard_assessments};
    use crate::history::store::json;
    let Some(first) = providers.first() else { return Ok(()) };
    let Some(catalogue_id) = store::framework_id(conn, first.id)? else {
        return Err(StoreError::invalid("framework", "No SEQOHS framework is loaded: run `ohgov catalogue load`"));
    };
    let (_, standards) = store::framework_standards(conn, catalogue_id)?;
    let now = chrono::Utc::now().naive_utc();
    let pathway: Vec<_> = providers.iter().map(|p| (p, generated_accreditation(p.index, today))).collect();
    let accreditation_rows: Vec<_> = pathway
        .iter()
        .filter(|(p, _)| vary(p.index, 3) >= 5) // a few have never recorded where they stand
        .map(|(p, (status, registered, status_on, accredited))| {
            (
                accreditations::provider_id.eq(p.id),
                accreditations::status.eq(*status),
                accreditations::status_on.eq(Some(*status_on)),
                accreditations::registered_on.eq(*registered),
                accreditations::accredited_on.eq(*accredited),
                accreditations::updated_at.eq(now),
            )
        })
        .collect();
    crate::db::insert_batch(conn, accreditations::table, &accreditation_rows)?;
    let cycle_rows: Vec<_> = pathway
        .iter()
        .map(|(p, (_, registered, _, _))| {
            (
                assessment_cycles::provider_id.eq(p.id),
                assessment_cycles::catalogue_id.eq(catalogue_id),
                assessment_cycles::kind.eq(super::model::CycleKind::Initial),
                assessment_cycles::started_on.eq(registered.unwrap_or(today - Duration::days(200))),
                assessment_cycles::created_at.eq(now),
            )
        })
        .collect();
    crate::db::insert_batch(conn, assessment_cycles::table, &cycle_rows)?;
    let ids: Vec<crate::db::ProviderId> = providers.iter().map(|p| p.id).collect();
    let cycles: std::collections::HashMap<crate::db::ProviderId, i32> = assessment_cycles::table
        .filter(assessment_cycles::provider_id.eq_any(&ids))
        .select((assessment_cycles::provider_id, assessment_cycles::id))
        .load(conn)?
        .into_iter()
        .collect();

    let mut rows = Vec::with_capacity(providers.len() * standards.len());
    let mut history = Vec::with_capacity(providers.len());
    for (p, (status, ..)) in &pathway {
        let Some(cycle) = cycles.get(&p.id) else { continue };
        // How often a standard falls short: rarely once accredited, often while working towards.
        let shortfall = match status {
            AccreditationStatus::Accredited => 4,
            AccreditationStatus::NotRegistered => 45,
            AccreditationStatus::Lapsed => 30,
            _ => 12 + vary(p.index, 4) / 4,
        };
        let (mut met, mut short) = (0, 0);
        for (s, standard) in standards.iter().enumerate() {
            let roll = vary(p.index, 100 + s);
            let (workflow, result) = if roll < shortfall / 2 {
                (Workflow::InProgress, AssessmentResult::NotMet)
            } else if roll < shortfall {
                (Workflow::InReview, AssessmentResult::PartlyMet)
            } else if roll >= 99 {
                (Workflow::Done, AssessmentResult::NotApplicable)
            } else {
                (Workflow::Done, AssessmentResult::Met)
            };
            if result == AssessmentResult::Met {
                met += 1;
            } else {
                short += 1;
            }
            let narrative = match result {
                AssessmentResult::Met => {
                    format!("Met: {} is reviewed at the quarterly governance meeting.", standard.title)
                }
                AssessmentResult::NotApplicable => String::new(),
                _ => GENERATED_GAPS[vary(p.index, 200 + s) % GENERATED_GAPS.len()].to_string(),
            };
            let reason = (result == AssessmentResult::NotApplicable)
                .then(|| "Delivered by the host trust's own team under its accreditation.".to_string());
            let owner = if s % 2 == 0 { p.manager } else { p.clinical_director };
            let target = matches!(result, AssessmentResult::NotMet | AssessmentResult::PartlyMet)
                .then(|| today + Duration::days(30 * (1 + (s as i64 % 6))));
            rows.push((
                standard_assessments::cycle_id.eq(*cycle),
                standard_assessments::node_id.eq(standard.node_id),
                standard_assessments::workflow.eq(workflow),
                standard_assessments::result.eq(result),
                standard_assessments::not_applicable_reason.eq(reason),
                standard_assessments::owner_user_id.eq(Some(owner)),
                standard_assessments::target_on.eq(target),
                standard_assessments::narrative.eq(narrative),
                standard_assessments::carried_over.eq(false),
                standard_assessments::updated_at.eq(now),
                standard_assessments::updated_by.eq(Some(owner)),
            ));
        }
        history.push((p, *status, met, short));
    }
    crate::db::insert_batch(conn, standard_assessments::table, &rows)?;
    for (p, status, met, short) in history {
        crate::accounts::demo::record_generated(
            conn,
            p,
            "assessment",
            vec![
                ("accreditation", json(status.label())),
                ("standards_met", json(met)),
                ("standards_not_met", json(short)),
            ],
        )?;
    }
    Ok(())
}
