//! The seventeen key questions of the NHS Employers guidance on commissioning OH (seeds/002),
//! answered from one provider's facts.
//!
//! Each question is one function below, whose doc comment gives its reasoning: which facts make it
//! `yes`, `partly` or `no`, and when the records cannot answer (`not_evidenced`). The answer never
//! guesses: a fact the records do not hold is never read as "no". Every date is judged on
//! `facts.as_of`, never the clock. The plan and process questions (4 in part, 5, 12, 15, 16) are
//! answered by an evidence item of the catalogue's document kind that is current on `as_of`; one
//! past its review date is named in the facts and linked, but does not count.

use chrono::{Months, NaiveDate};

use crate::accounts::access::Capability;
use crate::commissioning::model::{
    document_kinds, Answer, AnswerValue, AuditPlanFacts, DocumentFacts, ProviderFacts, Source,
};
use crate::commissioning::rules::reviews::{review_due, review_overdue};
use crate::words::{counted, listed};
use crate::workforce::rules::Issue;

/// The number, stable code and words (seeds/002's) of each question, and the rule that answers it,
/// in the guidance's order.
const QUESTIONS: [(&str, &str, Rule); 17] = [
    (
        "seqohs_accreditation",
        "Does the OH service have, or is it working towards, SEQOHS accreditation?",
        seqohs_accreditation,
    ),
    (
        "minimum_standards",
        "Does the OH service provider meet the minimum principles and standards?",
        minimum_standards,
    ),
    (
        "clinical_governance",
        "What arrangements does the service provider have for clinical governance?",
        clinical_governance,
    ),
    (
        "governance_evidence",
        "How will the OH service contribute to the provision of evidence demonstrating compliance with clinical and organisational governance?",
        governance_evidence,
    ),
    ("audit_plan", "What is the plan for auditing its practice?", audit_plan),
    (
        "key_clinical_staff",
        "Have you identified and agreed the key clinical staff who will provide the service?",
        key_clinical_staff,
    ),
    (
        "qualified_staff",
        "What evidence is there that the OH professionals are suitable and appropriately qualified?",
        qualified_staff,
    ),
    ("cpd", "What evidence is there of CPD for the OH staff?", cpd),
    ("responsible_officer", "Who is the Responsible Officer for the doctors involved?", responsible_officer),
    ("practice_teachers", "How many nursing practice teachers are there?", practice_teachers),
    ("specialty_registrars", "How many StR posts are there?", specialty_registrars),
    ("staff_development_plan", "What is the development plan for the OH staff?", staff_development_plan),
    ("specialist_areas", "Does the service cover all relevant specialist areas?", specialist_areas),
    (
        "esr_interface",
        "Is the information system used by the provider interfaced with the Electronic Staff Record (ESR)?",
        esr_interface,
    ),
    ("service_development_plan", "Does the provider have a plan for service development?", service_development_plan),
    (
        "early_return_to_work",
        "What are the plans to provide rapid access to interventions that support early return to work?",
        early_return_to_work,
    ),
    (
        "communication_links",
        "How will you ensure good communication links between OH service providers, HR and managers?",
        communication_links,
    ),
];

/// The core services (standards/nhs-core-services.toml, by title as the coverage facts name them)
/// through which staff get rapid access to interventions and back to work.
const TIMELY_INTERVENTION: &str = "Timely intervention";
const REHABILITATION: &str = "Rehabilitation";

/// How recent the last reported KPI period must be (its last day within this many months of
/// `as_of`) to count as reporting quality indicators now.
const KPI_RECENT_MONTHS: u32 = 12;

type Rule = fn(&ProviderFacts) -> Judged;

/// One question's verdict, before its number, code and words are put with it.
struct Judged {
    value: AnswerValue,
    facts: Vec<String>,
    sources: Vec<Source>,
}

impl Judged {
    fn new(value: AnswerValue, facts: Vec<String>, sources: Vec<Source>) -> Self {
        Judged { value, facts, sources }
    }
}

/// Every key question answered, in the guidance's order.
pub fn answers(facts: &ProviderFacts) -> Vec<Answer> {
    QUESTIONS
        .iter()
        .zip(1u8..)
        .map(|(&(code, question, rule), number)| {
            let judged = rule(facts);
            Answer {
                number,
                code,
                question,
                value: judged.value,
                facts: judged.facts.join(" "),
                sources: judged.sources,
            }
        })
        .collect()
}

/// The codes of the questions in order: the contract of the API and the CSV.
pub fn codes() -> [&'static str; 17] {
    QUESTIONS.map(|(code, _, _)| code)
}

// ---------------------------------------------------------------------------------------------
// Words and links
// ---------------------------------------------------------------------------------------------

/// "2 Dec 2026", as the pages' `uk_date` filter writes it.
fn day(date: NaiveDate) -> String {
    crate::web::templates::uk_date_text(&date.to_string())
}

