//! The signed audit plan as a PDF, for the trust's clinical governance committee: the plan AS
//! SIGNED, read from the canonical JSON stored at sign-off (never the plan's rows now), with the
//! signer, when it was signed, the snapshot's SHA-256 whole (so a reader can check it against the
//! signed file) and whether the plan has changed since. The audit trail's head at the moment the
//! PDF was made is in the footer of every page.

use chrono::NaiveDateTime;
use chrono_tz::Europe::London;

use crate::audits::model::AuditType;
use crate::audits::sign_off::{self as signing, AuditSnapshot, PlanSnapshot, SignOffStatus};
use crate::audits::store::sign_off::{self as store, SignedVersion};
use crate::clock::FinancialYear;
use crate::db::{DbConnection, ProviderId, StoreError, StoreResult};
use crate::pdf::{Badge, Block, Column, Document, Paragraph, Span, Table, Tone};

/// The signed plan, laid out as a document, and the file name it downloads as.
#[derive(Debug, Clone)]
pub struct SignedPlan {
    pub document: Document,
    pub file_name: String,
}

/// Only a clinical director may sign a plan off (`Capability::SignOff`), so that is the signer's
/// role whatever their memberships are now.
const SIGNER_ROLE: &str = "Clinical director";

/// Why there is no signed plan to show, in words: the 404's text.
pub fn not_signed_words(year: FinancialYear) -> String {
    format!("The {} audit plan has not been signed off", year.url())
}

/// The plan of `provider_id` for `year` as signed in `version` (None: the newest signed version),
/// made at `made_at` (UTC). NotFound when the provider has no plan that year, the plan was never
/// signed, or it has no such version.
pub fn build(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    year: FinancialYear,
    version: Option<i32>,
    made_at: NaiveDateTime,
) -> StoreResult<SignedPlan> {
    let provider = crate::accounts::store::provider(conn, provider_id)?.ok_or(StoreError::NotFound)?;
    let plan = store::plan_id(conn, provider_id, year)?.ok_or(StoreError::NotFound)?;
    let now = store::state(conn, plan)?;
    let newest = now.latest.as_ref().map(|v| v.version).ok_or(StoreError::NotFound)?;
    let number = version.unwrap_or(newest);
    let (signed, text) = store::signed_version(conn, plan, number)?.ok_or(StoreError::NotFound)?;
    // The stored file is the record: it is laid out only if it still reads as a plan and still
    // hashes to what was signed.
    let snapshot: Option<PlanSnapshot> = serde_json::from_str(&text).ok();
    let matches_hash = signing::sha256_hex(text.as_bytes()) == signed.hash;
    let head = crate::history::store::head(conn)?;
    let standing = Standing { status: now.status, newest, changes: now.changes.clone() };
    let document = lay_out(&provider.name, year, &signed, snapshot.as_ref(), matches_hash, &standing, head, made_at);
    let signed_day = signed.signed_at.and_utc().with_timezone(&London).date_naive();
    let file_name = super::file_name(&provider.name, &format!("audit plan {} signed", year.url()), signed_day);
    Ok(SignedPlan { document, file_name })
}

/// Where the plan stands now against the version shown.
struct Standing {
    status: SignOffStatus,
    newest: i32,
    /// What changed since the newest sign-off, in words.
    changes: Vec<String>,
}

/// "1 December 2026 at 14:32 GMT": a stored UTC instant as the time in London.
fn london(at: NaiveDateTime) -> String {
    at.and_utc().with_timezone(&London).format("%-d %B %Y at %H:%M %Z").to_string()
}

fn type_label(code: &str) -> String {
    AuditType::parse(code).map_or_else(|| code.to_string(), |t| t.label().to_string())
}

/// The standing of the version shown, as a badge: signed off and unchanged, changed since, or
/// superseded by a later version.
fn standing_badge(signed: &SignedVersion, standing: &Standing) -> Badge {
    if signed.version < standing.newest {
        return Badge {
            text: format!("Superseded: version {} was signed off later", standing.newest),
            tone: Tone::Neutral,
        };
    }
    let tone = match standing.status {
        SignOffStatus::SignedOff => Tone::Good,
        SignOffStatus::ChangedSinceSignOff => Tone::Warning,
        // Submitted or returned again after this sign-off: the plan is being changed.
        SignOffStatus::Draft | SignOffStatus::Submitted | SignOffStatus::Returned => Tone::Warning,
    };
    let words = match standing.status {
        SignOffStatus::SignedOff => "Signed off: the plan has not changed since".to_string(),
        other => format!("{} (the plan has changed since this version was signed)", other.label()),
    };
    Badge { text: words, tone }
}

