//! The annual quality report (issue 14, part 3), for the provider's board and commissioners: the
//! year's figures gathered from the areas' stores, the words the manager writes
//! ([`super::store::reports`]), and a sign-off block, as one [`Document`] that the PDF and the web
//! page both draw. Figures are judged as of the year's last day, or today while the year runs.

use std::collections::HashMap;

use chrono::{Months, NaiveDate, NaiveDateTime};

use super::store::reports::{self, ReportWords, Version};
use crate::assessment::model::AccreditationStatus;
use crate::audits::model::{ActionStatus, AuditStatus};
use crate::clock::FinancialYear;
use crate::coverage::model::{CoverageKind, Delivery};
use crate::db::{DbConnection, ProviderId, StoreError, StoreResult};
use crate::pdf::{Badge, Block, Chart, ChartKind, Column, Document, Paragraph, Span, Table, Tone};
use crate::quality::chart as kpi_chart;
use crate::quality::model::PeriodFilter;
use crate::workforce::rules::Issue;

/// Who approved the report, as the sign-off block states it; a draft says it is not approved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignOff {
    Draft,
    Approved { by_name: String, on: NaiveDate, version: i32 },
}

/// The report drawn for one provider and year, with what its page needs besides the document.
#[derive(Debug, Clone)]
pub struct Report {
    pub document: Document,
    pub provider_name: String,
    pub year: FinancialYear,
    /// The day the figures are judged on.
    pub as_of: NaiveDate,
    pub words: ReportWords,
    /// The approved versions, newest first.
    pub versions: Vec<Version>,
    /// The name a draft downloads as.
    pub file_name: String,
}

/// The report as a draft: "Draft: not yet approved" in its sign-off block.
pub fn build(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    year: FinancialYear,
    today: NaiveDate,
    now: NaiveDateTime,
) -> StoreResult<Report> {
    build_signed(conn, provider_id, year, today, now, crate::config::DEFAULT_SUPERVISION_DAYS, SignOff::Draft)
}

/// The file name of the year's report: `northshire-oh-service-quality-report-2025-26-2026-12-01.pdf`.
pub fn file_name(provider_name: &str, year: FinancialYear, day: NaiveDate) -> String {
    super::file_name(provider_name, &format!("quality report {}", year.url()), day)
}

