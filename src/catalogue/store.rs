//! Saving checked catalogue files, and reading the catalogue back for its pages.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use diesel::prelude::*;

use super::model::{
    self, CatalogueErrors, CatalogueFile, CatalogueKind, CpdCycle, CpdUnit, KnownReferences, KpiIndicator, KpiSource,
    KpiUnit, Level, Node, NodeKind, ProfessionRule, Regulator, Source,
};
use crate::db::schema::{catalogue_nodes, catalogue_replaces, catalogues, kpi_definitions, profession_rules};
use crate::db::{self, DbConnection};
use crate::history;

/// Why a load did not happen.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Refused(#[from] CatalogueErrors),
    #[error("database error while loading the catalogue: {0}")]
    Database(#[from] diesel::result::Error),
}

/// What a load did to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    Unchanged,
    Created { nodes: usize },
    Updated { inserted: usize, updated: usize, retired: usize },
}

/// What a load did, file by file, in load order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReport {
    pub files: Vec<(String, FileOutcome)>,
}

impl std::fmt::Display for LoadReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (code, outcome) in &self.files {
            match outcome {
                FileOutcome::Unchanged => writeln!(f, "{code}: unchanged")?,
                FileOutcome::Created { nodes } => writeln!(f, "{code}: loaded {nodes} entries")?,
                FileOutcome::Updated { inserted, updated, retired } => {
                    writeln!(f, "{code}: {inserted} added, {updated} changed, {retired} retired")?
                }
            }
        }
        Ok(())
    }
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = catalogues, treat_none_as_null = true)]
struct CatalogueRow<'a> {
    code: &'a str,
    kind: CatalogueKind,
    title: &'a str,
    version: &'a str,
    note: Option<&'a str>,
    replaces_code: Option<&'a str>,
    source_name: &'a str,
    content_sha256: &'a str,
    loaded_at: chrono::NaiveDateTime,
}

#[derive(Insertable, AsChangeset, Queryable, Selectable, PartialEq, Debug)]
#[diesel(table_name = catalogue_nodes, treat_none_as_null = true)]
struct NodeRow {
    catalogue_id: i32,
    reference: String,
    kind: NodeKind,
    level: Level,
    position: i32,
    title: String,
    guidance: String,
    expected_evidence: String,
    checks: String,
    retired: bool,
}

#[derive(Insertable)]
#[diesel(table_name = profession_rules)]
struct ProfessionRow<'a> {
    node_id: i32,
    regulator: Regulator,
    disciplines: String,
    supervised_disciplines: String,
    registration_number_pattern: Option<&'a str>,
    registration_number_example: Option<&'a str>,
    registration_renewal_months: Option<i32>,
    registration_warning_days: Option<i32>,
    revalidation_months: Option<i32>,
    revalidation_warning_days: Option<i32>,
    appraisal_overdue_months: Option<i32>,
    cpd_cycle: Option<CpdCycle>,
    cpd_unit: Option<CpdUnit>,
    cpd_required: Option<f64>,
    cpd_participatory_required: Option<f64>,
    reflective_accounts_required: Option<i32>,
    practice_hours_required: Option<i32>,
    feedback_required: Option<i32>,
    cpd_periods: Option<i32>,
    cpd_period_months: Option<i32>,
    cpd_warning_days: Option<i32>,
    cpd_audit_sample_percent: Option<f64>,
    revalidation_cpd_required: Option<f64>,
}

#[derive(Insertable)]
#[diesel(table_name = kpi_definitions)]
struct KpiRow {
    node_id: i32,
    unit: KpiUnit,
    higher_is_better: bool,
    default_target: f64,
    source: KpiSource,
    indicator: KpiIndicator,
}

/// The references already stored, by catalogue code, for checking `replaces` across loads.
pub fn known_references(conn: &mut DbConnection) -> QueryResult<KnownReferences> {
    let rows: Vec<(String, String)> = catalogue_nodes::table
        .inner_join(catalogues::table)
        .select((catalogues::code, catalogue_nodes::reference))
        .load(conn)?;
    let mut known: KnownReferences = HashMap::new();
    for (code, reference) in rows {
        known.entry(code).or_default().insert(reference);
    }
    Ok(known)
}