#[allow(clippy::too_many_arguments)]
fn lay_out(
    provider: &str,
    year: FinancialYear,
    signed: &SignedVersion,
    snapshot: Option<&PlanSnapshot>,
    matches_hash: bool,
    standing: &Standing,
    head: Option<(i32, String)>,
    made_at: NaiveDateTime,
) -> Document {
    let title = format!("Audit plan {year}, as signed off");
    // The footer is one line beside "Page n of N": the head's row and the start of its hash; the
    // hash whole is among the facts.
    let head_words = match &head {
        Some((row, hash)) => format!("Audit trail head: row {row}, {}…", hash.get(..16).unwrap_or(hash)),
        None => "Audit trail: empty".to_string(),
    };
    let mut blocks = vec![Block::Heading { level: 1, text: title.clone(), anchor: Some("signed".into()) }];
    let mut facts = vec![
        ("Provider".to_string(), Span::cell(provider)),
        ("Plan year".to_string(), Span::cell(year.to_string())),
        ("Version".to_string(), Span::cell(format!("{} of {}", signed.version, standing.newest))),
        (
            "Signed off by".to_string(),
            vec![Span::Bold(signed.signed_by_name.clone()), Span::Text(format!(", {SIGNER_ROLE}"))],
        ),
        ("Signed off on".to_string(), Span::cell(london(signed.signed_at))),
    ];
    if let Some(submitter) = &signed.submitted_by_name {
        facts.push(("Submitted by".to_string(), Span::cell(submitter.clone())));
    }
    facts.push(("Standing now".to_string(), vec![Span::Badge(standing_badge(signed, standing))]));
    facts.push(("Snapshot SHA-256".to_string(), vec![Span::Mono(signed.hash.clone())]));
    if let Some((row, hash)) = &head {
        facts.push((
            "Audit trail head".to_string(),
            vec![Span::Text(format!("row {row}, when this document was made: ")), Span::Mono(hash.clone())],
        ));
    }
    if !matches_hash {
        facts.push((
            "Check".to_string(),
            vec![Span::Badge(Badge { text: "The stored file no longer matches this hash".into(), tone: Tone::Bad })],
        ));
    }
    blocks.push(Block::Facts(facts));
    blocks.push(Paragraph::muted(format!(
        "The SHA-256 above is that of the plan's canonical JSON (RFC 8785) stored when it was signed: the file \
         “audit-plan-{}-v{}.json” on the plan's sign-off page hashes to it. This document shows that file, \
         not the plan as it is now. Progress (audits started or completed, results, findings and actions) is \
         not part of what is signed. Made on {}.",
        year.url(),
        signed.version,
        london(made_at)
    )));
    if signed.version == standing.newest && !standing.changes.is_empty() {
        blocks.push(Block::Heading { level: 2, text: "Changed since sign-off".into(), anchor: None });
        blocks.push(Paragraph::text(
            "The plan has changed since this version was signed; it must be signed off again. What changed:",
        ));
        blocks.extend(standing.changes.iter().map(|change| Paragraph::text(format!("• {change}"))));
    }
    match snapshot {
        None => blocks.push(Paragraph::text(
            "This version was signed in an earlier form that cannot be laid out here. The signed file and its \
             hash above are the record.",
        )),
        Some(plan) => audits(plan, &mut blocks),
    }
    Document {
        title: title.clone(),
        author: provider.to_string(),
        subject: format!("The {provider} audit plan {year} as signed off by the clinical director"),
        language: "en-GB".into(),
        created: made_at,
        header: provider.to_string(),
        footer: head_words,
        cover: None,
        contents: false,
        blocks,
        appendices: Vec::new(),
        closing: Vec::new(),
    }
}

