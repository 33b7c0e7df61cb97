//! The SEQOHS evidence pack (issue 14, part 2): what a service sends its assessors. A cover, a
//! contents page, a summary by domain, every standard with its result, owner, narrative, open
//! findings and evidence index, the items withheld because they hold patient-identifiable data,
//! the manifest of every file with its full hash and the audit trail's head, the list of
//! appendices, and then every attached PDF merged once, bookmarked under each standard it
//! evidences.
//!
//! [`build`] gathers from the areas' stores in a fixed number of queries (whatever the size of the
//! library) and hands the rows to [`compose`], which is pure: it lays the content out as a
//! [`Document`] and counts what the pack's page and the history state.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use crate::assessment::model::AccreditationStatus;
use crate::assessment::model::AssessmentResult;
use crate::assessment::rules::{is_contradicted, Domain, LiveVerdict, Standard};
use crate::assessment::store::{AccreditationRecord, AssessmentLine, FindingLine};
use crate::catalogue::model::Level;
use crate::db::{self, DbConnection, ProviderId, StoreError, StoreResult, UserId};
use crate::evidence::model::EvidenceKind;
use crate::evidence::store::PackItem;
use crate::history::store::{record_action, Diff};
use crate::live::model::Verdict;
use crate::live::store::snapshots::{self, Kept};
use crate::pdf::merge::{self, AttachedPdf, Unreadable};
use crate::pdf::{Appendix, Badge, Block, Column, Cover, Document, Paragraph, Span, Table, Tone};

use super::Made;

/// What the pack was made from, for its cover and the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Framework {
    pub code: String,
    pub title: String,
}

/// What a pack holds, in numbers: what its page announces and the command prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PackCounts {
    /// Standards of the framework, each with its section.
    pub standards: usize,
    /// Evidence items in the index (withheld ones not counted).
    pub items: usize,
    /// Attached PDF documents merged as appendices.
    pub merged: usize,
    /// Files listed in the manifest but not merged because they are not PDFs.
    pub not_pdf: usize,
    /// Files claimed as PDFs that could not be read (damaged or encrypted): listed, not merged.
    pub unreadable: usize,
    /// Items left out because they hold patient-identifiable data.
    pub withheld: usize,
    /// Pages of the merged documents, together.
    pub appendix_pages: u32,
    /// Snapshots of the records the live checks saw, each drawn as a table.
    pub snapshots: usize,
    /// Standards marked met that a failing live check contradicts.
    pub contradicted: usize,
}

/// An evidence pack ready to draw.
#[derive(Debug, Clone)]
pub struct Pack {
    pub document: Document,
    /// `northshire-oh-service-seqohs-pack-2026-12-01.pdf`.
    pub file_name: String,
    pub provider_name: String,
    pub framework: Framework,
    pub counts: PackCounts,
    /// The audit trail's head when the pack was gathered: (row number, hash).
    pub trail_head: Option<(i32, String)>,
}

/// Everything the pack is drawn from, as the stores returned it. [`compose`] needs nothing else.
#[derive(Debug, Clone)]
pub struct Gathered {
    pub provider_name: String,
    pub framework: Framework,
    pub accreditation: AccreditationRecord,
    pub domains: Vec<Domain>,
    pub standards: Vec<Standard>,
    pub assessments: Vec<AssessmentLine>,
    /// Open findings, each with its standard's reference.
    pub findings: Vec<FindingLine>,
    /// The provider's live evidence; those linked to none of the framework's standards are left
    /// out of the pack.
    pub items: Vec<PackItem>,
    /// The attached PDFs as read, by SHA-256: merged, or why not.
    pub pdfs: HashMap<String, Result<AttachedPdf, Unreadable>>,
    /// The live checks' verdicts, by standard (node id).
    pub live: HashMap<i32, Vec<LiveVerdict>>,
    /// The newest snapshot of each check that is among `items`, with the table it holds.
    pub snapshots: Vec<Kept>,
    pub trail_head: Option<(i32, String)>,
    pub today: NaiveDate,
    pub now: NaiveDateTime,
}

/// Gathers the provider's pack against `framework_code` (by default the framework it assesses
/// against) as of `today`. A provider that is not there is `NotFound`; an unknown framework code
/// is refused in words at the field "framework". About a dozen queries, whatever the number of
/// standards and items.
pub fn build(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    framework_code: Option<&str>,
    today: NaiveDate,
    now: NaiveDateTime,
) -> StoreResult<Pack> {
    let provider = crate::accounts::store::provider(conn, provider_id)?.ok_or(StoreError::NotFound)?;
    let cycles = crate::assessment::store::cycles(conn, provider_id)?;
    let frameworks = crate::assessment::store::frameworks(conn)?;
    let (catalogue_id, framework) = match framework_code {
        Some(code) => {
            let Some((id, code, title)) = frameworks.iter().find(|(_, c, _)| c == code) else {
                let known: Vec<&str> = frameworks.iter().map(|(_, c, _)| c.as_str()).collect();
                let known = if known.is_empty() { "none is loaded".to_string() } else { known.join(", ") };
                return Err(StoreError::invalid(
                    "framework",
                    format!("There is no framework {code} in the catalogue (the frameworks: {known})"),
                ));
            };
            (*id, Framework { code: code.clone(), title: title.clone() })
        }
        None => match (cycles.first(), frameworks.first()) {
            (Some(cycle), _) => (
                cycle.catalogue_id,
                Framework { code: cycle.framework_code.clone(), title: cycle.framework_title.clone() },
            ),
            (None, Some((id, code, title))) => (*id, Framework { code: code.clone(), title: title.clone() }),
            (None, None) => {
                return Err(StoreError::invalid(
                    "framework",
                    "No SEQOHS framework is loaded: run `ohgov catalogue load`",
                ))
            }
        },
    };
    // The newest cycle against this framework holds its assessment; none yet is all not assessed.
    let cycle = cycles.iter().find(|c| c.catalogue_id == catalogue_id);
    let (domains, standards) = crate::assessment::store::framework_standards(conn, catalogue_id)?;
    let assessments = match cycle {
        Some(cycle) => crate::assessment::store::cycle_assessments(conn, cycle.id)?,
        None => Vec::new(),
    };
    let findings = crate::assessment::store::findings_list(conn, provider_id, None, true)?;
    let accreditation = crate::assessment::store::accreditation(conn, provider_id, today)?;
    let standard_ids: HashSet<i32> = standards.iter().map(|s| s.node_id).collect();
    let items: Vec<PackItem> = crate::evidence::store::pack_items(conn, provider_id)?
        .into_iter()
        .filter(|item| item.node_ids.iter().any(|n| standard_ids.contains(n)))
        .collect();
    // Only the files to merge are read, and never a withheld one.
    let wanted: BTreeSet<String> = items
        .iter()
        .filter(|item| !item.contains_patient_data && is_pdf(item))
        .filter_map(|item| item.blob_sha256.clone())
        .collect();
    let wanted: Vec<String> = wanted.into_iter().collect();
    let pdfs = crate::evidence::store::blob_contents(conn, &wanted)?
        .into_iter()
        .map(|(sha, content)| {
            let read = merge::read(&content);
            (sha, read)
        })
        .collect();
    let live = crate::live::store::verdicts::by_standard(conn, provider_id, today)?;
    let listed: HashSet<i32> = items.iter().map(|i| i.id).collect();
    let snapshots =
        snapshots::kept(conn, provider_id)?.into_iter().filter(|kept| listed.contains(&kept.item_id)).collect();
    let trail_head = crate::history::store::head(conn)?;
    Ok(compose(Gathered {
        provider_name: provider.name,
        framework,
        accreditation,
        domains,
        standards,
        assessments,
        findings,
        items,
        pdfs,
        live,
        snapshots,
        trail_head,
        today,
        now,
    }))
}