/// Checks and loads a set of files in one transaction: all of them, or (on any problem) none.
/// A file whose text is unchanged since it was last loaded is left exactly as it is.
pub fn load(conn: &mut DbConnection, sources: &[Source]) -> Result<LoadReport, LoadError> {
    db::write_transaction(conn, |conn| {
        let known = known_references(conn)?;
        let files = model::check_set(sources, &known)?;
        let mut report = LoadReport { files: Vec::new() };
        let mut changed = Vec::new();
        for file in &files {
            let (outcome, previous_sha) = save_file(conn, file)?;
            if outcome != FileOutcome::Unchanged {
                history::store::record(conn, &load_entry(file, &outcome, previous_sha))?;
                changed.push(file);
            }
            report.files.push((file.code.clone(), outcome));
        }
        for file in changed {
            save_replaces(conn, file)?;
        }
        Ok(report)
    })
}

/// Loads the files only when the database holds no catalogue yet (first start).
pub fn load_if_empty(conn: &mut DbConnection, sources: &[Source]) -> Result<Option<LoadReport>, LoadError> {
    let count: i64 = catalogues::table.count().get_result(conn)?;
    if count > 0 {
        return Ok(None);
    }
    load(conn, sources).map(Some)
}

fn node_row(catalogue_id: i32, node: &Node) -> NodeRow {
    NodeRow {
        catalogue_id,
        reference: node.reference.clone(),
        kind: node.kind,
        level: node.level,
        position: node.position,
        title: node.title.clone(),
        guidance: node.guidance.clone(),
        // A list of plain strings always serialises.
        expected_evidence: serde_json::to_string(&node.expected_evidence).unwrap_or_else(|_| "[]".into()),
        checks: serde_json::to_string(&node.checks.iter().map(|c| c.as_str()).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".into()),
        retired: false,
    }
}

/// The history row for a catalogue file that was loaded or changed. The catalogue is shared data,
/// changed by the operator, so it has no user and no organisation.
fn load_entry(file: &CatalogueFile, outcome: &FileOutcome, previous_sha: Option<String>) -> history::Entry {
    let (action, counts) = match outcome {
        FileOutcome::Created { nodes } => ("load", serde_json::json!({ "added": nodes })),
        FileOutcome::Updated { inserted, updated, retired } => {
            ("update", serde_json::json!({ "added": inserted, "changed": updated, "retired": retired }))
        }
        FileOutcome::Unchanged => ("unchanged", serde_json::Value::Null),
    };
    history::Entry {
        user_id: None,
        organisation_id: None,
        entity: "catalogue".into(),
        entity_id: file.code.clone(),
        action: action.into(),
        changes: vec![
            history::Change {
                field: "content_sha256".into(),
                before: previous_sha.map(serde_json::Value::String).unwrap_or(serde_json::Value::Null),
                after: serde_json::Value::String(file.content_sha256.clone()),
            },
            history::Change { field: "entries".into(), before: serde_json::Value::Null, after: counts },
        ],
    }
}

/// Saves one file; returns what happened and the text hash it replaced (None for a new file).
fn save_file(conn: &mut DbConnection, file: &CatalogueFile) -> Result<(FileOutcome, Option<String>), LoadError> {
    let existing: Option<(i32, String)> = catalogues::table
        .filter(catalogues::code.eq(&file.code))
        .select((catalogues::id, catalogues::content_sha256))
        .first(conn)
        .optional()?;
    if let Some((_, sha)) = &existing {
        if *sha == file.content_sha256 {
            return Ok((FileOutcome::Unchanged, Some(sha.clone())));
        }
    }

    let row = CatalogueRow {
        code: &file.code,
        kind: file.kind,
        title: &file.title,
        version: &file.version,
        note: file.note.as_deref(),
        replaces_code: file.replaces_code.as_deref(),
        source_name: &file.source_name,
        content_sha256: &file.content_sha256,
        loaded_at: Utc::now().naive_utc(),
    };
    let catalogue_id = match existing {
        Some((id, _)) => {
            diesel::update(catalogues::table.find(id)).set(&row).execute(conn)?;
            id
        }
        None => {
            diesel::insert_into(catalogues::table).values(&row).execute(conn)?;
            db::last_insert_id(conn)?
        }
    };

    let stored: Vec<(i32, NodeRow)> = catalogue_nodes::table
        .filter(catalogue_nodes::catalogue_id.eq(catalogue_id))
        .select((catalogue_nodes::id, NodeRow::as_select()))
        .load(conn)?;
    let mut stored: HashMap<String, (i32, NodeRow)> =
        stored.into_iter().map(|(id, row)| (row.reference.clone(), (id, row))).collect();

    let (mut inserted, mut updated) = (0, 0);
    let mut ids: HashMap<&str, i32> = HashMap::new();
    for node in &file.nodes {
        let row = node_row(catalogue_id, node);
        let id = match stored.remove(&node.reference) {
            Some((id, old)) => {
                if old != row {
                    diesel::update(catalogue_nodes::table.find(id)).set(&row).execute(conn)?;
                    updated += 1;
                }
                id
            }
            None => {
                diesel::insert_into(catalogue_nodes::table).values(&row).execute(conn)?;
                inserted += 1;
                db::last_insert_id(conn)?
            }
        };
        ids.insert(&node.reference, id);
    }

    // Nodes the new text no longer has are retired, not deleted: assessments may point at them.
    let mut retired = 0;
    let gone: Vec<i32> = stored.values().filter(|(_, row)| !row.retired).map(|(id, _)| *id).collect();
    if !gone.is_empty() {
        retired = diesel::update(catalogue_nodes::table.filter(catalogue_nodes::id.eq_any(&gone)))
            .set(catalogue_nodes::retired.eq(true))
            .execute(conn)?;
    }

    let parents: Vec<(i32, Option<i32>)> = catalogue_nodes::table
        .filter(catalogue_nodes::catalogue_id.eq(catalogue_id))
        .select((catalogue_nodes::id, catalogue_nodes::parent_id))
        .load(conn)?;
    let parents: HashMap<i32, Option<i32>> = parents.into_iter().collect();
    for node in &file.nodes {
        let id = ids[node.reference.as_str()];
        let parent_id = node.parent.as_deref().and_then(|p| ids.get(p).copied());
        if parents.get(&id).copied().flatten() != parent_id {
            diesel::update(catalogue_nodes::table.find(id))
                .set(catalogue_nodes::parent_id.eq(parent_id))
                .execute(conn)?;
        }
    }

    save_rules(conn, file, &ids)?;

    Ok(match existing {
        Some((_, sha)) => (FileOutcome::Updated { inserted, updated, retired }, Some(sha)),
        None => (FileOutcome::Created { nodes: inserted }, None),
    })
}

/// Profession and KPI details are rewritten whole for a changed file; nothing else points at them.
fn save_rules(conn: &mut DbConnection, file: &CatalogueFile, ids: &HashMap<&str, i32>) -> QueryResult<()> {
    let node_ids: Vec<i32> = ids.values().copied().collect();
    diesel::delete(profession_rules::table.filter(profession_rules::node_id.eq_any(&node_ids))).execute(conn)?;
    diesel::delete(kpi_definitions::table.filter(kpi_definitions::node_id.eq_any(&node_ids))).execute(conn)?;
    let (mut professions, mut kpis) = (Vec::new(), Vec::new());
    for node in &file.nodes {
        let node_id = ids[node.reference.as_str()];
        if let Some(rule) = &node.profession {
            let row = ProfessionRow {
                node_id,
                regulator: rule.regulator,
                disciplines: serde_json::to_string(&rule.disciplines).unwrap_or_else(|_| "[]".into()),
                supervised_disciplines: serde_json::to_string(&rule.supervised_disciplines)
                    .unwrap_or_else(|_| "[]".into()),
                registration_number_pattern: rule.registration_number_pattern.as_deref(),
                registration_number_example: rule.registration_number_example.as_deref(),
                registration_renewal_months: whole(rule.registration_renewal_months),
                registration_warning_days: whole(rule.registration_warning_days),
                revalidation_months: whole(rule.revalidation_months),
                revalidation_warning_days: whole(rule.revalidation_warning_days),
                appraisal_overdue_months: whole(rule.appraisal_overdue_months),
                cpd_cycle: rule.cpd_cycle,
                cpd_unit: rule.cpd_unit,
                cpd_required: rule.cpd_required,
                cpd_participatory_required: rule.cpd_participatory_required,
                reflective_accounts_required: whole(rule.reflective_accounts_required),
                practice_hours_required: whole(rule.practice_hours_required),
                feedback_required: whole(rule.feedback_required),
                cpd_periods: whole(rule.cpd_periods),
                cpd_period_months: whole(rule.cpd_period_months),
                cpd_warning_days: whole(rule.cpd_warning_days),
                cpd_audit_sample_percent: rule.cpd_audit_sample_percent,
                revalidation_cpd_required: rule.revalidation_cpd_required,
            };
            professions.push(row);
        }
        if let Some(kpi) = &node.kpi {
            let row = KpiRow {
                node_id,
                unit: kpi.unit,
                higher_is_better: kpi.higher_is_better,
                default_target: kpi.default_target,
                source: kpi.source,
                indicator: kpi.indicator,
            };
            kpis.push(row);
        }
    }
    db::insert_batch(conn, profession_rules::table, &professions)?;
    db::insert_batch(conn, kpi_definitions::table, &kpis)?;
    Ok(())
}

/// A positive whole number as the database stores it; the loader keeps every one within range.
fn whole(value: Option<u32>) -> Option<i32> {
    value.and_then(|v| i32::try_from(v).ok())
}

/// A stored count or length as the rules read it; a negative one (never loaded) counts as none.
fn count(value: Option<i32>) -> Option<u32> {
    value.and_then(|v| u32::try_from(v).ok())
}

/// Every regulator's rules in force (their catalogue entry not retired), for the workforce rules.
/// One query.
pub fn profession_rules(conn: &mut DbConnection) -> QueryResult<Vec<ProfessionRule>> {
    type Row = (
        (Regulator, String, Option<String>, Option<String>, String),
        (Option<i32>, Option<i32>, Option<i32>, Option<i32>, Option<i32>),
        (Option<CpdCycle>, Option<CpdUnit>, Option<f64>, Option<f64>, Option<f64>),
        (Option<i32>, Option<i32>, Option<i32>, Option<i32>, Option<i32>, Option<i32>, Option<f64>),
    );
    let rows: Vec<Row> = profession_rules::table
        .inner_join(catalogue_nodes::table)
        .filter(catalogue_nodes::retired.eq(false))
        .select((
            (
                profession_rules::regulator,
                profession_rules::disciplines,
                profession_rules::registration_number_pattern,
                profession_rules::registration_number_example,
                profession_rules::supervised_disciplines,
            ),
            (
                profession_rules::registration_renewal_months,
                profession_rules::registration_warning_days,
                profession_rules::revalidation_months,
                profession_rules::revalidation_warning_days,
                profession_rules::appraisal_overdue_months,
            ),
            (
                profession_rules::cpd_cycle,
                profession_rules::cpd_unit,
                profession_rules::cpd_required,
                profession_rules::cpd_participatory_required,
                profession_rules::revalidation_cpd_required,
            ),
            (
                profession_rules::reflective_accounts_required,
                profession_rules::practice_hours_required,
                profession_rules::feedback_required,
                profession_rules::cpd_periods,
                profession_rules::cpd_period_months,
                profession_rules::cpd_warning_days,
                profession_rules::cpd_audit_sample_percent,
            ),
        ))
        .order(catalogue_nodes::position)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(names, registration, cpd, counts)| ProfessionRule {
            regulator: names.0,
            // Written by the loader from a list of strings.
            disciplines: serde_json::from_str(&names.1).unwrap_or_default(),
            registration_number_pattern: names.2,
            registration_number_example: names.3,
            supervised_disciplines: serde_json::from_str(&names.4).unwrap_or_default(),
            registration_renewal_months: count(registration.0),
            registration_warning_days: count(registration.1),
            revalidation_months: count(registration.2),
            revalidation_warning_days: count(registration.3),
            appraisal_overdue_months: count(registration.4),
            cpd_cycle: cpd.0,
            cpd_unit: cpd.1,
            cpd_required: cpd.2,
            cpd_participatory_required: cpd.3,
            reflective_accounts_required: count(counts.0),
            practice_hours_required: count(counts.1),
            feedback_required: count(counts.2),
            cpd_periods: count(counts.3),
            cpd_period_months: count(counts.4),
            cpd_warning_days: count(counts.5),
            cpd_audit_sample_percent: counts.6,
            revalidation_cpd_required: cpd.4,
        })
        .collect())
}

