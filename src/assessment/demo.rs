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