/// The sector standard's warnings, the summary table and each audit's plan fields.
fn audits(plan: &PlanSnapshot, blocks: &mut Vec<Block>) {
    let warnings = signing::sector_standard_warnings(plan);
    if !warnings.is_empty() {
        blocks.push(Block::Heading { level: 2, text: "Against the NHS sector standard".into(), anchor: None });
        for warning in warnings {
            blocks.push(Block::Paragraph(Paragraph {
                spans: vec![
                    Span::Badge(Badge { text: "Warning".into(), tone: Tone::Warning }),
                    Span::Text(format!(" {warning}")),
                ],
                muted: false,
            }));
        }
    }
    blocks.push(Block::Heading { level: 1, text: "The audits".into(), anchor: Some("audits".into()) });
    if plan.audits.is_empty() {
        blocks.push(Paragraph::text("The plan held no audits when it was signed."));
        return;
    }
    let column = |title: &str, width: f32| Column { title: title.into(), width };
    blocks.push(Block::Table(Table {
        columns: vec![
            column("Audit", 4.0),
            column("Type", 3.0),
            column("Quarter", 1.6),
            column("Lead", 2.4),
            column("As signed", 2.0),
        ],
        rows: plan
            .audits
            .iter()
            .map(|a| {
                vec![
                    Span::cell(a.title.clone()),
                    Span::cell(type_label(&a.audit_type)),
                    Span::cell(format!("Q{}", a.planned_quarter)),
                    Span::cell(a.lead.as_ref().map_or_else(|| "Not named".to_string(), |l| l.name.clone())),
                    vec![Span::Badge(status_badge(a))],
                ]
            })
            .collect(),
    }));
    for audit in &plan.audits {
        one_audit(audit, blocks);
    }
}

fn status_badge(audit: &AuditSnapshot) -> Badge {
    match audit.status.as_str() {
        "planned" => Badge { text: "Planned".into(), tone: Tone::Good },
        "deferred" => Badge { text: "Deferred".into(), tone: Tone::Warning },
        "cancelled" => Badge { text: "Cancelled".into(), tone: Tone::Bad },
        other => Badge { text: other.to_string(), tone: Tone::Neutral },
    }
}

fn one_audit(audit: &AuditSnapshot, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading { level: 2, text: audit.title.clone(), anchor: None });
    let mut facts = vec![
        ("Type".to_string(), Span::cell(type_label(&audit.audit_type))),
        (
            "Standards".to_string(),
            Span::cell(if audit.standards.is_empty() { "None named".to_string() } else { audit.standards.join(", ") }),
        ),
    ];
    if let Some(service) = &audit.service {
        facts.push(("Service".to_string(), Span::cell(service.clone())));
    }
    facts.push((
        "Lead".to_string(),
        Span::cell(audit.lead.as_ref().map_or_else(|| "Not named".to_string(), |l| l.name.clone())),
    ));
    facts.push(("Planned quarter".to_string(), Span::cell(format!("Q{}", audit.planned_quarter))));
    facts.push(("Method".to_string(), Span::cell(audit.method.clone())));
    facts.push((
        "Sample size".to_string(),
        Span::cell(audit.sample_size.map_or_else(|| "Not set".to_string(), |n| n.to_string())),
    ));
    facts.push(("As signed".to_string(), vec![Span::Badge(status_badge(audit))]));
    if let Some(reason) = &audit.status_reason {
        facts.push((format!("Why {}", audit.status), Span::cell(reason.clone())));
    }
    if let Some(of) = &audit.reaudit_of {
        facts
            .push(("Re-audit of".to_string(), Span::cell(format!("{} ({})", of.title, signing::year_label(&of.year)))));
    }
    blocks.push(Block::Facts(facts));
    if audit.criteria.is_empty() {
        blocks.push(Paragraph::muted("No criteria were set when the plan was signed."));
    } else {
        blocks.push(Block::Table(Table {
            columns: vec![
                // Named after the audit: a table that runs onto the next page, or starts it, still says
                // whose criteria these are.
                Column { title: format!("Criteria of {}", audit.title), width: 5.0 },
                Column { title: "Target".into(), width: 1.0 },
            ],
            rows: audit
                .criteria
                .iter()
                .map(|c| {
                    vec![
                        Span::cell(format!("{}. {}", c.position, c.description)),
                        Span::cell(format!("{}%", c.target_percent)),
                    ]
                })
                .collect(),
        }));
    }
}