/// Links each node to the older framework's nodes it carries results over from.
fn save_replaces(conn: &mut DbConnection, file: &CatalogueFile) -> QueryResult<()> {
    let catalogue_id: i32 =
        catalogues::table.filter(catalogues::code.eq(&file.code)).select(catalogues::id).first(conn)?;
    let own: Vec<(String, i32)> = catalogue_nodes::table
        .filter(catalogue_nodes::catalogue_id.eq(catalogue_id))
        .select((catalogue_nodes::reference, catalogue_nodes::id))
        .load(conn)?;
    let own: HashMap<String, i32> = own.into_iter().collect();
    let own_ids: Vec<i32> = own.values().copied().collect();
    diesel::delete(catalogue_replaces::table.filter(catalogue_replaces::node_id.eq_any(&own_ids))).execute(conn)?;

    let Some(older) = &file.replaces_code else { return Ok(()) };
    let targets: Vec<(String, i32)> = catalogue_nodes::table
        .inner_join(catalogues::table)
        .filter(catalogues::code.eq(older))
        .select((catalogue_nodes::reference, catalogue_nodes::id))
        .load(conn)?;
    let targets: HashMap<String, i32> = targets.into_iter().collect();
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    for node in &file.nodes {
        for target in &node.replaces {
            if let (Some(&node_id), Some(&replaced_node_id)) = (own.get(&node.reference), targets.get(target)) {
                if seen.insert((node_id, replaced_node_id)) {
                    rows.push((
                        catalogue_replaces::node_id.eq(node_id),
                        catalogue_replaces::replaced_node_id.eq(replaced_node_id),
                    ));
                }
            }
        }
    }
    db::insert_batch(conn, catalogue_replaces::table, &rows)?;
    Ok(())
}