/// "2026/27" for the plan's "2026-27"; as written when it is not a year.
fn plan_year(plan: &AuditPlanFacts) -> String {
    plan.year.parse::<crate::clock::FinancialYear>().map_or_else(|_| plan.year.clone(), |year| year.to_string())
}

/// "is"/"are" for a count.
fn is_are(n: usize) -> &'static str {
    if n == 1 {
        "is"
    } else {
        "are"
    }
}

fn link(facts: &ProviderFacts, label: impl Into<String>, page: &str, needs: Capability) -> Source {
    Source { label: label.into(), href: format!("/providers/{}{page}", facts.provider_id), needs }
}

fn accreditation_page(f: &ProviderFacts) -> Source {
    link(f, "Accreditation record", "/accreditation", Capability::ReadAssessment)
}

fn assessment_page(f: &ProviderFacts) -> Source {
    link(f, "Self-assessment", "/assessment", Capability::ReadAssessment)
}

fn findings_page(f: &ProviderFacts) -> Source {
    link(f, "Findings", "/findings", Capability::ReadAssessment)
}

fn plan_page(f: &ProviderFacts, plan: &AuditPlanFacts) -> Source {
    let page = format!("/audit-plans/{}", plan.year);
    link(f, format!("Audit plan {}", plan_year(plan)), &page, Capability::ReadAssessment)
}

fn kpis_page(f: &ProviderFacts) -> Source {
    link(f, "Quality indicators", "/kpis", Capability::ReadAssessment)
}

/// The workforce figures: people in post by tier and their issues, without names; the handler
/// authorises `Read`, which an assessor does not hold.
fn workforce_page(f: &ProviderFacts) -> Source {
    link(f, "Workforce", "/workforce", Capability::Read)
}

fn coverage_page(f: &ProviderFacts) -> Source {
    link(f, "Core services and sub-specialisms", "/coverage", Capability::ReadAssessment)
}

fn evidence_page(f: &ProviderFacts, evidence_id: i32, label: impl Into<String>) -> Source {
    link(f, label, &format!("/evidence/{evidence_id}"), Capability::ReadAssessment)
}

/// The ESR declaration's page (the `esr` routes), which every reader of the assessment may open.
fn esr_page(f: &ProviderFacts) -> Source {
    link(f, "ESR declaration", "/esr", Capability::ReadAssessment)
}

/// The customer reviews' page (the `reviews` routes), which the handler opens to `Read`: the
/// provider's people and its commissioners, not its assessors.
fn reviews_page(f: &ProviderFacts) -> Source {
    link(f, "Customer reviews", "/customer-reviews", Capability::Read)
}

// ---------------------------------------------------------------------------------------------
// Documents of a kind
// ---------------------------------------------------------------------------------------------

/// The evidence items of one document kind: those current on `as_of`, and the rest.
struct Documents<'a> {
    current: Vec<&'a DocumentFacts>,
    lapsed: Vec<&'a DocumentFacts>,
}

impl<'a> Documents<'a> {
    fn of(facts: &'a ProviderFacts, kind: &str) -> Self {
        let (current, lapsed) = facts.documents.iter().filter(|d| d.kind == kind).partition(|d| d.current);
        Documents { current, lapsed }
    }

    fn is_empty(&self) -> bool {
        self.current.is_empty() && self.lapsed.is_empty()
    }

    /// What the records show, in sentences: the current items with their review dates, and each
    /// item that does not count and why.
    fn sentences(&self, as_of: NaiveDate, what: &str) -> Vec<String> {
        let mut out = Vec::new();
        if !self.current.is_empty() {
            let named: Vec<String> = self.current.iter().map(|d| current_words(d)).collect();
            out.push(format!("Current {what}: {}.", listed(&named)));
        }
        for d in &self.lapsed {
            let why = match d.review_due {
                Some(due) if due < as_of => format!("past its review date ({})", day(due)),
                _ => "no longer current".to_string(),
            };
            out.push(format!("“{}” is {why}, so it does not count.", d.title));
        }
        out
    }

    fn sources(&self, facts: &ProviderFacts) -> Vec<Source> {
        self.current.iter().chain(&self.lapsed).map(|d| evidence_page(facts, d.evidence_id, d.title.clone())).collect()
    }
}

fn current_words(d: &DocumentFacts) -> String {
    match d.review_due {
        Some(due) => format!("“{}” (review due {})", d.title, day(due)),
        None => format!("“{}”", d.title),
    }
}

/// A question answered by a current document of one kind alone: yes with one, no when the only
/// ones recorded are past review (or withdrawn), not evidenced when none was ever recorded.
fn by_document(facts: &ProviderFacts, kind: &str, what: &str) -> Judged {
    let docs = Documents::of(facts, kind);
    let value = if !docs.current.is_empty() {
        AnswerValue::Yes
    } else if !docs.lapsed.is_empty() {
        AnswerValue::No
    } else {
        AnswerValue::NotEvidenced
    };
    let mut words = docs.sentences(facts.as_of, what);
    if docs.is_empty() {
        words.push(format!("No {what} in the evidence library."));
    } else if docs.current.is_empty() {
        words.push(format!("No current {what} on {}.", day(facts.as_of)));
    }
    Judged::new(value, words, docs.sources(facts))
}