/// Takes a fresh snapshot of every live check the provider's standards name, so the pack made next
/// shows the records as of its day (a check whose records have not changed today keeps today's).
/// The person making the pack is recorded as taking them (None: the command line).
pub fn take_snapshots(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    by: Option<UserId>,
    today: NaiveDate,
) -> StoreResult<usize> {
    Ok(snapshots::take(conn, by, provider_id, None, today)?.len())
}

/// Records in the history that the pack was made, with its file name, framework and the SHA-256 of
/// its bytes, so a pack an assessor holds can be matched to the day it was made. Returns the
/// history row's number.
pub fn record_made(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    by: Option<UserId>,
    made: &Made,
    framework: &str,
) -> StoreResult<i32> {
    db::write_transaction(conn, |conn| {
        let mut diff = Diff::default();
        diff.field("file_name", None::<String>, &made.file_name)
            .field("framework", None::<String>, framework)
            .field("sha256", None::<String>, &made.sha256)
            .field("size_bytes", None::<usize>, made.bytes.len());
        Ok(record_action(conn, by, Some(provider_id.0), PACK_ENTITY, provider_id.0, "make", diff)?)
    })
}

/// The history's name for a made evidence pack (`providers::history_words` says it in words).
pub const PACK_ENTITY: &str = "evidence_pack";

/// Whether an item is a file that claims to be a PDF: by its type, or its name when no type was
/// kept.
fn is_pdf(item: &PackItem) -> bool {
    item.kind == EvidenceKind::File
        && item.blob_sha256.is_some()
        && (item.media_type.as_deref() == Some("application/pdf")
            || item.file_name.as_deref().is_some_and(|n| n.to_ascii_lowercase().ends_with(".pdf")))
}

/// How an item's file is in the pack.
enum Inclusion {
    /// Merged as the appendix with this anchor.
    Merged(String),
    NotPdf,
    Unreadable(String),
    /// A snapshot of the records, drawn as a table in the section with this anchor.
    Records(String),
    /// A link or a note: no file.
    NoFile,
}

/// A standard's anchor, for the contents, "appendix p. N" and the outline.
fn standard_anchor(node_id: i32) -> String {
    format!("std-{node_id}")
}

fn appendix_anchor(item_id: i32) -> String {
    format!("appendix-{item_id}")
}

fn records_anchor(item_id: i32) -> String {
    format!("records-{item_id}")
}

fn verdict_badge(verdict: Verdict) -> Span {
    let tone = match verdict {
        Verdict::Holds => Tone::Good,
        Verdict::Fails => Tone::Bad,
        Verdict::NotEnoughData => Tone::Neutral,
    };
    Span::Badge(Badge { text: verdict.label().to_string(), tone })
}

fn contradicted_badge() -> Span {
    Span::Badge(Badge { text: "Contradicted by records".into(), tone: Tone::Bad })
}

