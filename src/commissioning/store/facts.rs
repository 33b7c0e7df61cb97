//! The facts of many providers at once, in set-based queries, and their keeping per day.
//!
//! [`gather`] reads every field of [`ProviderFacts`] for any number of providers in a fixed number
//! of queries: each area's store answers for a set of providers (`..._for_providers`), grouped in
//! SQL where a count will do, and the rules of each area judge the rows in Rust. No query runs per
//! provider, so the commissioner's page costs the same number of round trips for ten providers as
//! for a thousand.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::clock::FinancialYear;
use crate::commissioning::model::{
    AccreditationFacts, AuditPlanFacts, CoverageFacts, DocumentFacts, DomainFacts, EsrFacts, EsrInterface, KpiFacts,
    ProviderFacts, ReviewFacts, WorkforceFacts,
};
use crate::coverage::model::CoverageKind;
use crate::coverage::rules::EXPIRY_WARNING_DAYS;
use crate::db::schema::{customer_reviews, esr_declarations};
use crate::db::{DbConnection, ProviderId};
use crate::workforce::model::{Regulator, Tier};
use crate::workforce::rules::Issue;
use crate::workforce::store::PersonLine;

/// Above this many providers, [`gather`] reads them in slices of this size, so no query binds more
/// parameters than SQLite (32,766 in the bundled build) or PostgreSQL (65,535) accept. Every slice
/// makes the same queries, so the count grows only with every further thousand providers.
pub const PROVIDERS_PER_READ: usize = 5_000;

/// The facts of each of `providers` (those that are providers; unknown ids are left out) as of
/// `as_of`, in the order given. A fixed number of queries whatever the number of providers (up to
/// [`PROVIDERS_PER_READ`] at once).
pub fn gather(
    conn: &mut DbConnection,
    providers: &[ProviderId],
    as_of: NaiveDate,
    supervision_days: i64,
) -> QueryResult<Vec<ProviderFacts>> {
    let mut all = Vec::with_capacity(providers.len());
    for slice in providers.chunks(PROVIDERS_PER_READ) {
        all.extend(gather_slice(conn, slice, as_of, supervision_days)?);
    }
    Ok(all)
}

fn gather_slice(
    conn: &mut DbConnection,
    providers: &[ProviderId],
    as_of: NaiveDate,
    supervision_days: i64,
) -> QueryResult<Vec<ProviderFacts>> {
    use crate::{accounts, assessment, audits, coverage, evidence, history, quality, workforce};
    let names = accounts::store::provider_names(conn, providers)?;
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let mut accreditations: HashMap<ProviderId, AccreditationFacts> =
        assessment::store::accreditations_for_providers(conn, providers)?
            .into_iter()
            .map(|(provider, status, status_on, registered_on, accredited_on)| {
                (provider, AccreditationFacts { status, status_on, registered_on, accredited_on })
            })
            .collect();
    let mut self_assessment = assessment::store::self_assessment_for_providers(conn, providers)?;
    let findings = assessment::store::open_findings_for_providers(conn, providers)?;
    let directors = accounts::store::clinical_director_for_providers(conn, providers, as_of)?;
    let contracted_since = accounts::store::contracted_since_for_providers(conn, providers, as_of)?;
    let year = FinancialYear::containing(as_of);
    let mut plans = audits::store::plans::plans_for_providers(conn, providers, year)?;
    let overdue = audits::store::actions::overdue_counts_for_providers(conn, providers, as_of)?;
    let mut services = coverage::store::coverage_for_providers(conn, providers, as_of)?;
    let mut people = workforce::store::judge_for_providers(conn, providers, as_of, supervision_days)?;
    let regulated = workforce::store::regulations(conn)?;
    let ids: Vec<i32> = providers.iter().map(|p| p.0).collect();
    let imports = history::store::last_recorded_for(conn, &ids, "import", "staff")?;
    let mut documents: HashMap<ProviderId, Vec<DocumentFacts>> = HashMap::new();
    for item in evidence::store::kinded_items_for_providers(conn, providers, as_of)? {
        documents.entry(item.provider_id).or_default().push(DocumentFacts {
            kind: item.kind,
            title: item.title,
            evidence_id: item.id,
            review_due: item.review_due,
            current: item.current,
        });
    }
    let mut kpis = quality::store::reported_for_providers(conn, providers, as_of)?;
    let mut esr = esr_for_providers(conn, providers)?;
    let mut reviews = reviews_for_providers(conn, providers)?;

    Ok(providers
        .iter()
        .filter_map(|provider| {
            let name = names.get(provider)?.clone();
            let mut facts = ProviderFacts::new(*provider, name, as_of);
            facts.accreditation = accreditations.remove(provider);
            if let Some((domains, must_not_met)) = self_assessment.remove(provider) {
                facts.domains = domains
                    .into_iter()
                    .map(|d| DomainFacts {
                        reference: d.reference,
                        title: d.title,
                        applicable: d.applicable,
                        met: d.met,
                        not_assessed: d.not_assessed,
                    })
                    .collect();
                facts.must_not_met = must_not_met;
            }
            (facts.open_findings, facts.open_major_findings) = findings.get(provider).copied().unwrap_or_default();
            facts.has_clinical_director = directors.contains(provider);
            facts.audit_plan = plans.remove(provider).map(|plan| AuditPlanFacts {
                year: year.url(),
                state: plan.state,
                changed_since_sign_off: plan.changed_since_sign_off,
                national_audit: plan.national_audit,
                local_clinical_audits: plan.local_clinical_audits,
            });
            facts.overdue_actions = overdue.get(provider).copied().unwrap_or(0);
            facts.documents = documents.remove(provider).unwrap_or_default();
            facts.workforce =
                workforce_facts(&people.remove(provider).unwrap_or_default(), |r| regulated.get(r).is_some());
            facts.coverage = coverage_facts(&services.remove(provider).unwrap_or_default(), as_of);
            facts.esr = esr.remove(provider);
            facts.last_staff_import = imports.get(&provider.0).map(|at| at.date());
            facts.reviews = reviews.remove(provider).unwrap_or_default();
            facts.reviews.contracted_since = contracted_since.get(provider).copied();
            facts.kpis = kpis
                .remove(provider)
                .map(|k| KpiFacts {
                    last_period: k.last_period.map(|p| (p.start, p.end)),
                    missing_target: k.missing_target,
                    reported: k.reported,
                })
                .unwrap_or_default();
            Some(facts)
        })
        .collect())
}