/// A stored catalogue with its entries, for the catalogue page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CatalogueView {
    pub code: String,
    pub kind: CatalogueKind,
    pub title: String,
    pub version: String,
    pub note: Option<String>,
    pub replaces_code: Option<String>,
    /// Top-level entries, each holding its children.
    pub entries: Vec<EntryView>,
}

/// One entry of the catalogue page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EntryView {
    pub reference: String,
    pub kind: NodeKind,
    pub level: Level,
    pub title: String,
    pub guidance: String,
    pub expected_evidence: Vec<String>,
    pub replaces: Vec<String>,
    pub profession: Option<ProfessionView>,
    pub kpi: Option<KpiView>,
    pub children: Vec<EntryView>,
}

#[derive(Debug, Clone, serde::Serialize, Queryable)]
pub struct ProfessionView {
    pub regulator: Regulator,
    pub disciplines: String,
    pub registration_number_example: Option<String>,
    pub registration_renewal_months: Option<i32>,
    pub revalidation_months: Option<i32>,
    pub appraisal_overdue_months: Option<i32>,
    pub cpd_cycle: Option<CpdCycle>,
    pub cpd_unit: Option<CpdUnit>,
    pub cpd_required: Option<f64>,
    pub cpd_participatory_required: Option<f64>,
    pub reflective_accounts_required: Option<i32>,
    pub cpd_periods: Option<i32>,
    pub cpd_period_months: Option<i32>,
}

