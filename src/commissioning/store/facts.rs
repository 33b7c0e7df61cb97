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
use crate::commissioning::rules::comparison;
use crate::commissioning::rules::reviews::review_overdue;
use crate::coverage::model::CoverageKind;
use crate::db::schema::{customer_reviews, esr_declarations, provider_figures};
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
            facts.coverage = coverage_facts(&services.remove(provider).unwrap_or_default());
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
    let counted: Vec<rules::Counted> = lines.iter().map(PersonLine::counted).collect();
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
/// `Expiring` is the coverage rule's own "ends within 90 days".
fn coverage_facts(lines: &[crate::coverage::store::ServiceLine]) -> CoverageFacts {
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
    let current = crate::evidence::store::currents_of_series(conn, &series)?;
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

// ---------------------------------------------------------------------------------------------
// The keeping: `provider_figures`, one row per provider.
//
// Why a kept row can be trusted. Every store that feeds the facts writes, in the same transaction
// as its change, a history row whose `organisation_id` is the provider (contracts and memberships
// included); a change to the catalogue writes one with no organisation, and concerns everyone. The
// history chain is written under a lock (`history::store::record` locks the chain, and holds the
// lock until its transaction commits), so history ids commit in order: once the head is seen as
// `h`, every change numbered `h` or below has committed. `refresh` reads the head BEFORE it gathers,
// and keeps the facts with that id. A change committed later gets a higher id and names the
// provider (or no one), so the next request finds the row stale and gathers it again; a change
// the gathering already saw is at worst gathered twice. The facts also depend on the day (overdue,
// expiring, current) and on the supervision interval, so a row of another day or interval is stale
// too. Nothing else feeds them.
// ---------------------------------------------------------------------------------------------

/// One kept row, as written. A None is written as NULL (`treat_none_as_default_value = false`), not as "the column's default": SQLite has no DEFAULT in a multi-row insert, so diesel would write such rows one statement each.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = provider_figures, treat_none_as_default_value = false)]
struct KeptRow {
    provider_id: ProviderId,
    as_of: NaiveDate,
    history_id: i32,
    supervision_days: i32,
    facts: String,
    name: String,
    accredited: bool,
    months_working_towards: Option<i32>,
    met_per_mille: i32,
    must_not_met: i32,
    gaps: i32,
    arrangements_ending: i32,
    people_with_issues: i32,
    non_clinical_unsupervised: i32,
    plan_signed_off: bool,
    overdue_actions: i32,
    last_kpi_period_end: Option<NaiveDate>,
    kpis_missing_target: i32,
}

fn small(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl KeptRow {
    fn of(facts: &ProviderFacts, history_id: i32, supervision_days: i64) -> QueryResult<Self> {
        let figures = comparison::figures(facts, None);
        Ok(KeptRow {
            provider_id: facts.provider_id,
            as_of: facts.as_of,
            history_id,
            supervision_days: i32::try_from(supervision_days).unwrap_or(i32::MAX),
            facts: serde_json::to_string(facts).map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?,
            name: facts.name.clone(),
            accredited: comparison::is_accredited(figures.accreditation),
            months_working_towards: figures.months_working_towards.and_then(|m| i32::try_from(m).ok()),
            met_per_mille: i32::try_from(figures.met_per_mille).unwrap_or(1000),
            must_not_met: small(figures.must_not_met),
            gaps: small(figures.core_gaps + figures.subspecialism_gaps),
            arrangements_ending: small(figures.arrangements_ending),
            people_with_issues: small(figures.people_with_issues),
            non_clinical_unsupervised: small(
                figures.non_clinical_needing_supervision.saturating_sub(figures.non_clinical_supervised),
            ),
            plan_signed_off: comparison::plan_signed_off(figures.plan_state, figures.plan_changed_since_sign_off),
            overdue_actions: small(figures.overdue_actions),
            last_kpi_period_end: figures.last_kpi_period_end,
            kpis_missing_target: small(figures.kpis_missing_target),
        })
    }
}

/// Which of `providers` have no kept row fit for `as_of` and `supervision_days`: none kept, kept on
/// another day or with another interval, or a history row after the kept one names the provider or
/// no organisation. Two queries: the kept rows, and the newest history id by organisation after
/// the oldest kept one (grouped in SQL).
pub fn stale(
    conn: &mut DbConnection,
    providers: &[ProviderId],
    as_of: NaiveDate,
    supervision_days: i64,
) -> QueryResult<Vec<ProviderId>> {
    let mut kept: HashMap<ProviderId, (NaiveDate, i32, i32)> = HashMap::new();
    for slice in providers.chunks(PROVIDERS_PER_READ) {
        kept.extend(
            provider_figures::table
                .filter(provider_figures::provider_id.eq_any(slice))
                .select((
                    provider_figures::provider_id,
                    provider_figures::as_of,
                    provider_figures::history_id,
                    provider_figures::supervision_days,
                ))
                .load::<(ProviderId, NaiveDate, i32, i32)>(conn)?
                .into_iter()
                .map(|(p, day, h, s)| (p, (day, h, s))),
        );
    }
    let oldest = kept.values().map(|(_, h, _)| *h).min().unwrap_or(0);
    // Every organisation's newest change after the oldest kept row: a short list on a quiet day.
    let newest = crate::history::store::newest_by_organisation_after(conn, oldest)?;
    let everyone = newest.get(&None).copied().unwrap_or(0);
    Ok(providers
        .iter()
        .copied()
        .filter(|provider| match kept.get(provider) {
            None => true,
            Some((day, history_id, days)) => {
                *day != as_of
                    || i64::from(*days) != supervision_days
                    || everyone > *history_id
                    || newest.get(&Some(provider.0)).is_some_and(|id| id > history_id)
            }
        })
        .collect())
}

/// Brings the kept facts of `providers` up to date for `as_of`: finds the stale ([`stale`]),
/// reads the history's head, gathers the stale in one batch ([`gather`]), and replaces their rows
/// in one transaction. Returns how many were gathered. A fixed number of queries whatever the
/// number of providers.
pub fn refresh(
    conn: &mut DbConnection,
    providers: &[ProviderId],
    as_of: NaiveDate,
    supervision_days: i64,
) -> QueryResult<usize> {
    let stale = stale(conn, providers, as_of, supervision_days)?;
    if stale.is_empty() {
        return Ok(0);
    }
    // The head first: a change that commits while the facts are read is after it, so seen next time.
    let head = crate::history::store::head(conn)?.map_or(0, |(id, _)| id);
    let gathered = gather(conn, &stale, as_of, supervision_days)?;
    let rows = gathered.iter().map(|f| KeptRow::of(f, head, supervision_days)).collect::<QueryResult<Vec<_>>>()?;
    let written = crate::db::write_transaction(conn, |conn| {
        for slice in stale.chunks(PROVIDERS_PER_READ) {
            diesel::delete(provider_figures::table.filter(provider_figures::provider_id.eq_any(slice)))
                .execute(conn)?;
        }
        crate::db::insert_batch(conn, provider_figures::table, &rows)
    });
    match written {
        // Another request kept the same providers at the same moment: its rows are as good.
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => Ok(0),
        Err(error) => Err(error),
        Ok(_) => Ok(gathered.len()),
    }
}

/// The comparison's sort keys, each a kept column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComparisonSort {
    Name,
    Accreditation,
    Standards,
    MustNotMet,
    Gaps,
    Workforce,
    Supervision,
    Plan,
    OverdueActions,
    Kpis,
}

crate::sort_keys!(ComparisonSort, default Name, descending first [],
    Name => "name", Accreditation => "accreditation", Standards => "standards", MustNotMet => "must_not_met",
    Gaps => "gaps", Workforce => "workforce", Supervision => "supervision", Plan => "plan",
    OverdueActions => "overdue_actions", Kpis => "kpis");

/// What the comparison is narrowed to: a search of the names, and a problem.
#[derive(Debug, Clone, Default)]
pub struct ComparisonFilter {
    pub search: String,
    pub problem: Option<comparison::Problem>,
    /// For the review-overdue problem: the providers whose review with this commissioner is overdue,
    /// judged in Rust by `rules::reviews::review_overdue` (the store is handed the ids).
    pub review_overdue: Vec<ProviderId>,
}

/// One page of the kept facts of `providers`, searched, filtered, sorted and paged in SQL (two
/// queries: the count and the page). Call [`refresh`] first.
#[allow(clippy::too_many_arguments)]
pub fn comparison_page(
    conn: &mut DbConnection,
    providers: &[ProviderId],
    filter: &ComparisonFilter,
    sort: ComparisonSort,
    dir: crate::db::Direction,
    page: i64,
) -> QueryResult<crate::db::Page<ProviderFacts>> {
    use crate::commissioning::rules::comparison::Problem;
    use crate::db::page::{contains_pattern, lower};
    use provider_figures as f;
    let query = || {
        let mut query = f::table.filter(f::provider_id.eq_any(providers.to_vec())).into_boxed();
        if !filter.search.is_empty() {
            query = query.filter(lower(f::name).like(lower(contains_pattern(&filter.search))).escape('\\'));
        }
        query = match filter.problem {
            None => query,
            Some(Problem::NotAccredited) => query.filter(f::accredited.eq(false)),
            Some(Problem::Gaps) => query.filter(f::gaps.gt(0)),
            Some(Problem::PlanNotSignedOff) => query.filter(f::plan_signed_off.eq(false)),
            Some(Problem::MustNotMet) => query.filter(f::must_not_met.gt(0)),
            Some(Problem::WorkforceIssues) => query.filter(f::people_with_issues.gt(0)),
            Some(Problem::OverdueActions) => query.filter(f::overdue_actions.gt(0)),
            Some(Problem::KpisMissingTarget) => query.filter(f::kpis_missing_target.gt(0)),
            Some(Problem::ReviewOverdue) => query.filter(f::provider_id.eq_any(filter.review_overdue.clone())),
        };
        query
    };
    let total: i64 = query().count().get_result(conn)?;
    crate::db::Page::fetch(page, total, |offset, limit| {
        let desc = dir == crate::db::Direction::Descending;
        let ordered = query().select(f::facts);
        macro_rules! by {
            ($column:expr) => {
                if desc {
                    ordered.order($column.desc())
                } else {
                    ordered.order($column.asc())
                }
            };
        }
        let ordered = match sort {
            ComparisonSort::Name => by!(lower(f::name)),
            ComparisonSort::Accreditation => {
                // Accredited after the rest; among the rest, the longest working towards first.
                if desc {
                    ordered.order(f::accredited.desc()).then_order_by(f::months_working_towards.is_null())
                } else {
                    ordered.order(f::accredited.asc()).then_order_by(f::months_working_towards.is_null())
                }
                .then_order_by(f::months_working_towards.desc())
            }
            ComparisonSort::Standards => by!(f::met_per_mille),
            ComparisonSort::MustNotMet => by!(f::must_not_met),
            ComparisonSort::Gaps => by!(f::gaps),
            ComparisonSort::Workforce => by!(f::people_with_issues),
            ComparisonSort::Supervision => by!(f::non_clinical_unsupervised),
            ComparisonSort::Plan => by!(f::plan_signed_off),
            ComparisonSort::OverdueActions => by!(f::overdue_actions),
            ComparisonSort::Kpis => by!(f::kpis_missing_target),
        };
        let kept: Vec<String> = ordered
            .then_order_by(lower(f::name))
            .then_order_by(f::provider_id)
            .offset(offset)
            .limit(limit)
            .load(conn)?;
        kept.iter()
            .map(|json| {
                serde_json::from_str(json).map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))
            })
            .collect()
    })
}

