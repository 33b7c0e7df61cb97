//! The demo provider's evidence library: policies, minutes, audits and links of a fictional NHS OH
//! service, some past their review date and one replaced by a newer version.

use chrono::{Duration, NaiveDate};
use diesel::prelude::*;

use super::model::{check_upload, EvidenceInput};
use super::store;
use crate::db::schema::{evidence_items, users};
use crate::db::DbConnection;
use crate::db::StoreError;
use crate::db::UserId;

/// A demo item: title, kind, file name (for a file), the standards and services it shows, the
/// effective and review dates as days from today, and its owner's email.
struct DemoItem {
    title: &'static str,
    kind: &'static str,
    file_name: &'static str,
    links: &'static [&'static str],
    effective: i64,
    review: Option<i64>,
    owner: &'static str,
    /// Its reference in the catalogue's list of document kinds, or empty.
    document_kind: &'static str,
}

const MANAGER: &str = "manager@northshire-oh.example";
const DIRECTOR: &str = "director@northshire-oh.example";
const CLINICIAN: &str = "clinician@northshire-oh.example";

const ITEMS: [DemoItem; 24] = [
    DemoItem {
        title: "Statement of purpose and service specification",
        kind: "file",
        file_name: "statement-of-purpose.pdf",
        links: &["GF1", "GF2", "SS1"],
        effective: -300,
        review: Some(65),
        owner: MANAGER,
        document_kind: "",
    },
    DemoItem {
        title: "Clinical governance committee terms of reference",
        kind: "file",
        file_name: "governance-terms-of-reference.txt",
        links: &["GF1"],
        effective: -420,
        review: Some(-55),
        owner: DIRECTOR,
        document_kind: "",
    },
    DemoItem {
        title: "Budget statement 2026/27 and indemnity certificates",
        kind: "file",
        file_name: "budget-2026-27.csv",
        links: &["GF3", "SS3"],
        effective: -230,
        review: Some(135),
        owner: MANAGER,
        document_kind: "",
    },
    DemoItem {
        title: "Business plan 2026 to 2029",
        kind: "file",
        file_name: "business-plan-2026-2029.txt",
        links: &["GF4", "SS4"],
        effective: -200,
        review: Some(165),
        owner: MANAGER,
        document_kind: "",
    },
    DemoItem {
        title: "Legal register (data protection, COSHH, IR(ME)R)",
        kind: "link",
        file_name: "",
        links: &["GF5"],
        effective: -150,
        review: Some(215),
        owner: MANAGER,
        document_kind: "",
    },
    DemoItem {
        title: "Service level agreement with Northshire Teaching Hospitals",
        kind: "file",
        file_name: "sla-northshire-teaching-hospitals.pdf",
        links: &["GF6", "SS2", "SS5"],
        effective: -235,
        review: Some(40),
        owner: MANAGER,
        document_kind: "",
    },
    DemoItem {
        title: "Professional registration checks, October",
        kind: "file",
        file_name: "registration-checks-october.csv",
        links: &["RP1"],
        effective: -40,
        review: Some(325),
        owner: MANAGER,
        document_kind: "",
    },
    DemoItem {
        title: "Appraisal and revalidation tracker",
        kind: "note",
        file_name: "",
        links: &["RP3"],
        effective: -60,
        review: None,
        owner: DIRECTOR,
        document_kind: "",
    },
    DemoItem {
        title: "Clinical supervision policy for the tiered model",
        kind: "file",
        file_name: "supervision-policy.txt",
        links: &["RP4"],
        effective: -700,
        review: Some(-335),
        owner: DIRECTOR,
        document_kind: "",
    },
    DemoItem {
        title: "Premises risk assessment, Northshire clinic",
        kind: "file",
        file_name: "premises-risk-assessment.txt",
        links: &["RP5"],
        effective: -380,
        review: Some(-15),
        owner: MANAGER,
        document_kind: "",
    },
    DemoItem {
        title: "Audiometer and spirometer calibration certificates",
        kind: "file",
        file_name: "calibration-2026.csv",
        links: &["RP6", "OO6"],
        effective: -90,
        review: Some(275),
        owner: CLINICIAN,
        document_kind: "",
    },
    DemoItem {
        title: "Safeguarding adults and children policy",
        kind: "link",
        file_name: "",
        links: &["RP8"],
        effective: -500,
        review: Some(230),
        owner: DIRECTOR,
        document_kind: "",
    },
    DemoItem {
        title: "Management referral report audit, spring",
        kind: "file",
        file_name: "report-audit-spring.csv",
        links: &["OO2", "QI1"],
        effective: -190,
        review: Some(175),
        owner: DIRECTOR,
        document_kind: "",
    },
    DemoItem {
        title: "Confidentiality and OH records policy",
        kind: "file",
        file_name: "confidentiality-policy.txt",
        links: &["IC1", "IC3"],
        effective: -340,
        review: Some(25),
        owner: MANAGER,
        document_kind: "",
    },
    DemoItem {
        title: "Consent audit, October",
        kind: "file",
        file_name: "consent-audit-october.csv",
        links: &["IC2", "QI1", "SS6"],
        effective: -35,
        review: Some(330),
        owner: DIRECTOR,
        document_kind: "",
    },
    DemoItem {
        title: "Accessible information: easy-read leaflet and interpreter guide",
        kind: "file",
        file_name: "accessible-information.txt",
        links: &["IC4", "IC6"],
        effective: -260,
        review: Some(105),
        owner: CLINICIAN,
        document_kind: "",
    },
    DemoItem {
        title: "Complaints and incidents log, Q2",
        kind: "file",
        file_name: "complaints-incidents-q2.csv",
        links: &["QI3"],
        effective: -55,
        review: Some(310),
        owner: MANAGER,
        document_kind: "",
    },
    DemoItem {
        title: "Annual quality report 2025/26",
        kind: "note",
        file_name: "",
        links: &["QI4"],
        effective: -230,
        review: Some(135),
        owner: DIRECTOR,
        document_kind: "",
    },
    DemoItem {
        title: "Staff development plan 2026/27",
        kind: "file",
        file_name: "staff-development-plan-2026-27.txt",
        links: &[],
        effective: -150,
        review: Some(215),
        owner: DIRECTOR,
        document_kind: "staff_development_plan",
    },
    DemoItem {
        title: "Service development plan and business case 2026 to 2028",
        kind: "file",
        file_name: "service-development-plan.txt",
        links: &[],
        effective: -200,
        review: Some(165),
        owner: MANAGER,
        document_kind: "service_development_plan",
    },
    DemoItem {
        title: "Early return-to-work process: fast-track physiotherapy and counselling",
        kind: "file",
        file_name: "early-return-to-work-process.txt",
        links: &[],
        effective: -260,
        review: Some(105),
        owner: CLINICIAN,
        document_kind: "early_return_to_work_process",
    },
    DemoItem {
        title: "Research and development plan 2026 to 2028",
        kind: "file",
        file_name: "research-development-plan.txt",
        links: &[],
        effective: -90,
        review: Some(275),
        owner: DIRECTOR,
        document_kind: "research_development_plan",
    },
    DemoItem {
        title: "Contingency plan for the loss of key staff",
        kind: "file",
        file_name: "contingency-plan-key-staff.txt",
        links: &[],
        effective: -480,
        review: Some(-115),
        owner: MANAGER,
        document_kind: "contingency_plan",
    },
    DemoItem {
        title: "Information-sharing agreement with Northshire Teaching Hospitals (immunisation status)",
        kind: "file",
        file_name: "information-sharing-agreement.txt",
        links: &[],
        effective: -330,
        review: Some(35),
        owner: MANAGER,
        document_kind: "information_sharing_agreement",
    },
];