/// The registration issues: the register's own dates (renewal, revalidation).
const REGISTRATION_ISSUES: [Issue; 4] =
    [Issue::RegistrationExpired, Issue::RegistrationDue, Issue::RevalidationDue, Issue::RevalidationOverdue];

/// The CPD issues: short of a cycle's, a year's or a revalidation's requirement.
const CPD_ISSUES: [Issue; 3] = [Issue::CpdShort, Issue::CpdPreviousYearShort, Issue::RevalidationCpdShort];

/// One provider's people in post, already judged by the workforce rules, counted into its facts.
/// The issue totals and the supervision figures are the workforce page's own (`rules::summarise`).
fn workforce_facts(lines: &[PersonLine], has_rule: impl Fn(Regulator) -> bool) -> WorkforceFacts {
    use crate::workforce::rules;
    let counted: Vec<rules::Counted> = lines
        .iter()
        .map(|l| rules::Counted {
            discipline: l.staff.discipline,
            tier: l.staff.tier,
            practice_teacher: l.staff.practice_teacher,
            needs_supervision: l.needs_supervision,
            issues: &l.issues,
        })
        .collect();
    let summary = rules::summarise(&counted, &[]);
    let count = |wanted: &dyn Fn(&PersonLine) -> bool| lines.iter().filter(|l| wanted(l)).count();
    let any_of = |l: &PersonLine, issues: &[Issue]| l.issues.iter().any(|i| issues.contains(i));
    let registered = |l: &PersonLine| l.staff.regulator != Regulator::None && has_rule(l.staff.regulator);
    let doctor = |l: &PersonLine| l.staff.regulator == Regulator::Gmc;
    let mut responsible_officers: Vec<String> = Vec::new();
    for line in lines.iter().filter(|l| doctor(l)) {
        if let Some(ro) = line.staff.responsible_officer.as_deref().map(str::trim).filter(|ro| !ro.is_empty()) {
            if !responsible_officers.iter().any(|known| known == ro) {
                responsible_officers.push(ro.to_string());
            }
        }
    }
    let non_clinical = |l: &PersonLine| l.staff.tier == Tier::NonClinical && l.needs_supervision;
    WorkforceFacts {
        in_post: lines.len(),
        specialist_tier: count(&|l| l.staff.tier == Tier::Specialist),
        intermediate_tier: count(&|l| l.staff.tier == Tier::Clinical),
        non_clinical_tier: count(&|l| l.staff.tier == Tier::NonClinical),
        consultants: summary.consultants,
        consultants_without_route: count(&|l| l.issues.contains(&Issue::SpecialistRouteMissing)),
        doctors: count(&doctor),
        doctors_without_ro: count(&|l| doctor(l) && l.issues.contains(&Issue::ResponsibleOfficerMissing)),
        responsible_officers,
        nurses: count(&|l| l.staff.regulator == Regulator::Nmc),
        practice_teachers: summary.practice_teachers,
        specialty_registrars: summary.specialty_registrars,
        registrants: count(&registered),
        registration_issues: count(&|l| any_of(l, &REGISTRATION_ISSUES)),
        cpd_issues: count(&|l| any_of(l, &CPD_ISSUES)),
        people_with_issues: count(&|l| !l.issues.is_empty()),
        issues: summary.totals,
        non_clinical_needing_supervision: count(&non_clinical),
        non_clinical_supervised: count(&|l| non_clinical(l) && !l.issues.contains(&Issue::SupervisionOverdue)),
    }
}