/// The kept facts of every one of `providers`, in name order: the JSON API's and the CSV's rows.
pub fn all_kept(conn: &mut DbConnection, providers: &[ProviderId]) -> QueryResult<Vec<ProviderFacts>> {
    let mut all = Vec::new();
    for slice in providers.chunks(PROVIDERS_PER_READ) {
        let kept: Vec<String> = provider_figures::table
            .filter(provider_figures::provider_id.eq_any(slice))
            .select(provider_figures::facts)
            .load(conn)?;
        for json in kept {
            all.push(
                serde_json::from_str::<ProviderFacts>(&json)
                    .map_err(|e| diesel::result::Error::DeserializationError(Box::new(e)))?,
            );
        }
    }
    all.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.provider_id.cmp(&b.provider_id)));
    Ok(all)
}

/// One provider's row on a commissioner's page: its kept facts, their figures, and the last
/// confirmed customer review with THIS commissioner (read live, not kept).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ComparisonRow {
    pub facts: ProviderFacts,
    pub figures: comparison::Figures,
    pub last_review: Option<NaiveDate>,
    pub review_overdue: bool,
}

/// The day of the last confirmed customer review of each of `providers` with `commissioner_id`.
/// One query, the latest taken in SQL.
pub fn last_reviews_with(
    conn: &mut DbConnection,
    commissioner_id: i32,
    providers: &[ProviderId],
) -> QueryResult<HashMap<ProviderId, NaiveDate>> {
    Ok(customer_reviews::table
        .filter(customer_reviews::commissioner_id.eq(commissioner_id))
        .filter(customer_reviews::provider_id.eq_any(providers))
        .filter(customer_reviews::confirmed_at.is_not_null())
        .group_by(customer_reviews::provider_id)
        .select((customer_reviews::provider_id, diesel::dsl::max(customer_reviews::held_on)))
        .load::<(ProviderId, Option<NaiveDate>)>(conn)?
        .into_iter()
        .filter_map(|(provider, day)| Some((provider, day?)))
        .collect())
}