/// Whether the records show one part of a question met, not met, or say nothing of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Met,
    Unmet,
    Unknown,
}

impl Part {
    /// A document of one kind: met by a current one, not met by only lapsed ones, unknown with none.
    fn document(docs: &Documents) -> Part {
        if !docs.current.is_empty() {
            Part::Met
        } else if docs.is_empty() {
            Part::Unknown
        } else {
            Part::Unmet
        }
    }
}

/// A question of several parts: yes when every part is met, partly when some are, no when none is
/// but the records show at least one not met, and not evidenced when they say nothing of any.
fn from_parts(parts: &[Part]) -> AnswerValue {
    if parts.iter().all(|p| *p == Part::Met) {
        AnswerValue::Yes
    } else if parts.contains(&Part::Met) {
        AnswerValue::Partly
    } else if parts.contains(&Part::Unmet) {
        AnswerValue::No
    } else {
        AnswerValue::NotEvidenced
    }
}

fn issue_count(facts: &ProviderFacts, issue: Issue) -> usize {
    facts.workforce.issues.iter().find(|(i, _)| *i == issue).map_or(0, |(_, n)| *n)
}

/// Nobody in post: the workforce has not been recorded, so no staffing question can be answered.
fn no_staff_recorded(facts: &ProviderFacts) -> Judged {
    Judged::new(
        AnswerValue::NotEvidenced,
        vec!["No staff in post are recorded.".to_string()],
        vec![workforce_page(facts)],
    )
}

// ---------------------------------------------------------------------------------------------
// The questions
// ---------------------------------------------------------------------------------------------

/// Question 1. Accredited: yes. Working towards it (registered, self-assessment complete, evidence
/// submitted, visit booked, or the decision deferred pending actions): partly, with how long since
/// registering, which is what a commissioner weighs. Not registered, unsuccessful or lapsed: no.
/// Nothing recorded about SEQOHS: not evidenced.
fn seqohs_accreditation(f: &ProviderFacts) -> Judged {
    use crate::assessment::model::AccreditationStatus as S;
    let Some(a) = &f.accreditation else {
        return Judged::new(
            AnswerValue::NotEvidenced,
            vec!["No SEQOHS status is recorded.".to_string()],
            vec![accreditation_page(f)],
        );
    };
    let value = match a.status {
        S::Accredited => AnswerValue::Yes,
        S::WorkingTowards | S::SelfAssessmentComplete | S::EvidenceSubmitted | S::VisitBooked | S::Deferred => {
            AnswerValue::Partly
        }
        S::NotRegistered | S::Unsuccessful | S::Lapsed => AnswerValue::No,
    };
    let mut words = vec![match a.status_on {
        Some(on) => format!("{} since {}.", a.status.label(), day(on)),
        None => format!("{}.", a.status.label()),
    }];
    match (a.status, a.accredited_on, a.registered_on) {
        (S::Accredited, Some(on), _) if Some(on) != a.status_on => words.push(format!("Accredited on {}.", day(on))),
        (S::Accredited, _, _) => {}
        (_, _, Some(registered)) if value == AnswerValue::Partly => {
            words.push(format!(
                "Working towards accreditation for {} (registered {}).",
                span(registered, f.as_of),
                day(registered)
            ));
        }
        _ => {}
    }
    Judged::new(value, words, vec![accreditation_page(f)])
}

/// How long from one day to another, in whole months: "3 months", "2 years and 1 month".
fn span(from: NaiveDate, to: NaiveDate) -> String {
    let mut months = 0u32;
    while from.checked_add_months(Months::new(months + 1)).is_some_and(|d| d <= to) {
        months += 1;
    }
    match (months / 12, months % 12) {
        (0, m) => counted(m as usize, "month", "months"),
        (y, 0) => counted(y as usize, "year", "years"),
        (y, m) => format!("{} and {}", counted(y as usize, "year", "years"), counted(m as usize, "month", "months")),
    }
}