/// One provider's services, judged by the coverage rules, counted into its facts.
fn coverage_facts(lines: &[crate::coverage::store::ServiceLine], as_of: NaiveDate) -> CoverageFacts {
    let core = |l: &&crate::coverage::store::ServiceLine| l.kind == CoverageKind::CoreService;
    let sub = |l: &&crate::coverage::store::ServiceLine| l.kind == CoverageKind::Subspecialism;
    CoverageFacts {
        core_services: lines.iter().filter(core).count(),
        core_gaps: lines.iter().filter(core).filter(|l| l.state.is_gap()).map(|l| l.title.clone()).collect(),
        subspecialisms: lines.iter().filter(sub).count(),
        subspecialisms_recorded: lines.iter().filter(sub).filter(|l| l.recorded).count(),
        subspecialism_gaps: lines.iter().filter(sub).filter(|l| l.state.is_gap()).map(|l| l.title.clone()).collect(),
        arrangements_ending: lines
            .iter()
            .filter(|l| l.state == crate::coverage::rules::CoverageState::Expiring)
            .filter_map(|l| l.ends_on.map(|end| (l.title.clone(), end)))
            .filter(|(_, end)| (*end - as_of).num_days() <= EXPIRY_WARNING_DAYS)
            .collect(),
    }
}

/// The ESR declarations of many providers, each with the current version of the evidence series
/// it names. Two queries.
fn esr_for_providers(conn: &mut DbConnection, providers: &[ProviderId]) -> QueryResult<HashMap<ProviderId, EsrFacts>> {
    let rows: Vec<(ProviderId, EsrInterface, Option<i32>, NaiveDate)> = esr_declarations::table
        .filter(esr_declarations::provider_id.eq_any(providers))
        .select((
            esr_declarations::provider_id,
            esr_declarations::interface,
            esr_declarations::evidence_series_id,
            esr_declarations::declared_on,
        ))
        .load(conn)?;
    let series: Vec<i32> = rows.iter().filter_map(|r| r.2).collect();
    let current = crate::evidence::store::current_of_series(conn, &series)?;
    Ok(rows
        .into_iter()
        .map(|(provider, interface, series, declared_on)| {
            let evidence_id = series.and_then(|s| current.get(&s).copied());
            (provider, EsrFacts { interface, declared_on, evidence_id })
        })
        .collect())
}

/// The customer reviews of many providers with any commissioner: the day of the latest confirmed
/// one and how many await confirmation. One query (a few rows a year per provider); `contracted_since` is left for
/// the caller (it is the contracts', read from accounts).
fn reviews_for_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
) -> QueryResult<HashMap<ProviderId, ReviewFacts>> {
    let rows: Vec<(ProviderId, NaiveDate, bool)> = customer_reviews::table
        .filter(customer_reviews::provider_id.eq_any(providers))
        .select((
            customer_reviews::provider_id,
            customer_reviews::held_on,
            customer_reviews::confirmed_at.is_not_null(),
        ))
        .load(conn)?;
    let mut reviews: HashMap<ProviderId, ReviewFacts> = HashMap::new();
    for (provider, held_on, confirmed) in rows {
        let entry = reviews.entry(provider).or_default();
        if !confirmed {
            entry.awaiting_confirmation += 1;
        } else if entry.last_confirmed.is_none_or(|last| last < held_on) {
            entry.last_confirmed = Some(held_on);
        }
    }
    Ok(reviews)
}