/// What every view of a commissioner's providers starts from: the providers it holds a current
/// contract with on `as_of`, their kept facts brought up to date ([`refresh`]), and where this
/// commissioner stands with each one's customer reviews (read live). Four queries and a refresh.
struct Commissioned {
    providers: Vec<ProviderId>,
    with: HashMap<ProviderId, comparison::WithCommissioner>,
}

impl Commissioned {
    fn read(
        conn: &mut DbConnection,
        commissioner_id: i32,
        as_of: NaiveDate,
        supervision_days: i64,
    ) -> QueryResult<Self> {
        let contracted = crate::accounts::store::contracted_providers(conn, commissioner_id, as_of)?;
        let providers: Vec<ProviderId> = contracted.iter().map(|(provider, _)| *provider).collect();
        refresh(conn, &providers, as_of, supervision_days)?;
        let reviews = last_reviews_with(conn, commissioner_id, &providers)?;
        let with = contracted
            .into_iter()
            .map(|(provider, contracted_since)| {
                let last_review = reviews.get(&provider).copied();
                (provider, comparison::WithCommissioner { last_review, contracted_since })
            })
            .collect();
        Ok(Commissioned { providers, with })
    }

    /// A row from kept facts, with this commissioner's reviews.
    fn row(&self, facts: ProviderFacts) -> ComparisonRow {
        let with = self.with.get(&facts.provider_id).copied();
        let figures = comparison::figures(&facts, with);
        let review_overdue = figures.problems.contains(&comparison::Problem::ReviewOverdue);
        ComparisonRow { last_review: with.and_then(|w| w.last_review), facts, figures, review_overdue }
    }
}

