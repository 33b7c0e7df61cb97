//! Loading and saving the assessment: cycles, standard assessments, the accreditation record,
//! findings and assessor requests. Each write is one transaction with its history row.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::model::{
    AccreditationChange, AccreditationStatus, AssessmentChange, AssessmentResult, CycleKind, FindingGrade,
    FindingSource, NewFinding, RequestStatus, Workflow, NARRATIVE_LIMIT,
};
use super::rules::{self, Assessed, Domain, Evidence, Facts, LiveVerdict, Pathway, Readiness, Standard};
use crate::accounts::store::provider_people;
use crate::catalogue::model::{CatalogueKind, Level, LiveCheck, NodeKind};
use crate::db::schema::{
    accreditations, assessment_cycles, assessor_request_evidence, assessor_requests, catalogue_nodes,
    catalogue_replaces, catalogues, findings, standard_assessments, users,
};
use crate::db::ProviderId;
use crate::db::StoreError;
use crate::db::UserId;
use crate::db::{self, DbConnection};
use crate::history::store::{json, record, record_action, record_created, Diff};
use crate::history::Entry;

/// A round of self-assessment, with the framework it is against.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct Cycle {
    pub id: i32,
    pub catalogue_id: i32,
    pub kind: CycleKind,
    pub started_on: NaiveDate,
    pub previous_cycle_id: Option<i32>,
    pub framework_code: String,
    pub framework_title: String,
}

/// The provider's cycles with their frameworks, newest first.
#[diesel::dsl::auto_type(no_type_alias)]
fn cycles_query(provider_id: ProviderId) -> _ {
    assessment_cycles::table
        .inner_join(catalogues::table)
        .filter(assessment_cycles::provider_id.eq(provider_id))
        .select((
            assessment_cycles::id,
            assessment_cycles::catalogue_id,
            assessment_cycles::kind,
            assessment_cycles::started_on,
            assessment_cycles::previous_cycle_id,
            catalogues::code,
            catalogues::title,
        ))
        .order(assessment_cycles::id.desc())
}