/// Question 2. The minimum principles and standards are the framework's "must" standards, judged from the
/// self-assessment. Any applicable "must" standard not met, or a major nonconformity an assessor
/// has raised and not closed: no. Every applicable standard met: yes. The musts met but other
/// standards not yet met or assessed: partly. No self-assessment, or nothing in it assessed yet:
/// not evidenced.
fn minimum_standards(f: &ProviderFacts) -> Judged {
    let applicable: usize = f.domains.iter().map(|d| d.applicable).sum();
    let met: usize = f.domains.iter().map(|d| d.met).sum();
    let not_assessed: usize = f.domains.iter().map(|d| d.not_assessed).sum();
    let mut sources = vec![assessment_page(f)];
    if applicable == 0 {
        return Judged::new(AnswerValue::NotEvidenced, vec!["No self-assessment is recorded.".to_string()], sources);
    }
    if not_assessed == applicable {
        let words = format!(
            "None of the {} has been assessed yet.",
            counted(applicable, "applicable standard", "applicable standards")
        );
        return Judged::new(AnswerValue::NotEvidenced, vec![words], sources);
    }
    let value = if !f.must_not_met.is_empty() || f.open_major_findings > 0 {
        AnswerValue::No
    } else if met == applicable {
        AnswerValue::Yes
    } else {
        AnswerValue::Partly
    };
    let mut words =
        vec![format!("{met} of {} met", counted(applicable, "applicable standard", "applicable standards"))];
    if not_assessed > 0 {
        words[0].push_str(&format!("; {not_assessed} not yet assessed"));
    }
    let by_domain: Vec<String> =
        f.domains.iter().map(|d| format!("{} {} of {}", d.reference, d.met, d.applicable)).collect();
    words[0].push_str(&format!(" ({}).", by_domain.join(", ")));
    if f.must_not_met.is_empty() {
        words.push("Every applicable “must” standard is met.".to_string());
    } else {
        words.push(format!(
            "{} not met: {}.",
            counted(f.must_not_met.len(), "“must” standard", "“must” standards"),
            listed(&f.must_not_met)
        ));
    }
    if f.open_major_findings > 0 {
        words.push(format!("{} open.", counted(f.open_major_findings, "major nonconformity", "major nonconformities")));
        sources.push(findings_page(f));
    }
    Judged::new(value, words, sources)
}

/// Whether this year's audit plan is signed off as it stands.
fn signed_off(plan: &AuditPlanFacts) -> bool {
    plan.state == crate::audits::model::PlanState::SignedOff && !plan.changed_since_sign_off
}

/// "This year's audit plan (2026/27) is signed off" and its other states, in words.
fn plan_words(plan: &AuditPlanFacts) -> String {
    let year = plan_year(plan);
    if plan.state == crate::audits::model::PlanState::SignedOff && plan.changed_since_sign_off {
        format!("The {year} audit plan has changed since it was signed off.")
    } else {
        format!("The {year} audit plan: {}.", plan.state.label().to_lowercase())
    }
}

/// Question 3. Clinical governance rests on a clinical lead, a programme of clinical audit and findings
/// acted on. A clinical director in post, this year's audit plan signed off as it stands and no
/// open major nonconformity: yes. A clinical director or an audit plan this year, short of that:
/// partly. Neither, where the provider keeps its self-assessment or findings here (so its
/// governance would show): no. Nothing recorded at all: not evidenced.
fn clinical_governance(f: &ProviderFacts) -> Judged {
    let mut words = Vec::new();
    let mut sources = Vec::new();
    words.push(if f.has_clinical_director {
        "A clinical director is in post.".to_string()
    } else {
        "No clinical director is recorded.".to_string()
    });
    match &f.audit_plan {
        Some(plan) => {
            words.push(plan_words(plan));
            sources.push(plan_page(f, plan));
        }
        None => words.push("No audit plan for this year.".to_string()),
    }
    if f.open_findings > 0 {
        words.push(format!(
            "{} open, {} major.",
            counted(f.open_findings, "finding", "findings"),
            f.open_major_findings
        ));
        sources.push(findings_page(f));
    }
    let assessed = f.domains.iter().any(|d| d.applicable > d.not_assessed);
    let value = match (&f.audit_plan, f.has_clinical_director) {
        (Some(plan), true) if signed_off(plan) && f.open_major_findings == 0 => AnswerValue::Yes,
        (Some(_), _) | (None, true) => AnswerValue::Partly,
        (None, false) if assessed || f.open_findings > 0 => AnswerValue::No,
        (None, false) => AnswerValue::NotEvidenced,
    };
    if assessed {
        sources.push(assessment_page(f));
    }
    Judged::new(value, words, sources)
}