/// The report with the sign-off given, judging supervision against `supervision_days` (the
/// service's setting).
pub fn build_signed(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    year: FinancialYear,
    today: NaiveDate,
    now: NaiveDateTime,
    supervision_days: i64,
    sign_off: SignOff,
) -> StoreResult<Report> {
    let provider = crate::accounts::store::provider(conn, provider_id)?.ok_or(StoreError::NotFound)?;
    let as_of = today.min(year.ends_on());
    let words = reports::words(conn, provider_id, year)?;
    let versions = reports::versions(conn, provider_id, year)?;
    let mut blocks = Vec::new();

    // Service overview and SEQOHS status.
    let accreditation = crate::assessment::store::accreditation(conn, provider_id, as_of)?;
    let workforce = crate::workforce::store::workforce(conn, provider_id, as_of, supervision_days)?;
    let in_post = workforce.people.len();
    heading(&mut blocks, 1, "Service overview", "overview");
    let mut overview = vec![
        fact("Provider", &provider.name),
        fact("Year", &format!("{year} (1 April {} to 31 March {})", year.start_year(), year.start_year() + 1)),
        fact("Figures as of", &long_date(as_of)),
    ];
    if let Some(kind) = provider.organisation_type {
        overview.push(fact("Type of service", kind.label()));
    }
    if let Some(code) = provider.code.as_deref().filter(|c| !c.is_empty()) {
        overview.push(fact("Code", code));
    }
    if let Some(sites) = provider.sites {
        overview.push(fact("Sites", &sites.to_string()));
    }
    overview.push(fact("Staff in post", &crate::words::counted(in_post, "person", "people")));
    blocks.push(Block::Facts(overview));
    heading(&mut blocks, 2, "SEQOHS accreditation", "seqohs");
    let tone = match accreditation.status {
        AccreditationStatus::Accredited => Tone::Good,
        AccreditationStatus::Deferred | AccreditationStatus::Unsuccessful | AccreditationStatus::Lapsed => Tone::Bad,
        AccreditationStatus::NotRegistered => Tone::Neutral,
        _ => Tone::Warning,
    };
    let mut seqohs =
        vec![("Status".to_string(), vec![Span::Badge(Badge { text: accreditation.status_label.clone(), tone })])];
    if let Some(since) = accreditation.status_on {
        seqohs.push(fact("Since", &long_date(since)));
    }
    if let Some(registered) = accreditation.registered_on {
        seqohs.push(fact("Registered", &long_date(registered)));
    }
    if let Some(accredited) = accreditation.accredited_on {
        seqohs.push(fact("Accredited", &long_date(accredited)));
    }
    if let Some(expires) = accreditation.expires_on {
        seqohs.push(fact("Accreditation expires", &long_date(expires)));
    }
    blocks.push(Block::Facts(seqohs));
    blocks.push(Paragraph::text(accreditation_in_words(
        accreditation.status,
        accreditation.registered_on,
        accreditation.accredited_on,
        accreditation.months_working_towards,
    )));

    // The NHS Constitution pledge.
    let coverage = crate::coverage::store::coverage(conn, provider_id, as_of)?;
    let core: Vec<_> = coverage.iter().filter(|r| r.kind == CoverageKind::CoreService).collect();
    let core_in_house = core.iter().filter(|r| r.delivery == Some(Delivery::InHouse)).count();
    let core_arranged =
        core.iter().filter(|r| r.delivery == Some(Delivery::Arrangement) && r.state.is_covered()).count();
    heading(&mut blocks, 1, "Supporting staff: the NHS Constitution pledge", "pledge");
    blocks.push(Paragraph::muted(
        "The NHS Constitution pledges to support staff to maintain their health, wellbeing and safety. How the \
         service meets that pledge:",
    ));
    words_or_muted(&mut blocks, &words.pledge_narrative, "The service has not yet written how it meets the pledge.");
    blocks.push(Paragraph::text(format!(
        "The figures behind it: {} of the {} NHS core services delivered ({} by the service itself, {} by arrangement).",
        core_in_house + core_arranged,
        core.len(),
        core_in_house,
        core_arranged
    )));

    // Coverage.
    heading(&mut blocks, 1, "Core services and sub-specialisms", "coverage");
    let totals = crate::coverage::store::totals(&coverage);
    blocks.push(Paragraph::text(format!(
        "{} delivered in-house, {} by arrangement, {} partly, and {} missing.",
        crate::words::counted(totals.covered, "service", "services"),
        totals.arrangement + totals.expiring,
        totals.partial,
        totals.not_covered
    )));
    let rows: Vec<Vec<Vec<Span>>> = coverage
        .iter()
        .map(|row| {
            let how = match (row.delivery, row.partner_name.as_deref()) {
                (Some(Delivery::Arrangement), Some(partner)) if !partner.is_empty() => {
                    format!("By arrangement with {partner}")
                }
                (Some(delivery), _) => delivery.label().to_string(),
                (None, _) => "Not recorded".to_string(),
            };
            let tone = if row.state.is_gap() {
                Tone::Bad
            } else if row.state.is_covered() {
                if row.state == crate::coverage::rules::CoverageState::Expiring {
                    Tone::Warning
                } else {
                    Tone::Good
                }
            } else {
                Tone::Warning
            };
            vec![
                vec![Span::Text(row.title.clone())],
                vec![Span::Text(row.kind.label().to_string())],
                vec![Span::Text(how)],
                vec![Span::Badge(Badge { text: row.state.label().to_string(), tone })],
            ]
        })
        .collect();
    blocks.push(Block::Table(Table {
        columns: Column::list(&[("Service", 3.0), ("Kind", 2.0), ("Delivered", 3.0), ("State", 2.2)]),
        rows,
    }));
    heading(&mut blocks, 2, "Arrangements ending in the coming year", "arrangements-ending");
    let year_ahead = as_of.checked_add_months(Months::new(12)).unwrap_or(as_of);
    let ending: Vec<_> = coverage
        .iter()
        .filter(|r| r.delivery == Some(Delivery::Arrangement))
        .filter_map(|r| r.ends_on.filter(|end| *end >= as_of && *end <= year_ahead).map(|end| (r, end)))
        .collect();
    if ending.is_empty() {
        blocks.push(Paragraph::muted(format!("No arrangement ends before {}.", long_date(year_ahead))));
    } else {
        blocks.push(Block::Table(Table {
            columns: Column::list(&[("Service", 3.0), ("Provided by", 3.0), ("Ends on", 2.0)]),
            rows: ending
                .iter()
                .map(|(r, end)| {
                    vec![
                        vec![Span::Text(r.title.clone())],
                        vec![Span::Text(r.partner_name.clone().unwrap_or_default())],
                        vec![Span::Text(long_date(*end))],
                    ]
                })
                .collect(),
        }));
    }

    // Workforce.
    heading(&mut blocks, 1, "The workforce", "workforce");
    blocks.push(Paragraph::text(format!(
        "{} in post on {}: {}.",
        crate::words::counted(in_post, "person", "people"),
        long_date(as_of),
        workforce
            .by_tier
            .iter()
            .map(|(tier, n)| format!("{} {}", n, tier.label().to_lowercase()))
            .collect::<Vec<_>>()
            .join(", ")
    )));
    heading(&mut blocks, 2, "By tier and discipline", "workforce-numbers");
    blocks.push(Block::Table(Table {
        columns: Column::list(&[("Tier", 3.0), ("People", 1.0)]),
        rows: workforce
            .by_tier
            .iter()
            .map(|(tier, n)| vec![vec![Span::Text(tier.label().to_string())], vec![Span::Text(n.to_string())]])
            .collect(),
    }));
    let disciplines: Vec<(&str, &str, usize)> = workforce
        .by_discipline
        .iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|(code, label, n)| (code.as_str(), label.as_str(), *n))
        .collect();
    if disciplines.is_empty() {
        blocks.push(Paragraph::muted("No one is recorded in post."));
    } else {
        blocks.push(Block::Table(Table {
            columns: Column::list(&[("Discipline", 3.0), ("People", 1.0)]),
            rows: disciplines
                .iter()
                .map(|(_, label, n)| vec![vec![Span::Text(label.to_string())], vec![Span::Text(n.to_string())]])
                .collect(),
        }));
        let bars: Vec<(String, f64)> =
            disciplines.iter().map(|(code, label, n)| (short_label(code, label), *n as f64)).collect();
        let mut drawing = crate::pdf::chart::bars("Staff by discipline", None, &bars, None);
        let listed: Vec<String> = disciplines.iter().map(|(_, label, n)| format!("{label} {n}")).collect();
        drawing.summary = format!("Staff by discipline: {}", crate::words::listed(&listed));
        blocks.push(Block::Chart(Chart { kind: ChartKind::Bar, drawing }));
    }
    heading(&mut blocks, 2, "Registration, revalidation, appraisal and CPD", "workforce-standing");
    let issue = |wanted: Issue| workforce.totals.iter().find(|(i, _)| *i == wanted).map_or(0, |(_, n)| *n);
    let count_row = |what: &str, n: usize, good: &str| {
        let badge = if n == 0 {
            Badge { text: good.to_string(), tone: Tone::Good }
        } else {
            Badge { text: crate::words::counted(n, "person", "people"), tone: Tone::Bad }
        };
        vec![vec![Span::Text(what.to_string())], vec![Span::Badge(badge)]]
    };
    blocks.push(Block::Table(Table {
        columns: Column::list(&[("Check", 3.0), ("People", 2.0)]),
        rows: vec![
            count_row("Registration expired", issue(Issue::RegistrationExpired), "None"),
            count_row("Registration due for renewal", issue(Issue::RegistrationDue), "None"),
            count_row(
                "Revalidation due or overdue",
                issue(Issue::RevalidationDue) + issue(Issue::RevalidationOverdue),
                "None",
            ),
            count_row("Appraisal overdue", issue(Issue::AppraisalOverdue), "None"),
            count_row(
                "CPD short of the requirement",
                issue(Issue::CpdShort) + issue(Issue::CpdPreviousYearShort) + issue(Issue::RevalidationCpdShort),
                "None",
            ),
        ],
    }));
    heading(&mut blocks, 2, "Supervision of the non-clinical tier", "supervision");
    let sessions: usize = workforce.escalations.iter().map(|e| e.sessions).sum();
    let escalated: i64 = workforce.escalations.iter().map(|e| e.to_gp + e.to_clinical + e.to_specialist).sum();
    if workforce.needing_supervision == 0 {
        blocks.push(Paragraph::muted("No one in post must attend clinical supervision."));
    } else {
        blocks.push(Paragraph::text(format!(
            "{} of the {} who must attend clinical supervision had it within the last {} days. {} in the twelve \
             months to {}, with {} escalated.",
            workforce.supervised,
            crate::words::counted(workforce.needing_supervision, "person", "people"),
            supervision_days,
            sentence_start(&crate::words::counted(sessions, "session was held", "sessions were held")),
            long_date(as_of),
            crate::words::counted(escalated.max(0) as usize, "case", "cases"),
        )));
    }

    // The audit programme.
    heading(&mut blocks, 1, "The audit programme", "audits");
    match crate::audits::store::plans::plan(conn, provider_id, year)? {
        None => blocks.push(Paragraph::muted(format!("No audit plan is recorded for {year}."))),
        Some(plan) => {
            let audits = crate::audits::store::audits::plan_audits(conn, plan.id)?;
            let ids: Vec<i32> = audits.iter().map(|a| a.id).collect();
            let criteria = crate::audits::store::audits::criteria_of(conn, &ids)?;
            let actions = crate::audits::store::actions::plan_actions(conn, plan.id, as_of)?;
            let sign_off = crate::audits::store::sign_off::summary(conn, plan.id)?;
            let standing = match (sign_off.state, &sign_off.signed_by, sign_off.signed_at) {
                ("signed_off", Some(by), Some(at)) => {
                    format!("The plan was signed off by {by} on {}.", long_date(at.date()))
                }
                (_, Some(by), Some(at)) => format!(
                    "Where the plan stands: {} (last signed off by {by} on {}).",
                    sign_off.label,
                    long_date(at.date())
                ),
                _ => format!("Where the plan stands: {}.", sign_off.label),
            };
            blocks.push(Paragraph::text(format!(
                "The plan for {year} holds {}: {} completed, {} of them re-audits. {standing}",
                crate::words::counted(audits.len(), "audit", "audits"),
                audits.iter().filter(|a| a.status == AuditStatus::Completed).count(),
                audits.iter().filter(|a| a.reaudit_of.is_some()).count(),
            )));
            let mut by_audit: HashMap<i32, (usize, usize, usize)> = HashMap::new();
            for (audit_id, criterion) in &criteria {
                let entry = by_audit.entry(*audit_id).or_default();
                entry.0 += 1;
                match criterion.met_target {
                    Some(true) => entry.1 += 1,
                    Some(false) => entry.2 += 1,
                    None => {}
                }
            }
            let mut open_closed: HashMap<i32, (usize, usize)> = HashMap::new();
            for action in &actions {
                let entry = open_closed.entry(action.audit_id).or_default();
                if action.status == ActionStatus::Open {
                    entry.0 += 1;
                } else {
                    entry.1 += 1;
                }
            }
            if audits.is_empty() {
                blocks.push(Paragraph::muted("The plan has no audits yet."));
            } else {
                let rows = audits
                    .iter()
                    .map(|audit| {
                        let (criteria, met, missed) = by_audit.get(&audit.id).copied().unwrap_or_default();
                        let (open, closed) = open_closed.get(&audit.id).copied().unwrap_or_default();
                        let tone = match audit.status {
                            AuditStatus::Completed => Tone::Good,
                            AuditStatus::Cancelled | AuditStatus::Deferred => Tone::Warning,
                            _ => Tone::Neutral,
                        };
                        let mut title = vec![Span::Text(audit.title.clone())];
                        if audit.reaudit_of.is_some() && !audit.title.starts_with("Re-audit") {
                            title.push(Span::Break);
                            title.push(Span::Text("Re-audit".into()));
                        }
                        let outcome = if met + missed == 0 {
                            if audit.status == AuditStatus::Completed {
                                "No results recorded".to_string()
                            } else {
                                "Not yet audited".to_string()
                            }
                        } else {
                            format!("{met} of {criteria} criteria met their target")
                        };
                        let mut outcome = vec![Span::Text(outcome)];
                        if let Some(findings) = audit.findings.as_deref().filter(|f| !f.trim().is_empty()) {
                            outcome.push(Span::Break);
                            outcome.push(Span::Text(findings.trim().to_string()));
                        }
                        vec![
                            title,
                            vec![Span::Text(format!("Q{}", audit.planned_quarter))],
                            vec![Span::Badge(Badge { text: audit.status_label.to_string(), tone })],
                            outcome,
                            vec![Span::Text(format!("{open} open, {closed} closed"))],
                        ]
                    })
                    .collect();
                blocks.push(Block::Table(Table {
                    columns: Column::list(&[
                        ("Audit", 3.0),
                        ("Quarter", 1.1),
                        ("Status", 1.5),
                        ("Outcome", 3.2),
                        ("Actions", 1.8),
                    ]),
                    rows,
                }));
                let open = actions.iter().filter(|a| a.status == ActionStatus::Open).count();
                let overdue = actions.iter().filter(|a| a.overdue).count();
                blocks.push(Paragraph::text(format!(
                    "Actions: {} open ({} overdue), {} closed.",
                    open,
                    overdue,
                    actions.len() - open
                )));
            }
        }
    }

    // KPIs.
    heading(&mut blocks, 1, "Key performance indicators", "kpis");
    let kpis = crate::quality::store::definitions(conn, provider_id)?;
    let values = crate::quality::store::values(
        conn,
        provider_id,
        &kpis,
        PeriodFilter { from: Some(year.starts_on()), to: Some(year.ends_on()) },
    )?;
    let mut by_kpi: HashMap<i32, Vec<&crate::quality::store::ValueLine>> = HashMap::new();
    for value in &values {
        by_kpi.entry(value.node_id).or_default().push(value);
    }
    let recorded: Vec<_> = kpis.iter().filter(|k| by_kpi.contains_key(&k.node_id)).collect();
    if recorded.is_empty() {
        blocks.push(Paragraph::muted(format!("No KPI values are recorded for {year}.")));
    } else {
        blocks.push(Paragraph::text(format!(
            "{} of the {} KPIs have values for {year}; each is shown against its target.",
            recorded.len(),
            kpis.len()
        )));
        let rows = recorded
            .iter()
            .map(|kpi| {
                let series = &by_kpi[&kpi.node_id];
                let latest = series.last();
                let missed = series.iter().filter(|v| !v.met).count();
                let badge = match missed {
                    0 => Badge { text: "Met in every period".into(), tone: Tone::Good },
                    n => Badge {
                        text: format!("Missed in {}", crate::words::counted(n, "period", "periods")),
                        tone: Tone::Bad,
                    },
                };
                vec![
                    vec![Span::Text(format!("{} {}", kpi.reference, kpi.title))],
                    vec![Span::Text(
                        latest.map(|v| format!("{} ({})", v.value_text, v.period_label)).unwrap_or_default(),
                    )],
                    vec![Span::Text(kpi.target_text.clone())],
                    vec![Span::Badge(badge)],
                ]
            })
            .collect();
        blocks.push(Block::Table(Table {
            columns: Column::list(&[("KPI", 4.0), ("Latest value", 2.5), ("Target", 1.5), ("Against target", 2.0)]),
            rows,
        }));
        for kpi in &recorded {
            let series: Vec<_> = by_kpi[&kpi.node_id].iter().map(|v| (v.period, v.value, v.met)).collect();
            let anchor = format!("kpi-{}", super::slug(&kpi.reference));
            heading(&mut blocks, 3, &format!("{} {}", kpi.reference, kpi.title), &anchor);
            blocks.push(Block::Chart(Chart {
                kind: ChartKind::Line,
                drawing: kpi_chart::draw(&kpi.title, kpi.unit, &series, kpi.target),
            }));
        }
    }

    // Research, plans and sign-off.
    heading(&mut blocks, 1, "Research and development", "research");
    heading(&mut blocks, 2, "Contributions this year", "research-this-year");
    words_or_muted(&mut blocks, &words.research_this_year, "No research or development is recorded for this year.");
    heading(&mut blocks, 2, "The plan for next year", "research-next-year");
    words_or_muted(&mut blocks, &words.research_next_year, "No plan for research and development is written yet.");
    heading(&mut blocks, 1, "Plans for next year", "plans");
    words_or_muted(&mut blocks, &words.plans_next_year, "No plans for next year are written yet.");
    heading(&mut blocks, 1, "Sign-off", "sign-off");
    match &sign_off {
        SignOff::Approved { by_name, on, version } => {
            blocks.push(Block::Paragraph(Paragraph {
                spans: vec![
                    Span::Badge(Badge { text: "Approved".into(), tone: Tone::Good }),
                    Span::Text(format!(
                        " Approved by {by_name}, Clinical Director, on {}, version {version}.",
                        long_date(*on)
                    )),
                ],
                muted: false,
            }));
        }
        SignOff::Draft => {
            blocks.push(Block::Paragraph(Paragraph {
                spans: vec![
                    Span::Badge(Badge { text: "Draft".into(), tone: Tone::Warning }),
                    Span::Text(" Draft: not yet approved.".into()),
                ],
                muted: false,
            }));
            if let Some(latest) = versions.first() {
                blocks.push(Paragraph::muted(format!(
                    "Version {} was approved by {} on {}; this draft shows the figures as they are now.",
                    latest.version,
                    latest.approved_by_name,
                    long_date(latest.approved_at.date())
                )));
            }
        }
    }

    let head = crate::history::store::head(conn)?;
    let trail = match head {
        Some((id, hash)) => format!("Trail head {id}:{}…", hash.chars().take(16).collect::<String>()),
        None => "Trail head: none".to_string(),
    };
    let state = match &sign_off {
        SignOff::Draft => "Draft".to_string(),
        SignOff::Approved { version, .. } => format!("Version {version}"),
    };
    let title = format!("Annual quality report {year}");
    let document = Document {
        title: title.clone(),
        author: provider.name.clone(),
        subject: format!("{}'s annual quality report for {year}, for its board and commissioners", provider.name),
        language: "en-GB".into(),
        created: now,
        header: provider.name.clone(),
        footer: format!("{title} · {state} · {trail}"),
        cover: Some(crate::pdf::Cover {
            title,
            subtitle: provider.name.clone(),
            facts: vec![
                fact("Year", &year.to_string()),
                fact("Figures as of", &long_date(as_of)),
                fact("SEQOHS", &accreditation.status_label),
                (
                    "Status".to_string(),
                    vec![match &sign_off {
                        SignOff::Draft => Span::Text("Draft: not yet approved".into()),
                        SignOff::Approved { version, on, .. } => {
                            Span::Text(format!("Approved, version {version}, {}", long_date(*on)))
                        }
                    }],
                ),
            ],
        }),
        contents: true,
        blocks,
        appendices: Vec::new(),
        closing: Vec::new(),
    };
    Ok(Report {
        document,
        file_name: file_name(&provider.name, year, today),
        provider_name: provider.name,
        year,
        as_of,
        words,
        versions,
    })
}