/// A small but real PDF, so the demo's PDF evidence opens in a viewer.
fn pdf(title: &str) -> Vec<u8> {
    let text = title.replace(['(', ')', '\\'], " ");
    let stream = format!("BT /F1 14 Tf 72 720 Td ({text}) Tj ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

fn content(item: &DemoItem, today: NaiveDate) -> Vec<u8> {
    if item.file_name.ends_with(".pdf") {
        pdf(item.title)
    } else if item.file_name.ends_with(".csv") {
        format!(
            "item,date,result\n{},{},recorded\n",
            item.title.replace(',', ";"),
            (today + Duration::days(item.effective))
        )
        .into_bytes()
    } else {
        format!("{}\n\nNorthshire OH Service. Fictional demo document.\n", item.title).into_bytes()
    }
}

/// Seeds the demo provider's library unless it has evidence already.
/// `framework_of` says which framework the demo provider assesses against (assessment knows).
pub fn seed(conn: &mut DbConnection, today: NaiveDate, framework_of: store::FrameworkLookup) -> Result<(), StoreError> {
    let provider = crate::accounts::demo::demo_provider(conn)?;
    let Some(provider) = provider else { return Ok(()) };
    let framework = framework_of(conn, provider)?;
    let present: i64 =
        evidence_items::table.filter(evidence_items::provider_id.eq(provider)).count().get_result(conn)?;
    if present > 0 {
        return Ok(());
    }
    let manager: Option<UserId> =
        users::table.filter(users::email.eq(MANAGER)).select(users::id).first(conn).optional()?;
    for item in &ITEMS {
        let owner: Option<i32> =
            users::table.filter(users::email.eq(item.owner)).select(users::id).first(conn).optional()?;
        let input = EvidenceInput {
            kind: item.kind.into(),
            title: item.title.into(),
            description: match item.kind {
                "note" => format!(
                    "{} is kept in the trust's HR system; a monthly extract is reviewed by the clinical director.",
                    item.title
                ),
                _ => String::new(),
            },
            owner_user_id: owner.map(|o| o.to_string()).unwrap_or_default(),
            effective_on: (today + Duration::days(item.effective)).to_string(),
            review_due: item.review.map(|d| (today + Duration::days(d)).to_string()).unwrap_or_default(),
            contains_patient_data: false,
            link_url: if item.kind == "link" {
                format!(
                    "https://intranet.northshire-oh.example/policies/{}",
                    item.title.to_lowercase().replace(' ', "-")
                )
            } else {
                String::new()
            },
            standards: item.links.iter().map(|s| s.to_string()).collect(),
            document_kind: item.document_kind.into(),
        };
        let Ok(details) = input.parse() else { continue };
        let upload = (item.kind == "file")
            .then(|| check_upload(content(item, today), item.file_name, usize::MAX).ok())
            .flatten();
        let id = store::add(conn, manager, provider, framework, &details, upload.as_ref())?;
        // The supervision policy was rewritten: the old version stays, superseded.
        if item.file_name == "supervision-policy.txt" {
            let newer = EvidenceInput {
                effective_on: (today + Duration::days(-20)).to_string(),
                review_due: (today + Duration::days(345)).to_string(),
                ..input
            };
            if let Ok(newer) = newer.parse() {
                let text =
                    b"Clinical supervision policy for the tiered model, version 2.\n\nMonthly group supervision \
                             for case workers; escalation to the clinical tier within two working days.\n";
                let upload = check_upload(text.to_vec(), "supervision-policy-v2.txt", usize::MAX).ok();
                store::supersede(conn, manager, provider, id, &newer, upload.as_ref())?;
            }
        }
    }
    // A sample of case files behind the referral audit: it names employees, so it is flagged as
    // patient-identifiable, downloaded only by managers, and withheld from the evidence pack.
    let sample = EvidenceInput {
        kind: "file".into(),
        title: "Management referral case sample, Q2 (named employees)".into(),
        effective_on: (today + Duration::days(-120)).to_string(),
        review_due: (today + Duration::days(245)).to_string(),
        contains_patient_data: true,
        standards: vec!["OO2".into(), "QI1".into()],
        ..Default::default()
    };
    if let Ok(details) = sample.parse() {
        let upload = check_upload(
            pdf("Referral case sample: named employees and their referral letters"),
            "referral-case-sample-q2.pdf",
            usize::MAX,
        )
        .ok();
        store::add(conn, manager, provider, framework, &details, upload.as_ref())?;
    }
    // A note added twice by mistake, then withdrawn: kept on record, and not counted.
    let duplicate = EvidenceInput {
        kind: "note".into(),
        title: "Annual quality report 2025/26 (copy)".into(),
        description: "The annual quality report is with the board papers for July.".into(),
        effective_on: (today + Duration::days(-230)).to_string(),
        standards: vec!["QI4".into()],
        ..Default::default()
    };
    if let Ok(details) = duplicate.parse() {
        let id = store::add(conn, manager, provider, framework, &details, None)?;
        let when = (today - Duration::days(200)).and_hms_opt(10, 15, 0).unwrap_or_default();
        store::withdraw(conn, manager, provider, id, "Entered twice: the report is already in the library", when)?;
    }
    Ok(())
}

/// Writes each generated provider's documents of the kinds commissioners ask for (`kinds`: the
/// kind's reference and the document's title), as links to where the provider keeps them: most
/// kinds present, a few missing, and some past their review date. One multi-row insert, and one
/// history row per provider saying what was made. Call inside a transaction.
pub fn generate(
    conn: &mut DbConnection,
    providers: &[crate::accounts::demo::GeneratedProvider],
    kinds: &[(&str, &str)],
    today: NaiveDate,
) -> Result<(), StoreError> {
    use super::model::EvidenceKind;
    use crate::accounts::demo::vary;
    use crate::history::store::json;
    let now = chrono::Utc::now().naive_utc();
    let mut rows = Vec::new();
    for p in providers {
        let (mut held, mut past_review) = (0, 0);
        for (k, (kind, title)) in kinds.iter().enumerate() {
            let roll = vary(p.index, 1700 + k);
            if roll >= 85 {
                continue;
            }
            held += 1;
            let review_due = if roll < 12 {
                past_review += 1;
                today - Duration::days(20 + roll as i64 * 10)
            } else {
                today + Duration::days(60 + roll as i64 * 4)
            };
            rows.push((
                evidence_items::provider_id.eq(p.id),
                evidence_items::series_id.eq(0),
                evidence_items::version.eq(1),
                evidence_items::kind.eq(EvidenceKind::Link),
                evidence_items::title.eq(format!("{title} {}", crate::clock::FinancialYear::containing(today))),
                evidence_items::description.eq(format!("{title}, approved by the governance meeting.")),
                evidence_items::owner_user_id.eq(Some(p.manager)),
                evidence_items::link_url
                    .eq(Some(format!("https://intranet.generated-oh.example/{:05}/{kind}", p.index + 1))),
                evidence_items::effective_on.eq(Some(review_due - Duration::days(365))),
                evidence_items::review_due.eq(Some(review_due)),
                evidence_items::contains_patient_data.eq(false),
                evidence_items::uploaded_at.eq(now),
                evidence_items::uploaded_by.eq(Some(p.manager)),
                evidence_items::document_kind.eq(Some(*kind)),
            ));
        }
        crate::accounts::demo::record_generated(
            conn,
            p,
            "evidence",
            vec![("documents", json(held)), ("past_review", json(past_review))],
        )?;
    }
    crate::db::insert_batch(conn, evidence_items::table, &rows)?;
    // Each item is the first of its own series, as `store` writes a new item.
    let ids: Vec<crate::db::ProviderId> = providers.iter().map(|p| p.id).collect();
    diesel::update(
        evidence_items::table.filter(evidence_items::provider_id.eq_any(&ids)).filter(evidence_items::series_id.eq(0)),
    )
    .set(evidence_items::series_id.eq(evidence_items::id))
    .execute(conn)?;
    Ok(())
}