/// Question 4. The provider contributes evidence of compliance in three ways the guidance names: a current
/// research and development plan (its contribution to the evidence base), quality indicators
/// reported within the last year, and this year's audit plan taking part in the national
/// benchmarking audit (MoHaWK). All three: yes; some: partly; none, where the records show a
/// lapsed plan, old KPIs or a plan without the national audit: no; none recorded: not evidenced.
fn governance_evidence(f: &ProviderFacts) -> Judged {
    let docs = Documents::of(f, document_kinds::RESEARCH_DEVELOPMENT_PLAN);
    let mut words = docs.sentences(f.as_of, "research and development plan");
    let mut sources = docs.sources(f);
    if docs.is_empty() {
        words.push("No research and development plan in the evidence library.".to_string());
    }
    let recent_from = f.as_of.checked_sub_months(Months::new(KPI_RECENT_MONTHS)).unwrap_or(NaiveDate::MIN);
    let kpis = match f.kpis.last_period {
        Some((from, to)) => {
            words.push(format!(
                "Quality indicators last reported for {} to {}{}.",
                day(from),
                day(to),
                if f.kpis.missing_target.is_empty() {
                    String::new()
                } else {
                    format!(", {} missing target", counted(f.kpis.missing_target.len(), "indicator", "indicators"))
                }
            ));
            sources.push(kpis_page(f));
            if to >= recent_from {
                Part::Met
            } else {
                words.push(format!("None reported in the {KPI_RECENT_MONTHS} months to {}.", day(f.as_of)));
                Part::Unmet
            }
        }
        None => {
            words.push("No quality indicators reported.".to_string());
            Part::Unknown
        }
    };
    let national = match &f.audit_plan {
        Some(plan) => {
            let year = plan_year(plan);
            sources.push(plan_page(f, plan));
            if plan.national_audit {
                words.push(format!("The {year} audit plan takes part in the national benchmarking audit (MoHaWK)."));
                Part::Met
            } else {
                words.push(format!("The {year} audit plan has no national benchmarking audit (MoHaWK)."));
                Part::Unmet
            }
        }
        None => Part::Unknown,
    };
    Judged::new(from_parts(&[Part::document(&docs), kpis, national]), words, sources)
}

/// Question 5. The plan for auditing practice is this year's audit plan in the audit programme, or a current
/// audit plan document in the evidence library. Either, signed off as it stands (or current):
/// yes. This year's plan drafted, awaiting or returned from sign-off, or changed since: partly.
/// Only an audit plan document past review: no. Neither: not evidenced.
fn audit_plan(f: &ProviderFacts) -> Judged {
    let docs = Documents::of(f, document_kinds::AUDIT_PLAN);
    let mut words = Vec::new();
    let mut sources = Vec::new();
    if let Some(plan) = &f.audit_plan {
        words.push(plan_words(plan));
        words.push(format!(
            "{}{}.",
            counted(plan.local_clinical_audits, "local clinical audit", "local clinical audits"),
            if plan.national_audit {
                " and the national benchmarking audit (MoHaWK)"
            } else {
                "; no national benchmarking audit"
            }
        ));
        sources.push(plan_page(f, plan));
    }
    words.extend(docs.sentences(f.as_of, "audit plan document"));
    sources.extend(docs.sources(f));
    let value = match &f.audit_plan {
        _ if !docs.current.is_empty() => AnswerValue::Yes,
        Some(plan) if signed_off(plan) => AnswerValue::Yes,
        Some(_) => AnswerValue::Partly,
        None if !docs.lapsed.is_empty() => AnswerValue::No,
        None => {
            words.push("No audit plan for this year, and no audit plan document.".to_string());
            AnswerValue::NotEvidenced
        }
    };
    Judged::new(value, words, sources)
}

/// Question 6. The key clinical staff are the specialist tier (consultants, specialists) and the
/// intermediate tier (physicians, nurses, allied professionals) in post, with a current
/// contingency plan for losing any of them, as the guidance requires. Both tiers staffed and the
/// plan current: yes. Some clinical staff but not all of that: partly. People in post but none
/// in a clinical tier: no. Nobody in post recorded: not evidenced.
fn key_clinical_staff(f: &ProviderFacts) -> Judged {
    let w = &f.workforce;
    let docs = Documents::of(f, document_kinds::CONTINGENCY_PLAN);
    if w.in_post == 0 {
        let mut judged = no_staff_recorded(f);
        judged.facts.extend(docs.sentences(f.as_of, "contingency plan"));
        judged.sources.extend(docs.sources(f));
        return judged;
    }
    let mut words = vec![format!(
        "{} in post: {} in the specialist tier ({}), {} in the intermediate tier, {} in the non-clinical tier.",
        counted(w.in_post, "person", "people"),
        w.specialist_tier,
        counted(w.consultants, "consultant", "consultants"),
        w.intermediate_tier,
        w.non_clinical_tier,
    )];
    words.extend(docs.sentences(f.as_of, "contingency plan"));
    if docs.is_empty() {
        words.push("No contingency plan for the loss of key staff in the evidence library.".to_string());
    }
    let value = if w.specialist_tier + w.intermediate_tier == 0 {
        AnswerValue::No
    } else if w.specialist_tier > 0 && w.intermediate_tier > 0 && !docs.current.is_empty() {
        AnswerValue::Yes
    } else {
        AnswerValue::Partly
    };
    let mut sources = vec![workforce_page(f)];
    sources.extend(docs.sources(f));
    Judged::new(value, words, sources)
}