fn heading(blocks: &mut Vec<Block>, level: u8, text: &str, anchor: &str) {
    blocks.push(Block::Heading { level, text: text.to_string(), anchor: Some(anchor.to_string()) });
}

fn fact(label: &str, value: &str) -> (String, Vec<Span>) {
    (label.to_string(), Span::cell(value))
}

/// The manager's words, a paragraph per blank-line-separated part; or, when none are written,
/// `missing` in muted text, so no section is ever blank.
fn words_or_muted(blocks: &mut Vec<Block>, words: &str, missing: &str) {
    let paragraphs = Paragraph::free_text(words);
    if paragraphs.is_empty() {
        blocks.push(Paragraph::muted(missing));
    }
    blocks.extend(paragraphs);
}

/// "1 December 2026".
fn long_date(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

fn sentence_start(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// How long the service has been on the pathway, in words: "Working towards accreditation since
/// March 2024 (2 years 8 months)".
pub fn accreditation_in_words(
    status: AccreditationStatus,
    registered_on: Option<NaiveDate>,
    accredited_on: Option<NaiveDate>,
    months: Option<u32>,
) -> String {
    let span = months.map(years_and_months);
    match (status, registered_on, accredited_on) {
        (AccreditationStatus::NotRegistered, _, _) | (_, None, _) => {
            "The service has not registered with SEQOHS.".to_string()
        }
        (AccreditationStatus::Accredited, Some(registered), Some(accredited)) => format!(
            "Accredited since {}, after working towards accreditation from {} ({}).",
            accredited.format("%B %Y"),
            registered.format("%B %Y"),
            span.unwrap_or_default()
        ),
        (AccreditationStatus::WorkingTowards, Some(registered), _) => format!(
            "Working towards accreditation since {} ({}).",
            registered.format("%B %Y"),
            span.unwrap_or_default()
        ),
        (status, Some(registered), _) => format!(
            "{}; working towards accreditation since {} ({}).",
            status.label(),
            registered.format("%B %Y"),
            span.unwrap_or_default()
        ),
    }
}

/// 32 months as "2 years 8 months".
fn years_and_months(months: u32) -> String {
    let (years, months) = (months / 12, months % 12);
    match (years, months) {
        (0, m) => crate::words::counted(m as usize, "month", "months"),
        (y, 0) => crate::words::counted(y as usize, "year", "years"),
        (y, m) => format!(
            "{} {}",
            crate::words::counted(y as usize, "year", "years"),
            crate::words::counted(m as usize, "month", "months")
        ),
    }
}

/// A discipline's name short enough to sit under its bar; the chart's summary and the table
/// beside it give the full names.
fn short_label(code: &str, label: &str) -> String {
    match code {
        "consultant_occupational_physician" => "Cons OP",
        "occupational_physician" => "OP",
        "specialty_registrar" => "StR",
        "oh_nurse_scphn" => "SCPHN",
        "oh_nurse" => "OH nurse",
        "oh_technician" => "OH tech",
        "physiotherapist" => "Physio",
        "psychologist" => "Psych",
        "other_ahp" => "AHP",
        "non_clinical_case_worker" => "Case wkr",
        "administrator" => "Admin",
        _ => label,
    }
    .to_string()
}

/// The year the report for `today` is about by default, and the ones before it, newest first.
pub fn recent_years(today: NaiveDate, how_many: i32) -> Vec<FinancialYear> {
    let current = FinancialYear::containing(today).start_year();
    (0..how_many).filter_map(|back| FinancialYear::starting_in(current - back)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn how_long_the_service_has_worked_towards_accreditation_is_said_in_years_and_months() {
        let march = NaiveDate::from_ymd_opt(2024, 3, 14).unwrap();
        assert_eq!(
            accreditation_in_words(AccreditationStatus::WorkingTowards, Some(march), None, Some(32)),
            "Working towards accreditation since March 2024 (2 years 8 months)."
        );
        assert_eq!(years_and_months(12), "1 year");
        assert_eq!(years_and_months(1), "1 month");
        assert_eq!(
            accreditation_in_words(AccreditationStatus::NotRegistered, None, None, None),
            "The service has not registered with SEQOHS."
        );
    }

    #[test]
    fn a_long_discipline_is_shortened_under_its_bar() {
        assert_eq!(short_label("oh_nurse_scphn", "OH nurse on the SCPHN register"), "SCPHN");
        assert_eq!(short_label("new_kind", "New kind"), "New kind");
    }

    #[test]
    fn the_years_offered_are_this_one_and_the_ones_before() {
        let years = recent_years(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), 3);
        assert_eq!(years.iter().map(|y| y.url()).collect::<Vec<_>>(), vec!["2026-27", "2025-26", "2024-25"]);
    }
}