#[derive(Debug, Clone, serde::Serialize, Queryable)]
pub struct KpiView {
    pub unit: KpiUnit,
    pub higher_is_better: bool,
    pub default_target: f64,
    pub source: KpiSource,
    /// None for a KPI loaded before the catalogue said whether it leads or lags; the next
    /// `ohgov catalogue load` of a changed file fills it.
    pub indicator: Option<KpiIndicator>,
}

#[derive(Queryable)]
struct StoredNode {
    id: i32,
    catalogue_id: i32,
    reference: String,
    parent_id: Option<i32>,
    kind: NodeKind,
    level: Level,
    title: String,
    guidance: String,
    expected_evidence: String,
}

#[derive(Queryable)]
struct CatalogueHeader {
    code: String,
    kind: CatalogueKind,
    title: String,
    version: String,
    note: Option<String>,
    replaces_code: Option<String>,
}

/// The whole current catalogue in five queries, whatever its size.
pub fn overview(conn: &mut DbConnection) -> QueryResult<Vec<CatalogueView>> {
    let stored_catalogues: Vec<(i32, CatalogueHeader)> = catalogues::table
        .select((
            catalogues::id,
            (
                catalogues::code,
                catalogues::kind,
                catalogues::title,
                catalogues::version,
                catalogues::note,
                catalogues::replaces_code,
            ),
        ))
        .order((catalogues::kind, catalogues::code.desc()))
        .load(conn)?;
    let nodes: Vec<StoredNode> = catalogue_nodes::table
        .filter(catalogue_nodes::retired.eq(false))
        .select((
            catalogue_nodes::id,
            catalogue_nodes::catalogue_id,
            catalogue_nodes::reference,
            catalogue_nodes::parent_id,
            catalogue_nodes::kind,
            catalogue_nodes::level,
            catalogue_nodes::title,
            catalogue_nodes::guidance,
            catalogue_nodes::expected_evidence,
        ))
        .order((catalogue_nodes::catalogue_id, catalogue_nodes::position, catalogue_nodes::id))
        .load(conn)?;
    let professions: HashMap<i32, ProfessionView> = profession_rules::table
        .select((
            profession_rules::node_id,
            (
                profession_rules::regulator,
                profession_rules::disciplines,
                profession_rules::registration_number_example,
                profession_rules::registration_renewal_months,
                profession_rules::revalidation_months,
                profession_rules::appraisal_overdue_months,
                profession_rules::cpd_cycle,
                profession_rules::cpd_unit,
                profession_rules::cpd_required,
                profession_rules::cpd_participatory_required,
                profession_rules::reflective_accounts_required,
                profession_rules::cpd_periods,
                profession_rules::cpd_period_months,
            ),
        ))
        .load::<(i32, ProfessionView)>(conn)?
        .into_iter()
        .collect();
    let kpis: HashMap<i32, KpiView> = kpi_definitions::table
        .select((
            kpi_definitions::node_id,
            (
                kpi_definitions::unit,
                kpi_definitions::higher_is_better,
                kpi_definitions::default_target,
                kpi_definitions::source,
                kpi_definitions::indicator,
            ),
        ))
        .load::<(i32, KpiView)>(conn)?
        .into_iter()
        .collect();
    let replaced = diesel::alias!(catalogue_nodes as replaced);
    let replaces: Vec<(i32, String)> = catalogue_replaces::table
        .inner_join(replaced.on(replaced.field(catalogue_nodes::id).eq(catalogue_replaces::replaced_node_id)))
        .select((catalogue_replaces::node_id, replaced.field(catalogue_nodes::reference)))
        .order((catalogue_replaces::node_id, replaced.field(catalogue_nodes::reference)))
        .load(conn)?;
    let mut replaces_by_node: HashMap<i32, Vec<String>> = HashMap::new();
    for (node_id, reference) in replaces {
        replaces_by_node.entry(node_id).or_default().push(reference);
    }

    let mut children: HashMap<Option<i32>, Vec<&StoredNode>> = HashMap::new();
    for node in &nodes {
        children.entry(node.parent_id).or_default().push(node);
    }
    let mut context = TreeContext { children, professions, kpis, replaces: replaces_by_node };

    Ok(stored_catalogues
        .into_iter()
        .map(|(id, header)| {
            let roots: Vec<&StoredNode> = context
                .children
                .get(&None)
                .map(|all| all.iter().copied().filter(|n| n.catalogue_id == id).collect())
                .unwrap_or_default();
            let entries = roots.into_iter().map(|n| context.entry(n)).collect();
            CatalogueView {
                code: header.code,
                kind: header.kind,
                title: header.title,
                version: header.version,
                note: header.note,
                replaces_code: header.replaces_code,
                entries,
            }
        })
        .collect())
}