/// Question 7. Suitability and qualification show in the professional registrations and, for consultants,
/// the specialist route (CCT or CESR). Every registration current and every consultant's route
/// recorded: yes. A registration expired (someone practising unregistered): no. All registered but
/// a consultant with neither CCT nor CESR recorded: partly. Nobody with a professional
/// registration recorded: not evidenced.
fn qualified_staff(f: &ProviderFacts) -> Judged {
    let w = &f.workforce;
    if w.in_post == 0 {
        return no_staff_recorded(f);
    }
    if w.registrants == 0 {
        let words = format!(
            "None of the {} in post has a professional registration recorded.",
            counted(w.in_post, "person", "people")
        );
        return Judged::new(AnswerValue::NotEvidenced, vec![words], vec![workforce_page(f)]);
    }
    let expired = issue_count(f, Issue::RegistrationExpired);
    let due = issue_count(f, Issue::RegistrationDue);
    let mut words = vec![format!(
        "{} recorded.",
        counted(w.registrants, "professional registration", "professional registrations")
    )];
    words.push(match (expired, due) {
        (0, 0) => "Every registration is current.".to_string(),
        (0, due) => format!("Every registration is current; {} due for renewal.", due),
        (expired, 0) => format!("{} expired.", counted(expired, "registration", "registrations")),
        (expired, due) => {
            format!("{} expired; {due} due for renewal.", counted(expired, "registration", "registrations"))
        }
    });
    if w.consultants > 0 {
        words.push(if w.consultants_without_route == 0 {
            format!("Every consultant ({}) has CCT or CESR recorded.", w.consultants)
        } else {
            format!(
                "{} of {} {} neither CCT nor CESR recorded.",
                w.consultants_without_route,
                counted(w.consultants, "consultant", "consultants"),
                if w.consultants_without_route == 1 { "has" } else { "have" }
            )
        });
    }
    let value = if expired > 0 {
        AnswerValue::No
    } else if w.consultants_without_route > 0 {
        AnswerValue::Partly
    } else {
        AnswerValue::Yes
    };
    Judged::new(value, words, vec![workforce_page(f)])
}

/// Question 8. CPD is judged for each registered professional against their regulator's cycle (the
/// workforce rules' CPD issues). None short: yes. Some short: partly. Every one short: no.
/// Nobody registered: not evidenced.
fn cpd(f: &ProviderFacts) -> Judged {
    let w = &f.workforce;
    if w.in_post == 0 {
        return no_staff_recorded(f);
    }
    if w.registrants == 0 {
        let words = "No registered professionals recorded, whose CPD the regulators set.".to_string();
        return Judged::new(AnswerValue::NotEvidenced, vec![words], vec![workforce_page(f)]);
    }
    let value = match w.cpd_issues {
        0 => AnswerValue::Yes,
        n if n >= w.registrants => AnswerValue::No,
        _ => AnswerValue::Partly,
    };
    let mut words = vec![if w.cpd_issues == 0 {
        format!(
            "All {} on track with CPD.",
            counted(w.registrants, "registered professional is", "registered professionals are")
        )
    } else {
        format!(
            "{} of {} short of CPD.",
            w.cpd_issues,
            counted(w.registrants, "registered professional is", "registered professionals are")
        )
    }];
    let kinds: Vec<String> = [Issue::CpdShort, Issue::CpdPreviousYearShort, Issue::RevalidationCpdShort]
        .into_iter()
        .filter_map(|issue| {
            let n = issue_count(f, issue);
            (n > 0).then(|| format!("{}: {n}", issue.label()))
        })
        .collect();
    if !kinds.is_empty() {
        words.push(format!("{}.", kinds.join("; ")));
    }
    Judged::new(value, words, vec![workforce_page(f)])
}

/// Question 9. Each doctor (GMC registrant) should have a Responsible Officer recorded. The answer names
/// the Responsible Officers, the statutory role the question asks about, never the doctors. Every
/// doctor's recorded: yes; some: partly; none: no. No doctors in post: not evidenced (there is no
/// Responsible Officer to name).
fn responsible_officer(f: &ProviderFacts) -> Judged {
    let w = &f.workforce;
    if w.in_post == 0 {
        return no_staff_recorded(f);
    }
    if w.doctors == 0 {
        let words = "No doctors in post, so no Responsible Officer to name.".to_string();
        return Judged::new(AnswerValue::NotEvidenced, vec![words], vec![workforce_page(f)]);
    }
    let with_ro = w.doctors - w.doctors_without_ro.min(w.doctors);
    let value = match with_ro {
        _ if w.doctors_without_ro == 0 => AnswerValue::Yes,
        0 => AnswerValue::No,
        _ => AnswerValue::Partly,
    };
    let mut words = Vec::new();
    if !w.responsible_officers.is_empty() {
        words.push(format!("Responsible Officer: {}.", listed(&w.responsible_officers)));
    }
    words.push(if w.doctors_without_ro == 0 {
        format!("Recorded for every doctor ({}).", w.doctors)
    } else {
        format!(
            "{} of {} no Responsible Officer recorded.",
            w.doctors_without_ro,
            counted(w.doctors, "doctor has", "doctors have")
        )
    });
    Judged::new(value, words, vec![workforce_page(f)])
}