/// A date the UK way: "1 Dec 2026".
fn day(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

fn optional_day(date: Option<NaiveDate>) -> String {
    date.map(day).unwrap_or_else(|| "–".into())
}

/// A file's size in words: "820 bytes", "12.4 KB", "3.1 MB".
fn size_words(bytes: i64) -> String {
    match bytes {
        b if b < 1_000 => format!("{b} bytes"),
        b if b < 1_000_000 => format!("{:.1} KB", b as f64 / 1_000.0),
        b => format!("{:.1} MB", b as f64 / 1_000_000.0),
    }
}

fn result_tone(result: AssessmentResult) -> Tone {
    match result {
        AssessmentResult::Met => Tone::Good,
        AssessmentResult::PartlyMet => Tone::Warning,
        AssessmentResult::NotMet => Tone::Bad,
        AssessmentResult::NotApplicable | AssessmentResult::NotAssessed => Tone::Neutral,
    }
}

fn result_badge(result: AssessmentResult) -> Span {
    Span::Badge(Badge { text: result.label().to_string(), tone: result_tone(result) })
}

fn accreditation_tone(status: AccreditationStatus) -> Tone {
    match status {
        AccreditationStatus::Accredited => Tone::Good,
        AccreditationStatus::NotRegistered => Tone::Neutral,
        _ => Tone::Warning,
    }
}

/// Lays the pack out. Pure: the same rows give the same document.
pub fn compose(gathered: Gathered) -> Pack {
    let Gathered {
        provider_name,
        framework,
        accreditation,
        domains,
        mut standards,
        assessments,
        findings,
        items,
        mut pdfs,
        live,
        snapshots,
        trail_head,
        today,
        now,
    } = gathered;
    let no_checks: Vec<LiveVerdict> = Vec::new();
    let live_of = |node: i32| live.get(&node).unwrap_or(&no_checks);
    let snapshot_items: HashSet<i32> = snapshots.iter().map(|k| k.item_id).collect();
    // The catalogue orders standards within their domain: here, domain by domain (a stable sort).
    let domain_order: HashMap<&str, usize> =
        domains.iter().enumerate().map(|(i, d)| (d.reference.as_str(), i)).collect();
    standards.sort_by_key(|s| domain_order.get(s.domain_reference.as_str()).copied().unwrap_or(usize::MAX));
    let assessed: HashMap<i32, &AssessmentLine> = assessments.iter().map(|a| (a.node_id, a)).collect();
    let result_of = |node: i32| assessed.get(&node).map_or(AssessmentResult::NotAssessed, |a| a.result);
    let contradicted = |node: i32| is_contradicted(result_of(node), live_of(node), today);
    let standard_ids: HashSet<i32> = standards.iter().map(|s| s.node_id).collect();
    let reference_of: HashMap<i32, &str> = standards.iter().map(|s| (s.node_id, s.reference.as_str())).collect();
    let mut findings_by_reference: HashMap<&str, Vec<&FindingLine>> = HashMap::new();
    for finding in &findings {
        findings_by_reference.entry(finding.reference.as_str()).or_default().push(finding);
    }
    let (withheld, sent): (Vec<&PackItem>, Vec<&PackItem>) = items.iter().partition(|i| i.contains_patient_data);
    let mut by_standard: HashMap<i32, Vec<&PackItem>> = HashMap::new();
    for item in &sent {
        for node in item.node_ids.iter().filter(|n| standard_ids.contains(n)) {
            by_standard.entry(*node).or_default().push(item);
        }
    }

    // The appendices, in the order their first standard comes; each merged once.
    let mut counts = PackCounts {
        standards: standards.len(),
        items: sent.len(),
        withheld: withheld.len(),
        snapshots: snapshots.len(),
        contradicted: standards.iter().filter(|s| contradicted(s.node_id)).count(),
        ..PackCounts::default()
    };
    let mut holders: HashMap<&str, usize> = HashMap::new();
    for sha in sent.iter().filter_map(|i| i.blob_sha256.as_deref()) {
        *holders.entry(sha).or_default() += 1;
    }
    let mut inclusion: HashMap<i32, Inclusion> = HashMap::new();
    let mut appendices: Vec<Appendix> = Vec::new();
    for standard in &standards {
        for item in by_standard.get(&standard.node_id).into_iter().flatten() {
            if inclusion.contains_key(&item.id) {
                continue;
            }
            let how = match (&item.blob_sha256, is_pdf(item)) {
                (None, _) => Inclusion::NoFile,
                (Some(_), _) if snapshot_items.contains(&item.id) => Inclusion::Records(records_anchor(item.id)),
                (Some(_), false) => Inclusion::NotPdf,
                (Some(sha), true) => {
                    // The same file held by two items is merged for each, so each keeps its own
                    // bookmarks; otherwise the read document is moved, not copied.
                    let taken = if holders.get(sha.as_str()).copied().unwrap_or(0) > 1 {
                        pdfs.get(sha).cloned()
                    } else {
                        pdfs.remove(sha)
                    };
                    match taken {
                        None => Inclusion::Unreadable("its file is missing".into()),
                        Some(Err(why)) => Inclusion::Unreadable(why.to_string()),
                        Some(Ok(pdf)) => {
                            let anchor = appendix_anchor(item.id);
                            counts.appendix_pages += pdf.pages;
                            appendices.push(Appendix {
                                title: item.title.clone(),
                                under: item
                                    .node_ids
                                    .iter()
                                    .filter(|n| standard_ids.contains(n))
                                    .map(|n| standard_anchor(*n))
                                    .collect(),
                                anchor: anchor.clone(),
                                pdf,
                            });
                            Inclusion::Merged(anchor)
                        }
                    }
                }
            };
            match how {
                Inclusion::Merged(_) => counts.merged += 1,
                Inclusion::NotPdf => counts.not_pdf += 1,
                Inclusion::Unreadable(_) => counts.unreadable += 1,
                Inclusion::Records(_) | Inclusion::NoFile => {}
            }
            inclusion.insert(item.id, how);
        }
    }

    let date = day(today);
    let head_words = match &trail_head {
        Some((row, hash)) => format!("Trail head {row}:{}…", hash.chars().take(16).collect::<String>()),
        None => "Trail head: the audit trail is empty".to_string(),
    };
    let mut blocks = Vec::new();

    // Summary by domain.
    blocks.push(Block::Heading { level: 1, text: "Summary by domain".into(), anchor: Some("summary".into()) });
    let results = [
        AssessmentResult::Met,
        AssessmentResult::PartlyMet,
        AssessmentResult::NotMet,
        AssessmentResult::NotApplicable,
        AssessmentResult::NotAssessed,
    ];
    let tally = |members: &[&Standard]| -> Vec<usize> {
        results.iter().map(|r| members.iter().filter(|s| result_of(s.node_id) == *r).count()).collect()
    };
    let all: Vec<&Standard> = standards.iter().collect();
    let overall = tally(&all);
    blocks.push(Paragraph::text(format!(
        "Of the {} standards of {} ({}), {} are met, {} partly met, {} not met, {} not applicable and {} not \
         assessed.",
        standards.len(),
        framework.title,
        framework.code,
        overall[0],
        overall[1],
        overall[2],
        overall[3],
        overall[4]
    )));
    let mut summary = Table {
        columns: Column::list(&[
            ("Domain", 3.4),
            ("Met", 0.9),
            ("Partly met", 1.1),
            ("Not met", 1.0),
            ("Not applicable", 1.5),
            ("Not assessed", 1.4),
            ("Standards", 1.5),
        ]),
        rows: Vec::new(),
    };
    for domain in &domains {
        let members: Vec<&Standard> = standards.iter().filter(|s| s.domain_reference == domain.reference).collect();
        let mut row = vec![Span::cell(format!("{} {}", domain.reference, domain.title))];
        row.extend(tally(&members).into_iter().map(|n| Span::cell(n.to_string())));
        row.push(Span::cell(members.len().to_string()));
        summary.rows.push(row);
    }
    let mut total = vec![vec![Span::Bold("All domains".into())]];
    total.extend(overall.iter().map(|n| vec![Span::Bold(n.to_string())]));
    total.push(vec![Span::Bold(standards.len().to_string())]);
    summary.rows.push(total);
    blocks.push(Block::Table(summary));
    blocks.push(Block::Heading {
        level: 2,
        text: "“Must” standards not met".into(),
        anchor: Some("must-not-met".into()),
    });
    let must_not_met: Vec<&Standard> = standards
        .iter()
        .filter(|s| s.level == Level::Must)
        .filter(|s| !matches!(result_of(s.node_id), AssessmentResult::Met | AssessmentResult::NotApplicable))
        .collect();
    if must_not_met.is_empty() {
        blocks.push(Paragraph::muted("Every “must” standard is met or not applicable."));
    } else {
        blocks.push(Paragraph::text(format!(
            "{} “must” standards are not yet met (not met, partly met or not assessed):",
            must_not_met.len()
        )));
        blocks.push(Block::Table(Table {
            columns: Column::list(&[("Standard", 1.2), ("Title", 6.0), ("Result", 1.8), ("Page", 0.8)]),
            rows: must_not_met
                .iter()
                .map(|s| {
                    vec![
                        Span::cell(&s.reference),
                        Span::cell(&s.title),
                        vec![result_badge(result_of(s.node_id))],
                        vec![Span::PageOf(standard_anchor(s.node_id))],
                    ]
                })
                .collect(),
        }));
    }

    blocks.push(Block::Heading {
        level: 2,
        text: "Contradicted by records".into(),
        anchor: Some("contradicted".into()),
    });
    let contradicted_standards: Vec<&Standard> = standards.iter().filter(|s| contradicted(s.node_id)).collect();
    if contradicted_standards.is_empty() {
        blocks.push(Paragraph::muted(
            "No standard marked met is contradicted by the service's own records: no live check on one fails \
             without an exception in force.",
        ));
    } else {
        blocks.push(Paragraph::text(format!(
            "{} marked met, but a live check on the service's own records fails with no exception in force:",
            crate::words::counted(contradicted_standards.len(), "standard is", "standards are")
        )));
        blocks.push(Block::Table(Table {
            columns: Column::list(&[("Standard", 1.2), ("Title", 3.6), ("What the records show", 4.2), ("Page", 0.8)]),
            rows: contradicted_standards
                .iter()
                .map(|s| {
                    let failing: Vec<Span> = live_of(s.node_id)
                        .iter()
                        .filter(|v| v.fails_unexcused(today))
                        .enumerate()
                        .flat_map(|(i, v)| {
                            let mut spans = if i > 0 { vec![Span::Break] } else { Vec::new() };
                            spans.push(Span::Text(v.summary.clone()));
                            spans
                        })
                        .collect();
                    vec![
                        Span::cell(&s.reference),
                        Span::cell(&s.title),
                        failing,
                        vec![Span::PageOf(standard_anchor(s.node_id))],
                    ]
                })
                .collect(),
        }));
    }

    // Every standard, by domain.
    for domain in &domains {
        blocks.push(Block::Heading {
            level: 1,
            text: format!("{} {}", domain.reference, domain.title),
            anchor: Some(format!("domain-{}", domain.reference)),
        });
        let members: Vec<&Standard> = standards.iter().filter(|s| s.domain_reference == domain.reference).collect();
        if members.is_empty() {
            blocks.push(Paragraph::muted("This domain has no standards."));
        }
        for standard in members {
            standard_section(
                &mut blocks,
                standard,
                assessed.get(&standard.node_id).copied(),
                findings_by_reference.get(standard.reference.as_str()).map(Vec::as_slice).unwrap_or_default(),
                by_standard.get(&standard.node_id).map(Vec::as_slice).unwrap_or_default(),
                live_of(standard.node_id),
                &inclusion,
                today,
            );
        }
    }

    // Withheld evidence.
    blocks.push(Block::Heading { level: 1, text: "Withheld evidence".into(), anchor: Some("withheld".into()) });
    if withheld.is_empty() {
        blocks.push(Paragraph::muted("No evidence was withheld: no item linked to these standards is flagged as containing patient-identifiable data."));
    } else {
        blocks.push(Paragraph::text(
            "These items are flagged as containing patient-identifiable data, so they are not in this pack: not in \
             the evidence index, not merged and not in the manifest. The service can show them to its assessors \
             on the visit.",
        ));
        blocks.push(Block::Table(Table {
            columns: Column::list(&[("Title", 3.4), ("Standards", 1.6), ("Why", 4.6)]),
            rows: withheld
                .iter()
                .map(|item| {
                    let references: Vec<&str> =
                        item.node_ids.iter().filter_map(|n| reference_of.get(n).copied()).collect();
                    vec![
                        Span::cell(&item.title),
                        Span::cell(references.join(", ")),
                        Span::cell("withheld: contains patient-identifiable data"),
                    ]
                })
                .collect(),
        }));
    }

    // The records the live checks saw, each snapshot's table.
    records_section(&mut blocks, &snapshots, &reference_of, &items, today);

    // The manifest: every file sent, and the trail's head. It closes the file, after the merged
    // documents, so it is written here and moved to the document's closing blocks below.
    let manifest_start = blocks.len();
    blocks.push(Block::Heading { level: 1, text: "Manifest".into(), anchor: Some("manifest".into()) });
    blocks.push(Paragraph::text(
        "Every file of the evidence above, with its size and full SHA-256, so that what was sent can be checked \
         against what the service holds. Withheld items are not listed.",
    ));
    let files: Vec<&&PackItem> = {
        let mut files: Vec<&&PackItem> = sent.iter().filter(|i| i.blob_sha256.is_some()).collect();
        files.sort_by(|a, b| a.title.cmp(&b.title).then(a.id.cmp(&b.id)));
        files
    };
    if files.is_empty() {
        blocks.push(Paragraph::muted("No files are attached to these standards."));
    } else {
        blocks.push(Block::Table(Table {
            columns: Column::list(&[("File", 3.0), ("Size", 1.5), ("SHA-256", 5.0), ("In this pack", 2.6)]),
            rows: files
                .iter()
                .map(|item| {
                    let name = item.file_name.clone().unwrap_or_else(|| item.title.clone());
                    let sha = item.blob_sha256.clone().unwrap_or_default();
                    let how = match inclusion.get(&item.id) {
                        Some(Inclusion::Merged(anchor)) => {
                            vec![Span::Text("merged: appendix p. ".into()), Span::PageOf(anchor.clone())]
                        }
                        Some(Inclusion::Unreadable(why)) => Span::cell(format!("unreadable: {why}")),
                        Some(Inclusion::Records(anchor)) => {
                            vec![Span::Text("drawn as a table: p. ".into()), Span::PageOf(anchor.clone())]
                        }
                        _ => Span::cell("not a PDF: listed here only"),
                    };
                    vec![
                        vec![Span::Text(item.title.clone()), Span::Break, Span::Mono(name)],
                        Span::cell(item.size_bytes.map(size_words).unwrap_or_else(|| "–".into())),
                        vec![Span::Mono(sha)],
                        how,
                    ]
                })
                .collect(),
        }));
    }
    blocks.push(Block::Heading { level: 2, text: "The audit trail".into(), anchor: Some("trail".into()) });
    match &trail_head {
        Some((row, hash)) => {
            blocks.push(Block::Facts(vec![
                ("Head row".into(), Span::cell(row.to_string())),
                ("Head hash".into(), vec![Span::Mono(hash.clone())]),
                ("Taken".into(), Span::cell(format!("{} UTC", now.format("%-d %b %Y, %H:%M:%S")))),
            ]));
            blocks.push(Paragraph::text(format!(
                "The trail held {row} rows when this pack was made. Whoever holds the service's history key can \
                 check that none of them has changed since: ohgov verify-log --expect-head {row}:{hash}"
            )));
        }
        None => blocks.push(Paragraph::muted("The audit trail was empty when this pack was made.")),
    }

    let closing: Vec<Block> = blocks.drain(manifest_start..).collect();

    // The list of appendices, just before them.
    blocks.push(Block::Heading { level: 1, text: "Appendices".into(), anchor: Some("appendices".into()) });
    if appendices.is_empty() {
        blocks.push(Paragraph::muted("No PDF documents are attached to these standards, so none is merged."));
    } else {
        blocks.push(Paragraph::text(format!(
            "The {} attached PDF documents follow, each merged once, in the order of the first standard they \
             evidence ({} pages in all).",
            appendices.len(),
            counts.appendix_pages
        )));
        blocks.push(Block::Table(Table {
            columns: Column::list(&[("Document", 5.0), ("Standards", 2.4), ("Pages", 1.0), ("Starts on page", 1.6)]),
            rows: appendices
                .iter()
                .map(|a| {
                    let references: Vec<String> = a
                        .under
                        .iter()
                        .filter_map(|anchor| {
                            let id: i32 = anchor.strip_prefix("std-")?.parse().ok()?;
                            reference_of.get(&id).map(|r| r.to_string())
                        })
                        .collect();
                    vec![
                        Span::cell(&a.title),
                        Span::cell(references.join(", ")),
                        Span::cell(a.pdf.pages.to_string()),
                        vec![Span::PageOf(a.anchor.clone())],
                    ]
                })
                .collect(),
        }));
    }

    let mut facts = vec![
        ("Provider".to_string(), Span::cell(&provider_name)),
        ("Framework".to_string(), Span::cell(format!("{} ({})", framework.title, framework.code))),
        ("Date".to_string(), Span::cell(&date)),
    ];
    let mut status = vec![Span::Badge(Badge {
        text: accreditation.status_label.clone(),
        tone: accreditation_tone(accreditation.status),
    })];
    if let Some(since) = accreditation.status_on {
        status.push(Span::Text(format!(" since {}", day(since))));
    }
    facts.push(("Accreditation status".to_string(), status));
    if let Some(expires) = accreditation.expires_on {
        facts.push(("Accreditation expires".to_string(), Span::cell(day(expires))));
    }
    facts.push((
        "Contents".to_string(),
        Span::cell(format!(
            "{} standards, {} evidence items, {} merged documents, {} snapshots of the records, {} withheld",
            counts.standards, counts.items, counts.merged, counts.snapshots, counts.withheld
        )),
    ));
    if counts.contradicted > 0 {
        facts.push((
            "Contradicted by records".to_string(),
            Span::cell(crate::words::counted(counts.contradicted, "standard marked met", "standards marked met")),
        ));
    }
    let document = Document {
        title: format!("SEQOHS evidence pack: {provider_name}"),
        author: provider_name.clone(),
        subject: format!("Evidence against the {} standards, for the service's SEQOHS assessors", framework.title),
        language: "en-GB".into(),
        created: now,
        header: provider_name.clone(),
        footer: format!("SEQOHS evidence pack, {date} · {head_words}"),
        cover: Some(Cover { title: "SEQOHS evidence pack".into(), subtitle: provider_name.clone(), facts }),
        contents: true,
        blocks,
        appendices,
        closing,
    };
    Pack {
        document,
        file_name: super::file_name(&provider_name, "seqohs pack", today),
        provider_name,
        framework,
        counts,
        trail_head,
    }
}

/// One standard's section: heading, result (and whether the records contradict it), owner, live
/// checks, narrative, open findings and evidence index.
#[allow(clippy::too_many_arguments)]
fn standard_section(
    blocks: &mut Vec<Block>,
    standard: &Standard,
    assessment: Option<&AssessmentLine>,
    findings: &[&FindingLine],
    items: &[&PackItem],
    live: &[LiveVerdict],
    inclusion: &HashMap<i32, Inclusion>,
    today: NaiveDate,
) {
    blocks.push(Block::Heading {
        level: 2,
        text: format!("{} {}", standard.reference, standard.title),
        anchor: Some(standard_anchor(standard.node_id)),
    });
    let result = assessment.map_or(AssessmentResult::NotAssessed, |a| a.result);
    let contradicted = is_contradicted(result, live, today);
    let mut shown_result = vec![result_badge(result)];
    if contradicted {
        shown_result.extend([Span::Text(" ".into()), contradicted_badge()]);
    }
    let mut facts = vec![
        ("Result".to_string(), shown_result),
        ("Level".to_string(), Span::cell(standard.level.label())),
        (
            "Owner".to_string(),
            Span::cell(assessment.and_then(|a| a.owner.clone()).unwrap_or_else(|| "No owner named".into())),
        ),
    ];
    if let Some(reason) = assessment.and_then(|a| a.not_applicable_reason.as_deref()).filter(|r| !r.is_empty()) {
        facts.push(("Why not applicable".to_string(), Span::cell(reason)));
    }
    blocks.push(Block::Facts(facts));
    if contradicted {
        let mut spans = vec![Span::Bold("Contradicted by records: ".into())];
        spans.push(Span::Text(
            "marked met, but the service's own records say otherwise, and no exception is in force.".into(),
        ));
        for verdict in live.iter().filter(|v| v.fails_unexcused(today)) {
            spans.push(Span::Break);
            spans.push(Span::Text(format!("{}: {}", verdict.question, verdict.summary)));
            for fact in &verdict.facts {
                spans.push(Span::Break);
                spans.push(Span::Text(format!("\u{2022} {}", fact.text)));
            }
        }
        blocks.push(Block::Paragraph(Paragraph { spans, muted: false }));
    }
    if !live.is_empty() {
        blocks.push(Block::Table(Table {
            columns: Column::list(&[("Live check", 4.2), ("Verdict", 1.6), ("What the records show", 4.2)]),
            rows: live
                .iter()
                .map(|v| {
                    let mut verdict = vec![verdict_badge(v.verdict)];
                    if v.verdict == Verdict::Fails && !v.fails_unexcused(today) {
                        verdict.extend([Span::Break, Span::Text("exception in force".into())]);
                    }
                    let summary = if v.summary.is_empty() { "–".to_string() } else { v.summary.clone() };
                    vec![Span::cell(v.question), verdict, Span::cell(summary)]
                })
                .collect(),
        }));
    }
    // No label stands alone above a part, where it could be left at a page's foot: the narrative
    // starts with its label, a table names its part in its (repeated) header row, and an empty
    // part is a sentence of its own.
    let mut narrative = assessment.map(|a| Paragraph::free_text(&a.narrative)).unwrap_or_default();
    if let Some(Block::Paragraph(first)) = narrative.first_mut() {
        first.spans.insert(0, Span::Bold("Narrative: ".into()));
        blocks.extend(narrative);
    } else {
        blocks.push(Paragraph::muted("No narrative written."));
    }
    if findings.is_empty() {
        blocks.push(Paragraph::muted("No open findings."));
    } else {
        blocks.push(Block::Table(Table {
            columns: Column::list(&[("Open finding", 3.5), ("Grade", 2.0), ("Raised", 1.4), ("Action needed", 3.5)]),
            rows: findings
                .iter()
                .map(|f| {
                    vec![
                        Span::cell(&f.description),
                        Span::cell(f.grade.label()),
                        Span::cell(day(f.raised_on)),
                        Span::cell(&f.action_needed),
                    ]
                })
                .collect(),
        }));
    }
    if items.is_empty() {
        blocks.push(Paragraph::muted("No evidence attached to this standard."));
        return;
    }
    let rows = items
        .iter()
        .map(|item| {
            let mut review = Span::cell(optional_day(item.review_due));
            if item.review_due.is_some_and(|due| due < today) {
                review.push(Span::Break);
                review.push(Span::Badge(Badge { text: "Review overdue".into(), tone: Tone::Bad }));
            }
            let hash = match &item.blob_sha256 {
                Some(sha) => vec![Span::Mono(sha.chars().take(12).collect())],
                None => Span::cell("–"),
            };
            let place = match (item.kind, inclusion.get(&item.id)) {
                (_, Some(Inclusion::Merged(anchor))) => {
                    vec![Span::Text("appendix p. ".into()), Span::PageOf(anchor.clone())]
                }
                (_, Some(Inclusion::NotPdf)) => Span::cell("not a PDF: listed in the manifest"),
                (_, Some(Inclusion::Unreadable(_))) => Span::cell("unreadable: listed in the manifest"),
                (_, Some(Inclusion::Records(anchor))) => {
                    vec![Span::Text("records p. ".into()), Span::PageOf(anchor.clone())]
                }
                (EvidenceKind::Link, _) => {
                    let mut spans = vec![Span::Text("Link: ".into())];
                    spans.push(Span::Mono(item.link_url.clone().unwrap_or_default()));
                    spans
                }
                (EvidenceKind::Note, _) => Span::cell("Note: held by the service"),
                (EvidenceKind::File, _) => Span::cell("File"),
            };
            vec![Span::cell(&item.title), Span::cell(optional_day(item.effective_on)), review, hash, place]
        })
        .collect();
    blocks.push(Block::Table(Table {
        columns: Column::list(&[
            ("Evidence", 4.0),
            ("Effective", 1.6),
            ("Review", 1.8),
            ("SHA-256", 2.0),
            ("Where", 2.6),
        ]),
        rows,
    }));
}

/// The snapshots of the records: for each, its check, verdict, summary, standards and file hash, and
/// the table the check read, as it is in the file listed in the manifest.
fn records_section(
    blocks: &mut Vec<Block>,
    snapshots: &[Kept],
    reference_of: &HashMap<i32, &str>,
    items: &[PackItem],
    today: NaiveDate,
) {
    if snapshots.is_empty() {
        return;
    }
    let heading = if snapshots.iter().all(|k| k.taken_on == today) {
        format!("Records as of {}", snapshots::day_words(today))
    } else {
        "Records as the live checks saw them".to_string()
    };
    blocks.push(Block::Heading { level: 1, text: heading, anchor: Some("records".into()) });
    blocks.push(Paragraph::text(
        "What each live check read in the service's own records, kept as a dated evidence item (its file is in the \
         manifest with its hash): the tables below are those files' contents.",
    ));
    let nodes: HashMap<i32, &Vec<i32>> = items.iter().map(|i| (i.id, &i.node_ids)).collect();
    for kept in snapshots {
        blocks.push(Block::Heading { level: 2, text: kept.title.clone(), anchor: Some(records_anchor(kept.item_id)) });
        let mut references: Vec<&str> = nodes
            .get(&kept.item_id)
            .into_iter()
            .flat_map(|n| n.iter())
            .filter_map(|n| reference_of.get(n).copied())
            .collect();
        references.sort_unstable();
        let summary = if kept.summary.is_empty() { "–".to_string() } else { kept.summary.clone() };
        blocks.push(Block::Facts(vec![
            ("Check".into(), Span::cell(kept.check.label())),
            ("Verdict".into(), vec![verdict_badge(kept.verdict)]),
            ("Summary".into(), Span::cell(summary)),
            ("Standards".into(), Span::cell(references.join(", "))),
            ("SHA-256".into(), vec![Span::Mono(kept.sha256.clone())]),
        ]));
        if kept.seen.rows.is_empty() {
            blocks.push(Paragraph::muted(format!("{}: the check read no records.", kept.seen.title)));
            continue;
        }
        blocks.push(Block::Paragraph(Paragraph { spans: vec![Span::Bold(kept.seen.title.clone())], muted: false }));
        let width = kept.seen.columns.len().max(kept.seen.rows.iter().map(Vec::len).max().unwrap_or(0)).max(1);
        let columns: Vec<Column> = (0..width)
            .map(|i| Column { title: kept.seen.columns.get(i).cloned().unwrap_or_default(), width: 1.0 })
            .collect();
        blocks.push(Block::Table(Table {
            columns,
            rows: kept
                .seen
                .rows
                .iter()
                .map(|row| (0..width).map(|i| Span::cell(row.get(i).cloned().unwrap_or_default())).collect())
                .collect(),
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn standard(node_id: i32, reference: &str, level: Level, domain: &str) -> Standard {
        Standard {
            node_id,
            reference: reference.into(),
            title: format!("Standard {reference}"),
            level,
            domain_reference: domain.into(),
        }
    }

    fn item(id: i32, title: &str, nodes: &[i32]) -> PackItem {
        PackItem {
            id,
            kind: EvidenceKind::Note,
            title: title.into(),
            file_name: None,
            media_type: None,
            link_url: None,
            effective_on: Some(date(2026, 1, 1)),
            review_due: None,
            contains_patient_data: false,
            blob_sha256: None,
            size_bytes: None,
            node_ids: nodes.to_vec(),
        }
    }

    fn file(id: i32, title: &str, nodes: &[i32], sha: &str, name: &str) -> PackItem {
        PackItem {
            kind: EvidenceKind::File,
            file_name: Some(name.into()),
            media_type: Some(if name.ends_with(".pdf") { "application/pdf" } else { "text/plain" }.into()),
            blob_sha256: Some(sha.into()),
            size_bytes: Some(2048),
            ..item(id, title, nodes)
        }
    }

    fn gathered(items: Vec<PackItem>, pdfs: HashMap<String, Result<AttachedPdf, Unreadable>>) -> Gathered {
        Gathered {
            provider_name: "Northshire OH Service".into(),
            framework: Framework { code: "seqohs-2023".into(), title: "SEQOHS standards 2023".into() },
            accreditation: AccreditationRecord {
                status: AccreditationStatus::NotRegistered,
                status_label: "Not registered".into(),
                ..Default::default()
            },
            domains: vec![
                Domain { reference: "GF".into(), title: "Governance".into(), applies: true },
                Domain { reference: "RP".into(), title: "Resources".into(), applies: true },
            ],
            standards: vec![
                standard(1, "GF1", Level::Must, "GF"),
                standard(2, "GF2", Level::Should, "GF"),
                standard(3, "RP1", Level::Must, "RP"),
            ],
            assessments: vec![AssessmentLine {
                node_id: 1,
                result: AssessmentResult::Met,
                not_applicable_reason: None,
                owner: Some("Priya Raman".into()),
                narrative: "First paragraph.\n\nSecond paragraph.".into(),
            }],
            findings: Vec::new(),
            items,
            pdfs,
            live: HashMap::new(),
            snapshots: Vec::new(),
            trail_head: Some((41, "ab".repeat(32))),
            today: date(2026, 12, 1),
            now: date(2026, 12, 1).and_hms_opt(9, 30, 0).unwrap(),
        }
    }

    fn words(spans: &[Span]) -> String {
        spans
            .iter()
            .map(|s| match s {
                Span::Text(t) | Span::Bold(t) | Span::Mono(t) => t.clone(),
                Span::Badge(b) => format!("[{}]", b.text),
                Span::PageOf(a) => format!("<{a}>"),
                Span::Break => " / ".into(),
            })
            .collect()
    }

    /// Every word of the body, one line a block or table row, for asserting on.
    fn body(pack: &Pack) -> Vec<String> {
        let mut lines = Vec::new();
        for block in pack.document.all_blocks() {
            match block {
                Block::Heading { level, text, .. } => lines.push(format!("H{level} {text}")),
                Block::Paragraph(p) => lines.push(words(&p.spans)),
                Block::Facts(facts) => lines.extend(facts.iter().map(|(l, v)| format!("{l}: {}", words(v)))),
                Block::Table(t) => {
                    lines.extend(t.rows.iter().map(|r| r.iter().map(|c| words(c)).collect::<Vec<_>>().join(" | ")))
                }
                _ => {}
            }
        }
        lines
    }

    #[test]
    fn the_parts_come_in_order_and_each_standard_says_what_it_has() {
        let pack = compose(gathered(vec![item(7, "Induction checklist", &[3])], HashMap::new()));
        let lines = body(&pack);
        let h1: Vec<&String> = lines.iter().filter(|l| l.starts_with("H1 ")).collect();
        assert_eq!(
            h1,
            [
                "H1 Summary by domain",
                "H1 GF Governance",
                "H1 RP Resources",
                "H1 Withheld evidence",
                "H1 Appendices",
                "H1 Manifest"
            ]
        );
        assert!(pack.document.contents);
        assert_eq!(pack.file_name, "northshire-oh-service-seqohs-pack-2026-12-01.pdf");
        assert!(lines.contains(&"GF Governance | 1 | 0 | 0 | 0 | 1 | 2".to_string()), "{lines:#?}");
        assert!(lines.contains(&"All domains | 1 | 0 | 0 | 0 | 2 | 3".to_string()));
        // The "must" standards not met: RP1 (not assessed), not GF1 (met) nor GF2 (should).
        assert!(lines.contains(&"RP1 | Standard RP1 | [Not assessed] | <std-3>".to_string()));
        assert!(!lines.iter().any(|l| l.starts_with("GF2 | Standard GF2")));
        let gf1 = lines.iter().position(|l| l == "H2 GF1 Standard GF1").unwrap();
        assert_eq!(lines[gf1 + 1], "Result: [Met]");
        assert_eq!(lines[gf1 + 3], "Owner: Priya Raman");
        assert_eq!(lines[gf1 + 4], "Narrative: First paragraph.");
        assert_eq!(lines[gf1 + 5], "Second paragraph.");
        // GF1 and GF2 have no evidence: said in words, with no table.
        let none = lines.iter().filter(|l| *l == "No evidence attached to this standard.").count();
        assert_eq!(none, 2);
        assert!(lines.contains(&"Induction checklist | 1 Jan 2026 | – | – | Note: held by the service".to_string()));
        assert!(pack.document.footer.contains("Trail head 41:abababababababab…"), "{}", pack.document.footer);
    }

    #[test]
    fn withheld_evidence_is_on_its_own_page_and_nowhere_else() {
        let mut secret = file(9, "Case review sample", &[1, 3], "feed", "cases.txt");
        secret.contains_patient_data = true;
        let open = file(8, "Policy", &[1], "beef", "policy.txt");
        let pack = compose(gathered(vec![secret, open], HashMap::new()));
        let lines = body(&pack);
        let mentions: Vec<&String> = lines.iter().filter(|l| l.contains("Case review sample")).collect();
        assert_eq!(mentions, ["Case review sample | GF1, RP1 | withheld: contains patient-identifiable data"]);
        assert!(!lines.iter().any(|l| l.contains("cases.txt") || l.contains("feed")));
        assert_eq!((pack.counts.withheld, pack.counts.items, pack.counts.not_pdf), (1, 1, 1));
        assert!(lines.contains(&"Policy | 1 Jan 2026 | – | beef | not a PDF: listed in the manifest".to_string()));
    }

    #[test]
    fn a_met_standard_a_failing_check_contradicts_is_flagged_and_its_snapshot_drawn() {
        use crate::catalogue::model::LiveCheck;
        use crate::live::model::Seen;
        let failing = LiveVerdict {
            check: LiveCheck::MetEvidenceCurrent,
            question: LiveCheck::MetEvidenceCurrent.label(),
            verdict: Verdict::Fails,
            summary: "1 evidence item past its review date: Policy".into(),
            facts: Vec::new(),
            since: date(2026, 11, 1),
            exceptions: Vec::new(),
        };
        let mut snapshot = file(12, "Records as of 1 December 2026: evidence", &[1], "cafe", "evidence.csv");
        snapshot.media_type = Some("text/csv; charset=utf-8".into());
        let mut world = gathered(vec![snapshot], HashMap::new());
        world.live = HashMap::from([(1, vec![failing.clone()])]);
        world.snapshots = vec![Kept {
            check: LiveCheck::MetEvidenceCurrent,
            item_id: 12,
            title: "Records as of 1 December 2026: evidence".into(),
            taken_on: date(2026, 12, 1),
            sha256: "cafe".into(),
            verdict: Verdict::Fails,
            summary: "1 evidence item past its review date: Policy".into(),
            seen: Seen {
                title: "Evidence of the standards marked met".into(),
                columns: vec!["Standard".into(), "Evidence".into(), "Review due".into()],
                rows: vec![vec!["GF1".into(), "Policy".into(), "1 Nov 2026".into()]],
            },
        }];
        let pack = compose(world);
        let lines = body(&pack);
        assert_eq!(pack.counts.contradicted, 1);
        assert_eq!((pack.counts.snapshots, pack.counts.not_pdf), (1, 0), "a snapshot is drawn, not merely listed");
        let gf1 = lines.iter().position(|l| l == "H2 GF1 Standard GF1").unwrap();
        assert_eq!(lines[gf1 + 1], "Result: [Met] [Contradicted by records]");
        assert!(lines[gf1 + 4].starts_with("Contradicted by records: marked met"), "{lines:#?}");
        assert!(lines[gf1 + 4].ends_with("1 evidence item past its review date: Policy"));
        assert!(lines.contains(&"GF1 | Standard GF1 | 1 evidence item past its review date: Policy | <std-1>".into()));
        assert!(lines.contains(
            &"Records as of 1 December 2026: evidence | 1 Jan 2026 | – | cafe | records p. <records-12>".into()
        ));
        let records = lines.iter().position(|l| l == "H1 Records as of 1 December 2026").unwrap();
        assert_eq!(lines[records + 2], "H2 Records as of 1 December 2026: evidence");
        assert!(lines.contains(&"GF1 | Policy | 1 Nov 2026".to_string()), "the table as the file holds it");
        // Not met, the same failing check contradicts nothing.
        let mut world = gathered(Vec::new(), HashMap::new());
        world.assessments[0].result = AssessmentResult::PartlyMet;
        world.live = HashMap::from([(1, vec![failing])]);
        assert_eq!(compose(world).counts.contradicted, 0);
    }

    #[test]
    fn an_unreadable_pdf_is_listed_with_its_hash_and_a_past_review_is_flagged() {
        let mut damaged = file(5, "Signed policy", &[2], "0123456789abcdef0123", "policy.pdf");
        damaged.review_due = Some(date(2026, 11, 30));
        let pdfs = HashMap::from([("0123456789abcdef0123".to_string(), Err(Unreadable::Encrypted))]);
        let pack = compose(gathered(vec![damaged], pdfs));
        let lines = body(&pack);
        assert!(lines.contains(
            &"Signed policy | 1 Jan 2026 | 30 Nov 2026 / [Review overdue] | 0123456789ab | unreadable: listed in the manifest"
                .to_string()
        ), "{lines:#?}");
        assert!(lines.iter().any(|l| l.contains("0123456789abcdef0123") && l.contains("unreadable: it is encrypted")));
        assert_eq!(pack.counts.unreadable, 1);
        assert!(pack.document.appendices.is_empty());
    }
}