struct TreeContext<'a> {
    children: HashMap<Option<i32>, Vec<&'a StoredNode>>,
    professions: HashMap<i32, ProfessionView>,
    kpis: HashMap<i32, KpiView>,
    replaces: HashMap<i32, Vec<String>>,
}

impl TreeContext<'_> {
    fn entry(&mut self, node: &StoredNode) -> EntryView {
        let kids: Vec<&StoredNode> = self.children.get(&Some(node.id)).cloned().unwrap_or_default();
        EntryView {
            reference: node.reference.clone(),
            kind: node.kind,
            level: node.level,
            title: node.title.clone(),
            guidance: node.guidance.clone(),
            expected_evidence: serde_json::from_str(&node.expected_evidence).unwrap_or_default(),
            replaces: self.replaces.remove(&node.id).unwrap_or_default(),
            profession: self.professions.remove(&node.id),
            kpi: self.kpis.remove(&node.id),
            children: kids.into_iter().map(|k| self.entry(k)).collect(),
        }
    }
}

/// The catalogue's document kinds still in force, in the file's order, as (reference, title): the
/// choices of an evidence item's "Document kind", and the list a chosen code is checked against.
pub fn document_kinds(conn: &mut DbConnection) -> QueryResult<Vec<(String, String)>> {
    catalogue_nodes::table
        .inner_join(catalogues::table)
        .filter(catalogues::kind.eq(CatalogueKind::DocumentKinds))
        .filter(catalogue_nodes::kind.eq(NodeKind::DocumentKind))
        .filter(catalogue_nodes::retired.eq(false))
        .select((catalogue_nodes::reference, catalogue_nodes::title))
        .order((catalogue_nodes::position, catalogue_nodes::id))
        .load(conn)
}