/// Question 10. A count, so yes when there is at least one nursing practice teacher in post, and no when
/// people are in post and none is one (with no nurses, none can be). Nobody in post: not evidenced.
fn practice_teachers(f: &ProviderFacts) -> Judged {
    let w = &f.workforce;
    if w.in_post == 0 {
        return no_staff_recorded(f);
    }
    let value = if w.practice_teachers > 0 { AnswerValue::Yes } else { AnswerValue::No };
    let words = format!(
        "{} among {} in post.",
        counted(w.practice_teachers, "nursing practice teacher", "nursing practice teachers"),
        counted(w.nurses, "nurse", "nurses")
    );
    Judged::new(value, vec![words], vec![workforce_page(f)])
}

/// Question 11. A count: yes with at least one specialty registrar (StR) in post. With none, a current
/// specialist training plan (training new specialists "directly or through formal arrangements
/// agreed with other providers", as the guidance allows) makes it partly; without one, no. Nobody
/// in post and no plan: not evidenced.
fn specialty_registrars(f: &ProviderFacts) -> Judged {
    let w = &f.workforce;
    let docs = Documents::of(f, document_kinds::SPECIALIST_TRAINING_PLAN);
    let mut sources = vec![workforce_page(f)];
    sources.extend(docs.sources(f));
    if w.in_post == 0 && docs.is_empty() {
        return no_staff_recorded(f);
    }
    let mut words = Vec::new();
    if w.in_post == 0 {
        words.push("No staff in post are recorded.".to_string());
    } else {
        words.push(format!(
            "{} in post.",
            counted(w.specialty_registrars, "specialty registrar (StR)", "specialty registrars (StR)")
        ));
    }
    words.extend(docs.sentences(f.as_of, "specialist training plan"));
    let value = if w.specialty_registrars > 0 {
        AnswerValue::Yes
    } else if !docs.current.is_empty() {
        AnswerValue::Partly
    } else if w.in_post == 0 {
        AnswerValue::NotEvidenced
    } else {
        AnswerValue::No
    };
    Judged::new(value, words, sources)
}

/// Question 12. Answered by a current staff development plan. Without one, a current specialist training
/// plan covers the specialists only: partly. Only plans past review: no. None: not evidenced.
fn staff_development_plan(f: &ProviderFacts) -> Judged {
    let mut judged = by_document(f, document_kinds::STAFF_DEVELOPMENT_PLAN, "staff development plan");
    if judged.value == AnswerValue::Yes {
        return judged;
    }
    let training = Documents::of(f, document_kinds::SPECIALIST_TRAINING_PLAN);
    if !training.current.is_empty() {
        judged.value = AnswerValue::Partly;
        judged.facts.extend(training.sentences(f.as_of, "specialist training plan, for the specialists only"));
        judged.sources.extend(training.sources(f));
    }
    judged
}

/// Question 13. The specialist areas are the guidance's ten sub-specialisms. Every one with an
/// arrangement in place on `as_of`: yes. Some without: partly, naming them. None: no. No
/// sub-specialism recorded at all: not evidenced (the records cannot say how any is delivered).
fn specialist_areas(f: &ProviderFacts) -> Judged {
    let c = &f.coverage;
    if c.subspecialisms_recorded == 0 || c.subspecialisms == 0 {
        let words = format!(
            "How the {} are delivered is not recorded.",
            counted(c.subspecialisms, "sub-specialism", "sub-specialisms")
        );
        return Judged::new(AnswerValue::NotEvidenced, vec![words], vec![coverage_page(f)]);
    }
    let gaps = c.subspecialism_gaps.len();
    let value = match gaps {
        0 => AnswerValue::Yes,
        n if n >= c.subspecialisms => AnswerValue::No,
        _ => AnswerValue::Partly,
    };
    let words = if gaps == 0 {
        format!("All {} have an arrangement.", counted(c.subspecialisms, "sub-specialism", "sub-specialisms"))
    } else {
        format!(
            "{gaps} of {} {} no arrangement: {}.",
            counted(c.subspecialisms, "sub-specialism", "sub-specialisms"),
            if gaps == 1 { "has" } else { "have" },
            listed(&c.subspecialism_gaps)
        )
    };
    Judged::new(value, vec![words], vec![coverage_page(f)])
}