/// The work of the commissioner's page: [`Commissioned`], then the page asked for. A fixed number
/// of queries whatever the number of providers: the handler runs only this, so the query-count
/// test measures it.
#[allow(clippy::too_many_arguments)]
pub fn comparison(
    conn: &mut DbConnection,
    commissioner_id: i32,
    as_of: NaiveDate,
    supervision_days: i64,
    mut filter: ComparisonFilter,
    sort: ComparisonSort,
    dir: crate::db::Direction,
    page: i64,
) -> QueryResult<crate::db::Page<ComparisonRow>> {
    let commissioned = Commissioned::read(conn, commissioner_id, as_of, supervision_days)?;
    if filter.problem == Some(comparison::Problem::ReviewOverdue) {
        // Judged by the rule in Rust; only the ids go to SQL.
        filter.review_overdue = commissioned
            .with
            .iter()
            .filter(|(_, w)| review_overdue(w.last_review, Some(w.contracted_since), as_of))
            .map(|(provider, _)| *provider)
            .collect();
    }
    let page = comparison_page(conn, &commissioned.providers, &filter, sort, dir, page)?;
    Ok(page.map(|facts| commissioned.row(facts)))
}

/// Every row of the commissioner's providers (the API's and the CSV's), with the same filter as the
/// page but no paging, in name order.
pub fn comparison_all(
    conn: &mut DbConnection,
    commissioner_id: i32,
    as_of: NaiveDate,
    supervision_days: i64,
    problem: Option<comparison::Problem>,
    search: &str,
) -> QueryResult<Vec<ComparisonRow>> {
    let commissioned = Commissioned::read(conn, commissioner_id, as_of, supervision_days)?;
    let search = search.trim().to_lowercase();
    Ok(all_kept(conn, &commissioned.providers)?
        .into_iter()
        .map(|facts| commissioned.row(facts))
        .filter(|row| search.is_empty() || row.facts.name.to_lowercase().contains(&search))
        .filter(|row| problem.is_none_or(|p| row.figures.problems.contains(&p)))
        .collect())
}