/// The provider's newest cycle, the one being worked on.
pub fn current_cycle(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Option<Cycle>> {
    cycles_query(provider_id).first(conn).optional()
}

/// Every cycle of the provider, newest first.
pub fn cycles(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Vec<Cycle>> {
    cycles_query(provider_id).load(conn)
}

/// The frameworks in the catalogue as (id, code, title), newest first: a framework another
/// replaces comes after the one replacing it.
pub fn frameworks(conn: &mut DbConnection) -> QueryResult<Vec<(i32, String, String)>> {
    let all: Vec<(i32, String, String, Option<String>)> = catalogues::table
        .filter(catalogues::kind.eq(CatalogueKind::Framework))
        .select((catalogues::id, catalogues::code, catalogues::title, catalogues::replaces_code))
        .order(catalogues::version.desc())
        .load(conn)?;
    let replaced: HashSet<&str> = all.iter().filter_map(|(_, _, _, r)| r.as_deref()).collect();
    let (mut newest, older): (Vec<_>, Vec<_>) =
        all.iter().partition(|(_, code, _, _)| !replaced.contains(code.as_str()));
    newest.extend(older);
    Ok(newest.into_iter().map(|(id, code, title, _)| (*id, code.clone(), title.clone())).collect())
}

/// The framework a provider is assessed against: its current cycle's, or the newest.
pub fn framework_id(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Option<i32>> {
    let cycle = current_cycle(conn, provider_id)?;
    framework_of(conn, cycle.as_ref())
}

/// The framework of a cycle already loaded, or the newest before the first cycle.
fn framework_of(conn: &mut DbConnection, cycle: Option<&Cycle>) -> QueryResult<Option<i32>> {
    match cycle {
        Some(cycle) => Ok(Some(cycle.catalogue_id)),
        None => Ok(frameworks(conn)?.first().map(|(id, _, _)| *id)),
    }
}

/// The provider's current cycle, starting the initial one against the newest framework if there
/// is none yet. Call inside a write transaction.
fn ensure_cycle(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    today: NaiveDate,
) -> Result<Cycle, StoreError> {
    if let Some(cycle) = current_cycle(conn, provider_id)? {
        return Ok(cycle);
    }
    let Some((catalogue_id, code, _)) = frameworks(conn)?.into_iter().next() else {
        return Err(StoreError::invalid("framework", "No SEQOHS framework is loaded: run `ohgov catalogue load`"));
    };
    insert_cycle(conn, by, provider_id, catalogue_id, &code, CycleKind::Initial, today, None, 0)?;
    current_cycle(conn, provider_id)?.ok_or(StoreError::Database(diesel::result::Error::NotFound))
}

#[allow(clippy::too_many_arguments)]
fn insert_cycle(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    catalogue_id: i32,
    framework_code: &str,
    kind: CycleKind,
    started_on: NaiveDate,
    previous_cycle_id: Option<i32>,
    carried: usize,
) -> QueryResult<i32> {
    diesel::insert_into(assessment_cycles::table)
        .values((
            assessment_cycles::provider_id.eq(provider_id),
            assessment_cycles::catalogue_id.eq(catalogue_id),
            assessment_cycles::kind.eq(kind),
            assessment_cycles::started_on.eq(started_on),
            assessment_cycles::previous_cycle_id.eq(previous_cycle_id),
            assessment_cycles::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    let id = db::last_insert_id(conn)?;
    record_created(
        conn,
        by,
        Some(provider_id.0),
        "assessment_cycle",
        id,
        vec![
            ("kind", json(kind.as_str())),
            ("framework", json(framework_code)),
            ("started_on", json(started_on)),
            ("previous_cycle", json(previous_cycle_id)),
            ("carried_over", json(carried)),
        ],
    )?;
    Ok(id)
}

/// A framework's domains and standards, in catalogue order.
pub fn framework_standards(conn: &mut DbConnection, catalogue_id: i32) -> QueryResult<(Vec<Domain>, Vec<Standard>)> {
    let nodes: Vec<(i32, String, Option<i32>, NodeKind, Level, String)> = catalogue_nodes::table
        .filter(catalogue_nodes::catalogue_id.eq(catalogue_id))
        .filter(catalogue_nodes::retired.eq(false))
        .filter(catalogue_nodes::kind.eq_any([NodeKind::Domain, NodeKind::Standard]))
        .select((
            catalogue_nodes::id,
            catalogue_nodes::reference,
            catalogue_nodes::parent_id,
            catalogue_nodes::kind,
            catalogue_nodes::level,
            catalogue_nodes::title,
        ))
        .order((catalogue_nodes::position, catalogue_nodes::id))
        .load(conn)?;
    let domain_refs: HashMap<i32, &str> =
        nodes.iter().filter(|n| n.3 == NodeKind::Domain).map(|n| (n.0, n.1.as_str())).collect();
    let domains = nodes
        .iter()
        .filter(|n| n.3 == NodeKind::Domain)
        .map(|n| Domain { reference: n.1.clone(), title: n.5.clone(), applies: true })
        .collect();
    let standards = nodes
        .iter()
        .filter(|n| n.3 == NodeKind::Standard)
        .filter_map(|n| {
            let domain = domain_refs.get(&n.2?)?;
            Some(Standard {
                node_id: n.0,
                reference: n.1.clone(),
                title: n.5.clone(),
                level: n.4,
                domain_reference: domain.to_string(),
            })
        })
        .collect();
    Ok((domains, standards))
}

/// The provider's live evidence as the readiness rules count it (from the evidence store).
pub fn live_evidence(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Vec<Evidence>> {
    Ok(crate::evidence::store::live_items(conn, provider_id)?
        .into_iter()
        .map(|item| Evidence {
            review_due: item.review_due,
            owner_user_id: item.owner_user_id,
            node_ids: item.node_ids,
        })
        .collect())
}

/// The standards of the provider's current cycle marked met, as (node id, reference, title), in the
/// catalogue file's order: what evidence the live checks expect to be current. Two queries; none met
/// before the first cycle.
pub fn met_standards(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Vec<(i32, String, String)>> {
    let Some(cycle) = current_cycle(conn, provider_id)? else { return Ok(Vec::new()) };
    standard_assessments::table
        .inner_join(catalogue_nodes::table)
        .filter(standard_assessments::cycle_id.eq(cycle.id))
        .filter(standard_assessments::result.eq(AssessmentResult::Met))
        .select((catalogue_nodes::id, catalogue_nodes::reference, catalogue_nodes::title))
        .order(catalogue_nodes::id)
        .load(conn)
}

/// Everything the readiness figures are counted from, for the provider's current cycle (or, before
/// the first, the newest framework with nothing assessed), as of `today` (which decides, by
/// default, whether the sector-specific domain applies). About ten queries, whatever the size.
pub fn readiness_facts(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    today: NaiveDate,
) -> QueryResult<(Option<Cycle>, Facts)> {
    let cycle = current_cycle(conn, provider_id)?;
    let Some(catalogue_id) = framework_of(conn, cycle.as_ref())? else { return Ok((cycle, Facts::default())) };
    let (mut domains, standards) = framework_standards(conn, catalogue_id)?;
    if domains.iter().any(|d| rules::is_nhs_domain(&d.reference)) {
        let choice = crate::accounts::store::nhs_domain_choice(conn, provider_id)?;
        // The provider's own choice needs no more; by default, its type and its contracts decide.
        let applies = match choice {
            Some(_) => rules::nhs_domain_applies(choice, None, false),
            None => {
                let organisation_type =
                    crate::accounts::store::provider(conn, provider_id)?.and_then(|p| p.organisation_type);
                let contract = crate::accounts::store::has_current_nhs_contract(conn, provider_id, today)?;
                rules::nhs_domain_applies(None, organisation_type, contract)
            }
        };
        for domain in domains.iter_mut().filter(|d| rules::is_nhs_domain(&d.reference)) {
            domain.applies = applies;
        }
    }
    let assessed = match &cycle {
        Some(cycle) => standard_assessments::table
            .filter(standard_assessments::cycle_id.eq(cycle.id))
            .select((
                standard_assessments::node_id,
                standard_assessments::workflow,
                standard_assessments::result,
                standard_assessments::carried_over,
                standard_assessments::owner_user_id,
            ))
            .load::<(i32, Workflow, AssessmentResult, bool, Option<i32>)>(conn)?
            .into_iter()
            .map(|(node, workflow, result, carried_over, owner_user_id)| {
                (node, Assessed { workflow, result, carried_over, owner_user_id })
            })
            .collect(),
        None => HashMap::new(),
    };
    let evidence = live_evidence(conn, provider_id)?;
    let mut open_findings: HashMap<i32, usize> = HashMap::new();
    for node in findings::table
        .filter(findings::provider_id.eq(provider_id))
        .filter(findings::closed_on.is_null())
        .filter(findings::withdrawn_at.is_null())
        .select(findings::node_id)
        .load::<i32>(conn)?
    {
        *open_findings.entry(node).or_default() += 1;
    }
    let mut open_requests: HashMap<Option<i32>, usize> = HashMap::new();
    for node in assessor_requests::table
        .filter(assessor_requests::provider_id.eq(provider_id))
        .filter(assessor_requests::status.ne(RequestStatus::Accepted))
        .select(assessor_requests::node_id)
        .load::<Option<i32>>(conn)?
    {
        *open_requests.entry(node).or_default() += 1;
    }
    Ok((cycle, Facts { domains, standards, assessed, evidence, open_findings, open_requests, live: HashMap::new() }))
}

/// The accreditation record as pages and the API show it.
#[derive(Debug, Clone, Serialize, Default)]
pub struct AccreditationRecord {
    pub status: AccreditationStatus,
    pub status_label: String,
    pub status_on: Option<NaiveDate>,
    pub registered_on: Option<NaiveDate>,
    pub self_assessment_completed_on: Option<NaiveDate>,
    pub evidence_submitted_on: Option<NaiveDate>,
    pub visit_on: Option<NaiveDate>,
    pub accredited_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub next_renewal_on: Option<NaiveDate>,
    pub deferred_actions: Option<String>,
    pub deferred_due: Option<NaiveDate>,
    pub months_working_towards: Option<u32>,
    pub next_milestone: Option<rules::Milestone>,
    /// The next date has passed without the step being recorded.
    pub milestone_overdue: bool,
}

/// The provider's record on the pathway, if it has one.
fn pathway(conn: &mut DbConnection, provider_id: ProviderId) -> QueryResult<Option<Pathway>> {
    let row: Option<AccreditationRow> = accreditations::table
        .find(provider_id)
        .select((
            accreditations::status,
            accreditations::status_on,
            accreditations::registered_on,
            accreditations::self_assessment_completed_on,
            accreditations::evidence_submitted_on,
            accreditations::visit_on,
            accreditations::accredited_on,
            accreditations::deferred_actions,
            accreditations::deferred_due,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|(status, status_on, registered_on, self_done, submitted, visit_on, accredited_on, actions, due)| {
        Pathway {
            status,
            status_on,
            registered_on,
            self_assessment_completed_on: self_done,
            evidence_submitted_on: submitted,
            visit_on,
            accredited_on,
            deferred_actions: actions,
            deferred_due: due,
        }
    }))
}

type AccreditationRow = (
    AccreditationStatus,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<String>,
    Option<NaiveDate>,
);

/// The provider's accreditation record with the dates that follow from it; a provider with none
/// is not registered.
pub fn accreditation(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    today: NaiveDate,
) -> QueryResult<AccreditationRecord> {
    let Some(pathway) = pathway(conn, provider_id)? else {
        let status = AccreditationStatus::NotRegistered;
        return Ok(AccreditationRecord { status, status_label: status.label().into(), ..Default::default() });
    };
    let Pathway { status, accredited_on, .. } = pathway;
    let accredited = status == AccreditationStatus::Accredited;
    let next_milestone = rules::next_milestone(&pathway, today);
    Ok(AccreditationRecord {
        status_label: status.label().to_string(),
        status,
        status_on: pathway.status_on,
        registered_on: pathway.registered_on,
        self_assessment_completed_on: pathway.self_assessment_completed_on,
        evidence_submitted_on: pathway.evidence_submitted_on,
        visit_on: pathway.visit_on,
        accredited_on,
        expires_on: accredited_on.filter(|_| accredited).and_then(rules::expires_on),
        next_renewal_on: accredited_on.filter(|_| accredited).and_then(|a| rules::next_renewal(a, today)),
        months_working_towards: rules::months_working_towards(&pathway, today),
        milestone_overdue: next_milestone.as_ref().is_some_and(|m| m.is_past(today)),
        deferred_due: pathway.deferred_due,
        deferred_actions: pathway.deferred_actions,
        next_milestone,
    })
}

/// Moves the provider along the pathway. The date of each step reached is kept, so the record
/// shows when the service registered, submitted and was accredited.
pub fn change_accreditation(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    change: &AccreditationChange,
) -> Result<(), StoreError> {
    db::write_transaction(conn, |conn| {
        let before = pathway(conn, provider_id)?;
        let old = before.clone().unwrap_or_default();
        let after = rules::take_step(&old, change)?;
        let values = (
            accreditations::status.eq(after.status),
            accreditations::status_on.eq(after.status_on),
            accreditations::registered_on.eq(after.registered_on),
            accreditations::self_assessment_completed_on.eq(after.self_assessment_completed_on),
            accreditations::evidence_submitted_on.eq(after.evidence_submitted_on),
            accreditations::visit_on.eq(after.visit_on),
            accreditations::accredited_on.eq(after.accredited_on),
            accreditations::deferred_actions.eq(&after.deferred_actions),
            accreditations::deferred_due.eq(after.deferred_due),
            accreditations::updated_at.eq(Utc::now().naive_utc()),
        );
        let mut diff = Diff::default();
        diff.field("status", before.as_ref().map(|b| b.status), after.status)
            .field("status_on", old.status_on, after.status_on)
            .field("registered_on", old.registered_on, after.registered_on)
            .field("self_assessment_completed_on", old.self_assessment_completed_on, after.self_assessment_completed_on)
            .field("evidence_submitted_on", old.evidence_submitted_on, after.evidence_submitted_on)
            .field("visit_on", old.visit_on, after.visit_on)
            .field("accredited_on", old.accredited_on, after.accredited_on)
            .field("deferred_actions", &old.deferred_actions, &after.deferred_actions)
            .field("deferred_due", old.deferred_due, after.deferred_due);
        if diff.is_empty() {
            return Ok(());
        }
        if before.is_some() {
            diesel::update(accreditations::table.find(provider_id)).set(values).execute(conn)?;
        } else {
            diesel::insert_into(accreditations::table)
                .values((accreditations::provider_id.eq(provider_id), values))
                .execute(conn)?;
        }
        record_action(conn, by, Some(provider_id.0), "accreditation", provider_id.0, "update", diff)?;
        Ok(())
    })
}

/// A standard of the provider's framework, by reference.
fn standard_node(conn: &mut DbConnection, catalogue_id: i32, reference: &str) -> QueryResult<Option<i32>> {
    catalogue_nodes::table
        .filter(catalogue_nodes::catalogue_id.eq(catalogue_id))
        .filter(catalogue_nodes::reference.eq(reference))
        .filter(catalogue_nodes::kind.eq(NodeKind::Standard))
        .filter(catalogue_nodes::retired.eq(false))
        .select(catalogue_nodes::id)
        .first(conn)
        .optional()
}

/// Saves a standard's self-assessment in the current cycle. Saving confirms a carried-over result.
/// Returns false when the standard is not in the framework.
pub fn save_assessment(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    reference: &str,
    change: &AssessmentChange,
    today: NaiveDate,
) -> Result<(), StoreError> {
    db::write_transaction(conn, |conn| {
        let cycle = ensure_cycle(conn, by, provider_id, today)?;
        let Some(node_id) = standard_node(conn, cycle.catalogue_id, reference)? else {
            return Err(StoreError::NotFound);
        };
        crate::evidence::store::check_owner(conn, provider_id, change.owner_user_id)?;
        type Row = (i32, Workflow, AssessmentResult, Option<String>, Option<i32>, Option<NaiveDate>, String, bool);
        let existing: Option<Row> = standard_assessments::table
            .filter(standard_assessments::cycle_id.eq(cycle.id))
            .filter(standard_assessments::node_id.eq(node_id))
            .select((
                standard_assessments::id,
                standard_assessments::workflow,
                standard_assessments::result,
                standard_assessments::not_applicable_reason,
                standard_assessments::owner_user_id,
                standard_assessments::target_on,
                standard_assessments::narrative,
                standard_assessments::carried_over,
            ))
            .first(conn)
            .optional()?;
        let mut diff = Diff::default();
        let old = existing.clone().unwrap_or((
            0,
            Workflow::ToDo,
            AssessmentResult::NotAssessed,
            None,
            None,
            None,
            String::new(),
            false,
        ));
        diff.field("workflow", old.1, change.workflow)
            .field("result", old.2, change.result)
            .field("not_applicable_reason", &old.3, &change.not_applicable_reason)
            .field("owner_user_id", old.4, change.owner_user_id)
            .field("target_on", old.5, change.target_on)
            .field("narrative", &old.6, &change.narrative)
            .field("carried_over", old.7, false);
        if diff.is_empty() {
            return Ok(());
        }
        let now = Utc::now().naive_utc();
        let values = (
            standard_assessments::workflow.eq(change.workflow),
            standard_assessments::result.eq(change.result),
            standard_assessments::not_applicable_reason.eq(&change.not_applicable_reason),
            standard_assessments::owner_user_id.eq(change.owner_user_id),
            standard_assessments::target_on.eq(change.target_on),
            standard_assessments::narrative.eq(&change.narrative),
            standard_assessments::carried_over.eq(false),
            standard_assessments::updated_at.eq(now),
            standard_assessments::updated_by.eq(by),
        );
        let action = match existing {
            Some((id, ..)) => {
                diesel::update(standard_assessments::table.find(id)).set(values).execute(conn)?;
                "update"
            }
            None => {
                diesel::insert_into(standard_assessments::table)
                    .values((
                        standard_assessments::cycle_id.eq(cycle.id),
                        standard_assessments::node_id.eq(node_id),
                        values,
                    ))
                    .execute(conn)?;
                "create"
            }
        };
        record(
            conn,
            &Entry {
                user_id: by,
                organisation_id: Some(provider_id.0),
                entity: "assessment".into(),
                entity_id: format!("{reference} (cycle {})", cycle.id),
                action: action.into(),
                changes: diff.0,
            },
        )?;
        Ok(())
    })
}

/// Starts the next cycle against `framework_code`, carrying the current cycle's assessment forward:
/// directly for the same framework, through the catalogue's `replaces` mapping for a new one. Each
/// carried result is marked for review. Returns the new cycle's id and how many were carried.
pub fn start_cycle(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    kind: CycleKind,
    framework_code: &str,
    started_on: NaiveDate,
) -> Result<(i32, usize), StoreError> {
    db::write_transaction(conn, |conn| {
        let framework: Option<(i32, Option<String>)> = catalogues::table
            .filter(catalogues::code.eq(framework_code))
            .filter(catalogues::kind.eq(CatalogueKind::Framework))
            .select((catalogues::id, catalogues::replaces_code))
            .first(conn)
            .optional()?;
        let Some((catalogue_id, replaces_code)) = framework else {
            return Err(StoreError::invalid(
                "framework",
                format!("There is no framework {framework_code:?} in the catalogue"),
            ));
        };
        let previous = current_cycle(conn, provider_id)?;
        if let Some(previous) = &previous {
            if kind == CycleKind::Initial {
                return Err(StoreError::invalid(
                    "kind",
                    "The initial cycle has begun; choose annual renewal or reaccreditation",
                ));
            }
            if started_on < previous.started_on {
                return Err(StoreError::invalid("started_on", "The new cycle cannot start before the current one"));
            }
            if previous.catalogue_id != catalogue_id
                && replaces_code.as_deref() != Some(previous.framework_code.as_str())
            {
                return Err(StoreError::invalid(
                    "framework",
                    format!("{framework_code} does not replace {}, so nothing can carry over", previous.framework_code),
                ));
            }
        }
        let (_, new_standards) = framework_standards(conn, catalogue_id)?;
        let (carried, sources) = match &previous {
            None => (Vec::new(), Vec::new()),
            Some(previous) => {
                let sources = carry_sources(conn, &new_standards, previous, catalogue_id)?;
                let before = previous_assessments(conn, previous.id)?;
                (rules::carry_over(&before, &sources, NARRATIVE_LIMIT), sources)
            }
        };
        let cycle_id = insert_cycle(
            conn,
            by,
            provider_id,
            catalogue_id,
            framework_code,
            kind,
            started_on,
            previous.as_ref().map(|p| p.id),
            carried.len(),
        )?;
        let now = Utc::now().naive_utc();
        let rows: Vec<_> = carried
            .iter()
            .map(|c| {
                (
                    standard_assessments::cycle_id.eq(cycle_id),
                    standard_assessments::node_id.eq(c.node_id),
                    standard_assessments::workflow.eq(c.workflow),
                    standard_assessments::result.eq(c.result),
                    standard_assessments::not_applicable_reason.eq(c.not_applicable_reason.clone()),
                    standard_assessments::owner_user_id.eq(c.owner_user_id),
                    standard_assessments::narrative.eq(c.narrative.clone()),
                    standard_assessments::carried_over.eq(true),
                    standard_assessments::updated_at.eq(now),
                    standard_assessments::updated_by.eq(by),
                )
            })
            .collect();
        db::insert_batch(conn, standard_assessments::table, &rows)?;
        if previous.as_ref().is_some_and(|p| p.catalogue_id != catalogue_id) {
            carry_links(conn, provider_id, &sources)?;
        }
        Ok((cycle_id, carried.len()))
    })
}

/// For each standard of a framework, the (id, reference) of the standards it takes over.
pub type CarrySources = Vec<(i32, Vec<(i32, String)>)>;

/// For each standard of the new framework, the standards of the previous cycle it takes over.
fn carry_sources(
    conn: &mut DbConnection,
    new_standards: &[Standard],
    previous: &Cycle,
    catalogue_id: i32,
) -> QueryResult<CarrySources> {
    if previous.catalogue_id == catalogue_id {
        return Ok(new_standards.iter().map(|s| (s.node_id, vec![(s.node_id, s.reference.clone())])).collect());
    }
    let replaced = diesel::alias!(catalogue_nodes as replaced);
    let pairs: Vec<(i32, i32, String)> = catalogue_replaces::table
        .inner_join(replaced.on(replaced.field(catalogue_nodes::id).eq(catalogue_replaces::replaced_node_id)))
        .filter(replaced.field(catalogue_nodes::catalogue_id).eq(previous.catalogue_id))
        .select((
            catalogue_replaces::node_id,
            catalogue_replaces::replaced_node_id,
            replaced.field(catalogue_nodes::reference),
        ))
        .order((catalogue_replaces::node_id, replaced.field(catalogue_nodes::reference)))
        .load(conn)?;
    let mut by_node: HashMap<i32, Vec<(i32, String)>> = HashMap::new();
    for (node, old, reference) in pairs {
        by_node.entry(node).or_default().push((old, reference));
    }
    Ok(new_standards.iter().filter_map(|s| by_node.remove(&s.node_id).map(|from| (s.node_id, from))).collect())
}

fn previous_assessments(conn: &mut DbConnection, cycle_id: i32) -> QueryResult<Vec<rules::Previous>> {
    type Row = (i32, Workflow, AssessmentResult, Option<String>, Option<i32>, String);
    let rows: Vec<Row> = standard_assessments::table
        .filter(standard_assessments::cycle_id.eq(cycle_id))
        .select((
            standard_assessments::node_id,
            standard_assessments::workflow,
            standard_assessments::result,
            standard_assessments::not_applicable_reason,
            standard_assessments::owner_user_id,
            standard_assessments::narrative,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(node_id, workflow, result, reason, owner, narrative)| rules::Previous {
            node_id,
            workflow,
            result,
            not_applicable_reason: reason,
            owner_user_id: owner,
            narrative,
        })
        .collect())
}

/// Links each document linked to an old standard to the new standards that replace it.
fn carry_links(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    sources: &[(i32, Vec<(i32, String)>)],
) -> QueryResult<()> {
    let existing = crate::evidence::store::links(conn, provider_id)?;
    let mut series_by_old: HashMap<i32, Vec<i32>> = HashMap::new();
    for (series, node) in &existing {
        series_by_old.entry(*node).or_default().push(*series);
    }
    let mut added: HashSet<(i32, i32)> = HashSet::new();
    for (new_node, from) in sources {
        for (old_node, _) in from {
            for series in series_by_old.get(old_node).into_iter().flatten() {
                if !existing.contains(&(*series, *new_node)) {
                    added.insert((*series, *new_node));
                }
            }
        }
    }
    crate::evidence::store::insert_links(conn, &added.into_iter().collect::<Vec<_>>())
}

/// One standard's page: the catalogue text, its assessment, and what bears on it.
#[derive(Debug, Clone, Serialize)]
pub struct StandardPage {
    pub node_id: i32,
    pub reference: String,
    pub title: String,
    pub level: Level,
    pub guidance: String,
    pub expected_evidence: Vec<String>,
    /// The live checks the standard names in the catalogue.
    pub checks: Vec<LiveCheck>,
    pub replaces: Vec<String>,
    pub domain_reference: String,
    pub domain_title: String,
    pub cycle: Option<Cycle>,
    pub workflow: Workflow,
    pub result: AssessmentResult,
    pub not_applicable_reason: Option<String>,
    pub owner_user_id: Option<i32>,
    pub target_on: Option<NaiveDate>,
    pub narrative: String,
    pub carried_over: bool,
    pub updated_at: Option<NaiveDateTime>,
    pub findings: Vec<FindingLine>,
    pub requests: Vec<RequestLine>,
}

/// A standard of the provider's framework with its assessment in the current cycle; None when the
/// framework has no such standard.
pub fn standard_page(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    reference: &str,
) -> QueryResult<Option<StandardPage>> {
    let cycle = current_cycle(conn, provider_id)?;
    let Some(catalogue_id) = framework_of(conn, cycle.as_ref())? else { return Ok(None) };
    let Some(node_id) = standard_node(conn, catalogue_id, reference)? else { return Ok(None) };
    let domain = diesel::alias!(catalogue_nodes as domain);
    let (title, level, guidance, expected, domain_reference, domain_title, checks): (
        String,
        Level,
        String,
        String,
        String,
        String,
        String,
    ) = catalogue_nodes::table
        .inner_join(domain.on(catalogue_nodes::parent_id.eq(domain.field(catalogue_nodes::id).nullable())))
        .filter(catalogue_nodes::id.eq(node_id))
        .select((
            catalogue_nodes::title,
            catalogue_nodes::level,
            catalogue_nodes::guidance,
            catalogue_nodes::expected_evidence,
            domain.field(catalogue_nodes::reference),
            domain.field(catalogue_nodes::title),
            catalogue_nodes::checks,
        ))
        .first(conn)?;
    let replaced = diesel::alias!(catalogue_nodes as replaced);
    let replaces: Vec<String> = catalogue_replaces::table
        .inner_join(replaced.on(replaced.field(catalogue_nodes::id).eq(catalogue_replaces::replaced_node_id)))
        .filter(catalogue_replaces::node_id.eq(node_id))
        .select(replaced.field(catalogue_nodes::reference))
        .order(replaced.field(catalogue_nodes::reference))
        .load(conn)?;
    type Row =
        (Workflow, AssessmentResult, Option<String>, Option<i32>, Option<NaiveDate>, String, bool, NaiveDateTime);
    let saved: Option<Row> = match &cycle {
        Some(cycle) => standard_assessments::table
            .filter(standard_assessments::cycle_id.eq(cycle.id))
            .filter(standard_assessments::node_id.eq(node_id))
            .select((
                standard_assessments::workflow,
                standard_assessments::result,
                standard_assessments::not_applicable_reason,
                standard_assessments::owner_user_id,
                standard_assessments::target_on,
                standard_assessments::narrative,
                standard_assessments::carried_over,
                standard_assessments::updated_at,
            ))
            .first(conn)
            .optional()?,
        None => None,
    };
    let assessed = saved
        .as_ref()
        .map(|s| Assessed { workflow: s.0, result: s.1, carried_over: s.6, owner_user_id: s.3 })
        .unwrap_or_default();
    let findings = findings_list(conn, provider_id, Some(node_id), false)?;
    let requests = requests_list(conn, provider_id, Some(node_id), false)?;
    Ok(Some(StandardPage {
        node_id,
        reference: reference.to_string(),
        title,
        level,
        guidance,
        expected_evidence: serde_json::from_str(&expected).unwrap_or_default(),
        checks: serde_json::from_str::<Vec<String>>(&checks)
            .unwrap_or_default()
            .iter()
            .filter_map(|name| LiveCheck::parse(name))
            .collect(),
        replaces,
        domain_reference,
        domain_title,
        cycle,
        workflow: assessed.workflow,
        result: assessed.result,
        not_applicable_reason: saved.as_ref().and_then(|s| s.2.clone()),
        owner_user_id: assessed.owner_user_id,
        target_on: saved.as_ref().and_then(|s| s.4),
        narrative: saved.as_ref().map(|s| s.5.clone()).unwrap_or_default(),
        carried_over: assessed.carried_over,
        updated_at: saved.as_ref().map(|s| s.7),
        findings,
        requests,
    }))
}

/// A finding as lists show it.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct FindingLine {
    pub id: i32,
    pub reference: String,
    pub grade: FindingGrade,
    pub source: FindingSource,
    pub description: String,
    pub action_needed: String,
    pub raised_on: NaiveDate,
    pub raised_by: Option<String>,
    pub closed_on: Option<NaiveDate>,
    /// Set when a manager withdrew it as entered by mistake: it is shown, and not counted.
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawal_reason: Option<String>,
}

/// The provider's findings, open ones first, then closed, then withdrawn, newest first; optionally
/// for one standard, or only the open ones.
pub fn findings_list(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    node_id: Option<i32>,
    open_only: bool,
) -> QueryResult<Vec<FindingLine>> {
    let mut found = finding_lines(conn, provider_id, FindingsWanted { node_id, open_only, finding_id: None })?;
    found.sort_by_key(|f| (f.withdrawn_at.is_some(), f.closed_on.is_some()));
    Ok(found)
}

/// One of the provider's findings, or None if it is not theirs.
pub fn finding(conn: &mut DbConnection, provider_id: ProviderId, finding_id: i32) -> QueryResult<Option<FindingLine>> {
    let wanted = FindingsWanted { finding_id: Some(finding_id), ..Default::default() };
    Ok(finding_lines(conn, provider_id, wanted)?.pop())
}

/// Which of a provider's findings to read.
#[derive(Debug, Clone, Copy, Default)]
struct FindingsWanted {
    node_id: Option<i32>,
    open_only: bool,
    finding_id: Option<i32>,
}

/// The provider's findings, narrowed in SQL, newest first.
fn finding_lines(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    wanted: FindingsWanted,
) -> QueryResult<Vec<FindingLine>> {
    let mut query = findings::table
        .inner_join(catalogue_nodes::table)
        .left_join(users::table.on(users::id.nullable().eq(findings::raised_by)))
        .filter(findings::provider_id.eq(provider_id))
        .select((
            findings::id,
            catalogue_nodes::reference,
            findings::grade,
            findings::source,
            findings::description,
            findings::action_needed,
            findings::raised_on,
            users::name.nullable(),
            findings::closed_on,
            findings::withdrawn_at,
            findings::withdrawal_reason,
        ))
        .into_boxed();
    if let Some(node_id) = wanted.node_id {
        query = query.filter(findings::node_id.eq(node_id));
    }
    if let Some(finding_id) = wanted.finding_id {
        query = query.filter(findings::id.eq(finding_id));
    }
    if wanted.open_only {
        query = query.filter(findings::closed_on.is_null()).filter(findings::withdrawn_at.is_null());
    }
    query.order((findings::raised_on.desc(), findings::id.desc())).load(conn)
}

/// Records a finding against a standard of the provider's framework; returns its id, or None when
/// there is no such standard.
pub fn record_finding(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    reference: &str,
    source: FindingSource,
    finding: &NewFinding,
) -> Result<i32, StoreError> {
    db::write_transaction(conn, |conn| {
        let Some(catalogue_id) = framework_id(conn, provider_id)? else { return Err(StoreError::NotFound) };
        let Some(node_id) = standard_node(conn, catalogue_id, reference)? else { return Err(StoreError::NotFound) };
        diesel::insert_into(findings::table)
            .values((
                findings::provider_id.eq(provider_id),
                findings::node_id.eq(node_id),
                findings::grade.eq(finding.grade),
                findings::source.eq(source),
                findings::description.eq(&finding.description),
                findings::action_needed.eq(&finding.action_needed),
                findings::raised_on.eq(finding.raised_on),
                findings::raised_by.eq(by),
                findings::created_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        let id = db::last_insert_id(conn)?;
        record_created(
            conn,
            by,
            Some(provider_id.0),
            "finding",
            id,
            vec![
                ("standard", json(reference)),
                ("grade", json(finding.grade.as_str())),
                ("source", json(source.as_str())),
                ("description", json(&finding.description)),
                ("action_needed", json(&finding.action_needed)),
                ("raised_on", json(finding.raised_on)),
            ],
        )?;
        Ok(id)
    })
}

/// Closes an open finding of the provider's. Returns false if there is no such open finding.
pub fn close_finding(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    finding_id: i32,
    closed_on: NaiveDate,
) -> Result<(), StoreError> {
    db::write_transaction(conn, |conn| {
        let raised_on: Option<NaiveDate> = findings::table
            .filter(findings::id.eq(finding_id))
            .filter(findings::provider_id.eq(provider_id))
            .filter(findings::closed_on.is_null())
            .filter(findings::withdrawn_at.is_null())
            .select(findings::raised_on)
            .first(conn)
            .optional()?;
        let Some(raised_on) = raised_on else { return Err(StoreError::NotFound) };
        if closed_on < raised_on {
            return Err(StoreError::invalid("closed_on", "A finding cannot be closed before it was raised"));
        }
        diesel::update(findings::table.find(finding_id))
            .set((findings::closed_on.eq(closed_on), findings::closed_by.eq(by)))
            .execute(conn)?;
        let mut diff = Diff::default();
        diff.field("closed_on", Option::<NaiveDate>::None, closed_on);
        record_action(conn, by, Some(provider_id.0), "finding", finding_id, "close", diff)?;
        Ok(())
    })
}

/// Withdraws a finding entered by mistake: it stays listed and in the history with the reason,
/// and no longer counts as open. An open or a closed finding may be withdrawn, once.
pub fn withdraw_finding(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    finding_id: i32,
    reason: &str,
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    db::write_transaction(conn, |conn| {
        let found: Option<Option<NaiveDateTime>> = findings::table
            .filter(findings::id.eq(finding_id))
            .filter(findings::provider_id.eq(provider_id))
            .select(findings::withdrawn_at)
            .first(conn)
            .optional()?;
        match found {
            None => return Err(StoreError::NotFound),
            Some(Some(_)) => return Err(StoreError::invalid("reason", "This finding has already been withdrawn")),
            Some(None) => {}
        }
        let now = crate::history::rules::to_stored_precision(now);
        diesel::update(findings::table.find(finding_id))
            .set((
                findings::withdrawn_at.eq(now),
                findings::withdrawn_by.eq(by),
                findings::withdrawal_reason.eq(reason),
            ))
            .execute(conn)?;
        let mut diff = Diff::default();
        diff.field("withdrawn_at", Option::<NaiveDateTime>::None, now);
        diff.field("withdrawal_reason", Option::<String>::None, reason);
        record_action(conn, by, Some(provider_id.0), "finding", finding_id, "withdraw", diff)?;
        Ok(())
    })
}

/// An assessor request as lists show it.
#[derive(Debug, Clone, Serialize, Queryable)]
pub struct RequestLine {
    pub id: i32,
    pub reference: Option<String>,
    pub request_text: String,
    pub status: RequestStatus,
    pub raised_by: Option<String>,
    pub raised_at: NaiveDateTime,
    pub answer_text: Option<String>,
    pub answered_at: Option<NaiveDateTime>,
    pub decision_comment: Option<String>,
}

/// The provider's requests as lists show them, before any narrowing.
#[diesel::dsl::auto_type(no_type_alias)]
fn requests_query(provider_id: ProviderId) -> _ {
    assessor_requests::table
        .left_join(catalogue_nodes::table)
        .left_join(users::table.on(users::id.nullable().eq(assessor_requests::raised_by)))
        .filter(assessor_requests::provider_id.eq(provider_id))
        .select((
            assessor_requests::id,
            catalogue_nodes::reference.nullable(),
            assessor_requests::request_text,
            assessor_requests::status,
            users::name.nullable(),
            assessor_requests::raised_at,
            assessor_requests::answer_text,
            assessor_requests::answered_at,
            assessor_requests::decision_comment,
        ))
}

/// The provider's requests, newest first; optionally only those about one standard.
pub fn requests_list(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    node_id: Option<i32>,
    open_only: bool,
) -> QueryResult<Vec<RequestLine>> {
    let mut query = requests_query(provider_id).into_boxed();
    if let Some(node_id) = node_id {
        query = query.filter(assessor_requests::node_id.eq(node_id));
    }
    if open_only {
        // Open as the readiness figure counts them: until the assessor accepts the answer.
        query = query.filter(assessor_requests::status.ne(RequestStatus::Accepted));
    }
    query.order(assessor_requests::id.desc()).load(conn)
}

/// An evidence version attached to an answer: (item id, title, version, file name).
pub use crate::evidence::store::Attached;

/// One request with the evidence attached to its answer.
pub fn request(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    request_id: i32,
) -> QueryResult<Option<(RequestLine, Vec<Attached>)>> {
    let found: Option<RequestLine> =
        requests_query(provider_id).filter(assessor_requests::id.eq(request_id)).first(conn).optional()?;
    let Some(line) = found else { return Ok(None) };
    let attached_ids: Vec<i32> = assessor_request_evidence::table
        .filter(assessor_request_evidence::request_id.eq(request_id))
        .select(assessor_request_evidence::evidence_id)
        .load(conn)?;
    let attached = crate::evidence::store::attached(conn, &attached_ids)?;
    Ok(Some((line, attached)))
}

/// Raises a request, optionally about one standard; returns its id.
pub fn raise_request(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    reference: Option<&str>,
    text: &str,
) -> Result<i32, StoreError> {
    db::write_transaction(conn, |conn| {
        let node_id = match reference {
            Some(reference) => {
                let catalogue_id = framework_id(conn, provider_id)?.unwrap_or_default();
                match standard_node(conn, catalogue_id, reference)? {
                    Some(id) => Some(id),
                    None => return Err(StoreError::invalid("standard", format!("There is no standard {reference}"))),
                }
            }
            None => None,
        };
        diesel::insert_into(assessor_requests::table)
            .values((
                assessor_requests::provider_id.eq(provider_id),
                assessor_requests::node_id.eq(node_id),
                assessor_requests::request_text.eq(text),
                assessor_requests::status.eq(RequestStatus::Open),
                assessor_requests::raised_by.eq(by),
                assessor_requests::raised_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        let id = db::last_insert_id(conn)?;
        record_created(
            conn,
            by,
            Some(provider_id.0),
            "assessor_request",
            id,
            vec![
                ("standard", json(reference)),
                ("request", json(text)),
                ("status", json(RequestStatus::Open.as_str())),
            ],
        )?;
        Ok(id)
    })
}

fn request_status(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    request_id: i32,
) -> QueryResult<Option<RequestStatus>> {
    assessor_requests::table
        .filter(assessor_requests::id.eq(request_id))
        .filter(assessor_requests::provider_id.eq(provider_id))
        .select(assessor_requests::status)
        .first(conn)
        .optional()
}

/// The service answers a request with words and evidence from its own library. Returns false if
/// there is no such request.
pub fn answer_request(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    request_id: i32,
    answer: &str,
    evidence_ids: &[i32],
) -> Result<(), StoreError> {
    db::write_transaction(conn, |conn| {
        let Some(status) = request_status(conn, provider_id, request_id)? else { return Err(StoreError::NotFound) };
        rules::may_answer(status, answer, evidence_ids)?;
        let wanted: HashSet<&i32> = evidence_ids.iter().collect();
        if !crate::evidence::store::all_belong_to(conn, provider_id, evidence_ids)? {
            return Err(StoreError::invalid("evidence", "Attach evidence from this service's own library"));
        }
        diesel::delete(assessor_request_evidence::table.filter(assessor_request_evidence::request_id.eq(request_id)))
            .execute(conn)?;
        let rows: Vec<_> = wanted
            .iter()
            .map(|id| {
                (assessor_request_evidence::request_id.eq(request_id), assessor_request_evidence::evidence_id.eq(**id))
            })
            .collect();
        db::insert_batch(conn, assessor_request_evidence::table, &rows)?;
        diesel::update(assessor_requests::table.find(request_id))
            .set((
                assessor_requests::status.eq(RequestStatus::Answered),
                assessor_requests::answer_text.eq(answer),
                assessor_requests::answered_by.eq(by),
                assessor_requests::answered_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        let mut sorted: Vec<i32> = wanted.into_iter().copied().collect();
        sorted.sort_unstable();
        let mut diff = Diff::default();
        diff.field("status", status.as_str(), RequestStatus::Answered.as_str())
            .field("answer", Option::<String>::None, answer)
            .field("evidence", Option::<String>::None, sorted);
        record_action(conn, by, Some(provider_id.0), "assessor_request", request_id, "answer", diff)?;
        Ok(())
    })
}

/// The assessor accepts an answer, or returns it with a comment. Returns false if there is no such
/// request.
pub fn decide_request(
    conn: &mut DbConnection,
    by: Option<UserId>,
    provider_id: ProviderId,
    request_id: i32,
    accept: bool,
    comment: &str,
) -> Result<(), StoreError> {
    db::write_transaction(conn, |conn| {
        let Some(status) = request_status(conn, provider_id, request_id)? else { return Err(StoreError::NotFound) };
        let next = rules::decided(status, accept, comment)?;
        let comment = (!comment.is_empty()).then_some(comment);
        diesel::update(assessor_requests::table.find(request_id))
            .set((
                assessor_requests::status.eq(next),
                assessor_requests::decision_comment.eq(comment),
                assessor_requests::decided_by.eq(by),
                assessor_requests::decided_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?;
        let mut diff = Diff::default();
        diff.field("status", status.as_str(), next.as_str()).field("comment", Option::<String>::None, comment);
        record_action(
            conn,
            by,
            Some(provider_id.0),
            "assessor_request",
            request_id,
            if accept { "accept" } else { "return" },
            diff,
        )?;
        Ok(())
    })
}

/// The readiness figures with the record and names they are shown with.
#[derive(Debug, Clone, Serialize)]
pub struct ReadinessReport {
    pub accreditation: AccreditationRecord,
    pub cycle: Option<Cycle>,
    pub readiness: Readiness,
    /// The names of the owners the figures mention.
    pub people: HashMap<i32, String>,
}

/// The live checks' verdicts on a provider's standards as of a day, by standard (node id): the
/// `live` area judges them from the records of every other area, so it is handed in by whoever
/// wires both (`lib::app` through `routes::LiveChecks`, the commands, the documents), as
/// `evidence::routes::FrameworkInUse` is. Judging may record a verdict that changed.
pub type LiveJudge = fn(&mut DbConnection, ProviderId, NaiveDate) -> QueryResult<HashMap<i32, Vec<LiveVerdict>>>;

/// Everything the dashboard and the API show, as of `today`, with the live checks' verdicts. The
/// standards page, the API and the overview all ask for it, and drawing it reads every area's
/// records, so a report is kept until the audit trail moves (`history::memo`).
pub fn readiness(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    today: NaiveDate,
    live: LiveJudge,
) -> QueryResult<ReadinessReport> {
    type Key = (ProviderId, NaiveDate, usize);
    static KEPT: std::sync::LazyLock<crate::history::memo::TrailMemo<Key, ReadinessReport>> =
        std::sync::LazyLock::new(|| crate::history::memo::TrailMemo::new(1024));
    // The judge is part of the key: a test may judge with another. A report with its live verdicts
    // runs to tens of kilobytes, so a thousand providers' are held at most.
    let kept = KEPT.get_or_draw(conn, (provider_id, today, live as usize), |conn| {
        draw_readiness(conn, provider_id, today, live)
    })?;
    Ok(ReadinessReport::clone(&kept))
}

fn draw_readiness(
    conn: &mut DbConnection,
    provider_id: ProviderId,
    today: NaiveDate,
    live: LiveJudge,
) -> QueryResult<ReadinessReport> {
    let accreditation = accreditation(conn, provider_id, today)?;
    let (cycle, mut facts) = readiness_facts(conn, provider_id, today)?;
    facts.live = live(conn, provider_id, today)?;
    let readiness = rules::readiness(&facts, today);
    let people = provider_people(conn, provider_id)?.into_iter().collect();
    Ok(ReadinessReport { accreditation, cycle, readiness, people })
}

/// One standard's saved self-assessment, as the evidence pack states it.
#[derive(Debug, Clone)]
pub struct AssessmentLine {
    pub node_id: i32,
    pub result: AssessmentResult,
    pub not_applicable_reason: Option<String>,
    pub owner: Option<String>,
    pub narrative: String,
}

/// Every saved self-assessment of a cycle, with its owner's name: one query, for the evidence pack,
/// which states every standard.
pub fn cycle_assessments(conn: &mut DbConnection, cycle_id: i32) -> QueryResult<Vec<AssessmentLine>> {
    type Row = (i32, AssessmentResult, Option<String>, Option<String>, String);
    let rows: Vec<Row> = standard_assessments::table
        .left_join(users::table.on(users::id.nullable().eq(standard_assessments::owner_user_id)))
        .filter(standard_assessments::cycle_id.eq(cycle_id))
        .select((
            standard_assessments::node_id,
            standard_assessments::result,
            standard_assessments::not_applicable_reason,
            users::name.nullable(),
            standard_assessments::narrative,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(node_id, result, not_applicable_reason, owner, narrative)| AssessmentLine {
            node_id,
            result,
            not_applicable_reason,
            owner,
            narrative,
        })
        .collect())
}

/// Where each of many providers stands with SEQOHS, as recorded: (provider, status, status_on,
/// registered_on, accredited_on). One query; a provider that never recorded it has no row.
pub fn accreditations_for_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
) -> QueryResult<Vec<ProviderAccreditation>> {
    accreditations::table
        .filter(accreditations::provider_id.eq_any(providers))
        .select((
            accreditations::provider_id,
            accreditations::status,
            accreditations::status_on,
            accreditations::registered_on,
            accreditations::accredited_on,
        ))
        .load(conn)
}

/// (provider, status, status_on, registered_on, accredited_on).
pub type ProviderAccreditation =
    (ProviderId, AccreditationStatus, Option<NaiveDate>, Option<NaiveDate>, Option<NaiveDate>);

/// A provider's domains counted, and the references of its "must" standards not met.
pub type SelfAssessment = (Vec<DomainCount>, Vec<String>);

/// A framework's domain or standard: (id, catalogue, reference, parent, kind, level, title).
type FrameworkNode = (i32, i32, String, Option<i32>, NodeKind, Level, String);

/// One domain's standards in a provider's current cycle, counted for the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainCount {
    pub reference: String,
    pub title: String,
    pub applicable: usize,
    pub met: usize,
    pub not_assessed: usize,
}

/// Each of many providers' current cycle and its framework, as (cycle id, catalogue id) by
/// provider: the newest cycle is the one being worked on, as `current_cycle` reads it. One query.
fn current_cycles_for_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
) -> QueryResult<HashMap<ProviderId, (i32, i32)>> {
    let cycles: Vec<(i32, ProviderId, i32)> = assessment_cycles::table
        .filter(assessment_cycles::provider_id.eq_any(providers))
        .select((assessment_cycles::id, assessment_cycles::provider_id, assessment_cycles::catalogue_id))
        .load(conn)?;
    let mut current: HashMap<ProviderId, (i32, i32)> = HashMap::new();
    for (id, provider, catalogue) in cycles {
        if current.get(&provider).is_none_or(|(newest, _)| *newest < id) {
            current.insert(provider, (id, catalogue));
        }
    }
    Ok(current)
}

/// The self-assessment of many providers against the framework each is assessed against (its
/// current cycle's, or the newest before its first cycle), whatever the number of providers:
/// four queries (the cycles, the frameworks, the frameworks' domains and standards, and the
/// results counted by cycle, domain, level and result in SQL, the must standards' results named).
/// Returns, by provider, its domains in catalogue order and the references of its applicable
/// "must" standards not met (by the rule of [`rules::is_must_not_met`]).
pub fn self_assessment_for_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
) -> QueryResult<HashMap<ProviderId, SelfAssessment>> {
    let current = current_cycles_for_providers(conn, providers)?;
    let newest = frameworks(conn)?.first().map(|(id, _, _)| *id);
    let framework_of = |provider: &ProviderId| current.get(provider).map(|(_, c)| *c).or(newest);
    let mut in_use: Vec<i32> = providers.iter().filter_map(framework_of).collect();
    in_use.sort_unstable();
    in_use.dedup();
    let nodes: Vec<FrameworkNode> = catalogue_nodes::table
        .filter(catalogue_nodes::catalogue_id.eq_any(&in_use))
        .filter(catalogue_nodes::retired.eq(false))
        .filter(catalogue_nodes::kind.eq_any([NodeKind::Domain, NodeKind::Standard]))
        .select((
            catalogue_nodes::id,
            catalogue_nodes::catalogue_id,
            catalogue_nodes::reference,
            catalogue_nodes::parent_id,
            catalogue_nodes::kind,
            catalogue_nodes::level,
            catalogue_nodes::title,
        ))
        .order((catalogue_nodes::position, catalogue_nodes::id))
        .load(conn)?;
    let cycle_ids: Vec<i32> = current.values().map(|(id, _)| *id).collect();
    // Results counted in SQL by cycle, domain and result; the must standards also by name, as
    // only the few not met are wanted.
    let counted: Vec<(i32, Option<i32>, AssessmentResult, i64)> = if cycle_ids.is_empty() {
        Vec::new()
    } else {
        standard_assessments::table
            .inner_join(catalogue_nodes::table)
            .filter(standard_assessments::cycle_id.eq_any(&cycle_ids))
            .filter(catalogue_nodes::retired.eq(false))
            .filter(catalogue_nodes::kind.eq(NodeKind::Standard))
            .group_by((standard_assessments::cycle_id, catalogue_nodes::parent_id, standard_assessments::result))
            .select((
                standard_assessments::cycle_id,
                catalogue_nodes::parent_id,
                standard_assessments::result,
                diesel::dsl::count_star(),
            ))
            .load(conn)?
    };
    let must_results: Vec<(i32, i32, AssessmentResult)> = if cycle_ids.is_empty() {
        Vec::new()
    } else {
        standard_assessments::table
            .inner_join(catalogue_nodes::table)
            .filter(standard_assessments::cycle_id.eq_any(&cycle_ids))
            .filter(catalogue_nodes::level.eq(Level::Must))
            .filter(standard_assessments::result.eq_any([AssessmentResult::Met, AssessmentResult::NotApplicable]))
            .select((standard_assessments::cycle_id, standard_assessments::node_id, standard_assessments::result))
            .load(conn)?
    };
    let mut counts: HashMap<(i32, i32), HashMap<AssessmentResult, usize>> = HashMap::new();
    for (cycle, domain, result, n) in counted {
        let Some(domain) = domain else { continue };
        *counts.entry((cycle, domain)).or_default().entry(result).or_default() += usize::try_from(n).unwrap_or(0);
    }
    let settled: HashMap<(i32, i32), AssessmentResult> =
        must_results.into_iter().map(|(cycle, node, result)| ((cycle, node), result)).collect();
    Ok(providers
        .iter()
        .filter_map(|provider| {
            let framework = framework_of(provider)?;
            let cycle = current.get(provider).map(|(id, _)| *id);
            let mut domains = Vec::new();
            let mut must_not_met = Vec::new();
            for domain in nodes.iter().filter(|n| n.1 == framework && n.4 == NodeKind::Domain) {
                let standards: Vec<_> = nodes
                    .iter()
                    .filter(|n| n.1 == framework && n.4 == NodeKind::Standard && n.3 == Some(domain.0))
                    .collect();
                let by_result = cycle.and_then(|c| counts.get(&(c, domain.0)));
                let n_of = |r: AssessmentResult| by_result.and_then(|m| m.get(&r)).copied().unwrap_or(0);
                let total = standards.len();
                let judged = n_of(AssessmentResult::Met)
                    + n_of(AssessmentResult::PartlyMet)
                    + n_of(AssessmentResult::NotMet)
                    + n_of(AssessmentResult::NotApplicable);
                domains.push(DomainCount {
                    reference: domain.2.clone(),
                    title: domain.6.clone(),
                    applicable: total.saturating_sub(n_of(AssessmentResult::NotApplicable)),
                    met: n_of(AssessmentResult::Met),
                    not_assessed: total.saturating_sub(judged),
                });
                for standard in standards {
                    let result = cycle
                        .and_then(|c| settled.get(&(c, standard.0)))
                        .copied()
                        .unwrap_or(AssessmentResult::NotAssessed);
                    if rules::is_must_not_met(standard.5, result) {
                        must_not_met.push(standard.2.clone());
                    }
                }
            }
            Some((*provider, (domains, must_not_met)))
        })
        .collect())
}

/// The standards each of many providers has marked met in its current cycle, with that cycle's
/// framework: (framework, [(node id, reference)] in catalogue order) by provider; a provider with
/// no cycle has no entry. Two queries whatever the number of providers.
pub fn met_standards_for_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
) -> QueryResult<HashMap<ProviderId, MetStandards>> {
    let current = current_cycles_for_providers(conn, providers)?;
    let by_cycle: HashMap<i32, ProviderId> = current.iter().map(|(p, (cycle, _))| (*cycle, *p)).collect();
    let cycle_ids: Vec<i32> = by_cycle.keys().copied().collect();
    let met: Vec<(i32, i32, String)> = if cycle_ids.is_empty() {
        Vec::new()
    } else {
        standard_assessments::table
            .inner_join(catalogue_nodes::table)
            .filter(standard_assessments::cycle_id.eq_any(&cycle_ids))
            .filter(standard_assessments::result.eq(AssessmentResult::Met))
            .filter(catalogue_nodes::kind.eq(NodeKind::Standard))
            .filter(catalogue_nodes::retired.eq(false))
            .select((standard_assessments::cycle_id, catalogue_nodes::id, catalogue_nodes::reference))
            .order((catalogue_nodes::position, catalogue_nodes::id))
            .load(conn)?
    };
    let mut found: HashMap<ProviderId, MetStandards> =
        current.iter().map(|(provider, (_, framework))| (*provider, (*framework, Vec::new()))).collect();
    for (cycle, node, reference) in met {
        if let Some(entry) = by_cycle.get(&cycle).and_then(|provider| found.get_mut(provider)) {
            entry.1.push((node, reference));
        }
    }
    Ok(found)
}

/// A provider's framework (catalogue id) and the standards it marked met, as (node id, reference).
pub type MetStandards = (i32, Vec<(i32, String)>);

/// Open findings (not closed, not withdrawn) of many providers: (all, major nonconformities) by
/// provider. One query, counted in SQL.
pub fn open_findings_for_providers(
    conn: &mut DbConnection,
    providers: &[ProviderId],
) -> QueryResult<HashMap<ProviderId, (usize, usize)>> {
    let rows: Vec<(ProviderId, FindingGrade, i64)> = findings::table
        .filter(findings::provider_id.eq_any(providers))
        .filter(findings::closed_on.is_null())
        .filter(findings::withdrawn_at.is_null())
        .group_by((findings::provider_id, findings::grade))
        .select((findings::provider_id, findings::grade, diesel::dsl::count_star()))
        .load(conn)?;
    let mut open: HashMap<ProviderId, (usize, usize)> = HashMap::new();
    for (provider, grade, n) in rows {
        let n = usize::try_from(n).unwrap_or(0);
        let entry = open.entry(provider).or_default();
        entry.0 += n;
        if grade == FindingGrade::MajorNonconformity {
            entry.1 += n;
        }
    }
    Ok(open)
}