/// Question 14. From the provider's own declaration: interfaced both ways, yes; receiving from ESR only,
/// partly; not interfaced, no; no declaration, not evidenced. The last staff import's date is put
/// beside it, so a commissioner can see whether the staff list is kept up to date.
fn esr_interface(f: &ProviderFacts) -> Judged {
    use crate::commissioning::model::EsrInterface as E;
    let mut sources = vec![esr_page(f)];
    let (value, mut words) = match &f.esr {
        Some(esr) => {
            if let Some(id) = esr.evidence_id {
                sources.push(evidence_page(f, id, "Evidence of the ESR interface"));
            }
            let value = match esr.interface {
                E::Bidirectional => AnswerValue::Yes,
                E::OneWay => AnswerValue::Partly,
                E::NotInterfaced => AnswerValue::No,
            };
            let evidence = if esr.evidence_id.is_some() { "" } else { " No evidence attached." };
            (value, vec![format!("{} (declared {}).{evidence}", esr.interface.label(), day(esr.declared_on))])
        }
        None => (AnswerValue::NotEvidenced, vec!["No ESR declaration recorded.".to_string()]),
    };
    words.push(match f.last_staff_import {
        Some(on) => format!("Last staff import {}.", day(on)),
        None => "No staff import recorded.".to_string(),
    });
    if f.last_staff_import.is_some() {
        sources.push(workforce_page(f));
    }
    Judged::new(value, words, sources)
}

/// Question 15. Answered by a current service development plan alone (the guidance's "plan for making the
/// business case for service development").
fn service_development_plan(f: &ProviderFacts) -> Judged {
    by_document(f, document_kinds::SERVICE_DEVELOPMENT_PLAN, "service development plan")
}

/// Whether a core service is delivered on `as_of`: unknown when no core service's delivery is
/// recorded at all (every one is then a "gap" only because nothing was written down).
fn core_service(f: &ProviderFacts, title: &str) -> Part {
    let c = &f.coverage;
    if c.core_services == 0 || c.core_gaps.len() >= c.core_services {
        Part::Unknown
    } else if c.core_gaps.iter().any(|gap| gap == title) {
        Part::Unmet
    } else {
        Part::Met
    }
}

/// Question 16. Rapid access to interventions for an early return to work needs an agreed process (a current
/// early return-to-work process document) and the two core services that carry it, timely
/// intervention and rehabilitation, delivered. All three: yes; some: partly; none, where the
/// records show a lapsed process or the services not delivered: no; nothing recorded: not
/// evidenced.
fn early_return_to_work(f: &ProviderFacts) -> Judged {
    let docs = Documents::of(f, document_kinds::EARLY_RETURN_TO_WORK_PROCESS);
    let mut words = docs.sentences(f.as_of, "early return-to-work process");
    if docs.is_empty() {
        words.push("No early return-to-work process in the evidence library.".to_string());
    }
    let services = [TIMELY_INTERVENTION, REHABILITATION].map(|title| (title, core_service(f, title)));
    let delivered: Vec<&str> = services.iter().filter(|(_, p)| *p == Part::Met).map(|(t, _)| *t).collect();
    let missing: Vec<&str> = services.iter().filter(|(_, p)| *p == Part::Unmet).map(|(t, _)| *t).collect();
    if !delivered.is_empty() {
        words.push(format!("{} {} delivered.", listed(&delivered), is_are(delivered.len())));
    }
    if !missing.is_empty() {
        words.push(format!("{} {} not delivered.", listed(&missing), is_are(missing.len())));
    }
    if delivered.is_empty() && missing.is_empty() {
        words.push("How the core services are delivered is not recorded.".to_string());
    }
    let mut sources = docs.sources(f);
    sources.push(coverage_page(f));
    let value = from_parts(&[Part::document(&docs), services[0].1, services[1].1]);
    Judged::new(value, words, sources)
}

/// Question 17. Communication with the commissioner's HR and managers shows in the six-monthly customer
/// reviews (`rules::reviews`). A confirmed review within the last six months: yes. Reviews held
/// but the next now overdue, or only reviews awaiting the other side's confirmation: partly. None
/// at all, under a contract more than six months old: no. Otherwise (no contract, or one too young
/// for a review to be due): not evidenced.
fn communication_links(f: &ProviderFacts) -> Judged {
    let r = &f.reviews;
    let overdue = review_overdue(r.last_confirmed, r.contracted_since, f.as_of);
    let mut words = Vec::new();
    if let Some(last) = r.last_confirmed {
        words.push(format!("Last confirmed customer review {}.", day(last)));
    } else {
        words.push("No confirmed customer review.".to_string());
    }
    if r.awaiting_confirmation > 0 {
        words.push(format!("{} awaiting confirmation.", counted(r.awaiting_confirmation, "review", "reviews")));
    }
    match review_due(r.last_confirmed, r.contracted_since) {
        Some(due) if overdue => words.push(format!("The next was due {}: overdue.", day(due))),
        Some(due) => words.push(format!("The next is due {}.", day(due))),
        None => words.push("No current contract.".to_string()),
    }
    let value = match (r.last_confirmed, r.awaiting_confirmation) {
        (Some(_), _) if !overdue => AnswerValue::Yes,
        (Some(_), _) | (None, 1..) => AnswerValue::Partly,
        (None, 0) if overdue => AnswerValue::No,
        (None, 0) => AnswerValue::NotEvidenced,
    };
    Judged::new(value, words, vec![reviews_page(f)])
}

#[cfg(test)]
mod tests;