/// The standards of a framework that name live checks, in the order loaded, as (node id,
/// reference, checks). Retired standards are left out. One query.
pub fn live_checks(
    conn: &mut DbConnection,
    catalogue_id: i32,
) -> QueryResult<Vec<(i32, String, Vec<crate::catalogue::model::LiveCheck>)>> {
    let rows: Vec<(i32, String, String)> = catalogue_nodes::table
        .filter(catalogue_nodes::catalogue_id.eq(catalogue_id))
        .filter(catalogue_nodes::kind.eq(NodeKind::Standard))
        .filter(catalogue_nodes::retired.eq(false))
        .filter(catalogue_nodes::checks.ne("[]"))
        .select((catalogue_nodes::id, catalogue_nodes::reference, catalogue_nodes::checks))
        .order(catalogue_nodes::id)
        .load(conn)?;
    // The loader wrote each list from known checks; a name it would refuse cannot be stored.
    Ok(rows
        .into_iter()
        .map(|(id, reference, checks)| {
            let names: Vec<String> = serde_json::from_str(&checks).unwrap_or_default();
            (id, reference, names.iter().filter_map(|n| crate::catalogue::model::LiveCheck::parse(n)).collect())
        })
        .filter(|(_, _, checks): &(i32, String, Vec<_>)| !checks.is_empty())
        .collect())
}
